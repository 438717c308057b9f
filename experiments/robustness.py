"""Robustness of funding designs across deep uncertainties: satisficing and regret.

The deep uncertainties are parameters that no source pins down and that a state cannot
set: how fast trust is built and forgotten, how often leaders turn over, what partners can
pay, how much state money crowds out their own, how many competing grants arrive, and what
staff and TA cost. A Latin hypercube of them (``scipy.stats.qmc``) gives the futures; every
design runs in every future on the same replicate seeds. For each design (Lempert et al.
2003; McPhail et al. 2018 on robustness metrics):

- the **satisficing share**: the share of futures in which its share sustained meets the
  target the user sets;
- its **regret** in a future: the share sustained of the best design in that future minus
  its own; reported as the median and the 90th percentile over futures.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import qmc

from experiments.compare import horizon_for, map_runs
from sim.costs import state_costs
from sim.designs import Design
from sim.outcomes import status_by_year
from sim.params import ScenarioParams
from sim.run import replicate_seeds, run
from sim.scenario import with_values

# The deep uncertainties and their ranges (ODD §9 gives each default and source). The ranges
# are assumptions around the defaults, except crowding-out, which spans the meta-analysis
# range of de Wit & Bekkers 2017 (-0.06 to 0.64) clipped at 0, and the leader turnover
# hazards, which span the range the OFAT study uses (0.10-0.30 a year).
UNCERTAINTIES: dict[str, tuple[float, float]] = {
    "trust.beta_forgetting": (0.70, 0.95),
    "trust.positive_rate": (0.3, 0.7),
    "leadership.turnover_district": (0.08, 0.30),
    "leadership.turnover_college": (0.10, 0.30),
    "sustainment.partner_capacity_ratio": (0.05, 0.30),
    "commitment.crowding": (0.0, 0.6),
    "sustainment.opportunity_rate": (0.2, 1.0),
    "grant.position_cost_kusd": (80.0, 150.0),
    "costs.ta_kusd_per_year": (75.0, 300.0),
}


@dataclass(frozen=True)
class Robustness:
    """Each design's share sustained and cost in each future."""

    futures: pd.DataFrame          # one row per future, one column per uncertainty
    sustained: pd.DataFrame        # futures x designs: share sustained at years_after
    cost: pd.DataFrame             # futures x designs: state cost per consortium ($M)
    replicates: int
    years_after: int


def futures_lhs(n: int, seed: int,
                uncertainties: dict[str, tuple[float, float]] = UNCERTAINTIES) -> pd.DataFrame:
    """``n`` futures by Latin hypercube over the uncertainties' ranges."""
    sample = qmc.LatinHypercube(d=len(uncertainties), seed=np.random.default_rng(seed)
                                ).random(n)
    low = np.array([lo for lo, _ in uncertainties.values()])
    high = np.array([hi for _, hi in uncertainties.values()])
    return pd.DataFrame(qmc.scale(sample, low, high), columns=list(uncertainties))


def _one(job: tuple[ScenarioParams, np.random.SeedSequence, int]) -> float:
    params, seed, years_after = job
    return float(status_by_year(run(params, seed).record, years_after)[years_after - 1])


def robustness(designs: Sequence[Design], base: ScenarioParams, n_futures: int,
               replicates: int, seed: int, years_after: int = 2, workers: int | None = None,
               progress: Callable[[int], None] | None = None) -> Robustness:
    """Run every design in every future, ``replicates`` runs each on the same seeds."""
    futures = futures_lhs(n_futures, seed)
    horizon = horizon_for(designs, base, years_after)
    seeds = replicate_seeds(seed, replicates)
    arms = []
    for _, future in futures.iterrows():
        values = {**future.to_dict(), "outcomes.horizon_years": horizon}
        arms.append([with_values(d.apply(base), values, source=d.path) for d in designs])
    status = map_runs(_one, [(p, s, years_after) for row in arms for p in row for s in seeds],
                      workers, progress)
    grid = np.array(status).reshape(n_futures, len(designs), replicates)
    names = [d.name for d in designs]
    sustained = pd.DataFrame((grid == 2.0).mean(axis=2), columns=names)
    cost = pd.DataFrame([[state_costs(p, years_after)["total"] for p in row] for row in arms],
                        columns=names)
    return Robustness(futures=futures, sustained=sustained, cost=cost,
                      replicates=replicates, years_after=years_after)


def robustness_table(r: Robustness, target: float) -> pd.DataFrame:
    """Per design: satisficing share, regret (median and 90th percentile) and mean cost."""
    regret = r.sustained.max(axis=1).to_numpy()[:, None] - r.sustained.to_numpy()
    rows = []
    for k, name in enumerate(r.sustained.columns):
        share = r.sustained.iloc[:, k]   # by position: a design may be compared with itself
        rows.append({"design": name, "target": target,
                     "satisficing_share": float((share >= target).mean()),
                     "sustained_median": float(share.median()),
                     "sustained_min": float(share.min()),
                     "regret_median": float(np.median(regret[:, k])),
                     "regret_p90": float(np.quantile(regret[:, k], 0.9)),
                     "cost_mean_musd": float(r.cost.iloc[:, k].mean())})
    return pd.DataFrame(rows)
