"""Hostile but fair input files get one clear line and exit 2 (issue: reliability, §2).

Every reader of TOML (scenarios and their ``extends`` parents, ``--set-file``, designs,
cohorts, studies) goes through ``sim.scenario.read_toml``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from experiments.study import StudyError, load_study
from sim.cohorts import CohortError, load_cohort
from sim.designs import DesignError, load_design
from sim.scenario import MAX_EXTENDS, MAX_FILE_BYTES, ScenarioError, load_scenario

BASELINE = Path(__file__).resolve().parent.parent / "scenarios" / "ccpt_baseline.toml"


def latin1(path: Path) -> Path:
    path.write_bytes('name = "café"\n'.encode("latin-1"))
    return path


@pytest.mark.parametrize(("loader", "error", "folder"), [
    (load_scenario, ScenarioError, "."), (load_design, DesignError, "."),
    (load_cohort, CohortError, "cohorts"), (load_study, StudyError, "."),
])
def test_a_file_that_is_not_utf8_is_named(tmp_path: Path, loader, error,  # noqa: ANN001
                                          folder: str) -> None:
    (tmp_path / folder).mkdir(exist_ok=True)
    path = latin1(tmp_path / folder / "bad.toml")
    with pytest.raises(error, match=r"is not UTF-8 text \(byte 0xe9 at position 11\)"):
        loader(path)


def test_a_parent_that_is_not_utf8_is_named_at_its_depth(tmp_path: Path) -> None:
    latin1(tmp_path / "grandparent.toml")
    (tmp_path / "parent.toml").write_text('extends = "grandparent.toml"\n')
    (tmp_path / "child.toml").write_text('extends = "parent.toml"\n')
    with pytest.raises(ScenarioError) as err:
        load_scenario(tmp_path / "child.toml")
    assert err.value.file.endswith("grandparent.toml") and "not UTF-8" in err.value.problem
    res = CliRunner().invoke(app, ["run", str(tmp_path / "child.toml"), "-n", "1"])
    assert res.exit_code == 2 and "Traceback" not in res.output
    bad_set = latin1(tmp_path / "set.toml")
    res = CliRunner().invoke(app, ["validate", "--quick", "--set-file", str(bad_set)])
    assert res.exit_code == 2 and "not UTF-8" in res.output


def test_a_fifo_is_refused_not_waited_on(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)
    with pytest.raises(ScenarioError, match="is not a regular file"):
        load_scenario(fifo)


def test_a_device_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="is not a regular file"):
        load_scenario(Path("/dev/zero"))


def test_a_huge_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    big = tmp_path / "big.toml"
    big.write_text("# " + "x" * MAX_FILE_BYTES + "\n")
    with pytest.raises(ScenarioError, match="more than any scenario file"):
        load_scenario(big)


def test_a_long_extends_chain_has_a_clear_limit(tmp_path: Path) -> None:
    (tmp_path / "f0.toml").write_text(BASELINE.read_text())
    for k in range(1, MAX_EXTENDS + 5):
        (tmp_path / f"f{k}.toml").write_text(f'extends = "f{k - 1}.toml"\n')
    with pytest.raises(ScenarioError, match=f"more than {MAX_EXTENDS} files deep"):
        load_scenario(tmp_path / f"f{MAX_EXTENDS + 4}.toml")
    assert load_scenario(tmp_path / f"f{MAX_EXTENDS - 1}.toml").region.n_districts == 11


def test_deep_nesting_is_refused(tmp_path: Path) -> None:
    deep = tmp_path / "deep.toml"
    deep.write_text("x = " + "[" * 100_000 + "]" * 100_000 + "\n")
    with pytest.raises(ScenarioError, match="nested too deeply|unknown key|TOML"):
        load_scenario(deep)


LONG = "x" * 300  # longer than a file name may be (255 bytes): the system raises ENAMETOOLONG


@pytest.mark.parametrize(("loader", "error", "folder"), [
    (load_scenario, ScenarioError, "."), (load_design, DesignError, "."),
])
def test_an_extends_name_too_long_for_the_system_is_not_found(tmp_path: Path, loader, error,  # noqa: ANN001
                                                              folder: str) -> None:
    # found by the fuzz test of design files: OSError(36) escaped as a traceback
    path = tmp_path / "long.toml"
    path.write_text(f'extends = "{LONG}"\nname = "long"\n')
    with pytest.raises(error, match=f"extends: file '{LONG}' not found"):
        loader(path)


def test_a_cohort_tier_scenario_name_too_long_is_a_clear_error(tmp_path: Path) -> None:
    # found by the fuzz test of cohort files
    shipped = Path(__file__).resolve().parent.parent / "scenarios" / "cohorts"
    text = (shipped / "ccpt_cohort1.toml").read_text()
    (tmp_path / "cohorts").mkdir()
    path = tmp_path / "cohorts" / "c.toml"
    path.write_text(text.replace('"ccpt_local_600k"', f'"{LONG}"', 1))
    with pytest.raises(CohortError, match=LONG):
        load_cohort(path)


@pytest.mark.parametrize("args", [
    ["run", LONG, "-n", "1"], ["scenarios", "show", LONG], ["designs", "show", LONG],
    ["cohorts", "show", LONG], ["sweep", LONG], ["analyze", LONG], ["compare", LONG],
    ["discover", LONG, "--outcome", "sustained_4y"],
    ["run", "ccpt_baseline", "-n", "1", "--out", f"OUT/{LONG}"],
    ["sweep", "morris_screening", "--out", f"OUT/{LONG}/a"],
    ["compare", "taper_2y", "-n", "2", "--out", f"OUT/{LONG}"],
])
def test_a_name_too_long_for_the_system_exits_2_without_a_traceback(tmp_path: Path,
                                                                    args: list[str]) -> None:
    args = [a.replace("OUT", str(tmp_path)) for a in args]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2, (result.output, result.exception)
    assert "Traceback" not in result.output and result.stderr.startswith("error: ")
