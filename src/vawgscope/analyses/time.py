"""Time: when in the day and the week crimes happen, by aoristic weight.

Each crime with an exact time spreads a weight of 1 over the hours from ``occurred_from`` to
``occurred_to`` in proportion to the minutes in each (:mod:`vawgscope.analyses.aoristic`);
windows over 7 days and rows whose time is known only to the day or month are left out of
every figure here, and counted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import time
from typing import Any

import ibis.expr.types as ir

from vawgscope.analyses import aoristic
from vawgscope.analyses.common import WEEKDAYS, rows, scalar, share
from vawgscope.analyses.finding import Finding, definition_of, not_available
from vawgscope.dataset import Dataset

#: What a time analysis needs when no crime has an exact time (e.g. month-level public data).
NEEDS_TIME: tuple[str, ...] = ("crimes.occurred_from (time of day)",)
#: Length of the ``peak_hours`` window, in hours.
PEAK_WINDOW_HOURS = 4
HOURS = range(24)
#: Weights are sums of fractions; equal weights are compared to this many decimals.
_TIE_DECIMALS = 9


@dataclass(frozen=True)
class Coverage:
    """How many in-scope crimes the time figures stand on and how many are left out."""

    crimes: int
    not_exact: int
    long_windows: int
    kept: int

    def as_figures(self) -> dict[str, int]:
        return {
            "crimes_in_scope": self.crimes,
            "crimes_used": self.kept,
            "left_out_not_exact_time": self.not_exact,
            "left_out_window_over_7_days": self.long_windows,
        }

    def left_out_words(self) -> str:
        return (
            f"{self.long_windows:,} crimes with windows over 7 days and {self.not_exact:,} "
            "without an exact time are left out"
        )


def coverage(ds: Dataset) -> Coverage:
    """Counts of in-scope crimes: all, not exact (day/month precision), long windows, kept."""
    counts = rows(aoristic.time_coverage(ds.crimes))[0]
    return Coverage(
        int(counts["crimes"]),
        int(counts["not_exact"]),
        int(counts["long_windows"]),
        int(counts["kept"]),
    )


def _clock(value: time) -> str:
    return value.isoformat(timespec="minutes")


def _group_grid(ds: Dataset) -> list[dict[str, Any]]:
    """Aoristic weight by offence group, weekday and hour, computed once per dataset."""
    table = ds.cached(
        "group_weight_grid", lambda: aoristic.weight_grid(ds.crimes, ("offence_group",))
    )
    return rows(table)


def nte_weights(ds: Dataset, start: time, end: time) -> ir.Table:
    """(crime_id, nte_weight) of :func:`aoristic.nte_weight` for the in-scope crimes, built
    once per dataset and window (the NTE share and the NTE location types share it)."""
    return ds.cached(
        f"nte_weight:{start}-{end}", lambda: aoristic.nte_weight(ds.crimes, start, end)
    )


def _full_grid(cells: Iterable[dict[str, Any]]) -> dict[tuple[int, int], float]:
    """All 7 × 24 weekday–hour cells, zero where no crime's window reaches."""
    grid = {(d, h): 0.0 for d in range(7) for h in HOURS}
    for cell in cells:
        grid[(int(cell["weekday"]), int(cell["hour"]))] += float(cell["weight"])
    return grid


def _tie_key(weight: float) -> float:
    return round(weight, _TIE_DECIMALS)


def _weekday_totals(grid: dict[tuple[int, int], float]) -> list[float]:
    return [sum(grid[(d, h)] for h in HOURS) for d in range(7)]


def _hour_totals(grid: dict[tuple[int, int], float]) -> list[float]:
    return [sum(grid[(d, h)] for d in range(7)) for h in HOURS]


def _window_totals(hours: list[float]) -> list[float]:
    """Weight in the 4-hour window starting at each hour h: h, h+1, h+2, h+3 (mod 24)."""
    return [sum(hours[(h + i) % 24] for i in range(PEAK_WINDOW_HOURS)) for h in HOURS]


def peak_weekday_of(grid: dict[tuple[int, int], float]) -> int:
    """The weekday (0 = Monday) with most weight; ties go to the earliest in the week."""
    totals = _weekday_totals(grid)
    return max(range(7), key=lambda d: (_tie_key(totals[d]), -d))


def peak_hours_of(grid: dict[tuple[int, int], float]) -> list[int]:
    """``[h, (h + 4) mod 24]`` for the 4-hour window with most weight; ties → earliest h."""
    windows = _window_totals(_hour_totals(grid))
    start = max(HOURS, key=lambda h: (_tie_key(windows[h]), -h))
    return [start, (start + PEAK_WINDOW_HOURS) % 24]


def _not_available(
    function: Callable[[Dataset], Finding], id: str, title: str, cover: Coverage
) -> Finding:
    keys = {
        "nte_share": ("nte_share",),
        "weekly_rhythm": ("peak_weekday", "peak_hours"),
    }.get(id, ())
    if cover.crimes == 0:
        needs: tuple[str, ...] = ("crimes (none in scope)",)
    elif cover.not_exact < cover.crimes:  # exact times exist, but every window is too long
        needs = ("crimes.occurred_to (a window of at most 7 days)",)
    else:
        needs = NEEDS_TIME
    return not_available(id, title, definition_of(function), needs, keys)


def nte_share(ds: Dataset) -> Finding:
    """Night-time-economy share of crime.

    Definition: the aoristic weight falling in the night-time-economy window (default
    18:00–06:00 every day, set by the ``nte_start``/``nte_end`` options; the window is
    ``[start, end)`` and wraps midnight when start > end) ÷ all weight, over in-scope crimes
    with an exact time (``time_precision`` exact or empty) and a window of at most 7 days.
    Each crime's weight of 1 is spread over the minutes from occurred_from to occurred_to, so
    a crime from 17:00 to 19:00 puts 0.5 in an 18:00–06:00 window; a zero-length window
    counts wholly in or out by its instant. Crimes left out (windows over 7 days; time known
    only to the day or month) are counted in the figures.

    Interval: Wilson score interval at ``options.confidence`` with the NTE weight as the
    count and the number of crimes used as n. A crime's NTE fraction lies in [0, 1], so its
    variance is at most p(1 − p); treating crimes as independent Bernoulli trials therefore
    gives an interval at least as wide as the weight share needs (conservative when many
    windows straddle a boundary). Assumes crimes are independent. Reference: Brown, Cai &
    DasGupta (2001), Statistical Science 16(2):101-133; aoristic weights: Ratcliffe (2002),
    Journal of Quantitative Criminology 18(1):23-43.
    """
    title = "Night-time-economy share"
    start, end = ds.options.nte_start, ds.options.nte_end
    cover = coverage(ds)
    if cover.kept == 0:
        return _not_available(nte_share, "nte_share", title, cover)
    weights = nte_weights(ds, start, end)
    nte = float(scalar(weights.nte_weight.sum()))
    estimate = share(nte, cover.kept, ds.options.confidence)
    window = f"{_clock(start)} and {_clock(end)}"
    return Finding(
        id="nte_share",
        title=title,
        definition=definition_of(nte_share),
        summary=(
            f"{estimate['estimate']:.1%} of the crimes' time falls between {window} "
            f"(95% CI {estimate['low']:.1%}–{estimate['high']:.1%}, {cover.kept:,} crimes; "
            f"{cover.left_out_words()})."
        ),
        figures={
            "nte_share": estimate,
            "nte_weight": nte,
            "all_weight": float(cover.kept),
            "nte_window": [_clock(start), _clock(end)],
            "interval_method": "wilson, crimes as trials",
            **cover.as_figures(),
        },
        headlines={"nte_share": estimate["estimate"]},
    )


def _grid_table(grid: dict[tuple[int, int], float], total: float) -> list[dict[str, Any]]:
    return [
        {
            "weekday": d,
            "weekday_name": WEEKDAYS[d],
            "hour": h,
            "weight": grid[(d, h)],
            "share": grid[(d, h)] / total if total else 0.0,
        }
        for d in range(7)
        for h in HOURS
    ]


def weekly_rhythm(ds: Dataset) -> Finding:
    """Peak weekday and peak hours.

    Definition: aoristic weight of in-scope crimes with an exact time and a window of at most
    7 days, by weekday (Monday first) and hour of the day. ``peak_weekday`` is the weekday
    name with most weight; ``peak_hours`` is ``[h, (h + 4) mod 24]`` for the 4-hour window of
    the day (hours h to h + 3, possibly crossing midnight) with most weight, summed over all
    weekdays. Ties go to the earliest weekday (Monday first) and the earliest h; weights equal
    to 9 decimals are ties.

    Interval: the share of weight in the peak weekday and in the peak 4-hour window carry
    Wilson intervals with the crimes used as n (conservative, as for ``nte_share``). The
    peaks themselves are the observed maxima; no test that they differ from the runners-up.
    """
    title = "When in the week crimes happen"
    cover = coverage(ds)
    if cover.kept == 0:
        return _not_available(weekly_rhythm, "weekly_rhythm", title, cover)
    grid = _full_grid(_group_grid(ds))
    total = float(cover.kept)
    weekdays, hours = _weekday_totals(grid), _hour_totals(grid)
    windows = _window_totals(hours)
    day = peak_weekday_of(grid)
    peak = peak_hours_of(grid)
    confidence = ds.options.confidence
    window_share = share(windows[peak[0]], cover.kept, confidence)
    return Finding(
        id="weekly_rhythm",
        title=title,
        definition=definition_of(weekly_rhythm),
        summary=(
            f"{WEEKDAYS[day]} carries the most crime ({weekdays[day] / total:.1%} of the week's "
            f"weight) and {peak[0]:02d}:00–{peak[1]:02d}:00 is the busiest 4-hour window "
            f"({window_share['estimate']:.1%}), over {cover.kept:,} crimes with exact times."
        ),
        figures={
            "peak_weekday_share": share(weekdays[day], cover.kept, confidence),
            "peak_hours_share": window_share,
            **cover.as_figures(),
        },
        tables={
            "weekday_hour": _grid_table(grid, total),
            "weekdays": [
                {"weekday": d, "weekday_name": WEEKDAYS[d], "weight": w, "share": w / total}
                for d, w in enumerate(weekdays)
            ],
            "hours": [{"hour": h, "weight": w, "share": w / total} for h, w in enumerate(hours)],
            "four_hour_windows": [
                {"from": h, "to": (h + PEAK_WINDOW_HOURS) % 24, "weight": w, "share": w / total}
                for h, w in enumerate(windows)
            ],
        },
        headlines={"peak_weekday": WEEKDAYS[day], "peak_hours": peak},
    )


def _group_summary(
    ds: Dataset, grids: dict[str, dict[tuple[int, int], float]]
) -> list[dict[str, Any]]:
    crimes = ds.crimes.select("crime_id", "offence_group")
    nte = nte_weights(ds, ds.options.nte_start, ds.options.nte_end)
    joined = nte.join(crimes, "crime_id")
    per_group = joined.group_by("offence_group").aggregate(
        crimes_used=joined.count(), nte_weight=joined.nte_weight.sum()
    )
    summary = []
    for row in sorted(rows(per_group), key=lambda r: r["offence_group"]):
        group, n = row["offence_group"], int(row["crimes_used"])
        nte = share(float(row["nte_weight"]), n, ds.options.confidence)
        summary.append(
            {
                "offence_group": group,
                "crimes_used": n,
                "nte_share": nte["estimate"],
                "nte_low": nte["low"],
                "nte_high": nte["high"],
                "peak_weekday": WEEKDAYS[peak_weekday_of(grids[group])],
                "peak_hours": peak_hours_of(grids[group]),
            }
        )
    return summary


def weekly_rhythm_by_group(ds: Dataset) -> Finding:
    """When in the week each offence group happens.

    Definition: for each offence group, the aoristic weight of its in-scope crimes (exact
    time, window of at most 7 days) in each of the 7 × 24 weekday–hour cells, with the
    group's night-time-economy share (window from the options), peak weekday and peak 4-hour
    window defined exactly as for the headlines.

    Interval: each group's NTE share carries a Wilson interval with the group's crimes used
    as n (conservative, as for ``nte_share``).
    """
    title = "When in the week each offence group happens"
    cover = coverage(ds)
    if cover.kept == 0:
        return _not_available(weekly_rhythm_by_group, "weekly_rhythm_by_group", title, cover)
    cells = _group_grid(ds)
    groups = sorted({c["offence_group"] for c in cells})
    grids = {g: _full_grid(c for c in cells if c["offence_group"] == g) for g in groups}
    summary = _group_summary(ds, grids)
    table = []
    for group in groups:
        total = sum(grids[group].values())
        table += [{"offence_group": group, **row} for row in _grid_table(grids[group], total)]
    night = max(summary, key=lambda r: (r["nte_share"], r["offence_group"]))
    return Finding(
        id="weekly_rhythm_by_group",
        title=title,
        definition=definition_of(weekly_rhythm_by_group),
        summary=(
            f"Of {len(groups)} offence group(s), {night['offence_group']} happens most at night "
            f"({night['nte_share']:.1%} of its time between {_clock(ds.options.nte_start)} and "
            f"{_clock(ds.options.nte_end)})."
        ),
        figures={"groups": len(groups), **cover.as_figures()},
        tables={"group_summary": summary, "weekday_hour_by_group": table},
    )


ANALYSES: tuple[Callable[[Dataset], Finding], ...] = (
    nte_share,
    weekly_rhythm,
    weekly_rhythm_by_group,
)
