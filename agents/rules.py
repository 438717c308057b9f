"""Organization-level behaviour rules, vectorised over the organizations they apply to.

Each rule is a pure function of arrays and a parameter section, so it can be tested on its
own for bounds, direction and invariants. The model decides when each rule runs.
"""

from __future__ import annotations

import numpy as np

from sim.params import Commitment, Employers, Institutionalization


def commitment_learning(commitment: np.ndarray, aspiration: np.ndarray, payoff: np.ndarray,
                        p: Commitment) -> tuple[np.ndarray, np.ndarray]:
    """Bush-Mosteller commitment learning with habituating aspirations (C2; M22).

    A payoff above aspiration raises commitment towards 1, one below lowers it towards 0,
    in proportion to the gap. Aspirations then drift towards the payoff, so partners used to
    grant-era payoffs read the post-grant drop as failure (Macy & Flache 2002).
    """
    gap = (payoff - aspiration).clip(-1.0, 1.0)
    room = commitment + (gap >= 0) * (1.0 - 2.0 * commitment)  # 1 - C going up, C going down
    C = commitment + p.learning_rate * room * gap
    A = (1.0 - p.habituation) * aspiration + p.habituation * payoff
    return C.clip(0.0, 1.0), A


def exits(commitment: np.ndarray, partner_share: np.ndarray, threshold: np.ndarray,
          p: Commitment) -> np.ndarray:
    """Who leaves: commitment below the floor, or too few partners still active (C1, C4).

    The second clause is Granovetter's (1978) threshold rule: heterogeneous thresholds let
    a few departures cascade.
    """
    return (commitment < p.exit_commitment) | (partner_share < threshold)


def joins(commitment: np.ndarray, trusted_active_partners: np.ndarray, invited: np.ndarray,
          p: Commitment) -> np.ndarray:
    """Who (re)joins: committed enough, and invited or pulled in by trusted partners.

    Outsiders are invited by the grant or pulled in by several trusted active partners
    (complex contagion, M4; Centola & Macy 2007).
    """
    pulled = trusted_active_partners >= p.join_min_partners
    return (commitment >= p.join_commitment) & (invited | pulled)


def habit_step(habit: np.ndarray, floor: np.ndarray, enacted: np.ndarray, effort: float,
               p: Institutionalization) -> np.ndarray:
    """Routinization stock (I1; M13): grows when the practice is enacted, decays when not.

    ``effort`` in [0, 1] is the systems-building intensity (the 'then' share of effort,
    boosted by system TA). Passages hold the habit above its floor.
    """
    grow = p.habit_growth * effort * (1.0 - habit)
    decay = p.habit_decay * habit
    out = np.where(enacted, habit + grow, habit - decay)
    return np.maximum(out, floor).clip(0.0, 1.0)


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
    u_contact, u_climb, u_scare, u_slip = u
    low_rung = stage <= 3  # events, speakers, judges, advisors meet students
    contact = taking_part & low_rung & (u_contact < p.contact_rate * activity)
    roi = roi + contact * p.contact_roi_gain * (1.0 + p.urgency_gain * urgency) * (1.0 - roi)
    roi = roi - p.roi_decay * roi
    nxt = stage + 1
    ready = (trust_convener >= p.trust_per_stage * nxt) & (roi >= p.roi_per_stage * nxt)
    hard = np.where(stage >= 3, difficulty, 0.0)
    climb = taking_part & ready & (stage < 6) & (u_climb < p.step_rate * (1.0 - hard))
    stage = stage + climb
    asks = p.ask_rate * now_share * activity * (stage >= 1) * (1.0 - p.one_stop * one_stop)
    asks = asks * (1.0 + stage / 3.0) * taking_part  # heavy lifters are tapped most (20-80)
    scared = np.zeros_like(taking_part)
    if p.transactional_asks:
        scared = taking_part & (stage < 4) & (u_scare < p.transactional_dropout * asks * 3.0)
        stage = np.where(scared, 0, stage)
    burnout = (burnout + p.burnout_rate * asks - p.burnout_recovery * burnout).clip(0.0, 1.0)
    burnt = taking_part & (burnout > p.burnout_exit)
    idle = ~taking_part | ~contact
    slip = idle & (stage > 0) & (u_slip < p.stage_decay * (1.0 - activity * taking_part))
    stage = stage - slip
    return stage, roi.clip(0.0, 1.0), burnout, scared, burnt


def program_step(program: np.ndarray, support: np.ndarray, push: np.ndarray,
                 p: Institutionalization) -> np.ndarray:
    """Local pathway programmes (SF2; M13, M14).

    They grow with local money and quick-win effort and decay unless supported by local
    habits, budget lines or money.
    """
    out = program + p.program_growth * push * (1.0 - program)
    out = out - p.program_decay * program * (1.0 - support)
    return out.clip(0.0, 1.0)
