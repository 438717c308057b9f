"""Series over time: curves per design point, differential against pandas, the figure."""

from __future__ import annotations

import glob
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from scipy import stats

from experiments import reference as ref
from experiments.analysis import analyze, figures
from experiments.analysis.sweep import Sweep, load_sweep
from experiments.analysis.timeseries import (
    BAND,
    grant_ends,
    pooled_curves,
    series_moments,
    timeseries_curves,
)
from sim.grant import GrantSchedule
from sim.scenario import load_scenario, resolved_table, with_values

from .sweeps import ofat_design, png_ok, write_sweep

FAIL = {2, 9}


@pytest.fixture(scope="module")
def series_sweep(tmp_path_factory) -> Path:
    return write_sweep(tmp_path_factory.mktemp("ts") / "s", "ofat",
                       ofat_design(ref.LINEAR_PROBLEM), ref.linear, replicates=4, noise=0.3,
                       series=True, chunks=3, fail=FAIL, options={"points": 5})


def _stored_series(path: Path) -> pd.DataFrame:
    """Every stored series row of the successful runs, read plainly with pandas."""
    frames = [pd.read_parquet(f) for f in sorted(glob.glob(str(path / "series" / "*.parquet")))]
    table = pd.concat(frames, ignore_index=True)
    return table[~table["run_id"].isin(FAIL)]


def test_curves_equal_a_pandas_groupby_of_the_stored_series(series_sweep: Path) -> None:
    # Batches of 7 rows split points across batches, so the merge of partial moments is used.
    curves, time = timeseries_curves(load_sweep(series_sweep), batch_size=7)
    assert time == "year"
    plain = (_stored_series(series_sweep).groupby(["point", "year"])["level"]
             .agg(["count", "mean", "std"]).reset_index())
    assert curves["variable"].unique().tolist() == ["level"]
    assert curves["point"].tolist() == plain["point"].tolist()
    assert curves["year"].tolist() == plain["year"].tolist()
    assert curves["n"].tolist() == plain["count"].tolist()
    np.testing.assert_allclose(curves["mean"], plain["mean"], rtol=1e-12)
    np.testing.assert_allclose(curves["sd"], plain["std"], rtol=1e-9)
    lo, hi = stats.t.interval(0.95, plain["count"] - 1, loc=plain["mean"],
                              scale=plain["std"] / np.sqrt(plain["count"]))
    np.testing.assert_allclose(curves["lo"], lo, rtol=1e-9)
    np.testing.assert_allclose(curves["hi"], hi, rtol=1e-9)
    assert (curves["band"] == BAND).all() and BAND == "t95"
    assert set(curves.loc[curves["point"] == 0, "n"]) == {3}   # run 2 failed


def test_moments_leave_nan_out_and_merge_across_batches() -> None:
    values = [1.0, np.nan, 3.0, 4.0, 10.0, np.nan]
    table = pa.table({"point": [0, 0, 0, 1, 1, 1], "year": [0] * 6, "v": values})
    whole = series_moments([table], "year", ["v"])["v"]
    parts = series_moments([table.slice(i, 1) for i in range(6)], "year", ["v"])["v"]
    pd.testing.assert_frame_equal(whole, parts)
    assert whole["n"].tolist() == [2, 2]
    assert whole["mean"].tolist() == pytest.approx([2.0, 7.0])
    assert whole["m2"].tolist() == pytest.approx([2.0, 18.0])


def test_pooled_curves_equal_a_pandas_groupby_over_the_level(series_sweep: Path) -> None:
    sweep = load_sweep(series_sweep)
    pooled = pooled_curves(sweep, "x2", batch_size=5)
    table = _stored_series(series_sweep).merge(sweep.design[["point", "x2"]], on="point")
    plain = table.groupby(["x2", "year"])["level"].agg(["count", "mean"]).reset_index()
    got = pooled.sort_values(["level", "year"]).reset_index(drop=True)
    assert got["level"].tolist() == plain["x2"].tolist()
    assert got["n"].tolist() == plain["count"].tolist()
    np.testing.assert_allclose(got["mean"], plain["mean"], rtol=1e-12)


def test_analyze_writes_timeseries_files_with_the_band_named(series_sweep: Path,
                                                             tmp_path: Path) -> None:
    written = analyze(series_sweep, tmp_path / "a", n_boot=50)
    assert {"timeseries.csv", "timeseries.md", "timeseries.png"} <= set(written)
    table = pd.read_csv(written["timeseries.csv"])
    assert list(table.columns) == ["point", "variable", "year", "n", "mean", "sd", "lo", "hi",
                                   "band"]
    assert (table["band"] == "t95").all()
    assert "Student-t 95% CI of the replicate mean" in written["timeseries.md"].read_text()
    assert png_ok(written["timeseries.png"])


def test_no_series_no_timeseries_files(tmp_path: Path) -> None:
    d = write_sweep(tmp_path / "n", "ofat", ofat_design(ref.LINEAR_PROBLEM), ref.linear,
                    replicates=2)
    assert timeseries_curves(load_sweep(d)) is None
    assert not any(name.startswith("timeseries") for name in analyze(d, tmp_path / "a"))


def test_many_points_draw_one_line_per_level_of_the_main_factor(series_sweep, tmp_path,
                                                                captured_figures) -> None:
    # 17 design points are more than MAX_LINES: lines pool the levels of x1 (5 of them).
    analyze(series_sweep, tmp_path / "a", n_boot=50)
    fig = next(f for f in captured_figures if "Series over time" in f.get_suptitle())
    title = " ".join(fig.get_suptitle().split())
    assert "one line per level of x1, pooled over the other factors (17 points" in title
    ax = fig.axes[0]
    assert len(ax.get_lines()) == 5
    assert "years since start" in ax.get_xlabel()
    assert all(float(t).is_integer() for t in ax.get_xticks())


def test_the_grant_end_is_marked_in_the_time_unit(captured_figures, tmp_path: Path) -> None:
    curves = pd.DataFrame({"point": [0, 0, 1, 1], "variable": "v", "year": [0, 1, 0, 1],
                           "n": 3, "mean": [1.0, 2.0, 1.5, 2.5], "lo": 0.0, "hi": 3.0,
                           "band": "t95"})
    figures.plot_timeseries(curves, "year", tmp_path / "t.png", grant_ends={0: 48, 1: 48})
    ax = captured_figures[-1].axes[0]
    ends = [line for line in ax.get_lines() if line.get_label() == "grant end"]
    assert len(ends) == 1 and list(ends[0].get_xdata()) == [4.0, 4.0]   # month 48 = year 4
    monthly = curves.rename(columns={"year": "month"})
    figures.plot_timeseries(monthly, "month", tmp_path / "m.png", grant_ends={0: 36, 1: 48})
    ax = captured_figures[-1].axes[0]
    dotted = sorted(line.get_xdata()[0] for line in ax.get_lines() if line.get_linestyle() == ":")
    assert dotted == [36, 48] and ax.get_xlabel() == "months since start"


def test_grant_ends_follow_the_grant_factor_of_each_point() -> None:
    # an integer grant factor next to a float factor keeps its type (3, not 3.0)
    base = load_scenario("workshop_small")
    design = pd.DataFrame({"point": [0, 1], "grant.state_years": [3, 4],
                           "trust.baseline": [0.1, 0.3]})
    manifest = {"model": "sim.run:simulate", "base_scenario": resolved_table(base),
                "design": {"kind": "full_factorial",
                           "factors": ["grant.state_years", "trust.baseline"]}}
    sweep = Sweep(Path("."), manifest, design, None, pd.DataFrame(), pd.DataFrame())
    expected = {p: GrantSchedule.build(params.grant, params.months).grant_end
                for p, params in ((0, with_values(base, {"grant.state_years": 3})),
                                  (1, with_values(base, {"grant.state_years": 4})))}
    assert grant_ends(sweep) == expected and expected[1] - expected[0] == 12
    assert grant_ends(Sweep(Path("."), {"model": "x:y"}, design, None, pd.DataFrame(),
                            pd.DataFrame())) == {}
