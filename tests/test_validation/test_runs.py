"""Runs: a stepped run with probes gives the run facade's outcomes for the same seed."""

import numpy as np

from sim.run import run
from sim.scenario import load_scenario
from validation.runs import stepped_run


def test_stepped_runs_match_the_run_facade():
    params = load_scenario("workshop_small")
    seed = np.random.SeedSequence(3).spawn(2)[1]
    stepped = stepped_run(params, seed, {"start": -1}, (), ["attendance", "trust_timing"])
    facade = run(params, seed)
    assert stepped.outcomes.keys() == facade.outcomes.keys()
    np.testing.assert_array_equal(list(stepped.outcomes.values()), list(facade.outcomes.values()))
    for name in facade.record.series:
        np.testing.assert_array_equal(stepped.record.series[name], facade.record.series[name])
