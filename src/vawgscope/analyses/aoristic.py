"""Aoristic weights: each crime's weight of 1 spread over the hours its time window covers.

A crime known only to lie between ``occurred_from`` and ``occurred_to`` is counted in every
hour of that window in proportion to the minutes of the window falling in that hour
(Ratcliffe 2002, "Aoristic signatures and the spatio-temporal analysis of high volume crime
patterns", Journal of Quantitative Criminology 18(1):23-43). Windows of up to 7 days, the
7 days included, are kept; longer ones say almost nothing about the time of day and are left
out of time analyses (and counted). Only rows with ``time_precision`` ``exact`` (or empty,
the contract's default) are used: a date known to the day or month has no time of day.

Everything runs in the engine, with windows as epoch seconds (the same proportions as
minutes, and exact for times given to the second). The per-crime hour weights
(:func:`hour_weights`) expand each crime with an ``unnest`` of its clock hours (at most 169
for a 7-day window starting part-way through an hour). The profile's figures need no
expansion: in the weekday × hour grid every whole hour inside a window carries the same
weight, so each crime adds a few steps on the weekly cycle of cells and a running sum gives
the cells (:func:`weight_grid`); the night-time-economy share is the NTE seconds up to the
window's end less those up to its start (:func:`nte_weight`). Times are local clock times as
recorded (Europe/London), taken without time-zone arithmetic: an hour repeated or skipped by
a clock change counts as the clock shows it.
"""

from __future__ import annotations

import datetime

import ibis
import ibis.expr.types as ir

#: The longest window kept in time analyses, in seconds (7 days exactly is kept).
MAX_WINDOW_SECONDS = 7 * 24 * 3600
_HOUR = 3600
_DAY = 24 * _HOUR
#: 1970-01-01, day 0 of the epoch, was a Thursday (weekday 3 with Monday = 0).
_EPOCH_WEEKDAY = 3
#: Hours in a week: the weekday × hour cells.
_WEEK_HOURS = 7 * 24

__all__ = [
    "MAX_WINDOW_SECONDS",
    "excluded_long_windows",
    "hour_weights",
    "nte_intervals",
    "nte_weight",
    "time_coverage",
    "weight_grid",
]


def _exact(crimes: ir.Table, keep: tuple[str, ...] = ()) -> ir.Table:
    """Crimes whose times are known to the minute, with their window in epoch seconds."""
    exact = crimes.filter(crimes.time_precision.fill_null("exact") == "exact")
    start = exact.occurred_from.epoch_seconds().cast("int64")
    end = exact.occurred_to.fill_null(exact.occurred_from).epoch_seconds().cast("int64")
    return exact.select("crime_id", *keep, start_s=start, end_s=end, duration_s=end - start)


def _kept(crimes: ir.Table, keep: tuple[str, ...] = ()) -> ir.Table:
    exact = _exact(crimes, keep)
    return exact.filter((exact.duration_s >= 0) & (exact.duration_s <= MAX_WINDOW_SECONDS))


def _spans(crimes: ir.Table, keep: tuple[str, ...] = ()) -> ir.Table:
    """Kept crimes with their window in epoch seconds and its first and last clock hour
    (hours since the epoch)."""
    kept = _kept(crimes, keep)
    first_hour = (kept.start_s / _HOUR).floor().cast("int64")
    # The last hour with a positive overlap: a window ending on the hour does not reach into
    # the next; a zero-length window stays in its own hour.
    last_hour = ibis.greatest(first_hour, (kept.end_s / _HOUR).ceil().cast("int64") - 1)
    return kept.select(
        "crime_id",
        *keep,
        "start_s",
        "end_s",
        "duration_s",
        first_hour=first_hour,
        last_hour=last_hour,
    )


def _seconds(start_s: ir.IntegerValue, end_s: ir.IntegerValue, hour: ir.IntegerValue) -> ir.Value:
    """Seconds of the window [start_s, end_s) inside clock hour ``hour``, as a float."""
    hour_start = hour * _HOUR
    inside = ibis.least(end_s, hour_start + _HOUR) - ibis.greatest(start_s, hour_start)
    return inside.cast("float64")


def _modulo(value: ir.IntegerValue, divisor: int) -> ir.IntegerValue:
    """``value`` mod ``divisor`` in ``[0, divisor)``, for times before 1970 too (the engines'
    ``%`` keeps the sign of a negative value)."""
    return (value % divisor + divisor) % divisor


def _week_cell(hour: ir.IntegerValue) -> ir.IntegerValue:
    """The weekday × hour cell (weekday × 24 + hour, Monday 00:00 = 0) of a clock hour."""
    return _modulo(hour + _EPOCH_WEEKDAY * 24, _WEEK_HOURS)


def _hour_pieces(crimes: ir.Table) -> ir.Table:
    """One row per kept crime and clock hour its window touches: ``crime_id``, ``hour_index``
    (hours since the epoch) and ``weight`` (the seconds of the window in that hour ÷ the
    window's length; 1 for a zero-length window, which sits in the hour of its instant)."""
    spans = _spans(crimes)
    # The unnest stands alone in its select (Spark allows no generator inside an expression).
    offsets = spans.select(
        "crime_id",
        "start_s",
        "end_s",
        "duration_s",
        "first_hour",
        offset=ibis.range(0, spans.last_hour - spans.first_hour + 1).unnest(),
    )
    hour = offsets.first_hour + offsets.offset
    weight = ibis.ifelse(
        offsets.duration_s == 0,
        1.0,
        _seconds(offsets.start_s, offsets.end_s, hour) / offsets.duration_s.cast("float64"),
    )
    return offsets.select("crime_id", hour_index=hour, weight=weight)


def hour_weights(crimes: ir.Table) -> ir.Table:
    """(crime_id, weekday 0=Monday..6, hour 0..23, weight) for every crime with
    time_precision 'exact' whose window (occurred_from .. occurred_to) is at most 7 days; each
    crime's weights sum to 1, spread over the hours covered in proportion to the minutes in
    each (a zero-length window puts 1 in its hour). Windows of exactly 7 days are kept;
    longer ones are left out.

    A window that covers the same weekday and hour twice (a 7-day window starting part-way
    through an hour) has one row for it, with both pieces' weight.
    """
    pieces = _hour_pieces(crimes)
    day_index = (pieces.hour_index / 24).floor().cast("int64")
    located = pieces.select(
        "crime_id",
        "weight",
        weekday=_modulo(day_index + _EPOCH_WEEKDAY, 7).cast("int8"),
        hour=_modulo(pieces.hour_index, 24).cast("int8"),
    )
    return located.group_by(["crime_id", "weekday", "hour"]).aggregate(weight=located.weight.sum())


def weight_grid(crimes: ir.Table, by: tuple[str, ...] = ()) -> ir.Table:
    """(*by, weekday, hour, weight): the aoristic weight of :func:`hour_weights` summed over
    crimes into the 7 × 24 weekday × hour cells (and ``by`` columns of the crime); every
    cell is present, zero where no window reaches.

    The same sums as grouping the hour pieces, in work that grows with the crimes rather
    than with the hours their windows cover. A crime's first and last hours hold partial
    pieces; every hour between them holds the same weight, 3600 s ÷ its window, and covers
    fewer than 168 consecutive cells of the week (a window is at most 7 days), so that run
    is written as a +weight where it starts and a −weight where it ends on the weekly cycle
    of cells, and a running sum over the week's cells turns those steps back into weights.
    """
    spans = _spans(crimes, by)
    cell = _week_cell
    first = spans.select(
        *by,
        cell=cell(spans.first_hour),
        weight=ibis.ifelse(
            spans.duration_s == 0,
            1.0,
            _seconds(spans.start_s, spans.end_s, spans.first_hour) / spans.duration_s,
        ),
        step=0.0,
    )
    split = spans.filter(spans.last_hour > spans.first_hour)
    last = split.select(
        *by,
        cell=cell(split.last_hour),
        weight=_seconds(split.start_s, split.end_s, split.last_hour) / split.duration_s,
        step=0.0,
    )
    between = split.filter(split.last_hour - split.first_hour >= 2)
    rate = _HOUR / between.duration_s.cast("float64")
    begins = cell(between.first_hour + 1)
    ends = begins + (between.last_hour - between.first_hour - 1)
    wraps = between.filter(ends >= _WEEK_HOURS)
    pieces = ibis.union(
        first,
        last,
        between.select(*by, cell=begins, weight=0.0, step=rate),
        between.select(*by, cell=_modulo(ends, _WEEK_HOURS), weight=0.0, step=-rate),
        # A run that passes the end of Sunday carries on from Monday 00:00.
        wraps.select(
            *by,
            cell=ibis.literal(0, "int64"),
            weight=0.0,
            step=_HOUR / wraps.duration_s.cast("float64"),
        ),
        distinct=False,
    )
    summed = pieces.group_by([*by, "cell"]).aggregate(
        weight=pieces.weight.sum(), step=pieces.step.sum()
    )
    week = ibis.memtable({"cell": list(range(_WEEK_HOURS))}, schema={"cell": "int64"})
    groups = summed.select(*by).distinct() if by else None
    full = week if groups is None else groups.cross_join(week)
    keys = [*by, "cell"]
    filled = full.left_join(summed, keys).select(
        *keys,
        weight=ibis.coalesce(summed.weight, 0.0),
        step=ibis.coalesce(summed.step, 0.0),
    )
    running = filled.step.sum().over(
        ibis.window(group_by=list(by), order_by="cell", rows=(None, 0))
    )
    return filled.select(
        *by,
        weekday=(filled.cell // 24).cast("int8"),
        hour=(filled.cell % 24).cast("int8"),
        weight=filled.weight + running,
    )


def _clock_seconds(value: datetime.time) -> int:
    return value.hour * _HOUR + value.minute * 60 + value.second


def nte_intervals(start: datetime.time, end: datetime.time) -> list[tuple[int, int]]:
    """The night-time-economy window as half-open intervals of seconds since midnight.

    ``[start, end)`` every day; when ``start > end`` the window wraps midnight and is
    ``[start, 24:00) ∪ [00:00, end)``. ``start == end`` is refused: it could mean no time or
    all day.
    """
    s, e = _clock_seconds(start), _clock_seconds(end)
    if s == e:
        raise ValueError(
            f"the night-time-economy window starts and ends at {start.isoformat('minutes')}; "
            "give two different times (it may wrap midnight, e.g. 18:00 to 06:00)"
        )
    return [(s, e)] if s < e else [(s, _DAY), (0, e)]


def nte_weight(crimes: ir.Table, start: datetime.time, end: datetime.time) -> ir.Table:
    """(crime_id, nte_weight): the share of each kept crime's weight inside the
    night-time-economy window [start, end) every day; the window wraps midnight when
    start > end.

    The share is the seconds of the crime's window that fall inside the NTE window ÷ the
    window's length, exact to the second, so a boundary such as 18:30 splits its hour (the
    same as summing the hour pieces' overlaps, without making them). A zero-length window
    counts 1 when its instant lies in ``[start, end)`` and 0 otherwise. Raises
    ``ValueError`` when ``start == end``.
    """
    intervals = nte_intervals(start, end)
    kept = _kept(crimes)
    inside: ir.IntegerValue = ibis.literal(0, "int64")
    at_instant: ir.BooleanValue = ibis.literal(False)
    for low, high in intervals:
        inside = inside + _daily_seconds(kept.end_s, low, high)
        inside = inside - _daily_seconds(kept.start_s, low, high)
        clock = kept.start_s - _day_of(kept.start_s) * _DAY
        at_instant = at_instant | ((clock >= low) & (clock < high))
    share = ibis.ifelse(
        kept.duration_s == 0,
        at_instant.cast("float64"),
        inside.cast("float64") / kept.duration_s.cast("float64"),
    )
    return kept.select("crime_id", nte_weight=share)


def _day_of(seconds: ir.IntegerValue) -> ir.IntegerValue:
    """Days since the epoch of a time in epoch seconds."""
    return (seconds / _DAY).floor().cast("int64")


def _daily_seconds(seconds: ir.IntegerValue, low: int, high: int) -> ir.IntegerValue:
    """Seconds of the daily interval [low, high) (seconds since midnight) from the epoch up
    to ``seconds``: whole days each give high − low, and the last day its part before the
    time of day."""
    days = _day_of(seconds)
    clock = seconds - days * _DAY
    return days * (high - low) + ibis.greatest(ibis.least(clock, high) - low, 0)


def excluded_long_windows(crimes: ir.Table) -> ir.Scalar:
    """Count of exact crimes whose window is longer than 7 days (left out of time analyses)."""
    exact = _exact(crimes)
    return (exact.duration_s > MAX_WINDOW_SECONDS).sum().fill_null(0)


def time_coverage(crimes: ir.Table) -> ir.Table:
    """One row: ``crimes``, ``not_exact`` (time known to the day or month only),
    ``long_windows`` (exact, window over 7 days) and ``kept`` (exact, window of at most 7
    days: the crimes every aoristic figure stands on)."""
    exact = crimes.time_precision.fill_null("exact") == "exact"
    end = crimes.occurred_to.fill_null(crimes.occurred_from).epoch_seconds().cast("int64")
    duration = end - crimes.occurred_from.epoch_seconds().cast("int64")
    long = exact & (duration > MAX_WINDOW_SECONDS)
    kept = exact & (duration >= 0) & (duration <= MAX_WINDOW_SECONDS)
    return crimes.aggregate(
        crimes=crimes.count(),
        not_exact=(~exact).sum().fill_null(0),
        long_windows=long.sum().fill_null(0),
        kept=kept.sum().fill_null(0),
    )
