"""Smoke tests of the `consortium` command line on a small scenario."""

import csv
import struct
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest
from scipy import stats
from tiny_scenario import SMALL
from typer.testing import CliRunner

from cli.main import app
from sim import summary
from sim.outcomes import OUTCOMES
from sim.record import MONTHLY_SERIES
from sim.scenario import shipped_scenarios

REPLICATES = 3
SEED = 11
MONTHS = 72
GRANT_END = 48  # default grant: 3 state years + 1 partner year, no planning


@pytest.fixture(scope="module")
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture(scope="module")
def scenario(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("scenarios") / "tiny.toml"
    path.write_text(SMALL)
    return path


@pytest.fixture(scope="module")
def full_run(runner, scenario, tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    result = runner.invoke(app, ["run", str(scenario), "--replicates", str(REPLICATES),
                                 "--seed", str(SEED), "--out", str(out)])
    return result, out


@pytest.fixture
def no_figures(monkeypatch):
    """Skip drawing (the slow part) in runs that only check tables."""
    from viz import figures

    def touch(_data, path, **_kw):
        Path(path).write_bytes(b"")
        return Path(path)

    monkeypatch.setattr(figures, "trajectory_bands", touch)
    monkeypatch.setattr(figures, "network_snapshots", touch)


def _png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", head[16:24])


def _outcomes(runner, scenario, out, seed) -> dict:
    result = runner.invoke(app, ["run", str(scenario), "-n", str(REPLICATES), "--seed", str(seed),
                                 "--out", str(out)])
    assert result.exit_code == 0, result.output
    return pq.read_table(out / "tiny_outcomes.parquet").to_pydict()


def test_run_writes_every_file(full_run):
    result, out = full_run
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted([*(f"tiny_{s}" for s in (
        "monthly.parquet", "outcomes.parquet", "summary.csv", "summary.md",
        "trajectories.png", "network.png", "survival.csv", "survival.png",
        "distribution.png")), "provenance.json"])
    for name in names:
        assert str(out / name) in result.stdout.replace("\n", "")
    assert "sustained" in result.stdout and "dissolved" in result.stdout
    assert f"{REPLICATES}/{REPLICATES}" in result.stdout
    assert "award convention: fixed_total" in result.stdout.replace("\n", " ")
    assert "award convention: fixed_total" in (out / "tiny_summary.md").read_text()
    survival = (out / "tiny_survival.csv").read_text().splitlines()
    assert survival[0].startswith("year,n,sustained,sustained_low,sustained_high")
    for png in ("tiny_trajectories.png", "tiny_network.png", "tiny_survival.png",
                "tiny_distribution.png"):
        width, height = _png_size(out / png)
        assert width > 800 and height > 400, png


def test_monthly_parquet(full_run):
    _, out = full_run
    table = pq.read_table(out / "tiny_monthly.parquet")
    assert table.num_rows == REPLICATES * MONTHS
    expected = {"replicate", "seed_entropy", "spawn_key", "month", "year", "grant_phase",
                "function_level"} | set(MONTHLY_SERIES) - {"phase"}
    assert expected <= set(table.column_names)
    cols = table.to_pydict()
    assert sorted(set(cols["replicate"])) == list(range(REPLICATES))
    assert set(cols["seed_entropy"]) == {SEED}
    assert sorted(set(cols["spawn_key"])) == ["0", "1", "2"]
    first = [i for i, r in enumerate(cols["replicate"]) if r == 0]
    assert [cols["month"][i] for i in first] == list(range(MONTHS))
    assert cols["year"][first[0]] == 1 and cols["year"][first[-1]] == MONTHS // 12
    phases = [cols["grant_phase"][i] for i in first]
    assert phases[0] == "state" and phases[GRANT_END - 1] == "partner"
    assert set(phases[GRANT_END:]) == {"post"}
    level = np.array([cols["function_level"][i] for i in first])
    assert np.all((level >= 0) & (level <= 1))


def test_outcomes_parquet_and_summary(full_run):
    _, out = full_run
    cols = pq.read_table(out / "tiny_outcomes.parquet").to_pydict()
    assert cols["replicate"] == list(range(REPLICATES))
    assert cols["spawn_key"] == ["0", "1", "2"]
    assert cols["seed_entropy"] == [SEED] * REPLICATES
    assert set(OUTCOMES) <= set(cols)
    assert all(np.isnan(v) for v in cols["function_level_4y"])  # beyond a 6-year horizon

    with (out / "tiny_summary.csv").open() as fh:
        rows = list(csv.DictReader(fh))
    outcome_rows = {r["name"]: r for r in rows if r["table"] == "outcome"}
    status_rows = {r["name"]: r for r in rows if r["table"] == "status"}
    assert set(outcome_rows) == {n for n in OUTCOMES if not n.startswith("status_")}
    assert set(status_rows) == {f"{s}_{k}y" for s in ("sustained", "scaled_back", "dissolved")
                                for k in (2, 4)}
    mean_trust = outcome_rows["mean_trust_grant_end"]
    assert int(mean_trust["n"]) == REPLICATES and mean_trust["method"] == "t"
    assert float(mean_trust["mean"]) == pytest.approx(np.mean(cols["mean_trust_grant_end"]))
    assert float(mean_trust["ci_low"]) <= float(mean_trust["mean"]) <= float(mean_trust["ci_high"])
    assert outcome_rows["sustained_2y"]["method"] == "wilson"
    assert outcome_rows["function_level_4y"]["n"] == "0"
    shares = [float(status_rows[f"{s}_2y"]["mean"]) for s in ("sustained", "scaled_back",
                                                               "dissolved")]
    assert sum(shares) == pytest.approx(1.0)
    assert float(status_rows["sustained_2y"]["mean"]) == pytest.approx(
        np.mean(cols["sustained_2y"]))
    md = (out / "tiny_summary.md").read_text()
    assert "| `mean_trust_grant_end` | 3 |" in md and "| dissolved |" in md


def test_same_seed_same_outcomes_other_seed_differs(runner, scenario, full_run, tmp_path,
                                                    no_figures):
    _, out = full_run
    first = pq.read_table(out / "tiny_outcomes.parquet").to_pydict()
    again = _outcomes(runner, scenario, tmp_path / "again", SEED)
    other = _outcomes(runner, scenario, tmp_path / "other", SEED + 1)
    assert again.keys() == first.keys()
    for key in OUTCOMES:
        np.testing.assert_array_equal(again[key], first[key])
    assert any(not np.array_equal(other[k], first[k], equal_nan=True) for k in OUTCOMES)


def test_set_override_changes_the_run(runner, scenario, tmp_path, no_figures):
    result = runner.invoke(app, ["run", str(scenario), "-n", "1", "--set",
                                 "outcomes.horizon_years=5", "--set", 'name="five"',
                                 "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert pq.read_table(tmp_path / "five_monthly.parquet").num_rows == 60


def test_scenarios_lists_and_shows(runner, scenario, tmp_path, monkeypatch):
    (tmp_path / "alpha.toml").write_text(SMALL.replace('"tiny"', '"alpha"'))
    (tmp_path / "beta.toml").write_text(
        'extends = "alpha.toml"\ndescription = "Alpha with a taper."\n[grant]\ntaper_years = 2\n')
    monkeypatch.setattr("sim.scenario.SCENARIO_DIR", tmp_path)

    listed = runner.invoke(app, ["scenarios"], env={"COLUMNS": "200"})
    assert listed.exit_code == 0, listed.output
    assert "alpha" in listed.stdout and "A tiny region for CLI tests." in listed.stdout
    assert "beta" in listed.stdout and "Alpha with a taper." in listed.stdout

    shown = runner.invoke(app, ["scenarios", "show", "beta", "--set", "trust.gain_rate=0.2"],
                          env={"COLUMNS": "200"})
    assert shown.exit_code == 0, shown.output
    lines = shown.stdout.splitlines()
    for section in ("[region]", "[grant]", "[trust]", "[outcomes]"):
        assert any(section in line for line in lines)

    def row(name):
        return next(line for line in lines if f"│ {name} " in line)

    assert "changed (default 0)" in row("taper_years") and "assumption" in row("taper_years")
    assert "changed (default 11)" in row("n_districts") and "orgs" in row("n_districts")
    assert "changed (default 0.1)" in row("gain_rate")
    assert "default" in row("award_musd") and "changed" not in row("award_musd")

    by_path = runner.invoke(app, ["scenarios", "show", str(scenario)], env={"COLUMNS": "200"})
    assert by_path.exit_code == 0 and "A tiny region for CLI tests." in by_path.stdout


def test_scenarios_lists_the_shipped_files(runner):
    result = runner.invoke(app, ["scenarios"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    for name in shipped_scenarios():
        assert name in result.stdout


def test_summary_intervals():
    low, high = summary.wilson_interval(0, 10)
    assert low == 0.0 and high == pytest.approx(3.8415 / 13.8415, abs=1e-4)
    values = [0.2, 0.4, 0.5, float("nan"), 0.9]
    est = summary.estimate("x", values)
    ref = stats.t.interval(0.95, 3, loc=0.5, scale=stats.sem([0.2, 0.4, 0.5, 0.9]))
    assert (est.n, est.method) == (4, "t")
    assert (est.low, est.high) == pytest.approx(ref)
    assert summary.estimate("b", [1, 0, 1, 1]).method == "wilson"
    assert not summary.estimate("gone", [float("nan")] * 3).available
    shares = summary.status_shares([{"status_2y": c, "status_4y": float("nan")}
                                    for c in (2, 2, 1, 0)])
    by_name = {e.name: e for e in shares}
    assert by_name["sustained_2y"].mean == 0.5 and by_name["dissolved_2y"].mean == 0.25
    assert by_name["sustained_4y"].n == 0


def test_help_explains_with_examples(runner):
    for args in ([], ["run"], ["scenarios"], ["scenarios", "show"]):
        result = runner.invoke(app, [*args, "--help"], env={"COLUMNS": "120"})
        assert result.exit_code == 0
        assert "Example" in result.stdout


@pytest.fixture
def bad_files(tmp_path) -> Path:
    (tmp_path / "syntax.toml").write_text('name = "x"\n[region\n')
    (tmp_path / "unknown.toml").write_text("[region]\nn_elephants = 3\n")
    (tmp_path / "wrong_type.toml").write_text('[grant]\nstate_years = "three"\n')
    (tmp_path / "out_of_range.toml").write_text("[grant]\nstate_years = 99\n")
    (tmp_path / "loop_a.toml").write_text('extends = "loop_b.toml"\n')
    (tmp_path / "loop_b.toml").write_text('extends = "loop_a.toml"\n')
    (tmp_path / "ok.toml").write_text(SMALL)
    return tmp_path


@pytest.mark.parametrize(("file", "extra", "expected"), [
    ("missing.toml", [], ["missing.toml", "no such file"]),
    ("syntax.toml", [], ["syntax.toml", "TOML syntax error", "line 2"]),
    ("unknown.toml", [], ["unknown.toml", "region.n_elephants", "unknown key"]),
    ("wrong_type.toml", [], ["wrong_type.toml", "grant.state_years", "integer", "'three'"]),
    ("out_of_range.toml", [], ["out_of_range.toml", "grant.state_years", "10", "99"]),
    ("loop_a.toml", [], ["loop_b.toml", "extends", "circular"]),
    ("ok.toml", ["--set", "grant.state_years"], ["--set", "grant.state_years", "KEY=VALUE"]),
    ("ok.toml", ["--set", "grant.nope=1"], ["--set", "grant.nope", "unknown key"]),
    ("ok.toml", ["--set", "grant.taper_years=-1"], ["--set", "grant.taper_years", "-1"]),
])
@pytest.mark.parametrize("command", [["run"], ["scenarios", "show"]])
def test_bad_input_is_one_clear_line(runner, bad_files, command, file, extra, expected):
    out = bad_files / "out"
    args = [*command, str(bad_files / file), *extra]
    if command == ["run"]:
        args += ["--out", str(out)]
    result = runner.invoke(app, args, env={"COLUMNS": "60"})
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    for part in expected:
        assert part in lines[0]
    assert result.stdout == ""
    assert not out.exists()


def test_replicates_must_be_positive(runner, scenario, tmp_path):
    result = runner.invoke(app, ["run", str(scenario), "--replicates", "0",
                                 "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "--replicates" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "o").exists()


def test_command_help_reflows_prose_and_keeps_lists():
    from cli.common import reflow

    doc = """Summary line.

        First paragraph wrapped
        over two lines.

        - a list item
        - another
        """
    assert reflow(doc) == ("Summary line.\n\nFirst paragraph wrapped over two lines.\n\n"
                            "- a list item\n- another")
    validate = next(c for c in app.registered_commands if c.name == "validate")
    assert "\n\n" in validate.help and "the\nevidence" not in validate.help
