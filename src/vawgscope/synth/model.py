"""Shared state of one demo world and the vectorised spatial helpers the mechanisms use.

:class:`Context` is built once per world (geography, premises, calendar and the derived
weights) and read by every chunk of careers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

from vawgscope.synth import params as P
from vawgscope.synth.context import Calendar, Premises, jitter_in_area
from vawgscope.synth.geography import DISTRICTS, TOWNS, Geography


@dataclass
class Context:
    """Everything a chunk of careers needs to know about the world."""

    geo: Geography
    premises: Premises
    calendar: Calendar
    #: Adult male residents (18-64) per area, and young women (16-35) per area.
    men: np.ndarray
    women: np.ndarray
    #: District yearly trend per area.
    area_trend: np.ndarray
    town_x: np.ndarray
    town_y: np.ndarray
    town_pull: np.ndarray
    town_reach: np.ndarray
    #: Premises sorted by town, with cumulative NTE weights, for choosing within a town.
    prem_order: np.ndarray
    prem_cum: np.ndarray
    town_start: np.ndarray
    town_count: np.ndarray
    town_total: np.ndarray
    #: Population share by birth year of men, index = birth year - BIRTH_YEAR0.
    birth_weight: np.ndarray


BIRTH_YEAR0 = 1925


def build_context(geo: Geography, premises: Premises, calendar: Calendar) -> Context:
    """Derive the weights and lookups the mechanisms read."""
    pop = geo.population
    men = pop[:, 1, 18:65].sum(axis=1).astype(float)
    women = pop[:, 0, 16:36].sum(axis=1).astype(float)
    trend = np.array([DISTRICTS[d].trend for d in geo.district])
    n_towns = len(TOWNS)
    in_town = premises.town >= 0
    order = np.flatnonzero(in_town)
    order = order[np.argsort(premises.town[order], kind="stable")]
    weights = premises.nte_weight[order]
    cum = np.cumsum(weights)
    counts = np.bincount(premises.town[order], minlength=n_towns)
    start = np.concatenate([[0], np.cumsum(counts)[:-1]])
    total = np.bincount(premises.town[order], weights=weights, minlength=n_towns)
    pull = np.array([t.nte_pull for t in TOWNS]) * np.sqrt(np.maximum(total, 1e-9))
    pull[counts == 0] = 0.0
    reach = np.where(np.array([t.name == "Maidstone" for t in TOWNS]), 13000.0, 6500.0)
    # men by birth year, from the 2019 pyramid (age = 2019 - birth year)
    years = np.arange(BIRTH_YEAR0, 2016)
    ages = np.clip(2019 - years, 0, 90)
    male = pop[:, 1, :].sum(axis=0).astype(float)
    bw = male[ages]
    bw[ages == 90] = male[89]  # 90 stands for 90+; use the 89-year-olds' count instead
    return Context(
        geo=geo,
        premises=premises,
        calendar=calendar,
        men=men,
        women=women,
        area_trend=trend,
        town_x=np.array([t.x for t in TOWNS], dtype=float),
        town_y=np.array([t.y for t in TOWNS], dtype=float),
        town_pull=pull,
        town_reach=reach,
        prem_order=order,
        prem_cum=cum,
        town_start=start,
        town_count=counts,
        town_total=total,
        birth_weight=bw / bw.max(),
    )


def cohort_factor(birth_year: np.ndarray) -> np.ndarray:
    """Relative rate of starting an offending career by year of birth (peak 1989)."""
    d = np.asarray(birth_year, dtype=float) - P.COHORT_PEAK
    base = np.where(d >= 0, np.exp(-P.COHORT_DECAY_YOUNGER * d), np.exp(P.COHORT_DECAY_OLDER * d))
    return base * (1.0 + P.COHORT_BUMP * np.exp(-np.abs(d) / P.COHORT_BUMP_WIDTH))


def choose_rows(prob: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One categorical draw per row of ``prob`` (rows need not be normalised)."""
    cum = np.cumsum(prob, axis=1)
    u = rng.random(len(prob)) * cum[:, -1]
    return np.minimum((u[:, None] > cum).sum(axis=1), prob.shape[1] - 1)


def choose(p: dict[str, float] | np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` draws of the indices of ``p``'s categories."""
    w = np.asarray(list(p.values()) if isinstance(p, dict) else p, dtype=float)
    return rng.choice(len(w), size=n, p=w / w.sum())


def area_near(
    ctx: Context,
    x: np.ndarray,
    y: np.ndarray,
    reach: float | np.ndarray,
    weight: np.ndarray,
    rng: np.random.Generator,
    m: int = 16,
) -> np.ndarray:
    """An area near each point, with probability ∝ ``weight`` × exp(-distance / ``reach``).

    ``m`` candidate points per origin are drawn at gamma(2, reach) distances (an areal
    density ∝ exp(-d / reach)) and one of the areas containing them is chosen ∝ weight per
    square metre, so the choice does not depend on how finely the county is divided."""
    n = len(x)
    if n == 0:
        return np.empty(0, dtype=np.int64)
    reach = np.broadcast_to(np.asarray(reach, dtype=float), (n,))
    r = rng.gamma(2.0, 1.0, (n, m)) * reach[:, None]
    a = rng.uniform(0, 2 * np.pi, (n, m))
    px = (x[:, None] + r * np.cos(a)).ravel()
    py = (y[:, None] + r * np.sin(a)).ravel()
    idx = ctx.geo.area_of(px, py).reshape(n, m)
    inside = shapely.contains_xy(ctx.geo.county, px, py).reshape(n, m)
    w = weight[idx] / ctx.geo.area_m2[idx] * inside
    none = w.sum(axis=1) <= 0
    w[none, 0] = 1.0
    idx[none, 0] = ctx.geo.area_of(x[none], y[none])
    return idx[np.arange(n), choose_rows(w, rng)]


def home_points(
    ctx: Context, area: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Home coordinates within about 300 m of the area's centroid, inside the area."""
    return jitter_in_area(ctx.geo, area, 300.0, rng)


def point_near(
    ctx: Context, x: np.ndarray, y: np.ndarray, dist: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Points at about ``dist`` metres from (x, y) in a random direction, inside the county
    (the distance is shortened until they are)."""
    n = len(x)
    a = rng.uniform(0, 2 * np.pi, n)
    dx, dy = dist * np.cos(a), dist * np.sin(a)
    px, py = x + dx, y + dy
    for _ in range(8):
        bad = ~shapely.contains_xy(ctx.geo.county, px, py)
        if not bad.any():
            break
        dx[bad] *= 0.6
        dy[bad] *= 0.6
        px[bad] = x[bad] + dx[bad]
        py[bad] = y[bad] + dy[bad]
    else:
        bad = ~shapely.contains_xy(ctx.geo.county, px, py)
        px[bad], py[bad] = x[bad], y[bad]
    return px, py


def choose_town(
    ctx: Context, x: np.ndarray, y: np.ndarray, rng: np.random.Generator, reach_factor: float = 1.0
) -> np.ndarray:
    """A town centre for a night out (or a public place) from each starting point: ∝ the
    town's pull × exp(-distance / reach); Maidstone's reach is twice the others'."""
    d = np.hypot(x[:, None] - ctx.town_x[None, :], y[:, None] - ctx.town_y[None, :])
    w = ctx.town_pull[None, :] * np.exp(-d / (ctx.town_reach[None, :] * reach_factor))
    return choose_rows(w, rng)


def choose_premises(ctx: Context, town: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A licensed premises in each town, ∝ its night-time-economy weight (clubs and bars most)."""
    base = np.where(ctx.town_start[town] > 0, ctx.prem_cum[ctx.town_start[town] - 1], 0.0)
    target = base + rng.random(len(town)) * ctx.town_total[town]
    pos = np.searchsorted(ctx.prem_cum, target, side="right")
    last = ctx.town_start[town] + np.maximum(ctx.town_count[town] - 1, 0)
    pos = np.clip(pos, ctx.town_start[town], last)
    return ctx.prem_order[pos]
