"""The workshop session without a browser: isolation, same-seed comparison, levers, shocks,
the event feed, replicates and export (the browser tests are in test_workshop_browser.py)."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from app.session import LEVERS, Workshop, lever_values, with_levers
from cli.main import app
from cli.workshop import is_loopback
from sim.scenario import load_scenario


def series(w: Workshop, k: int = 0) -> dict[str, np.ndarray]:
    return w.sides[k].series()


def test_two_sessions_never_share_a_model_and_one_seed_gives_one_run() -> None:
    a, b = Workshop(), Workshop()
    a.step(10)
    assert a.month == 10 and b.month == 0
    b.step(10)
    for name, values in series(a).items():
        assert np.array_equal(values, series(b)[name], equal_nan=True), name
    b.reset(seed=7)
    b.step(10)
    assert not np.array_equal(series(a)["mean_trust"], series(b)["mean_trust"], equal_nan=True)


def test_a_design_beside_itself_on_the_same_seed_runs_identically() -> None:
    w = Workshop()
    w.set_compare("ccpt_as_run")
    w.step(40)
    left, right = series(w, 0), series(w, 1)
    for name in ("mean_trust", "active_cross_sector_ties", "function_level"):
        assert np.array_equal(left[name], right[name], equal_nan=True), name
    w.set_compare("taper_2y")
    w.step(48)  # the taper's money shows once the state years end
    assert not np.array_equal(series(w, 0)["state_share"], series(w, 1)["state_share"],
                              equal_nan=True)


def test_the_levers_set_the_scenario_and_start_again() -> None:
    base = load_scenario("workshop_small")
    values = lever_values(base, base)
    assert values["turnover"] == 1.0 and values["state_years"] == base.grant.state_years
    moved = with_levers(base, {**values, "state_years": 5, "turnover": 2.0})
    assert moved.grant.state_years == 5
    assert moved.leadership.turnover_district == pytest.approx(
        2 * base.leadership.turnover_district)
    w = Workshop()
    w.step(5)
    w.set_lever("retained_backbone_share", 0.5)
    assert w.month == 0 and w.preset == "custom"
    assert w.sides[0].params.grant.retained_backbone_share == 0.5
    w.use_design("taper_2y")
    assert w.levers["taper_years"] == 2 and w.preset == "taper_2y"
    assert set(w.levers) == set(LEVERS)


def test_shocks_act_on_the_running_model_and_reach_the_feed() -> None:
    w = Workshop()
    w.step(12)
    m = w.sides[0].model
    lead = m.organizations.lead
    leader, draws = m.organizations.leader_id[lead], m.rng.bit_generator.state
    said = w.shock("leader_leaves")
    assert m.organizations.leader_id[lead] == leader + 1
    assert m.rng.bit_generator.state != draws  # a turnover's draws, from the model's stream
    assert "(shock)" in said[0] and said[0] in w.sides[0].events
    w.shock("employer_exits")
    gone = [i for i, a in enumerate(m.organizations.agents)
            if a.kind == "employer" and m.organizations.commitment[i] == 0.0]
    assert gone and not m.organizations.taking_part[gone[0]]
    w.shock("intermediary_loses_funding")
    broker = [b for b in m.intermediaries.brokers if m.intermediaries.quality[b] == 0.0]
    assert broker and not m.organizations.taking_part[broker[0]]
    w.shock("new_grant_arrives")
    assert m.funding.follow_on_from == 12
    w.step(1)
    assert m.funding.follow_on > 0  # it pays from the next month
    with pytest.raises(ValueError, match="unknown shock"):
        w.shock("earthquake")


def test_the_feed_tells_the_grant_phases_and_leader_changes_in_plain_words() -> None:
    w = Workshop()
    w.step(40)
    feed = " ".join(w.sides[0].events)
    assert "Month 36: state money has ended: partners now pay." in feed
    changes = int(w.sides[0].model.organizations.turnover_events)
    assert changes > 0 and "leader left" in feed


def test_fifty_replicates_per_side_on_the_same_seeds() -> None:
    w = Workshop()
    w.set_compare("ccpt_as_run")
    out = w.run_replicates(8)
    assert [len(level) for _, level, _ in out] == [8, 8]
    assert out[0][1] == out[1][1] and out[0][2] == out[1][2]  # the same seeds, the same runs
    assert set(out[0][2]) <= {0.0, 1.0, 2.0}
    assert all(0.0 <= x <= 1.0 for x in out[0][1])


def test_export_writes_the_run_and_the_views() -> None:
    from app.workshop import snapshot_png

    w = Workshop()
    w.set_compare("taper_2y")
    w.step(6)
    table = pd.read_csv(io.BytesIO(w.csv()))
    assert len(table) == 12 and set(table["side"]) == {"levers (ccpt_as_run)", "taper_2y"}
    assert {"month", "grant_phase", "mean_trust", "function_level"} <= set(table.columns)
    png = snapshot_png(w)
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000


def test_the_workshop_command_checks_its_input_and_warns_off_loopback() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("localhost") and is_loopback("::1")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.5")
    res = CliRunner().invoke(app, ["workshop", "nowhere"])
    assert res.exit_code == 2 and "no such file or shipped scenario" in res.output
