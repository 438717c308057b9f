"""Smoke tests of `consortium sweep` and `consortium analyze`."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from experiments.store import SweepStore

TESTS = Path(__file__).resolve().parents[1]  # tests/, where sweep_models lives

ISHIGAMI = """\
name = "ishigami_cli"
model = "experiments.reference:ishigami"
replicates = 2
seed = 3
chunk_size = 8
[design]
kind = "sobol"
samples = 4
[[factors]]
key = "x1"
bounds = [-3.141592653589793, 3.141592653589793]
[[factors]]
key = "x2"
bounds = [-3.141592653589793, 3.141592653589793]
[[factors]]
key = "x3"
bounds = [-3.141592653589793, 3.141592653589793]
"""
N_RUNS = 4 * (3 + 2) * 2  # Saltelli N (k + 2) points, 2 replicates

FRAGILE = """\
model = "sweep_models:fragile"
replicates = 1
seed = 1
[design]
kind = "full_factorial"
[[factors]]
key = "x"
levels = [0.1, 0.5, 0.9]
"""


@pytest.fixture
def runner():
    return CliRunner()


@pytest.fixture
def study(tmp_path):
    path = tmp_path / "ishigami_cli.toml"
    path.write_text(ISHIGAMI)
    return path


@pytest.fixture
def swept(runner, study, tmp_path):
    out = tmp_path / "sweep"
    result = runner.invoke(app, ["sweep", str(study), "--executor", "sequential",
                                 "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out, result


def one_error_line(result) -> str:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    return lines[0]


def test_sweep_writes_the_store_and_says_where(swept):
    out, result = swept
    text = " ".join(result.output.split())
    assert f"{N_RUNS} runs, {N_RUNS} ok, 0 failed" in text
    assert f"consortium analyze {out}" in text
    store = SweepStore(out)
    assert store.counts() == {"done": N_RUNS, "ok": N_RUNS, "failed": 0}
    assert store.manifest["design"]["kind"] == "sobol"
    assert len(store.chunk_files("runs")) == N_RUNS // 8


def test_sweep_default_out_is_sweeps_study_name(runner, study, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["sweep", str(study), "--executor", "sequential"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "sweeps" / "ishigami_cli" / "manifest.json").is_file()


def test_sweep_reports_failures_and_the_first_error(runner, tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(TESTS))
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(TESTS), os.environ.get(
        "PYTHONPATH", "")]))
    path = tmp_path / "fragile.toml"
    path.write_text(FRAGILE)
    result = runner.invoke(app, ["sweep", str(path), "--executor", "sequential",
                                 "--out", str(tmp_path / "f")])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "3 runs, 2 ok, 1 failed" in text
    assert "run 2: ValueError: x=0.9 is out of this model's range" in text


def test_an_unregistered_model_needs_allow_model(runner, tmp_path, monkeypatch):
    """Issue 13 §4: a study file that names a model is code; the user opts in."""
    monkeypatch.syspath_prepend(str(TESTS))
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(TESTS), os.environ.get(
        "PYTHONPATH", "")]))
    monkeypatch.delenv("CONSORTIUM_ALLOW_MODELS")
    path = tmp_path / "fragile.toml"
    path.write_text(FRAGILE)
    refused = runner.invoke(app, ["sweep", str(path), "--executor", "sequential",
                                  "--out", str(tmp_path / "f")])
    line = one_error_line(refused)
    assert "'sweep_models:fragile' is not a registered model" in line
    assert "--allow-model sweep_models:fragile" in line and not (tmp_path / "f").exists()
    allowed = runner.invoke(app, ["sweep", str(path), "--executor", "sequential", "--out",
                                  str(tmp_path / "f"), "--allow-model", "sweep_models:fragile"])
    assert allowed.exit_code == 0, allowed.output
    assert "3 runs, 2 ok, 1 failed" in " ".join(allowed.output.split())


def test_existing_sweep_needs_resume(runner, swept, study):
    out, _ = swept
    line = one_error_line(runner.invoke(app, ["sweep", str(study), "--out", str(out)]))
    assert "--resume" in line
    resumed = runner.invoke(app, ["sweep", str(study), "--executor", "sequential",
                                  "--resume", "--out", str(out)])
    assert resumed.exit_code == 0, resumed.output
    assert f"{N_RUNS} runs, {N_RUNS} ok" in " ".join(resumed.output.split())


def test_bad_study_file_lists_every_problem_and_exits_2(runner, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(ISHIGAMI.replace("replicates = 2", "replicate = 2"))
    result = runner.invoke(app, ["sweep", str(bad), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith("error: ") and lines[0].endswith("bad.toml: 2 problems")
    assert [ln.split(":")[0].strip() for ln in lines[1:]] == ["replicates", "replicate"]
    assert "did you mean 'replicates'?" in lines[2]
    assert not (tmp_path / "o").exists()
    missing = one_error_line(runner.invoke(app, ["sweep", str(tmp_path / "nope.toml")]))
    assert "nope.toml" in missing


def test_scheduler_cannot_be_combined_with_another_executor(runner, study, tmp_path):
    line = one_error_line(runner.invoke(app, ["sweep", str(study), "--executor", "sequential",
                                              "--scheduler", "tcp://127.0.0.1:1"]))
    assert "--scheduler" in line


def test_interrupt_says_how_to_resume(runner, study, tmp_path, monkeypatch):
    import experiments.sweep

    def interrupted(study, out, progress=None, **kwargs):
        progress(0, N_RUNS, 0)
        progress(16, N_RUNS, 1)
        raise KeyboardInterrupt

    monkeypatch.setattr(experiments.sweep, "sweep", interrupted)
    out = tmp_path / "s"
    result = runner.invoke(app, ["sweep", str(study), "--workers", "2", "--out", str(out)])
    assert result.exit_code == 130
    text = " ".join(result.output.split())
    assert f"Interrupted: 16 of {N_RUNS} runs saved." in text
    assert f"Resume with: consortium sweep {study} --workers 2 --resume --out {out}" in text


def test_analyze_lists_the_files_it_wrote(runner, swept, tmp_path):
    out, _ = swept
    report = tmp_path / "report"
    result = runner.invoke(app, ["analyze", str(out), "--out", str(report)],
                           env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    for name in ("aggregate.csv", "sobol.csv", "summary.md"):
        assert name in result.output
        assert (report / name).is_file()


def test_analyze_a_missing_sweep_is_one_line_exit_2(runner, tmp_path):
    line = one_error_line(runner.invoke(app, ["analyze", str(tmp_path / "nowhere")]))
    assert "not a sweep directory" in line
    (tmp_path / "empty").mkdir()
    assert "manifest.json" in one_error_line(runner.invoke(app, ["analyze",
                                                                 str(tmp_path / "empty")]))


def test_a_resume_that_reruns_an_edited_chunk_says_so_in_one_warning_line(runner, swept, study):
    out, _ = swept
    with (out / "outcomes" / "chunk-000001.parquet").open("ab") as fh:
        fh.write(b"x")
    result = runner.invoke(app, ["sweep", str(study), "--executor", "sequential", "--resume",
                                 "--out", str(out)])
    assert result.exit_code == 0, result.output
    lines = result.stderr.strip().splitlines()
    assert lines == [f"warning: {out}: these chunks run again: chunk 1 outcomes file differs "
                     "from its checksum (edited or truncated)"], result.stderr
    assert "UserWarning" not in result.output
