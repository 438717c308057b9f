"""consortium-sim: does a regional cross-sector partnership outlive its grant."""

from sim.params import ScenarioParams
from sim.run import RunResult, run, run_replicates
from sim.scenario import ScenarioError, load_scenario

__all__ = ["RunResult", "ScenarioError", "ScenarioParams", "load_scenario", "run",
           "run_replicates"]
__version__ = "0.1.0"
