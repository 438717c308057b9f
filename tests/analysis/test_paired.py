"""Paired contrasts: the pairing invariant, a plain-scipy reference, labels and the CLI."""

from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from typer.testing import CliRunner

from cli.main import app
from experiments.analysis import analyze, load_sweep
from experiments.analysis.paired import (
    choose_reference,
    contrast,
    paired_contrasts,
    unpaired_reason,
)
from experiments.reference import LINEAR_B
from experiments.store import SweepStoreError
from experiments.study import StudyError, load_study
from sim.summary import newcombe_paired

from .sweeps import png_ok, write_sweep

TESTS = Path(__file__).resolve().parents[1]  # tests/, where sweep_models lives


def shifted(params, rng, noise=0.0):
    """``y = x + N(0, 1)`` (one draw per run, so pairs share it), ``z = x * U``, a flag."""
    x = float(params["x"])
    u = float(rng.random())
    return {"y": x + float(rng.standard_normal()), "z": x * u, "flag": float(u < x)}


def points_sweep(path: Path, xs, labels=None, replicates: int = 8, crn: bool = True) -> Path:
    design = pd.DataFrame({"point": np.arange(len(xs), dtype=np.int64),
                           "x": np.asarray(xs, dtype=float)})
    out = write_sweep(path, "points", design, shifted, replicates=replicates, crn=crn)
    if labels is not None:  # the store writes the label beside the factors
        design["label"] = pd.Series(labels, dtype=str)
        design.to_parquet(out / "design.parquet", index=False)
    return out


# --------------------------------------------------------------------- the contrast itself
def test_a_point_against_itself_differs_by_exactly_zero():
    rng = np.random.default_rng(4)
    x = rng.normal(size=12)
    res = contrast(x, x.copy(), share=False)
    assert (res["diff"], res["ci_low"], res["ci_high"]) == (0.0, 0.0, 0.0)
    assert res["p_value"] == 1.0 and res["ci_method"] == "t" and res["n"] == 12
    flags = (rng.random(12) < 0.4).astype(float)
    share = contrast(flags, flags.copy(), share=True)
    # Newcombe's interval keeps the uncertainty of the discordance rate: no discordant
    # pair gives a difference of exactly 0 with an interval symmetric around it.
    assert share["diff"] == 0.0 and share["p_value"] == 1.0
    assert share["ci_low"] == pytest.approx(-share["ci_high"], abs=1e-15)
    assert share["ci_method"] == "newcombe"


def test_the_paired_interval_matches_a_plain_scipy_computation():
    rng = np.random.default_rng(9)
    noise = rng.normal(size=15)
    x, y = 1.3 + noise + rng.normal(0, 0.2, 15), noise
    d = x - y
    sem = d.std(ddof=1) / math.sqrt(d.size)
    q = stats.t.ppf(0.975, d.size - 1)
    res = contrast(x, y, share=False)
    assert res["diff"] == pytest.approx(d.mean(), abs=1e-12)
    assert res["ci_low"] == pytest.approx(d.mean() - q * sem, abs=1e-12)
    assert res["ci_high"] == pytest.approx(d.mean() + q * sem, abs=1e-12)
    assert res["p_value"] == pytest.approx(stats.ttest_1samp(d, 0).pvalue, abs=1e-12)


def test_a_share_gets_newcombe_and_the_exact_mcnemar_test():
    x = np.array([1, 1, 1, 1, 1, 1, 0, 0, 1, 1], dtype=float)
    y = np.array([1, 0, 0, 0, 0, 1, 0, 0, 1, 0], dtype=float)   # 5 discordant, all x-only
    res = contrast(x, y, share=True)
    assert (res["ci_low"], res["ci_high"]) == newcombe_paired(x, y)
    # exact McNemar: two-sided binomial test of 5 of 5 discordant pairs at 1/2
    assert res["p_value"] == pytest.approx(stats.binomtest(5, 5, 0.5).pvalue, abs=1e-12)
    assert res["diff"] == 0.5


def test_pairs_drop_failed_replicates_on_either_side():
    x = np.array([1.0, 2.0, np.nan, 4.0])
    y = np.array([0.5, np.nan, 1.0, 3.0])
    res = contrast(x, y, share=False)
    assert res["n"] == 2 and res["diff"] == pytest.approx(0.75)


# ------------------------------------------------------------------- the table of a sweep
def test_paired_differences_cancel_the_shared_noise(tmp_path):
    d = points_sweep(tmp_path / "s", [0.2, 0.5, 0.9], ["baseline", "mid", "high"])
    sweep = load_sweep(d)
    assert unpaired_reason(sweep) is None
    ref, how = choose_reference(sweep, None)
    assert ref == 0 and "labelled 'baseline'" in how
    table = paired_contrasts(sweep.outcomes, sweep.design, ref, ["y", "z", "flag"])
    y = table[table["outcome"] == "y"].set_index("label")
    # y = x + the same normal draw at every point: the difference is exactly x - x_ref
    assert y.loc["mid", "diff"] == pytest.approx(0.3, abs=1e-12)
    assert y.loc["high", "diff"] == pytest.approx(0.7, abs=1e-12)
    assert (y["ci_high"] - y["ci_low"]).abs().max() < 1e-9
    assert set(table.loc[table["outcome"] == "flag", "ci_method"]) == {"newcombe"}
    assert set(table["reference_label"]) == {"baseline"} and len(table) == 6
    p = table["p_value"].to_numpy()
    assert np.all(table["p_holm"].to_numpy() >= p - 1e-15)


def test_the_reference_is_chosen_by_label_or_number_and_refused_by_name(tmp_path):
    sweep = load_sweep(points_sweep(tmp_path / "s", [0.2, 0.5, 0.9], ["low", "mid", "high"]))
    assert choose_reference(sweep, None)[0] == 0
    assert "no point is labelled" in choose_reference(sweep, None)[1]
    assert choose_reference(sweep, "high")[0] == 2
    assert choose_reference(sweep, "1")[0] == 1
    with pytest.raises(SweepStoreError, match=r"--reference 'top' names no design point "
                                              r"\(labels: low, mid, high; points 0-2\)"):
        choose_reference(sweep, "top")


def test_a_sweep_without_common_seeds_gets_no_paired_output_and_says_why(tmp_path):
    d = points_sweep(tmp_path / "s", [0.2, 0.5], crn=False)
    written = analyze(d, tmp_path / "a")
    assert "paired.csv" not in written
    summary = written["summary.md"].read_text()
    assert "No paired contrasts: replicates do not share seeds across design points " \
           "(the study sets crn = false)" in summary


def test_analyze_writes_paired_tables_a_figure_and_findings(tmp_path):
    d = points_sweep(tmp_path / "s", [0.2, 0.5, 0.9], ["reference", "mid", "high"])
    written = analyze(d, tmp_path / "a")
    assert {"paired.csv", "paired.md", "paired.png"} <= set(written)
    assert png_ok(written["paired.png"])
    table = pd.read_csv(written["paired.csv"])
    assert list(table["label"].unique()) == ["mid", "high"]
    md = written["paired.md"].read_text()
    assert "Reference: point 0 ('reference'), the point labelled 'reference'" in md
    summary = written["summary.md"].read_text()
    assert "Paired against `reference`" in summary
    assert "largest difference `high` +0.7" in summary
    agg = pd.read_csv(written["aggregate.csv"])
    assert set(agg["label"]) == {"reference", "mid", "high"}


def test_other_designs_get_paired_contrasts_when_a_reference_is_given(tmp_path):
    design = pd.DataFrame({"point": np.arange(3, dtype=np.int64), "x": [0.1, 0.4, 0.8]})
    d = write_sweep(tmp_path / "s", "full_factorial", design, shifted, replicates=4)
    assert "paired.csv" not in analyze(d, tmp_path / "a")
    written = analyze(d, tmp_path / "b", reference="2")
    table = pd.read_csv(written["paired.csv"])
    assert set(table["reference"]) == {2} and set(table["label"]) == {"point 0", "point 1"}


# ------------------------------------------------------------------ labels in the study file
STUDY = """\
name = "labelled"
model = "experiments.reference:linear"
replicates = 3
seed = 2
[model_options]
noise = 0.5
[design]
kind = "points"
file = "pts.csv"
"""


@pytest.mark.parametrize(("csv", "problem"), [
    ("label,x1,x2,x3,x4\nbase,0,0,0,0\nbase,1,0,0,0\n",
     "label 'base' names rows 1, 2; each label must be unique"),
    ("label,x1,x2,x3,x4\nbase,0,0,0,0\n../up,1,0,0,0\n",
     "label '../up' in row 2 is not a file-safe name"),
    ("label,x1,x2,x3,x4\nbase,0,0,0,0\nmy point,1,0,0,0\n",
     "label 'my point' in row 2 is not a file-safe name"),
    ("label,x1,x2,x3,x4\nbase,0,0,0,0\n,1,0,0,0\n", "column 'label' has no value in row 2"),
], ids=["duplicate", "path", "space", "missing"])
def test_a_bad_label_names_the_file_the_row_and_the_problem(tmp_path, csv, problem):
    (tmp_path / "pts.csv").write_text(csv)
    (tmp_path / "s.toml").write_text(STUDY)
    with pytest.raises(StudyError) as err:
        load_study(tmp_path / "s.toml")
    assert err.value.key == "design.file" and problem in err.value.problem, err.value


def test_labels_are_not_factors_and_whole_number_labels_are_text(tmp_path):
    from experiments.design import build_design, run_plan

    (tmp_path / "pts.csv").write_text("label,x1,x2,x3,x4\n2030,0,0,0,0\n2040,1,0,0,0\n")
    (tmp_path / "s.toml").write_text(STUDY)
    study = load_study(tmp_path / "s.toml")
    assert study.factor_keys == ["x1", "x2", "x3", "x4"]
    design = build_design(study)
    assert design.factors == ["x1", "x2", "x3", "x4"]
    assert design.table["label"].tolist() == ["2030", "2040"]
    assert "label" not in run_plan(study, design).columns


def test_consortium_analyze_reports_paired_contrasts_of_a_labelled_points_study(tmp_path):
    (tmp_path / "pts.csv").write_text("label,x1,x2,x3,x4\nlow,0,0,0,0\nbaseline,1,0,0,0\n"
                                      "high,2,0,1,0\n")
    (tmp_path / "s.toml").write_text(STUDY)
    runner = CliRunner()
    out = tmp_path / "sweep"
    swept = runner.invoke(app, ["sweep", str(tmp_path / "s.toml"), "--executor",
                                "sequential", "--out", str(out)])
    assert swept.exit_code == 0, swept.output
    bad = runner.invoke(app, ["analyze", str(out), "--reference", "nope"])
    assert bad.exit_code == 2 and "Traceback" not in bad.output
    assert "--reference 'nope' names no design point" in " ".join(bad.output.split())
    result = runner.invoke(app, ["analyze", str(out), "--reference", "low"])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out / "analysis" / "paired.csv").set_index("label")
    b = LINEAR_B  # y = b . x + noise * N(0, 1), the same draw at every point
    assert table.loc["baseline", "diff"] == pytest.approx(b[0], abs=1e-12)
    assert table.loc["high", "diff"] == pytest.approx(2 * b[0] + b[2], abs=1e-12)
    assert "chosen with --reference" in (out / "analysis" / "paired.md").read_text()
    assert os.path.getsize(out / "analysis" / "paired.png") > 0
