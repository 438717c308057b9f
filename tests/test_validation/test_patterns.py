"""The pattern catalogue: every required fact has an entry, and entries are consistent."""

import dataclasses
import re

import pytest

from sim.scenario import load_scenario
from validation.patterns import (
    AWAITING_REDEFINITION,
    GROUPS,
    PATTERNS,
    TESTABLE,
    by_id,
    census,
    check_catalogue,
    group,
)
from validation.statistics import STATISTICS
from validation.suite import ValidationError, run_suite, select

REQUIRED = ["SF1", "SF2", "SF3", "SF4", "SF5", "SF6", "SF7", "SF8", "SF11", "SF12", "SF13",
            "SF15", "SF17", "SF18", "SF20", "SF21", "SF22", "SF23", "SF24", "SF25", "SF27",
            "SF29", "SF35", "SF36", "P1", "P3", "P4", "P5"]


def _base_id(pattern_id: str) -> str:
    return re.fullmatch(r"([A-Z]+\d+)[a-z]*", pattern_id)[1]


def test_catalogue_covers_the_required_patterns():
    check_catalogue()
    present = {_base_id(p.id) for p in PATTERNS}
    assert set(REQUIRED) <= present


def test_every_entry_is_complete_and_consistent():
    for p in PATTERNS:
        assert p.title and p.evidence and p.source and p.why, p.id
        assert p.strength in "ABC"
        if p.kind == "band":
            assert p.role in ("calibration", "validation", "verification"), p.id
        if p.kind in ("pair", "association"):
            assert p.role in ("validation", "verification"), p.id
        if p.testable and p.id not in AWAITING_REDEFINITION:
            assert p.role_why, p.id
        for arm in p.arms():
            assert arm.statistic in STATISTICS, (p.id, arm.statistic)
            load_scenario(arm.scenario, list(arm.set))
        if not p.testable:
            assert p.reason and not p.robust


def test_the_facts_added_last_have_the_shapes_their_evidence_allows():
    # SF12: the two arms differ only in the subgroups, with travel costs off in both.
    for pid in ("SF12a", "SF12b"):
        p = by_id(pid)
        assert p.kind == "pair" and p.a.scenario == p.b.scenario == "ccpt_baseline"
        assert set(p.a.set) - set(p.b.set) == {"grant.subregional_nodes=4"}
        assert "ties.travel_scale_km=1000" in p.b.set
    # SF18 is a within-run contrast: one arm, two statistics (like P1).
    sf18 = by_id("SF18")
    assert sf18.a.key == sf18.b.key and sf18.a.statistic != sf18.b.statistic
    # SF20: only bilateral agreements exist, so region-wide articulation is not represented.
    assert by_id("SF20a").kind == "not_represented" and by_id("SF20b").kind == "band"
    # SF22: the fall of fill rates near the cliff is the hiring rule itself.
    assert by_id("SF22a").kind == "band" and by_id("SF22b").kind == "input"
    added = [p for p in PATTERNS if re.fullmatch(r"SF(12|18|20|22)[a-z]*", p.id)]
    assert {p.id for p in added if p.robust} == {"SF12a", "SF22a"}


def test_robust_patterns_are_testable_and_run_in_quick_mode():
    robust = [p for p in PATTERNS if p.robust]
    assert robust and all(p.kind in TESTABLE for p in robust)
    assert [p.id for p in select(quick=True)] == [p.id for p in robust]


def test_an_inconsistent_entry_is_rejected():
    bad = dataclasses.replace(by_id("SF1"), band=(0.5, 0.1))
    with pytest.raises(ValueError, match="lo <= hi"):
        bad.check()
    with pytest.raises(ValidationError, match="repeats"):
        run_suite(replicates=3, patterns=(by_id("SF1"), by_id("SF1")))


def test_roles_are_counted_apart_and_every_pattern_once():
    counts = census()
    assert tuple(counts) == GROUPS and sum(counts.values()) == len(PATTERNS)
    assert counts["input"] == sum(p.kind == "input" for p in PATTERNS)
    assert counts["not represented"] == sum(p.kind == "not_represented" for p in PATTERNS)
    for name in ("calibration", "validation", "verification"):
        assert counts[name] == sum(p.testable and p.role == name for p in PATTERNS)
        assert counts[name] > 0
    assert all(group(p) == p.role for p in PATTERNS if p.testable)


def test_patterns_true_by_construction_are_verification():
    """The audit's decisions on the patterns that change the very term they read.

    A term added to the share of positions funded and read as positions (SF25a, SF21b),
    contribution terms read as partner money (SF24), hazard terms read as dissolution
    (P5), attendance terms read as attendance (SF11a, SF12a, SF35), the initial habit read
    as habits (SF13a), and the bands that score 1 in every run (SF6, SF7, SF29, P3).
    """
    for pid in ("SF25a", "SF21b", "SF24a", "SF24b", "P5a", "P5b", "SF11a", "SF12a", "SF35",
                "SF13a", "SF6", "SF7", "SF29", "P3"):
        assert by_id(pid).role == "verification", pid
    for pid in ("SF3", "SF4", "SF11b", "SF12b", "SF13b", "P1"):
        assert by_id(pid).role == "validation", pid


@pytest.mark.parametrize("change, message", [
    ({"role": "validation", "role_why": ""}, "validation band says why"),
    ({"role": "verification", "role_why": ""}, "says why"),
    ({"role": "auditing"}, "role must be one of"),
])
def test_a_role_that_does_not_fit_is_rejected(change, message):
    bad = dataclasses.replace(by_id("SF6"), **change)
    with pytest.raises(ValueError, match=message):
        bad.check()
    with pytest.raises(ValueError, match="direction is a validation or verification"):
        dataclasses.replace(by_id("SF13b"), role="calibration").check()
