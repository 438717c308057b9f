"""`consortium validate`: the report files; bad input and bad --set files exit 2."""

import pytest
from typer.testing import CliRunner

from cli.main import app
from sim.scenario import load_scenario
from validation.calibration_report import overlay_toml


def test_cli_validate_writes_the_report(tmp_path):
    result = CliRunner().invoke(app, ["validate", "--quick", "-n", "3", "--workers", "1",
                                      "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    for name in ("validation_report.md", "validation_report.html", "validation_runs.csv"):
        assert (tmp_path / name).exists(), name
    assert "Pattern suite (quick)" in result.output


@pytest.mark.parametrize("args", [["--set", "trust.nope=1"], ["--set", "trust.baseline=2"],
                                  ["-n", "2"]])
def test_cli_validate_bad_input_exits_2(tmp_path, args):
    result = CliRunner().invoke(app, ["validate", "--quick", "--out", str(tmp_path), *args])
    assert result.exit_code == 2, result.output
    assert not (tmp_path / "validation_report.md").exists()


def test_a_set_file_becomes_overrides_and_bad_ones_exit_2(tmp_path):
    from sim.scenario import ScenarioError, overrides_from_file

    path = tmp_path / "selected.toml"
    path.write_text(overlay_toml({"trust.gain_rate": 0.125, "grant.state_years": 4,
                                  "trust.rule": "beta_reputation"}, "sel", "d")
                    + "\n[grant.sub]\nflag = true\n")
    assert overrides_from_file(path) == ["trust.gain_rate=0.125", "trust.rule=\"beta_reputation\"",
                                         "grant.state_years=4", "grant.sub.flag=true"]
    good = tmp_path / "good.toml"
    good.write_text(overlay_toml({"trust.gain_rate": 0.125}, "sel", "d"))
    assert load_scenario("ccpt_baseline", overrides_from_file(good)).trust.gain_rate == 0.125
    bad = tmp_path / "bad.toml"
    bad.write_text("[trust]\ngain_rate = 7.0\n")
    result = CliRunner().invoke(app, ["validate", "--quick", "--set-file", str(bad)])
    assert result.exit_code == 2 and "trust.gain_rate" in result.output
    assert "Traceback" not in result.output
    broken = tmp_path / "broken.toml"
    broken.write_text("[trust\n")
    with pytest.raises(ScenarioError, match="broken.toml"):
        overrides_from_file(broken)
