"""The knobs of the demo world's mechanisms, in one place (see ``CALIBRATION.md`` for why).

Offending is simulated as careers. Each career has a type, a start, a number of potential
offences (heavy-tailed) and gaps between them; each potential offence is recorded with a
probability that the day's temperature, the weekday, lockdowns, the district's trend and
recording practice move. The volume knobs are :data:`CAREERS_PER_SCALE` (how many careers
start between :data:`CAREER_START_FROM` and the end of the data, per unit of scale) and
:data:`RECORD_BASE` (the base recording probability of a potential offence).
"""

from __future__ import annotations

from vawgscope.contract.vocab import OFFENCE_GROUPS

# --- career types --------------------------------------------------------------------------
DA, STALK, NTE, SEX, FAM, TEEN = range(6)
CAREER_NAMES: tuple[str, ...] = (
    "domestic_partner",
    "stalker",
    "night_time_economy",
    "sexual",
    "family",
    "teen_sexual",
)

#: Careers starting between CAREER_START_FROM and the end of the data, at scale 1.
CAREERS_PER_SCALE = 248_500
#: Share of careers of each type (DA, STALK, NTE, SEX, FAM, TEEN).
CAREER_SHARES: tuple[float, ...] = (0.31, 0.13, 0.32, 0.13, 0.08, 0.03)
#: Careers start from this (fractional) year: those started before 2016 are in progress.
CAREER_START_FROM = 2008.0

#: Age at the career's start: offset + gamma(shape, scale), per type.
START_AGE: tuple[tuple[float, float, float], ...] = (
    (18.0, 2.4, 5.0),  # DA
    (17.0, 2.2, 5.5),  # STALK
    (17.5, 2.0, 3.8),  # NTE
    (18.0, 1.5, 9.0),  # SEX
    (15.0, 1.8, 8.5),  # FAM
    (13.0, 3.0, 0.55),  # TEEN (13-17)
)

#: Potential offences: 1 + negative binomial (mean, dispersion r), per type; small r = heavy
#: tail (a few prolific perpetrators).
POTENTIAL_OFFENCES: tuple[tuple[float, float], ...] = (
    (3.0, 0.5),  # DA
    (3.0, 0.6),  # STALK
    (1.0, 0.45),  # NTE
    (0.6, 0.35),  # SEX: low re-offending
    (2.4, 0.6),  # FAM
    (0.5, 0.5),  # TEEN
)
#: Mean gap (days) between potential offences, per type; each career's own mean is this times
#: a lognormal(0, 0.5) factor; gaps are gamma with shape GAP_SHAPE.
MEAN_GAP_DAYS: tuple[float, ...] = (70.0, 35.0, 210.0, 520.0, 110.0, 160.0)
GAP_SHAPE = 1.1

#: Base probability that a potential offence is recorded, per type, before the modifiers.
RECORD_BASE: tuple[float, ...] = (0.52, 0.55, 0.52, 0.50, 0.50, 0.50)

# --- who offends: cohort, place -------------------------------------------------------------
#: Cohort effect on the rate of starting a career: peak for men born in 1989, younger cohorts
#: less at the same age.
COHORT_PEAK = 1989
COHORT_DECAY_YOUNGER = 0.075  # per year of birth after the peak
COHORT_DECAY_OLDER = 0.035  # per year of birth before the peak
COHORT_BUMP = 0.6  # extra peak height at 1989
COHORT_BUMP_WIDTH = 1.3
#: Perpetrators' homes: weight exp(DEPRIVATION_PULL × deprivation) × adult male residents;
#: the 1985-1993 cohorts are more concentrated in deprived areas.
DEPRIVATION_PULL = 1.4
DEPRIVATION_PULL_COHORT = 0.5

# --- female perpetrators, male victims, unknown sex (what a scope must filter out) ----------
PERP_FEMALE: tuple[float, ...] = (0.06, 0.10, 0.04, 0.02, 0.12, 0.02)
SEX_UNKNOWN = 0.003
#: P(victim female) when the perpetrator is male / female, per type.
VICTIM_FEMALE_IF_MALE_PERP: tuple[float, ...] = (0.97, 0.90, 0.80, 0.92, 0.78, 0.90)
VICTIM_FEMALE_IF_FEMALE_PERP: tuple[float, ...] = (0.10, 0.30, 0.55, 0.50, 0.50, 0.80)
BIRTH_YEAR_MISSING = 0.012
HOME_MISSING = 0.01

# --- domestic careers -----------------------------------------------------------------------
#: P(the relationship ends during the career) and P(a new partner afterwards).
DA_SEPARATES = 0.6
DA_NEW_PARTNER = 0.45
DA_NEW_PARTNER_COHABITS = 0.6
#: Partner's age = perpetrator's age - normal(mean, sd).
PARTNER_AGE_GAP = (3.0, 4.5)

# --- offence groups -------------------------------------------------------------------------
G = {g: i for i, g in enumerate(OFFENCE_GROUPS)}
#: Group probabilities per phase (cohabiting, separated/apart, NTE, sexual, teen, family,
#: stalker); VWI and rape rise with the offence's place in the career (escalation).
GROUP_TABLES: dict[str, dict[str, float]] = {
    "cohab": {
        "rape": 0.018,
        "other_sexual": 0.004,
        "violence_with_injury": 0.13,
        "violence_without_injury": 0.39,
        "harassment": 0.10,
        "malicious_communications": 0.09,
        "controlling_coercive": 0.27,
        "other": 0.008,
    },
    "apart": {
        "rape": 0.012,
        "other_sexual": 0.008,
        "violence_with_injury": 0.11,
        "violence_without_injury": 0.12,
        "stalking": 0.12,
        "harassment": 0.30,
        "malicious_communications": 0.25,
        "controlling_coercive": 0.03,
        "robbery": 0.008,
        "other": 0.008,
    },
    "stalker": {
        "other_sexual": 0.01,
        "violence_with_injury": 0.03,
        "violence_without_injury": 0.08,
        "stalking": 0.16,
        "harassment": 0.42,
        "malicious_communications": 0.28,
        "robbery": 0.004,
        "other": 0.005,
    },
    "nte": {
        "rape": 0.02,
        "other_sexual": 0.11,
        "violence_with_injury": 0.42,
        "violence_without_injury": 0.41,
        "harassment": 0.02,
        "drink_spiking": 0.01,
        "robbery": 0.004,
        "other": 0.004,
    },
    "sexual": {"rape": 0.20, "other_sexual": 0.77, "drink_spiking": 0.03},
    "teen": {"rape": 0.28, "other_sexual": 0.72},
    "family": {
        "rape": 0.004,
        "other_sexual": 0.008,
        "violence_with_injury": 0.30,
        "violence_without_injury": 0.46,
        "harassment": 0.10,
        "malicious_communications": 0.05,
        "controlling_coercive": 0.14,
        "other": 0.008,
    },
}
#: Escalation: added to P(VWI) and P(rape) per earlier potential offence (capped at 10).
ESCALATION_VWI = {"cohab": 0.03, "apart": 0.032, "family": 0.01}
ESCALATION_RAPE = {"cohab": 0.018, "apart": 0.0015}
#: Per-offence chance that domestic violence ends in a homicide, per earlier offence.
HOMICIDE_PER_STEP = 0.0001
#: Share of violence with injury that is life-threatening (fatal_or_near_fatal): domestic,
#: other.
NEAR_FATAL = (0.008, 0.003)

# --- recording practice ---------------------------------------------------------------------
#: Victims' confidence to report and police recording improve: recording rises this much per
#: year (log scale, centred on 2019).
RECORDING_TREND = 0.045
#: Harassment recorded as stalking: share before 2020-01, then rising linearly to 2022-03.
STALKING_RECLASS = (0.05, 0.85)
#: Stalking, harassment and malicious communications recorded more fully from mid-2018
#: (course-of-conduct recording): extra share per year.
SH_RECORDING_GROWTH = 0.12
SH_RECORDING_FROM = 2018.5

# --- temperature ----------------------------------------------------------------------------
#: Recording-probability change per °C of tmax above 15 °C, by perpetrator age band lower
#: bounds (under 18, 18-24, 25-29, 30-34, 35-39, 40+).
TEMP_AGE_BOUNDS: tuple[int, ...] = (0, 18, 25, 30, 35, 40)
TEMP_BETA: tuple[float, ...] = (0.006, 0.010, 0.013, 0.030, 0.012, 0.001)

# --- lockdowns -------------------------------------------------------------------------------
LOCKDOWN_DOMESTIC = 1.0
LOCKDOWN_NON_DOMESTIC = 0.8
#: Nights out while pubs were shut: house parties and gatherings at home continued at this
#: share of normal.
HOUSE_PARTY_SHARE = 0.35

# --- victimisation --------------------------------------------------------------------------
#: Relationship of the victim per career type (STALK, NTE, SEX, TEEN); DA and FAM are fixed.
RELATIONSHIPS_BY_TYPE: dict[int, dict[str, float]] = {
    STALK: {
        "ex_partner": 0.52,
        "acquaintance": 0.30,
        "stranger": 0.08,
        "other": 0.06,
        "unknown": 0.04,
    },
    NTE: {"stranger": 0.48, "acquaintance": 0.42, "other": 0.06, "unknown": 0.04},
    SEX: {
        "acquaintance": 0.48,
        "stranger": 0.22,
        "partner": 0.12,
        "ex_partner": 0.06,
        "other": 0.08,
        "unknown": 0.04,
    },
    TEEN: {"acquaintance": 0.75, "stranger": 0.10, "family": 0.08, "other": 0.07},
}
#: P(no suspect identified) by relationship.
NO_SUSPECT: dict[str, float] = {
    "partner": 0.003,
    "ex_partner": 0.004,
    "family": 0.005,
    "acquaintance": 0.05,
    "stranger": 0.38,
    "other": 0.10,
    "unknown": 0.55,
}
#: P(a potential offence goes to a new victim) for the multi-victim types.
NEW_VICTIM: dict[int, float] = {NTE: 0.95, SEX: 1.0, TEEN: 0.7}
#: P(a second perpetrator / a second victim) per recorded crime, NTE and family.
CO_OFFENDER = {NTE: 0.015, SEX: 0.01, TEEN: 0.03}
SECOND_VICTIM = {NTE: 0.17, FAM: 0.08}
#: Share of stranger/acquaintance victims who are also the victim of another perpetrator.
SHARED_VICTIM = 0.012

#: Reach (m) of the distance decay exp(-d / reach) when choosing a home near another place:
#: a separated perpetrator's new home, victims' homes (from his home, or from the venue of a
#: night out), co-offenders' and second victims' homes.
REACH_M: dict[str, float] = {
    "moved": 2000.0,
    "victim": 1800.0,
    "victim_family": 800.0,
    "victim_stranger": 2500.0,
    "victim_night_out": 1500.0,
    "co_offender": 1000.0,
    "second_victim": 800.0,
}

#: Ethnicity of residents (Kent-like), with more diversity in Gravesham, Dartford and Medway.
ETHNICITY_BASE: dict[str, float] = {
    "white": 0.862,
    "asian": 0.045,
    "black": 0.019,
    "mixed": 0.025,
    "other": 0.010,
    "not_stated": 0.039,
}
ETHNICITY_DIVERSE_DISTRICTS: dict[str, float] = {"Gravesham": 2.6, "Dartford": 1.7, "Medway": 1.5}
