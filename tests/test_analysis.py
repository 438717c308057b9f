"""Sweep analysis: known indices recovered from sweep directories, aggregation, guidance.

``write_sweep`` below builds a sweep directory in the store layout (manifest.json,
design.parquet, samples.npy, runs/ outcomes/ series/ chunk files) by evaluating a
reference function over a design made with SALib or scipy directly, so these tests pin
the file format the analysis reads as well as the numbers it produces.
"""

from __future__ import annotations

import itertools
import json
import math
import re
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from matplotlib.image import imread
from SALib.sample import morris as morris_sample
from SALib.sample import sobol as sobol_sample
from scipy import stats
from scipy.stats import qmc

from experiments import analysis as an
from experiments import reference as ref
from experiments.analysis.replicates import _n_for_halfwidth

N_BOOT = 200
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


# ================================================================= sweep-directory builder
def write_sweep(path: Path, kind: str, design: pd.DataFrame, f: Callable, *,
                problem: dict | None = None, samples: np.ndarray | None = None,
                options: dict | None = None, replicates: int = 1, seed: int = 7,
                crn: bool = True, chunks: int = 2, fail: Iterable[int] = (),
                noise: float = 0.0, series: bool = False,
                bogus_failed_outcomes: bool = False) -> Path:
    """Evaluate ``f`` over ``design`` x replicates and write a sweep directory.

    Seeds follow the brief: with CRN replicate r uses ``root.spawn(R)[r]``; without,
    ``root.spawn(P)[p].spawn(R)[r]``. Run ids in ``fail`` become failure rows.
    ``bogus_failed_outcomes`` also writes an outcome row for each failed run, which the
    analysis must ignore.
    """
    path.mkdir(parents=True)
    fail = set(fail)
    factors = [c for c in design.columns if c not in ("point", "varied")]
    n_points = len(design)
    n_runs = n_points * replicates
    chunk_size = math.ceil(n_runs / chunks)
    root = np.random.SeedSequence(seed)
    per_point = None if crn else root.spawn(n_points)
    shared = root.spawn(replicates) if crn else None
    runs, outs, sers = [], [], []
    names: list[str] = []
    for p, row in enumerate(design.itertuples(index=False)):
        params = {k: getattr(row, k) if k.isidentifier() else row[design.columns.get_loc(k)]
                  for k in factors}
        params = {k: (v.item() if hasattr(v, "item") else v) for k, v in params.items()}
        kids = shared if crn else per_point[p].spawn(replicates)
        for r in range(replicates):
            run_id = p * replicates + r
            ss = kids[r]
            rebuilt = np.random.SeedSequence(ss.entropy, spawn_key=ss.spawn_key)
            ok = run_id not in fail
            base = {"run_id": run_id, "point": p, "replicate": r}
            runs.append({**base, "seed_entropy": str(ss.entropy),
                         "spawn_key": ",".join(str(k) for k in ss.spawn_key),
                         "status": "ok" if ok else "failed",
                         "error": None if ok else
                         "Traceback (most recent call last):\nValueError: boom",
                         "wall_time_s": 0.001, **params})
            if ok:
                result = f(params, np.random.default_rng(rebuilt), noise=noise)
                names = names or list(result)
                outs.append({**base, **{k: float(v) for k, v in result.items()}})
                if series:
                    for year in range(3):
                        sers.append({**base, "year": year,
                                     "level": float(result["y"]) * (year + 1)})
            elif bogus_failed_outcomes:
                outs.append({**base, "y": 1e9})
    factor_fields = [pa.field(k, pa.from_numpy_dtype(design[k].dtype)) for k in factors]
    run_schema = pa.schema([("run_id", pa.int64()), ("point", pa.int64()),
                            ("replicate", pa.int64()), ("seed_entropy", pa.string()),
                            ("spawn_key", pa.string()), ("status", pa.string()),
                            ("error", pa.string()), ("wall_time_s", pa.float64()),
                            *factor_fields])
    ids = [("run_id", pa.int64()), ("point", pa.int64()), ("replicate", pa.int64())]
    out_schema = pa.schema([*ids, *[(n, pa.float64()) for n in names]])
    ser_schema = pa.schema([*ids, ("year", pa.int64()), ("level", pa.float64())])
    folders = [("outcomes", outs, out_schema), ("runs", runs, run_schema)]
    if series:
        folders.insert(0, ("series", sers, ser_schema))
    for c in range(math.ceil(n_runs / chunk_size)):
        lo, hi = c * chunk_size, (c + 1) * chunk_size
        for folder, rows, schema in folders:   # runs/ last, as the store does
            (path / folder).mkdir(exist_ok=True)
            part = [x for x in rows if lo <= x["run_id"] < hi]
            table = pa.Table.from_pylist(part, schema=schema)
            pq.write_table(table, path / folder / f"chunk-{c:06d}.parquet")
    design.to_parquet(path / "design.parquet", index=False)
    if samples is not None:
        np.save(path / "samples.npy", samples)
    manifest = {
        "format": 1,
        "study": {"name": f"test_{kind}", "description": f"A {kind} test study.",
                  "replicates": replicates, "seed": seed,
                  "design": {"kind": kind, **(options or {})}},
        "study_file": f"/tmp/test_{kind}.toml", "base": None,
        "design": {"kind": kind, "factors": factors, "problem": problem,
                   "options": options or {}},
        "root_seed": seed, "crn": crn, "replicates": replicates, "n_points": n_points,
        "n_runs": n_runs, "chunk_size": chunk_size,
        "n_chunks": math.ceil(n_runs / chunk_size), "outcomes": None,
        "timeseries": "summary" if series else "none",
        "model": f"experiments.reference:{f.__name__}",
        "versions": {"python": "3.13"}, "git_revision": None,
        "created": "2026-01-01T00:00:00Z",
    }
    (path / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return path


def salib_design(samples: np.ndarray, problem: dict) -> pd.DataFrame:
    table = pd.DataFrame(samples, columns=problem["names"])
    table.insert(0, "point", np.arange(len(table), dtype=np.int64))
    return table


def sobol_sweep(path: Path, f: Callable, problem: dict, n: int, second_order: bool = False,
                **kw) -> Path:
    x = sobol_sample.sample(problem, n, calc_second_order=second_order, seed=3)
    return write_sweep(path, "sobol", salib_design(x, problem), f, problem=problem, samples=x,
                       options={"N": n, "second_order": second_order}, **kw)


def morris_sweep(path: Path, f: Callable, problem: dict, r: int, levels: int = 4,
                 **kw) -> Path:
    x = morris_sample.sample(problem, r, num_levels=levels, seed=5)
    return write_sweep(path, "morris", salib_design(x, problem), f, problem=problem,
                       samples=x, options={"N": r, "levels": levels}, **kw)


def ofat_design(problem: dict, points: int = 5) -> pd.DataFrame:
    base = {n: (lo + hi) / 2 for n, (lo, hi) in zip(problem["names"], problem["bounds"],
                                                    strict=True)}
    rows = [{**base, "varied": "base"}]
    for n, (lo, hi) in zip(problem["names"], problem["bounds"], strict=True):
        for v in np.linspace(lo, hi, points):
            if v != base[n]:
                rows.append({**base, n: float(v), "varied": n})
    table = pd.DataFrame(rows)
    table.insert(0, "point", np.arange(len(table), dtype=np.int64))
    return table


def png_ok(path: Path) -> bool:
    if path.read_bytes()[:8] != PNG_MAGIC:
        return False
    img = imread(path)
    return img.shape[0] > 50 and img.shape[1] > 50 and float(img[..., :3].std()) > 0.01


# ====================================================================== known indices
@pytest.fixture(scope="module")
def ishigami_dir(tmp_path_factory) -> Path:
    return sobol_sweep(tmp_path_factory.mktemp("ish") / "sweep", ref.ishigami,
                       ref.ISHIGAMI_PROBLEM, 1024)


def test_ishigami_sobol_recovers_analytic_indices(ishigami_dir: Path) -> None:
    sweep = an.load_sweep(ishigami_dir)
    assert len(sweep.design) == 1024 * 5 and sweep.samples.shape == (5120, 3)
    agg = an.aggregate(sweep.outcomes, sweep.design)
    y = an.point_means(agg, "y").to_numpy()
    t = an.sobol_indices(sweep.samples, y, ref.ISHIGAMI_PROBLEM, False, n_boot=N_BOOT, seed=1)
    assert list(t["factor"]) == ["x1", "x2", "x3"]
    np.testing.assert_allclose(t["S1"], ref.ISHIGAMI_S1, atol=0.05)
    np.testing.assert_allclose(t["ST"], ref.ISHIGAMI_ST, atol=0.05)
    for key, truth in (("S1", ref.ISHIGAMI_S1), ("ST", ref.ISHIGAMI_ST)):
        widened = 1.5 * t[f"{key}_conf"] + 0.01
        assert np.all(np.abs(t[key] - truth) <= widened), (key, t)
        np.testing.assert_allclose(t[f"{key}_hi"] - t[f"{key}_lo"], 2 * t[f"{key}_conf"])
    # the problem constant was not modified by SALib (it adds 'groups' to what it is given)
    assert "groups" not in ref.ISHIGAMI_PROBLEM


def test_sobol_g_ordering_and_inert_factors(tmp_path: Path) -> None:
    d = sobol_sweep(tmp_path / "g", ref.sobol_g, ref.SOBOL_G_PROBLEM, 1024, chunks=3)
    sweep = an.load_sweep(d)
    y = an.point_means(an.aggregate(sweep.outcomes, sweep.design), "y").to_numpy()
    t = an.sobol_indices(sweep.samples, y, ref.SOBOL_G_PROBLEM, n_boot=N_BOOT, seed=2)
    st = t["ST"].to_numpy()
    assert list(np.argsort(-st)[:4]) == [0, 1, 2, 3]
    assert np.all(st[4:] < 0.02) and np.all(np.abs(t["S1"].to_numpy()[4:]) < 0.02)
    assert st[3] > st[4:].max()
    np.testing.assert_allclose(st, ref.SOBOL_G_ST, atol=0.05)


def test_ishigami_second_order_pairs(tmp_path: Path) -> None:
    d = sobol_sweep(tmp_path / "s2", ref.ishigami, ref.ISHIGAMI_PROBLEM, 512, second_order=True)
    written = an.analyze(d, n_boot=N_BOOT)
    pairs = pd.read_csv(written["sobol_pairs.csv"]).set_index(["factor_a", "factor_b"])
    v13 = 8 * 0.1 ** 2 * math.pi ** 8 / 225 / ref.ishigami_variance()
    assert pairs.loc[("x1", "x3"), "S2"] == pytest.approx(v13, abs=0.08)
    assert abs(pairs.loc[("x1", "x2"), "S2"]) < 0.08
    assert abs(pairs.loc[("x2", "x3"), "S2"]) < 0.08


def test_linear_morris_exact(tmp_path: Path) -> None:
    d = morris_sweep(tmp_path / "m", ref.linear, ref.LINEAR_PROBLEM, 20, replicates=2)
    sweep = an.load_sweep(d)
    y = an.point_means(an.aggregate(sweep.outcomes, sweep.design), "y").to_numpy()
    t = an.morris_indices(sweep.samples, y, ref.LINEAR_PROBLEM, levels=4, n_boot=N_BOOT)
    assert list(t["mu_star"]) == sorted(t["mu_star"], reverse=True)
    t = t.set_index("factor").loc[ref.LINEAR_PROBLEM["names"]]
    np.testing.assert_allclose(t["mu_star"], ref.LINEAR_MU_STAR, atol=1e-9)
    np.testing.assert_allclose(t["mu"], np.array(ref.LINEAR_B) * [1, 2, 4, 10], atol=1e-9)
    np.testing.assert_allclose(t["sigma"], 0.0, atol=1e-9)


def test_common_random_numbers_cancel_noise_in_elementary_effects(tmp_path: Path) -> None:
    crn = morris_sweep(tmp_path / "crn", ref.linear, ref.LINEAR_PROBLEM, 10, replicates=3,
                       noise=0.5)
    indep = morris_sweep(tmp_path / "ind", ref.linear, ref.LINEAR_PROBLEM, 10, replicates=3,
                         noise=0.5, crn=False)
    res = {}
    for name, d in (("crn", crn), ("indep", indep)):
        sweep = an.load_sweep(d)
        y = an.point_means(an.aggregate(sweep.outcomes, sweep.design), "y").to_numpy()
        res[name] = an.morris_indices(sweep.samples, y, ref.LINEAR_PROBLEM,
                                      n_boot=N_BOOT).set_index("factor").sort_index()
    np.testing.assert_allclose(res["crn"]["mu_star"], ref.LINEAR_MU_STAR, atol=1e-9)
    np.testing.assert_allclose(res["crn"]["sigma"], 0.0, atol=1e-9)
    assert res["indep"]["sigma"].min() > 0.01


def test_ofat_curves_have_slope_b(tmp_path: Path) -> None:
    design = ofat_design(ref.LINEAR_PROBLEM)
    d = write_sweep(tmp_path / "o", "ofat", design, ref.linear, replicates=4, noise=0.3,
                    options={"points": 5})
    sweep = an.load_sweep(d)
    curves = an.ofat_curves(an.aggregate(sweep.outcomes, sweep.design), sweep.design)
    for name, b in zip(ref.LINEAR_PROBLEM["names"], ref.LINEAR_B, strict=True):
        c = curves[(curves["factor"] == name) & (curves["outcome"] == "y")]
        assert len(c) == 5 and c["level"].is_monotonic_increasing
        assert c["is_base"].sum() == 1
        slope = np.polyfit(c["level"].astype(float), c["mean"], 1)[0]
        assert slope == pytest.approx(b, abs=1e-9)   # CRN: the noise is the same at each level
        assert np.all(c["ci_low"] < c["mean"]) and np.all(c["mean"] < c["ci_high"])


# ========================================================================= aggregation
def test_aggregate_matches_hand_computation() -> None:
    vals = {0: [1.0, 2.0, 4.0, np.nan], 1: [3.0, 3.0, 3.0, 3.0], 2: [np.nan] * 4}
    rows = [{"run_id": p * 4 + r, "point": p, "replicate": r, "a": v, "b": 2 * (v or 0)}
            for p, vs in vals.items() for r, v in enumerate(vs)]
    outcomes = pd.DataFrame(rows)
    design = pd.DataFrame({"point": [0, 1, 2], "k": [10, 20, 30]})
    agg = an.aggregate(outcomes, design, ["a"]).set_index("point")
    assert list(agg.columns[:2]) == ["outcome", "k"]
    r0 = agg.loc[0]
    x = np.array([1.0, 2.0, 4.0])
    assert r0["n"] == 3 and r0["mean"] == pytest.approx(x.mean())
    assert r0["sd"] == pytest.approx(x.std(ddof=1))
    assert r0["sem"] == pytest.approx(x.std(ddof=1) / math.sqrt(3))
    lo, hi = stats.t.interval(0.95, 2, loc=x.mean(), scale=stats.sem(x))
    assert (r0["ci_low"], r0["ci_high"]) == pytest.approx((lo, hi))
    for col, q in an.QUANTILES.items():
        assert r0[col] == pytest.approx(np.quantile(x, q))
    assert r0["k"] == 10
    r1 = agg.loc[1]
    assert r1["sd"] == 0 and r1["ci_low"] == r1["ci_high"] == 3.0
    assert agg.loc[2, "n"] == 0 and math.isnan(agg.loc[2, "mean"])
    both = an.aggregate(outcomes, design)
    assert set(both["outcome"]) == {"a", "b"} and len(both) == 6


def test_aleatory_share() -> None:
    rng = np.random.default_rng(0)
    points, reps = 200, 50
    effect = np.repeat(rng.normal(0, 1.0, points), reps)       # between-point variance 1
    noise = rng.normal(0, 2.0, points * reps)                   # within-point variance 4
    outcomes = pd.DataFrame({"run_id": np.arange(points * reps),
                             "point": np.repeat(np.arange(points), reps),
                             "replicate": np.tile(np.arange(reps), points),
                             "y": effect + noise, "c": np.repeat(np.arange(points), reps)})
    t = an.aleatory_share(outcomes).set_index("outcome")
    assert t.loc["y", "aleatory_share"] == pytest.approx(0.8, abs=0.05)
    assert t.loc["c", "aleatory_share"] == 0.0


# ================================================================ replicate guidance
def _reps(values: np.ndarray) -> pd.DataFrame:
    points, reps = values.shape
    return pd.DataFrame({"run_id": np.arange(points * reps),
                         "point": np.repeat(np.arange(points), reps),
                         "replicate": np.tile(np.arange(reps), points),
                         "y": values.ravel()})


def test_running_cv_matches_prefix_statistics() -> None:
    x = np.array([[3.0, 5.0, 4.0, 8.0, 6.0]])
    run = an.running_cv(_reps(x))
    for n in range(2, 6):
        row = run[run["n"] == n].iloc[0]
        assert row["mean"] == pytest.approx(x[0, :n].mean())
        assert row["sd"] == pytest.approx(x[0, :n].std(ddof=1))
        assert row["cv"] == pytest.approx(x[0, :n].std(ddof=1) / x[0, :n].mean())


def test_guidance_for_normal_outcome() -> None:
    rng = np.random.default_rng(1)
    out = _reps(rng.normal(10.0, 2.0, (3, 400)))
    g = an.replicate_guidance(out, tolerance=0.05).iloc[0]
    assert g["measure"] == "cv" and g["replicates"] == 400 and g["points"] == 3
    assert g["final_cv_median"] == pytest.approx(0.2, abs=0.02)
    # the CV of a normal sample has relative sd ~ 1/sqrt(2n): +/-5% needs n of order 100+
    assert 30 <= g["n_stable_median"] <= g["n_stable_max"] < 400
    # t_{n-1} * 2 / sqrt(n) <= 1 first holds at n = 18 for the true sd
    assert 13 <= g["n_for_ci_median"] <= g["n_for_ci_max"] <= 25
    assert g["ci_target"].startswith("10%")


def test_guidance_constant_zero_and_binary_outcomes() -> None:
    const = an.replicate_guidance(_reps(np.full((2, 20), 7.0))).iloc[0]
    assert const["n_stable_max"] == 2 and const["final_cv_median"] == 0.0
    assert const["n_for_ci_max"] == 2 and const["measure"] == "cv"
    zero = an.replicate_guidance(_reps(np.zeros((2, 20)))).iloc[0]
    assert zero["measure"] == "sd" and zero["n_stable_max"] == 2
    rng = np.random.default_rng(2)
    binary = an.replicate_guidance(_reps((rng.random((1, 200)) < 0.5).astype(float))).iloc[0]
    assert binary["ci_target"].startswith("0.05")
    # p = 0.5: sd 0.5, half-width 0.05 -> about (1.96 * 0.5 / 0.05)^2 = 385 replicates
    assert 330 <= binary["n_for_ci_max"] <= 440
    few = an.replicate_guidance(_reps(np.ones((2, 2)))).iloc[0]
    assert few["points"] == 0 and "fewer than 3" in few["verdict"]


def test_n_for_halfwidth_is_smallest() -> None:
    sd = np.array([2.0, 0.5, 10.0, 0.0])
    target = np.array([1.0, 0.05, 0.1, 1.0])
    n = _n_for_halfwidth(sd, target)
    for s, h, k in zip(sd, target, n, strict=True):
        assert stats.t.ppf(0.975, k - 1) * s / math.sqrt(k) <= h
        if k > 2:
            assert stats.t.ppf(0.975, k - 2) * s / math.sqrt(k - 1) > h
    assert n[0] == 18


# ======================================================================= convergence
def test_convergence_sizes() -> None:
    assert an.convergence_sizes(1024, "sobol") == [64, 128, 256, 512, 1024]
    assert an.convergence_sizes(64, "sobol") == [8, 16, 32, 64]
    assert an.convergence_sizes(100, "sobol") == [8, 16, 32, 64, 100]
    assert an.convergence_sizes(8, "sobol") == [8]
    assert an.convergence_sizes(20, "morris") == [2, 3, 5, 10, 20]


def test_convergence_table_ends_at_full_sample(ishigami_dir: Path) -> None:
    sweep = an.load_sweep(ishigami_dir)
    y = an.point_means(an.aggregate(sweep.outcomes, sweep.design), "y").to_numpy()
    conv = an.convergence(sweep.samples, y, ref.ISHIGAMI_PROBLEM, "sobol", n_boot=N_BOOT,
                          seed=4)
    assert sorted(conv["n"].unique()) == [64, 128, 256, 512, 1024]
    assert set(conv["runs"]) == {n * 5 for n in (64, 128, 256, 512, 1024)}
    full = an.sobol_indices(None, y, ref.ISHIGAMI_PROBLEM, n_boot=N_BOOT, seed=4)
    last = conv[conv["n"] == 1024]
    for key in ("S1", "ST"):
        got = last[last["index"] == key].set_index("factor")
        np.testing.assert_array_equal(got.loc[full["factor"], "value"], full[key])
        np.testing.assert_array_equal(got.loc[full["factor"], "conf"], full[f"{key}_conf"])
    # a prefix of whole blocks is itself a Saltelli design
    first = conv[(conv["n"] == 64) & (conv["index"] == "ST")]["value"].to_numpy()
    direct = an.sobol_indices(None, y[:320], ref.ISHIGAMI_PROBLEM, n_boot=N_BOOT, seed=4)
    np.testing.assert_array_equal(first, direct["ST"])
    verdicts = an.convergence_verdicts(conv)
    assert len(verdicts) == 6 and set(verdicts["verdict"]) <= {"stable", "not yet stable"}
    for r in verdicts.itertuples():
        assert (r.verdict == "stable") == (r.change < r.half_width)


def test_morris_convergence(tmp_path: Path) -> None:
    d = morris_sweep(tmp_path / "m", ref.linear, ref.LINEAR_PROBLEM, 16)
    sweep = an.load_sweep(d)
    y = an.point_means(an.aggregate(sweep.outcomes, sweep.design), "y").to_numpy()
    conv = an.convergence(sweep.samples, y, ref.LINEAR_PROBLEM, "morris", n_boot=N_BOOT)
    assert sorted(conv["n"].unique()) == [2, 4, 8, 16]
    mu = conv[conv["index"] == "mu_star"]
    for n, grp in mu.groupby("n"):   # linear: every prefix gives the exact mu*
        np.testing.assert_allclose(grp.set_index("factor").loc[["x1", "x2", "x3", "x4"],
                                                               "value"],
                                   ref.LINEAR_MU_STAR, atol=1e-9, err_msg=str(n))


# =========================================================================== analyze()
COMMON = {"aggregate.csv", "aggregate.md", "summary.md"}


def test_analyze_sobol_writes_files(ishigami_dir: Path, tmp_path: Path) -> None:
    written = an.analyze(ishigami_dir, tmp_path / "a", n_boot=N_BOOT)
    expected = COMMON | {f"{s}.{e}" for s in ("sobol", "convergence")
                         for e in ("csv", "md", "png")}
    assert set(written) == expected
    assert all(p.parent == tmp_path / "a" and p.stat().st_size > 0 for p in written.values())
    for name in ("sobol.png", "convergence.png"):
        assert png_ok(written[name]), name
    sobol = pd.read_csv(written["sobol.csv"])
    assert list(sobol.columns[:2]) == ["outcome", "factor"]
    np.testing.assert_allclose(sobol["ST"], ref.ISHIGAMI_ST, atol=0.05)
    summary = written["summary.md"].read_text()
    assert "test_sobol" in summary and "5120 ok, 0 failed" in summary
    assert "`x1`" in summary and "total Sobol index ST" in summary
    md = written["sobol.md"].read_text()
    assert "| outcome | factor | S1 |" in md and "|---|---|---:|" in md


def test_analyze_default_output_folder(tmp_path: Path) -> None:
    d = sobol_sweep(tmp_path / "s", ref.linear, ref.LINEAR_PROBLEM, 128)
    written = an.analyze(d, n_boot=50)
    assert written["summary.md"].parent == d / "analysis"
    sobol = pd.read_csv(written["sobol.csv"])
    np.testing.assert_allclose(sobol["ST"], ref.LINEAR_ST, atol=0.08)


def test_analyze_morris_writes_files(tmp_path: Path) -> None:
    d = morris_sweep(tmp_path / "m", ref.linear, ref.LINEAR_PROBLEM, 12, replicates=3,
                     noise=0.2)
    written = an.analyze(d, tmp_path / "out", n_boot=N_BOOT)
    expected = COMMON | {f"{s}.{e}" for s in ("morris", "convergence", "replicates")
                         for e in ("csv", "md", "png")} | {"aleatory.csv", "aleatory.md"}
    assert set(written) == expected
    for name in ("morris.png", "convergence.png", "replicates.png"):
        assert png_ok(written[name]), name
    morris = pd.read_csv(written["morris.csv"]).set_index("factor")
    np.testing.assert_allclose(morris.loc[["x1", "x2", "x3", "x4"], "mu_star"],
                               ref.LINEAR_MU_STAR, atol=1e-9)
    assert "Morris mu*" in written["summary.md"].read_text()


def test_analyze_ofat_writes_files(tmp_path: Path) -> None:
    d = write_sweep(tmp_path / "o", "ofat", ofat_design(ref.LINEAR_PROBLEM), ref.linear,
                    replicates=3, noise=0.1, crn=False)
    written = an.analyze(d, tmp_path / "out")
    expected = COMMON | {f"{s}.{e}" for s in ("ofat", "replicates")
                         for e in ("csv", "md", "png")} | {"aleatory.csv", "aleatory.md"}
    assert set(written) == expected
    assert png_ok(written["ofat.png"]) and png_ok(written["replicates.png"])
    summary = written["summary.md"].read_text()
    # |b| * range: x1 1, x2 4, x3 2, x4 0
    assert re.search(r"Largest OFAT range of the mean: `x2` 3.9\d*, `x3` 1.9\d*, `x1` 0.8\d",
                     summary)


def test_analyze_full_factorial_and_lhs(tmp_path: Path) -> None:
    grid = list(itertools.product([0.0, 0.5, 1.0], [0.0, 2.0], [-1.0, 3.0], [0.0, 10.0]))
    design = pd.DataFrame(grid, columns=["x1", "x2", "x3", "x4"])
    design.insert(0, "point", np.arange(len(design), dtype=np.int64))
    d = write_sweep(tmp_path / "ff", "full_factorial", design, ref.linear, replicates=2)
    written = an.analyze(d, tmp_path / "ff_out")
    assert {"main_effects.csv", "main_effects.md", "main_effects.png"} <= set(written)
    assert png_ok(written["main_effects.png"])
    eff = pd.read_csv(written["main_effects.csv"])
    x2 = eff[eff["factor"] == "x2"].sort_values("level")
    assert x2["mean"].diff().iloc[-1] == pytest.approx(-4.0)   # b2 * (2 - 0)

    lo, hi = np.array(ref.LINEAR_PROBLEM["bounds"]).T
    x = qmc.scale(qmc.LatinHypercube(d=4, seed=1).random(60), lo, hi)
    d = write_sweep(tmp_path / "lhs", "lhs", salib_design(x, ref.LINEAR_PROBLEM), ref.linear,
                    samples=x)
    written = an.analyze(d, tmp_path / "lhs_out")
    assert {"lhs.csv", "lhs.md", "lhs.png"} <= set(written) and png_ok(written["lhs.png"])
    corr = pd.read_csv(written["lhs.csv"]).set_index("factor")
    assert corr["rho"].abs().idxmax() == "x2" and corr.loc["x2", "rho"] < 0


# ====================================================================== failed runs
def test_failed_runs_are_excluded_and_counted(tmp_path: Path) -> None:
    # point 5: both replicates failed (Sobol impossible); point 9: one of two failed
    fail = {10, 11, 19}
    d = sobol_sweep(tmp_path / "f", ref.ishigami, ref.ISHIGAMI_PROBLEM, 16, replicates=2,
                    fail=fail, bogus_failed_outcomes=True)
    sweep = an.load_sweep(d)
    assert len(sweep.runs) == 160 and len(sweep.failed) == 3
    assert len(sweep.outcomes) == 157 and sweep.outcomes["y"].max() < 1e3
    agg = an.aggregate(sweep.outcomes, sweep.design).set_index("point")
    assert agg.loc[5, "n"] == 0 and agg.loc[9, "n"] == 1
    written = an.analyze(d, tmp_path / "out", n_boot=N_BOOT)
    assert "sobol.csv" not in written and "convergence.csv" not in written
    summary = written["summary.md"].read_text()
    assert "157 ok, 3 failed" in summary
    assert "ValueError: boom" in summary
    assert "Sobol indices for `y` were not computed: 1 of 80 design points" in summary
    with pytest.raises(ValueError, match="missing"):
        an.sobol_indices(None, an.point_means(agg.reset_index(), "y").to_numpy(),
                         ref.ISHIGAMI_PROBLEM)


def test_incomplete_chunk_is_ignored(tmp_path: Path) -> None:
    d = sobol_sweep(tmp_path / "i", ref.ishigami, ref.ISHIGAMI_PROBLEM, 16, chunks=2)
    (d / "runs" / "chunk-000001.parquet").unlink()       # killed before runs/ was written
    (d / "outcomes" / "chunk-000001.parquet.tmp").write_bytes(b"partial")
    sweep = an.load_sweep(d)
    assert len(sweep.runs) == 40 and sweep.outcomes["run_id"].max() == 39
    written = an.analyze(d, tmp_path / "out", n_boot=N_BOOT)
    summary = written["summary.md"].read_text()
    assert "Incomplete sweep" in summary and "40 runs not recorded" in summary
    assert "sobol.csv" not in written


def test_chunk_without_outcome_columns(tmp_path: Path) -> None:
    d = sobol_sweep(tmp_path / "c", ref.ishigami, ref.ISHIGAMI_PROBLEM, 8, chunks=2,
                    fail=range(20))
    # a worker whose runs all failed may not know the outcome names: ids only
    ids = pa.schema([("run_id", pa.int64()), ("point", pa.int64()), ("replicate", pa.int64())])
    pq.write_table(ids.empty_table(), d / "outcomes" / "chunk-000000.parquet")
    sweep = an.load_sweep(d)
    assert sweep.outcome_names == ["y"] and len(sweep.outcomes) == 20


def test_series_are_read_lazily(tmp_path: Path) -> None:
    d = sobol_sweep(tmp_path / "s", ref.linear, ref.LINEAR_PROBLEM, 8, series=True, fail={3})
    sweep = an.load_sweep(d)
    s = sweep.series(["level"])
    assert list(s.columns) == ["run_id", "point", "replicate", "level"]
    assert len(s) == 3 * (len(sweep.design) - 1) and 3 not in set(s["run_id"])
    assert an.load_sweep(sobol_sweep(tmp_path / "n", ref.linear, ref.LINEAR_PROBLEM,
                                     8)).series() is None


# ========================================================================== helpers
def test_sobol_indices_input_checks() -> None:
    with pytest.raises(ValueError, match="blocks of 5"):
        an.sobol_indices(None, np.ones(11), ref.ISHIGAMI_PROBLEM)
    flat = an.sobol_indices(None, np.ones(40), ref.ISHIGAMI_PROBLEM)
    assert flat["ST"].isna().all()
    with pytest.raises(ValueError, match="trajectories"):
        an.morris_indices(np.zeros((9, 4)), np.zeros(9), ref.LINEAR_PROBLEM)


def test_markdown_table() -> None:
    frame = pd.DataFrame({"name": ["a|b", "c"], "x": [1.234567, np.nan], "n": [3, 4],
                          "flag": [True, False]})
    md = an.markdown_table(frame)
    lines = md.splitlines()
    assert lines[0] == "| name | x | n | flag |"
    assert lines[1] == "|---|---:|---:|---|"
    assert lines[2] == "| a\\|b | 1.235 | 3 | yes |"
    assert lines[3] == "| c | n/a | 4 | no |"
    long = an.markdown_table(pd.DataFrame({"v": range(5)}), max_rows=2)
    assert "First 2 of 5 rows" in long and long.count("\n| ") == 2
