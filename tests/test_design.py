"""Designs, run plans and seeds: structure, sampler properties, reproducibility, CRN."""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from SALib.sample import morris as salib_morris
from SALib.sample import sobol as salib_sobol
from scipy import stats
from scipy.stats import qmc

from experiments.design import (
    CHUNK_MAX,
    DESIGN_SPAWN_KEY,
    auto_chunk_size,
    build_design,
    design_seed,
    run_plan,
    run_seed,
    salib_problem,
)
from experiments.study import StudyError, load_study, planned_points, shipped_studies

ISHIGAMI = "experiments.reference:ishigami"
PI = math.pi


def study_of(tmp_path: Path, kind: str, factors: str, *, design: str = "", seed: int = 7,
             replicates: int = 3, crn: bool = True, consortium: bool = False):
    head = ('base = "workshop_small"\n' if consortium else f'model = "{ISHIGAMI}"\n')
    text = (f"{head}replicates = {replicates}\nseed = {seed}\ncrn = {str(crn).lower()}\n"
            f'[design]\nkind = "{kind}"\n{design}\n{factors}')
    path = tmp_path / f"{kind}_{seed}_{replicates}_{crn}.toml"
    path.write_text(text, encoding="utf-8")
    return load_study(path)


def factors(*specs: tuple[str, str]) -> str:
    return "".join(f'[[factors]]\nkey = "{k}"\n{body}\n' for k, body in specs)


UNIFORM3 = factors(("x1", f"bounds = [{-PI}, {PI}]"), ("x2", f"bounds = [{-PI}, {PI}]"),
                   ("x3", f"bounds = [{-PI}, {PI}]"))


# --- full factorial ----------------------------------------------------------------------------
def test_full_factorial_has_every_combination_once_first_factor_slowest(tmp_path):
    study = study_of(tmp_path, "full_factorial", factors(
        ("x1", "levels = [1, 2]"), ("x2", 'levels = ["a", "b", "c"]'),
        ("x3", "levels = [true, false]")))
    design = build_design(study)
    table = design.table
    assert design.kind == "full_factorial" and design.factors == ["x1", "x2", "x3"]
    assert list(table.columns) == ["point", "x1", "x2", "x3"]
    assert len(table) == 2 * 3 * 2 and table["point"].tolist() == list(range(12))
    rows = list(table[["x1", "x2", "x3"]].itertuples(index=False, name=None))
    assert rows == list(itertools.product([1, 2], ["a", "b", "c"], [True, False]))
    assert len(set(rows)) == 12
    assert table["x1"].dtype == np.int64 and table["x3"].dtype == bool
    assert design.problem is None and design.samples is None


def test_full_factorial_of_consortium_levels_keeps_types(tmp_path):
    study = study_of(tmp_path, "full_factorial", factors(
        ("grant.state_years", "levels = [3, 5, 8]"), ("grant.money", "levels = [true, false]"),
        ("trust.baseline", "levels = [0.1, 0.2]")), consortium=True)
    table = build_design(study).table
    assert len(table) == 12
    assert table.dtypes.to_dict() == {"point": np.int64, "grant.state_years": np.int64,
                                      "grant.money": bool, "trust.baseline": np.float64}


# --- OFAT --------------------------------------------------------------------------------------
def test_ofat_varies_one_factor_at_a_time_around_the_base(tmp_path):
    study = study_of(tmp_path, "ofat", factors(
        ("x1", "bounds = [-1.0, 1.0]"), ("x2", "levels = [0, 1, 2, 3]"),
        ("x3", "bounds = [0, 4]\ninteger = true")), design="points = 5")
    design = build_design(study)
    table = design.table
    assert list(table.columns) == ["point", "x1", "x2", "x3", "varied"]
    base = {"x1": 0.0, "x2": 1, "x3": 2}  # midpoint, lower middle level, rounded midpoint
    assert table.iloc[0][["x1", "x2", "x3"]].to_dict() == base
    assert table["varied"].iloc[0] == "base"
    curves = {"x1": [-1.0, -0.5, 0.0, 0.5, 1.0], "x2": [0, 1, 2, 3], "x3": [0, 1, 2, 3, 4]}
    # the base point runs once: each factor's own points are its values other than the base
    assert (table["varied"] == "base").sum() == 1
    assert len(table) == 1 + sum(len(v) - 1 for v in curves.values()) == 12
    for key, values in curves.items():
        rows = table[table["varied"] == key]
        assert rows[key].tolist() == [v for v in values if v != base[key]]
        others = [k for k in base if k != key]
        assert (rows[others] == pd.Series({k: base[k] for k in others})).all().all()
    assert table["x3"].dtype == np.int64
    assert design.options == {"points": 5}


def test_ofat_integer_bounds_do_not_repeat_values(tmp_path):
    study = study_of(tmp_path, "ofat", factors(("x1", "bounds = [0, 3]\ninteger = true")),
                     design="points = 9")
    table = build_design(study).table
    assert table["x1"].tolist() == [2, 0, 1, 3]   # base (rounded midpoint 1.5), then others


def test_ofat_base_is_the_base_scenario(tmp_path):
    study = study_of(tmp_path, "ofat", factors(
        ("trust.baseline", "bounds = [0.05, 0.45]"), ("grant.state_years", "levels = [2, 3, 6]")),
        design="points = 3", consortium=True)
    table = build_design(study).table
    assert table.iloc[0][["trust.baseline", "grant.state_years"]].tolist() == [0.15, 3]
    assert table.loc[table["varied"] == "trust.baseline", "trust.baseline"].tolist() == \
        pytest.approx([0.05, 0.25, 0.45])
    sweep = table[table["varied"] == "grant.state_years"]
    assert sweep["grant.state_years"].tolist() == [2, 6]  # the base value 3 is point 0
    assert (sweep["trust.baseline"] == 0.15).all()
    assert table["varied"].tolist().count("base") == 1 and len(table) == 1 + 3 + 2


def test_ofat_base_runs_once_with_the_seeds_of_every_point(tmp_path):
    # Two factors whose levels hold the base: n = 1 + sum(levels - 1), one shared base row.
    study = study_of(tmp_path, "ofat", factors(("x1", "levels = [1, 2, 3]"),
                                               ("x2", "levels = [10, 20, 30, 40, 50]")),
                     replicates=2)
    design = build_design(study)
    table = design.table
    assert design.n_points == 1 + (3 - 1) + (5 - 1)
    assert table["varied"].tolist() == ["base", "x1", "x1", "x2", "x2", "x2", "x2"]
    assert not table.duplicated(subset=["x1", "x2"]).any()  # no point repeats the base
    assert planned_points(study) == design.n_points
    plan = run_plan(study, design)
    assert len(plan) == 7 * 2
    # common random numbers: the one base point shares replicate seeds with every curve
    assert plan.groupby("replicate")["spawn_key"].nunique().tolist() == [1, 1]


def test_ofat_a_base_off_the_grid_adds_no_point(tmp_path):
    # x1's midpoint 0.25 is not on its 3-point grid: all 3 values are points of their own.
    study = study_of(tmp_path, "ofat", factors(("x1", "bounds = [0.0, 0.5]"),
                                               ("x2", "levels = [1, 2]")), design="points = 3")
    design = build_design(study)
    assert design.table["varied"].tolist() == ["base", "x1", "x1", "x2"]
    assert design.table["x1"].tolist() == [0.25, 0.0, 0.5, 0.25]
    assert planned_points(study) == design.n_points == 4


# --- Latin hypercube ---------------------------------------------------------------------------
@pytest.mark.parametrize("scramble", [True, False])
def test_lhs_puts_one_point_in_every_stratum(tmp_path, scramble):
    n = 50
    study = study_of(tmp_path, "lhs", factors(("x1", "bounds = [-2.0, 6.0]"),
                                              ("x2", "bounds = [0.0, 1.0]"),
                                              ("x3", "bounds = [10.0, 11.0]")),
                     design=f"samples = {n}\nscramble = {str(scramble).lower()}")
    design = build_design(study)
    bounds = np.array(design.problem["bounds"])
    unit = (design.samples - bounds[:, 0]) / (bounds[:, 1] - bounds[:, 0])
    assert design.samples.shape == (n, 3)
    for j in range(3):
        assert sorted(np.floor(unit[:, j] * n).astype(int)) == list(range(n))
    assert np.allclose(design.table[design.factors].to_numpy(), design.samples)


def test_lhs_is_scipys_sampler_seeded_from_the_root_seed(tmp_path):
    study = study_of(tmp_path, "lhs", UNIFORM3, design="samples = 20", seed=11)
    design = build_design(study)
    unit = qmc.LatinHypercube(d=3, rng=design_seed(11)).random(20)
    assert np.allclose(design.samples, -PI + unit * 2 * PI)
    assert design.options["seed"] == design_seed(11)


def test_lhs_is_reproducible_and_depends_on_the_seed(tmp_path):
    a = build_design(study_of(tmp_path, "lhs", UNIFORM3, design="samples = 16", seed=1))
    b = build_design(study_of(tmp_path, "lhs", UNIFORM3, design="samples = 16", seed=1,
                              replicates=9, crn=False))
    c = build_design(study_of(tmp_path, "lhs", UNIFORM3, design="samples = 16", seed=2))
    assert np.array_equal(a.samples, b.samples)  # replicates and CRN do not touch the design
    pd.testing.assert_frame_equal(a.table, b.table)
    assert not np.allclose(a.samples, c.samples)


def test_distributions_follow_their_parameters(tmp_path):
    n = 4000
    study = study_of(tmp_path, "lhs", factors(
        ("a", 'bounds = [5.0, 2.0]\ndistribution = "normal"'),
        ("b", 'bounds = [0.0, 0.5]\ndistribution = "lognormal"'),
        ("c", 'bounds = [0.0, 1.0, 0.25]\ndistribution = "triangular"'),
        ("d", 'bounds = [2.0, 4.0]\ndistribution = "triangular"'),
        ("e", "bounds = [1.0, 3.0]")), design=f"samples = {n}")
    design = build_design(study)
    assert design.problem["dists"] == ["norm", "lognorm", "triang", "triang", "unif"]
    assert design.problem["bounds"][3] == [2.0, 4.0, 0.5]  # peak defaults to the middle
    a, b, c, d, e = design.samples.T
    assert a.mean() == pytest.approx(5.0, abs=0.02) and a.std() == pytest.approx(2.0, rel=0.02)
    assert np.log(b).mean() == pytest.approx(0.0, abs=0.01)
    assert np.log(b).std() == pytest.approx(0.5, rel=0.02)
    assert c.mean() == pytest.approx((0 + 1 + 0.25) / 3, abs=0.005)
    assert stats.kstest(c, stats.triang(c=0.25, loc=0, scale=1).cdf).pvalue > 0.01
    assert d.mean() == pytest.approx(3.0, abs=0.005) and 2 <= d.min() and d.max() <= 4
    assert e.mean() == pytest.approx(2.0, abs=0.005) and 1 <= e.min() and e.max() <= 3


def test_normal_tails_the_scenario_rejects_stop_the_design(tmp_path):
    study = study_of(tmp_path, "lhs", factors(
        ("trust.baseline", 'bounds = [0.15, 0.2]\ndistribution = "normal"')),
        design="samples = 500", consortium=True)
    with pytest.raises(StudyError) as info:
        build_design(study)
    err = info.value
    assert err.key == "factors[0].bounds" and Path(err.file) == study.path
    assert "normal distribution draws" in err.problem and "narrow the sd" in err.problem


# --- Sobol' ------------------------------------------------------------------------------------
@pytest.mark.parametrize(("second_order", "rows"), [(False, 64 * (3 + 2)),
                                                    (True, 64 * (2 * 3 + 2))])
def test_sobol_is_salibs_saltelli_sample(tmp_path, second_order, rows):
    study = study_of(tmp_path, "sobol", UNIFORM3,
                     design=f"samples = 64\nsecond_order = {str(second_order).lower()}", seed=5)
    design = build_design(study)
    assert design.samples.shape == (rows, 3)
    problem = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[-PI, PI]] * 3}
    assert design.problem == problem
    expected = salib_sobol.sample(problem, 64, calc_second_order=second_order, seed=design_seed(5))
    assert np.array_equal(design.samples, expected)
    assert np.array_equal(design.table[design.factors].to_numpy(), expected)
    assert design.options == {"N": 64, "second_order": second_order, "scramble": True,
                              "seed": design_seed(5), "integer": []}


def test_integer_factors_are_rounded_in_the_table_only(tmp_path):
    study = study_of(tmp_path, "sobol", factors(("x1", "bounds = [0, 10]\ninteger = true"),
                                                ("x2", "bounds = [0.0, 1.0]")),
                     design="samples = 32")
    design = build_design(study)
    raw = design.samples[:, 0]
    assert not np.all(raw == np.rint(raw))
    assert design.table["x1"].dtype == np.int64
    assert np.array_equal(design.table["x1"].to_numpy(), np.rint(raw).astype(np.int64))
    assert design.table["x1"].between(0, 10).all()
    assert design.options["integer"] == ["x1"]


# --- Morris ------------------------------------------------------------------------------------
def test_morris_trajectories_move_one_factor_per_step_on_the_grid(tmp_path):
    r, k, p = 6, 4, 4
    study = study_of(tmp_path, "morris", factors(*[(f"x{i}", "bounds = [0.0, 3.0]")
                                                   for i in range(k)]),
                     design=f"samples = {r}\nlevels = {p}", seed=3)
    design = build_design(study)
    x = design.samples
    assert x.shape == (r * (k + 1), k)
    assert set(np.unique(x)) <= {0.0, 1.0, 2.0, 3.0}  # lo + j / (p - 1) * (hi - lo)
    for t in range(r):
        steps = np.diff(x[t * (k + 1):(t + 1) * (k + 1)], axis=0)
        assert ((steps != 0).sum(axis=1) == 1).all()
        moved = [int(np.flatnonzero(step)[0]) for step in steps]
        assert sorted(moved) == list(range(k))  # each factor moves once per trajectory
    expected = salib_morris.sample(salib_problem(study.factors), N=r, num_levels=p,
                                   seed=design_seed(3))
    assert np.array_equal(x, expected)
    assert design.options == {"N": r, "levels": p, "seed": design_seed(3), "integer": []}


# --- run plan and seeds ------------------------------------------------------------------------
def plan_of(tmp_path, crn, replicates=3, seed=42):
    study = study_of(tmp_path, "full_factorial", factors(("x1", "levels = [0.0, 1.0]"),
                                                         ("x2", "levels = [5, 6]")),
                     replicates=replicates, crn=crn, seed=seed)
    design = build_design(study)
    return study, design, run_plan(study, design)


def streams(plan):
    return [run_seed(int(e), k).generate_state(4).tolist()
            for e, k in zip(plan["seed_entropy"], plan["spawn_key"], strict=True)]


def test_run_plan_numbers_runs_point_major(tmp_path):
    study, design, plan = plan_of(tmp_path, crn=True)
    assert list(plan.columns) == ["run_id", "point", "replicate", "seed_entropy", "spawn_key",
                                  "x1", "x2"]
    assert len(plan) == design.n_points * study.replicates == 12
    assert (plan["run_id"] == plan["point"] * 3 + plan["replicate"]).all()
    assert plan["run_id"].tolist() == list(range(12))
    assert plan["seed_entropy"].eq("42").all()
    for col in ("x1", "x2"):
        assert plan[col].tolist() == design.table[col].iloc[plan["point"]].tolist()
    assert plan["x2"].dtype == np.int64


def test_crn_gives_replicate_r_the_same_stream_at_every_point(tmp_path):
    _, _, plan = plan_of(tmp_path, crn=True)
    assert plan["spawn_key"].tolist() == ["0", "1", "2"] * 4
    state = streams(plan)
    root = np.random.SeedSequence(42).spawn(3)
    for i, r in enumerate(plan["replicate"]):
        assert state[i] == state[r]  # same stream as point 0's replicate r
        assert state[i] == root[r].generate_state(4).tolist()
    draws = [np.random.default_rng(run_seed(e, k)).random(3).tolist()
             for e, k in zip(plan["seed_entropy"], plan["spawn_key"], strict=True)]
    assert draws[0] == draws[3] == draws[6] and draws[0] != draws[1]


def test_without_crn_every_run_has_its_own_stream(tmp_path):
    _, design, plan = plan_of(tmp_path, crn=False)
    assert plan["spawn_key"].tolist()[:4] == ["0,0", "0,1", "0,2", "1,0"]
    state = streams(plan)
    assert len({tuple(s) for s in state}) == len(plan)
    children = [point.spawn(3) for point in np.random.SeedSequence(42).spawn(design.n_points)]
    for i, (p, r) in enumerate(zip(plan["point"], plan["replicate"], strict=True)):
        assert state[i] == children[p][r].generate_state(4).tolist()


def test_run_plan_is_reproducible_and_seeded_by_the_root_seed(tmp_path):
    _, _, a = plan_of(tmp_path, crn=False)
    _, _, b = plan_of(tmp_path, crn=False)
    _, _, c = plan_of(tmp_path, crn=False, seed=43)
    pd.testing.assert_frame_equal(a, b)
    assert streams(a) == streams(b)
    assert not set(map(tuple, streams(a))) & set(map(tuple, streams(c)))


def test_design_seed_is_not_a_run_seed():
    assert DESIGN_SPAWN_KEY == (2**31,)
    design_state = np.random.SeedSequence(9, spawn_key=DESIGN_SPAWN_KEY).generate_state(4)
    runs = [np.random.SeedSequence(9, spawn_key=(r,)).generate_state(4) for r in range(50)]
    assert not any(np.array_equal(design_state, s) for s in runs)
    assert design_seed(9) == int(design_state[0]) and design_seed(9) != design_seed(10)


def test_run_seed_accepts_stored_text_and_tuples():
    assert run_seed("42", "12,3").spawn_key == (12, 3)
    assert run_seed(42, (12, 3)).generate_state(2).tolist() == \
        np.random.SeedSequence(42).spawn(13)[12].spawn(4)[3].generate_state(2).tolist()
    assert run_seed(7, "5").spawn_key == (5,)


@pytest.mark.parametrize(("n_runs", "workers", "expected"), [
    (0, 4, 1), (10, 2, 1), (16, 2, 1), (17, 2, 2), (1000, 2, 63), (1080, 2, 64),
    (12_800, 2, 64), (10**7, 64, 64), (100, 0, 13),
])
def test_auto_chunk_size(n_runs, workers, expected):
    size = auto_chunk_size(n_runs, workers)
    assert size == expected
    assert 1 <= size <= CHUNK_MAX
    if size < CHUNK_MAX and n_runs >= 8 * max(workers, 1):
        assert math.ceil(n_runs / size) >= 4 * max(workers, 1)  # at least 4 chunks per worker


# --- shipped studies ---------------------------------------------------------------------------
RUN_COUNTS = {"ofat_grant_length": 1_080, "morris_screening": 6_000, "sobol_top8": 12_800,
              "calibration_lhs": 10_000, "calibration_lhs_asymmetric": 10_000,
              "calibration_lhs_confirm": 1_000, "calibration_identified": 400,
              "calibration_lhs_asymmetric_confirm": 1_000, "calibration_default": 600}


@pytest.mark.parametrize("name", sorted(RUN_COUNTS),
                         ids=[f"{n}-{RUN_COUNTS[n]}-runs" for n in sorted(RUN_COUNTS)])
def test_shipped_study_builds_its_design_and_plan(name):
    study = load_study(shipped_studies()[name])
    design = build_design(study)
    plan = run_plan(study, design)
    assert len(plan) == RUN_COUNTS[name]
    assert design.factors == study.factor_keys
    assert plan["run_id"].is_monotonic_increasing and plan["run_id"].is_unique
    if design.problem is not None:
        assert design.samples.shape == (design.n_points, len(design.factors))
        assert design.problem["names"] == design.factors
