"""The mechanism index: every mechanism of the brief is placed, and each place is real."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from agents.mechanisms import MECHANISMS, NOT_REPRESENTED, ROOT, locate
from sim.explain import explain, marked_tests, normalize, odd_sections

BRIEF = ROOT.parent / "shared" / "domain" / "domain_brief.md"
ALL_IDS = [f"M{k}" for k in range(1, 35)]
ODD_TEXT = (ROOT / "docs" / "ODD.md").read_text()
RULE_REF = re.compile(r"`(agents/[\w]+\.(?:pyx|py)):([\w.]+)`")


def brief_titles() -> dict[str, str] | None:
    """Mechanism id -> heading in the domain brief, if the brief is next to the project."""
    if not BRIEF.exists():
        return None
    return {m.group(1): m.group(2).strip() for m in
            re.finditer(r"^### (M\d+)\. (.+)$", BRIEF.read_text(), flags=re.M)}


def test_every_mechanism_is_placed_once() -> None:
    placed = set(MECHANISMS) | set(NOT_REPRESENTED)
    assert not set(MECHANISMS) & set(NOT_REPRESENTED)
    assert placed == set(ALL_IDS)
    titles = brief_titles()
    if titles is not None:  # the brief ships beside the project, not inside it
        assert set(titles) == placed
        for mid, title in titles.items():
            ours = MECHANISMS[mid].title if mid in MECHANISMS else NOT_REPRESENTED[mid][0]
            assert title.startswith(ours.split(" (")[0]), mid


def test_not_represented_mechanisms_say_why_and_the_odd_lists_them() -> None:
    limits = ODD_TEXT[ODD_TEXT.index("### 10.2"):ODD_TEXT.index("### 10.3")]
    for mid, (title, reason) in NOT_REPRESENTED.items():
        assert title and len(reason) > 40, mid
        assert re.search(rf"\b{mid}\b", limits), f"ODD §10.2 does not name {mid}"


@pytest.mark.parametrize("mid", sorted(MECHANISMS, key=lambda m: int(m[1:])))
def test_each_rule_of_a_mechanism_exists_and_cites_it(mid: str) -> None:
    m = MECHANISMS[mid]
    assert m.rules and m.odd
    for rule in m.rules:
        doc = locate(rule).doc
        assert re.search(rf"\b{mid}\b", doc) or _cited_in_range(doc, mid), (
            f"{rule} does not cite {mid} in its docstring")


def _cited_in_range(text: str, mid: str) -> bool:
    """Whether ``text`` cites ``mid`` inside a range such as ``M1-M3``."""
    k = int(mid[1:])
    return any(int(a) <= k <= int(b) for a, b in re.findall(r"\bM(\d+)-M(\d+)\b", text))


@pytest.mark.parametrize("mid", sorted(MECHANISMS, key=lambda m: int(m[1:])))
def test_each_mechanism_is_described_where_the_index_says(mid: str) -> None:
    sections = odd_sections()
    for section in MECHANISMS[mid].odd:
        assert section in sections, f"{mid}: no ODD section {section}"


def test_the_odd_points_at_the_rules_the_model_runs() -> None:
    refs = RULE_REF.findall(ODD_TEXT)
    assert len(refs) > 30
    for path, name in refs:
        locate(f"{path}:{name}")  # raises if the ODD names a rule that does not exist
    named = {f"{path}:{name}" for path, name in refs}
    for m in MECHANISMS.values():
        for rule in m.rules:
            assert rule in named, f"docs/ODD.md does not point at {rule} ({m.id})"


@pytest.mark.parametrize("mid", sorted(MECHANISMS, key=lambda m: int(m[1:])))
def test_each_mechanism_has_a_test(mid: str) -> None:
    assert marked_tests().get(mid), f"no test is marked @pytest.mark.mechanism({mid!r})"


def test_explain_gathers_rules_parameters_odd_and_tests() -> None:
    e = explain("m7")
    assert e.id == "M7" and e.represented
    assert any(r.name == "leadership.trust_kept" or r.name == "trust_kept" for r in e.rules)
    assert all(Path(ROOT / r.file).exists() and r.line > 0 for r in e.rules)
    keys = {p["key"] for p in e.parameters}
    assert "trust.backbone_trust_share" in keys and "trust.turnover_retention" in keys
    assert all(re.search(r"\bM7\b", p["ref"]) for p in e.parameters)
    assert "leadership.turnover_college" not in keys  # cites L1, not M7
    assert [s for s, _ in e.odd] == list(MECHANISMS["M7"].odd)
    assert e.tests


def test_explain_a_mechanism_the_model_leaves_out() -> None:
    for mid, (_, reason) in NOT_REPRESENTED.items():
        e = explain(mid)
        assert not e.represented and not e.rules and e.note == reason


@pytest.mark.parametrize("bad", ["M0", "M35", "X7", "", "M7a"])
def test_explain_rejects_ids_outside_the_brief(bad: str) -> None:
    with pytest.raises(ValueError, match="M1 to M34"):
        normalize(bad)


def test_a_parameter_citing_m17_is_not_an_m7_parameter() -> None:
    keys = {p["key"] for p in explain("M7").parameters}
    assert "employers.difficulty_health" not in keys
    assert "employers.difficulty_health" in {p["key"] for p in explain("M17").parameters}
