"""Figures: trajectory bands and network snapshots. Imports the model, never the reverse."""
