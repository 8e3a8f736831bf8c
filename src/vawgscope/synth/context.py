"""Context of the demo world: licensed premises, daily weather, lockdowns and the calendar.

The calendar holds, for every day of the simulated period, the factors that the offending
mechanisms read: maximum temperature, whether pubs were shut, and the named periods.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import shapely

from vawgscope.synth.geography import TOWNS, Geography

#: First and last day of weather (and of the calendar the mechanisms read).
WEATHER_START = dt.date(2016, 1, 1)
WEATHER_END = dt.date(2022, 3, 31)
#: Crimes are simulated by occurred_from within this window.
CRIME_START = dt.date(2016, 4, 1)
CRIME_END = dt.date(2022, 3, 31)
#: The day the records were extracted: nothing is recorded or finalised after it.
EXTRACT_DATE = dt.date(2022, 4, 30)

#: Day 0 of all day numbers used inside the generator.
EPOCH = WEATHER_START

LOCKDOWNS: tuple[tuple[str, dt.date, dt.date], ...] = (
    ("First national lockdown", dt.date(2020, 3, 23), dt.date(2020, 7, 3)),
    ("Second national lockdown", dt.date(2020, 11, 5), dt.date(2020, 12, 1)),
    ("Third national lockdown", dt.date(2021, 1, 6), dt.date(2021, 4, 11)),
)

#: Pubs and bars shut (the lockdowns, and Kent's tier 3/4 between the second and third);
#: outdoor service only from 12 April to 16 May 2021.
PUBS_SHUT: tuple[tuple[dt.date, dt.date, float], ...] = (
    (dt.date(2020, 3, 21), dt.date(2020, 7, 3), 0.06),
    (dt.date(2020, 11, 5), dt.date(2021, 4, 11), 0.06),
    (dt.date(2021, 4, 12), dt.date(2021, 5, 16), 0.55),
)

#: Reopening: pent-up socialising in the hot summer of 2020 (pubs reopened on 4 July, "Eat
#: Out to Help Out" ran through August) lifted non-domestic offending for a few weeks.
RELEASE: tuple[tuple[dt.date, dt.date, float], ...] = (
    (dt.date(2020, 7, 4), dt.date(2020, 8, 2), 1.05),
    (dt.date(2020, 8, 3), dt.date(2020, 8, 31), 1.6),
    (dt.date(2020, 9, 1), dt.date(2020, 9, 13), 1.10),
)

#: Recording gaps: a records-management-system migration in summer 2019 during which about
#: a fifth of reports taken on the legacy system were never carried into the new one. The
#: seed report finds no summer peak in 2019 "for some reason"; this is the demo world's
#: reason, and the data-quality finding shows the dip against the neighbouring months.
RECORDING_GAPS: tuple[tuple[dt.date, dt.date, float], ...] = (
    (dt.date(2019, 6, 3), dt.date(2019, 8, 30), 0.78),
)

#: Monthly temperature anomalies (°C) of the synthetic weather, loosely following the real
#: record: hot summer 2018 and "Beast from the East", cool wet June 2019, hot August 2020.
MONTH_ANOMALY: dict[tuple[int, int], float] = {
    (2016, 6): -0.5,
    (2016, 9): 1.5,
    (2017, 6): 1.5,
    (2017, 12): -0.5,
    (2018, 2): -2.5,
    (2018, 3): -2.5,
    (2018, 4): 1.0,
    (2018, 5): 1.5,
    (2018, 6): 1.5,
    (2018, 7): 3.5,
    (2018, 8): 0.8,
    (2019, 2): 2.5,
    (2019, 6): -2.6,
    (2019, 7): 0.6,
    (2019, 8): -0.6,
    (2020, 2): 1.0,
    (2020, 4): 2.0,
    (2020, 5): 1.5,
    (2020, 7): -0.5,
    (2020, 8): 2.6,
    (2021, 1): -1.0,
    (2021, 4): -1.5,
    (2021, 5): -2.0,
    (2021, 8): -1.0,
    (2021, 9): 1.5,
    (2022, 2): 1.5,
}
WET_MONTHS: dict[tuple[int, int], float] = {(2019, 6): 1.7, (2020, 2): 1.6, (2021, 5): 1.5}

PREMISES_KINDS_TOWN: dict[str, float] = {
    "pub": 0.33,
    "bar": 0.16,
    "nightclub": 0.04,
    "restaurant": 0.31,
    "off_licence": 0.16,
}
PREMISES_KINDS_RURAL: dict[str, float] = {"pub": 0.55, "restaurant": 0.27, "off_licence": 0.18}
#: How strongly each kind of premises draws night-time-economy violence.
NTE_KIND_WEIGHT: dict[str, float] = {
    "pub": 1.5,
    "bar": 2.5,
    "nightclub": 5.0,
    "restaurant": 0.3,
    "off_licence": 0.4,
}


def day_number(d: dt.date) -> int:
    """Days since :data:`EPOCH`."""
    return (d - EPOCH).days


@dataclass
class Premises:
    """Licensed premises: coordinates, kind, area and the town cluster they belong to."""

    x: np.ndarray
    y: np.ndarray
    kind: np.ndarray  # str
    area: np.ndarray  # area index
    town: np.ndarray  # town index, -1 outside town clusters
    nte_weight: np.ndarray


def build_premises(geo: Geography, scale: float, rng: np.random.Generator) -> Premises:
    """About 1,800 licensed premises (× scale): clusters around town centres, sized by each
    town's night-time economy, and village pubs, restaurants and off-licences elsewhere."""
    xs: list[np.ndarray] = []
    ys: list[np.ndarray] = []
    kinds: list[np.ndarray] = []
    towns: list[np.ndarray] = []
    town_kinds = list(PREMISES_KINDS_TOWN)
    town_p = np.array(list(PREMISES_KINDS_TOWN.values()))
    for t_idx, town in enumerate(TOWNS):
        n = rng.poisson(town.premises * scale)
        sigma = 330.0 if town.main else 260.0
        r = np.abs(rng.normal(0, sigma, n)) * np.sqrt(rng.random(n) * 0.6 + 0.4)
        a = rng.uniform(0, 2 * np.pi, n)
        xs.append(town.x + r * np.cos(a))
        ys.append(town.y + r * np.sin(a))
        kinds.append(np.asarray(town_kinds, dtype=object)[rng.choice(len(town_p), n, p=town_p)])
        towns.append(np.full(n, t_idx))
    n_rural = rng.poisson(420 * scale)
    w = geo.population.sum(axis=(1, 2)).astype(float) * np.where(geo.town_centre, 0.2, 1.0)
    area = rng.choice(geo.n, n_rural, p=w / w.sum())
    rx, ry = jitter_in_area(geo, area, 350.0, rng)
    xs.append(rx)
    ys.append(ry)
    rural_kinds = list(PREMISES_KINDS_RURAL)
    rural_p = np.array(list(PREMISES_KINDS_RURAL.values()))
    kinds.append(
        np.asarray(rural_kinds, dtype=object)[rng.choice(len(rural_p), n_rural, p=rural_p)]
    )
    towns.append(np.full(n_rural, -1))
    x = np.round(np.concatenate(xs))
    y = np.round(np.concatenate(ys))
    keep = shapely.contains_xy(geo.county, x, y)
    x, y = x[keep], y[keep]
    kind = np.concatenate(kinds)[keep]
    town = np.concatenate(towns)[keep]
    weight = np.array([NTE_KIND_WEIGHT[k] for k in kind])
    return Premises(
        x=x.astype(np.int64),
        y=y.astype(np.int64),
        kind=kind,
        area=geo.area_of(x, y),
        town=town,
        nte_weight=weight,
    )


def jitter_in_area(
    geo: Geography, area: np.ndarray, radius: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Points within ``radius`` of each area's centroid that stay inside that area and the
    county (the offset is halved until they do; the centroid itself is the fallback)."""
    n = len(area)
    cx = geo.x[area].astype(float)
    cy = geo.y[area].astype(float)
    r = radius * np.sqrt(rng.random(n))
    a = rng.uniform(0, 2 * np.pi, n)
    dx, dy = r * np.cos(a), r * np.sin(a)
    x, y = cx + dx, cy + dy
    for _ in range(6):
        bad = (geo.area_of(x, y) != area) | ~shapely.contains_xy(geo.county, x, y)
        if not bad.any():
            break
        dx[bad] *= 0.5
        dy[bad] *= 0.5
        x[bad] = cx[bad] + dx[bad]
        y[bad] = cy[bad] + dy[bad]
    else:
        bad = (geo.area_of(x, y) != area) | ~shapely.contains_xy(geo.county, x, y)
        x[bad], y[bad] = cx[bad], cy[bad]
    return np.round(x), np.round(y)


@dataclass
class Calendar:
    """Daily factors from :data:`EPOCH` to :data:`WEATHER_END`."""

    dates: np.ndarray  # datetime64[D]
    tmax: np.ndarray
    tmean: np.ndarray
    tmin: np.ndarray
    precip: np.ndarray
    pubs_open: np.ndarray  # share of normal licensed trade, 0..1
    lockdown: np.ndarray  # bool
    release: np.ndarray  # multiplier of non-domestic offending
    recording: np.ndarray  # share of reports that reach the records, 0..1

    @property
    def n_days(self) -> int:
        return len(self.dates)


def build_weather(rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Daily weather for south-east England: a seasonal cycle (tmax about 8 °C in January and
    23 °C in July), monthly anomalies of the real record, autocorrelated day-to-day noise and a
    two-state (wet/dry) rain chain with gamma amounts."""
    dates = np.arange(np.datetime64(WEATHER_START), np.datetime64(WEATHER_END) + 1)
    n = len(dates)
    doy = (dates - dates.astype("datetime64[Y]")).astype(int) + 1
    season = np.cos(2 * np.pi * (doy - 19) / 365.25)
    clim = 15.3 - 7.4 * season
    months = dates.astype("datetime64[M]").astype(int)
    years = 1970 + months // 12
    month_no = months % 12 + 1
    wet_boost = np.array(
        [WET_MONTHS.get((y, m), 1.0) for y, m in zip(years, month_no, strict=True)]
    )
    noise = np.empty(n)
    eps = rng.normal(0, 1.75, n)
    noise[0] = eps[0] * 2.9
    for i in range(1, n):
        noise[i] = 0.8 * noise[i - 1] + eps[i]
    # the month's own level is the listed anomaly plus a small random one: take the noise's
    # monthly mean out so that day-to-day noise does not override the record's months
    month_idx = months - months[0]
    month_mean = np.bincount(month_idx, weights=noise) / np.bincount(month_idx)
    extra = rng.normal(0, 0.5, len(month_mean))
    listed = np.array([(1970 + m // 12, m % 12 + 1) in MONTH_ANOMALY for m in np.unique(months)])
    extra[listed] = 0.0
    level = (
        np.array([MONTH_ANOMALY.get((1970 + m // 12, m % 12 + 1), 0.0) for m in np.unique(months)])
        + extra
    )
    anomaly = level[month_idx] - month_mean[month_idx]
    # smooth the month steps with a 15-day running mean
    kernel = np.ones(15) / 15
    anomaly = np.convolve(np.pad(anomaly, 7, mode="edge"), kernel, mode="valid")
    wet = np.zeros(n, dtype=bool)
    u = rng.random(n)
    for i in range(1, n):
        p = 0.62 if wet[i - 1] else 0.30
        wet[i] = u[i] < min(0.95, p * np.sqrt(wet_boost[i]))
    amount = rng.gamma(0.8, 5.5, n) * wet * wet_boost
    tmax = clim + anomaly + noise - 1.2 * wet
    dtr = 7.6 - 2.0 * season + rng.normal(0, 1.4, n) - 2.0 * wet
    dtr = np.clip(dtr, 1.0, 16.0)
    tmin = tmax - dtr
    return {
        "date": dates,
        "tmax_c": np.round(tmax, 1),
        "tmean_c": np.round((tmax + tmin) / 2, 1),
        "tmin_c": np.round(tmin, 1),
        "precip_mm": np.round(amount, 1),
    }


def build_calendar(weather: dict[str, np.ndarray]) -> Calendar:
    """Daily factors the mechanisms read, from the weather and the dated policy periods."""
    dates = weather["date"]
    pubs = np.ones(len(dates))
    for start, end, level in PUBS_SHUT:
        sel = (dates >= np.datetime64(start)) & (dates <= np.datetime64(end))
        pubs[sel] = level
    lockdown = np.zeros(len(dates), dtype=bool)
    for _, start, end in LOCKDOWNS:
        lockdown |= (dates >= np.datetime64(start)) & (dates <= np.datetime64(end))
    release = np.ones(len(dates))
    for start, end, level in RELEASE:
        sel = (dates >= np.datetime64(start)) & (dates <= np.datetime64(end))
        release[sel] = level
    recording = np.ones(len(dates))
    for start, end, level in RECORDING_GAPS:
        sel = (dates >= np.datetime64(start)) & (dates <= np.datetime64(end))
        recording[sel] = level
    return Calendar(
        dates=dates,
        tmax=weather["tmax_c"],
        tmean=weather["tmean_c"],
        tmin=weather["tmin_c"],
        precip=weather["precip_mm"],
        pubs_open=pubs,
        lockdown=lockdown,
        release=release,
        recording=recording,
    )


def periods_rows() -> dict[str, list]:
    """The three national lockdowns as rows of the ``periods`` table."""
    return {
        "name": [name for name, _, _ in LOCKDOWNS],
        "kind": ["lockdown"] * len(LOCKDOWNS),
        "start_date": [start for _, start, _ in LOCKDOWNS],
        "end_date": [end for _, _, end in LOCKDOWNS],
    }
