"""The sensitivity study covers every parameter, and docs/gen_sensitivity.py writes its page.

The coverage tests read the parameter table on their own terms (a parameter is numeric if
its value is a number), so a parameter the factor_set silently missed would fail them.
"""

from __future__ import annotations

import fnmatch
import importlib.util
import re
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from experiments.study import FACTOR_SET_EXCLUDED, load_study, shipped_studies
from sim.params import SOURCES, parameter_table

ROOT = Path(__file__).resolve().parent.parent
STUDY = "sensitivity_morris"


def _load_generator():
    spec = importlib.util.spec_from_file_location(
        "gen_sensitivity", ROOT / "docs" / "gen_sensitivity.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses resolve annotations through the module
    spec.loader.exec_module(module)
    return module


gen = _load_generator()


def matches(key: str, patterns) -> bool:
    return any(fnmatch.fnmatchcase(key, p) for p in patterns)


@pytest.fixture(scope="module")
def study():
    return load_study(shipped_studies()[STUDY])


# --- the committed study -----------------------------------------------------------------
def test_every_numeric_parameter_is_varied_unless_documented(study):
    base = study.base_params.model_dump(mode="python")
    documented = (*FACTOR_SET_EXCLUDED, *study.factor_set.exclude)
    expected = []
    for row in parameter_table():
        section, name = row["key"].split(".")
        value = base[section][name]
        if isinstance(value, bool | str):
            continue  # switches and categories: compared as scenario pairs
        assert isinstance(value, int | float), f"{row['key']}: a kind the study cannot vary"
        if matches(row["key"], documented):
            continue
        if row["when"] is not None:
            rule_key, choice = row["when"]
            rule_section, rule_name = rule_key.split(".")
            if base[rule_section][rule_name] != choice:
                continue  # a rule the baseline does not run: inert
        expected.append(row["key"])
    assert study.factor_keys == expected
    assert study.skipped_factors == {}


def test_constants_and_every_source_label_are_varied(study):
    rows = {r["key"]: r for r in parameter_table()}
    varied = [rows[k] for k in study.factor_keys]
    assert {r["source"] for r in varied} == set(SOURCES)
    assert study.factor_set.constants
    assert any(r["tier"] == "constant" for r in varied)
    assert any(r["source"] == "seed" and r["tier"] == "parameter" for r in varied)


def test_study_exclusions_are_seed_labelled_facts_that_exist(study):
    # A renamed or removed fact fails here, so the list stays what its comments say.
    rows = parameter_table()
    for pattern in study.factor_set.exclude:
        hits = [r for r in rows if fnmatch.fnmatchcase(r["key"], pattern)]
        assert hits, f"exclude '{pattern}' matches no parameter"
        assert {r["source"] for r in hits} == {"seed"}, pattern


def test_study_header_explains_each_exclusion():
    text = (ROOT / "experiments" / "studies" / f"{STUDY}.toml").read_text()
    assert "FACTOR_SET_EXCLUDED" in text and "constants = true" in text
    block = text.split("exclude = [", 1)[1].split("]", 1)[0]
    for line in block.strip().splitlines():
        assert re.match(r'\s*"[\w.*]+",\s+# \S', line), f"exclusion without a reason: {line}"


# --- the generator -------------------------------------------------------------------------
TINY = """# A tiny Morris study for the generator's tests.
name = "tiny_morris"
description = "Tiny?"
base = "workshop_small"
replicates = 1
seed = 11
outcomes = ["function_level_2y", "institutionalization_2y"]

[design]
kind = "morris"
samples = 2

[[factors]]
key = "commitment.initial_mean"
bounds = [0.3, 0.6]

[[factors]]
key = "trust.gain_rate"
bounds = [0.05, 0.15]

[[factors]]
key = "ties.regional_meeting_interval"
bounds = [2, 4]
integer = true
"""
SECTIONS = ["# Sensitivity analysis", "## 1. Design", "## 2. Morris screening",
            "### Full ranking", "### Leading factors per outcome",
            "## 3. Sobol' indices of the leading factors",
            "## 4. Convergence of the Sobol' indices",
            "## 5. Stochastic share of the variance"]


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sens")
    (folder / "tiny.toml").write_text(TINY)
    settings = gen.Settings(trajectories=2, morris_replicates=1, top_k=2, sobol_n=8,
                            sobol_replicates=1, n_boot=20)
    page = gen.generate(folder / "tiny.toml", folder / "work", folder / "docs", settings,
                        executor="sequential")
    return folder, page


def test_generator_writes_the_page_with_its_sections_and_figures(tiny_run):
    folder, page = tiny_run
    text = page.read_text()
    assert page == folder / "docs" / "sensitivity.md"
    positions = [text.index(s) for s in SECTIONS]
    assert positions == sorted(positions)
    assert "Smoke run" in text  # not the full settings
    for name in gen.FIGURES.values():
        assert (folder / "docs" / "img" / name).stat().st_size > 0
        assert f"](img/{name})" in text
    assert "{{" not in text and "{%" not in text
    for factor in ("commitment.initial_mean", "trust.gain_rate",
                   "ties.regional_meeting_interval"):
        assert f"| {factor} |" in text  # every factor is in the full ranking
    assert "| assumption |" in text and "| 0-1 |" in text  # source label and unit columns


def test_the_sobol_study_takes_the_screenings_top_k_with_its_bounds_and_seed(tiny_run):
    folder, _ = tiny_run
    morris = pd.read_csv(folder / "work" / "morris" / "analysis" / "morris.csv")
    chosen = gen.top_factors(morris, 2)
    sobol = load_study(folder / "work" / gen.SOBOL_STUDY)
    tiny = load_study(folder / "tiny.toml")
    assert sobol.factor_keys == chosen
    bounds = {f.key: (f.bounds, f.integer) for f in tiny.factors}
    assert all((f.bounds, f.integer) == bounds[f.key] for f in sobol.factors)
    assert sobol.seed == tiny.seed and sobol.base == tiny.base
    assert sobol.outcomes == tiny.outcomes and sobol.design.kind == "sobol"
    sobol_table = pd.read_csv(folder / "work" / "sobol" / "analysis" / "sobol.csv")
    assert set(sobol_table["factor"]) == set(chosen)


def test_a_second_call_resumes_and_reproduces_the_page(tiny_run):
    folder, page = tiny_run
    before = page.read_text()
    runs = sorted((folder / "work" / "morris" / "runs").iterdir())
    settings = gen.Settings(trajectories=2, morris_replicates=1, top_k=2, sobol_n=8,
                            sobol_replicates=1, n_boot=20)
    gen.generate(folder / "tiny.toml", folder / "work", folder / "docs", settings,
                 executor="sequential")
    assert page.read_text() == before
    assert sorted((folder / "work" / "morris" / "runs").iterdir()) == runs


def test_quick_flag_uses_the_quick_sizes_and_its_own_folders(monkeypatch):
    calls = []
    monkeypatch.setattr(gen, "generate", lambda *a, **k: calls.append((a, k)))
    result = CliRunner().invoke(gen.app, ["--quick"])
    assert result.exit_code == 0, result.output
    (args, kwargs), = calls
    study, work, docs, settings = args[:4]
    assert study == gen.MORRIS_STUDY and work == gen.QUICK_WORK and docs == gen.QUICK_WORK
    assert settings == gen.QUICK and gen.QUICK.sobol_n < gen.FULL.sobol_n
    CliRunner().invoke(gen.app, [])
    assert calls[1][0][1:4] == (gen.WORK, gen.DOCS, gen.FULL)


def test_full_settings_follow_the_methods_notes():
    # science_anchors §6.3: Sobol on the top ~8-12; convergence needs N/16 ... N
    assert 8 <= gen.FULL.top_k <= 12
    assert gen.FULL.sobol_n >= 256 and gen.FULL.sobol_n & (gen.FULL.sobol_n - 1) == 0


def test_the_committed_page_is_a_full_run_with_its_sections_and_figures():
    text = (ROOT / "docs" / "sensitivity.md").read_text()
    assert text.startswith("<!-- Generated by docs/gen_sensitivity.py")
    assert "Smoke run" not in text
    positions = [text.index(s) for s in SECTIONS]
    assert positions == sorted(positions)
    for name in gen.FIGURES.values():
        assert f"](img/{name})" in text and (ROOT / "docs" / "img" / name).is_file()
