"""Sweeps and sensitivity analysis over the consortium model (or any f(params, rng))."""
