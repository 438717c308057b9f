"""The tiny scenario the command-line tests run: a region of nine organizations."""

SMALL = """\
name = "tiny"
description = "A tiny region for CLI tests."

[region]
n_districts = 2
n_charters = 0
n_colleges = 1
n_workforce_boards = 1
n_county_offices = 1
n_ta_providers = 1
n_chambers = 0
n_employers = 4

[outcomes]
horizon_years = 6
"""
