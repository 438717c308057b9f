"""The consortium model: builds the world from a scenario and steps it month by month.

The organizations, their partnerships, the employer ladder, the funding and the backbone,
and the consortium as a whole are sets in ``agents/`` that own their state and their
verbs; :meth:`ConsortiumModel.step` calls those verbs in the order of ODD §3. The rules
the verbs run are in the compiled families of ``agents/`` (trust, ties, leadership,
commitment, institutions, employers, money, programs). All randomness comes from
``model.rng``, seeded from one ``numpy.random.SeedSequence``.
"""

from __future__ import annotations

import mesa
import networkx as nx
import numpy as np

from agents.commitment import EXIT_RULES
from agents.consortium import Consortium
from agents.funding import Backbone, Funding
from agents.intermediaries import Intermediaries
from agents.ladder import EmployerLadder
from agents.organizations import SECTOR_NAMES, Organizations
from agents.params import Params
from agents.partnerships import PRE_EXISTING, Partnerships
from agents.trust import TRUST_RULES
from sim.grant import GrantSchedule
from sim.observation import Observation, read_only
from sim.params import ScenarioParams
from sim.record import MonthlyRecord


class ConsortiumModel(mesa.Model):
    """A regional cross-sector consortium under a time-limited grant, stepped monthly.

    Construction draws, in this order: the organizations (``Organizations``), the employer
    ladder, the prior partnerships, then the lead's orientation and style (``Consortium``),
    then the intermediaries' brokering quality (``Intermediaries``).
    """

    def __init__(self, params: ScenarioParams,
                 seed: int | np.random.SeedSequence | np.random.Generator | None = None):
        if isinstance(seed, np.random.Generator):
            # A caller that owns the stream (a sweep) hands over its Generator directly.
            ss = seed.bit_generator.seed_seq
            rng = seed
        else:
            ss = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
            rng = np.random.default_rng(ss)
        super().__init__(rng=rng)
        self.seed_sequence = ss
        self.params = params
        self.rules = rules = Params(params)  # the same values, typed for the compiled rules
        self.months = params.months
        self.month = 0
        self.schedule_ = GrantSchedule.build(params.grant, self.months)
        g = params.grant
        grant_on = g.award_musd > 0 and (g.money or g.mandate)
        self.organizations = orgs = Organizations(self, rules, grant_on)
        self.employers = EmployerLadder(orgs, rules, self.rng)
        self.trust_rule = TRUST_RULES[params.trust.rule](rules.trust)
        self.exit_rule = EXIT_RULES[params.commitment.exit_rule](rules.commitment)
        self.partnerships = Partnerships(orgs, rules, self.trust_rule, self.rng)
        self.employers.find_conveners(orgs, self.partnerships)
        self.funding = Funding(orgs, self.schedule_, rules)
        self.backbone = Backbone(orgs, self.funding, rules)
        self.consortium = Consortium(self.schedule_, rules, self.rng)
        self._join_at_start()
        self.intermediaries = Intermediaries(orgs, self.employers, rules, self.rng)
        self.record = MonthlyRecord(self.months, orgs.n, self.partnerships.m)

    def _join_at_start(self) -> None:
        """Signatories take part from the start, as do those with enough trusted ties (M4)."""
        orgs, c = self.organizations, self.rules.commitment
        trusted = self.partnerships.trusted_partners(self.rules.trust.active_threshold,
                                                     np.ones(orgs.n, dtype=bool),
                                                     orgs.commitment, c.join_commitment)
        orgs.taking_part[:] = orgs.signatory | ((trusted >= c.join_min_partners)
                                                & (orgs.commitment >= c.join_commitment))
        orgs.ever_part[:] = orgs.taking_part
        orgs.pledge_leader[:] = orgs.leader_id

    # ------------------------------------------------------------------ the monthly step
    def step(self) -> None:
        """One month, in the order of ODD §3."""
        month = self.month
        if month >= self.months:
            return
        rules, rng = self.rules, self.rng
        orgs, ties, consortium = self.organizations, self.partnerships, self.consortium
        funding, backbone, ladder = self.funding, self.backbone, self.employers
        intermediaries = self.intermediaries
        consortium.read_schedule(month)                                             # 1
        if funding.decides_in(month):                                               # 2
            orgs.weigh_pledges(ties, ladder)
            funding.partners_decide(month, consortium.phase, orgs, consortium, rules, rng)
            backbone.absorb(rules, rng)
        funding.follow_on_grant(month, rules)                                       # 3
        if funding.seek_grants(month, orgs.taking_part.any(), consortium.habits,
                               consortium.data, rules, rng):
            consortium.take_on_goals(rules)
        funding.cover_operations(orgs, rules)
        backbone.staff(month, consortium.state_share, funding, rules, rng)          # 4
        orgs.turn_over_leaders(rng)                                                 # 5
        consortium.steer(bool(orgs.taking_part[orgs.lead]), ties, rules, rng)
        consortium.operating_capacity(orgs.mean_habit_of_participants(),            # 6
                                      orgs.share_taking_part(), backbone, funding, rules)
        intermediaries.assist(orgs, consortium)
        consortium.attendance = orgs.convene(month, consortium.convening, rules, rng)  # 7
        ties.work_together(orgs.meeting, consortium, rules, rng)                    # 8-9
        ties.form_and_dissolve(month, rules)                                        # 10
        consortium.act(orgs, rules)                                                 # 11
        orgs.wait_for_value(ladder, consortium, rules)                              # 12
        orgs.learn_commitment(ladder, ties, consortium, funding, rules)
        orgs.take_part(ties, consortium, self.exit_rule, rules, rng)                # 13
        consortium.plan_systems_work(orgs.impatient_share(), rules)                 # 14
        orgs.institutionalize(ties, consortium, rules, rng)
        consortium.read_mindset(orgs.spread_mindset(ties, rules), rules)
        ties.sign_agreements(orgs, rules, rng)
        consortium.grow_vision_and_data(rules)
        consortium.tell_the_story(rules)
        intermediaries.broker(orgs, ties, ladder, consortium, rules)                # 15
        ladder.climb(orgs, ties, consortium, rules, rng)
        consortium.frame_region(ladder.advisors_share(orgs.taking_part), rules)
        orgs.run_programs(funding, consortium, rules)                               # 16
        self.record.write(month, self)                                              # 17
        self.month += 1

    def run(self, until: int | None = None) -> ConsortiumModel:
        """Step through the horizon, or up to month ``until``, as batch runs do.

        Each month runs :meth:`step` as the class defines it, not through Mesa's event
        queue, which schedules nothing else in this model and costs about a tenth of a run;
        Mesa's clock (``time``, ``steps``) advances only when ``model.step()`` is called.
        """
        stop = self.months if until is None else min(until, self.months)
        advance = ConsortiumModel.step
        while self.month < stop:
            advance(self)
        return self

    # ------------------------------------------------------------------ reading the model
    @property
    def n(self) -> int:
        """Number of organizations."""
        return self.organizations.n

    @property
    def series(self) -> dict[str, np.ndarray]:
        """The monthly series recorded so far (NaN for months not yet stepped)."""
        return self.record.series

    def trust(self) -> np.ndarray:
        """Combined trust per pair after the last month (zero where no tie; T4)."""
        return self.partnerships.trust.copy()

    def adjacency(self) -> np.ndarray:
        """The current ties as a symmetric 0/1 matrix over organizations."""
        ties = self.partnerships
        adj = np.zeros((self.n, self.n))
        adj[ties.i[ties.tie], ties.j[ties.tie]] = 1.0
        return adj + adj.T

    def grant_phase(self) -> str:
        """Name of the current grant phase."""
        return self.schedule_.grant_phase(self.month)

    def observe(self) -> Observation:
        """The state an observer may read after the last step (ODD §4.11)."""
        orgs, ties = self.organizations, self.partnerships
        return Observation(
            month=self.month, attendance=self.consortium.attendance,
            sector=read_only(orgs.sector), taking_part=read_only(orgs.taking_part),
            attended=read_only(orgs.meeting.attended), commitment=read_only(orgs.commitment),
            leader=read_only(orgs.leader_id), rung=read_only(self.employers.rung),
            burnout=read_only(self.employers.burnout), pair_i=read_only(ties.i),
            pair_j=read_only(ties.j), tie=read_only(ties.tie),
            cross_sector=read_only(ties.cross), k12_college=read_only(ties.k12_college),
            formed=read_only(ties.formed), agreement=read_only(ties.agreement),
            trust=read_only(self.trust()))

    def graph(self) -> nx.Graph:
        """The partnership graph now, as a networkx Graph.

        Organizations are nodes; current ties are edges with trust layers, age, origin and
        whether the tie is active.
        """
        g = nx.Graph()
        orgs, ties = self.organizations, self.partnerships
        for a in orgs.agents:
            i = a.index
            g.add_node(i, kind=a.kind, sector=SECTOR_NAMES[orgs.sector[i]], x=float(orgs.x[i]),
                       y=float(orgs.y[i]), lead=i == orgs.lead,
                       taking_part=bool(orgs.taking_part[i]), champion=bool(orgs.champion[i]),
                       commitment=float(orgs.commitment[i]))
        trust = self.trust()
        grant_end = self.schedule_.grant_end
        for k in np.flatnonzero(ties.tie):
            formed = int(ties.formed[k])
            origin = ("pre_existing" if formed == PRE_EXISTING else
                      "grant_formed" if formed < grant_end and self.params.grant.award_musd > 0
                      else "formed_later")
            g.add_edge(int(ties.i[k]), int(ties.j[k]), trust=float(trust[k]),
                       personal_trust=float(ties.personal[k]),
                       institutional_trust=float(ties.institutional[k]), age=float(ties.age[k]),
                       origin=origin, cross_sector=bool(ties.cross[k]), active=bool(ties.active[k]),
                       agreement=bool(ties.agreement[k]))
        return g

