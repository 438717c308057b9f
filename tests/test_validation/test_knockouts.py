"""The knock-out registry covers every mechanism, applies to the baseline and changes it;
the paired statistics and the generated table behave on small runs."""

from __future__ import annotations

import importlib.util
import math
import re
from pathlib import Path

import numpy as np
import pytest

from agents.mechanisms import MECHANISMS, NOT_REPRESENTED
from sim.scenario import load_scenario, parse_override
from validation.knockout_effects import (
    OUTCOMES,
    effects,
    paired_effect,
    run_knockouts,
    standardized,
)
from validation.knockout_report import effects_csv, heatmap_png, markdown
from validation.knockouts import ALL_IDS, KNOCKOUTS, PARTS, apply, runnable
from validation.statistics import STATISTICS

ROOT = Path(__file__).resolve().parents[2]
BASE = load_scenario("ccpt_baseline")


def test_the_registry_covers_m1_to_m34_exactly() -> None:
    assert tuple(KNOCKOUTS) == ALL_IDS == tuple(f"M{k}" for k in range(1, 35))
    assert {m for m, k in KNOCKOUTS.items() if k.represented} == set(MECHANISMS)
    assert {m for m, k in KNOCKOUTS.items() if not k.represented} == set(NOT_REPRESENTED)
    for mid, reason in ((m, r) for m, (_, r) in NOT_REPRESENTED.items()):
        ko = KNOCKOUTS[mid]
        assert not ko.overrides and not ko.rules and ko.why == reason
    assert all(p.part and p.represented for p in PARTS)
    keys = [ko.key for ko in runnable()]
    assert len(keys) == len(set(keys)) == len(MECHANISMS) + len(PARTS)


@pytest.mark.parametrize("ko", runnable(), ids=lambda ko: ko.key)
def test_each_knockout_applies_to_the_baseline_and_changes_it(ko) -> None:
    applied = apply(ko, BASE)
    assert applied.changed, f"{ko.key}: every override equals the baseline's value"
    for key, (before, after) in applied.changed.items():
        assert before != after and after == ko.overrides[key]
    # The same overrides as --set strings load the same scenario.
    assert load_scenario("ccpt_baseline", ko.setting()) == applied.params
    assert all(parse_override(s)[0] in ko.overrides for s in ko.setting())


@pytest.mark.parametrize("ko", runnable(), ids=lambda ko: ko.key)
def test_each_knockout_names_rules_of_its_mechanism_and_says_why(ko) -> None:
    assert ko.rules and set(ko.rules) <= set(MECHANISMS[ko.mechanism].rules)
    assert len(ko.why) > 30 and ko.why.endswith(".")
    if not ko.complete:
        assert len(ko.note) > 30, f"{ko.key}: a partial knock-out says what still acts"


def test_knockouts_set_only_declared_parameters() -> None:
    from sim.params import parameter_table

    declared = {row["key"] for row in parameter_table()}
    for ko in runnable():
        assert set(ko.overrides) <= declared, ko.key


def test_the_outcomes_are_statistics_without_probes_or_snapshots() -> None:
    for name in OUTCOMES:
        st = STATISTICS[name]
        assert not st.probes and not st.snapshots, name


# ------------------------------------------------------------------ paired statistics
def test_a_paired_effect_is_the_mean_difference_with_a_t_interval() -> None:
    rng = np.random.default_rng(3)
    base = rng.normal(0.0, 1.0, 200)
    shifted = base + 0.5 + rng.normal(0.0, 0.1, 200)
    diff, low, high, p, n = paired_effect(shifted, base)
    assert n == 200 and low < diff < high and low < 0.5 < high and p < 1e-12
    same = paired_effect(base.copy(), base)
    assert same[:4] == (0.0, 0.0, 0.0, 1.0)
    with_nan = base.copy()
    with_nan[:10] = np.nan
    assert paired_effect(with_nan, base)[4] == 190


def test_binary_outcomes_use_newcombe_and_mcnemar() -> None:
    base = np.array([0.0] * 10)
    knocked = np.array([1.0] * 10)
    diff, low, high, p, _ = paired_effect(knocked, base)
    assert diff == 1.0 and 0.5 < low < 1.0 and high == 1.0
    assert p == pytest.approx(2 * 0.5 ** 10)  # exact McNemar: ten discordant pairs, one way
    four = paired_effect(np.ones(4), np.zeros(4))
    assert four[3] == pytest.approx(0.125)  # four runs are not proof of anything


def test_standardized_effects_divide_by_the_pooled_sd() -> None:
    a, b = np.array([1.0, 2.0, 3.0]), np.array([0.0, 1.0, 2.0])
    assert standardized(a, b) == pytest.approx(1.0)
    assert standardized(np.ones(3), np.zeros(3)) == math.inf
    assert standardized(np.zeros(3), np.zeros(3)) == 0.0


def test_effects_are_holm_adjusted_across_the_table() -> None:
    rng = np.random.default_rng(0)
    base = {"x": rng.normal(size=50), "y": rng.normal(size=50)}
    arms = {"moves": {"x": base["x"] + 1.0 + rng.normal(0, 0.1, 50), "y": base["y"]},
            "still": {"x": base["x"] + rng.normal(0, 0.1, 50), "y": base["y"].copy()}}
    out = effects(base, arms, ("x", "y"))
    assert len(out) == 4
    for e in out:
        assert e.p_adjusted >= e.p
    measurable = {(e.knockout, e.outcome) for e in out if e.measurable}
    assert ("moves", "x") in measurable and ("still", "y") not in measurable


# ------------------------------------------------------------------ a small run, end to end
@pytest.fixture(scope="module")
def small_run():
    chosen = [KNOCKOUTS["M9"], KNOCKOUTS["M8"], next(p for p in PARTS if p.mechanism == "M3")]
    return run_knockouts(replicates=4, seed=11, knockouts=chosen,
                         outcomes=("sustained_2y", "orientation_grant_end",
                                   "mean_trust_grant_end"))


def test_arms_share_their_seeds(small_run) -> None:
    res = small_run
    assert res.replicates == 4 and set(res.arms) == {"M9", "M8", "M3 power gap"}
    again = run_knockouts(replicates=4, seed=11, knockouts=[KNOCKOUTS["M9"]],
                          outcomes=res.outcomes)
    for name in res.outcomes:
        assert np.array_equal(again.baseline[name], res.baseline[name], equal_nan=True)
        assert np.array_equal(again.arms["M9"][name], res.arms["M9"][name], equal_nan=True)
    # M8's knock-out acts on the employer ladder (brokering), which feeds little else, so on
    # the same seeds its runs stay within a hair of the baseline's; other seeds would not.
    m8, base = res.arms["M8"], res.baseline
    for name in ("orientation_grant_end", "mean_trust_grant_end"):
        assert np.abs(m8[name] - base[name]).max() < 0.01
        assert np.abs(base[name] - np.roll(base[name], 1)).max() > 0.01


def test_the_table_and_figure_render(small_run, tmp_path) -> None:
    text = markdown(small_run)
    for mid in ALL_IDS:
        assert re.search(rf"\*\*{mid}\*\* ", text), mid
    assert ("not represented" in text) == bool(NOT_REPRESENTED)
    assert "`grant.technical_assistance=false`" in text
    assert "## Inert at the baseline" in text and "**M8**" in text
    assert "4 replicates per arm" in text and "SeedSequence(11)" in text
    png = heatmap_png(small_run)
    assert png.startswith(b"\x89PNG")
    csv = effects_csv(small_run).splitlines()
    assert len(csv) == 1 + 3 * 3 and csv[0].startswith("knockout,outcome")


def test_the_generator_writes_the_three_files(tmp_path, monkeypatch) -> None:
    spec = importlib.util.spec_from_file_location("gen_knockouts",
                                                  ROOT / "docs" / "gen_knockouts.py")
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    calls = {}

    def fake_run(scenario, replicates, seed, workers, progress):
        calls.update(scenario=scenario, replicates=replicates, seed=seed, workers=workers)
        progress(0, 3)
        return run_knockouts(scenario, 3, seed, knockouts=[KNOCKOUTS["M19"]],
                             outcomes=("sustained_2y",), progress=progress)

    monkeypatch.setattr(gen, "run_knockouts", fake_run)
    assert gen.main(["-n", "3", "--seed", "5", "--workers", "1", "--out", str(tmp_path)]) == 0
    assert calls == dict(scenario="ccpt_baseline", replicates=3, seed=5, workers=1)
    for name in ("knockouts.md", "knockouts.csv", "img/knockouts.png"):
        assert (tmp_path / name).stat().st_size > 0


def test_the_committed_table_names_every_mechanism() -> None:
    text = (ROOT / "docs" / "knockouts.md").read_text(encoding="utf-8")
    for mid in ALL_IDS:
        assert re.search(rf"\*\*{mid}\*\* ", text), mid
    for ko in runnable():
        assert f"**{ko.key}**" in text, ko.key
    assert (ROOT / "docs" / "img" / "knockouts.png").exists()


def test_the_odd_says_why_each_inert_knockout_is_inert() -> None:
    """Every knock-out the committed table finds inert has its sentence in ODD §10.2."""
    text = (ROOT / "docs" / "knockouts.md").read_text(encoding="utf-8")
    section = text[text.index("## Inert at the baseline"):text.index("## What each")]
    inert = re.findall(r"^- \*\*(M\d+(?: [a-z ]+)?)\*\*", section, flags=re.M)
    odd = (ROOT / "docs" / "ODD.md").read_text(encoding="utf-8")
    limits = odd[odd.index("### 10.2"):odd.index("### 10.3")]
    assert "inert at the baseline" in limits.lower()
    block = limits[limits.lower().index("inert at the baseline"):]
    for key in inert:
        assert re.search(rf"\b{key}\b", block), f"ODD §10.2 does not say why {key} is inert"
