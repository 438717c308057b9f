"""Study files: loading, every kind of bad file, factor_set expansion and shipped studies."""

from __future__ import annotations

import fnmatch
import math
from pathlib import Path

import numpy as np
import pytest

from experiments.design import build_design, run_plan
from experiments.study import (
    DEFAULT_MODEL,
    FACTOR_SET_EXCLUDED,
    STUDY_DIR,
    StudyError,
    consortium_outputs,
    load_study,
    model_outputs,
    shipped_studies,
    spread_bounds,
)
from sim.params import SECTIONS, parameter_table
from sim.scenario import _CROSS_FIELD_KEYS, load_scenario, with_values

ISHIGAMI = "experiments.reference:ishigami"

# A valid reference-function study and a valid consortium study; cases below edit them.
REF = f"""
model = "{ISHIGAMI}"
replicates = 1
seed = 1
[design]
kind = "sobol"
samples = 8
[[factors]]
key = "x1"
bounds = [-3.14159, 3.14159]
[[factors]]
key = "x2"
bounds = [-3.14159, 3.14159]
"""

CONS = """
base = "workshop_small"
replicates = 1
seed = 1
[design]
kind = "full_factorial"
[[factors]]
key = "grant.state_years"
levels = [3, 4]
"""


def write(folder: Path, text: str, name: str = "study.toml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def error_of(path: Path | str) -> StudyError:
    with pytest.raises(StudyError) as info:
        load_study(path)
    return info.value


def header(**top: str) -> str:
    return "".join(f"{k} = {v}\n" for k, v in top.items())


def sampled(kind: str, factors: str, extra: str = "", design: str = "") -> str:
    samples = "" if kind in ("full_factorial", "ofat") else "samples = 8\n"
    return (f'model = "{ISHIGAMI}"\nreplicates = 1\nseed = 1\n{extra}\n[design]\n'
            f'kind = "{kind}"\n{samples}{design}\n{factors}')


def consortium(kind: str, factors: str, extra: str = "", design: str = "") -> str:
    samples = "" if kind in ("full_factorial", "ofat") else "samples = 8\n"
    return (f'base = "workshop_small"\nreplicates = 1\nseed = 1\n{extra}\n[design]\n'
            f'kind = "{kind}"\n{samples}{design}\n{factors}')


def factor(key: str, body: str) -> str:
    return f'[[factors]]\nkey = "{key}"\n{body}\n'


X1 = factor("x1", "bounds = [-3.0, 3.0]")
X2 = factor("x2", "bounds = [-3.0, 3.0]")

# (id, study text, expected key, expected words in the problem)
BAD: list[tuple[str, str, str, str]] = [
    # syntax, unknown keys at every level, types, ranges
    ("toml-syntax", "replicates = = 1\n", "", "TOML syntax error"),
    ("unknown-top", REF.replace("seed = 1", "seed = 1\nreplicate = 3"), "replicate",
     "unknown key (did you mean 'replicates'?)"),
    ("unknown-design", REF.replace("samples = 8", "samples = 8\nsampels = 8"),
     "design.sampels", "unknown key"),
    ("unknown-factor", sampled("sobol", X1 + factor("x2", "bound = [0.0, 1.0]")),
     "factors[1].bound", "unknown key (did you mean 'bounds'?)"),
    ("unknown-factor-set", consortium("lhs", "") + '[factor_set]\nsources = ["assumption"]\n'
     'spred = 0.5\n',
     "factor_set.spred", "unknown key (did you mean 'spread'?)"),
    ("type-replicates", REF.replace("replicates = 1", 'replicates = "5"'), "replicates",
     "valid integer"),
    ("type-seed", REF.replace("seed = 1", "seed = 1.5"), "seed", "valid integer"),
    ("type-crn", REF.replace("seed = 1", 'seed = 1\ncrn = "yes"'), "crn", "valid boolean"),
    ("type-bounds", sampled("sobol", factor("x1", 'bounds = ["a", 1.0]')),
     "factors[0].bounds[0]", "valid number"),
    ("type-levels", sampled("ofat", factor("x1", "levels = [[1, 2], 3]")),
     "factors[0].levels[0]", "expected bool or int or float or str"),
    ("nan-level", sampled("ofat", factor("x1", "levels = [nan, 3]")),
     "factors[0].levels[0]", "finite number"),
    ("inf-bound", sampled("sobol", factor("x1", "bounds = [0.0, inf]")),
     "factors[0].bounds[1]", "finite number"),
    ("type-factors-table", sampled("sobol", '[factors]\nkey = "x1"\n'), "factors",
     "valid list"),
    ("replicates-0", REF.replace("replicates = 1", "replicates = 0"), "replicates",
     "greater than or equal to 1"),
    ("seed-negative", REF.replace("seed = 1", "seed = -1"), "seed",
     "greater than or equal to 0"),
    ("samples-0", REF.replace("samples = 8", "samples = 0"), "design.samples",
     "greater than or equal to 1"),
    ("chunk-negative", REF.replace("seed = 1", "seed = 1\nchunk_size = -1"), "chunk_size",
     "greater than or equal to 0"),
    ("missing-seed", REF.replace("seed = 1", ""), "seed", "required key missing"),
    ("missing-design", f'model = "{ISHIGAMI}"\nreplicates = 1\nseed = 1\n' + X1, "design",
     "required key missing"),
    ("missing-factor-key", sampled("sobol", "[[factors]]\nbounds = [0.0, 1.0]\n"),
     "factors[0].key", "required key missing"),
    ("unknown-kind", REF.replace('kind = "sobol"', 'kind = "fast"'), "design.kind",
     "'full_factorial', 'ofat', 'lhs', 'sobol', 'morris' or 'points'"),
    ("unknown-timeseries", REF.replace("seed = 1", 'seed = 1\ntimeseries = "daily"'),
     "timeseries", "'none', 'summary' or 'monthly'"),
    ("unknown-distribution", sampled("lhs", factor("x1", 'bounds = [0.0, 1.0]\n'
                                                   'distribution = "beta"')),
     "factors[0].distribution", "'uniform', 'normal', 'triangular' or 'lognormal'"),
    # design options
    ("sobol-not-power-of-2", REF.replace("samples = 8", "samples = 100"), "design.samples",
     "power of 2 (got 100; try 128)"),
    ("morris-odd-levels", sampled("morris", X1, design="levels = 5"), "design.levels",
     "even number"),
    ("option-wrong-kind", sampled("lhs", X1, design="second_order = true"),
     "design.second_order", "applies to sobol, not lhs"),
    ("points-wrong-kind", sampled("sobol", X1, design="points = 5"), "design.points",
     "applies to ofat"),
    ("samples-wrong-kind", sampled("full_factorial", factor("x1", "levels = [1, 2]"),
                                   design="samples = 4"), "design.samples",
     "applies to lhs, sobol and morris, not full_factorial"),
    ("samples-missing", sampled("lhs", X1).replace("samples = 8\n", ""), "design.samples",
     "required for lhs"),
    # factor shapes per design
    ("ofat-neither", sampled("ofat", factor("x1", "")), "factors[0]",
     "ofat needs levels = [...] or bounds"),
    ("ofat-both", sampled("ofat", factor("x1", "levels = [1.0]\nbounds = [0.0, 1.0]")),
     "factors[0]", "give levels or bounds, not both"),
    ("factorial-bounds", sampled("full_factorial", X1), "factors[0]",
     "full_factorial needs levels"),
    ("factorial-both", sampled("full_factorial", factor("x1", "levels = [1]\n"
                                                        "bounds = [0.0, 1.0]")),
     "factors[0].bounds", "full_factorial takes levels only"),
    ("sobol-neither", sampled("sobol", factor("x1", "")), "factors[0]",
     "sobol needs bounds"),
    ("bounds-reversed", sampled("sobol", factor("x1", "bounds = [2.0, 1.0]")),
     "factors[0].bounds", "lower bound must be below the upper bound"),
    ("bounds-equal", sampled("lhs", factor("x1", "bounds = [1.0, 1.0]")),
     "factors[0].bounds", "lower bound must be below the upper bound"),
    ("bounds-three-uniform", sampled("lhs", factor("x1", "bounds = [0.0, 1.0, 0.5]")),
     "factors[0].bounds", "triangular distributions only"),
    ("bounds-one", sampled("lhs", factor("x1", "bounds = [0.0]")), "factors[0].bounds",
     "at least 2 items"),
    ("triangular-peak", sampled("lhs", factor("x1", 'bounds = [0.0, 1.0, 1.0]\n'
                                                    'distribution = "triangular"')),
     "factors[0].bounds", "peak is a fraction of the width in [0, 1)"),
    ("normal-sd", sampled("lhs", factor("x1", 'bounds = [0.0, 0.0]\n'
                                              'distribution = "normal"')),
     "factors[0].bounds", "sd > 0"),
    ("normal-morris", sampled("morris", factor("x1", 'bounds = [0.0, 1.0]\n'
                                                     'distribution = "normal"')),
     "factors[0].distribution", "Morris grids include the 0 and 1 quantiles"),
    ("normal-unscrambled-sobol", sampled("sobol", factor("x1", 'bounds = [0.0, 1.0]\n'
                                                               'distribution = "lognormal"'),
                                         design="scramble = false"),
     "factors[0].distribution", "keep scramble = true"),
    ("distribution-factorial", sampled("full_factorial", factor("x1", 'levels = [1]\n'
                                                                      'distribution = "normal"')),
     "factors[0].distribution", "distributions apply to lhs, sobol and morris"),
    ("integer-with-levels", sampled("ofat", factor("x1", "levels = [1, 2]\ninteger = true")),
     "factors[0].integer", "integer applies to bounds"),
    ("duplicate-level", sampled("ofat", factor("x1", "levels = [1, 2, 1]")),
     "factors[0].levels", "level 1 is given twice"),
    ("duplicate-factor", sampled("sobol", X1 + X2 + X1), "factors[2].key",
     "duplicate factor 'x1' (also factors[0])"),
    ("no-factors", sampled("sobol", ""), "factors", "no factors"),
    # model
    ("model-no-colon", REF.replace(ISHIGAMI, "experiments.reference.ishigami"), "model",
     "expected 'module:function'"),
    ("model-not-registered", REF.replace(ISHIGAMI, "builtins:exec"), "model",
     "'builtins:exec' is not a registered model"),
    ("model-not-registered-either", REF.replace(ISHIGAMI, "subprocess:run"), "model",
     "allow this one with --allow-model subprocess:run"),
    ("model-no-attribute", REF.replace(ISHIGAMI, "experiments.reference:no_such_function"),
     "model", "module 'experiments.reference' has no attribute 'no_such_function'"),
    ("model-not-callable", REF.replace(ISHIGAMI, "experiments.reference:ISHIGAMI_PROBLEM"),
     "model", "is not callable"),
    ("model-option-unknown", REF.replace("seed = 1", "seed = 1\nmodel_options = {c = 2.0}"),
     "model_options.c", "not an option of experiments.reference:ishigami (it takes: noise, "
     "a, b)"),
    ("model-option-reserved", CONS.replace("seed = 1", 'seed = 1\n[model_options]\n'
                                           'scenario = "ccpt_baseline"'),
     "model_options.scenario", "set by the study from 'base'"),
    ("model-option-consortium", CONS.replace("seed = 1", "seed = 1\n[model_options]\n"
                                             "speed = 2"),
     "model_options.speed", "not an option of sim.run:simulate (it takes: none)"),
    ("base-with-other-model", REF.replace("seed = 1", 'seed = 1\nbase = "ccpt_baseline"'),
     "base", "used only by the consortium model"),
    ("factor-set-other-model", REF + '[factor_set]\nsources = ["assumption"]\n', "factor_set",
     "needs model = 'sim.run:simulate'"),
    # outcomes
    ("outcome-unknown", CONS.replace("seed = 1", 'seed = 1\noutcomes = ["sustained_2y", '
                                     '"sustained_2yr"]'),
     "outcomes[1]", "unknown outcome 'sustained_2yr' (did you mean 'sustained_2y'?"),
    ("outcome-twice", REF.replace("seed = 1", 'seed = 1\noutcomes = ["y", "y"]'),
     "outcomes[1]", "outcome 'y' is listed twice"),
    ("outcomes-empty", REF.replace("seed = 1", "seed = 1\noutcomes = []"), "outcomes",
     "at least 1 item"),
    # base scenario and factors checked against it
    ("base-unknown", CONS.replace("workshop_small", "no_such_scenario"), "base",
     "no shipped scenario 'no_such_scenario'"),
    ("key-not-in-scenario", consortium("full_factorial", factor("trust.gain", "levels = [0.1]")),
     "factors[0].key", "'trust.gain' is not a parameter of the base scenario 'workshop_small'"),
    ("key-is-section", consortium("full_factorial", factor("trust", "levels = [0.1]")),
     "factors[0].key", "'trust' is a section"),
    ("level-rejected", consortium("full_factorial", factor("grant.state_years",
                                                           "levels = [3, 11]")),
     "factors[0].levels", "level 11 for 'grant.state_years' is rejected by the base scenario: "
     "grant.state_years: Input should be less than or equal to 10"),
    ("level-wrong-type", consortium("ofat", factor("grant.money", 'levels = [true, "no"]')),
     "factors[0].levels", "level 'no' for 'grant.money' is rejected"),
    ("bound-rejected", consortium("lhs", factor("trust.baseline", "bounds = [0.5, 1.5]")),
     "factors[0].bounds", "bound 1.5 for 'trust.baseline' is rejected by the base scenario"),
    ("bound-needs-integer", consortium("sobol", factor("grant.state_years", "bounds = [3, 8]")),
     "factors[0].integer", "'grant.state_years' takes whole numbers: set integer = true"),
    ("bounds-on-switch", consortium("lhs", factor("grant.money", "bounds = [0, 1]")),
     "factors[0].bounds", "'grant.money' is a switch"),
    ("bounds-on-category", consortium("ofat", factor("region.lead", "bounds = [0, 1]")),
     "factors[0].bounds", "'region.lead' is a category"),
    ("cross-field-share", consortium("morris", factor("grant.staff_share",
                                                      "bounds = [0.2, 0.4]")),
     "factors[0].bounds", "must sum to 1"),
    ("normal-mean-rejected", consortium("lhs", factor("trust.baseline", "bounds = [1.5, 0.1]\n"
                                                      'distribution = "normal"')),
     "factors[0].bounds", "bound 1.5 for 'trust.baseline' is rejected"),
    ("factor-set-factorial", CONS + '[factor_set]\nsources = ["assumption"]\n', "factor_set",
     "full_factorial needs levels"),
    ("factor-set-source", consortium("lhs", "", extra="") + '[factor_set]\n'
     'sources = ["guess"]\n', "factor_set.sources[0]",
     "'seed', 'seed-direction', 'literature', 'literature-direction' or 'assumption'"),
    ("factor-set-spread", consortium("lhs", "") + '[factor_set]\nsources = ["seed"]\n'
     "spread = 0.0\n", "factor_set.spread", "greater than 0"),
    ("factor-set-empty", consortium("lhs", "") + "[factor_set]\nsources = []\n",
     "factor_set.sources", "at least 1 item"),
    ("set-unknown-key", CONS + "[set]\ngrant.state_yeras = 5\n", "set.grant.state_yeras",
     "unknown key"),
    ("set-out-of-range", CONS + "[set]\ntrust.baseline = 1.5\n", "set.trust.baseline",
     "less than or equal to 1"),
    ("set-and-factor", CONS + "[set]\ngrant.state_years = 5\n", "factors[0].key",
     "also fixed in [set]"),
    ("set-other-model", REF + "[set]\nx3 = 1.0\n", "set", "consortium model"),
    # issue 13: hostile but well-typed values get a clear answer
    ("base-empty", CONS.replace('"workshop_small"', '""'), "base", "is empty"),
    ("lognormal-huge-mean", consortium("lhs", factor("trust.baseline", "bounds = [1000, 1]\n"
                                                     'distribution = "lognormal"')),
     "factors[0].bounds", "beyond any parameter's range"),
    ("integer-fractional-bounds", consortium("lhs", factor("trust.baseline",
                                                           "bounds = [0.1, 0.4]\n"
                                                           "integer = true")),
     "factors[0].integer", "the bounds must be whole numbers"),
]


@pytest.mark.parametrize(("text", "key", "problem"), [c[1:] for c in BAD],
                         ids=[c[0] for c in BAD])
def test_bad_study_reports_file_key_and_problem(tmp_path, text, key, problem):
    path = write(tmp_path, text)
    err = error_of(path)
    assert Path(err.file) == path
    assert err.key == key, err
    assert problem in err.problem, err
    assert str(err) == (f"{path}: {key}: {err.problem}" if key else f"{path}: {err.problem}")


def test_set_fixes_scenario_keys_for_every_run(tmp_path):
    study = load_study(write(tmp_path, CONS + "[set]\ntrust.baseline = 0.3\n"
                             "grant.taper_years = 1\n"))
    assert study.settings == {"trust.baseline": 0.3, "grant.taper_years": 1}
    assert study.base_params.trust.baseline == 0.3
    assert study.base_params.grant.taper_years == 1
    assert study.model_options_for_run()["settings"] == study.settings


def test_missing_file(tmp_path):
    err = error_of(tmp_path / "nope.toml")
    assert (Path(err.file), err.key, err.problem) == (tmp_path / "nope.toml", "", "file not found")


@pytest.mark.parametrize(("model", "problem"), [
    ("experiments.no_such_module:f", "cannot import module 'experiments.no_such_module'"),
    ("json:dumps", "must take (params, rng)"),
])
def test_an_allowed_model_is_still_checked(tmp_path, monkeypatch, model, problem):
    monkeypatch.setenv("CONSORTIUM_ALLOW_MODELS", model)  # as --allow-model sets it
    err = error_of(write(tmp_path, REF.replace(ISHIGAMI, model)))
    assert err.key == "model" and problem in err.problem


def test_a_model_needs_allowing_unless_registered(tmp_path, monkeypatch):
    (tmp_path / "kw_model_module.py").write_text(
        "def f(params, rng, **options):\n    return {'y': 0.0}\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delenv("CONSORTIUM_ALLOW_MODELS", raising=False)
    path = write(tmp_path, REF.replace(ISHIGAMI, "kw_model_module:f"))
    assert "not a registered model" in error_of(path).problem
    monkeypatch.setenv("CONSORTIUM_ALLOW_MODELS", "other:g, kw_model_module:*")
    assert load_study(path).model == "kw_model_module:f"


def test_model_module_that_fails_to_import(tmp_path, monkeypatch):
    (tmp_path / "broken_model_module.py").write_text("raise RuntimeError('no licence')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("CONSORTIUM_ALLOW_MODELS", "broken_model_module:f")
    path = write(tmp_path, REF.replace(ISHIGAMI, "broken_model_module:f"))
    err = error_of(path)
    assert err.key == "model"
    assert err.problem == ("importing module 'broken_model_module' failed: RuntimeError: "
                           "no licence")


def test_model_taking_any_keywords_accepts_any_option(tmp_path, monkeypatch):
    (tmp_path / "kw_model_module.py").write_text(
        "def f(params, rng, **options):\n    return {'y': 0.0}\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("CONSORTIUM_ALLOW_MODELS", "kw_model_module:f")
    text = REF.replace(ISHIGAMI, "kw_model_module:f").replace(
        "seed = 1", "seed = 1\nmodel_options = {anything = [1, 2]}")
    assert load_study(write(tmp_path, text)).model_options_for_run() == {"anything": [1, 2]}


def test_a_model_that_declares_itself_is_run_as_the_consortium_model(tmp_path, monkeypatch):
    (tmp_path / "declared_model_module.py").write_text(
        "from experiments.study import consortium_model\n"
        "@consortium_model(outputs='sim.outcomes:OUTCOMES')\n"
        "def f(params, rng, *, scenario=None, outcomes=None, series=False, settings=None):\n"
        "    return {}\n"
        "def g(params, rng):\n    return {}\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("CONSORTIUM_ALLOW_MODELS", "declared_model_module:*")
    assert consortium_outputs("declared_model_module:f") == ("sim.outcomes:OUTCOMES", False)
    assert consortium_outputs("declared_model_module:g") is None
    assert consortium_outputs("no_such_module_here:f") is None
    text = CONS.replace("seed = 1", 'seed = 1\nmodel = "declared_model_module:f"\n'
                        'outcomes = ["sustained_2y"]')
    study = load_study(write(tmp_path, text))
    assert study.is_consortium and study.base_params is not None
    assert study.model_options_for_run()["outcomes"] == ("sustained_2y",)
    err = error_of(write(tmp_path, text.replace('"sustained_2y"', '"sustained_2yy"')))
    assert err.key == "outcomes[0]" and "did you mean 'sustained_2y'" in err.problem
    err = error_of(write(tmp_path, text.replace("replicates = 1",
                                                'replicates = 1\ntimeseries = "summary"')))
    assert err.key == "timeseries" and "returns no time series" in err.problem


def test_invalid_base_scenario_is_reported_at_base(tmp_path):
    write(tmp_path, 'extends = "ccpt_baseline.toml"\n[trust]\nbaseline = 2.0\n', "bad.toml")
    path = write(tmp_path, CONS.replace('"workshop_small"', '"bad.toml"'))
    err = error_of(path)
    assert (Path(err.file), err.key) == (path, "base")
    assert "the base scenario is invalid" in err.problem
    assert "trust.baseline" in err.problem and "bad.toml" in err.problem


def test_every_problem_is_listed(tmp_path):
    # issue 13 §5: "Errors list all problems, not just the first"
    path = write(tmp_path, REF.replace("replicates = 1", "replicates = 0")
                 .replace("seed = 1", "seed = -2\nreplicate = 3")
                 .replace("samples = 8", "samples = 8\nsampels = 8"))
    err = error_of(path)
    assert [p.key for p in err.problems] == ["replicates", "seed", "design.sampels",
                                             "replicate"]
    assert (err.file, err.key, err.problem) == err.problems[0]
    lines = str(err).splitlines()
    assert lines[0] == f"{path}: 4 problems"
    assert lines[1] == "  replicates: Input should be greater than or equal to 1 (got 0)"
    assert lines[4] == "  replicate: unknown key (did you mean 'replicates'?)"


@pytest.mark.parametrize("case", ["missing-seed", "missing-design", "missing-factor-key",
                                  "type-levels"])
def test_a_single_problem_is_not_counted_twice(tmp_path, case):
    text = next(c[1] for c in BAD if c[0] == case)
    assert len(error_of(write(tmp_path, text)).problems) == 1


def test_every_bad_factor_and_outcome_is_listed(tmp_path):
    factors = (factor("grant.state_years", "levels = [3, 99]")
               + factor("grant.nope", "levels = [1]")
               + factor("grant.state_years", "levels = [2]"))
    err = error_of(write(tmp_path, consortium("full_factorial", factors)))
    assert [p.key for p in err.problems] == ["factors[0].levels", "factors[1].key",
                                             "factors[2].key"]
    text = CONS.replace("seed = 1", 'seed = 1\noutcomes = ["sustained_2yr", "x"]')
    assert [p.key for p in error_of(write(tmp_path, text)).problems] == ["outcomes[0]",
                                                                         "outcomes[1]"]


def test_every_problem_of_set_and_of_the_base_is_listed(tmp_path):
    text = CONS.replace("seed = 1", "seed = 1\n[set]\n\"grant.partner_years\" = 99\n"
                        "\"trust.gain_rate\" = 2.0\n")
    err = error_of(write(tmp_path, text))
    assert [p.key for p in err.problems] == ["set.grant.partner_years", "set.trust.gain_rate"]
    write(tmp_path, 'extends = "ccpt_baseline.toml"\n[trust]\nbaseline = 2.0\n'
          "[grant]\nstate_years = -1\n", "bad.toml")
    err = error_of(write(tmp_path, CONS.replace('"workshop_small"', '"bad.toml"')))
    assert [p.key for p in err.problems] == ["base", "base"]
    assert "grant.state_years" in err.problems[0].problem
    assert "trust.baseline" in err.problems[1].problem


# --- good files --------------------------------------------------------------------------------
def test_reference_study_loads_with_defaults(tmp_path):
    study = load_study(write(tmp_path, REF, "ishigami_small.toml"))
    assert study.name == "ishigami_small"  # defaults to the file stem
    assert study.path == tmp_path / "ishigami_small.toml"
    assert study.model == ISHIGAMI and not study.is_consortium
    assert study.base is None and study.base_params is None
    assert (study.replicates, study.seed, study.crn, study.timeseries, study.chunk_size) == (
        1, 1, True, "none", 0)
    assert study.outcomes is None
    assert study.factor_keys == ["x1", "x2"]
    assert study.factors[0].bounds == [-3.14159, 3.14159]
    assert study.model_options_for_run() == {}


def test_reference_model_options_pass_through(tmp_path):
    study = load_study(write(tmp_path, REF.replace("seed = 1", "seed = 1\n[model_options]\n"
                                                   "noise = 0.5")))
    assert study.model_options_for_run() == {"noise": 0.5}


def test_consortium_study_loads(tmp_path):
    text = CONS.replace("seed = 1", 'seed = 1\nname = "grant_length"\n'
                        'outcomes = ["sustained_2y", "function_level_4y"]\n'
                        'timeseries = "summary"')
    study = load_study(write(tmp_path, text))
    assert study.name == "grant_length" and study.model == DEFAULT_MODEL
    assert study.base == "workshop_small" and study.base_ref == "workshop_small"
    assert study.base_params == load_scenario("workshop_small")
    assert study.base_value("grant.state_years") == 3
    assert study.model_options_for_run() == {
        "scenario": "workshop_small", "outcomes": ("sustained_2y", "function_level_4y"),
        "series": True}


def test_default_base_is_the_ccpt_baseline(tmp_path):
    study = load_study(write(tmp_path, CONS.replace('base = "workshop_small"\n', "")))
    assert study.base == "ccpt_baseline"
    opts = study.model_options_for_run()
    assert opts == {"scenario": "ccpt_baseline", "outcomes": None, "series": False}


def test_base_path_is_relative_to_the_study_file(tmp_path):
    (tmp_path / "sub").mkdir()
    write(tmp_path / "sub", 'extends = "ccpt_baseline.toml"\n[trust]\nbaseline = 0.3\n',
          "mine.toml")
    study = load_study(write(tmp_path / "sub", CONS.replace('"workshop_small"', '"mine.toml"')))
    assert study.base_ref == str((tmp_path / "sub" / "mine.toml").resolve())
    assert study.base_value("trust.baseline") == 0.3


def test_every_design_kind_loads(tmp_path):
    for kind in ("full_factorial", "ofat", "lhs", "sobol", "morris"):
        body = "levels = [0.1, 0.2]" if kind == "full_factorial" else "bounds = [0.1, 0.2]"
        study = load_study(write(tmp_path, consortium(kind, factor("trust.baseline", body))))
        assert study.design.kind == kind


def test_model_is_not_called_when_loading(tmp_path, monkeypatch):
    import experiments.reference as reference

    def boom(*args, **kwargs):
        raise AssertionError("the model must not run at load time")

    monkeypatch.setattr(reference, "ishigami", boom)
    assert load_study(write(tmp_path, REF)).factor_keys == ["x1", "x2"]


def test_shipped_study_by_name():
    assert load_study("sobol_top8").path == STUDY_DIR / "sobol_top8.toml"


# --- factor_set --------------------------------------------------------------------------------
def fs_study(tmp_path, sources, spread=0.5, exclude=None, explicit="", base="ccpt_baseline"):
    text = (f'base = "{base}"\nreplicates = 1\nseed = 1\n[design]\nkind = "morris"\n'
            f'samples = 2\n{explicit}\n[factor_set]\nsources = {sources!r}\n'
            f'spread = {spread}\n').replace("'", '"')
    if exclude is not None:
        text += f"exclude = {exclude!r}\n".replace("'", '"')
    return load_study(write(tmp_path, text))


def annotation(key):
    section, name = key.split(".")
    return SECTIONS[section].model_fields[name].annotation


def excluded(key):
    return any(fnmatch.fnmatchcase(key, p) for p in FACTOR_SET_EXCLUDED)


def test_factor_set_takes_numeric_parameters_of_the_sources(tmp_path):
    study = fs_study(tmp_path, ["assumption", "literature"])
    base = load_scenario("ccpt_baseline")

    def chosen(when):  # a rule's parameters count only under the rule the baseline runs
        return when is None or str(study.base_value(when[0])) == when[1]

    expected = [r["key"] for r in parameter_table()
                if r["source"] in ("assumption", "literature")
                and annotation(r["key"]) in (int, float) and not excluded(r["key"])
                and chosen(r["when"])
                and r["tier"] == "parameter"]  # declared constants only when asked for
    assert base.trust.rule == "beta_reputation"
    assert study.factor_keys == expected
    assert len(expected) == 119  # see studies/README.md (morris_screening)
    assert study.skipped_factors == {}
    for f in study.factors:
        assert f.integer == (annotation(f.key) is int)
        assert annotation(f.key) is not bool and annotation(f.key) is not str


def test_factor_set_adds_the_declared_constants_only_when_asked(tmp_path):
    plain = fs_study(tmp_path, ["assumption", "seed-direction"])
    text = (tmp_path / "study.toml").read_text() + "constants = true\n"
    (tmp_path / "study.toml").write_text(text)
    with_constants = load_study(tmp_path / "study.toml")
    constants = {r["key"] for r in parameter_table() if r["tier"] == "constant"
                 and r["source"] in ("assumption", "seed-direction")
                 and annotation(r["key"]) in (int, float) and not excluded(r["key"])}
    assert not constants & set(plain.factor_keys)
    added = set(with_constants.factor_keys) - set(plain.factor_keys)
    assert added == constants - set(with_constants.skipped_factors)
    assert "commitment.value_wins" in added and "trust.formality_weight" not in added


def test_factor_set_takes_rule_parameters_only_under_their_rule(tmp_path):
    beta_keys = {"trust.beta_forgetting", "trust.beta_prior_weight",
                 "trust.beta_negative_weight"}
    asymmetric_keys = {"trust.gain_rate", "trust.loss_ratio", "trust.decay_rate",
                       "trust.age_slowing"}
    default = set(fs_study(tmp_path, ["assumption", "literature"]).factor_keys)
    assert beta_keys <= default and not default & (asymmetric_keys | {"commitment.exit_slope"})
    settings = '[set]\ntrust.rule = "asymmetric"\ncommitment.exit_rule = "logit"\n'
    chosen = set(fs_study(tmp_path, ["assumption", "literature"], explicit=settings)
                 .factor_keys)
    assert chosen == (default - beta_keys) | asymmetric_keys | {"commitment.exit_slope"}


def test_factor_set_excludes_cross_field_keys_and_outcomes(tmp_path):
    keys = set(fs_study(tmp_path, ["seed", "assumption", "literature"]).factor_keys)
    cross = {k for ks in _CROSS_FIELD_KEYS.values() for k in ks}
    assert cross and not cross & keys
    assert not {k for k in keys if k.startswith("outcomes.")}
    assert not {k for k in keys if k.startswith("region.n_") and k != "region.n_industry_sectors"}
    assert "region.n_industry_sectors" in keys  # a seed-sourced count of sectors, not orgs
    assert "grant.money" not in keys and "grant.administered_by" not in keys


def test_factor_set_bounds_contain_the_base_value_and_validate(tmp_path):
    study = fs_study(tmp_path, ["seed", "assumption", "literature"])
    base = study.base_params
    limits = {r["key"]: (r["low"], r["high"]) for r in parameter_table()}
    for f in study.factors:
        lo, hi = f.bounds
        value = study.base_value(f.key)
        assert lo < hi, f.key
        assert lo <= value <= hi, f.key
        low, high = limits[f.key]
        assert (low is None or lo >= low) and (high is None or hi <= high), f.key
        for v in (lo, hi):
            with_values(base, {f.key: int(v) if f.integer else v})


def test_factor_set_spreads_around_the_scenario_value(tmp_path):
    write(tmp_path, 'extends = "ccpt_baseline.toml"\n[trust]\nrule = "asymmetric"\n'
          'gain_rate = 0.2\n', "gain.toml")
    study = fs_study(tmp_path, ["assumption"], spread=0.25, base="gain.toml")
    by_key = {f.key: f for f in study.factors}
    assert by_key["trust.gain_rate"].bounds == pytest.approx([0.15, 0.25])
    assert by_key["trust.baseline"].bounds == pytest.approx([0.1125, 0.1875])  # 0.15 +/- 25%


def test_factor_set_exclude_globs_and_explicit_factors(tmp_path):
    explicit = '[[factors]]\nkey = "trust.baseline"\nbounds = [0.01, 0.02]\n'
    study = fs_study(tmp_path, ["assumption", "literature"], exclude=["trust.*", "ties.bridge_*"],
                     explicit=explicit)
    keys = study.factor_keys
    assert keys[0] == "trust.baseline" and study.factors[0].bounds == [0.01, 0.02]
    assert keys.count("trust.baseline") == 1
    assert not [k for k in keys[1:] if k.startswith("trust.")]
    assert "ties.bridge_factor" not in keys and "ties.dissolution_rate" in keys
    full = fs_study(tmp_path, ["assumption", "literature"]).factor_keys
    trust = [k for k in full if k.startswith("trust.")]
    assert len(trust) == 11  # the Beta rule's three, not the asymmetric rule's four
    assert len(keys) == len(full) - len(trust) - 1 + 1  # minus trust.*, bridge; plus explicit


def test_factor_set_whole_numbers_widen_when_rounding_collapses(tmp_path):
    study = fs_study(tmp_path, ["assumption"], spread=0.1)
    by_key = {f.key: f for f in study.factors}
    # 3 * (1 -/+ 0.1) rounds to [3, 3]: widened to 3 -/+ 1
    assert by_key["ties.regional_meeting_interval"].bounds == [2, 4]
    # 0 has no scale: [0, 0.1 * (min(6, 1) - 0)] rounds to [0, 0]: widened to [0, 1] (low is 0)
    assert by_key["grant.taper_years"].bounds == [0, 1]
    assert by_key["ties.inactive_window_months"].bounds == [5, 7]  # rint(5.4), rint(6.6)


@pytest.mark.parametrize(("value", "low", "high", "spread", "expected"), [
    (0.1, 0, 1, 0.5, (0.05, 0.15)),
    (0.8, 0, 1, 0.5, (0.4, 1.0)),              # clipped at the top of the range
    (-0.35, -2, 2, 0.5, (-0.525, -0.175)),     # negative values keep lo < hi
    (0.0, 0, 1, 0.5, (0.0, 0.5)),              # zero: [low, low + spread * (min(high,1) - low)]
    (0.0, 0, 24, 0.5, (0.0, 0.5)),
    (0.0, 0, 0.2, 0.5, (0.0, 0.1)),
    (0.3, -0.1, 0.7, 1.0, (0.0, 0.6)),
    (110.0, 20, 400, 0.5, (55.0, 165.0)),
])
def test_spread_bounds(value, low, high, spread, expected):
    assert spread_bounds(value, low, high, spread) == pytest.approx(expected)


# --- shipped studies ---------------------------------------------------------------------------
def test_studies_are_shipped():
    assert {"morris_screening", "sobol_top8", "ofat_grant_length"} <= set(shipped_studies())


@pytest.mark.parametrize("name", sorted(shipped_studies()))
def test_shipped_study_is_documented_and_loads(name):
    path = shipped_studies()[name]
    text = path.read_text(encoding="utf-8")
    assert text.startswith("#") and "Runs:" in text
    study = load_study(path)
    assert study.name == name and study.description.endswith("?")
    assert study.is_consortium and study.outcomes
    assert set(study.outcomes) <= set(model_outputs(study.model))
    assert f"experiments/studies/{name}.toml" in (STUDY_DIR / "README.md").read_text()


def test_sobol_top8_brackets_the_baseline():
    study = load_study("sobol_top8")
    assert len(study.factors) == 8
    for f in study.factors:
        lo, hi = f.bounds
        assert lo < study.base_value(f.key) < hi, f.key


def test_grant_length_study_has_room_for_four_post_grant_years():
    study = load_study("ofat_grant_length")
    levels = {f.key: f.levels for f in study.factors}
    base = study.base_params.grant
    longest = (max(levels["grant.state_years"]) + base.taper_years + base.partner_years
               + base.planning_months / 12)
    assert longest + 4 <= study.settings["outcomes.horizon_years"]
    assert study.base_params.outcomes.horizon_years == study.settings["outcomes.horizon_years"]
    assert study.model_options_for_run()["settings"] == {"outcomes.horizon_years": 13}
    assert math.prod(len(v) for v in levels.values()) == 54


def test_model_applies_the_set_table():
    import numpy as np

    from sim.run import simulate
    out = simulate({}, np.random.default_rng(1), scenario="workshop_small", series=True,
                   settings={"outcomes.horizon_years": 13})
    assert len(out["function_level"]) == 13 * 12
    plain = simulate({}, np.random.default_rng(1), scenario="workshop_small", series=True)
    assert len(plain["function_level"]) == 10 * 12


# --- points designs --------------------------------------------------------------------------
POINTS = 'replicates = 2\nseed = 1\noutcomes = ["sustained_2y"]\n[design]\nkind = "points"\n'


@pytest.mark.parametrize("csv, extra, key, problem", [
    (None, 'file = "pts.csv"\n', "design.file", "no such file"),
    ("", 'file = "pts.csv"\n', "design.file", "cannot read"),
    ("trust.gain_rate\n0.1\n\n", "", "design.file", "required for points"),
    ("trust.gain_rate,trust.baseline\n0.1,\n", 'file = "pts.csv"\n', "design.file",
     "column 'trust.baseline' has no value in row 1"),
    ("trust.gain_rat\n0.1\n", 'file = "pts.csv"\n', "design.file",
     "column 'trust.gain_rat' of pts.csv: 'trust.gain_rat' is not a parameter"),
    ("trust.gain_rate\n7.0\n", 'file = "pts.csv"\n', "design.file",
     "column 'trust.gain_rate' of pts.csv: level 7.0"),
    ("trust.gain_rate\n0.1\n", 'file = "pts.csv"\nsamples = 3\n', "design.samples",
     "applies to lhs, sobol and morris, not points"),
    ("trust.gain_rate\n0.1\n", 'file = "pts.csv"\n[[factors]]\nkey = "trust.baseline"\n'
     "levels = [0.1]\n", "factors", "takes its factors from the columns"),
], ids=["missing-file", "empty-file", "no-file-key", "missing-value", "unknown-column",
        "out-of-range", "samples-option", "factors-too"])
def test_a_bad_points_design_names_the_file_and_column(tmp_path, csv, extra, key, problem):
    if csv is not None:
        (tmp_path / "pts.csv").write_text(csv)
    path = write(tmp_path, POINTS + extra)
    err = error_of(path)
    assert err.key == key and problem in err.problem, err


def test_a_points_design_runs_the_rows_of_its_file_in_order(tmp_path):
    (tmp_path / "pts.csv").write_text("trust.gain_rate,ties.regional_meeting_interval\n"
                                      "0.12,4\n0.08,2\n0.12,4\n")
    study = load_study(write(tmp_path, POINTS + 'file = "pts.csv"\n'))
    design = build_design(study)
    assert design.kind == "points" and design.factors == study.factor_keys
    assert design.table["trust.gain_rate"].tolist() == [0.12, 0.08, 0.12]
    assert design.table["ties.regional_meeting_interval"].dtype == np.int64
    assert len(run_plan(study, design)) == 6


# ------------------------------------------------------------------ sizes (issue 13 §2)
THREE_FACTORS = (factor("trust.baseline", "bounds = [0.1, 0.5]")
                 + factor("grant.now_share", "bounds = [0.2, 0.8]")
                 + factor("trust.positive_rate", "bounds = [0.2, 0.8]"))


@pytest.mark.parametrize(("text", "runs"), [
    (consortium("lhs", THREE_FACTORS).replace("replicates = 1", "replicates = 1000000000"),
     "8e+09 runs"),
    (consortium("sobol", THREE_FACTORS).replace("samples = 8", f"samples = {2 ** 40}"),
     "5.5e+12 runs"),
    (consortium("morris", THREE_FACTORS).replace("samples = 8", "samples = 100000000"),
     "4e+08 runs"),
    (consortium("full_factorial", "".join(factor(f"trust.{k}", "levels = [0.2, 0.3]") for k in (
        "baseline", "positive_rate", "negative_rate", "cross_sector_gain", "ta_boost",
        "spanner_boost", "referral_weight", "active_threshold", "formality_weight",
        "wins_base", "agreement_formality", "data_formality", "backbone_trust_share",
        "turnover_retention", "formalization_transfer", "institutional_decay",
        "power_gap_penalty", "beta_forgetting", "beta_negative_weight", "decay_rate",
        "loss_ratio", "gain_rate", "age_slowing", "beta_prior_weight"))),
     "1.68e+07 runs"),
])
def test_a_study_too_big_to_run_is_refused_before_anything_is_drawn(tmp_path, text, runs):
    err = error_of(write(tmp_path, text))
    assert err.key == "design" and runs in err.problem, err
    assert "on 2 cores" in err.problem and "at most 10,000,000 runs" in err.problem


def test_planned_points_count_the_design_without_drawing_it(tmp_path):
    from experiments.design import build_design
    from experiments.study import planned_points

    for kind, extra in (("lhs", ""), ("sobol", ""), ("sobol", "second_order = true\n"),
                        ("morris", ""), ("ofat", "points = 3\n")):
        text = consortium(kind, THREE_FACTORS, design=extra)
        if kind == "ofat":
            text = text.replace("samples = 8\n", "")
        study = load_study(write(tmp_path, text))
        assert planned_points(study) == build_design(study).n_points, (kind, extra)
