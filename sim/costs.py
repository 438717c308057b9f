"""What a funding design costs the state, per consortium (ODD §2.4).

The state pays:

- the **award**, under the design's award convention (``sim.grant.award_terms``);
- the **retained backbone**: ``round(planned * grant.retained_backbone_share)`` positions,
  the rounding ``agents.money.positions_funded`` uses, at ``grant.position_cost_kusd`` a
  year, from the end of state money through the partner-funded years and ``years_after``
  years after the grant;
- **TA after the grant**: ``min(grant.ta_post_grant_years, years_after)`` years at
  ``costs.ta_kusd_per_year``;
- **onboarding support**: ``grant.onboarding_support`` times
  ``costs.onboarding_kusd_per_year`` for each year of the grant (it runs until grant end);
- a **follow-on grant**: ``grant.follow_on_musd``.

Costs after the grant are counted over the ``years_after`` a comparison reads, because a
retained backbone has no end of its own. Under a taper the retained positions are counted
from the taper's end; what they add while the taper still pays part of the backbone is
left out. Everything is in million USD and follows from the
parameters alone: the model's planned positions depend only on the award and the grant's
shape.
"""

from __future__ import annotations

from agents import money
from agents.codes import MONTHS_PER_YEAR
from agents.params import Params
from sim.grant import GrantSchedule, award_terms
from sim.params import ScenarioParams

KUSD_PER_MUSD = 1000.0
COST_ITEMS = ("award", "retained_backbone", "post_grant_ta", "onboarding", "follow_on")


def state_costs(params: ScenarioParams, years_after: int) -> dict[str, float]:
    """The state's cost of one consortium by item, and ``total``, in million USD."""
    if years_after < 0:
        raise ValueError("years_after must be at least 0")
    g = params.grant
    terms = award_terms(params)
    schedule = GrantSchedule.build(g, params.months)
    planned = money.positions_planned(Params(params), terms["per_year"]) if terms["per_year"] \
        else 0
    retained = round(planned * g.retained_backbone_share)
    retained_years = (schedule.grant_end - schedule.money_end) / MONTHS_PER_YEAR + years_after
    out = {
        "award": float(terms["state_award"]),
        "retained_backbone": retained * g.position_cost_kusd * retained_years / KUSD_PER_MUSD,
        "post_grant_ta": (min(g.ta_post_grant_years, years_after)
                          * params.costs.ta_kusd_per_year / KUSD_PER_MUSD),
        "onboarding": (g.onboarding_support * params.costs.onboarding_kusd_per_year
                       * schedule.grant_end / MONTHS_PER_YEAR / KUSD_PER_MUSD),
        "follow_on": float(g.follow_on_musd) if g.follow_on_year else 0.0,
    }
    out["total"] = sum(out[k] for k in COST_ITEMS)
    return out
