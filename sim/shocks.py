"""Shocks a facilitator fires into a running model, between months (docs/workshop.md).

Each shock is an event the evidence describes. It acts through the model's own verbs where
one exists, takes effect from the next month, and returns a sentence for the event feed.
Shocks are interventions, not rules of the model: a batch run never fires one.

- :func:`leader_leaves`: a leader changes, exactly as leader turnover does (M6, M7).
- :func:`employer_exits`: the most engaged employer walks away (M16, M17: "divorce").
- :func:`intermediary_loses_funding`: the main broker loses its funding and leaves, and
  its brokering quality goes with it (M8: when the intermediary leaves, the employer
  relationships leave).
- :func:`new_grant_arrives`: a follow-on grant starts this month (M23; SF25).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from agents.organizations import KIND_ORDER

KIND_LABELS = {"district": "District", "charter": "Charter school", "college": "College",
               "workforce_board": "Workforce board", "county_office": "County office",
               "ta_provider": "TA provider", "chamber": "Chamber", "employer": "Employer"}
NEW_GRANT_MUSD = 1.0
"""Size of the new grant the shock brings, in million USD (an illustration, not a fact)."""


def org_name(model: Any, i: int) -> str:
    """A plain name for organization ``i``: its kind and its number among that kind."""
    kinds = [a.kind for a in model.organizations.agents]
    kind = kinds[i]
    return f"{KIND_LABELS[kind]} {kinds[:i + 1].count(kind)}"


def _taking_part(model: Any, kind: str) -> np.ndarray:
    orgs = model.organizations
    return np.array([i for i, a in enumerate(orgs.agents)
                     if a.kind == kind and orgs.taking_part[i]], dtype=int)


def leader_leaves(model: Any, org: int | None = None) -> str:
    """The leader of ``org`` (default: the lead agency) leaves; a successor arrives (M6, M7).

    The organization's ``change_leader``, the verb of leader turnover, draws from the
    model's generator as a turnover does.
    """
    orgs = model.organizations
    i = int(orgs.lead if org is None else org)
    was_champion = bool(orgs.champion[i])
    ties = model.partnerships
    touched = int(np.count_nonzero(ties.tie & ((ties.i == i) | (ties.j == i))))
    orgs.agents[i].change_leader()
    who = "a champion" if was_champion else "its leader"
    return (f"{org_name(model, i)}'s leader left ({who}); {touched} partnerships lose the "
            "personal trust built with that person.")


def employer_exits(model: Any, org: int | None = None) -> str:
    """The employer highest on the engagement ladder (or ``org``) stops taking part (M17)."""
    if org is None:
        engaged = _taking_part(model, "employer")
        if engaged.size == 0:
            return "No employer is taking part, so none can leave."
        rung = model.employers.rung  # per organization
        org = int(max(engaged, key=lambda e: (float(rung[e]), -int(e))))
    orgs = model.organizations
    orgs.taking_part[org] = False
    orgs.commitment[org] = 0.0
    return f"{org_name(model, org)} walked away from the consortium."


def intermediary_loses_funding(model: Any) -> str:
    """The broker with the highest brokering quality loses its funding and leaves (M8)."""
    inter, orgs = model.intermediaries, model.organizations
    brokers = [int(b) for b in inter.brokers if orgs.taking_part[b]]
    if not brokers:
        return "No intermediary is taking part, so none can lose its funding."
    b = max(brokers, key=lambda k: (float(inter.quality[k]), -k))
    inter.quality[b] = 0.0
    orgs.taking_part[b] = False
    orgs.commitment[b] = 0.0
    return (f"{org_name(model, b)} lost its funding and stopped brokering; the employers it "
            "brokered lose that help.")


def new_grant_arrives(model: Any, musd: float = NEW_GRANT_MUSD) -> str:
    """A follow-on grant of ``musd`` starts this month (M23; SF25)."""
    model.funding.award_follow_on(model.month, musd)
    years = model.rules.grant.follow_on_years
    return (f"A new ${musd:g}M grant arrived; it pays part of the backbone for {years} "
            "years.")


SHOCKS = {"leader_leaves": leader_leaves, "employer_exits": employer_exits,
          "intermediary_loses_funding": intermediary_loses_funding,
          "new_grant_arrives": new_grant_arrives}
"""The shocks by name, as the dashboard's buttons call them."""

assert set(KIND_LABELS) == set(KIND_ORDER)
