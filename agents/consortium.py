"""The consortium as a whole: this month's grant signals, its capacity, activity and stocks.

ODD §2.3. The lead's orientation (between program delivery and systems change, moving with
TA, process gains, grant money, partners' patience and new leaders), the month's state
money and phase, operating capacity (coordination and convening), collaborative activity,
visible wins and process gains, and the shared stocks of vision and data alignment. Its
verbs call the consortium-level rules of ``agents.money`` (capacity), ``agents.programs``
(activity and wins) and ``agents.institutions`` (systems effort, vision, data); the
organization- and tie-level passes read its attributes as this month's signals.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from agents import institutions, leadership, money, programs
from agents.codes import MONTHS_PER_YEAR, Phase


class Consortium:
    """Consortium-level state, read by the passes as this month's signals.

    Construction draws once: the disposition of the lead's leader (M13, M14).
    """

    def __init__(self, schedule: Any, rules: Any, rng: np.random.Generator):
        """Start the stocks, fix when TA ends (M9), draw the lead leader's orientation.

        The orientation then moves with the mechanisms (M13, M14).
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
        self.impatient = 0.0  # share of organizations out of patience (M14)
        # Stocks.
        self.recent_wins = np.zeros(rules.commitment.wins_memory_months)
        self.vision = rules.institutionalization.prior_vision * r.prior_infrastructure
        self.data = rules.institutionalization.initial_data
        # The lead's orientation, 0 program delivery to 1 systems change (M13, M14).
        self.orientation = programs.leader_orientation(float(rng.standard_normal()), rules)
        self.now_share = programs.now_share(self.orientation, rules)

    def read_schedule(self, month: int) -> None:
        """Read the month's state money and phase, and whether the grant still runs (§2.4)."""
        self.month = month
        self.state_share = self._shares[month]
        self.phase = self._phases[month]
        self.in_grant = self.phase < Phase.POST

    def operating_capacity(self, habits: float, backbone: Any, funding: Any,
                           rules: Any) -> None:
        """Coordination and convening capacity, and whether TA runs (M9, M11, M13, M21-M23).

        Backbone staff, habits and partners' staff time coordinate, less while a new grant
        is pursued; grant money, the covered operations core (partners, anchors, won
        grants), a follow-on grant and habits pay for convenings.
        """
        self.habits = habits
        self.backbone_share = backbone.share_filled
        self.coordination = money.coordination(self.backbone_share, habits, funding.in_kind,
                                               funding.pursuing > 0, rules)
        self.convening = money.convening_intensity(self.state_share, funding.from_grant,
                                                   funding.operations, funding.follow_on,
                                                   habits, rules)
        self.ta_active = self.ta_until > self.month

    def act(self, orgs: Any, rules: Any) -> None:
        """Collaborative activity, visible wins and process gains this month (M5, M14, M15; SF36).

        Nothing is visible in a planning month. The month's wins, with narrated process
        gains, join the partners' memory of wins.
        """
        self.activity = (programs.weakest_link(orgs.engaged, orgs.present, rules)
                         * programs.operating_capacity(self.coordination, self.convening,
                                                         rules))
        self.now = 0.0 if self.phase == Phase.PLANNING else self.now_share
        self.local_money = self.state_share * rules.grant.money
        self.wins, self.process = programs.wins_and_process(self.activity, self.now,
                                                              self.local_money, rules)
        memory = self.recent_wins
        memory[self.month % len(memory)] = self.wins + rules.commitment.narrative * self.process

    def plan_systems_work(self, impatient: float, rules: Any) -> None:
        """Effort on systems building this month, then the lead's orientation moves (M9, M13, M14).

        System-level coaching and narrated process gains pull the lead towards systems
        work; grant money and the share of partners out of patience pull it towards visible
        quick wins. Next month's split of effort follows the orientation.
        """
        self.coaching = institutions.system_ta(self.ta, rules)
        self.effort = institutions.systems_effort(self.now, self.activity, self.coaching, rules)
        self.impatient = impatient
        self.orientation = programs.orientation_step(
            self.orientation, self.coaching, rules.commitment.narrative * self.process,
            self.state_share, impatient, rules)
        self.now_share = programs.now_share(self.orientation, rules)

    def take_on_goals(self, rules: Any) -> None:
        """A won grant brings goals of its own: shared vision loses ``mission_drift`` (M23)."""
        self.vision *= 1.0 - rules.sustainment.mission_drift

    def new_lead_leader(self, habit: float, z: float, rules: Any) -> None:
        """A new leader of the lead brings their own orientation (M6, M13; I3).

        The orientation moves towards it less where practice is sedimented in the lead.
        """
        # The same sedimentation as a successor's pull on commitment (I3).
        self.orientation = leadership.commitment_after_succession(
            self.orientation, programs.leader_orientation(z, rules), habit, rules)
        self.now_share = programs.now_share(self.orientation, rules)

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
