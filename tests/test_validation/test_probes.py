"""Probes read the model through its observations: burnout exits, agreements."""

import dataclasses
import math

import numpy as np
import pytest

from agents.codes import Sector
from sim.model import ConsortiumModel
from sim.scenario import load_scenario
from validation.probes import AgreementProbe, BurnoutExitProbe
from validation.runs import run_statistics, stepped_run
from validation.statistics import (
    heavy_lifter_burnout_exit_hazard,
    other_employer_burnout_exit_hazard,
)


def test_burnout_probe_counts_exits_of_the_asked_employers_by_rung(make_view):
    params = load_scenario("workshop_small")
    first = ConsortiumModel(params, 7).observe()
    emp = np.flatnonzero(first.sector == Sector.EMPLOYER)[:5]
    part = np.zeros(len(first.sector), dtype=bool)
    part[emp] = True
    rung = first.rung.copy()
    rung[emp] = [0, 1, 3, 4, 6]  # rung 0 is not asked: four at risk, two heavy
    start = dataclasses.replace(first, taking_part=part, rung=rung)
    probe = BurnoutExitProbe(first, params)
    probe.before(start)
    level = params.employers.burnout_exit
    part_after, burnout = part.copy(), first.burnout.copy()
    part_after[emp] = [False, False, True, False, False]
    burnout[emp] = [level + 0.1, level + 0.1, level + 0.1, level - 0.1, level + 0.1]
    probe.after(dataclasses.replace(start, month=1, taking_part=part_after, burnout=burnout))
    # Rung 1 burnt out; rung 3 stays; rung 4 left with low burnout (another reason); rung 6
    # burnt out; rung 0 was not at risk.
    counts = probe.result()
    assert counts == {"heavy_at_risk": 2, "heavy_exits": 1, "other_at_risk": 2,
                      "other_exits": 1}
    view = make_view(probes={"burnout_exits": counts})
    assert heavy_lifter_burnout_exit_hazard(view) == 0.5
    assert other_employer_burnout_exit_hazard(view) == 0.5
    empty = make_view(probes={"burnout_exits": {"heavy_at_risk": 0, "heavy_exits": 0,
                                            "other_at_risk": 3, "other_exits": 0}})
    assert math.isnan(heavy_lifter_burnout_exit_hazard(empty))
    assert other_employer_burnout_exit_hazard(empty) == 0.0


def test_burnout_probe_sees_exits_in_a_run_that_over_asks():
    params = load_scenario("workshop_small", ["employers.ask_rate=5", "employers.one_stop=0"])
    seed = np.random.SeedSequence(0)
    counts = stepped_run(params, seed, {}, (), ["burnout_exits"]).probes["burnout_exits"]
    assert counts["other_exits"] + counts["heavy_exits"] > 0
    assert counts["other_exits"] <= counts["other_at_risk"]
    assert counts["heavy_exits"] <= counts["heavy_at_risk"]
    stats_ = run_statistics(params, seed, ["other_employer_burnout_exit_hazard"])
    assert stats_["other_employer_burnout_exit_hazard"] == pytest.approx(
        counts["other_exits"] / counts["other_at_risk"])


def test_agreement_probe_follows_the_model():
    params = load_scenario("workshop_small")
    model = ConsortiumModel(params, 3)
    probe = AgreementProbe(model.observe(), params)
    for _ in range(36):
        probe.before(model.observe())
        model.step()
        obs = model.observe()
        probe.after(obs)
        assert probe.values[-1] == int(obs.agreement.sum())
        assert not np.any(obs.agreement & ~obs.k12_college)
