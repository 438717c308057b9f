"""Pattern-oriented calibration: band arithmetic, the sweep model and the filtering.

The filtering is checked on a toy whose accepted region is known exactly (a band on a
statistic equal to one factor; the ``toy_sweep`` fixture of tests/conftest.py), then on
small sweeps of the consortium model, whose statistics must equal those ``consortium
validate`` computes for the same seed. The command itself is tested in
tests/test_cli/test_calibrate_cli.py.
"""

from __future__ import annotations

import math
import tomllib
from pathlib import Path

import numpy as np
import pytest

from experiments.study import StudyError, consortium_outputs, load_study
from experiments.sweep import sweep
from sim.scenario import load_scenario, with_values
from validation.calibration import (
    WAVE_WIDEN,
    band_conflicts,
    band_distance,
    calibrate,
    calibration_patterns,
    calibration_statistics,
    candidates,
    in_band,
    pattern_statistics,
    wave_bounds,
)
from validation.calibration_report import (
    confirm_study,
    overlay_toml,
    wave_name,
    wave_study,
    write_calibration,
)
from validation.patterns import Arm, Pattern
from validation.runs import run_statistics

ROOT = Path(__file__).resolve().parents[2]


def band(lo, hi, open_=(False, False), statistic="level", pid="T1"):
    return Pattern(id=pid, title="toy", evidence="", source="", strength="B",
                   role="calibration", kind="band", why="", a=Arm(statistic=statistic),
                   band=(lo, hi), band_open=open_)


def test_in_band_respects_open_and_closed_ends_and_nan():
    closed, open_ = band(0.2, 0.4), band(0.2, 0.4, (True, True))
    x = np.array([0.1, 0.2, 0.3, 0.4, 0.5, np.nan])
    assert in_band(closed, x).tolist() == [False, True, True, True, False, False]
    assert in_band(open_, x).tolist() == [False, False, True, False, False, False]


def test_band_distance_is_the_gap_in_band_widths():
    b = band(6.0, 18.0)
    d = band_distance(b, np.array([3.0, 6.0, 12.0, 18.0, 24.0, np.nan]))
    assert d[:5].tolist() == pytest.approx([0.25, 0.0, 0.0, 0.0, 0.5])
    assert math.isinf(d[5])
    on_open = band_distance(band(0.0, 1.0, (True, True)), np.array([0.0, 0.5, 1.0]))
    assert on_open.tolist() == [0.05, 0.0, 0.05]     # outside, though no gap


def test_the_targets_are_the_baseline_level_bands_and_no_direction():
    pats = calibration_patterns()
    assert pats and all(p.kind == "band" and p.role in ("calibration", "verification")
                        for p in pats)
    assert {p.id for p in pats if p.role == "verification"} == {"SF6", "SF7", "SF29", "P3"}
    assert all(p.a.scenario == "ccpt_baseline" and not p.a.set for p in pats)
    assert {"SF1", "SF21a", "SF27", "P4"} <= {p.id for p in pats}
    assert len(calibration_statistics()) == len(set(calibration_statistics()))


def test_pattern_statistics_equal_the_suites_for_the_same_seed():
    ss = np.random.SeedSequence(11, spawn_key=(3,))
    params = {"trust.gain_rate": 0.12, "grant.position_cost_kusd": 90.0}
    got = pattern_statistics(params, np.random.default_rng(ss))
    scenario = with_values(load_scenario("ccpt_baseline"), params)
    want = run_statistics(scenario, ss, calibration_statistics())
    assert got == want


def test_the_sweep_model_declares_the_suites_statistics_to_the_engine():
    model = "validation.calibration:pattern_statistics"
    assert consortium_outputs(model) == ("validation.statistics:STATISTICS", False)
    assert load_study("calibration_lhs").is_consortium


def test_the_shipped_study_varies_every_assumption_but_the_ccpt_design_levers():
    study = load_study("calibration_lhs")
    keys = set(study.factor_keys)
    assert len(keys) >= 50 and "trust.beta_forgetting" in keys
    assert "trust.gain_rate" not in keys   # the asymmetric rule's: inert under Beta
    assert "trust.gain_rate" in load_study("calibration_lhs_asymmetric").factor_keys
    assert not keys & {"grant.taper_years", "grant.retained_backbone_share"}
    # The box is centred on the hand-set values, before the calibration moved any default.
    bounds = {f.key: tuple(f.bounds) for f in study.factors}
    assert bounds["commitment.initial_mean"] == pytest.approx((0.225, 0.675))
    assert set(study.outcomes) == set(calibration_statistics())  # every band is a target


def test_a_calibration_study_checks_statistic_names_and_refuses_series(tmp_path):
    text = (ROOT / "experiments/studies/calibration_lhs.toml").read_text()
    bad = tmp_path / "bad.toml"
    bad.write_text(text.replace('"sustained_2y",', '"sustained_2yy",', 1))
    with pytest.raises(StudyError, match=r"outcomes\[0\].*did you mean 'sustained_2y'"):
        load_study(bad)
    series = tmp_path / "series.toml"
    series.write_text(text.replace('timeseries = "none"', 'timeseries = "summary"'))
    with pytest.raises(StudyError, match="timeseries.*returns no time series"):
        load_study(series)


def test_filtering_accepts_exactly_the_points_inside_the_band(toy_sweep):
    cal = calibrate(toy_sweep, quantile=0.05, patterns=[band(0.2, 0.4)])
    a = cal.points["a"].to_numpy()
    assert cal.points["accepted"].tolist() == ((a >= 0.2) & (a <= 0.4)).tolist()
    assert 30 <= cal.points["accepted"].sum() <= 50          # LHS: 20% of 200 points
    assert cal.points["abc"].equals(cal.points["accepted"])  # more than 5% pass
    assert cal.epsilon == 0.0
    post = cal.posterior.set_index("factor")
    assert (post["sample"] == "filtered").all()              # 30-50 accepted points
    assert post.loc["a", "identified"] and not post.loc["b", "identified"]
    assert 0.2 <= post.loc["a", "posterior_q05"] < post.loc["a", "posterior_q95"] <= 0.4
    sel = cal.points.set_index("point").loc[cal.selected, "a"]
    assert abs(sel - 0.3) < 0.02                             # central, not an edge


def test_rejection_abc_keeps_the_nearest_quantile_when_nothing_passes(toy_sweep):
    cal = calibrate(toy_sweep, quantile=0.1, patterns=[band(1.5, 2.0)])
    assert not cal.points["accepted"].any() and cal.selected is None
    kept = cal.points.loc[cal.points["abc"], "a"]
    assert len(kept) == 20 and kept.min() >= cal.points["a"].quantile(0.89)
    assert cal.epsilon == pytest.approx((1.5 - kept.min()) / 0.5)


def test_candidates_and_confirmation_study_rerun_the_nearest_points(toy_sweep, tmp_path):
    cal = calibrate(toy_sweep, patterns=[band(1.5, 2.0)])   # nothing passes: nearest a
    cand = candidates(cal, k=5)
    assert list(cand.columns) == ["a", "b"] and len(cand) == 5
    assert cand["a"].min() >= cal.points["a"].nlargest(5).min()
    text = confirm_study(cal, "candidates.csv", len(cand), replicates=7)
    assert "# Runs: 5 points x 7 replicates = 35." in text
    data = tomllib.loads(text)
    assert data["design"] == {"kind": "points", "file": "candidates.csv"}
    assert data["replicates"] == 7 and data["seed"] == 3 + 1   # fresh seeds
    assert data["outcomes"] == ["level"] and data["name"] == "toy_calibration_confirm"
    passing = calibrate(toy_sweep, patterns=[band(0.2, 0.4)])
    assert len(candidates(passing, k=5)) == int(passing.points["accepted"].sum())


def test_studies_written_from_a_sweep_keep_only_the_settings_it_did_not_vary(toy_sweep):
    """A [set] value of a varied factor only centred its box; the confirmation varies it."""
    cal = calibrate(toy_sweep, patterns=[band(1.5, 2.0)])
    cal.sweep.manifest["study"] = {**cal.sweep.manifest["study"],
                                   "settings": {"a": 0.5, "other.key": 2}}
    for text in (confirm_study(cal, "candidates.csv", 5), wave_study(cal, wave_bounds(cal))):
        assert tomllib.loads(text)["set"] == {"other": {"key": 2}}


def test_the_next_wave_samples_the_box_of_the_abc_sample_and_comes_nearer(toy_sweep,
                                                                          tmp_path):
    target = band(0.95, 2.0)                                 # only a >= 0.95 holds it
    cal = calibrate(toy_sweep, quantile=0.1, patterns=[target])
    abc_a = cal.abc["a"]
    box = wave_bounds(cal)
    pad = WAVE_WIDEN * (abc_a.max() - abc_a.min())
    assert box["a"] == pytest.approx((abc_a.min() - pad, min(1.0, abc_a.max() + pad)))
    assert box["a"][0] > 0.8 and box["b"][1] - box["b"][0] > 0.8   # b is not constrained
    text = wave_study(cal, box)
    data = tomllib.loads(text)
    assert data["name"] == "toy_calibration_wave2" and data["seed"] == 3 + 2
    assert data["design"] == {"kind": "lhs", "samples": 200, "scramble": True}
    assert [f["key"] for f in data["factors"]] == ["a", "b"]
    (tmp_path / "wave2.toml").write_text(text)
    sweep(tmp_path / "wave2.toml", tmp_path / "wave2", executor="sequential")
    second = calibrate(tmp_path / "wave2", quantile=0.1, patterns=[target])
    assert second.points["a"].min() >= box["a"][0]
    assert second.points["accepted"].mean() > 2 * cal.points["accepted"].mean()
    assert wave_name("x_wave2") == "x_wave3" and wave_name("x") == "x_wave2"


def test_a_confirmation_sweep_selects_the_candidate_deepest_in_its_bands(tmp_path,
                                                                          monkeypatch,
                                                                          tests_dir):
    monkeypatch.syspath_prepend(str(tests_dir))
    (tmp_path / "pts.csv").write_text("a,b\n0.3,0.25\n0.3,0.3\n0.3,0.36\n0.9,0.5\n")
    (tmp_path / "s.toml").write_text('model = "sweep_models:band_toy"\nreplicates = 4\n'
                                     'seed = 1\n[design]\nkind = "points"\n'
                                     'file = "pts.csv"\n')
    sweep(tmp_path / "s.toml", tmp_path / "out", executor="sequential")
    on_other = band(0.2, 0.4, statistic="other")             # other = b + U(0, 0.01)
    cal = calibrate(tmp_path / "out", patterns=[on_other, band(0.5, 0.6, pid="T2")])
    assert not cal.points["accepted"].any() and cal.selected is None
    cal = calibrate(tmp_path / "out", patterns=[on_other])
    assert cal.points["accepted"].tolist() == [True, True, True, False]
    assert cal.selected == 1 and cal.posterior.empty        # b = 0.3: deepest in the band
    files = write_calibration(cal, tmp_path / "cal")
    assert "posterior" not in files and "confirm" not in files
    assert "## Points" in files["report"].read_text()


def test_overlay_scenario_round_trips_through_the_scenario_loader(tmp_path):
    path = tmp_path / "selected.toml"
    path.write_text(overlay_toml({"trust.gain_rate": 0.125, "ties.regional_meeting_interval": 4},
                                 "sel", "a selected point"))
    params = load_scenario(path)
    assert params.trust.gain_rate == 0.125 and params.ties.regional_meeting_interval == 4
    assert params.region == load_scenario("ccpt_baseline").region


def test_band_conflicts_find_bands_that_exclude_each_other(toy_sweep):
    low, high = band(0.0, 0.3, pid="LOW"), band(0.7, 1.0, pid="HIGH")   # both read a
    free = band(0.0, 0.5, statistic="other", pid="FREE")                # reads b
    cal = calibrate(toy_sweep, patterns=[low, high, free])
    conflicts = band_conflicts(cal)
    assert conflicts[["band_a", "band_b"]].values.tolist() == [["LOW", "HIGH"]]
    row = conflicts.iloc[0]
    assert row["share_both"] == 0.0 and row["joint_ratio"] == 0.0
    assert row["level_rho"] == pytest.approx(1.0)                       # the same statistic
    assert not cal.points["accepted"].any()


def test_the_nearest_point_of_a_confirmation_is_a_valid_scenario(tmp_path):
    (tmp_path / "pts.csv").write_text("trust.gain_rate,ties.regional_meeting_interval\n"
                                      "0.12,4\n0.08,2\n")
    (tmp_path / "s.toml").write_text(
        'model = "validation.calibration:pattern_statistics"\nreplicates = 2\nseed = 1\n'
        'outcomes = ["sustained_2y"]\n[design]\nkind = "points"\nfile = "pts.csv"\n')
    sweep(tmp_path / "s.toml", tmp_path / "out", executor="sequential")
    cal = calibrate(tmp_path / "out", patterns=[p for p in calibration_patterns()
                                                if p.id == "SF1"])
    files = write_calibration(cal, tmp_path / "cal")
    point_file = files.get("selected") or files["nearest"]
    params = load_scenario(point_file)                   # whole numbers stay whole
    assert params.ties.regional_meeting_interval in (4, 2)
    from sim.scenario import overrides_from_file

    assert any(o.startswith("ties.regional_meeting_interval=") and "." not in o.split("=")[1]
               for o in overrides_from_file(point_file))


def test_validation_patterns_run_at_calibration_points_with_their_values(tmp_path):
    """Directions are checked at the calibration's points, not only at the defaults: each
    point's values reach every arm, and different points give different results."""
    from validation.calibration import validation_at_points
    from validation.patterns import by_id

    (tmp_path / "pts.csv").write_text("commitment.initial_mean,orientation.rate\n"
                                      "0.2,0.02\n0.7,0.1\n")
    (tmp_path / "s.toml").write_text(
        'model = "validation.calibration:pattern_statistics"\nreplicates = 2\nseed = 1\n'
        'outcomes = ["sustained_2y"]\n[design]\nkind = "points"\nfile = "pts.csv"\n')
    sweep(tmp_path / "s.toml", tmp_path / "out", executor="sequential")
    cal = calibrate(tmp_path / "out", patterns=[p for p in calibration_patterns()
                                                if p.id == "SF1"])
    table = validation_at_points(cal, [0, 1], replicates=4, patterns=[by_id("SF4"),
                                                                      by_id("P1")])
    assert list(table.columns) == ["point", "pattern", "status", "effect", "n"]
    assert len(table) == 4 and set(table["pattern"]) == {"SF4", "P1"}
    assert set(table["status"]) <= {"pass", "fail"} and (table["n"] > 0).all()
    p1 = table[table["pattern"] == "P1"].set_index("point")["effect"]
    assert p1[0] != p1[1]  # the points' values reached the runs
