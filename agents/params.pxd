# Generated from sim/params.py by tools/gen_params.py: do not edit; run `make params`.

# The scenario's parameters as typed attributes: C values in the compiled rules,
# Python values elsewhere. One class per section of sim/params.py.


cdef class Region:
    cdef readonly long n_districts
    cdef readonly long n_charters
    cdef readonly long n_colleges
    cdef readonly long n_workforce_boards
    cdef readonly long n_county_offices
    cdef readonly long n_ta_providers
    cdef readonly long n_chambers
    cdef readonly long n_employers
    cdef readonly long n_industry_sectors
    cdef readonly str lead
    cdef readonly double length_km
    cdef readonly double width_km
    cdef readonly double prior_tie_density
    cdef readonly double prior_trust
    cdef readonly double prior_infrastructure
    cdef readonly double insularity
    cdef readonly double orientation_mean
    cdef readonly double systems_now_share
    cdef readonly double urgency
    cdef readonly double economic_framing
    cdef readonly double prior_trust_spread
    cdef readonly long prior_cluster_ties
    cdef readonly long prior_tie_age_min
    cdef readonly long prior_tie_age_max

cdef class Grant:
    cdef readonly double award_musd
    cdef readonly str award_convention
    cdef readonly long reference_state_years
    cdef readonly long planning_months
    cdef readonly long state_years
    cdef readonly long taper_years
    cdef readonly long partner_years
    cdef readonly bint money
    cdef readonly bint backbone
    cdef readonly bint technical_assistance
    cdef readonly bint convenings
    cdef readonly bint mandate
    cdef readonly bint reporting
    cdef readonly double equipment_share
    cdef readonly double staff_share
    cdef readonly double convening_share
    cdef readonly double subgrant_share
    cdef readonly double now_share
    cdef readonly bint linked_wins
    cdef readonly double position_cost_kusd
    cdef readonly double convening_cost_kusd
    cdef readonly double hire_lag_months
    cdef readonly double job_insecurity
    cdef readonly str staffing_strategy
    cdef readonly double reassigned_share
    cdef readonly double reassigned_output
    cdef readonly double retained_backbone_share
    cdef readonly double ta_system_share
    cdef readonly long ta_post_grant_years
    cdef readonly bint required_agreements
    cdef readonly bint match_enforced
    cdef readonly str accountability
    cdef readonly double metrics_cost
    cdef readonly str administered_by
    cdef readonly long follow_on_year
    cdef readonly double follow_on_musd
    cdef readonly long subregional_nodes
    cdef readonly long subregional_switch_month
    cdef readonly double onboarding_support
    cdef readonly bint purposeful_recruitment
    cdef readonly double equipment_k12_share
    cdef readonly double equipment_college_share
    cdef readonly double subgrant_k12_share
    cdef readonly double subgrant_college_share
    cdef readonly double receipt_half_saturation_musd
    cdef readonly double k12_agency_college_ownership
    cdef readonly double post_cliff_hiring_security
    cdef readonly long follow_on_years
    cdef readonly double linked_wins_share
    cdef readonly double ta_experience_offset
    cdef readonly double agreement_clarity
    cdef readonly double metrics_clarity

cdef class Trust:
    cdef readonly str rule
    cdef readonly double gain_rate
    cdef readonly double loss_ratio
    cdef readonly double decay_rate
    cdef readonly double age_slowing
    cdef readonly double baseline
    cdef readonly double cross_sector_gain
    cdef readonly double spanner_boost
    cdef readonly double ta_boost
    cdef readonly double positive_rate
    cdef readonly double negative_rate
    cdef readonly double power_gap_penalty
    cdef readonly double formalization_transfer
    cdef readonly double institutional_decay
    cdef readonly double turnover_retention
    cdef readonly double referral_weight
    cdef readonly double active_threshold
    cdef readonly double beta_forgetting
    cdef readonly double beta_prior_weight
    cdef readonly double beta_negative_weight
    cdef readonly double formality_weight
    cdef readonly double wins_base
    cdef readonly double agreement_formality
    cdef readonly double data_formality
    cdef readonly double articulation_formality
    cdef readonly double backbone_trust_share

cdef class Ties:
    cdef readonly double spontaneous_rate
    cdef readonly double convening_rate
    cdef readonly double common_partner_rate
    cdef readonly double cross_sector_preference
    cdef readonly double travel_scale_km
    cdef readonly long meeting_size_threshold
    cdef readonly double meetings_per_month
    cdef readonly long regional_meeting_interval
    cdef readonly double bilateral_rate
    cdef readonly double dissolution_rate
    cdef readonly double age_protection
    cdef readonly double trust_protection
    cdef readonly double bridge_factor
    cdef readonly double postgrant_factor
    cdef readonly long inactive_window_months

cdef class Leadership:
    cdef readonly double turnover_district
    cdef readonly double turnover_college
    cdef readonly double turnover_employer
    cdef readonly double turnover_intermediary
    cdef readonly double champion_district
    cdef readonly double champion_college
    cdef readonly double champion_employer
    cdef readonly double champion_intermediary
    cdef readonly double champion_boost
    cdef readonly double onboarding
    cdef readonly double distributed_leadership
    cdef readonly bint grow_leaders
    cdef readonly double successor_spread
    cdef readonly double coaching_mean
    cdef readonly double coaching_spread
    cdef readonly double coaching_formation
    cdef readonly double coaching_leadership
    cdef readonly double coaching_voice
    cdef readonly double experiment_cost
    cdef readonly double imposition_rate
    cdef readonly double activator_threshold
    cdef readonly double activator_rate
    cdef readonly double champion_disposition

cdef class Commitment:
    cdef readonly double learning_rate
    cdef readonly double habituation
    cdef readonly double initial_mean
    cdef readonly double initial_spread
    cdef readonly double urgency_commitment
    cdef readonly double money_motivated_base
    cdef readonly double money_motivated_per_musd
    cdef readonly double exit_threshold_mean
    cdef readonly double exit_threshold_spread
    cdef readonly double exit_commitment
    cdef readonly double data_exit_relief
    cdef readonly str exit_rule
    cdef readonly double exit_slope
    cdef readonly double join_commitment
    cdef readonly long join_min_partners
    cdef readonly double participation_cost
    cdef readonly double relational_weight
    cdef readonly double grant_weight
    cdef readonly double mandate_weight
    cdef readonly double vision_weight
    cdef readonly double wins_weight
    cdef readonly double narrative
    cdef readonly double narrative_growth
    cdef readonly double narrative_decay
    cdef readonly double initiative_load_district
    cdef readonly double initiative_load_college
    cdef readonly double initiative_load_employer
    cdef readonly double initiative_load_intermediary
    cdef readonly double overload_sensitivity
    cdef readonly double policy_coherence
    cdef readonly double dominance_tolerance
    cdef readonly double dominance_penalty
    cdef readonly double crowding
    cdef readonly double contrib_intercept
    cdef readonly double contrib_value
    cdef readonly double contrib_institutionalization
    cdef readonly double contrib_champion
    cdef readonly double contrib_identity
    cdef readonly double contrib_load
    cdef readonly double pledge_intercept
    cdef readonly double pledge_commitment
    cdef readonly double pledge_same_leader
    cdef readonly double pledge_institutionalization
    cdef readonly double enforcement_bonus
    cdef readonly double pledge_role_clarity
    cdef readonly double pledge_trust
    cdef readonly double pledge_ask_mismatch
    cdef readonly double capacity_min
    cdef readonly double capacity_max
    cdef readonly double initial_aspiration
    cdef readonly double money_motivated_cap
    cdef readonly double money_motivated_weight
    cdef readonly double cross_sector_value
    cdef readonly double relational_saturation
    cdef readonly double outsider_relational_share
    cdef readonly double cost_relief
    cdef readonly double wins_benefit_district
    cdef readonly double wins_benefit_college
    cdef readonly double wins_benefit_employer
    cdef readonly double wins_benefit_intermediary
    cdef readonly double weakest_link_rho
    cdef readonly double wins_money_dependence
    cdef readonly double coordination_weight
    cdef readonly long wins_memory_months
    cdef readonly double value_commitment
    cdef readonly double value_wins
    cdef readonly double value_data
    cdef readonly long crowding_memory_months
    cdef readonly double honoured_pledge_share

cdef class Institutionalization:
    cdef readonly double habit_growth
    cdef readonly double habit_decay
    cdef readonly double passage_threshold
    cdef readonly double passage_rate
    cdef readonly double passage_floor
    cdef readonly double passage_lapse
    cdef readonly long max_passages
    cdef readonly double habit_coordination
    cdef readonly double vision_growth
    cdef readonly double vision_decay
    cdef readonly double data_growth
    cdef readonly double data_decay
    cdef readonly double articulation_trust
    cdef readonly double articulation_rate
    cdef readonly double faculty_resistance
    cdef readonly double college_competition
    cdef readonly double program_growth
    cdef readonly double program_decay
    cdef readonly double prior_vision
    cdef readonly double initial_data
    cdef readonly double passage_commitment
    cdef readonly double program_ta_push
    cdef readonly double program_money_support
    cdef readonly double program_contribution_support

cdef class Employers:
    cdef readonly double step_rate
    cdef readonly double trust_per_stage
    cdef readonly double roi_per_stage
    cdef readonly double contact_rate
    cdef readonly double contact_roi_gain
    cdef readonly double roi_decay
    cdef readonly double urgency_gain
    cdef readonly bint transactional_asks
    cdef readonly double ask_rate
    cdef readonly double transactional_dropout
    cdef readonly double burnout_rate
    cdef readonly double burnout_recovery
    cdef readonly double burnout_exit
    cdef readonly double one_stop
    cdef readonly double stage_decay
    cdef readonly bint liability_solution
    cdef readonly double sector_coordination_cost
    cdef readonly double difficulty_health
    cdef readonly double difficulty_manufacturing
    cdef readonly double difficulty_ict
    cdef readonly double difficulty_engineering
    cdef readonly double difficulty_agriculture
    cdef readonly double liability_relief
    cdef readonly double breadth_dilution
    cdef readonly long initial_rung_max
    cdef readonly double initial_roi_max
    cdef readonly long pledged_rung_min
    cdef readonly long pledged_rung_max
    cdef readonly double ask_rung_scale
    cdef readonly double transactional_ask_size
    cdef readonly double exit_commitment_keep

cdef class Intermediaries:
    cdef readonly double quality_mean
    cdef readonly double brokering_gain
    cdef readonly double quality_growth
    cdef readonly double quality_decay
    cdef readonly double grant_dependence
    cdef readonly double turnover_keep
    cdef readonly double quality_spread

cdef class Orientation:
    cdef readonly double rate
    cdef readonly double ta_pull
    cdef readonly double process_pull
    cdef readonly double conditioning
    cdef readonly double impatience_push
    cdef readonly double spread
    cdef readonly double patience_months
    cdef readonly double patience_threshold
    cdef readonly double urgency_impatience

cdef class Governance:
    cdef readonly str mode
    cdef readonly double hub_focus
    cdef readonly double workgroup_formation
    cdef readonly double workgroup_interaction
    cdef readonly double workgroup_leadership
    cdef readonly double shared_control
    cdef readonly double workgroup_cost

cdef class Sustainment:
    cdef readonly double partner_capacity_ratio
    cdef readonly double size_district
    cdef readonly double size_college
    cdef readonly double size_employer
    cdef readonly double size_intermediary
    cdef readonly double lead_position_share
    cdef readonly long operations_positions
    cdef readonly double absorb_intercept
    cdef readonly double absorb_commitment
    cdef readonly double absorb_habit
    cdef readonly double absorb_champion
    cdef readonly double anchor_base_share
    cdef readonly double in_kind_time
    cdef readonly double opportunity_rate
    cdef readonly double win_max
    cdef readonly long pursuit_months
    cdef readonly double pursuit_cost
    cdef readonly double new_grant_share
    cdef readonly long new_grant_years
    cdef readonly double mission_drift

cdef class Mindset:
    cdef readonly double initial_mean
    cdef readonly double influence_rate
    cdef readonly double exposure_rate
    cdef readonly double resister_share
    cdef readonly double leader_weight
    cdef readonly double program_weight
    cdef readonly double employer_weight
    cdef readonly double initial_spread

cdef class Framing:
    cdef readonly double rate
    cdef readonly double urgency_pull
    cdef readonly double employer_pull
    cdef readonly double program_push
    cdef readonly double return_gain
    cdef readonly double payoff_weight
    cdef readonly double convening_share

cdef class Recruitment:
    cdef readonly double screen
    cdef readonly double fit_commitment
    cdef readonly double fit_payoff
    cdef readonly double fit_activity

cdef class Outcomes:
    cdef readonly double convening_min
    cdef readonly double ties_retained_min
    cdef readonly double contributors_min
    cdef readonly double institutionalization_min
    cdef readonly double sustained_threshold
    cdef readonly double dissolved_threshold
    cdef readonly double systems_threshold
    cdef readonly long collaboration_min_orgs
    cdef readonly long horizon_years

cdef class Costs:
    cdef readonly double ta_kusd_per_year
    cdef readonly double onboarding_kusd_per_year


cdef class Params:
    cdef readonly Region region
    cdef readonly Grant grant
    cdef readonly Trust trust
    cdef readonly Ties ties
    cdef readonly Leadership leadership
    cdef readonly Commitment commitment
    cdef readonly Institutionalization institutionalization
    cdef readonly Employers employers
    cdef readonly Intermediaries intermediaries
    cdef readonly Orientation orientation
    cdef readonly Governance governance
    cdef readonly Sustainment sustainment
    cdef readonly Mindset mindset
    cdef readonly Framing framing
    cdef readonly Recruitment recruitment
    cdef readonly Outcomes outcomes
    cdef readonly Costs costs
