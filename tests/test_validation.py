"""The validation suite: the catalogue, the quick suite, broken patterns, the report, the CLI.

The quick suite (the robust patterns, 20 common-random-number replicates) runs here and
must pass: a pattern that breaks fails the build. Broken copies of passing patterns (a
flipped direction, a band that excludes the truth) must fail on the same runs.
"""

import dataclasses
import math
import re
from types import SimpleNamespace

import numpy as np
import pytest
from agents.codes import Sector
from scipy import stats
from typer.testing import CliRunner

from experiments import validate as v
from experiments.patterns import PATTERNS, TESTABLE, Arm, Pattern, by_id, check_catalogue
from sim.cli import app
from sim.model import ConsortiumModel
from sim.run import run
from sim.scenario import ScenarioError, load_scenario

REQUIRED = ["SF1", "SF2", "SF3", "SF4", "SF5", "SF6", "SF7", "SF8", "SF11", "SF12", "SF13",
            "SF15", "SF17", "SF18", "SF20", "SF21", "SF22", "SF23", "SF24", "SF25", "SF27",
            "SF29", "SF35", "SF36", "P1", "P3", "P4", "P5"]
CI = re.compile(r"-?\d+\.\d+ \[-?\d+\.\d+, -?\d+\.\d+\]")


@pytest.fixture(scope="module")
def quick() -> v.SuiteResult:
    return v.run_suite(replicates=v.QUICK_REPLICATES, quick=True, workers=1)


@pytest.fixture(scope="module")
def full_small(tmp_path_factory) -> tuple[v.SuiteResult, dict]:
    """Every pattern at the smallest N: for the report's shape, not its verdicts."""
    res = v.run_suite(replicates=3, seed=5, workers=1)
    return res, v.write_report(res, tmp_path_factory.mktemp("report"))


# ------------------------------------------------------------------------------ catalogue
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
            assert p.role == "calibration", p.id
        if p.kind in ("pair", "association"):
            assert p.role == "validation", p.id
        for arm in p.arms():
            assert arm.statistic in v.STATISTICS, (p.id, arm.statistic)
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
    assert [p.id for p in v.select(quick=True)] == [p.id for p in robust]


def test_an_inconsistent_entry_is_rejected():
    bad = dataclasses.replace(by_id("SF1"), band=(0.5, 0.1))
    with pytest.raises(ValueError, match="lo <= hi"):
        bad.check()
    with pytest.raises(v.ValidationError, match="repeats"):
        v.run_suite(replicates=3, patterns=(by_id("SF1"), by_id("SF1")))


# ---------------------------------------------------------------------------- quick suite
def test_quick_suite_passes(quick):
    failed = [f"{r.pattern.id}: {v.effect_text(r)} ({r.status})" for r in quick.results
              if not r.passed]
    assert not failed, "patterns broke: " + "; ".join(failed)
    assert quick.replicates == v.QUICK_REPLICATES
    assert {r.pattern.id for r in quick.results} == {p.id for p in PATTERNS if p.robust}


def test_a_flipped_direction_fails(quick):
    index = v.arm_index(quick.arms)
    for pid in ("SF5a", "P1", "SF35"):
        p = by_id(pid)
        assert v.evaluate(p, quick.arms, index).passed
        flipped = dataclasses.replace(p, direction="less" if p.direction == "greater"
                                      else "greater")
        res = v.evaluate(flipped, quick.arms, index)
        assert res.status == "fail", pid
        assert res.p_value > 0.5


def test_a_band_that_excludes_the_truth_fails(quick):
    index = v.arm_index(quick.arms)
    p = by_id("SF16")
    good = v.evaluate(p, quick.arms, index)
    assert good.passed
    above = dataclasses.replace(p, band=(good.effect.high + 0.05, 1.0))
    below = dataclasses.replace(p, band=(0.0, good.effect.low - 0.05))
    assert v.evaluate(above, quick.arms, index).status == "fail"
    assert v.evaluate(below, quick.arms, index).status == "fail"
    # An open end excludes its bound: a share of 1 in every run is not inside (0.84, 1).
    every = by_id("SF7")
    assert v.evaluate(every, quick.arms, index).passed
    opened = dataclasses.replace(every, band_open=(False, True))
    assert v.evaluate(opened, quick.arms, index).status == "fail"


def test_a_broken_pattern_fails_the_suite():
    broken = dataclasses.replace(by_id("SF5a"), direction="less", robust=True)
    res = v.run_suite(replicates=6, quick=True, patterns=(broken,))
    assert [r.status for r in res.results] == ["fail"]


def test_arms_share_seeds(quick):
    """Common random numbers: two arms with the same parameters give identical runs."""
    twin = Pattern(id="T1", title="t", evidence="e", source="s", strength="C",
                   role="validation", kind="pair", why="w",
                   a=Arm("operating_level_2y"),
                   b=Arm("operating_level_2y", set=("grant.taper_years=0",)), robust=True)
    res = v.run_suite(replicates=4, quick=True, patterns=(twin,))
    a, b = (arm.values["operating_level_2y"] for arm in res.arms)
    np.testing.assert_array_equal(a, b)


def test_stepped_runs_match_the_run_facade():
    params = load_scenario("workshop_small")
    seed = np.random.SeedSequence(3).spawn(2)[1]
    stepped = v._stepped_run(params, seed, {"start": -1}, (), ["attendance", "trust_timing"])
    facade = run(params, seed)
    assert stepped.outcomes == facade.outcomes
    for name in facade.record.series:
        np.testing.assert_array_equal(stepped.record.series[name], facade.record.series[name])


def test_settings_reach_every_arm_and_arms_keep_their_contrast():
    arms, _ = v.prepare_arms(PATTERNS, ["trust.baseline=0.2",
                                        "region.systems_lead_probability=0.5"])
    assert all(arm.params.trust.baseline == 0.2 for arm in arms)
    probs = {arm.params.region.systems_lead_probability for arm in arms
             if any(s.startswith("region.systems_lead_probability") for s in arm.overrides)}
    assert probs == {0.0, 1.0}


def test_bad_input_is_refused():
    with pytest.raises(ScenarioError):
        v.prepare_arms(PATTERNS, ["trust.no_such_key=1"])
    with pytest.raises(ScenarioError):
        v.prepare_arms(PATTERNS, ["no equals sign"])
    with pytest.raises(v.ValidationError):
        v.run_suite(replicates=2)


# ------------------------------------------------------------------------------ statistics
def test_newcombe_interval_covers_at_its_nominal_rate():
    rng = np.random.default_rng(11)
    cover, n, trials = 0, 60, 2000
    p11, p10, p01 = 0.2, 0.15, 0.05          # P(A and B), P(A only), P(B only)
    for _ in range(trials):
        u = rng.random(n)
        x = (u < p11 + p10).astype(float)
        y = ((u < p11) | ((u >= p11 + p10) & (u < p11 + p10 + p01))).astype(float)
        lo, hi = v.newcombe_paired(x, y)
        cover += lo <= p10 - p01 <= hi
    assert 0.93 <= cover / trials <= 0.975


def test_paired_power_matches_simulation():
    rng = np.random.default_rng(5)
    n, d, alpha = 12, 0.8, 0.01
    hits = sum(stats.ttest_1samp(rng.normal(d, 1, n), 0, alternative="greater").pvalue < alpha
               for _ in range(3000))
    assert abs(hits / 3000 - v.paired_power(d, n, alpha)) < 0.03
    assert v.paired_power(d, int(v.n_for_power(d, alpha)), alpha) >= 0.95


def _view(series: dict | None = None, probes: dict | None = None) -> v.RunView:
    """A run view by hand: only the series and probes a statistic reads."""
    record = SimpleNamespace(series={k: np.asarray(x, float) for k, x in (series or {}).items()})
    return v.RunView(record, {}, {}, probes=probes or {})


def test_year1_vacancy_is_the_share_of_funded_position_months_left_empty():
    funded = [4] * 12 + [2] * 12
    filled = [0, 1, 2, 2, 3, 4, 4, 4, 4, 4, 4, 4] + [2] * 12  # 36 of 48 position-months
    view = _view({"positions_funded": funded, "positions_filled": filled})
    assert v.year1_position_months_vacant(view) == pytest.approx(12 / 48)
    none = _view({"positions_funded": [0] * 24, "positions_filled": [0] * 24})
    assert math.isnan(v.year1_position_months_vacant(none))


def test_bilateral_agreement_counts_years_one_and_two_only():
    month23 = np.zeros(120, dtype=int)
    month23[23:] = 1
    month24 = np.zeros(120, dtype=int)
    month24[24:] = 1
    lost = np.zeros(120, dtype=int)
    lost[5:9] = 1  # signed, then gone with its tie: it still stood in year 1
    assert v.bilateral_agreement_by_year2(_view(probes={"agreements": month23})) == 1.0
    assert v.bilateral_agreement_by_year2(_view(probes={"agreements": month24})) == 0.0
    assert v.bilateral_agreement_by_year2(_view(probes={"agreements": lost})) == 1.0


def test_burnout_probe_counts_exits_of_the_asked_employers_by_rung():
    params = load_scenario("workshop_small")
    first = ConsortiumModel(params, 7).observe()
    emp = np.flatnonzero(first.sector == Sector.EMPLOYER)[:5]
    part = np.zeros(len(first.sector), dtype=bool)
    part[emp] = True
    rung = first.rung.copy()
    rung[emp] = [0, 1, 3, 4, 6]  # rung 0 is not asked: four at risk, two heavy
    start = dataclasses.replace(first, taking_part=part, rung=rung)
    probe = v.BurnoutExitProbe(first, params)
    probe.before(start)
    level = params.employers.burnout_exit
    part_after, burnout = part.copy(), first.burnout.copy()
    part_after[emp] = [False, False, True, False, False]
    burnout[emp] = [level + 0.1, level + 0.1, level + 0.1, level - 0.1, level + 0.1]
    probe.after(dataclasses.replace(start, month=1, taking_part=part_after, burnout=burnout))
    # Rung 1 burnt out; rung 3 stays; rung 4 left with low burnout (another reason); rung 6
    # burnt out; rung 0 was not at risk.
    counts = probe.result()
    assert counts == {"heavy_at_risk": 2, "heavy_exits": 1, "other_at_risk": 2,
                      "other_exits": 1}
    view = _view(probes={"burnout_exits": counts})
    assert v.heavy_lifter_burnout_exit_hazard(view) == 0.5
    assert v.other_employer_burnout_exit_hazard(view) == 0.5
    empty = _view(probes={"burnout_exits": {"heavy_at_risk": 0, "heavy_exits": 0,
                                            "other_at_risk": 3, "other_exits": 0}})
    assert math.isnan(v.heavy_lifter_burnout_exit_hazard(empty))
    assert v.other_employer_burnout_exit_hazard(empty) == 0.0


def test_burnout_probe_sees_exits_in_a_run_that_over_asks():
    params = load_scenario("workshop_small", ["employers.ask_rate=5", "employers.one_stop=0"])
    seed = np.random.SeedSequence(0)
    counts = v._stepped_run(params, seed, {}, (), ["burnout_exits"]).probes["burnout_exits"]
    assert counts["other_exits"] + counts["heavy_exits"] > 0
    assert counts["other_exits"] <= counts["other_at_risk"]
    assert counts["heavy_exits"] <= counts["heavy_at_risk"]
    stats_ = v.run_statistics(params, seed, ["other_employer_burnout_exit_hazard"])
    assert stats_["other_employer_burnout_exit_hazard"] == pytest.approx(
        counts["other_exits"] / counts["other_at_risk"])


def test_agreement_probe_follows_the_model():
    params = load_scenario("workshop_small")
    model = ConsortiumModel(params, 3)
    probe = v.AgreementProbe(model.observe(), params)
    for _ in range(36):
        probe.before(model.observe())
        model.step()
        obs = model.observe()
        probe.after(obs)
        assert probe.values[-1] == int(obs.agreement.sum())
        assert not np.any(obs.agreement & ~obs.k12_college)


# ---------------------------------------------------------------------------------- report
def test_report_files_name_every_pattern(full_small):
    res, files = full_small
    md, page = files["markdown"].read_text(), files["html"].read_text()
    for p in PATTERNS:
        assert f"| {p.id} |" in md, p.id
        assert f"id='{p.id}'" in page, p.id
    assert "<link" not in page and "src='http" not in page and "<script" not in page
    assert page.count("data:image/png;base64,") == sum(
        r.effect is not None for r in res.results)
    assert files["runs"].exists()
    assert f"N = {res.replicates}" in md


def test_every_estimate_in_the_report_has_an_interval(full_small):
    res, files = full_small
    md = files["markdown"].read_text()
    rows = [line for line in md.splitlines() if line.startswith("| SF") or
            line.startswith("| P")]
    assert len(rows) == len(PATTERNS)
    for row in rows:
        cells = [c.strip() for c in row.strip("|").split(" | ")]
        pattern = by_id(cells[0])
        estimate = cells[7]
        if pattern.testable:
            assert CI.fullmatch(estimate) or estimate == "n/a", (pattern.id, estimate)
        else:
            assert estimate == "not testable"
    details = md.split("## Details", 1)[1].split("## Replicate guidance", 1)[0]
    words = ("- Evidence", "- Source", "- Why", "- Not testable", "- Note")
    for line in details.splitlines():
        if line.startswith(words):  # quotes and parameter values, not estimates
            continue
        for m in re.finditer(r"(?<![pα] )= (-?\d+\.\d+)", line):
            assert CI.match(line[m.start(1):]), line


def test_verdicts_keep_failures_visible(full_small):
    res, files = full_small
    md = files["markdown"].read_text()
    for r in res.results:
        if r.status == "fail":
            assert f"### {r.pattern.id}: {r.pattern.title} — fail" in md
    absent = [r for r in res.results if not r.pattern.testable]
    assert absent and all(r.status == "not testable" for r in absent)


# --------------------------------------------------------------------------------------- CLI
def test_cli_validate_writes_the_report(tmp_path):
    result = CliRunner().invoke(app, ["validate", "--quick", "-n", "3", "--workers", "1",
                                      "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    for name in ("validation_report.md", "validation_report.html", "validation_runs.csv"):
        assert (tmp_path / name).exists(), name
    assert "Pattern suite (quick)" in result.output


@pytest.mark.parametrize("args", [["--set", "trust.nope=1"], ["--set", "trust.baseline=2"],
                                  ["-n", "2"]])
def test_cli_validate_bad_input_exits_2(tmp_path, args):
    result = CliRunner().invoke(app, ["validate", "--quick", "--out", str(tmp_path), *args])
    assert result.exit_code == 2, result.output
    assert not (tmp_path / "validation_report.md").exists()


def test_effects_are_finite_in_the_quick_suite(quick):
    for r in quick.results:
        assert math.isfinite(r.effect.value) and r.effect.low <= r.effect.value <= r.effect.high
