"""Seed-pinned regression snapshot of whole runs: what the model computes, to the last bit.

Guards restructurings that must not change results. Each case is a shipped scenario, or
the baseline with a few settings that reach code paths the shipped files leave idle, under
each structural alternative (trust rule x exit rule), run from several root seeds. A run is
reduced to SHA-256 digests of its outcomes, its monthly series, its collaboration edges,
the final organization and tie state, the consortium's scalars and the state of the
model's random generator after the last month (so the number and order of draws is
pinned too).

``capture`` names each array by what it means, not where it lives, so the snapshot
survives moving state between objects. Regenerate the snapshot only with a change that
is meant to change results, and say so in the commit:

    python -m tests.regression.snapshot --write
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

import numpy as np

from sim.model import ConsortiumModel
from sim.outcomes import RunRecord, compute_outcomes
from sim.scenario import load_scenario, shipped_scenarios

SNAPSHOT = Path(__file__).with_name("snapshot.json")
SEEDS = (0, 1, 2, 20140701, 987654321)
RULES = {
    "default": [],  # Beta-reputation trust, threshold exits
    "asymmetric": ["trust.rule=asymmetric"],
    "logit": ["commitment.exit_rule=logit"],
    "asymmetric_logit": ["trust.rule=asymmetric", "commitment.exit_rule=logit"],
}
# Settings on the baseline that reach paths no shipped scenario takes.
VARIANTS = {
    "taper_planning_agreements": ["grant.taper_years=2", "grant.planning_months=12",
                                  "grant.required_agreements=true",
                                  "grant.match_enforced=true", "grant.linked_wins=true"],
    "follow_on_retained_ta": ["grant.follow_on_year=3", "grant.follow_on_musd=6.0",
                              "grant.retained_backbone_share=0.5",
                              "grant.ta_post_grant_years=2", "grant.administered_by=joint"],
    "employers_leaders": ["employers.transactional_asks=true",
                          "employers.liability_solution=true", "leadership.grow_leaders=true",
                          "region.lead=district", "region.n_industry_sectors=5"],
    "no_grant": ["grant.award_musd=0.0"],
    "channels_off": ["grant.money=false", "grant.backbone=false", "grant.reporting=false",
                     "grant.subregional_nodes=3", "grant.subregional_switch_month=6"],
    "crowding_in": ["commitment.crowding=-0.1", "region.prior_infrastructure=0.6",
                    "region.prior_tie_density=0.2"],
    "annual_award_grants": ["grant.award_convention=fixed_annual", "grant.state_years=5",
                            "sustainment.opportunity_rate=3.0", "sustainment.win_max=1.0",
                            "region.lead=county_office", "sustainment.absorb_intercept=0.0"],
    "design_levers": ["governance.mode=shared_open", "grant.purposeful_recruitment=true",
                      "grant.staffing_strategy=reassign_existing",
                      "grant.accountability=process_metrics", "region.n_ta_providers=0"],
}


def cases() -> list[tuple[str, str, list[str]]]:
    """(case name, scenario, overrides) for every snapshot case."""
    out = []
    bases = [(name, name, []) for name in shipped_scenarios()]
    bases += [(f"ccpt_baseline+{k}", "ccpt_baseline", v) for k, v in VARIANTS.items()]
    for case, scenario, extra in bases:
        for rule, settings in RULES.items():
            out.append((f"{case}/{rule}", scenario, extra + settings))
    return out


def _digest(x: object) -> str:
    a = np.ascontiguousarray(np.asarray(x))
    h = hashlib.sha256(str(a.dtype).encode() + str(a.shape).encode())
    h.update(a.tobytes())
    return h.hexdigest()[:16]


def capture(model: ConsortiumModel) -> dict[str, object]:
    """Every array and scalar of a finished run, by meaning (keys predate the current layout)."""
    orgs, ties, ladder = model.organizations, model.partnerships, model.employers
    where = {"program": (orgs, "program"), "stage": (ladder, "rung"), "roi": (ladder, "roi"),
             "burnout": (ladder, "burnout"), "pledged_stage": (ladder, "pledged_rung"),
             "difficulty": (ladder, "difficulty")}
    arrays: dict[str, object] = {}
    for name in ("sector", "x", "y", "capacity", "load", "budget", "turnover", "commitment",
                 "aspiration", "taking_part", "signatory", "money_motivated", "threshold",
                 "champion", "leader_id", "pledge_leader", "habit", "floor", "passages",
                 "program", "stage", "roi", "burnout", "pledged_stage", "difficulty",
                 "contribution", "prior_member", "ever_part", "waiting", "impatient",
                 "anchor"):
        owner, attr = where.get(name, (orgs, name))
        arrays[f"org.{name}"] = getattr(owner, attr)
    for name in ("i", "j", "tie", "personal", "institutional", "age", "idle", "formed",
                 "agreement", "prior_formality", "cross", "distance", "near", "competitive",
                 "lead_edge", "k12_college", "complementarity", "openness", "base_formality",
                 "formality", "positive", "negative"):
        arrays[f"tie.{name}"] = getattr(ties, name)
    for name, values in model.record.series.items():
        arrays[f"series.{name}"] = values
    for name in ("host", "is_filled", "absorbed"):
        arrays[f"position.{name}"] = getattr(model.backbone, name)
    arrays["collaboration_edges"] = model.record.collaboration_edges
    arrays["trust"] = model.trust()
    c, backbone, funding = model.consortium, model.backbone, model.funding
    scalars = {
        "positions_planned": backbone.planned, "positions_funded": backbone.funded,
        "positions_filled": backbone.filled, "core_cost": funding.core_cost,
        "partner_funding": funding.partner_funding, "partner_ratio": funding.partner_ratio,
        "vision": c.vision, "data": c.data, "orientation": c.orientation,
        "now_share": c.now_share, "turnover_events": orgs.turnover_events, "lead": orgs.lead,
        "recent_wins": c.recent_wins.tolist(), "operations": funding.operations,
        "in_kind": funding.in_kind, "grants_won": funding.grants_won,
        "won_until": list(funding.won_until), "extra_positions": funding.extra_positions,
        "state_award": funding.state_award,
    }
    arrays["scalars"] = np.frombuffer(json.dumps(scalars, sort_keys=True).encode(), np.uint8)
    record = RunRecord.from_model(model)
    outcomes = compute_outcomes(record)
    arrays["outcomes"] = np.array([outcomes[k] for k in sorted(outcomes)])
    state = json.dumps(model.rng.bit_generator.state, sort_keys=True, default=int)
    arrays["rng_state"] = np.frombuffer(state.encode(), np.uint8)
    return {k: _digest(v) for k, v in arrays.items()}


def run_case(scenario: str, overrides: list[str], seed: int) -> dict[str, str]:
    """Digests of one seeded run of a case."""
    model = ConsortiumModel(load_scenario(scenario, overrides), seed)
    model.run()
    return capture(model)


def build() -> dict[str, dict[str, str]]:
    """Digests of every case and seed: ``{"case@seed": {array: digest}}``."""
    return {f"{case}@{seed}": run_case(scenario, overrides, seed)
            for case, scenario, overrides in cases() for seed in SEEDS}


def write(snap: dict[str, dict[str, str]]) -> None:
    """Store the array names once and each run's digests in that order, a line a run."""
    keys = sorted(next(iter(snap.values())))
    lines = [f"  {json.dumps(run)}: {json.dumps(' '.join(d[k] for k in keys))}"
             for run, d in sorted(snap.items())]
    SNAPSHOT.write_text(f'{{"arrays": {json.dumps(keys)},\n "runs": {{\n'
                        + ",\n".join(lines) + "\n}}\n")


def read() -> dict[str, dict[str, str]]:
    """The committed snapshot in the shape :func:`build` returns."""
    data = json.loads(SNAPSHOT.read_text())
    return {run: dict(zip(data["arrays"], digests.split(), strict=True))
            for run, digests in data["runs"].items()}


def main() -> None:
    """Write the snapshot (``--write``) or compare the code with it."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--write", action="store_true", help="overwrite snapshot.json")
    args = ap.parse_args()
    snap = build()
    if args.write:
        write(snap)
        print(f"wrote {len(snap)} runs to {SNAPSHOT}")
        return
    old = read()
    bad = {k: [a for a in v if old.get(k, {}).get(a) != v[a]] for k, v in snap.items()}
    bad = {k: v for k, v in bad.items() if v}
    print(f"{len(snap) - len(bad)} of {len(snap)} runs identical")
    for k, v in list(bad.items())[:20]:
        print(f"  {k}: {', '.join(v[:8])}")


if __name__ == "__main__":
    main()
