"""The consortium as a whole: this month's grant signals, its capacity, activity and stocks.

ODD §2.3. The lead's orientation (between program delivery and systems change, moving with
TA, process gains, grant money, partners' patience and new leaders), the lead's style
(between directing and coaching) and the governance signals it gives with the consortium's
governance mode (M25, M26), the month's state money and phase, operating capacity
(coordination and convening), collaborative activity, visible wins and process gains, and
the shared stocks of vision, data alignment, the narrative that makes process gains count
and the region's framing (M12). Its verbs call the consortium-level rules of
``agents.money`` (capacity), ``agents.programs`` (activity, wins and narrative),
``agents.institutions`` (systems effort, vision, data) and ``agents.leadership`` (style
and governance); the organization- and tie-level passes read its attributes as this
month's signals.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from agents import institutions, leadership, money, programs
from agents.codes import MONTHS_PER_YEAR, Phase


class Consortium:
    """Consortium-level state, read by the passes as this month's signals.

    Construction draws twice, in this order: the orientation of the lead's leader (M13,
    M14), then their style (M26).
    """

    def __init__(self, schedule: Any, rules: Any, rng: np.random.Generator):
        """Start the stocks, fix when TA ends (M9), draw the lead leader's orientation and style.

        The orientation then moves with the mechanisms (M13, M14), the style with the
        activator transition and new lead leaders (M26).
        """
        r, g = rules.region, rules.grant
        self.grant_end = schedule.grant_end
        self.money_end = schedule.money_end
        self._shares = schedule.state_share.tolist()
        self._phases = schedule.phase.tolist()
        ta_on = g.technical_assistance and g.award_musd > 0
        self.ta_until = (schedule.grant_end + MONTHS_PER_YEAR * g.ta_post_grant_years
                         if ta_on else 0)
        # This month's signals.
        self.month = 0
        self.state_share = 0.0
        self.phase = Phase.PLANNING
        self.in_grant = True
        self.ta_active = False  # the TA providers' contract runs this month (M9)
        self.ta = 0.0  # technical assistance this month, 0-1 (M9)
        self.habits = 0.0  # mean habit of the organizations taking part
        self.backbone_share = 0.0  # positions filled / planned (K)
        self.coordination = 0.0
        self.convening = 0.0
        self.attendance = 0.0
        self.activity = 0.0
        self.now = 0.0  # share of effort on visible quick wins this month
        self.local_money = 0.0  # state money reaching districts and colleges, 0-1
        self.wins = 0.0
        self.process = 0.0
        self.effort = 0.0  # effort on systems building
        self.coaching = 0.0  # system-level TA
        # Share of the system-level coaching the state's pool can give: 1 on its own, set
        # each month by a statewide cohort that shares the pool (M9; sim.statewide).
        self.coaching_supply = 1.0
        self.impatient = 0.0  # share of organizations out of patience (M14)
        self.mindset = 0.0  # mean CTE mindset of the districts and colleges taking part (M27)
        self.welcome = programs.mindset_gate(self.mindset, rules.mindset.employer_weight)
        # Stocks.
        self.recent_wins = np.zeros(rules.commitment.wins_memory_months)
        self.vision = rules.institutionalization.prior_vision * r.prior_infrastructure
        self.data = rules.institutionalization.initial_data
        self.narrative = rules.commitment.narrative  # how far process gains count (M15)
        # Framing, 0 counties and programs to 1 the regional economy (M12).
        self.framing = r.economic_framing
        # The lead's orientation, 0 program delivery to 1 systems change (M13, M14).
        self.orientation = programs.leader_orientation(float(rng.standard_normal()), rules)
        self.now_share = programs.now_share(self.orientation, rules)
        # The lead's style, 0 directing to 1 coaching, and the governance it gives (M25, M26).
        self.style = leadership.leader_style(float(rng.standard_normal()), rules)
        self.impositions = 0  # times the lead imposed its own agenda
        self.peer_work = leadership.peer_work(rules)
        self._governance_signals(rules)

    def read_schedule(self, month: int) -> None:
        """Read the month's state money and phase, and whether the grant still runs (§2.4)."""
        self.month = month
        self.state_share = self._shares[month]
        self.phase = self._phases[month]
        self.in_grant = self.phase < Phase.POST

    def operating_capacity(self, habits: float, taking_part: float, backbone: Any,
                           funding: Any, rules: Any) -> None:
        """Coordination and convening capacity, whether TA runs (M9, M11-M13, M21-M23, M25).

        Backbone staff, habits and partners' staff time coordinate, less while a new grant
        is pursued or process metrics are kept (M29), and less what workgroups take under
        shared control (M25); grant money, the covered operations core (partners, anchors,
        won grants), a follow-on grant, habits and, as far as partners take part
        (``taking_part``, their share), the region's economic framing (M12) hold convenings
        up.
        """
        self.habits = habits
        self.backbone_share = backbone.share_filled
        self.coordination = leadership.coordination_left(
            money.coordination(self.backbone_share, habits, funding.in_kind,
                               funding.pursuing > 0, money.keeps_metrics(self.in_grant, rules),
                               rules), rules)
        self.convening = money.convening_intensity(self.state_share, funding.from_grant,
                                                   funding.operations, funding.follow_on,
                                                   habits, self.framing, taking_part,
                                                   rules)
        self.ta_active = self.ta_until > self.month

    def act(self, orgs: Any, rules: Any) -> None:
        """Collaborative activity, visible wins and process gains this month (M5, M14, M15; SF36).

        The wrong ones at the table hold activity back, the right ones lift it (M30).
        Nothing is visible in a planning month. A coaching lead's experiments cost some of
        the visible wins while the practice is new (M26). The month's wins, with process
        gains narrated at the consortium's narrative strength, join the partners' memory of
        wins.
        """
        self.activity = (programs.weakest_link(orgs.engaged, orgs.present, rules)
                         * programs.operating_capacity(self.coordination, self.convening,
                                                         rules)
                         * programs.table_fit(orgs.fit_at_table(), rules))
        self.now = 0.0 if self.phase == Phase.PLANNING else self.now_share
        self.local_money = self.state_share * rules.grant.money
        self.wins, self.process = programs.wins_and_process(self.activity, self.now,
                                                              self.local_money, rules)
        self.wins *= leadership.visible_output(self.style, self.habits, rules)
        memory = self.recent_wins
        memory[self.month % len(memory)] = self.wins + self.narrative * self.process

    def plan_systems_work(self, impatient: float, rules: Any) -> None:
        """Effort on systems building this month, then the lead's orientation moves (M9, M13, M14).

        System-level coaching and narrated process gains pull the lead towards systems
        work; grant money and the share of partners out of patience pull it towards visible
        quick wins. Next month's split of effort follows the orientation.
        """
        self.coaching = institutions.system_ta(self.ta, self.coaching_supply, rules)
        self.effort = institutions.systems_effort(self.now, self.activity, self.coaching, rules)
        self.impatient = impatient
        self.orientation = programs.orientation_step(
            self.orientation, self.coaching, self.narrative * self.process,
            self.state_share, impatient, rules)
        self.now_share = programs.now_share(self.orientation, rules)

    def read_mindset(self, mindset: float, rules: Any) -> None:
        """The schools' mean mindset about CTE, and how far it lets employers' contact pay (M27).

        ``mindset`` is the mean over the districts and colleges taking part; the employer
        ladder reads ``welcome`` (7.20).
        """
        self.mindset = mindset
        self.welcome = programs.mindset_gate(mindset, rules.mindset.employer_weight)

    def take_on_goals(self, rules: Any) -> None:
        """A won grant brings goals of its own: shared vision loses ``mission_drift`` (M23)."""
        self.vision *= 1.0 - rules.sustainment.mission_drift

    def new_lead_leader(self, habit: float, z: float, z_style: float, rules: Any) -> None:
        """A new leader of the lead brings their own orientation and style (M6, M13, M26; I3).

        Both move towards the newcomer's less where practice is sedimented in the lead: a
        culture of learning outlasts the leader who started it (M26).
        """
        # The same sedimentation as a successor's pull on commitment (I3).
        self.orientation = leadership.commitment_after_succession(
            self.orientation, programs.leader_orientation(z, rules), habit, rules)
        self.now_share = programs.now_share(self.orientation, rules)
        self.style = leadership.commitment_after_succession(
            self.style, leadership.leader_style(z_style, rules), habit, rules)

    def steer(self, lead_present: bool, ties: Any, rules: Any,
              rng: np.random.Generator) -> None:
        """The lead's style, an agenda it may impose, the month's governance signals (M25, M26).

        Once partners' habits pass the activator threshold the style drifts towards
        coaching. One draw every month: with chance ``imposition_chance(style)`` a lead
        that takes part imposes its own agenda, and partners are let down on all its ties.
        """
        self.style = leadership.style_step(self.style, self.habits, rules)
        if rng.random() < leadership.imposition_chance(self.style, rules) and lead_present:
            ties.let_down_by_lead()
            self.impositions += 1
        self._governance_signals(rules)

    def _governance_signals(self, rules: Any) -> None:
        """Distributed leadership, formation bias and felt power gap for this style (M25, M26)."""
        self.distributed = leadership.distributed_leadership(self.style, rules)
        self.lead_formation, self.peer_formation = leadership.formation_bias(self.style, rules)
        self.power_distance = leadership.power_distance(self.style, rules)

    def frame_region(self, engaged: float, rules: Any) -> None:
        """The region's framing after the month (M12; ODD §7.31).

        Urgency and ``engaged``, the share of employers taking part as advisors or deeper,
        frame the region around its economy; the month's effort on program delivery frames it
        by counties and programs.
        """
        self.framing = institutions.framing_step(self.framing, engaged, self.now, rules)

    def grow_vision_and_data(self, rules: Any) -> None:
        """Shared vision and data alignment after the month (M2, M20).

        Reporting requirements build data only while a funded grant runs.
        """
        ih, g = rules.institutionalization, rules.grant
        self.vision = institutions.shared_vision(self.vision, self.convening, self.attendance,
                                                 self.now, self.coaching, ih)
        reporting = g.reporting and self.in_grant and g.award_musd > 0
        self.data = institutions.data_alignment(self.data, reporting, self.habits,
                                                self.coordination, ih)

    def tell_the_story(self, rules: Any) -> None:
        """Narrative strength after the month (M15).

        Communication staff time (coordination) and system-level coaching build it; it
        fades without them.
        """
        self.narrative = programs.narrative_strength(self.narrative, self.coordination,
                                                     self.coaching, rules.commitment)
