"""What the police record about each offence: the time window, the recording date, how it was
reported, the Home Office offence code and the outcome.

Courses of conduct (stalking, harassment, controlling or coercive behaviour) get windows of
days to months; sexual offences are sometimes reported long after; outcomes arrive after a
delay, so the latest crimes are partly still under investigation on the extract date.
"""

from __future__ import annotations

import numpy as np

from vawgscope.contract.vocab import OFFENCE_GROUPS, REPORTING_CHANNELS
from vawgscope.synth.model import choose_rows

GI = {g: i for i, g in enumerate(OFFENCE_GROUPS)}
_N_G = len(OFFENCE_GROUPS)

# --- time windows: P(no window), P(minutes-hours window), else days; medians ----------------
#: group: (p_none, p_short, short median minutes, days median, days sigma, days max)
WINDOWS: dict[str, tuple[float, float, float, float, float, float]] = {
    "rape": (0.50, 0.35, 240.0, 3.0, 1.0, 60.0),
    "other_sexual": (0.50, 0.35, 180.0, 3.0, 1.0, 60.0),
    "violence_with_injury": (0.62, 0.33, 45.0, 1.5, 0.6, 10.0),
    "violence_without_injury": (0.62, 0.33, 45.0, 1.5, 0.6, 10.0),
    "stalking": (0.28, 0.26, 180.0, 10.0, 1.0, 180.0),
    "harassment": (0.42, 0.36, 180.0, 4.0, 1.0, 90.0),
    "malicious_communications": (0.45, 0.38, 120.0, 3.0, 1.0, 60.0),
    "controlling_coercive": (0.10, 0.05, 300.0, 30.0, 0.9, 365.0),
    "drink_spiking": (0.40, 0.55, 240.0, 1.0, 0.3, 2.0),
    "homicide": (0.70, 0.30, 60.0, 1.0, 0.3, 2.0),
    "robbery": (0.75, 0.25, 30.0, 1.0, 0.3, 2.0),
    "other": (0.60, 0.35, 60.0, 2.0, 0.6, 10.0),
}


def occurred_windows(group: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Minutes from occurred_from to occurred_to; -1 for no window (occurred_to empty)."""
    n = len(group)
    out = np.full(n, -1, dtype=np.int64)
    u = rng.random(n)
    for g, (p_none, p_short, short_med, days_med, days_sigma, days_max) in WINDOWS.items():
        sel = group == GI[g]
        m = int(sel.sum())
        if not m:
            continue
        short = np.clip(short_med * rng.lognormal(0, 1.0, m), 5, 24 * 60)
        days = np.clip(days_med * rng.lognormal(0, days_sigma, m), 1.0, days_max) * 1440
        uu = u[sel]
        val = np.where(uu < p_none, -1, np.where(uu < p_none + p_short, short, days))
        out[sel] = np.round(val).astype(np.int64)
    return out


def recording_delay(group: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Days from the end of the offence to its recording: mostly the same day or a few days;
    sexual offences sometimes months or years later (non-recent reports)."""
    n = len(group)
    quick = rng.choice(8, size=n, p=[0.50, 0.22, 0.09, 0.06, 0.04, 0.04, 0.03, 0.02])
    sexual = np.isin(group, [GI["rape"], GI["other_sexual"]])
    late = sexual & (rng.random(n) < 0.30)
    very_late = sexual & (rng.random(n) < 0.12)
    delay = quick.astype(float)
    delay[late] = np.clip(40 * rng.lognormal(0, 0.9, int(late.sum())), 8, 400)
    delay[very_late] = np.clip(420 * rng.lognormal(0, 0.8, int(very_late.sum())), 60, 2500)
    return np.round(delay).astype(np.int64)


# --- reporting channels ---------------------------------------------------------------------
_CHANNELS: dict[str, dict[str, float]] = {
    "rape": {
        "999": 0.27,
        "101": 0.30,
        "online": 0.05,
        "in_person": 0.20,
        "third_party": 0.13,
        "other": 0.03,
        "unknown": 0.02,
    },
    "other_sexual": {
        "999": 0.17,
        "101": 0.36,
        "online": 0.12,
        "in_person": 0.18,
        "third_party": 0.12,
        "other": 0.03,
        "unknown": 0.02,
    },
    "violence_with_injury": {
        "999": 0.58,
        "101": 0.22,
        "online": 0.04,
        "in_person": 0.07,
        "third_party": 0.07,
        "other": 0.01,
        "unknown": 0.01,
    },
    "violence_without_injury": {
        "999": 0.50,
        "101": 0.28,
        "online": 0.06,
        "in_person": 0.07,
        "third_party": 0.07,
        "other": 0.01,
        "unknown": 0.01,
    },
    "stalking": {
        "999": 0.10,
        "101": 0.38,
        "online": 0.36,
        "in_person": 0.10,
        "third_party": 0.04,
        "other": 0.01,
        "unknown": 0.01,
    },
    "harassment": {
        "999": 0.10,
        "101": 0.38,
        "online": 0.36,
        "in_person": 0.10,
        "third_party": 0.04,
        "other": 0.01,
        "unknown": 0.01,
    },
    "malicious_communications": {
        "999": 0.06,
        "101": 0.38,
        "online": 0.42,
        "in_person": 0.09,
        "third_party": 0.03,
        "other": 0.01,
        "unknown": 0.01,
    },
    "controlling_coercive": {
        "999": 0.20,
        "101": 0.38,
        "online": 0.18,
        "in_person": 0.14,
        "third_party": 0.08,
        "other": 0.01,
        "unknown": 0.01,
    },
}
_CHANNEL_DEFAULT = _CHANNELS["violence_with_injury"]
CHANNEL_TABLE = np.array(
    [
        [_CHANNELS.get(g, _CHANNEL_DEFAULT).get(c, 0.0) for c in REPORTING_CHANNELS]
        for g in OFFENCE_GROUPS
    ]
)
CHANNEL_MISSING = 0.025


def reporting_channels(
    group: np.ndarray, child_victim: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Index into REPORTING_CHANNELS per crime, -1 = missing; third parties (parents, carers,
    schools) report more of the crimes against children."""
    prob = CHANNEL_TABLE[group].copy()
    tp = REPORTING_CHANNELS.index("third_party")
    prob[child_victim, tp] *= 3.5
    out = choose_rows(prob, rng)
    out[rng.random(len(group)) < CHANNEL_MISSING] = -1
    return out


# --- outcomes -------------------------------------------------------------------------------
_OUTCOMES: dict[str, dict[int, float]] = {
    "rape": {
        1: 0.045,
        16: 0.58,
        14: 0.06,
        15: 0.29,
        21: 0.01,
        20: 0.005,
        9: 0.004,
        3: 0.002,
        17: 0.004,
    },
    "other_sexual": {
        1: 0.078,
        16: 0.42,
        14: 0.06,
        15: 0.30,
        3: 0.03,
        8: 0.03,
        21: 0.03,
        22: 0.01,
        20: 0.01,
        9: 0.01,
        10: 0.01,
        18: 0.012,
    },
    "violence_with_injury": {
        1: 0.14,
        16: 0.50,
        14: 0.04,
        15: 0.22,
        3: 0.03,
        8: 0.03,
        10: 0.01,
        21: 0.02,
        20: 0.01,
    },
    "violence_without_injury": {
        1: 0.08,
        16: 0.55,
        14: 0.05,
        15: 0.22,
        3: 0.02,
        8: 0.05,
        10: 0.01,
        21: 0.02,
    },
    "stalking": {1: 0.12, 16: 0.38, 14: 0.03, 15: 0.42, 3: 0.01, 21: 0.03, 20: 0.01},
    "harassment": {1: 0.08, 16: 0.50, 14: 0.05, 15: 0.32, 8: 0.02, 21: 0.02, 3: 0.01},
    "malicious_communications": {1: 0.05, 16: 0.48, 14: 0.07, 15: 0.33, 8: 0.03, 21: 0.03, 3: 0.01},
    "controlling_coercive": {1: 0.10, 16: 0.55, 14: 0.03, 15: 0.30, 21: 0.02},
    "drink_spiking": {1: 0.05, 15: 0.40, 16: 0.30, 14: 0.10, 18: 0.15},
    "homicide": {1: 0.92, 5: 0.05, 20: 0.03},
    "robbery": {1: 0.16, 15: 0.44, 16: 0.30, 14: 0.05, 3: 0.02, 21: 0.03},
    "other": {1: 0.10, 16: 0.45, 15: 0.28, 8: 0.05, 14: 0.05, 21: 0.04, 10: 0.03},
}
NO_SUSPECT_OUTCOMES: dict[int, float] = {18: 0.72, 14: 0.22, 21: 0.03, 20: 0.03}
#: Out-of-court and charge outcomes that make a suspect an offender.
OFFENDER_OUTCOMES: tuple[int, ...] = (1, 2, 3, 4, 6, 8, 22)
#: Median days from recording to outcome, per group (lognormal, sigma 1).
OUTCOME_DELAY: dict[str, float] = {
    "rape": 240.0,
    "other_sexual": 150.0,
    "homicide": 300.0,
    "stalking": 70.0,
    "controlling_coercive": 90.0,
}


def outcomes(group: np.ndarray, suspect: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Home Office outcome type per crime (before checking whether it had arrived by the
    extract date)."""
    n = len(group)
    out = np.zeros(n, dtype=np.int64)
    for g, table in _OUTCOMES.items():
        sel = np.flatnonzero((group == GI[g]) & suspect)
        codes = np.array(list(table))
        out[sel] = codes[choose_rows(np.tile(list(table.values()), (len(sel), 1)), rng)]
    sel = np.flatnonzero(~suspect)
    codes = np.array(list(NO_SUSPECT_OUTCOMES))
    out[sel] = codes[choose_rows(np.tile(list(NO_SUSPECT_OUTCOMES.values()), (len(sel), 1)), rng)]
    return out


def outcome_delays(group: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Days from recording to the outcome."""
    med = np.array([OUTCOME_DELAY.get(g, 45.0) for g in OFFENCE_GROUPS])[group]
    return np.round(np.clip(med * rng.lognormal(0, 1.0, len(group)), 1, 2000)).astype(np.int64)


# --- offence codes --------------------------------------------------------------------------
CODE_NAMES: dict[str, str] = {
    "19C": "Rape of a female aged 16 and over",
    "19D": "Rape of a female child under 16",
    "19E": "Rape of a female child under 13",
    "19F": "Rape of a male aged 16 and over",
    "19G": "Rape of a male child under 16",
    "19H": "Rape of a male child under 13",
    "20A": "Sexual assault on a female aged 13 and over",
    "20B": "Sexual assault on a female child under 13",
    "17A": "Sexual assault on a male aged 13 and over",
    "22B": "Sexual activity involving a child under 16",
    "88E": "Exposure and voyeurism",
    "8N": "Assault with injury",
    "8F": "Inflicting grievous bodily harm without intent",
    "5D": "Assault with intent to cause serious harm",
    "2": "Attempted murder",
    "105A": "Assault without injury",
    "3B": "Threats to kill",
    "8Q": "Stalking",
    "8L": "Harassment",
    "8R": "Malicious communications",
    "8U": "Controlling or coercive behaviour",
    "8K": "Administering a poison or noxious substance",
    "1": "Murder",
    "4/1": "Manslaughter",
    "34B": "Robbery of personal property",
    "9A": "Public fear, alarm or distress",
}


def offence_codes(
    group: np.ndarray,
    victim_female: np.ndarray,
    victim_age: np.ndarray,
    near_fatal: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """A plausible Home Office offence code per crime, from its group and the victim."""
    n = len(group)
    code = np.empty(n, dtype=object)
    u = rng.random(n)
    age = np.where(victim_age < 0, 30, victim_age)
    f = victim_female

    def put(sel: np.ndarray, value: np.ndarray | str) -> None:
        code[sel] = value if isinstance(value, str) else value[sel]

    g = group
    rape = g == GI["rape"]
    put(rape & f, np.where(age >= 16, "19C", np.where(age >= 13, "19D", "19E")).astype(object))
    put(rape & ~f, np.where(age >= 16, "19F", np.where(age >= 13, "19G", "19H")).astype(object))
    osx = g == GI["other_sexual"]
    adult_code = np.where(u < 0.10, "88E", np.where(f, "20A", "17A")).astype(object)
    child_code = np.where(
        age < 13, np.where(f, "20B", "17A"), np.where(u < 0.45, "22B", np.where(f, "20A", "17A"))
    ).astype(object)
    put(osx, np.where(age >= 16, adult_code, child_code).astype(object))
    vwi = g == GI["violence_with_injury"]
    vwi_code = np.where(u < 0.86, "8N", np.where(u < 0.95, "8F", "5D")).astype(object)
    vwi_code[near_fatal] = np.where(u[near_fatal] < 0.5, "2", "5D")
    put(vwi, vwi_code)
    put(g == GI["violence_without_injury"], np.where(u < 0.9, "105A", "3B").astype(object))
    for grp, c in (
        ("stalking", "8Q"),
        ("harassment", "8L"),
        ("malicious_communications", "8R"),
        ("controlling_coercive", "8U"),
        ("drink_spiking", "8K"),
        ("robbery", "34B"),
        ("other", "9A"),
    ):
        put(g == GI[grp], c)
    put(g == GI["homicide"], np.where(u < 0.8, "1", "4/1").astype(object))
    return code
