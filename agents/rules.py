"""Organization-level behaviour rules, vectorised over the organizations they apply to.

Each rule is a pure function of arrays and a parameter section, so it can be tested on its
own for bounds, direction and invariants. The model decides when each rule runs. Monthly
rules are written once, for one organization, in the compiled module
``agents._org_kernels``: the model's month runs them in compiled passes, and the functions
here apply one rule to whole arrays. Yearly rules are plain numpy.
"""

from __future__ import annotations

import numpy as np

from agents import _org_kernels as _k
from agents.ties import _bits, _reals
from sim.params import Commitment, Employers, Institutionalization


def commitment_learning(commitment: np.ndarray, aspiration: np.ndarray, payoff: np.ndarray,
                        p: Commitment) -> tuple[np.ndarray, np.ndarray]:
    """Bush-Mosteller commitment learning with habituating aspirations (C2; M22).

    A payoff above aspiration raises commitment towards 1, one below lowers it towards 0,
    in proportion to the gap. Aspirations then drift towards the payoff, so partners used to
    grant-era payoffs read the post-grant drop as failure (Macy & Flache 2002).
    """
    m = len(commitment)
    C, A = np.empty(m), np.empty(m)
    _k.commitment_learning(_reals(commitment, m), _reals(aspiration, m), _reals(payoff, m), p,
                           C, A)
    return C, A


def exits(commitment: np.ndarray, partner_share: np.ndarray, threshold: np.ndarray,
          p: Commitment, u: np.ndarray | None = None) -> np.ndarray:
    """Who leaves: commitment below the floor, or too few partners still active (C1, C4).

    The second clause is Granovetter's (1978) threshold rule: heterogeneous thresholds let
    a few departures cascade. Under ``p.exit_rule = "logit"`` an organization leaves when
    its uniform in ``u`` falls below :func:`exit_probability`.
    """
    m = len(commitment)
    if p.exit_rule == "logit":
        if u is None:
            raise ValueError("the logit exit rule needs one uniform per organization")
        return np.asarray(u) < exit_probability(commitment, partner_share, threshold, p)
    out = np.zeros(m, dtype=bool)
    _k.exits(_reals(commitment, m), _reals(partner_share, m), _reals(threshold, m), p,
             out.view(np.uint8))
    return out


def exit_probability(commitment: np.ndarray, partner_share: np.ndarray,
                     threshold: np.ndarray, p: Commitment) -> np.ndarray:
    """Monthly chance of leaving under the logit exit rule (C4 alternative; C1).

    ``1 - 1/(1 + exp(beta*(exit_commitment - C)) + exp(beta*(threshold - share)))`` with
    ``beta = exit_slope``: a multinomial logit (McFadden 1974) between staying (utility 0)
    and two reasons to leave, each with a utility growing with its shortfall below the
    threshold rule's line. It is ``1/(1 + exp(-z))`` for ``z = log(e^(beta*dC) +
    e^(beta*dS))``; it rises as commitment or the partner share falls, and as ``beta``
    grows it tends to the threshold rule (0 above both lines, 1 below either).
    """
    m = len(commitment)
    out = np.empty(m)
    _k.exit_chances(_reals(commitment, m), _reals(partner_share, m), _reals(threshold, m), p,
                    out)
    return out


def joins(commitment: np.ndarray, trusted_active_partners: np.ndarray, invited: np.ndarray,
          p: Commitment) -> np.ndarray:
    """Who (re)joins: committed enough, and invited or pulled in by trusted partners.

    Outsiders are invited by the grant or pulled in by several trusted active partners
    (complex contagion, M4; Centola & Macy 2007).
    """
    m = len(commitment)
    out = np.zeros(m, dtype=bool)
    _k.joins(_reals(commitment, m), _reals(trusted_active_partners, m), _bits(invited, m), p,
             out.view(np.uint8))
    return out


def habit_step(habit: np.ndarray, floor: np.ndarray, enacted: np.ndarray, effort: float,
               p: Institutionalization) -> np.ndarray:
    """Routinization stock (I1; M13): grows when the practice is enacted, decays when not.

    ``effort`` in [0, 1] is the systems-building intensity (the 'then' share of effort,
    boosted by system TA). Passages hold the habit above its floor.
    """
    m = len(habit)
    out = np.empty(m)
    _k.habit_step(_reals(habit, m), _reals(floor, m), _bits(enacted, m), float(effort), p, out)
    return out


def contribution_share(value: np.ndarray, habit: np.ndarray, champion: np.ndarray,
                       vision: float, load: np.ndarray, money_motivated: np.ndarray,
                       state_share: float | np.ndarray, p: Commitment) -> np.ndarray:
    """Share of its budget a partner puts into the collaborative this year (M22; C3).

    Rises with perceived value, institutionalization, a champion and shared identity; falls
    with competing initiatives. Money-motivated partners give nothing (M3). ``state_share``
    is the state money a partner is used to (0-1, per partner or one value): it crowds the
    partner's own money out, or in for negative ``crowding`` (de Wit & Bekkers 2017).
    """
    x = (p.contrib_intercept + p.contrib_value * value + p.contrib_institutionalization * habit
         + p.contrib_champion * champion + p.contrib_identity * vision - p.contrib_load * load)
    crowd = 1.0 - p.crowding * state_share  # below 1: crowding out; above 1: crowding in
    return np.minimum(1.0, np.clip(x, 0.0, 1.0) * crowd) * (~money_motivated)


def pledge_honour_probability(commitment: np.ndarray, same_leader: np.ndarray,
                              habit: np.ndarray, enforced: bool, p: Commitment) -> np.ndarray:
    """Chance a pledged match is honoured (C5; M29).

    Logistic in commitment, leader continuity, institutionalization and enforcement.
    """
    z = (p.pledge_intercept + p.pledge_commitment * commitment
         + p.pledge_same_leader * same_leader + p.pledge_institutionalization * habit
         + p.enforcement_bonus * enforced)
    return 1.0 / (1.0 + np.exp(-z))


# Sector barriers to work-based learning (M17): health (HIPAA, fragmented; "can also be the
# most difficult"), manufacturing (18+ floor rule), ICT (skill gap), engineering,
# agriculture (FFA presence). The ordering follows the seed; magnitudes are assumptions.
INDUSTRY_SECTORS = ("health", "manufacturing", "ict", "engineering", "agriculture")
SECTOR_DIFFICULTY = np.array([0.55, 0.5, 0.4, 0.25, 0.3])
MANUFACTURING = 1


def employer_step(stage: np.ndarray, roi: np.ndarray, burnout: np.ndarray,
                  taking_part: np.ndarray, trust_convener: np.ndarray, difficulty: np.ndarray,
                  activity: float, now_share: float, urgency: float, one_stop: np.ndarray,
                  u: np.ndarray, p: Employers) -> tuple[np.ndarray, np.ndarray, np.ndarray,
                                                        np.ndarray, np.ndarray]:
    """One month of the employer engagement ladder (M16, M17, M28; SF15-SF18, SF31).

    ``u`` holds four uniforms per employer (contact, climb, scare-off, slip). Returns new
    stage, ROI, burnout, and masks of employers scared off by a premature big ask and of
    those burnt out ("divorce").
    """
    m = len(stage)
    stage = np.array(stage, dtype=np.int64)
    roi, burnout = np.array(roi, dtype=float), np.array(burnout, dtype=float)
    scared, burnt = np.zeros(m, dtype=bool), np.zeros(m, dtype=bool)
    _k.employer_step(stage, roi, burnout, _bits(taking_part, m), _reals(trust_convener, m),
                     _reals(difficulty, m), float(activity), float(now_share), float(urgency),
                     _reals(one_stop, m), np.ascontiguousarray(u, dtype=float), p,
                     scared.view(np.uint8), burnt.view(np.uint8))
    return stage, roi, burnout, scared, burnt


def program_step(program: np.ndarray, support: np.ndarray, push: np.ndarray,
                 p: Institutionalization) -> np.ndarray:
    """Local pathway programmes (SF2; M13, M14).

    They grow with local money and quick-win effort and decay unless supported by local
    habits, budget lines or money.
    """
    m = len(program)
    out = np.empty(m)
    _k.program_step(_reals(program, m), _reals(support, m), _reals(push, m), p, out)
    return out
