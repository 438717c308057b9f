"""The evidence table: no quote both builds a rule and validates a pattern, and it is complete.

``validation.evidence`` records, per quote, the rules and parameters it built and the
patterns judged against it. These tests hold it to the catalogue (every pattern has its
quotes, in its own evidence), to the code (every rule and parameter it names exists, and
every fact or paper the rules cite is recorded) and to the one rule of evidence use.
"""

import dataclasses
import re

import pytest

from agents.mechanisms import MECHANISMS, locate
from sim.params import parameter_table
from validation import evidence
from validation.evidence import (
    MENTIONS,
    QUOTES,
    Quote,
    by_quote,
    catalogue_problems,
    citations,
    double_use,
    quotes_of,
    rule_paths,
    uncovered,
    uses,
)
from validation.patterns import AWAITING_REDEFINITION, PATTERNS, by_id

REFS = {row["key"]: row["ref"] for row in parameter_table()}
PARAMS = set(REFS)
ANCHOR_RULE = re.compile(r"T[1-5]|N[1-4]|L[1-3]|C[1-5]|I[1-3]")


def test_every_pattern_is_judged_against_quotes_of_its_own_evidence():
    assert catalogue_problems() == []
    assert all(quotes_of(p.id) for p in PATTERNS)


def test_every_rule_and_parameter_a_quote_builds_exists():
    for q in QUOTES:
        for rule in q.rules:
            assert locate(rule).line > 0, (q.id, rule)
        assert set(q.params) <= PARAMS, (q.id, set(q.params) - PARAMS)
        if q.builds:
            assert q.basis, f"{q.id}: say how it builds"


def test_a_building_quote_names_the_mechanisms_whose_term_it_built():
    for q in QUOTES:
        assert bool(q.mechanisms) == q.builds, q.id
        for mid in q.mechanisms:
            if mid in MECHANISMS:    # one of its rules is the mechanism's, or a parameter cites it
                assert (set(q.rules) & set(MECHANISMS[mid].rules)
                        or any(re.search(rf"\b{mid}\b", REFS[k]) for k in q.params)), (q.id, mid)
            else:                    # a rule candidate of the science anchors, cited as such
                assert ANCHOR_RULE.fullmatch(mid), (q.id, mid)
                assert any(mid in REFS[k] for k in q.params), (q.id, mid)


def test_no_quote_builds_a_rule_and_validates_a_pattern():
    """The rule of evidence use; SF3 breaks it until it is redefined with the lead's orientation."""
    breaches = double_use()
    assert set(breaches) <= set(AWAITING_REDEFINITION), breaches
    for q in QUOTES:
        for pid in q.patterns:
            if q.builds and pid not in AWAITING_REDEFINITION:
                assert by_id(pid).role != "validation", (q.id, pid)


def test_a_quote_used_twice_is_caught():
    sf13b = by_quote("SF13.mature")
    built = dataclasses.replace(sf13b, rules=("agents/ties.pyx:formation",))
    quotes = tuple(built if q is sf13b else q for q in QUOTES)
    assert "SF13b" in double_use(quotes=quotes)
    assert by_id("SF13b").role == "validation"


def test_every_citation_in_the_rules_and_parameters_is_recorded():
    cited = citations()
    assert ("trust.gain_rate", "SF27") in cited and ("agents/ties.pyx", "P5") in cited
    assert ("grant.planning_months", "SF27.whole_year") in cited    # quoted words count too
    assert uncovered() == []


def test_a_new_citation_in_the_rules_must_be_recorded(tmp_path):
    (tmp_path / "agents").mkdir()
    (tmp_path / "agents" / "extra.pyx").write_text(
        'def rule():\n'
        '    """Built from SF30 and "Once they see our kids, they\'re bowled over"."""\n')
    found = uncovered(root=tmp_path)
    assert "agents/extra.pyx cites SF30, and no quote of the table builds there" in found
    assert any(line.startswith("agents/extra.pyx cites SF31.bowled_over") for line in found)


def test_mentions_are_citations_that_exist():
    cited = set(citations())
    for place, fact, why in MENTIONS:
        assert (place, fact) in cited and why


def test_every_role_reason_names_rules_that_exist():
    for p in PATTERNS:
        if not p.role_why:
            continue
        paths = rule_paths(p.role_why)
        assert paths, f"{p.id}: role_why names no agents/<file>:<name> rule"
        for rule in paths:
            assert locate(rule).line > 0, (p.id, rule)


def test_uses_read_as_the_table_says():
    q = by_quote("SF25.next_steps")
    assert uses(q) == ["builds M23 rule agents/money.pyx:follow_on_share",
                       "builds M23 rule agents/funding.py:Funding.award_follow_on",
                       "builds M23 rule agents/statewide.py:overlap_awards",
                       "sets grant.follow_on_year", "sets grant.follow_on_musd",
                       "verifies SF25a", "verifies SF25b"]
    assert uses(by_quote("SF13.mature")) == ["validates SF13b"]
    assert uses(by_quote("SF4.not_systems")) == ["validates SF4"]
    assert uses(by_quote("SF23.same_way"))[-1] == "is an input of SF23"


def test_quote_ids_name_their_fact():
    for q in QUOTES:
        assert isinstance(q, Quote) and q.id.startswith(q.fact + ".")
        assert evidence.FACT_ID.fullmatch(q.fact), q.id


@pytest.mark.parametrize("text, paths", [
    ("cuts trust (agents/trust.pyx:AsymmetricTrust.reset), then", [
        "agents/trust.pyx:AsymmetricTrust.reset"]),
    ("agents/codes.pxd:Rung and agents/funding.py:Backbone.staff.", [
        "agents/codes.pxd:Rung", "agents/funding.py:Backbone.staff"]),
])
def test_rule_paths_are_read_from_prose(text, paths):
    assert rule_paths(text) == paths
