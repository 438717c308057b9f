"""`consortium calibrate`: the report of a small real sweep, and what it refuses (exit 2)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from cli.main import app
from experiments.study import load_study
from experiments.sweep import sweep
from sim.params import SECTIONS
from sim.scenario import load_scenario, with_values
from validation.calibration import calibrate, calibration_statistics
from validation.runs import run_statistics

ROOT = Path(__file__).resolve().parents[2]


def test_consortium_calibrate_on_a_small_real_sweep(tmp_path, monkeypatch):
    # A copy of a shipped study is no longer shipped: from Python, the caller trusts the
    # project's calibration model as `consortium sweep` does.
    monkeypatch.setenv("CONSORTIUM_ALLOW_MODELS", "sweep_models:*,"
                       "validation.calibration:pattern_statistics")
    text = (ROOT / "experiments/studies/calibration_lhs.toml").read_text()
    text = text.replace("samples = 1000", "samples = 6").replace("replicates = 10",
                                                                  "replicates = 2")
    text = text.replace('name = "calibration_lhs"', 'name = "small"')
    study = tmp_path / "small.toml"
    study.write_text(text)
    out = tmp_path / "sweep"
    sweep(study, out, executor="sequential")
    result = CliRunner().invoke(app, ["calibrate", str(out), "--out", str(tmp_path / "cal")])
    assert result.exit_code == 0, result.output
    assert "of 6 points hold all" in result.output
    report = (tmp_path / "cal/calibration.md").read_text()
    assert "Pattern-oriented filtering" in report and "SF21a" in report
    for name in ("points.csv", "abc_sample.csv", "posterior.csv", "bands.png", "posterior.png",
                 "small_candidates.csv", "small_confirm.toml"):
        assert (tmp_path / "cal" / name).stat().st_size > 0
    point_file = next((tmp_path / "cal" / n for n in ("selected.toml", "nearest.toml")
                       if (tmp_path / "cal" / n).is_file()))
    assert load_scenario(point_file).trust.gain_rate > 0    # a valid scenario file
    confirm = load_study(tmp_path / "cal/small_confirm.toml")     # a valid study of the candidates
    assert confirm.design.kind == "points" and len(confirm.points_table) == 6
    cal = calibrate(out)
    row = cal.points.iloc[0]
    ss = np.random.SeedSequence(20140701).spawn(2)[1]       # CRN: replicate 1
    params = {k: row[k] for k in cal.factors}
    def whole(key: str) -> bool:
        section, name = key.split(".")
        return SECTIONS[section].model_fields[name].annotation is int

    params = {k: int(v) if whole(k) else float(v) for k, v in params.items()}
    stats_ = run_statistics(with_values(load_scenario("ccpt_baseline"), params), ss,
                            calibration_statistics())
    stored = cal.sweep.outcomes.query("point == 0 and replicate == 1").iloc[0]
    assert all(stored[k] == pytest.approx(v, nan_ok=True) for k, v in stats_.items())


def test_calibrate_rejects_what_is_not_a_calibration_sweep(tmp_path, toy_sweep):
    runner = CliRunner()
    result = runner.invoke(app, ["calibrate", str(tmp_path / "missing")])
    assert result.exit_code == 2 and "not a sweep directory" in result.output
    result = runner.invoke(app, ["calibrate", str(toy_sweep)])
    assert result.exit_code == 2 and "has no statistic" in result.output
    result = runner.invoke(app, ["calibrate", str(toy_sweep), "--quantile", "0"])
    assert result.exit_code == 2
