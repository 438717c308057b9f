# cython: language_level=3
# Generated from sim/params.py by tools/gen_params.py: do not edit; run `make params`.

"""The scenario's parameters as typed classes for the compiled rules.

``Params(scenario)`` copies a validated ``sim.params.ScenarioParams`` once per run;
the rules then read ``params.trust.gain_rate`` as a C double. Each class mirrors one
section of ``sim/params.py`` field by field, in the schema's order.
"""


cdef class Region:
    """``[region]``: Who is in the region and where they are (domain brief §1, §6.5)."""

    def __init__(self, section):
        self.n_districts = section.n_districts
        self.n_charters = section.n_charters
        self.n_colleges = section.n_colleges
        self.n_workforce_boards = section.n_workforce_boards
        self.n_county_offices = section.n_county_offices
        self.n_ta_providers = section.n_ta_providers
        self.n_chambers = section.n_chambers
        self.n_employers = section.n_employers
        self.n_industry_sectors = section.n_industry_sectors
        self.lead = section.lead
        self.length_km = section.length_km
        self.width_km = section.width_km
        self.prior_tie_density = section.prior_tie_density
        self.prior_trust = section.prior_trust
        self.prior_infrastructure = section.prior_infrastructure
        self.insularity = section.insularity
        self.orientation_mean = section.orientation_mean
        self.systems_now_share = section.systems_now_share
        self.urgency = section.urgency
        self.economic_framing = section.economic_framing
        self.prior_trust_spread = section.prior_trust_spread
        self.prior_cluster_ties = section.prior_cluster_ties
        self.prior_tie_age_min = section.prior_tie_age_min
        self.prior_tie_age_max = section.prior_tie_age_max


cdef class Grant:
    """``[grant]``: Grant design: phases, channels, spending and policy levers (§2, §7.5)."""

    def __init__(self, section):
        self.award_musd = section.award_musd
        self.award_convention = section.award_convention
        self.reference_state_years = section.reference_state_years
        self.planning_months = section.planning_months
        self.state_years = section.state_years
        self.taper_years = section.taper_years
        self.partner_years = section.partner_years
        self.money = section.money
        self.backbone = section.backbone
        self.technical_assistance = section.technical_assistance
        self.convenings = section.convenings
        self.mandate = section.mandate
        self.reporting = section.reporting
        self.equipment_share = section.equipment_share
        self.staff_share = section.staff_share
        self.convening_share = section.convening_share
        self.subgrant_share = section.subgrant_share
        self.now_share = section.now_share
        self.linked_wins = section.linked_wins
        self.position_cost_kusd = section.position_cost_kusd
        self.convening_cost_kusd = section.convening_cost_kusd
        self.hire_lag_months = section.hire_lag_months
        self.job_insecurity = section.job_insecurity
        self.staffing_strategy = section.staffing_strategy
        self.reassigned_share = section.reassigned_share
        self.reassigned_output = section.reassigned_output
        self.retained_backbone_share = section.retained_backbone_share
        self.ta_system_share = section.ta_system_share
        self.ta_post_grant_years = section.ta_post_grant_years
        self.required_agreements = section.required_agreements
        self.match_enforced = section.match_enforced
        self.accountability = section.accountability
        self.metrics_cost = section.metrics_cost
        self.administered_by = section.administered_by
        self.follow_on_year = section.follow_on_year
        self.follow_on_musd = section.follow_on_musd
        self.subregional_nodes = section.subregional_nodes
        self.subregional_switch_month = section.subregional_switch_month
        self.onboarding_support = section.onboarding_support
        self.purposeful_recruitment = section.purposeful_recruitment
        self.equipment_k12_share = section.equipment_k12_share
        self.equipment_college_share = section.equipment_college_share
        self.subgrant_k12_share = section.subgrant_k12_share
        self.subgrant_college_share = section.subgrant_college_share
        self.receipt_half_saturation_musd = section.receipt_half_saturation_musd
        self.k12_agency_college_ownership = section.k12_agency_college_ownership
        self.post_cliff_hiring_security = section.post_cliff_hiring_security
        self.follow_on_years = section.follow_on_years
        self.linked_wins_share = section.linked_wins_share
        self.ta_experience_offset = section.ta_experience_offset
        self.agreement_clarity = section.agreement_clarity
        self.metrics_clarity = section.metrics_clarity


cdef class Trust:
    """``[trust]``: Two-layer trust on ties (M1-M3, M7; science_anchors T1-T5)."""

    def __init__(self, section):
        self.rule = section.rule
        self.gain_rate = section.gain_rate
        self.loss_ratio = section.loss_ratio
        self.decay_rate = section.decay_rate
        self.age_slowing = section.age_slowing
        self.baseline = section.baseline
        self.cross_sector_gain = section.cross_sector_gain
        self.spanner_boost = section.spanner_boost
        self.ta_boost = section.ta_boost
        self.positive_rate = section.positive_rate
        self.negative_rate = section.negative_rate
        self.power_gap_penalty = section.power_gap_penalty
        self.formalization_transfer = section.formalization_transfer
        self.institutional_decay = section.institutional_decay
        self.turnover_retention = section.turnover_retention
        self.referral_weight = section.referral_weight
        self.active_threshold = section.active_threshold
        self.beta_forgetting = section.beta_forgetting
        self.beta_prior_weight = section.beta_prior_weight
        self.beta_negative_weight = section.beta_negative_weight
        self.formality_weight = section.formality_weight
        self.wins_base = section.wins_base
        self.agreement_formality = section.agreement_formality
        self.data_formality = section.data_formality
        self.articulation_formality = section.articulation_formality
        self.backbone_trust_share = section.backbone_trust_share


cdef class Ties:
    """``[ties]``: Tie formation and dissolution (M4, M10, M11; science_anchors N1, N3)."""

    def __init__(self, section):
        self.spontaneous_rate = section.spontaneous_rate
        self.convening_rate = section.convening_rate
        self.common_partner_rate = section.common_partner_rate
        self.cross_sector_preference = section.cross_sector_preference
        self.travel_scale_km = section.travel_scale_km
        self.meeting_size_threshold = section.meeting_size_threshold
        self.meetings_per_month = section.meetings_per_month
        self.regional_meeting_interval = section.regional_meeting_interval
        self.bilateral_rate = section.bilateral_rate
        self.dissolution_rate = section.dissolution_rate
        self.age_protection = section.age_protection
        self.trust_protection = section.trust_protection
        self.bridge_factor = section.bridge_factor
        self.postgrant_factor = section.postgrant_factor
        self.inactive_window_months = section.inactive_window_months


cdef class Leadership:
    """``[leadership]``: Leadership turnover, champions and the lead's style (M5-M7, M26; science_anchors L1, L2)."""

    def __init__(self, section):
        self.turnover_district = section.turnover_district
        self.turnover_college = section.turnover_college
        self.turnover_employer = section.turnover_employer
        self.turnover_intermediary = section.turnover_intermediary
        self.champion_district = section.champion_district
        self.champion_college = section.champion_college
        self.champion_employer = section.champion_employer
        self.champion_intermediary = section.champion_intermediary
        self.champion_boost = section.champion_boost
        self.onboarding = section.onboarding
        self.distributed_leadership = section.distributed_leadership
        self.grow_leaders = section.grow_leaders
        self.successor_spread = section.successor_spread
        self.coaching_mean = section.coaching_mean
        self.coaching_spread = section.coaching_spread
        self.coaching_formation = section.coaching_formation
        self.coaching_leadership = section.coaching_leadership
        self.coaching_voice = section.coaching_voice
        self.experiment_cost = section.experiment_cost
        self.imposition_rate = section.imposition_rate
        self.activator_threshold = section.activator_threshold
        self.activator_rate = section.activator_rate
        self.champion_disposition = section.champion_disposition


cdef class Commitment:
    """``[commitment]``: Commitment, participation and post-grant contributions."""

    def __init__(self, section):
        self.learning_rate = section.learning_rate
        self.habituation = section.habituation
        self.initial_mean = section.initial_mean
        self.initial_spread = section.initial_spread
        self.urgency_commitment = section.urgency_commitment
        self.money_motivated_base = section.money_motivated_base
        self.money_motivated_per_musd = section.money_motivated_per_musd
        self.exit_threshold_mean = section.exit_threshold_mean
        self.exit_threshold_spread = section.exit_threshold_spread
        self.exit_commitment = section.exit_commitment
        self.data_exit_relief = section.data_exit_relief
        self.exit_rule = section.exit_rule
        self.exit_slope = section.exit_slope
        self.join_commitment = section.join_commitment
        self.join_min_partners = section.join_min_partners
        self.participation_cost = section.participation_cost
        self.relational_weight = section.relational_weight
        self.grant_weight = section.grant_weight
        self.mandate_weight = section.mandate_weight
        self.vision_weight = section.vision_weight
        self.wins_weight = section.wins_weight
        self.narrative = section.narrative
        self.narrative_growth = section.narrative_growth
        self.narrative_decay = section.narrative_decay
        self.initiative_load_district = section.initiative_load_district
        self.initiative_load_college = section.initiative_load_college
        self.initiative_load_employer = section.initiative_load_employer
        self.initiative_load_intermediary = section.initiative_load_intermediary
        self.overload_sensitivity = section.overload_sensitivity
        self.policy_coherence = section.policy_coherence
        self.dominance_tolerance = section.dominance_tolerance
        self.dominance_penalty = section.dominance_penalty
        self.crowding = section.crowding
        self.contrib_intercept = section.contrib_intercept
        self.contrib_value = section.contrib_value
        self.contrib_institutionalization = section.contrib_institutionalization
        self.contrib_champion = section.contrib_champion
        self.contrib_identity = section.contrib_identity
        self.contrib_load = section.contrib_load
        self.pledge_intercept = section.pledge_intercept
        self.pledge_commitment = section.pledge_commitment
        self.pledge_same_leader = section.pledge_same_leader
        self.pledge_institutionalization = section.pledge_institutionalization
        self.enforcement_bonus = section.enforcement_bonus
        self.pledge_role_clarity = section.pledge_role_clarity
        self.pledge_trust = section.pledge_trust
        self.pledge_ask_mismatch = section.pledge_ask_mismatch
        self.capacity_min = section.capacity_min
        self.capacity_max = section.capacity_max
        self.initial_aspiration = section.initial_aspiration
        self.money_motivated_cap = section.money_motivated_cap
        self.money_motivated_weight = section.money_motivated_weight
        self.cross_sector_value = section.cross_sector_value
        self.relational_saturation = section.relational_saturation
        self.outsider_relational_share = section.outsider_relational_share
        self.cost_relief = section.cost_relief
        self.wins_benefit_district = section.wins_benefit_district
        self.wins_benefit_college = section.wins_benefit_college
        self.wins_benefit_employer = section.wins_benefit_employer
        self.wins_benefit_intermediary = section.wins_benefit_intermediary
        self.weakest_link_rho = section.weakest_link_rho
        self.wins_money_dependence = section.wins_money_dependence
        self.coordination_weight = section.coordination_weight
        self.wins_memory_months = section.wins_memory_months
        self.value_commitment = section.value_commitment
        self.value_wins = section.value_wins
        self.value_data = section.value_data
        self.crowding_memory_months = section.crowding_memory_months
        self.honoured_pledge_share = section.honoured_pledge_share


cdef class Institutionalization:
    """``[institutionalization]``: Habit stock, passages and shared infrastructure."""

    def __init__(self, section):
        self.habit_growth = section.habit_growth
        self.habit_decay = section.habit_decay
        self.passage_threshold = section.passage_threshold
        self.passage_rate = section.passage_rate
        self.passage_floor = section.passage_floor
        self.passage_lapse = section.passage_lapse
        self.max_passages = section.max_passages
        self.habit_coordination = section.habit_coordination
        self.vision_growth = section.vision_growth
        self.vision_decay = section.vision_decay
        self.data_growth = section.data_growth
        self.data_decay = section.data_decay
        self.articulation_trust = section.articulation_trust
        self.articulation_rate = section.articulation_rate
        self.faculty_resistance = section.faculty_resistance
        self.college_competition = section.college_competition
        self.program_growth = section.program_growth
        self.program_decay = section.program_decay
        self.prior_vision = section.prior_vision
        self.initial_data = section.initial_data
        self.passage_commitment = section.passage_commitment
        self.program_ta_push = section.program_ta_push
        self.program_money_support = section.program_money_support
        self.program_contribution_support = section.program_contribution_support


cdef class Employers:
    """``[employers]``: The employer engagement ladder (M16, M17, M28)."""

    def __init__(self, section):
        self.step_rate = section.step_rate
        self.trust_per_stage = section.trust_per_stage
        self.roi_per_stage = section.roi_per_stage
        self.contact_rate = section.contact_rate
        self.contact_roi_gain = section.contact_roi_gain
        self.roi_decay = section.roi_decay
        self.urgency_gain = section.urgency_gain
        self.transactional_asks = section.transactional_asks
        self.ask_rate = section.ask_rate
        self.transactional_dropout = section.transactional_dropout
        self.burnout_rate = section.burnout_rate
        self.burnout_recovery = section.burnout_recovery
        self.burnout_exit = section.burnout_exit
        self.one_stop = section.one_stop
        self.stage_decay = section.stage_decay
        self.liability_solution = section.liability_solution
        self.sector_coordination_cost = section.sector_coordination_cost
        self.difficulty_health = section.difficulty_health
        self.difficulty_manufacturing = section.difficulty_manufacturing
        self.difficulty_ict = section.difficulty_ict
        self.difficulty_engineering = section.difficulty_engineering
        self.difficulty_agriculture = section.difficulty_agriculture
        self.liability_relief = section.liability_relief
        self.breadth_dilution = section.breadth_dilution
        self.initial_rung_max = section.initial_rung_max
        self.initial_roi_max = section.initial_roi_max
        self.pledged_rung_min = section.pledged_rung_min
        self.pledged_rung_max = section.pledged_rung_max
        self.ask_rung_scale = section.ask_rung_scale
        self.transactional_ask_size = section.transactional_ask_size
        self.exit_commitment_keep = section.exit_commitment_keep


cdef class Intermediaries:
    """``[intermediaries]``: Intermediaries that broker employer engagement, and how good they are at it (M8)."""

    def __init__(self, section):
        self.quality_mean = section.quality_mean
        self.brokering_gain = section.brokering_gain
        self.quality_growth = section.quality_growth
        self.quality_decay = section.quality_decay
        self.grant_dependence = section.grant_dependence
        self.turnover_keep = section.turnover_keep
        self.quality_spread = section.quality_spread


cdef class Orientation:
    """``[orientation]``: The lead's orientation, systems change or program delivery, and partners' patience."""

    def __init__(self, section):
        self.rate = section.rate
        self.ta_pull = section.ta_pull
        self.process_pull = section.process_pull
        self.conditioning = section.conditioning
        self.impatience_push = section.impatience_push
        self.spread = section.spread
        self.patience_months = section.patience_months
        self.patience_threshold = section.patience_threshold
        self.urgency_impatience = section.urgency_impatience


cdef class Governance:
    """``[governance]``: How the consortium governs itself: a hierarchy under MOUs or shared, open control (M25)."""

    def __init__(self, section):
        self.mode = section.mode
        self.hub_focus = section.hub_focus
        self.workgroup_formation = section.workgroup_formation
        self.workgroup_interaction = section.workgroup_interaction
        self.workgroup_leadership = section.workgroup_leadership
        self.shared_control = section.shared_control
        self.workgroup_cost = section.workgroup_cost


cdef class Sustainment:
    """``[sustainment]``: What partners can pay and how work continues after state money (M10, M21-M23)."""

    def __init__(self, section):
        self.partner_capacity_ratio = section.partner_capacity_ratio
        self.size_district = section.size_district
        self.size_college = section.size_college
        self.size_employer = section.size_employer
        self.size_intermediary = section.size_intermediary
        self.lead_position_share = section.lead_position_share
        self.operations_positions = section.operations_positions
        self.absorb_intercept = section.absorb_intercept
        self.absorb_commitment = section.absorb_commitment
        self.absorb_habit = section.absorb_habit
        self.absorb_champion = section.absorb_champion
        self.anchor_base_share = section.anchor_base_share
        self.in_kind_time = section.in_kind_time
        self.opportunity_rate = section.opportunity_rate
        self.win_max = section.win_max
        self.pursuit_months = section.pursuit_months
        self.pursuit_cost = section.pursuit_cost
        self.new_grant_share = section.new_grant_share
        self.new_grant_years = section.new_grant_years
        self.mission_drift = section.mission_drift


cdef class Mindset:
    """``[mindset]``: Mindset about CTE: how far an organization's people see pathways as a core track (M27)."""

    def __init__(self, section):
        self.initial_mean = section.initial_mean
        self.influence_rate = section.influence_rate
        self.exposure_rate = section.exposure_rate
        self.resister_share = section.resister_share
        self.leader_weight = section.leader_weight
        self.program_weight = section.program_weight
        self.employer_weight = section.employer_weight
        self.initial_spread = section.initial_spread


cdef class Framing:
    """``[framing]``: How far the region is framed around a shared economic imperative (M12)."""

    def __init__(self, section):
        self.rate = section.rate
        self.urgency_pull = section.urgency_pull
        self.employer_pull = section.employer_pull
        self.program_push = section.program_push
        self.return_gain = section.return_gain
        self.payoff_weight = section.payoff_weight
        self.convening_share = section.convening_share


cdef class Recruitment:
    """``[recruitment]``: Who is recruited to the table, and how well they fit the consortium's needs (M30)."""

    def __init__(self, section):
        self.screen = section.screen
        self.fit_commitment = section.fit_commitment
        self.fit_payoff = section.fit_payoff
        self.fit_activity = section.fit_activity


cdef class Outcomes:
    """``[outcomes]``: Outcome classification (domain brief §4.2; science_anchors §4.7)."""

    def __init__(self, section):
        self.convening_min = section.convening_min
        self.ties_retained_min = section.ties_retained_min
        self.contributors_min = section.contributors_min
        self.institutionalization_min = section.institutionalization_min
        self.sustained_threshold = section.sustained_threshold
        self.dissolved_threshold = section.dissolved_threshold
        self.systems_threshold = section.systems_threshold
        self.collaboration_min_orgs = section.collaboration_min_orgs
        self.horizon_years = section.horizon_years


cdef class Costs:
    """``[costs]``: What the state pays beyond the award, per consortium (sim/costs.py; ODD §2.4)."""

    def __init__(self, section):
        self.ta_kusd_per_year = section.ta_kusd_per_year
        self.onboarding_kusd_per_year = section.onboarding_kusd_per_year


cdef class Params:
    """Every section of one scenario's parameters."""

    def __init__(self, scenario):
        self.region = Region(scenario.region)
        self.grant = Grant(scenario.grant)
        self.trust = Trust(scenario.trust)
        self.ties = Ties(scenario.ties)
        self.leadership = Leadership(scenario.leadership)
        self.commitment = Commitment(scenario.commitment)
        self.institutionalization = Institutionalization(scenario.institutionalization)
        self.employers = Employers(scenario.employers)
        self.intermediaries = Intermediaries(scenario.intermediaries)
        self.orientation = Orientation(scenario.orientation)
        self.governance = Governance(scenario.governance)
        self.sustainment = Sustainment(scenario.sustainment)
        self.mindset = Mindset(scenario.mindset)
        self.framing = Framing(scenario.framing)
        self.recruitment = Recruitment(scenario.recruitment)
        self.outcomes = Outcomes(scenario.outcomes)
        self.costs = Costs(scenario.costs)
