"""Output safety and provenance (issue 13 §2 output locations and overwrites, §5 provenance).

Reproducers: a re-run that would replace outputs, a user's own file with an output's name, a
scenario named like another, an interrupted re-run, a read-only folder and a full disk; and
the provenance record in every kind of output.
"""

import errno
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import matplotlib
import numpy as np
import pyarrow.parquet as pq
import pytest
from PIL import Image
from tiny_scenario import SMALL
from typer.testing import CliRunner

from cli.main import app
from experiments import provenance
from experiments.provenance import OutputError, OutputSet
from sim.scenario import load_scenario, resolved_table

matplotlib.use("Agg")

SEED = 5
NAMES = [f"tiny_{s}" for s in ("monthly.parquet", "outcomes.parquet", "summary.csv",
                               "summary.md", "survival.csv", "survival.png",
                               "distribution.png", "trajectories.png", "network.png")]


@pytest.fixture(scope="module")
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture(scope="module")
def scenario(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("scenarios") / "tiny.toml"
    path.write_text(SMALL)
    return path


@pytest.fixture(scope="module")
def first_run(runner, scenario, tmp_path_factory):
    """One run with every figure drawn, the set the other tests compare with."""
    out = tmp_path_factory.mktemp("out")
    result = runner.invoke(app, ["run", str(scenario), "-n", "2", "--seed", str(SEED),
                                 "--out", str(out)])
    assert result.exit_code == 0, result.output
    return result, out


@pytest.fixture
def fast(monkeypatch):
    """Skip the slow figures in runs that check files, not pictures."""
    from viz import figures

    def touch(_data, path, **_kw):
        Path(path).write_bytes(b"")
        return Path(path)

    monkeypatch.setattr(figures, "trajectory_bands", touch)
    monkeypatch.setattr(figures, "network_snapshots", touch)


@pytest.fixture
def no_simulation(monkeypatch):
    """Make any simulation fail the test: refusals must come before the runs."""
    def forbidden(*_a, **_kw):
        raise AssertionError("simulated although the outputs were refused")

    monkeypatch.setattr("cli.run.run_replicates", forbidden)
    monkeypatch.setattr("experiments.cohort.cohort_runs", forbidden)


def _run(runner, scenario, out, *extra):
    return runner.invoke(app, ["run", str(scenario), "-n", "2", "--seed", str(SEED),
                               "--out", str(out), *extra])


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.iterdir()) if p.is_file()}


def _one_line_error(result) -> str:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.stderr.startswith("error: ")
    return " ".join(result.stderr.split())


def _copy(src: Path, dst: Path) -> Path:
    dst.mkdir(parents=True, exist_ok=True)
    for p in src.iterdir():
        (dst / p.name).write_bytes(p.read_bytes())
    return dst


# --- provenance -------------------------------------------------------------------------

def test_canonical_hash_is_the_sha256_of_sorted_compact_json():
    subject = {"b": [1, 2.5], "a": {"y": True, "x": None}}
    text = '{"a":{"x":null,"y":true},"b":[1,2.5]}'
    assert provenance.canonical_hash(subject) == hashlib.sha256(text.encode()).hexdigest()
    assert provenance.canonical_hash(dict(reversed(subject.items()))) == \
        provenance.canonical_hash(subject)
    assert provenance.canonical_hash({**subject, "c": 1}) != provenance.canonical_hash(subject)


def test_scenario_hash_ignores_the_name_but_not_the_values(scenario, tmp_path):
    renamed = tmp_path / "renamed.toml"
    renamed.write_text(SMALL.replace('"tiny"', '"other"'))
    changed = tmp_path / "changed.toml"
    changed.write_text(SMALL.replace("n_employers = 4", "n_employers = 5"))

    def digest(path):
        return provenance.canonical_hash(
            provenance.scenario_subject(resolved_table(load_scenario(str(path)))))

    assert digest(renamed) == digest(scenario)
    assert digest(changed) != digest(scenario)


def test_every_output_carries_the_record(first_run, scenario):
    result, out = first_run
    ledger = json.loads((out / provenance.LEDGER).read_text())
    entry = ledger["sets"]["tiny"]
    rec = entry["record"]
    expected = provenance.canonical_hash(
        provenance.scenario_subject(resolved_table(load_scenario(str(scenario)))))
    assert rec["kind"] == "scenario" and rec["name"] == "tiny" and rec["hash"] == expected
    assert rec["root_seed"] == SEED and rec["replicates"] == 2
    assert rec["version"] == rec["versions"]["consortium-sim"] and rec["versions"]["numpy"]
    assert rec["command"] and rec["created"] and "git_revision" in rec and "git_dirty" in rec
    # provenance.json lists every file written, with its sha256 as it is on disk
    assert sorted(entry["files"]) == sorted(NAMES)
    for name, digest in entry["files"].items():
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == digest, name
    # Parquet: in the schema metadata, beside the resolved scenario and seed kept before
    for name in ("tiny_monthly.parquet", "tiny_outcomes.parquet"):
        assert provenance.read_parquet_record(out / name) == rec
        meta = pq.read_schema(out / name).metadata
        assert meta[b"root_seed"] == str(SEED).encode() and b"scenario" in meta
    # PNG: a tEXt chunk every reader sees; Markdown: the footer line
    for name in NAMES:
        if name.endswith(".png"):
            assert provenance.read_png_record(out / name) == rec, name
    footer = (out / "tiny_summary.md").read_text().rstrip().splitlines()[-1]
    assert footer == provenance.footer(rec)
    assert rec["hash"][:12] in footer and f"root seed {SEED}" in footer
    assert "provenance.json" in result.output.replace("\n", "")


def test_png_stamp_keeps_the_pixels(tmp_path):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(2, 1))
    ax.plot([0, 1], [1, 0])
    path = tmp_path / "f.png"
    fig.savefig(path)
    plt.close(fig)
    before = np.asarray(Image.open(path))
    provenance.stamp_png(path, {"hash": "abc", "root_seed": 1})
    with Image.open(path) as image:
        image.verify()  # every chunk's CRC
    assert np.array_equal(np.asarray(Image.open(path)), before)
    assert provenance.read_png_record(path) == {"hash": "abc", "root_seed": 1}


# --- run does not overwrite silently ----------------------------------------------------

def test_rerun_is_refused_before_simulating(runner, scenario, first_run, tmp_path,
                                            no_simulation):
    out = _copy(first_run[1], tmp_path / "out")
    before = _digests(out)
    message = _one_line_error(_run(runner, scenario, out))
    assert f"{out}:" in message and "9 of the files this run writes exist already" in message
    for name in NAMES:
        assert name in message
    assert "--overwrite" in message and "another --out" in message
    assert "same parameters" in message
    assert _digests(out) == before


def test_overwrite_replaces_the_runs_own_files_and_says_the_parameters_differ(
        runner, scenario, first_run, tmp_path, fast):
    out = _copy(first_run[1], tmp_path / "out")
    old = json.loads((out / provenance.LEDGER).read_text())["sets"]["tiny"]["record"]
    result = _run(runner, scenario, out, "--overwrite", "--set", "region.n_employers=6")
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert "written with other parameters" in said and old["hash"][:12] in said
    new = json.loads((out / provenance.LEDGER).read_text())["sets"]["tiny"]
    assert new["record"]["hash"] != old["hash"]
    assert provenance.read_parquet_record(out / "tiny_outcomes.parquet") == new["record"]
    for name, digest in new["files"].items():
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == digest
    assert not [p for p in out.iterdir() if p.name.startswith(provenance.STAGING)]


def test_a_users_own_file_is_never_replaced(runner, scenario, tmp_path, no_simulation):
    out = tmp_path / "out"
    out.mkdir()
    mine = out / "tiny_summary.csv"
    mine.write_text("my own notes\n")
    refused = _one_line_error(_run(runner, scenario, out))
    assert "tiny_summary.csv" in refused and "not written by consortium" in refused
    forced = _one_line_error(_run(runner, scenario, out, "--overwrite"))
    assert "tiny_summary.csv" in forced and "leaves it alone" in forced
    assert mine.read_text() == "my own notes\n"
    assert sorted(p.name for p in out.iterdir()) == ["tiny_summary.csv"]


def test_an_output_edited_since_counts_as_the_users(runner, scenario, first_run, tmp_path,
                                                    no_simulation):
    out = _copy(first_run[1], tmp_path / "out")
    edited = out / "tiny_summary.md"
    edited.write_text(edited.read_text() + "my conclusions\n")
    forced = _one_line_error(_run(runner, scenario, out, "--overwrite"))
    assert "tiny_summary.md" in forced and "changed since" in forced
    assert edited.read_text().endswith("my conclusions\n")


def test_a_scenario_named_like_another_is_refused_and_named(runner, scenario, first_run,
                                                            tmp_path, no_simulation):
    out = _copy(first_run[1], tmp_path / "out")
    other = tmp_path / "elsewhere" / "tiny.toml"
    other.parent.mkdir()
    other.write_text(SMALL.replace("n_employers = 4", "n_employers = 7"))
    message = _one_line_error(_run(runner, other, out))
    assert "other parameters" in message and "scenario 'tiny'" in message


def test_an_interrupted_rerun_leaves_the_earlier_set_intact(runner, scenario, first_run,
                                                            tmp_path, monkeypatch):
    from viz import figures

    out = _copy(first_run[1], tmp_path / "out")
    before = _digests(out)

    def interrupted(*_a, **_kw):
        raise KeyboardInterrupt

    monkeypatch.setattr(figures, "trajectory_bands", interrupted)  # after tables and summary
    result = _run(runner, scenario, out, "--overwrite", "--set", "region.n_employers=6")
    assert result.exit_code != 0
    assert _digests(out) == before  # no new table beside an old figure
    assert not [p for p in out.iterdir() if p.name.startswith(provenance.STAGING)]


# --- output locations -------------------------------------------------------------------

def test_a_full_disk_is_a_clear_error_and_leaves_no_half_set(runner, scenario, first_run,
                                                             tmp_path, monkeypatch, fast):
    out = _copy(first_run[1], tmp_path / "out")
    before = _digests(out)

    def full(rows, path):
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr("cli.run._write_csv", full)
    message = _one_line_error(_run(runner, scenario, out, "--overwrite"))
    assert f"{out / 'tiny_summary.csv'}:" in message and "No space left on device" in message
    assert "nothing was replaced" in message
    assert _digests(out) == before
    assert not [p for p in out.iterdir() if p.name.startswith(provenance.STAGING)]
    fresh = tmp_path / "fresh"
    _one_line_error(_run(runner, scenario, fresh))
    assert list(fresh.iterdir()) == []


def test_a_read_only_folder_is_refused_before_simulating(runner, scenario, tmp_path,
                                                         monkeypatch, no_simulation):
    import tempfile

    def read_only(*_a, **_kw):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(tempfile, "mkstemp", read_only)
    message = _one_line_error(_run(runner, scenario, tmp_path / "ro"))
    assert f"{tmp_path / 'ro'}: cannot write in the output folder" in message
    assert "Read-only file system" in message


def test_a_path_under_a_file_is_refused_before_simulating(runner, scenario, tmp_path,
                                                          no_simulation):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    for out in (blocker, blocker / "sub"):
        message = _one_line_error(_run(runner, scenario, out))
        assert str(out) in message


def test_cohort_outputs_in_the_way_are_refused_before_running(runner, tmp_path,
                                                              no_simulation):
    (tmp_path / "ccpt_cohort1_summary.md").write_text("mine\n")
    message = _one_line_error(runner.invoke(app, ["run", "ccpt_cohort1", "-n", "1",
                                                  "--out", str(tmp_path)]))
    assert "ccpt_cohort1_summary.md" in message and "--overwrite" in message


def test_compare_outputs_in_the_way_are_refused_before_running(runner, tmp_path, monkeypatch):
    def forbidden(*_a, **_kw):
        raise AssertionError("compared although the outputs were refused")

    monkeypatch.setattr("experiments.compare.compare", forbidden)
    folder = tmp_path / "ccpt_baseline_n2_seed20140701"
    folder.mkdir()
    (folder / "runs_ccpt_as_run.parquet").write_text("mine\n")
    message = _one_line_error(runner.invoke(app, ["compare", "ccpt_as_run", "taper_2y",
                                                  "-n", "2", "--out", str(tmp_path)]))
    assert "runs_ccpt_as_run.parquet" in message


# --- the output set on its own ----------------------------------------------------------

def _write_set(folder: Path, files: dict[str, str], rec: dict, overwrite: bool = False):
    outputs = OutputSet(folder, ["a.csv", "b.md", "c.csv"], rec, "s", overwrite)
    notes = outputs.check()
    with outputs.writing() as stage:
        for name, text in files.items():
            (stage / name).write_text(text)
    return notes, outputs


def test_an_overwrite_removes_the_sets_earlier_files_it_did_not_write_again(tmp_path):
    _write_set(tmp_path, {"a.csv": "1\n", "c.csv": "old\n"}, {"hash": "h1"})
    notes, outputs = _write_set(tmp_path, {"a.csv": "2\n", "b.md": "# x\n"}, {"hash": "h2"},
                                overwrite=True)
    assert any("other parameters" in n for n in notes)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv", "b.md", "provenance.json"]
    assert (tmp_path / "b.md").read_text().startswith("# x\n")
    assert provenance.footer({"hash": "h2"}) in (tmp_path / "b.md").read_text()
    ledger = provenance.read_ledger(tmp_path)
    assert sorted(ledger["sets"]["s"]["files"]) == ["a.csv", "b.md"]
    assert [p.name for p in outputs.written] == ["a.csv", "b.md"]


def test_an_error_while_writing_keeps_the_earlier_set(tmp_path):
    _write_set(tmp_path, {"a.csv": "1\n"}, {"hash": "h1"})
    before = _digests(tmp_path)
    outputs = OutputSet(tmp_path, ["a.csv"], {"hash": "h2"}, "s", overwrite=True)
    outputs.check()
    with pytest.raises(OutputError, match="Disk quota exceeded"):
        with outputs.writing() as stage:
            (stage / "a.csv").write_text("2\n")
            raise OSError(errno.EDQUOT, "Disk quota exceeded")
    assert _digests(tmp_path) == before


# --- commands that read a sweep ---------------------------------------------------------

def test_discover_and_analyze_record_the_sweeps_study(runner, toy_sweep):
    from experiments.analysis.driver import analyze

    manifest = json.loads((toy_sweep / "manifest.json").read_text())
    result = runner.invoke(app, ["discover", str(toy_sweep), "--outcome", "level",
                                 "--threshold", "0.7"])
    assert result.exit_code == 0, result.output
    folder = toy_sweep / "discover"
    entry = provenance.read_ledger(folder)["sets"]["discover"]
    rec = entry["record"]
    assert rec["kind"] == "discovery" and rec["root_seed"] == 3 and rec["replicates"] == 2
    study = {k: manifest.get(k) for k in provenance.SWEEP_KEYS}
    options = {"outcome": "level", "threshold": 0.7, "below": False, "min_coverage": 0.5}
    assert rec["hash"] == provenance.canonical_hash({**study, "options": options})
    assert sorted(entry["files"]) == sorted(["discover.md", "prim_trajectory.csv",
                                             "prim_box.csv", "cart.txt", "prim_tradeoff.png"])
    for name, digest in entry["files"].items():
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest, name
    assert (folder / "discover.md").read_text().rstrip().endswith(provenance.footer(rec))
    assert provenance.read_png_record(folder / "prim_tradeoff.png") == rec

    written = analyze(toy_sweep)
    entry = provenance.read_ledger(toy_sweep / "analysis")["sets"]["analysis"]
    assert entry["record"]["kind"] == "analysis" and entry["record"]["root_seed"] == 3
    assert sorted(entry["files"]) == sorted(p.name for p in written.values()
                                            if p.parent == toy_sweep / "analysis")
    for name, digest in entry["files"].items():
        path = toy_sweep / "analysis" / name
        assert hashlib.sha256(path.read_bytes()).hexdigest() == digest, name


def test_a_users_own_provenance_json_is_left_alone(runner, scenario, tmp_path,
                                                   no_simulation):
    out = tmp_path / "out"
    out.mkdir()
    (out / "provenance.json").write_text('{"my": "notes"}\n')
    message = _one_line_error(_run(runner, scenario, out))
    assert f"{out / 'provenance.json'}: not a provenance record of consortium" in message
    assert (out / "provenance.json").read_text() == '{"my": "notes"}\n'
    with pytest.raises(OutputError, match="left alone"):
        provenance.record_outputs(out, [], {"hash": "h"}, "s")
    assert (out / "provenance.json").read_text() == '{"my": "notes"}\n'


def test_a_staging_folder_of_a_killed_run_is_removed_by_the_next_run(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    dead = tmp_path / f"{provenance.STAGING}{done.stdout.strip()}-abc"
    live = tmp_path / f"{provenance.STAGING}{os.getpid()}-abc"
    for folder in (dead, live):
        folder.mkdir()
        (folder / "x.csv").write_text("1\n")
    assert provenance.remove_abandoned_stages(tmp_path) == [dead]
    assert not dead.exists() and live.exists()
