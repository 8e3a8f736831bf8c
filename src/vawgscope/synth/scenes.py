"""Where and when each offence happens.

A scene is one of a few kinds of place (the shared home, the victim's home, the perpetrator's
home, another dwelling, a street near home, a town-centre street, licensed premises, …), drawn
from tables per context (cohabiting, living apart, night out, child victim, stranger) and
offence group. The time of day and the weekday follow profiles: afternoons and Tuesdays or
Wednesdays for domestic abuse and harassment, Friday and Saturday nights for the night-time
economy, after school for child victims.
"""

from __future__ import annotations

import numpy as np
import shapely

from vawgscope.contract.vocab import LOCATION_TYPES, OFFENCE_GROUPS
from vawgscope.synth.model import Context, choose_rows, point_near

SCENES: tuple[tuple[str, str], ...] = (
    # (scene, location_type)
    ("shared_home", "dwelling"),
    ("victim_home", "dwelling"),
    ("perp_home", "dwelling"),
    ("street_near", "street"),
    ("street_town", "street"),
    ("licensed", "licensed_premises"),
    ("open_space", "open_space"),
    ("education", "education"),
    ("vehicle", "vehicle"),
    ("public_transport", "public_transport"),
    ("hotel", "hotel"),
    ("shop", "shop"),
    ("workplace", "workplace"),
    ("health", "health"),
    ("online", "online"),
    ("other", "other"),
    ("unknown", "unknown"),
)
S = {name: i for i, (name, _) in enumerate(SCENES)}
SCENE_LOCATION = np.array([LOCATION_TYPES.index(loc) for _, loc in SCENES])
CONTEXTS: tuple[str, ...] = ("cohab", "apart", "nte", "child", "stranger")
C = {name: i for i, name in enumerate(CONTEXTS)}

_TABLES: dict[str, dict[str, dict[str, float]]] = {
    "cohab": {
        "default": {
            "shared_home": 0.86,
            "street_near": 0.05,
            "vehicle": 0.03,
            "shop": 0.01,
            "open_space": 0.01,
            "workplace": 0.005,
            "public_transport": 0.005,
            "other": 0.02,
            "unknown": 0.01,
        },
        "malicious_communications": {
            "online": 0.72,
            "shared_home": 0.24,
            "other": 0.02,
            "unknown": 0.02,
        },
        "harassment": {
            "shared_home": 0.70,
            "online": 0.16,
            "street_near": 0.06,
            "other": 0.05,
            "unknown": 0.03,
        },
        "controlling_coercive": {
            "shared_home": 0.95,
            "online": 0.02,
            "other": 0.02,
            "unknown": 0.01,
        },
        "rape": {"shared_home": 0.93, "vehicle": 0.03, "hotel": 0.02, "unknown": 0.02},
        "homicide": {"shared_home": 0.78, "street_near": 0.12, "open_space": 0.06, "vehicle": 0.04},
    },
    "apart": {
        "default": {
            "victim_home": 0.42,
            "perp_home": 0.20,
            "street_near": 0.16,
            "shop": 0.03,
            "workplace": 0.03,
            "vehicle": 0.04,
            "open_space": 0.03,
            "public_transport": 0.01,
            "licensed": 0.02,
            "other": 0.03,
            "unknown": 0.03,
        },
        "stalking": {
            "victim_home": 0.42,
            "perp_home": 0.03,
            "street_near": 0.23,
            "online": 0.14,
            "workplace": 0.06,
            "shop": 0.03,
            "vehicle": 0.02,
            "other": 0.04,
            "unknown": 0.03,
        },
        "harassment": {
            "victim_home": 0.38,
            "perp_home": 0.04,
            "street_near": 0.16,
            "online": 0.30,
            "workplace": 0.04,
            "other": 0.05,
            "unknown": 0.03,
        },
        "malicious_communications": {
            "online": 0.84,
            "victim_home": 0.12,
            "other": 0.02,
            "unknown": 0.02,
        },
        "controlling_coercive": {
            "victim_home": 0.70,
            "perp_home": 0.15,
            "online": 0.10,
            "other": 0.05,
        },
        "rape": {
            "victim_home": 0.28,
            "perp_home": 0.50,
            "vehicle": 0.06,
            "hotel": 0.05,
            "open_space": 0.05,
            "other": 0.03,
            "unknown": 0.03,
        },
        "other_sexual": {
            "victim_home": 0.32,
            "perp_home": 0.28,
            "street_near": 0.10,
            "vehicle": 0.05,
            "workplace": 0.05,
            "online": 0.06,
            "licensed": 0.04,
            "other": 0.05,
            "unknown": 0.05,
        },
        "violence_with_injury": {
            "victim_home": 0.38,
            "perp_home": 0.32,
            "street_near": 0.15,
            "vehicle": 0.04,
            "licensed": 0.03,
            "open_space": 0.03,
            "other": 0.03,
            "unknown": 0.02,
        },
        "homicide": {
            "victim_home": 0.40,
            "perp_home": 0.25,
            "street_near": 0.20,
            "open_space": 0.15,
        },
    },
    "nte": {
        "default": {
            "licensed": 0.16,
            "street_town": 0.20,
            "victim_home": 0.22,
            "perp_home": 0.32,
            "public_transport": 0.02,
            "hotel": 0.02,
            "vehicle": 0.02,
            "open_space": 0.02,
            "shop": 0.01,
            "other": 0.005,
            "unknown": 0.005,
        },
        "rape": {
            "perp_home": 0.42,
            "victim_home": 0.21,
            "hotel": 0.08,
            "licensed": 0.08,
            "street_town": 0.06,
            "vehicle": 0.06,
            "open_space": 0.05,
            "unknown": 0.04,
        },
        "other_sexual": {
            "licensed": 0.34,
            "street_town": 0.20,
            "perp_home": 0.18,
            "victim_home": 0.11,
            "public_transport": 0.06,
            "hotel": 0.03,
            "vehicle": 0.03,
            "other": 0.03,
            "unknown": 0.02,
        },
        "drink_spiking": {"licensed": 0.85, "perp_home": 0.10, "unknown": 0.05},
        "robbery": {
            "street_town": 0.70,
            "licensed": 0.05,
            "public_transport": 0.10,
            "open_space": 0.10,
            "other": 0.05,
        },
    },
    "child": {
        "default": {
            "education": 0.22,
            "open_space": 0.14,
            "victim_home": 0.22,
            "perp_home": 0.18,
            "street_near": 0.10,
            "online": 0.04,
            "public_transport": 0.03,
            "shop": 0.02,
            "other": 0.03,
            "unknown": 0.02,
        },
        "malicious_communications": {"online": 0.80, "education": 0.10, "victim_home": 0.10},
    },
    "stranger": {
        "default": {
            "street_town": 0.20,
            "street_near": 0.18,
            "open_space": 0.14,
            "licensed": 0.08,
            "public_transport": 0.08,
            "victim_home": 0.08,
            "shop": 0.06,
            "hotel": 0.03,
            "vehicle": 0.04,
            "workplace": 0.03,
            "other": 0.04,
            "unknown": 0.04,
        },
        "malicious_communications": {"online": 0.90, "victim_home": 0.10},
        "stalking": {
            "street_near": 0.30,
            "victim_home": 0.30,
            "online": 0.20,
            "workplace": 0.10,
            "shop": 0.05,
            "other": 0.05,
        },
        "harassment": {
            "street_near": 0.30,
            "victim_home": 0.25,
            "online": 0.25,
            "workplace": 0.08,
            "shop": 0.07,
            "other": 0.05,
        },
    },
}


def _scene_table() -> np.ndarray:
    table = np.zeros((len(CONTEXTS), len(OFFENCE_GROUPS), len(SCENES)))
    for ctx_name, by_group in _TABLES.items():
        for g, group in enumerate(OFFENCE_GROUPS):
            probs = by_group.get(group, by_group["default"])
            for scene, p in probs.items():
                table[C[ctx_name], g, S[scene]] = p
    return table


SCENE_TABLE = _scene_table()

# --- time profiles --------------------------------------------------------------------------
PROFILES: tuple[str, ...] = ("day", "nte", "sexual", "child")
PR = {p: i for i, p in enumerate(PROFILES)}
HOURS = np.array(
    [
        # day: domestic abuse and harassment, early-to-mid afternoon peak
        [
            0.9,
            0.7,
            0.5,
            0.35,
            0.3,
            0.3,
            0.6,
            1.2,
            2.2,
            3.0,
            3.6,
            4.3,
            5.0,
            5.8,
            6.1,
            6.1,
            5.6,
            4.8,
            3.8,
            3.1,
            2.6,
            2.1,
            1.6,
            1.2,
        ],
        # nte: evenings and late nights
        [
            5.5,
            5.0,
            4.0,
            2.8,
            1.5,
            0.6,
            0.3,
            0.2,
            0.2,
            0.3,
            0.4,
            0.6,
            0.8,
            1.0,
            1.2,
            1.4,
            1.7,
            2.2,
            3.0,
            3.8,
            4.6,
            5.4,
            6.0,
            6.2,
        ],
        # sexual: afternoons and nights
        [
            2.2,
            2.2,
            1.8,
            1.3,
            0.8,
            0.5,
            0.5,
            0.8,
            1.2,
            1.7,
            2.1,
            2.5,
            2.9,
            3.3,
            3.6,
            3.8,
            3.8,
            3.7,
            3.4,
            3.3,
            3.3,
            3.3,
            3.0,
            2.6,
        ],
        # child victims: after school
        [
            0.3,
            0.2,
            0.1,
            0.1,
            0.1,
            0.1,
            0.2,
            0.6,
            1.2,
            1.0,
            1.0,
            1.2,
            1.6,
            2.0,
            2.8,
            3.8,
            4.4,
            4.2,
            3.8,
            3.2,
            2.4,
            1.6,
            1.0,
            0.6,
        ],
    ]
)
#: Weekday weights, Monday first; for the night-time economy, the night that starts that day.
WEEKDAYS = np.array(
    [
        [1.00, 1.22, 1.20, 1.02, 0.93, 0.83, 0.80],
        [0.60, 0.60, 0.70, 0.90, 1.45, 1.70, 0.75],
        [1.00, 1.00, 1.00, 1.00, 1.05, 1.10, 1.00],
        [1.10, 1.15, 1.15, 1.10, 1.05, 0.80, 0.70],
    ]
)


def choose_scenes(context: np.ndarray, group: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A scene per offence from its context and offence group."""
    return choose_rows(SCENE_TABLE[context, group], rng)


def profile_of(context: np.ndarray, scene: np.ndarray, group: np.ndarray) -> np.ndarray:
    """The time profile each offence follows."""
    sexual = np.isin(group, [OFFENCE_GROUPS.index("rape"), OFFENCE_GROUPS.index("other_sexual")])
    dwelling = np.isin(scene, [S["shared_home"], S["victim_home"], S["perp_home"]])
    night = ((context == C["nte"]) & ~dwelling) | np.isin(scene, [S["licensed"], S["street_town"]])
    sexual = sexual | ((context == C["nte"]) & dwelling)
    return np.select(
        [night, context == C["child"], sexual],
        [PR["nte"], PR["child"], PR["sexual"]],
        default=PR["day"],
    )


def weekday(day: np.ndarray) -> np.ndarray:
    """Monday = 0 for day numbers counted from 2016-01-01 (a Friday)."""
    return (np.asarray(day) + 4) % 7


def set_times(
    t: np.ndarray, profile: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Move each potential offence to a day of its week and a minute of the day drawn from its
    profile; returns (day number, minute of day)."""
    base = np.floor(t).astype(np.int64)
    week_start = base - weekday(base)
    wd = choose_rows(WEEKDAYS[profile], rng)
    hour = choose_rows(HOURS[profile], rng)
    day = week_start + wd
    day = day + ((profile == PR["nte"]) & (hour < 6))
    minute = hour * 60 + rng.integers(0, 60, len(t))
    return day, minute


def _lognormal_dist(
    median: float, sigma: float, lo: float, hi: float, n: int, rng: np.random.Generator
) -> np.ndarray:
    return np.clip(median * rng.lognormal(0.0, sigma, n), lo, hi)


_DISTANCE: dict[str, tuple[float, float, float, float]] = {
    # scene: (median m, sigma, min, max) from the victim's home
    "street_near": (1000.0, 0.8, 40.0, 5000.0),
    "education": (900.0, 0.5, 150.0, 4000.0),
    "public_transport": (1500.0, 0.8, 100.0, 8000.0),
    "hotel": (2500.0, 0.9, 100.0, 9000.0),
    "open_space": (700.0, 0.9, 40.0, 8000.0),
    "vehicle": (700.0, 0.9, 40.0, 8000.0),
    "shop": (700.0, 0.9, 40.0, 8000.0),
    "workplace": (1200.0, 0.9, 40.0, 9000.0),
    "health": (1500.0, 0.7, 40.0, 8000.0),
    "other": (700.0, 0.9, 40.0, 8000.0),
    "unknown": (600.0, 0.9, 40.0, 8000.0),
    "licensed": (700.0, 0.8, 40.0, 6000.0),
    "street_town": (700.0, 0.8, 40.0, 6000.0),
}


def scene_points(
    ctx: Context,
    scene: np.ndarray,
    victim_xy: tuple[np.ndarray, np.ndarray],
    perp_xy: tuple[np.ndarray, np.ndarray],
    venue_xy: tuple[np.ndarray, np.ndarray],
    has_venue: np.ndarray,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """Coordinates of each scene: within 15 m of the home for homes and online offences,
    at or near the venue for licensed premises and town-centre streets, otherwise at a
    lognormal distance from the victim's home."""
    n = len(scene)
    vx, vy = victim_xy
    x = np.zeros(n)
    y = np.zeros(n)
    r = 15.0 * np.sqrt(rng.random(n))
    a = rng.uniform(0, 2 * np.pi, n)
    at_victim = np.isin(scene, [S["shared_home"], S["victim_home"], S["online"]])
    x[at_victim] = vx[at_victim] + r[at_victim] * np.cos(a[at_victim])
    y[at_victim] = vy[at_victim] + r[at_victim] * np.sin(a[at_victim])
    at_perp = scene == S["perp_home"]
    x[at_perp] = perp_xy[0][at_perp] + r[at_perp] * np.cos(a[at_perp])
    y[at_perp] = perp_xy[1][at_perp] + r[at_perp] * np.sin(a[at_perp])
    venue = has_venue & np.isin(scene, [S["licensed"], S["street_town"], S["hotel"]])
    vr = np.where(
        scene == S["licensed"], 10.0 * np.sqrt(rng.random(n)), 30.0 + 170.0 * rng.random(n)
    )
    x[venue] = venue_xy[0][venue] + vr[venue] * np.cos(a[venue])
    y[venue] = venue_xy[1][venue] + vr[venue] * np.sin(a[venue])
    # a few metres off a home or venue can cross the coastline: stay at the home or venue
    near = at_victim | at_perp | venue
    off = near & ~shapely.contains_xy(ctx.geo.county, x, y)
    ax = np.where(at_victim, vx, np.where(at_perp, perp_xy[0], venue_xy[0]))
    ay = np.where(at_victim, vy, np.where(at_perp, perp_xy[1], venue_xy[1]))
    x[off], y[off] = ax[off], ay[off]
    rest = ~near
    dist = np.zeros(n)
    for name, (median, sigma, lo, hi) in _DISTANCE.items():
        sel = rest & (scene == S[name])
        dist[sel] = _lognormal_dist(median, sigma, lo, hi, int(sel.sum()), rng)
    idx = np.flatnonzero(rest)
    px, py = point_near(ctx, vx[idx].astype(float), vy[idx].astype(float), dist[idx], rng)
    x[idx], y[idx] = px, py
    return np.round(x), np.round(y)
