"""The suite runner: the quick suite, common random numbers, settings and bad input.

The quick suite (the robust patterns, 20 common-random-number replicates) runs here and
must pass: a pattern that breaks fails the build. Broken copies of passing patterns (a
flipped direction, a band that excludes the truth) must fail on the same runs
(test_inference.py).
"""

import dataclasses

import numpy as np
import pytest

from sim.scenario import ScenarioError
from validation.patterns import PATTERNS, Arm, Pattern, by_id
from validation.suite import QUICK_REPLICATES, ValidationError, prepare_arms, run_suite
from validation.text import effect_text


def test_quick_suite_passes(quick):
    failed = [f"{r.pattern.id}: {effect_text(r)} ({r.status})" for r in quick.results
              if not r.passed]
    assert not failed, "patterns broke: " + "; ".join(failed)
    assert quick.replicates == QUICK_REPLICATES
    assert {r.pattern.id for r in quick.results} == {p.id for p in PATTERNS if p.robust}


def test_a_broken_pattern_fails_the_suite():
    broken = dataclasses.replace(by_id("SF5a"), direction="less", robust=True)
    res = run_suite(replicates=6, quick=True, patterns=(broken,))
    assert [r.status for r in res.results] == ["fail"]


def test_arms_share_seeds(quick):
    """Common random numbers: two arms with the same parameters give identical runs."""
    twin = Pattern(id="T1", title="t", evidence="e", source="s", strength="C",
                   role="validation", kind="pair", why="w", role_why="w",
                   a=Arm("function_level_2y"),
                   b=Arm("function_level_2y", set=("grant.taper_years=0",)), robust=True)
    res = run_suite(replicates=4, quick=True, patterns=(twin,))
    a, b = (arm.values["function_level_2y"] for arm in res.arms)
    np.testing.assert_array_equal(a, b)


def test_settings_reach_every_arm_and_arms_keep_their_contrast():
    arms, _ = prepare_arms(PATTERNS, ["trust.baseline=0.2", "grant.planning_months=6"])
    assert all(arm.params.trust.baseline == 0.2 for arm in arms)
    planning = {arm.params.grant.planning_months for arm in arms
                if any(s.startswith("grant.planning_months") for s in arm.overrides)}
    assert planning == {12}  # the arm's own contrast wins over the setting


def test_bad_input_is_refused():
    with pytest.raises(ScenarioError):
        prepare_arms(PATTERNS, ["trust.no_such_key=1"])
    with pytest.raises(ScenarioError):
        prepare_arms(PATTERNS, ["no equals sign"])
    with pytest.raises(ValidationError):
        run_suite(replicates=2)
