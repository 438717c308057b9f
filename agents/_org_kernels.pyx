# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""Compiled organization-level rules: each written once for one organization.

``agents.rules`` is the Python face of this module: it documents each rule and applies it
to whole arrays. The model's month runs the same rules in compiled passes, one per
sub-step, over the organizations (and over the pairs for the counts a rule needs). Random
draws come in as arrays of uniforms drawn from ``model.rng``. Element-wise helpers follow
numpy's semantics (clip, maximum, minimum, scalar powers), so a pass gives the same bits
as the array formulas of the same rule; ``tests/test_rules.py`` checks each pass that way.
"""

from libc.math cimport exp, pow, sqrt
from libc.stdint cimport int64_t
from libc.stdlib cimport calloc, free


cdef struct CommitP:
    double learning_rate, habituation, exit_commitment, join_commitment, join_min_partners
    bint logit
    double exit_slope


cdef struct InstP:
    double habit_growth, habit_decay, passage_threshold, passage_rate, passage_floor
    double passage_lapse, program_growth, program_decay
    int64_t max_passages


cdef struct EmpP:
    double step_rate, trust_per_stage, roi_per_stage, contact_rate, contact_roi_gain
    double roi_decay, urgency_gain, ask_rate, transactional_dropout, burnout_rate
    double burnout_recovery, burnout_exit, one_stop, stage_decay
    bint transactional_asks


cdef CommitP commit_p(p):
    cdef CommitP c
    c.learning_rate = p.learning_rate
    c.habituation = p.habituation
    c.exit_commitment = p.exit_commitment
    c.join_commitment = p.join_commitment
    c.join_min_partners = p.join_min_partners
    c.logit = p.exit_rule == "logit"
    c.exit_slope = p.exit_slope
    return c


cdef InstP inst_p(p):
    cdef InstP c
    c.habit_growth = p.habit_growth
    c.habit_decay = p.habit_decay
    c.passage_threshold = p.passage_threshold
    c.passage_rate = p.passage_rate
    c.passage_floor = p.passage_floor
    c.passage_lapse = p.passage_lapse
    c.program_growth = p.program_growth
    c.program_decay = p.program_decay
    c.max_passages = p.max_passages
    return c


cdef EmpP emp_p(p):
    cdef EmpP c
    c.step_rate = p.step_rate
    c.trust_per_stage = p.trust_per_stage
    c.roi_per_stage = p.roi_per_stage
    c.contact_rate = p.contact_rate
    c.contact_roi_gain = p.contact_roi_gain
    c.roi_decay = p.roi_decay
    c.urgency_gain = p.urgency_gain
    c.ask_rate = p.ask_rate
    c.transactional_dropout = p.transactional_dropout
    c.burnout_rate = p.burnout_rate
    c.burnout_recovery = p.burnout_recovery
    c.burnout_exit = p.burnout_exit
    c.one_stop = p.one_stop
    c.stage_decay = p.stage_decay
    c.transactional_asks = p.transactional_asks
    return c


# numpy's element-wise semantics for maximum, minimum and clip.
cdef inline double fmax_(double a, double b) noexcept nogil:
    return a if a >= b else b


cdef inline double fmin_(double a, double b) noexcept nogil:
    return a if a <= b else b


cdef inline double clip(double x, double lo, double hi) noexcept nogil:
    x = x if x > lo else lo
    return x if x < hi else hi


cdef inline double power(double x, double e) noexcept nogil:
    """``x ** e`` for a scalar ``e``, with numpy's fast paths for 2, 0.5 and -1."""
    if e == 2.0:
        return x * x
    if e == 0.5:
        return sqrt(x)
    if e == -1.0:
        return 1.0 / x
    return pow(x, e)


# ----------------------------------------------------------------------- rules, per organization

cdef inline void learn(double* commitment, double* aspiration, double payoff,
                       CommitP p) noexcept nogil:
    """Bush-Mosteller commitment learning with a habituating aspiration (C2; M22)."""
    cdef double C = commitment[0], A = aspiration[0]
    cdef double gap = clip(payoff - A, -1.0, 1.0)
    cdef double room = C + (gap >= 0) * (1.0 - 2.0 * C)  # 1 - C going up, C going down
    commitment[0] = clip(C + p.learning_rate * room * gap, 0.0, 1.0)
    aspiration[0] = (1.0 - p.habituation) * A + p.habituation * payoff


cdef inline bint leaves(double commitment, double partner_share, double threshold,
                        CommitP p) noexcept nogil:
    """Commitment below the floor, or too few partners still active (C1, C4)."""
    return commitment < p.exit_commitment or partner_share < threshold


cdef inline double exit_chance(double commitment, double partner_share, double threshold,
                               CommitP p) noexcept nogil:
    """Monthly chance of leaving under the logit rule (C4 alternative; McFadden 1974).

    ``1 - 1/(1 + e^(beta*(floor - C)) + e^(beta*(theta - share)))``: a logit choice between
    staying and two reasons to leave, each growing with its shortfall.
    """
    return 1.0 - 1.0 / (1.0 + exp(p.exit_slope * (p.exit_commitment - commitment))
                        + exp(p.exit_slope * (threshold - partner_share)))


cdef inline bint comes(double commitment, double trusted, bint invited, CommitP p) noexcept nogil:
    """Committed enough, and invited or pulled in by trusted active partners (M4)."""
    return commitment >= p.join_commitment and (invited or trusted >= p.join_min_partners)


cdef inline double habit(double h, double floor, bint enacted, double effort,
                         InstP p) noexcept nogil:
    """Routinization: growth when enacted, decay when not, held above the floor (I1; M13)."""
    cdef double out
    if enacted:
        out = h + p.habit_growth * effort * (1.0 - h)
    else:
        out = h - p.habit_decay * h
    return clip(fmax_(out, floor), 0.0, 1.0)


cdef inline int64_t passage(int64_t passages, bint part, double h, double commitment,
                            double u_gain, double u_lapse, InstP p) noexcept nogil:
    """A passage gained while taking part with a strong habit, or lapsed outside (I1, I3)."""
    if (part and h >= p.passage_threshold and commitment >= 0.5
            and passages < p.max_passages and u_gain < p.passage_rate):
        return passages + 1
    if not part and passages > 0 and u_lapse < p.passage_lapse:
        return passages - 1
    return passages


cdef inline double programme(double program, double support, double push,
                             InstP p) noexcept nogil:
    """Local programmes grow with push and decay unless supported (SF2; M13, M14)."""
    cdef double out = program + p.program_growth * push * (1.0 - program)
    out = out - p.program_decay * program * (1.0 - support)
    return clip(out, 0.0, 1.0)


cdef inline void employer(int64_t* stage, double* roi, double* burnout, unsigned char* scared,
                          unsigned char* burnt, bint taking_part, double trust_convener,
                          double difficulty, double activity, double now_share, double urgency,
                          double one_stop, double u_contact, double u_climb, double u_scare,
                          double u_slip, EmpP p) noexcept nogil:
    """One month on the engagement ladder (M16, M17, M28; SF15-SF18, SF31), in place."""
    cdef int64_t s = stage[0]
    cdef double r = roi[0], b = burnout[0], asks
    # The low rungs (events, speakers, judges, advisors) meet students.
    cdef bint contact = taking_part and s <= 3 and u_contact < p.contact_rate * activity
    r = r + contact * p.contact_roi_gain * (1.0 + p.urgency_gain * urgency) * (1.0 - r)
    r = r - p.roi_decay * r
    cdef int64_t nxt = s + 1
    cdef bint ready = (trust_convener >= p.trust_per_stage * <double>nxt
                       and r >= p.roi_per_stage * <double>nxt)
    cdef double hard = difficulty if s >= 3 else 0.0
    if taking_part and ready and s < 6 and u_climb < p.step_rate * (1.0 - hard):
        s += 1
    asks = p.ask_rate * now_share * activity * (s >= 1) * (1.0 - p.one_stop * one_stop)
    asks = asks * (1.0 + <double>s / 3.0) * taking_part  # heavy lifters tapped most (20-80)
    scared[0] = 0
    if p.transactional_asks and taking_part and s < 4:
        if u_scare < p.transactional_dropout * asks * 3.0:
            scared[0] = 1
            s = 0
    b = clip(b + p.burnout_rate * asks - p.burnout_recovery * b, 0.0, 1.0)
    burnt[0] = taking_part and b > p.burnout_exit
    if ((not taking_part or not contact) and s > 0
            and u_slip < p.stage_decay * (1.0 - activity * taking_part)):
        s -= 1
    stage[0] = s
    roi[0] = clip(r, 0.0, 1.0)
    burnout[0] = b


# ----------------------------------------------------------------------- the model's month

cdef void count_partners(const int64_t[::1] ti, const int64_t[::1] tj,
                         const unsigned char[::1] tie, const double[::1] trust,
                         double threshold, const unsigned char[::1] part, double* partners,
                         double* active, double* trusted) noexcept nogil:
    """Per organization: tied partners, those taking part, and those trusted too (C4; M4)."""
    cdef Py_ssize_t k
    cdef int64_t a, b
    for k in range(ti.shape[0]):
        if not tie[k]:
            continue
        a = ti[k]
        b = tj[k]
        partners[a] += 1.0
        partners[b] += 1.0
        active[a] += part[b]
        active[b] += part[a]
        if trust[k] >= threshold:
            trusted[a] += part[b]
            trusted[b] += part[a]


def trusted_partners(const int64_t[::1] ti, const int64_t[::1] tj, const unsigned char[::1] tie,
                     const double[::1] trust, double threshold, const unsigned char[::1] part,
                     double[::1] out):
    """Tied partners taking part whose trust reaches ``threshold``, per organization."""
    cdef Py_ssize_t n = out.shape[0]
    cdef double* scratch = <double*>calloc(2 * n, sizeof(double))
    out[:] = 0.0
    count_partners(ti, tj, tie, trust, threshold, part, scratch, scratch + n, &out[0])
    free(scratch)


def active_ties(const unsigned char[::1] tie, const double[::1] trust, const double[::1] idle,
                double threshold, double window, unsigned char[::1] out):
    """Ties with trust at or above threshold and interaction within the window (§4.2)."""
    cdef Py_ssize_t k
    for k in range(tie.shape[0]):
        out[k] = tie[k] and trust[k] >= threshold and idle[k] <= window


def convene(const unsigned char[::1] part, const unsigned char[::1] not_employer,
            const double[::1] commitment, const double[::1] capacity, const double[::1] near,
            const double[::1] relevance, const int64_t[::1] group, double size_threshold,
            double meetings, const double[::1] u, const signed char[::1] sector,
            double[::1] size, double[::1] engaged, unsigned char[::1] attend, double[::1] cp):
    """Attendance at this month's meetings (M11; SF11, SF12); returns how many attend.

    Also fills ``cp`` (commitment of those taking part) and its sum per sector.
    """
    cdef Py_ssize_t i, n = part.shape[0]
    cdef double crowd, p_meeting
    cdef int count = 0
    size[:] = 0.0
    engaged[:] = 0.0
    for i in range(n):
        if part[i] and not_employer[i]:
            size[group[i]] += 1.0
    for i in range(n):
        crowd = size[group[i]] - size_threshold
        crowd = crowd if crowd > 0.0 else 0.0
        p_meeting = (capacity[i] * sqrt(commitment[i]) * near[i]
                     * (relevance[i] / (1.0 + crowd / size_threshold)) * part[i])
        attend[i] = u[i] < 1.0 - power(1.0 - p_meeting, meetings)
        count += attend[i]
        cp[i] = commitment[i] * part[i]
        engaged[sector[i]] += cp[i]
    return count


def learn_commitment(const int64_t[::1] ti, const int64_t[::1] tj, const double[::1] trust,
                     const unsigned char[::1] active, const unsigned char[::1] cross,
                     const unsigned char[::1] part, const double[::1] money_weight,
                     const double[::1] grant_receipt, const unsigned char[::1] signatory,
                     const double[::1] benefit, const double[::1] roi, const double[::1] habit,
                     const double[::1] base_cost, const unsigned char[::1] champion,
                     const double[::1] dominance, double relational_weight, double grant,
                     double mandate, double vision, double wins, double backbone_share,
                     double habit_coordination, double champion_boost, double s,
                     double[::1] commitment, double[::1] aspiration, params):
    """Payoff of taking part or not, then commitment learning, per organization (C1, C2)."""
    cdef CommitP p = commit_p(params)
    cdef Py_ssize_t k, i, n = part.shape[0]
    cdef int64_t a, b
    cdef double value, relational, inside, outside, champ, relief
    cdef double* rel = <double*>calloc(2 * n, sizeof(double))
    with nogil:
        for k in range(ti.shape[0]):
            a = ti[k]
            b = tj[k]
            value = trust[k] * active[k] * (1.0 + 0.5 * cross[k])
            rel[a] += value * part[b]
            rel[n + b] += value * part[a]
        for i in range(n):
            relational = relational_weight * fmin_(1.0, (rel[i] + rel[n + i]) / 3.0)
            champ = champion_boost * champion[i]
            relief = 0.5 * fmax_(backbone_share, habit_coordination * habit[i])
            inside = (relational + grant * money_weight[i] * grant_receipt[i]
                      + mandate * signatory[i] + vision + wins * (benefit[i] + roi[i]) + champ
                      - base_cost[i] * (1.0 - relief) - dominance[i] * s)
            outside = 0.5 * relational + champ
            learn(&commitment[i], &aspiration[i], outside + part[i] * (inside - outside), p)
    free(rel)


def participation(const int64_t[::1] ti, const int64_t[::1] tj, const unsigned char[::1] tie,
                  const double[::1] trust, double threshold, const double[::1] commitment,
                  const double[::1] exit_threshold, const unsigned char[::1] signatory,
                  bint invited, bint in_grant, unsigned char[::1] part,
                  unsigned char[::1] ever, params, const double[::1] u=None):
    """Threshold (or logit) exits and complex-contagion joins, in place (C4; M4).

    ``u`` holds one uniform per organization for the logit exit rule, which leaves when
    ``u < exit_chance``; the threshold rule reads no uniforms.
    """
    cdef CommitP p = commit_p(params)
    cdef Py_ssize_t i, n = part.shape[0]
    cdef int n_part = 0
    cdef double share, overall
    cdef bint now
    if p.logit and (u is None or u.shape[0] < n):
        raise ValueError("the logit exit rule needs one uniform per organization")
    for i in range(n):
        n_part += part[i]
    if not n_part and not in_grant:
        return
    cdef double* counts = <double*>calloc(3 * n, sizeof(double))
    cdef double* partners = counts
    cdef double* active = counts + n
    cdef double* trusted = counts + 2 * n
    with nogil:
        count_partners(ti, tj, tie, trust, threshold, part, partners, active, trusted)
        overall = <double>n_part / <double>n
        for i in range(n):
            share = active[i] / fmax_(partners[i], 1.0) if partners[i] > 0 else overall
            if part[i] and p.logit:
                now = not u[i] < exit_chance(commitment[i], share, exit_threshold[i], p)
            elif part[i]:
                now = not leaves(commitment[i], share, exit_threshold[i], p)
            else:
                now = comes(commitment[i], trusted[i], signatory[i] and invited, p)
            part[i] = now
            ever[i] = ever[i] or now
    free(counts)


def institutionalize(const int64_t[::1] ti, const int64_t[::1] tj,
                     const unsigned char[::1] interacted, const unsigned char[::1] part,
                     const unsigned char[::1] attend, bint active, double effort,
                     const double[:, ::1] u, const double[::1] commitment, double[::1] habit_,
                     double[::1] floor, int64_t[::1] passages, params):
    """Habits of organizations that enact the practice, then passages (I1, I3; M13)."""
    cdef InstP p = inst_p(params)
    cdef Py_ssize_t k, i, n = part.shape[0]
    cdef bint enacted
    cdef unsigned char* touched = <unsigned char*>calloc(n, 1)
    with nogil:
        for k in range(ti.shape[0]):
            if interacted[k]:
                touched[ti[k]] = 1
                touched[tj[k]] = 1
        for i in range(n):
            enacted = part[i] and (attend[i] or touched[i]) and active
            habit_[i] = habit(habit_[i], floor[i], enacted, effort, p)
            passages[i] = passage(passages[i], part[i], habit_[i], commitment[i], u[0, i],
                                  u[1, i], p)
            floor[i] = passages[i] * p.passage_floor
    free(touched)


def agreement_candidates(const int64_t[::1] ti, const int64_t[::1] tj,
                         const unsigned char[::1] k12_college,
                         const unsigned char[::1] agreement, const double[::1] trust,
                         double threshold, const unsigned char[::1] part, int64_t[::1] out):
    """District-college ties without an agreement, trusted, both ends taking part (M18)."""
    cdef Py_ssize_t k
    cdef int count = 0
    for k in range(ti.shape[0]):
        if (k12_college[k] and not agreement[k] and trust[k] >= threshold and part[ti[k]]
                and part[tj[k]]):
            out[count] = k
            count += 1
    return count


def sign_agreements(const int64_t[::1] candidates, const double[:, ::1] u, double rate,
                    double resistance, const int64_t[::1] ti, const int64_t[::1] tj,
                    unsigned char[::1] agreement, double[::1] base_formality,
                    int64_t[::1] passages, double[::1] floor, params):
    """Attempts that survive the faculty veto become agreements and passages (M18; SF20)."""
    cdef InstP p = inst_p(params)
    cdef Py_ssize_t c, k
    cdef int64_t ends[2]
    cdef int e
    for c in range(candidates.shape[0]):
        if not (u[0, c] < rate and u[1, c] >= resistance):
            continue
        k = candidates[c]
        agreement[k] = 1
        base_formality[k] = 1.0
        ends[0] = ti[k]
        ends[1] = tj[k]
        for e in range(2):
            if passages[ends[e]] < p.max_passages:
                passages[ends[e]] += 1
                floor[ends[e]] = passages[ends[e]] * p.passage_floor


def employer_month(const int64_t[::1] conv_employer, const int64_t[::1] conv_pairs,
                   const double[::1] trust, const unsigned char[::1] is_employer,
                   unsigned char[::1] part, double[::1] commitment, int64_t[::1] stage,
                   double[::1] roi, double[::1] burnout, const double[::1] difficulty,
                   double activity, double now_share, double urgency, double one_stop,
                   const double[:, ::1] u, params):
    """Employers on the ladder, with trust in their best-trusted convener (M8, M16).

    Employers scared off or burnt out stop taking part, and their commitment halves.
    """
    cdef EmpP p = emp_p(params)
    cdef Py_ssize_t c, i, n = part.shape[0]
    cdef unsigned char scared = 0, burnt = 0
    cdef bint taking_part
    cdef double* best = <double*>calloc(n, sizeof(double))
    with nogil:
        for c in range(conv_pairs.shape[0]):
            best[conv_employer[c]] = fmax_(best[conv_employer[c]], trust[conv_pairs[c]])
        for i in range(n):
            taking_part = part[i] and is_employer[i]
            employer(&stage[i], &roi[i], &burnout[i], &scared, &burnt, taking_part, best[i],
                     difficulty[i], activity, now_share, urgency, one_stop, u[0, i], u[1, i],
                     u[2, i], u[3, i], p)
            if scared or burnt:
                part[i] = 0
                commitment[i] = 0.5 * commitment[i]
    free(best)


def programmes(const double[::1] local, const double[::1] grant_receipt,
               const double[::1] habit_, const double[::1] contribution, double local_money,
               double quick_wins, double ta, double[::1] program, params):
    """Local pathway programmes in districts and colleges (SF2; M13)."""
    cdef InstP p = inst_p(params)
    cdef Py_ssize_t i
    cdef double money, push, support
    for i in range(program.shape[0]):
        money = local_money * grant_receipt[i]
        push = fmin_(1.0, money + quick_wins + ta) * local[i]
        support = fmin_(1.0, habit_[i] + 0.5 * money + 0.5 * (contribution[i] > 0))
        program[i] = programme(program[i], support, push, p) * local[i]


def weights(const unsigned char[::1] mask, double[::1] out):
    """A mask as 0/1 weights, for dot products; returns how many are set."""
    cdef Py_ssize_t i
    cdef int count = 0
    for i in range(mask.shape[0]):
        out[i] = mask[i]
        count += mask[i]
    return count


def record_counts(const int64_t[::1] ti, const int64_t[::1] tj, const unsigned char[::1] tie,
                  const unsigned char[::1] active, const unsigned char[::1] cross,
                  const unsigned char[::1] part, const unsigned char[::1] ever,
                  const int64_t[::1] employers, const int64_t[::1] stage,
                  const int64_t[::1] pledged_stage, unsigned char[::1] collaboration,
                  double[::1] part_w, double[::1] ever_w, double[::1] tie_w):
    """The month's counts, and its collaboration edges packed as ``numpy.packbits`` does.

    Returns (taking part, active ties, active cross-sector ties, ties, ever taking part,
    employers engaged, employers meeting their pledge). Fills the masks of organizations
    taking part, ever taking part and of ties as 0/1 weights.
    """
    cdef Py_ssize_t k, i, e
    cdef int n_part = 0, n_ever = 0, n_active = 0, n_cross = 0, n_ties = 0
    cdef int engaged = 0, met = 0
    cdef unsigned char byte = 0
    cdef bint on
    for i in range(part.shape[0]):
        n_part += part[i]
        n_ever += ever[i]
        part_w[i] = part[i]
        ever_w[i] = ever[i]
    for k in range(ti.shape[0]):
        n_ties += tie[k]
        tie_w[k] = tie[k]
        n_active += active[k]
        n_cross += active[k] and cross[k]
        on = active[k] and part[ti[k]] and part[tj[k]]
        byte |= on << (7 - k % 8)
        if k % 8 == 7:
            collaboration[k // 8] = byte
            byte = 0
    if ti.shape[0] % 8:
        collaboration[ti.shape[0] // 8] = byte
    for e in range(employers.shape[0]):
        i = employers[e]
        if part[i]:
            engaged += stage[i] >= 2
            met += stage[i] >= pledged_stage[i]
    return n_part, n_active, n_cross, n_ties, n_ever, engaged, met


# ----------------------------------------------------------------------- one rule, arrays

def commitment_learning(const double[::1] commitment, const double[::1] aspiration,
                        const double[::1] payoff, params, double[::1] c_out,
                        double[::1] a_out):
    cdef CommitP p = commit_p(params)
    cdef Py_ssize_t i
    for i in range(commitment.shape[0]):
        c_out[i] = commitment[i]
        a_out[i] = aspiration[i]
        learn(&c_out[i], &a_out[i], payoff[i], p)


def exits(const double[::1] commitment, const double[::1] partner_share,
          const double[::1] threshold, params, unsigned char[::1] out):
    cdef CommitP p = commit_p(params)
    cdef Py_ssize_t i
    for i in range(commitment.shape[0]):
        out[i] = leaves(commitment[i], partner_share[i], threshold[i], p)


def exit_chances(const double[::1] commitment, const double[::1] partner_share,
                 const double[::1] threshold, params, double[::1] out):
    cdef CommitP p = commit_p(params)
    cdef Py_ssize_t i
    for i in range(commitment.shape[0]):
        out[i] = exit_chance(commitment[i], partner_share[i], threshold[i], p)


def joins(const double[::1] commitment, const double[::1] trusted,
          const unsigned char[::1] invited, params, unsigned char[::1] out):
    cdef CommitP p = commit_p(params)
    cdef Py_ssize_t i
    for i in range(commitment.shape[0]):
        out[i] = comes(commitment[i], trusted[i], invited[i], p)


def habit_step(const double[::1] habit_, const double[::1] floor,
               const unsigned char[::1] enacted, double effort, params, double[::1] out):
    cdef InstP p = inst_p(params)
    cdef Py_ssize_t i
    for i in range(habit_.shape[0]):
        out[i] = habit(habit_[i], floor[i], enacted[i], effort, p)


def program_step(const double[::1] program, const double[::1] support, const double[::1] push,
                 params, double[::1] out):
    cdef InstP p = inst_p(params)
    cdef Py_ssize_t i
    for i in range(program.shape[0]):
        out[i] = programme(program[i], support[i], push[i], p)


def employer_step(int64_t[::1] stage, double[::1] roi, double[::1] burnout,
                  const unsigned char[::1] taking_part, const double[::1] trust_convener,
                  const double[::1] difficulty, double activity, double now_share,
                  double urgency, const double[::1] one_stop, const double[:, ::1] u, params,
                  unsigned char[::1] scared, unsigned char[::1] burnt):
    cdef EmpP p = emp_p(params)
    cdef Py_ssize_t i
    for i in range(stage.shape[0]):
        employer(&stage[i], &roi[i], &burnout[i], &scared[i], &burnt[i], taking_part[i],
                 trust_convener[i], difficulty[i], activity, now_share, urgency, one_stop[i],
                 u[0, i], u[1, i], u[2, i], u[3, i], p)
