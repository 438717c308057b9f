"""The README's Python example and scenario-file example run as written."""

import re
from pathlib import Path

import pytest

from sim.scenario import load_scenario

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()


def _blocks(lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", README, flags=re.S)


def test_python_example_runs(capsys):
    (code,) = _blocks("python")
    exec(compile(code, "README.md", "exec"), {})
    printed = float(capsys.readouterr().out.strip())
    assert 0.0 <= printed <= 1.0


def test_scenario_file_example_loads(tmp_path):
    (toml,) = _blocks("toml")
    path = tmp_path / "my_design.toml"
    path.write_text(toml)
    params = load_scenario(path)
    assert params.name == "my_design"
    assert params.grant.planning_months == 12
    assert params.grant.taper_years == 2
    baseline = load_scenario("ccpt_baseline")
    assert params.region == baseline.region


@pytest.mark.parametrize("name", ["ccpt_baseline", "tulare_kings"])
def test_tour_scenarios_exist(name):
    assert f"consortium run {name}" in README
    load_scenario(name)


EXPERIMENTS_README = (Path(__file__).resolve().parent.parent / "experiments" / "README.md")


def test_study_file_example_loads(tmp_path):
    from experiments.design import build_design
    from experiments.study import load_study

    (toml,) = re.findall(r"```toml\n(.*?)```", EXPERIMENTS_README.read_text(), flags=re.S)
    path = tmp_path / "grant_length.toml"
    path.write_text(toml)
    study = load_study(path)
    assert study.factor_keys == ["grant.state_years", "trust.baseline"]
    assert build_design(study).n_points == 256 * (2 + 2)


def test_sweep_commands_name_shipped_studies():
    from experiments.study import shipped_studies

    named = set(re.findall(r"experiments/studies/(\w+)\.toml", README))
    assert named and named <= set(shipped_studies())
