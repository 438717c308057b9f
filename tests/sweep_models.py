"""Model functions for the sweep tests: slow, failing, hanging and worker-killing models.

Importable as ``sweep_models`` by worker processes when ``tests/`` is on PYTHONPATH.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

import numpy as np


def noisy(params, rng: np.random.Generator, *, delay: float = 0.0):
    """``y = x + N(0, 1)``, ``z = x * U(0, 1)`` and a short monthly series; sleeps ``delay``."""
    if delay:
        time.sleep(delay)
    x = float(params.get("x", 0.0))
    return {"y": x + rng.standard_normal(), "z": x * rng.random(), "flag": x > 0.5,
            "level": np.cumsum(rng.random(30)) * x}


def fragile(params, rng: np.random.Generator):
    """Like ``noisy`` but raises for ``x > 0.7``."""
    if float(params["x"]) > 0.7:
        raise ValueError(f"x={params['x']} is out of this model's range")
    return noisy(params, rng)


def exits(params, rng: np.random.Generator):
    """Like ``noisy`` but calls ``sys.exit`` for ``x > 0.7``."""
    if float(params["x"]) > 0.7:
        sys.exit(3)
    return noisy(params, rng)


def dies_once(params, rng: np.random.Generator, *, marker: str, victim: float):
    """Kill the worker process the first time ``x == victim``; a marker file remembers it."""
    if float(params["x"]) == victim and not Path(marker).exists():
        Path(marker).write_text("died")
        os._exit(17)
    return noisy(params, rng)


def always_dies(params, rng: np.random.Generator, *, victim: float):
    """Kill the worker process every time ``x == victim``."""
    if float(params["x"]) == victim:
        os._exit(17)
    return noisy(params, rng)


def band_toy(params, rng: np.random.Generator):
    """``level = a`` exactly and ``other = b + U(0, 0.01)``: the calibration toy.

    A band on ``level`` accepts exactly the points whose ``a`` lies in it, so the accepted
    set, the identified factor (``a``, not ``b``) and the narrowed next round are known.
    """
    return {"level": float(params["a"]), "other": float(params["b"]) + 0.01 * rng.random()}


def interrupts(params, rng: np.random.Generator):
    """Like ``noisy`` but raises ``KeyboardInterrupt`` itself for ``x > 0.7``."""
    if float(params["x"]) > 0.7:
        raise KeyboardInterrupt("the model gave up")
    return noisy(params, rng)


def ctrl_c_once(params, rng: np.random.Generator, *, marker: str, victim: float):
    """Send SIGINT to its own process the first time ``x == victim``: a user's Ctrl-C."""
    if float(params["x"]) == victim and not Path(marker).exists():
        Path(marker).write_text("interrupted")
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(5)  # the signal arrives long before this ends
    return noisy(params, rng)


def hangs(params, rng: np.random.Generator, *, seconds: float = 60.0):
    """Like ``noisy`` but busy for ``seconds`` (in short sleeps) for ``x > 0.7``."""
    if float(params["x"]) > 0.7:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            time.sleep(0.01)
    return noisy(params, rng)
