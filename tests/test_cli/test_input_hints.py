"""Small input guards (issue: reliability): --set on one line, did-you-mean hints,
--version and -h, a ceiling on replicates, and the licence and citation files."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from sim.scenario import ScenarioError, did_you_mean, load_scenario, parameter_keys

ROOT = Path(__file__).resolve().parents[2]


def test_a_set_value_with_a_line_break_is_refused() -> None:
    with pytest.raises(ScenarioError, match="on one line"):
        load_scenario("ccpt_baseline", ["grant.state_years=5\nregion.n_districts=2"])
    res = CliRunner().invoke(app, ["run", "ccpt_baseline", "-n", "1", "--set",
                                   "grant.state_years=5\nx=1"])
    assert res.exit_code == 2 and "on one line" in res.output


@pytest.mark.parametrize(("key", "hint"), [
    ("taper_years", "grant.taper_years"),
    ("grant.taper_yeras", "grant.taper_years"),
    ("trust.gain_rat", "trust.gain_rate"),
])
def test_an_unknown_key_gets_a_did_you_mean(key: str, hint: str) -> None:
    assert hint in did_you_mean(key)
    with pytest.raises(ScenarioError, match=f"did you mean {hint}"):
        load_scenario("ccpt_baseline", [f"{key}=1"])


def test_no_hint_for_a_key_like_nothing() -> None:
    assert did_you_mean("region.zzzz") == ""
    assert "grant.state_years" in parameter_keys()


def test_version_and_short_help() -> None:
    res = CliRunner().invoke(app, ["--version"])
    assert res.exit_code == 0 and res.output.startswith("consortium-sim ")
    assert CliRunner().invoke(app, ["-h"]).exit_code == 0
    assert "Usage" in CliRunner().invoke(app, ["run", "-h"]).output


def test_replicates_have_a_ceiling() -> None:
    res = CliRunner().invoke(app, ["run", "ccpt_baseline", "-n", str(10**30)])
    assert res.exit_code == 2 and "Traceback" not in res.output


def test_the_licence_and_citation_ship() -> None:
    assert "MIT License" in (ROOT / "LICENSE").read_text()
    cff = (ROOT / "CITATION.cff").read_text()
    assert "cff-version" in cff and "consortium-sim" in cff


@pytest.mark.parametrize("name", [".", "..", "../evil", "a/b", "a" * 81, "-x", "", "two words"])
def test_a_name_that_is_not_file_safe_is_refused_before_any_run(name: str) -> None:
    with pytest.raises(ScenarioError, match="must be a file-safe name"):
        load_scenario("ccpt_baseline", [f'name="{name}"'])


def test_file_safe_names_pass_and_a_bad_one_exits_2(tmp_path: Path) -> None:
    for name in ("ccpt_baseline", "my-design.v2", "a+b", "x" * 80):
        assert load_scenario("ccpt_baseline", [f'name="{name}"']).name == name
    res = CliRunner().invoke(app, ["run", "ccpt_baseline", "-n", "1", "--set",
                                   'name="../evil"', "--out", str(tmp_path / "out")])
    assert res.exit_code == 2 and "file-safe name" in res.output
    assert not (tmp_path / "out").exists() and not (tmp_path / "evil_summary.md").exists()
