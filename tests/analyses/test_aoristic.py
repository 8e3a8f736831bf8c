"""Aoristic weights worked out by hand: midnight, week wrap, 7-day limit, NTE windows."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import ibis
import ibis.expr.types as ir
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from vawgscope.analyses.aoristic import (
    excluded_long_windows,
    hour_weights,
    nte_intervals,
    nte_weight,
    time_coverage,
    weight_grid,
)
from vawgscope.analyses.common import rows, scalar

D = datetime
# 2021-07-05 is a Monday (weekday 0); 2021-07-10 a Saturday; 2021-07-11 a Sunday.
MON, TUE, WED, SAT, SUN = 0, 1, 2, 5, 6


def crimes(*windows: tuple[str, datetime, datetime | None, str | None]) -> ir.Table:
    """A crimes table of (crime_id, occurred_from, occurred_to, time_precision)."""
    return ibis.memtable(
        {
            "crime_id": [w[0] for w in windows],
            "occurred_from": [w[1] for w in windows],
            "occurred_to": [w[2] for w in windows],
            "time_precision": [w[3] for w in windows],
        },
        schema={
            "crime_id": "string",
            "occurred_from": "timestamp",
            "occurred_to": "timestamp",
            "time_precision": "string",
        },
    )


def cells(table: ir.Table, crime_id: str) -> dict[tuple[int, int], float]:
    weights = hour_weights(table)
    return {
        (r["weekday"], r["hour"]): r["weight"]
        for r in rows(weights.filter(weights.crime_id == crime_id))
    }


def nte(table: ir.Table, start: time, end: time) -> dict[str, float]:
    return {r["crime_id"]: r["nte_weight"] for r in rows(nte_weight(table, start, end))}


def test_window_across_midnight_splits_between_two_weekdays() -> None:
    # Saturday 23:30 to Sunday 00:30: 30 of 60 minutes on each side of midnight.
    table = crimes(("A", D(2021, 7, 10, 23, 30), D(2021, 7, 11, 0, 30), "exact"))
    assert cells(table, "A") == {(SAT, 23): 0.5, (SUN, 0): 0.5}
    assert nte(table, time(18), time(6)) == {"A": 1.0}
    # 00:00-00:15 catches 15 of the 60 minutes.
    assert nte(table, time(0), time(0, 15)) == {"A": pytest.approx(0.25)}


def test_window_across_sunday_to_monday_wraps_the_week() -> None:
    # Sunday 22:00 to Monday 02:00: four whole hours, 1/4 each.
    table = crimes(("B", D(2021, 7, 11, 22), D(2021, 7, 12, 2), "exact"))
    assert cells(table, "B") == {(SUN, 22): 0.25, (SUN, 23): 0.25, (MON, 0): 0.25, (MON, 1): 0.25}


def test_window_of_exactly_seven_days_is_kept_with_one_168th_per_hour() -> None:
    # Starting half-way through an hour, the window touches 169 clock hours; Monday 10:00
    # gets 30 minutes at each end: 60 / 10,080 = 1/168 like every other hour.
    for start in (D(2021, 7, 5, 10), D(2021, 7, 5, 10, 30)):
        table = crimes(("W", start, start.replace(day=12), "exact"))
        weights = cells(table, "W")
        assert len(weights) == 168
        assert all(w == pytest.approx(1 / 168) for w in weights.values())
        assert scalar(excluded_long_windows(table)) == 0


def test_window_one_minute_over_seven_days_is_left_out_and_counted() -> None:
    table = crimes(
        ("L", D(2021, 7, 5, 10), D(2021, 7, 12, 10, 1), "exact"),
        ("K", D(2021, 7, 5, 10), D(2021, 7, 5, 11), "exact"),
    )
    assert rows(hour_weights(table).select("crime_id").distinct()) == [{"crime_id": "K"}]
    assert scalar(excluded_long_windows(table)) == 1
    assert set(nte(table, time(18), time(6))) == {"K"}


def test_zero_length_window_puts_all_its_weight_in_its_hour() -> None:
    # Tuesday 14:59 exactly (occurred_to empty, as the contract allows).
    table = crimes(
        ("Z", D(2021, 7, 6, 14, 59), None, "exact"),
        ("N", D(2021, 7, 6, 18, 0), D(2021, 7, 6, 18, 0), "exact"),
    )
    assert cells(table, "Z") == {(TUE, 14): 1.0}
    # An instant counts wholly in or out: 18:00 is inside [18:00, 06:00), 14:59 is not.
    assert nte(table, time(18), time(6)) == {"Z": 0.0, "N": 1.0}


def test_window_ending_on_the_hour_does_not_reach_into_the_next() -> None:
    table = crimes(("H", D(2021, 7, 7, 17), D(2021, 7, 7, 19), "exact"))
    assert cells(table, "H") == {(WED, 17): 0.5, (WED, 18): 0.5}


def test_nte_window_that_does_not_wrap_and_one_cut_inside_an_hour() -> None:
    table = crimes(
        ("A", D(2021, 7, 7, 19), D(2021, 7, 7, 21), "exact"),  # 19:00-21:00
        ("B", D(2021, 7, 7, 22), D(2021, 7, 8, 2), "exact"),  # 22:00-02:00
        ("C", D(2021, 7, 7, 17), D(2021, 7, 7, 19), "exact"),  # 17:00-19:00
    )
    # 20:00-23:00: A has 60 of 120 minutes; B 60 of 240; C none.
    assert nte(table, time(20), time(23)) == pytest.approx({"A": 0.5, "B": 0.25, "C": 0.0})
    # 18:30-06:00 wraps and splits the 18:00 hour: C has 30 of 120 minutes inside.
    assert nte(table, time(18, 30), time(6)) == pytest.approx({"A": 1.0, "B": 1.0, "C": 0.25})
    # A multi-day window: 08:00 Mon to 08:00 Wed is two whole days; 18:00-06:00 is half.
    week = crimes(("M", D(2021, 7, 5, 8), D(2021, 7, 7, 8), "exact"))
    assert nte(week, time(18), time(6)) == {"M": pytest.approx(0.5)}


def test_rows_without_an_exact_time_are_skipped() -> None:
    table = crimes(
        ("E", D(2021, 7, 6, 9), D(2021, 7, 6, 10), "exact"),
        ("U", D(2021, 7, 6, 9), D(2021, 7, 6, 10), None),  # empty means exact (contract)
        ("Y", D(2021, 7, 6), D(2021, 7, 6), "day"),
        ("M", D(2021, 7, 1), D(2021, 7, 1), "month"),
        ("X", D(2021, 7, 1), D(2021, 7, 20), "exact"),  # 19 days: too long
    )
    kept = {r["crime_id"] for r in rows(hour_weights(table).select("crime_id").distinct())}
    assert kept == {"E", "U"}
    assert rows(time_coverage(table)) == [
        {"crimes": 5, "not_exact": 2, "long_windows": 1, "kept": 2}
    ]


def test_every_crime_weighs_one() -> None:
    table = crimes(
        ("P", D(2021, 7, 5, 9, 17), D(2021, 7, 8, 3, 41), "exact"),
        ("Q", D(2021, 7, 9, 23, 59), D(2021, 7, 10, 0, 1), "exact"),
    )
    weights = hour_weights(table)
    totals = rows(weights.group_by("crime_id").aggregate(w=weights.weight.sum()))
    assert {r["crime_id"]: r["w"] for r in totals} == pytest.approx({"P": 1.0, "Q": 1.0})


def test_nte_window_of_no_length_is_refused() -> None:
    assert nte_intervals(time(18), time(6)) == [(64_800, 86_400), (0, 21_600)]
    with pytest.raises(ValueError, match="starts and ends at 18:00"):
        nte_intervals(time(18), time(18))


def _grid_by_pieces(table: ir.Table) -> dict[tuple[str, int, int], float]:
    """The weekday × hour sums straight from the per-crime hour weights."""
    weights = hour_weights(table).join(table.select("crime_id", "offence_group"), "crime_id")
    summed = weights.group_by(["offence_group", "weekday", "hour"]).aggregate(
        w=weights.weight.sum()
    )
    return {(r["offence_group"], r["weekday"], r["hour"]): r["w"] for r in rows(summed)}


@settings(max_examples=60, deadline=None)
# A 7-day window from Monday 00:00:01, whose run of whole hours passes the end of Sunday.
@example(windows=[(1, 7 * 24 * 3600, "rape")])
@given(
    windows=st.lists(
        st.tuples(
            st.integers(0, 14 * 24 * 3600),  # start, seconds after Monday 2021-07-05 00:00
            st.one_of(st.just(0), st.integers(0, 7 * 24 * 3600 + 7200)),  # length
            st.sampled_from(["rape", "stalking"]),
        ),
        min_size=1,
        max_size=12,
    )
)
def test_weight_grid_equals_the_sum_of_hour_weights(
    windows: list[tuple[int, int, str]],
) -> None:
    # Windows of every length up to just over 7 days (those over 7 days are left out by
    # both), starting anywhere in two weeks, so runs wrap past Sunday 24:00 and cross hours.
    monday = D(2021, 7, 5)
    table = ibis.memtable(
        {
            "crime_id": [f"C{i}" for i in range(len(windows))],
            "occurred_from": [monday + timedelta(seconds=s) for s, _, _ in windows],
            "occurred_to": [monday + timedelta(seconds=s + n) for s, n, _ in windows],
            "time_precision": ["exact"] * len(windows),
            "offence_group": [g for _, _, g in windows],
        },
        schema={
            "crime_id": "string",
            "occurred_from": "timestamp",
            "occurred_to": "timestamp",
            "time_precision": "string",
            "offence_group": "string",
        },
    )
    grid = {
        (r["offence_group"], r["weekday"], r["hour"]): r["weight"]
        for r in rows(weight_grid(table, ("offence_group",)))
    }
    expected = _grid_by_pieces(table)
    groups = {g for g, _, _ in grid}
    assert groups == {g for g, _, _ in expected}
    assert len(grid) == 168 * len(groups)  # every cell, zero where no window reaches
    for key, weight in grid.items():
        assert weight == pytest.approx(expected.get(key, 0.0), abs=1e-9)


def test_weight_grid_of_a_window_across_sunday_midnight() -> None:
    # Sunday 22:30 to Monday 01:30 (3 h): 1/6 at Sun 22, 1/3 at Sun 23 and Mon 00, 1/6 at
    # Mon 01; the run between first and last hour wraps the end of the week.
    table = crimes(("W", D(2021, 7, 11, 22, 30), D(2021, 7, 12, 1, 30), "exact"))
    grid = {(r["weekday"], r["hour"]): r["weight"] for r in rows(weight_grid(table))}
    nonzero = {k: v for k, v in grid.items() if abs(v) > 1e-12}
    assert nonzero == pytest.approx(
        {(SUN, 22): 1 / 6, (SUN, 23): 1 / 3, (MON, 0): 1 / 3, (MON, 1): 1 / 6}
    )


def _nte_by_days(start_s: int, length: int, low: int, high: int) -> float:
    """The NTE share worked out day by day: the window's overlap with [low, high) (seconds
    since midnight, wrapping midnight when low > high) on each day it touches."""
    parts = [(low, high)] if low < high else [(low, 86_400), (0, high)]
    end_s = start_s + length
    if length == 0:
        clock = start_s % 86_400
        return float(any(a <= clock < b for a, b in parts))
    inside = 0
    for day in range(start_s // 86_400, end_s // 86_400 + 1):
        for a, b in parts:
            inside += max(0, min(end_s, day * 86_400 + b) - max(start_s, day * 86_400 + a))
    return inside / length


@settings(max_examples=60, deadline=None)
@example(windows=[(64_800, 7 * 24 * 3600)], minutes=(18 * 60, 6 * 60))  # 7 days from Thu 18:00
@given(
    windows=st.lists(
        st.tuples(st.integers(0, 14 * 24 * 3600), st.integers(0, 7 * 24 * 3600)),
        min_size=1,
        max_size=8,
    ),
    minutes=st.tuples(st.integers(0, 24 * 60 - 1), st.integers(0, 24 * 60 - 1)).filter(
        lambda t: t[0] != t[1]
    ),
)
def test_nte_weight_equals_the_overlap_worked_out_day_by_day(
    windows: list[tuple[int, int]], minutes: tuple[int, int]
) -> None:
    # Windows up to 7 days from any second of two weeks, against NTE windows on any minute
    # boundary, wrapping midnight or not.
    epoch = D(1970, 1, 1)
    first = int((D(2021, 7, 5) - epoch).total_seconds())
    table = crimes(
        *(
            (
                f"C{i}",
                D(2021, 7, 5) + timedelta(seconds=s),
                D(2021, 7, 5) + timedelta(seconds=s + n),
                "exact",
            )
            for i, (s, n) in enumerate(windows)
        )
    )
    low, high = minutes[0] * 60, minutes[1] * 60
    got = nte(table, time(*divmod(minutes[0], 60)), time(*divmod(minutes[1], 60)))
    expected = {f"C{i}": _nte_by_days(first + s, n, low, high) for i, (s, n) in enumerate(windows)}
    assert got == pytest.approx(expected, abs=1e-12)


def test_times_before_1970_fall_in_the_right_weekday_and_hour() -> None:
    # A non-recent offence: Monday 5 July 1965, 22:30 to 23:30 (before the epoch, where the
    # engines' % would give negative cells).
    table = crimes(("O", D(1965, 7, 5, 22, 30), D(1965, 7, 5, 23, 30), "exact"))
    assert cells(table, "O") == {(MON, 22): 0.5, (MON, 23): 0.5}
    grid = {(r["weekday"], r["hour"]): r["weight"] for r in rows(weight_grid(table))}
    assert {k: v for k, v in grid.items() if v} == {(MON, 22): 0.5, (MON, 23): 0.5}
    assert nte(table, time(18), time(6)) == {"O": 1.0}
