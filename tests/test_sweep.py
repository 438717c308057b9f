"""Sweeps: executors agree, seeds reproduce, failures are rows, kills and corruption resume."""

from __future__ import annotations

import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from experiments.design import run_seed
from experiments.executors import ExecutorError, LocalExecutor, make_executor
from experiments.store import SweepStore, SweepStoreError, write_parquet
from experiments.study import load_study
from experiments.sweep import sweep
from experiments.worker import ChunkTask, run_chunk, split_output, yearly_means
from sim.run import simulate

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent

ISHIGAMI = """\
name = "ishigami_tiny"
model = "experiments.reference:ishigami"
replicates = 2
seed = 20140701
chunk_size = 3
[model_options]
noise = 0.5
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

CONSORTIUM = """\
name = "workshop_tiny"
base = "workshop_small"
replicates = 2
seed = 11
chunk_size = 3
outcomes = ["function_level_2y", "sustained_2y", "mean_trust_grant_end"]
timeseries = "monthly"
[design]
kind = "full_factorial"
[[factors]]
key = "grant.state_years"
levels = [3, 4]
[[factors]]
key = "trust.baseline"
levels = [0.1, 0.3]
"""


def toy_study(model: str = "noisy", xs=(0.0, 0.2, 0.4, 0.6, 0.8, 1.0), replicates: int = 2,
              chunk_size: int = 2, options: str = "", timeseries: str = "summary") -> str:
    levels = ", ".join(repr(float(x)) for x in xs)
    return (f'model = "sweep_models:{model}"\nreplicates = {replicates}\nseed = 5\n'
            f'chunk_size = {chunk_size}\ntimeseries = "{timeseries}"\n'
            f"[model_options]\n{options}\n"
            f'[design]\nkind = "full_factorial"\n[[factors]]\nkey = "x"\nlevels = [{levels}]\n')


def write(tmp_path: Path, text: str, name: str = "study.toml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


@pytest.fixture
def toy_models(monkeypatch):
    """Make tests/sweep_models.py importable here, in spawned workers and in subprocesses."""
    monkeypatch.syspath_prepend(str(TESTS))
    path = os.pathsep.join(p for p in (str(TESTS), str(ROOT), os.environ.get("PYTHONPATH"))
                           if p)
    monkeypatch.setenv("PYTHONPATH", path)


@pytest.fixture(scope="module")
def dask_scheduler():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=":0") as cluster:
        yield cluster.scheduler_address


def tables(path: Path) -> dict[str, pa.Table]:
    """The sweep's tables sorted by run_id, without the wall time (which differs run to run)."""
    store = SweepStore(path)
    out = {"runs": store.read_table("runs").drop_columns(["wall_time_s"]),
           "outcomes": store.read_table("outcomes")}
    if store.series() is not None:
        out["series"] = store.read_table("series")
    return out


def assert_same_tables(a: Path, b: Path) -> None:
    ta, tb = tables(a), tables(b)
    assert ta.keys() == tb.keys()
    for name in ta:
        assert ta[name].equals(tb[name]), name


# ------------------------------------------------------------------------------ worker
def test_split_output_types_and_nan():
    out, ser = split_output({"a": np.float32(1.5), "b": True, "c": np.int64(3),
                             "d": float("nan"), "e": np.array(2.0), "s": np.arange(3)},
                            None, keep_series=True)
    assert out == pytest.approx({"a": 1.5, "b": 1.0, "c": 3.0, "d": math.nan, "e": 2.0},
                                nan_ok=True)
    assert list(out) == ["a", "b", "c", "d", "e"]  # the model's key order
    np.testing.assert_array_equal(ser["s"], [0.0, 1.0, 2.0])
    out, ser = split_output({"a": 1.0, "b": 2.0, "s": [1, 2]}, ("b",), keep_series=False)
    assert out == {"b": 2.0} and ser == {}
    with pytest.raises(KeyError, match="'zz' is missing"):
        split_output({"a": 1.0}, ("zz",), keep_series=False)
    with pytest.raises(TypeError, match="'label' is str"):
        split_output({"label": "x"}, None, keep_series=False)


def test_a_model_that_calls_sys_exit_fails_its_run_and_the_chunk_goes_on(toy_models):
    runs = [{"run_id": i, "point": i, "replicate": 0, "seed_entropy": 9, "spawn_key": (0,),
             "params": {"x": x}} for i, x in enumerate([0.1, 0.9, 0.5])]
    result = run_chunk(ChunkTask(0, "sweep_models:exits", {}, runs, ("y",), "none"))
    assert result.runs.column("status").to_pylist() == ["ok", "failed", "ok"]
    assert "SystemExit: 3" in result.runs.column("error")[1].as_py()


def test_yearly_means_average_a_trailing_partial_year():
    months = np.arange(30, dtype=float)
    np.testing.assert_allclose(yearly_means(months), [5.5, 17.5, 26.5])
    np.testing.assert_allclose(yearly_means(np.ones(24)), [1.0, 1.0])


def test_run_chunk_keeps_nan_and_records_failures(toy_models):
    runs = [{"run_id": i, "point": i, "replicate": 0, "seed_entropy": 9, "spawn_key": (0,),
             "params": {"x": x}} for i, x in enumerate([0.1, 0.9, 0.5])]
    result = run_chunk(ChunkTask(0, "sweep_models:fragile", {}, runs, ("y", "flag"), "summary"))
    assert result.runs.column("status").to_pylist() == ["ok", "failed", "ok"]
    error = result.runs.column("error")[1].as_py()
    assert "Traceback" in error and "x=0.9 is out of this model's range" in error
    assert result.outcomes.column_names == ["run_id", "point", "replicate", "y", "flag"]
    assert result.outcomes.column("run_id").to_pylist() == [0, 2]
    assert result.outcomes.column("flag").to_pylist() == [0.0, 0.0]
    # 30 months -> 3 yearly means per ok run
    assert result.series.column("year").to_pylist() == [0, 1, 2, 0, 1, 2]
    assert result.n_failed == 1

    nan_runs = [{**runs[0], "params": {"x": math.nan}}]
    nan = run_chunk(ChunkTask(1, "sweep_models:noisy", {}, nan_runs, None, "none"))
    assert nan.runs.column("status").to_pylist() == ["ok"]
    assert math.isnan(nan.outcomes.column("y")[0].as_py())


def test_parquet_writes_are_deterministic(tmp_path):
    import pandas as pd

    table = pa.Table.from_pandas(pd.DataFrame({"run_id": [1, 2], "y": [0.5, np.nan]}))
    assert table.schema.metadata  # pandas metadata, which the store strips
    write_parquet(table, tmp_path / "a.parquet")
    write_parquet(table, tmp_path / "b.parquet")
    assert (tmp_path / "a.parquet").read_bytes() == (tmp_path / "b.parquet").read_bytes()
    assert pq.read_schema(tmp_path / "a.parquet").metadata is None
    assert not list(tmp_path.glob(".*.tmp"))


# ------------------------------------------------------------------------------ executors
@pytest.mark.parametrize("study_text", [ISHIGAMI, CONSORTIUM], ids=["ishigami", "consortium"])
def test_sequential_pool_and_dask_give_identical_stores(tmp_path, study_text, dask_scheduler):
    study = write(tmp_path, study_text)
    seq = sweep(study, tmp_path / "seq", executor="sequential")
    pool = sweep(study, tmp_path / "pool", executor="local", workers=2)
    dask = sweep(study, tmp_path / "dask", scheduler=dask_scheduler)
    assert_same_tables(seq, pool)
    assert_same_tables(seq, dask)
    store = SweepStore(seq)
    n_runs = store.manifest["n_runs"]
    assert store.counts() == {"done": n_runs, "ok": n_runs, "failed": 0}
    # Bit-identical outcome and series files, chunk by chunk.
    for table in ("outcomes", "series"):
        for f in store.chunk_files(table):
            for other in (pool, dask):
                assert f.read_bytes() == (other / table / f.name).read_bytes(), f
    runs = store.read_table("runs")
    assert runs.column("run_id").to_pylist() == list(range(n_runs))
    assert set(runs.column("status").to_pylist()) == {"ok"}


def test_dask_executor_starts_its_own_local_cluster():
    runs = [{"run_id": i, "point": i, "replicate": 0, "seed_entropy": 3, "spawn_key": (0,),
             "params": {"x1": 0.1 * i, "x2": 0.2, "x3": 0.3}} for i in range(4)]
    task = ChunkTask(0, "experiments.reference:ishigami", {"noise": 1.0}, runs, None, "none")
    with make_executor("dask", workers=2) as ex:
        assert ex.workers == 2
        # The dashboard and scheduler listen on loopback only (issue 13 §4).
        assert ex.client.dashboard_link.startswith("http://127.0.0.1:")
        assert ex.client.scheduler.address.startswith("tcp://127.0.0.1:")
        scratch = Path(ex._scratch)
        assert scratch.is_dir()
        remote = ex.submit(run_chunk, task).result(timeout=60)
    assert remote.outcomes.equals(run_chunk(task).outcomes)
    assert not scratch.exists()  # no dask-scratch-space left behind


@pytest.mark.parametrize("address", ["tls://127.0.0.1:1", "ucx://127.0.0.1:1"])
def test_a_scheduler_address_dask_cannot_use_is_an_executor_error(address):
    with pytest.raises(ExecutorError, match="cannot connect to the Dask scheduler"):
        make_executor("dask", scheduler=address)


# ------------------------------------------------------------------------------ seeds
def test_every_row_stores_a_seed_that_reproduces_its_outcomes(tmp_path):
    study = write(tmp_path, CONSORTIUM)
    path = sweep(study, tmp_path / "sweep", executor="sequential")
    store = SweepStore(path)
    runs = store.to_pandas("runs")
    outcomes = store.to_pandas("outcomes")
    series = store.to_pandas("series")
    assert (runs["seed_entropy"] == "11").all()
    assert (runs["spawn_key"] == runs["replicate"].astype(str)).all()  # CRN: key (r,)
    row = runs.iloc[5]
    rng = np.random.default_rng(run_seed(row["seed_entropy"], row["spawn_key"]))
    params = {"grant.state_years": int(row["grant.state_years"]),
              "trust.baseline": float(row["trust.baseline"])}
    again = simulate(params, rng, scenario="workshop_small",
                     outcomes=("function_level_2y", "sustained_2y", "mean_trust_grant_end"),
                     series=True)
    stored = outcomes.set_index("run_id").loc[row["run_id"]]
    for name in ("function_level_2y", "sustained_2y", "mean_trust_grant_end"):
        assert stored[name] == again[name]
    monthly = series[series["run_id"] == row["run_id"]].sort_values("month")
    np.testing.assert_array_equal(monthly["mean_trust"].to_numpy(), again["mean_trust"])
    assert len(monthly) == len(again["mean_trust"])
    # CRN: one stream per replicate, shared by every design point.
    assert len(set(runs["seed_entropy"] + "/" + runs["spawn_key"])) == 2


# ------------------------------------------------------------------------------ failures
def test_a_failing_run_is_a_row_and_the_sweep_goes_on(tmp_path, toy_models):
    study = write(tmp_path, toy_study("fragile", xs=(0.1, 0.5, 0.8, 0.9), chunk_size=3))
    seen = []
    path = sweep(study, tmp_path / "sweep", executor="local", workers=2,
                 progress=lambda *a: seen.append(a))
    store = SweepStore(path)
    runs = store.to_pandas("runs")
    failed = runs[runs["status"] == "failed"]
    assert sorted(failed["x"]) == [0.8, 0.8, 0.9, 0.9]
    assert failed["error"].str.contains("Traceback").all()
    assert failed["error"].str.contains("is out of this model's range").all()
    assert runs.loc[runs["status"] == "ok", "error"].isna().all()
    outcomes = store.to_pandas("outcomes")
    assert sorted(outcomes["run_id"]) == sorted(runs.loc[runs["status"] == "ok", "run_id"])
    assert seen[0] == (0, 8, 0) and seen[-1] == (8, 8, 4)
    assert store.counts() == {"done": 8, "ok": 4, "failed": 4}


# ------------------------------------------------------------------------------ resume
def _chunks(path: Path) -> list[Path]:
    return sorted((path / "runs").glob("chunk-*.parquet"))


def test_sigkill_mid_sweep_then_resume_matches_an_uninterrupted_sweep(tmp_path, toy_models):
    text = toy_study(xs=[i / 20 for i in range(20)], replicates=4, chunk_size=2,
                     options="delay = 0.04")
    study = write(tmp_path, text)
    out = tmp_path / "killed"
    n_chunks = 40
    cmd = [sys.executable, "-c", "from cli.main import app; app()", "sweep", str(study),
           "--workers", "2", "--out", str(out)]
    proc = subprocess.Popen(cmd, cwd=tmp_path, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while not _chunks(out) and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.01)
        assert proc.poll() is None, proc.stderr.read().decode()
        assert 0 < len(_chunks(out)) < n_chunks
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    assert len(_chunks(out)) < n_chunks

    seen = []
    sweep(study, out, executor="local", workers=2, resume=True,
          progress=lambda *a: seen.append(a))
    assert 0 < seen[0][0] < 80 and seen[-1] == (80, 80, 0)
    # The delay only slows the model down; without it the same runs give the same numbers.
    quick = write(tmp_path, toy_study(xs=[i / 20 for i in range(20)], replicates=4,
                                      chunk_size=2), "quick.toml")
    whole = sweep(quick, tmp_path / "whole", executor="sequential")
    assert_same_tables(out, whole)
    run_ids = SweepStore(out).read_table("runs").column("run_id").to_pylist()
    assert run_ids == list(range(80))
    assert not list(out.rglob("*.tmp"))


def test_corrupt_partial_and_stray_files_are_redone_on_resume(tmp_path, toy_models):
    study = write(tmp_path, toy_study(chunk_size=2))  # 12 runs, 6 chunks
    out = sweep(study, tmp_path / "sweep", executor="sequential")
    before = tables(out)
    runs2 = out / "runs" / "chunk-000002.parquet"
    runs2.write_bytes(runs2.read_bytes()[: runs2.stat().st_size // 2])   # truncated
    out3 = out / "outcomes" / "chunk-000003.parquet"
    out3.write_bytes(out3.read_bytes()[:-20])                               # bad footer
    (out / "runs" / "chunk-000004.parquet").unlink()                         # partial chunk
    ser5 = out / "series" / "chunk-000005.parquet"
    pq.write_table(pq.read_table(out / "series" / "chunk-000000.parquet"), ser5)  # wrong runs
    stray = out / "outcomes" / ".chunk-000001.parquet.abc123.tmp"
    stray.write_bytes(b"half a file")

    store = SweepStore(out)
    assert store.completed_chunks(6, 2, 12) == {0, 1}
    assert not stray.exists()
    assert not (out / "outcomes" / "chunk-000004.parquet").exists()

    seen = []
    sweep(study, out, executor="sequential", resume=True, progress=lambda *a: seen.append(a))
    assert seen[0] == (4, 12, 0) and seen[-1] == (12, 12, 0)
    after = tables(out)
    for name in before:
        assert after[name].equals(before[name]), name


def test_interrupt_keeps_finished_chunks_and_resume_completes(tmp_path, toy_models):
    study = write(tmp_path, toy_study(chunk_size=1, options="delay = 0.02"))  # 12 chunks

    def interrupt(done, total, failed):
        if done >= 2:
            raise KeyboardInterrupt

    out = tmp_path / "sweep"
    with pytest.raises(KeyboardInterrupt):
        sweep(study, out, executor="local", workers=2, progress=interrupt)
    kept = len(_chunks(out))
    assert 2 <= kept < 12
    sweep(study, out, executor="local", workers=2, resume=True)
    assert_same_tables(out, sweep(study, tmp_path / "whole", executor="sequential"))


def test_resume_refuses_a_changed_study_and_out_is_never_overwritten(tmp_path, toy_models):
    study = write(tmp_path, toy_study())
    out = sweep(study, tmp_path / "sweep", executor="sequential")
    with pytest.raises(SweepStoreError, match="--resume"):
        sweep(study, out, executor="sequential")
    study.write_text(toy_study(replicates=3))
    with pytest.raises(SweepStoreError, match=r"differs.*study\.replicates"):
        sweep(study, out, executor="sequential", resume=True)
    study.write_text(toy_study(xs=(0.0, 0.2, 0.4, 0.6, 0.8, 0.9)))
    with pytest.raises(SweepStoreError, match=r"differs.*study\.factors"):
        sweep(study, out, executor="sequential", resume=True)
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("not a sweep")
    with pytest.raises(SweepStoreError, match="not a sweep directory"):
        sweep(study, other, executor="sequential")
    # An unchanged study (a new description is fine) resumes: nothing left to run.
    study.write_text('description = "same runs"\n' + toy_study())
    seen = []
    sweep(study, out, executor="sequential", resume=True, progress=lambda *a: seen.append(a))
    assert seen == [(12, 12, 0)]
    assert len(SweepStore(out).manifest["resumed"]) == 1  # refused resumes leave no trace


def test_resume_checks_the_stored_chunks_once(tmp_path, toy_models, monkeypatch):
    # Checking reads every chunk file; doing it per chunk made resuming a finished
    # 349-chunk sweep take longer than running it.
    study = write(tmp_path, toy_study(chunk_size=1))  # 12 chunks
    out = sweep(study, tmp_path / "sweep", executor="sequential")
    calls = []
    check = SweepStore.completed_chunks
    monkeypatch.setattr(SweepStore, "completed_chunks",
                        lambda self, *a: calls.append(a) or check(self, *a))
    sweep(study, out, executor="sequential", resume=True)
    assert calls == [(12, 1, 12)]


# ------------------------------------------------------------------------------ worker death
def test_a_worker_that_dies_once_is_retried_and_the_sweep_completes(tmp_path, toy_models):
    marker = tmp_path / "died"
    study = write(tmp_path, toy_study(
        "dies_once", options=f'marker = "{marker}"\nvictim = 0.4'), "dies.toml")
    out = sweep(study, tmp_path / "dies", executor="local", workers=2)
    assert marker.exists()  # the worker really died once
    store = SweepStore(out)
    assert store.counts() == {"done": 12, "ok": 12, "failed": 0}
    same = sweep(write(tmp_path, toy_study()), tmp_path / "plain", executor="sequential")
    for name in ("outcomes", "series"):
        assert tables(out)[name].equals(tables(same)[name])


def test_a_chunk_whose_worker_always_dies_becomes_failed_rows(tmp_path, toy_models):
    study = write(tmp_path, toy_study("always_dies", options="victim = 0.4"))
    out = sweep(study, tmp_path / "sweep", executor="local", workers=2)
    runs = SweepStore(out).to_pandas("runs")
    failed = runs[runs["status"] == "failed"]
    # chunk_size 2 and 2 replicates: the chunk holding x = 0.4 is exactly its two runs.
    assert sorted(failed["x"]) == [0.4, 0.4]
    assert (failed["error"] == "worker died 3 times running this chunk").all()
    assert (runs["status"] == "ok").sum() == 10


def test_local_executor_isolates_the_chunk_that_kills_its_worker(toy_models):
    def task(c, model, **options):
        runs = [{"run_id": i, "point": i, "replicate": 0, "seed_entropy": 1,
                 "spawn_key": (0,), "params": {"x": i / 10}} for i in (2 * c, 2 * c + 1)]
        return ChunkTask(c, f"sweep_models:{model}", options, runs, None, "none")

    with LocalExecutor(workers=2, max_deaths=2) as ex:
        futures = [ex.submit(run_chunk, task(c, "always_dies", victim=0.3)) for c in range(4)]
        errors = [f.exception(timeout=120) for f in futures]
    assert [type(e).__name__ if e else None for e in errors] == [None, "WorkerDied", None, None]
    assert str(errors[1]) == "worker died 2 times running this chunk"
    assert futures[3].result().outcomes.num_rows == 2


def test_study_loader_and_sweep_agree_on_the_model(tmp_path, toy_models):
    study = load_study(write(tmp_path, toy_study()))
    out = sweep(study, tmp_path / "sweep", executor="sequential")
    manifest = SweepStore(out).manifest
    assert manifest["model"] == "sweep_models:noisy"
    assert manifest["study_file"] == str((tmp_path / "study.toml").resolve())
    assert manifest["n_runs"] == 12 and manifest["n_chunks"] == 6
    assert manifest["versions"]["numpy"] == np.__version__
    design = SweepStore(out).design()
    matrix = manifest["design"]["matrix"]
    assert matrix["columns"] == list(design.columns)
    assert matrix["rows"] == design.to_numpy(dtype=object).tolist()
    assert manifest["root_seed"] == study.seed


def test_a_second_sweep_cannot_write_to_a_directory_in_use(tmp_path, toy_models):
    study = write(tmp_path, toy_study())
    out = sweep(study, tmp_path / "sweep", executor="sequential")
    with SweepStore(out).writing(), pytest.raises(SweepStoreError, match="another sweep"):
        sweep(study, out, executor="sequential", resume=True)
    sweep(study, out, executor="sequential", resume=True)  # the lock went with its holder


ORPHAN_DRIVER = """
import multiprocessing, time
from experiments.executors import LocalExecutor

def slow(x):
    time.sleep(120)
    return x

if __name__ == "__main__":
    ex = LocalExecutor(workers=2)
    ex.submit(slow, 1)
    ex.submit(slow, 2)
    time.sleep(1.5)
    print(" ".join(str(p.pid) for p in multiprocessing.active_children()), flush=True)
    time.sleep(120)
"""


def _running(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "\nState:\tZ" not in status  # a zombie has finished; its reaper is init's business


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc")
def test_pool_workers_leave_when_the_driver_is_killed(tmp_path):
    """Issue 13 §3: kill -9 of the driver leaves no worker computing."""
    script = tmp_path / "driver.py"
    script.write_text(ORPHAN_DRIVER)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(Path(__file__).resolve().parent.parent), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True,
                            env=env)
    pids = [int(p) for p in proc.stdout.readline().split()]
    assert len(pids) == 2 and all(_running(p) for p in pids)
    proc.kill()
    proc.wait(timeout=10)
    deadline = time.monotonic() + 15
    while any(_running(p) for p in pids):
        assert time.monotonic() < deadline, f"workers {pids} outlived their driver"
        time.sleep(0.2)
