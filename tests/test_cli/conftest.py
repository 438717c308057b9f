"""Shared fixtures of the command-line tests: a tiny scenario and a runner."""

from __future__ import annotations

from pathlib import Path

import pytest
from tiny_scenario import SMALL
from typer.testing import CliRunner


@pytest.fixture(scope="module")
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture(scope="module")
def scenario(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("scenarios") / "tiny.toml"
    path.write_text(SMALL)
    return path
