"""``consortium explain``: a mechanism's rules, parameters, ODD sections and tests."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from agents.mechanisms import MECHANISMS, NOT_REPRESENTED, locate
from cli.main import app

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args), env={"COLUMNS": "200"})


def test_explain_names_each_rule_with_file_and_line() -> None:
    result = invoke("explain", "M7")
    assert result.exit_code == 0, result.output
    for rule in MECHANISMS["M7"].rules:
        where = locate(rule)
        assert f"{where.file}:{where.line}" in result.output
    assert "trust.backbone_trust_share" in result.output
    assert "§7.5" in result.output


def test_explain_shows_the_chosen_scenarios_values() -> None:
    result = invoke("explain", "7", "--set", "trust.turnover_retention=0.45")
    assert result.exit_code == 0, result.output
    assert re.search(r"trust\.turnover_retention\s*│\s*0\.45", result.output)


def test_explain_a_mechanism_the_model_leaves_out() -> None:
    for mid in NOT_REPRESENTED:
        result = invoke("explain", mid)
        assert result.exit_code == 0
        assert "Not represented." in result.output and "Runs in" not in result.output


def test_explain_without_an_id_lists_every_mechanism() -> None:
    result = invoke("explain")
    assert result.exit_code == 0
    rows = re.findall(r"^\s*│?\s*(M\d+)\s", result.output, flags=re.M)
    assert rows == [f"M{k}" for k in range(1, 35)]


@pytest.mark.parametrize("bad", ["M35", "Z1"])
def test_explain_rejects_an_unknown_id_with_exit_2(bad: str) -> None:
    result = invoke("explain", bad)
    assert result.exit_code == 2
    assert "M1 to M34" in result.output and "Traceback" not in result.output
