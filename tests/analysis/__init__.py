"""Tests of experiments.analysis, one module per analysis module."""
