"""Whole runs reproduce the committed snapshot bit for bit (see ``snapshot.py``)."""

from __future__ import annotations

import pytest

from regression.snapshot import SEEDS, cases, read, run_case

EXPECTED = read()
CASES = cases()


def test_snapshot_covers_every_case() -> None:
    assert set(EXPECTED) == {f"{c}@{s}" for c, _, _ in CASES for s in SEEDS}


@pytest.mark.parametrize(("case", "scenario", "overrides"), CASES, ids=[c[0] for c in CASES])
def test_run_is_bit_identical(case: str, scenario: str, overrides: list[str]) -> None:
    for seed in SEEDS:
        got = run_case(scenario, overrides, seed)
        want = EXPECTED[f"{case}@{seed}"]
        changed = sorted(k for k in want if got.get(k) != want[k])
        assert not changed, f"{case}@{seed} changed: {changed}"
        assert set(got) == set(want)
