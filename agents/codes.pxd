# Named integer codes, one definition for the compiled rules and for Python.
#
# Cython makes each ``cpdef enum`` a Python ``IntEnum`` too (``from agents.codes import
# Rung``), so the rules, the outcomes and the validation probes read the same names.

cpdef enum Sector:
    # The four sectors of a consortium (domain brief §1.1).
    K12 = 0             # school districts and charter organizations
    COLLEGE = 1         # community colleges
    EMPLOYER = 2        # employers
    INTERMEDIARY = 3    # county offices, workforce boards, TA providers, chambers (M8, M9)


cpdef enum Rung:
    # The employer engagement ladder (M16): each rung is a deeper kind of involvement.
    NONE = 0            # not engaged
    AWARENESS = 1       # awareness, an event
    SPEAKER = 2         # speaker, judge, interview panel: "engaged" from here (D11)
    ADVISOR = 3         # advisor, advisory board: the last rung that meets students as such
    JOB_SHADOW = 4      # job shadow or externship host: work-based learning from here (SF17)
    INTERNSHIP = 5      # internship host
    CHAMPION = 6        # champion, co-investor: the top of the ladder


cpdef enum Phase:
    # Phases of the grant, month by month (domain brief §2.3; sim/grant.py lays them out).
    PLANNING = 0        # funded planning months
    STATE = 1           # full state funding
    TAPER = 2           # state money tapering to zero
    PARTNER = 3         # final grant years the design expects partners to fund
    POST = 4            # after the grant
