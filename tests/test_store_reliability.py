"""The sweep store under failure (issue 13 §3 and the full-disk half of §2).

Models that raise KeyboardInterrupt or hang, damaged manifests and folders, chunk
checksums, two sweeps racing for one directory, and a directory that cannot be written.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import threading
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from test_sweep import assert_same_tables, tables, toy_study, write
from typer.testing import CliRunner

import experiments.store as store_module
from cli.main import app
from experiments.analysis.sweep import load_sweep
from experiments.store import (
    LOCK,
    SweepStore,
    SweepStoreError,
    SweepWriteError,
    file_digest,
    lock_directory,
)
from experiments.study import StudyError, load_study
from experiments.sweep import sweep
from experiments.worker import ChunkTask, run_chunk

TESTS = Path(__file__).resolve().parent


@pytest.fixture(autouse=True)
def toy_models(monkeypatch):
    """Make tests/sweep_models.py importable here and in spawned workers."""
    monkeypatch.syspath_prepend(str(TESTS))
    path = os.pathsep.join(p for p in (str(TESTS), str(TESTS.parent),
                                       os.environ.get("PYTHONPATH")) if p)
    monkeypatch.setenv("PYTHONPATH", path)
    monkeypatch.setenv("CONSORTIUM_ALLOW_MODELS", "sweep_models:*")


@pytest.fixture
def runner():
    return CliRunner()


def cli(runner: CliRunner, *args: str):
    return runner.invoke(app, [str(a) for a in args])


def assert_clean_error(result, *needles: str) -> None:
    """Exit 2, no traceback, and every needle in the message."""
    text = " ".join(result.output.split())
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit) and "Traceback" not in result.output
    for needle in needles:
        assert needle in text, (needle, text)


def finished(tmp_path: Path, name: str = "sweep", **kw) -> tuple[Path, Path]:
    """A finished sequential toy sweep (12 runs in 6 chunks) and its study file."""
    study = write(tmp_path, toy_study(**kw), f"{name}.toml")
    return sweep(study, tmp_path / name, executor="sequential"), study


# ------------------------------------------------------------------ KeyboardInterrupt
def _statuses(out: Path) -> dict[float, list[str]]:
    runs = SweepStore(out).to_pandas("runs")
    return {x: sorted(g["status"]) for x, g in runs.groupby("x")}


@pytest.mark.parametrize("executor", ["sequential", "local"])
def test_a_model_raising_keyboard_interrupt_is_a_failed_row_and_resume_finishes(
        tmp_path, executor):
    study = write(tmp_path, toy_study("interrupts"))
    out = sweep(study, tmp_path / executor, executor=executor, workers=2)
    assert _statuses(out) == {0.0: ["ok", "ok"], 0.2: ["ok", "ok"], 0.4: ["ok", "ok"],
                              0.6: ["ok", "ok"], 0.8: ["failed", "failed"],
                              1.0: ["failed", "failed"]}
    runs = SweepStore(out).to_pandas("runs")
    assert runs.loc[runs["status"] == "failed", "error"].str.contains(
        "KeyboardInterrupt: the model gave up").all()
    seen = []
    sweep(study, out, executor=executor, workers=2, resume=True,
          progress=lambda *a: seen.append(a))
    assert seen == [(12, 12, 4)]  # nothing left to run; resume never blocks


def test_keyboard_interrupt_rows_are_the_same_sequentially_and_in_the_pool(tmp_path):
    study = write(tmp_path, toy_study("interrupts"))
    a = sweep(study, tmp_path / "seq", executor="sequential")
    b = sweep(study, tmp_path / "pool", executor="local", workers=2)
    ta, tb = tables(a), tables(b)
    for name in ("outcomes", "series"):
        assert ta[name].equals(tb[name])
    assert ta["runs"].drop_columns(["error"]).equals(tb["runs"].drop_columns(["error"]))


def test_a_real_ctrl_c_during_a_sequential_run_still_stops_the_sweep(tmp_path):
    marker = tmp_path / "pressed"
    study = write(tmp_path, toy_study(
        "ctrl_c_once", options=f'marker = "{marker}"\nvictim = 0.4'))
    out = tmp_path / "sweep"
    with pytest.raises(KeyboardInterrupt):
        sweep(study, out, executor="sequential")
    assert marker.exists()
    kept = SweepStore(out).counts()
    assert kept == {"done": 4, "ok": 4, "failed": 0}  # chunks 0 and 1; x = 0.4 is chunk 2
    sweep(study, out, executor="sequential", resume=True)
    plain = sweep(write(tmp_path, toy_study(), "plain.toml"), tmp_path / "plain",
                  executor="sequential")
    for name in ("outcomes", "series"):
        assert tables(out)[name].equals(tables(plain)[name])


# ------------------------------------------------------------------ per-run timeout
def _timeout_study(tmp_path: Path, seconds: float = 0.5) -> Path:
    text = toy_study("hangs", options="seconds = 60.0")
    return write(tmp_path, f"run_timeout_s = {seconds}\n" + text, "hangs.toml")


@pytest.mark.parametrize("executor", ["sequential", "local"])
def test_a_run_over_the_timeout_becomes_a_failed_row(tmp_path, executor):
    study = _timeout_study(tmp_path)
    out = sweep(study, tmp_path / executor, executor=executor, workers=2)
    runs = SweepStore(out).to_pandas("runs")
    slow = runs[runs["x"] > 0.7]
    assert (slow["status"] == "failed").all() and len(slow) == 4
    assert (slow["error"] == "timed out after 0.5 s").all()
    assert slow["wall_time_s"].between(0.5, 30).all()
    assert (runs.loc[runs["x"] < 0.7, "status"] == "ok").all()
    assert SweepStore(out).manifest["run_timeout_s"] == 0.5
    assert SweepStore(out).manifest["study"]["run_timeout_s"] == 0.5


def test_the_timeout_also_stops_a_run_on_a_worker_thread():
    # Dask runs tasks on threads, where no signal can be used.
    runs = [{"run_id": i, "point": i, "replicate": 0, "seed_entropy": 9, "spawn_key": (0,),
             "params": {"x": x}} for i, x in enumerate([0.9, 0.1])]
    task = ChunkTask(0, "sweep_models:hangs", {"seconds": 60.0}, runs, ("y",), "none", 0.3)
    box = {}
    thread = threading.Thread(target=lambda: box.update(result=run_chunk(task)))
    thread.start()
    thread.join(60)
    result = box["result"]
    assert result.runs.column("status").to_pylist() == ["failed", "ok"]
    assert result.runs.column("error").to_pylist() == ["timed out after 0.3 s", None]


def test_the_timeout_on_dask(tmp_path):
    distributed = pytest.importorskip("distributed")
    study = _timeout_study(tmp_path)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                                  dashboard_address=":0") as cluster:
        out = sweep(study, tmp_path / "dask", scheduler=cluster.scheduler_address)
    runs = SweepStore(out).to_pandas("runs")
    assert (runs.loc[runs["x"] > 0.7, "error"] == "timed out after 0.5 s").all()
    assert (runs.loc[runs["x"] < 0.7, "status"] == "ok").all()


def test_a_run_under_the_timeout_is_untouched(tmp_path):
    study = write(tmp_path, "run_timeout_s = 30\n" + toy_study(), "quick.toml")
    out = sweep(study, tmp_path / "t", executor="sequential")
    plain, _ = finished(tmp_path, "plain")
    assert_same_tables(out, plain)


@pytest.mark.parametrize("value", ["0", "-1", '"600"', "inf"])
def test_the_timeout_must_be_a_positive_number(tmp_path, value):
    study = write(tmp_path, f"run_timeout_s = {value}\n" + toy_study())
    with pytest.raises(StudyError, match="run_timeout_s"):
        load_study(study)


def test_a_changed_timeout_is_a_changed_study(tmp_path):
    out, study = finished(tmp_path)
    study.write_text("run_timeout_s = 10\n" + toy_study())
    with pytest.raises(SweepStoreError, match=r"differs.*study\.run_timeout_s"):
        sweep(study, out, executor="sequential", resume=True)


# ------------------------------------------------------------------ damaged manifests
def _edit_manifest(out: Path, **fields) -> None:
    manifest = json.loads((out / "manifest.json").read_text())
    for key, value in fields.items():
        if value is ...:
            manifest.pop(key)
        else:
            manifest[key] = value
    (out / "manifest.json").write_text(json.dumps(manifest))


@pytest.mark.parametrize(("fields", "needle"), [
    ({"chunk_size": 0}, "chunk_size must be a whole number >= 1, got 0"),
    ({"chunk_size": -2}, "chunk_size must be a whole number >= 1, got -2"),
    ({"chunk_size": "2"}, "chunk_size must be a whole number >= 1, got '2'"),
    ({"chunk_size": 2.5}, "chunk_size must be a whole number >= 1, got 2.5"),
    ({"chunk_size": ...}, "manifest.json has no chunk_size"),
    ({"n_runs": ...}, "manifest.json has no n_runs"),
    ({"n_chunks": 5}, "n_chunks is 5 but 12 runs in chunks of 2 make 6"),
    ({"timeseries": "weekly"}, "timeseries 'weekly'"),
])
def test_a_damaged_manifest_is_a_clear_error(tmp_path, runner, fields, needle):
    out, study = finished(tmp_path)
    _edit_manifest(out, **fields)
    with pytest.raises(SweepStoreError, match="cannot be rebuilt"):
        SweepStore(out)
    assert_clean_error(cli(runner, "analyze", out), str(out), needle, "cannot be rebuilt")
    assert_clean_error(cli(runner, "sweep", study, "--resume", "--out", out,
                           "--executor", "sequential"), needle)


def test_a_manifest_that_is_not_an_object_is_a_clear_error(tmp_path, runner):
    out, _ = finished(tmp_path)
    (out / "manifest.json").write_text("[1, 2]")
    assert_clean_error(cli(runner, "analyze", out), "manifest.json holds list")
    (out / "manifest.json").write_text("{not json")
    assert_clean_error(cli(runner, "analyze", out), "unreadable manifest.json")


@pytest.mark.parametrize("damage", ["missing", "garbage"])
def test_a_lost_design_file_is_named_and_rebuilt_on_resume(tmp_path, runner, damage):
    out, study = finished(tmp_path, xs=(0.1, 0.5, 0.9), chunk_size=2)
    original = (out / "design.parquet").read_bytes()
    before = tables(out)
    if damage == "missing":
        (out / "design.parquet").unlink()
    else:
        (out / "design.parquet").write_bytes(b"not parquet at all")
    assert_clean_error(cli(runner, "analyze", out), "design.parquet is",
                       f"consortium sweep {study} --resume --out {out}",
                       "rebuilds it from the study")
    with pytest.warns(UserWarning, match="rebuilt design.parquet"):
        sweep(study, out, executor="sequential", resume=True)
    assert (out / "design.parquet").read_bytes() == original
    after = tables(out)
    for name in before:
        assert after[name].equals(before[name]), name
    assert cli(runner, "analyze", out).exit_code == 0


@pytest.mark.parametrize("folder", ["runs", "outcomes", "series"])
def test_a_deleted_table_folder_is_named_and_its_chunks_run_again(tmp_path, runner, folder):
    out, study = finished(tmp_path)
    before = tables(out)
    shutil.rmtree(out / folder)
    assert_clean_error(cli(runner, "analyze", out), f"the {folder}/ folder is missing",
                       "--resume", "runs all 12 runs again")
    with pytest.warns(UserWarning, match=f"recreated the missing {folder}/ folder"):
        sweep(study, out, executor="sequential", resume=True)
    after = tables(out)
    for name in before:
        assert after[name].equals(before[name]), name
    assert not SweepStore(out).verify()


# ------------------------------------------------------------------ checksums
def test_every_chunk_has_a_checksum_record_matching_its_files(tmp_path):
    out, _ = finished(tmp_path)
    assert SweepStore(out).manifest["checksums"] == "sha256"
    records = sorted((out / "index").glob("chunk-*.json"))
    assert [p.name for p in records] == [f"chunk-{c:06d}.json" for c in range(6)]
    for c, path in enumerate(records):
        record = json.loads(path.read_text())
        assert record["chunk"] == c
        for table in ("runs", "outcomes", "series"):
            chunk = out / table / f"chunk-{c:06d}.parquet"
            assert record["files"][table] == file_digest(chunk)
            assert record["files"][table]["bytes"] == chunk.stat().st_size


def _edit_outcome(out: Path, chunk: int) -> None:
    """Change one outcome value; the file stays structurally sound."""
    path = out / "outcomes" / f"chunk-{chunk:06d}.parquet"
    table = pq.read_table(path)
    y = table.column("y").to_pylist()
    y[0] += 1.0
    table = table.set_column(table.schema.get_field_index("y"), "y", pa.array(y))
    pq.write_table(table, path)


def test_an_edited_chunk_is_refused_by_analyze_and_run_again_on_resume(tmp_path, runner):
    out, study = finished(tmp_path)
    before = tables(out)
    _edit_outcome(out, 2)
    assert SweepStore(out).verify() == {
        2: "outcomes file differs from its checksum (edited or truncated)"}
    assert_clean_error(cli(runner, "analyze", out),
                       "chunk 2 outcomes file differs from its checksum",
                       "design point 2 (0 of 2 runs) is incomplete",
                       f"consortium sweep {study} --resume --out {out}",
                       "--allow-incomplete")
    with pytest.warns(UserWarning, match="chunk 2 outcomes file differs"):
        sweep(study, out, executor="sequential", resume=True)
    after = tables(out)
    for name in before:
        assert after[name].equals(before[name]), name


def test_a_missing_chunk_of_a_200_run_sweep_is_not_reported_as_complete(tmp_path, runner):
    # The reproducer: analyze used to say "200 ok" while two points dropped to n = 2 and 5.
    text = toy_study(xs=[i / 40 for i in range(40)], replicates=5, chunk_size=7)
    study = write(tmp_path, text)
    out = sweep(study, tmp_path / "big", executor="sequential")
    assert SweepStore(out).counts() == {"done": 200, "ok": 200, "failed": 0}
    (out / "runs" / "chunk-000002.parquet").unlink()   # runs 14..20: points 2, 3 and 4
    result = cli(runner, "analyze", out)
    assert_clean_error(result, "1 of 29 chunks are missing or edited: chunk 2 missing",
                       "design points 2 (4 of 5 runs), 3 (0 of 5 runs), 4 (4 of 5 runs) are "
                       "incomplete",
                       f"--resume --out {out}")
    assert "200 ok" not in result.output
    result = cli(runner, "analyze", out, "--allow-incomplete", "--out", tmp_path / "a")
    assert result.exit_code == 0, result.output
    assert "Incomplete sweep: 1 chunk left out (chunk 2 missing)" in " ".join(
        result.output.split())
    summary = (tmp_path / "a" / "summary.md").read_text()
    assert "Incomplete point 2:** 4 of 5 runs" in summary
    assert "Incomplete point 3:** 0 of 5 runs" in summary
    table = pd.read_csv(tmp_path / "a" / "aggregate.csv").groupby("point")["missing_runs"].max()
    assert table.get(2) == 1 and table.get(4) == 1 and table.drop([2, 3, 4]).eq(0).all()
    aggregate = load_sweep(out, allow_incomplete=True)
    assert aggregate.incomplete.to_dict("list") == {"point": [2, 3, 4], "recorded": [4, 0, 4],
                                                    "expected": [5, 5, 5]}


def test_a_sweep_written_before_checksums_opens_and_is_checked_by_structure(tmp_path, runner):
    out, _ = finished(tmp_path)
    _edit_manifest(out, checksums=...)
    shutil.rmtree(out / "index")
    assert not SweepStore(out).verify()
    sweep_ = load_sweep(out)
    assert sweep_.checked_by == "structure" and len(sweep_.runs) == 12
    result = cli(runner, "analyze", out)
    assert result.exit_code == 0, result.output
    assert "checked by structure only" in result.output
    (out / "runs" / "chunk-000004.parquet").unlink()
    assert_clean_error(cli(runner, "analyze", out), "chunk 4 missing")


def test_a_chunk_whose_record_was_not_yet_written_is_kept_and_recorded(tmp_path):
    # A stop between the runs file and its index record: the files are whole.
    out, study = finished(tmp_path)
    record = out / "index" / "chunk-000003.json"
    saved = record.read_text()
    record.unlink()
    seen = []
    sweep(study, out, executor="sequential", resume=True, progress=lambda *a: seen.append(a))
    assert seen == [(12, 12, 0)] and record.read_text() == saved


# ------------------------------------------------------------------ races
def test_two_fresh_sweeps_into_one_directory_one_fails_cleanly(tmp_path):
    study = write(tmp_path, toy_study(options="delay = 0.05"))
    out = tmp_path / "shared"
    start = threading.Barrier(2)
    outcome: dict[int, BaseException | None] = {}

    def go(i: int) -> None:
        start.wait()
        try:
            sweep(study, out, executor="sequential")
            outcome[i] = None
        except SweepStoreError as exc:
            outcome[i] = exc

    threads = [threading.Thread(target=go, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    errors = [e for e in outcome.values() if e is not None]
    assert len(outcome) == 2 and len(errors) == 1, outcome
    assert "another sweep is writing to this directory" in str(errors[0]) or \
        "already holds a sweep" in str(errors[0])
    plain, _ = finished(tmp_path, "plain")
    assert_same_tables(out, plain)
    assert not list(out.rglob("*.tmp")) and not SweepStore(out).verify()


def test_the_lock_is_taken_before_anything_is_written(tmp_path, monkeypatch):
    study = write(tmp_path, toy_study())
    out = tmp_path / "new"
    seen = []
    real = store_module.write_parquet

    def check(table, path):
        if path.name == "design.parquet":
            seen.append((out / LOCK).exists())
            with pytest.raises(SweepStoreError, match="another sweep"), lock_directory(out):
                pass
        real(table, path)

    monkeypatch.setattr(store_module, "write_parquet", check)
    sweep(study, out, executor="sequential")
    assert seen == [True]


# ------------------------------------------------------------------ full disk, read-only
def _fail_writes(monkeypatch, when, code=errno.ENOSPC) -> None:
    """Make ``_atomic_write`` raise OSError(code) for the paths ``when`` accepts."""
    real = store_module._atomic_write

    def write_(path, fn):
        if when(path):
            raise OSError(code, os.strerror(code))
        real(path, fn)

    monkeypatch.setattr(store_module, "_atomic_write", write_)


def test_a_full_disk_mid_sweep_is_a_clear_error_and_resume_finishes(tmp_path, runner,
                                                                     monkeypatch):
    study = write(tmp_path, toy_study())
    out = tmp_path / "full"
    with monkeypatch.context() as m:
        _fail_writes(m, lambda p: p.name == "chunk-000003.parquet" and p.parent.name == "runs")
        result = cli(runner, "sweep", study, "--executor", "sequential", "--out", out)
    assert_clean_error(result, str(out), "cannot write chunk 3: No space left on device",
                       "Finished chunks are kept",
                       f"consortium sweep {study} --executor sequential --resume --out {out}")
    assert not list(out.rglob("*.tmp"))
    # Chunks in flight together may be written in either order: 2 or 3 of them are kept.
    assert SweepStore(out).counts()["done"] in (4, 6)
    assert not (out / "runs" / "chunk-000003.parquet").exists()
    result = cli(runner, "sweep", study, "--executor", "sequential", "--resume", "--out", out)
    assert result.exit_code == 0, result.output
    plain, _ = finished(tmp_path, "plain")
    assert_same_tables(out, plain)


def test_a_full_disk_in_the_pool_stops_the_sweep_cleanly(tmp_path, monkeypatch):
    study = write(tmp_path, toy_study())
    out = tmp_path / "full"
    _fail_writes(monkeypatch, lambda p: p.parent.name == "outcomes"
                 and p.name == "chunk-000001.parquet", errno.EDQUOT)
    with pytest.raises(SweepWriteError, match="cannot write chunk 1: Disk quota exceeded"):
        sweep(study, out, executor="local", workers=2)


@pytest.mark.parametrize("fresh_dir", [False, True])
def test_a_failure_while_creating_a_sweep_leaves_nothing_a_later_run_refuses(
        tmp_path, monkeypatch, fresh_dir):
    study = write(tmp_path, toy_study())
    out = tmp_path / "new"
    if fresh_dir:
        out.mkdir()
    with monkeypatch.context() as m:
        _fail_writes(m, lambda p: p.name == "design.parquet")
        with pytest.raises(SweepWriteError, match="No space left on device"):
            sweep(study, out, executor="sequential")
    assert {p.name for p in out.iterdir()} <= {LOCK}
    sweep(study, out, executor="sequential")
    assert SweepStore(out).counts()["done"] == 12


def test_a_half_made_directory_from_a_killed_creation_is_made_again(tmp_path):
    out, study = finished(tmp_path)
    (out / "manifest.json").unlink()
    for folder in ("runs", "outcomes", "series", "index"):
        for p in (out / folder).iterdir():
            p.unlink()
    (out / ".design.parquet.x1.tmp").write_bytes(b"half")
    sweep(study, out, executor="sequential")
    assert SweepStore(out).counts()["done"] == 12
    # A folder with chunks but no manifest is not half-made: it is refused, not cleared.
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("mine")
    with pytest.raises(SweepStoreError, match="not a sweep directory"):
        sweep(study, other, executor="sequential")
    assert {p.name for p in other.iterdir()} == {"notes.txt"}  # no lock left behind


def test_a_read_only_sweep_directory_is_refused_before_any_run(tmp_path, runner,
                                                               monkeypatch):
    out, study = finished(tmp_path)
    (out / "runs" / "chunk-000005.parquet").unlink()
    for p in (out, *(out / t for t in ("runs", "outcomes", "series", "index"))):
        p.chmod(0o555)
    try:
        probe = out / "probe"
        try:
            probe.write_text("x")
            probe.unlink()
            writable = True  # root ignores the mode: make the store's writes fail instead
        except OSError:
            writable = False
        if writable:
            monkeypatch.setattr(store_module.tempfile, "mkstemp", _raises(errno.EROFS))
        calls = []
        monkeypatch.setattr(store_module.SweepStore, "write_chunk",
                            lambda self, r: calls.append(r))
        result = cli(runner, "sweep", study, "--executor", "sequential", "--resume",
                     "--out", out)
        assert_clean_error(result, str(out), "cannot write to",
                           "Read-only file system" if writable else "Permission denied",
                           "--resume --out")
        assert not calls  # refused before running anything
    finally:
        for p in (out, *(out / t for t in ("runs", "outcomes", "series", "index"))):
            p.chmod(0o755)


def _raises(code: int):
    def fail(*args, **kwargs):
        raise OSError(code, os.strerror(code))
    return fail


def test_an_out_that_is_a_file_is_refused(tmp_path, runner):
    study = write(tmp_path, toy_study())
    target = tmp_path / "taken.txt"
    target.write_text("a user's file")
    assert_clean_error(cli(runner, "sweep", study, "--out", target), "is a file")
    assert target.read_text() == "a user's file"

