"""Place: location types, home against street, non-domestic and fatal crimes at home, NTE hours
and victims' ages, on tiny datasets worked out by hand and on the demo world."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import crime, link, person, write_dataset
from vawgscope.analyses.place import (
    ANALYSES,
    fatal_or_near_fatal_location,
    location_types,
    location_types_by_victim_age,
    location_types_non_domestic,
    location_types_nte,
    ratio_interval,
)
from vawgscope.dataset import Dataset
from vawgscope.ingest import ingest


def _open(
    folder: Path,
    crimes: Sequence[dict[str, Any]],
    victims: dict[str, str] | None = None,
    *,
    crimes_only: bool = False,
) -> Dataset:
    """Ingest ``crimes``; each has victim V1 (born 1990, or ``victims[crime_id]``) and the
    man P1 (born 1980) as suspect, unless the dataset is crimes-only."""
    if crimes_only:
        write_dataset(folder / "d", crimes)
    else:
        victims = victims or {}
        persons = [person("V1", "F", 1990), person("P1", "M", 1980)]
        persons += [person(v, "F", v.split("-")[1]) for v in sorted(set(victims.values()))]
        links = []
        for c in crimes:
            victim = victims.get(c["crime_id"], "V1")
            links += [link(c["crime_id"], victim, "victim"), link(c["crime_id"], "P1", "suspect")]
        write_dataset(folder / "d", crimes, persons, links)
    ingest(folder / "d", folder / "s.duckdb")
    return Dataset.open(folder / "s.duckdb")


# Ten crimes:  6 at a dwelling (C1–C6), 2 in the street (S1, S2), 1 online (O1), 1 unknown (U1).
# Non-domestic: C5, C6, S1, O1 (domestic false)   -> 2 of 4 at home.
# Fatal or near-fatal: C1, C2, C3, S1             -> 3 of 4 at home.
PLACES = [
    crime("C1", location_type="dwelling", fatal_or_near_fatal="true"),
    crime("C2", location_type="dwelling", fatal_or_near_fatal="true"),
    crime("C3", location_type="dwelling", fatal_or_near_fatal="true"),
    crime("C4", location_type="dwelling"),
    crime("C5", location_type="dwelling", domestic="false"),
    crime("C6", location_type="dwelling", domestic="false"),
    crime("S1", location_type="street", domestic="false", fatal_or_near_fatal="true"),
    crime("S2", location_type="street"),
    crime("O1", location_type="online", domestic="false"),
    crime("U1", location_type="unknown"),
]


@pytest.fixture
def places(tmp_path: Path) -> Dataset:
    return _open(tmp_path, PLACES)


def test_home_to_street_ratio(places: Dataset) -> None:
    finding = location_types(places)
    # 6 at a dwelling ÷ 2 in the street = 3.0
    assert finding.headlines == {"home_to_street_ratio": 3.0}
    # Wilson 95% for p = 6/8 (z = 1.959964): centre (0.75 + z²/16) / (1 + z²/8) = 0.668898,
    # half-width z·sqrt(0.75·0.25/8 + z²/256) / (1 + z²/8) = 0.259623, so p in
    # [0.409275, 0.928521] and the ratio p / (1 − p) in [0.692836, 12.990081].
    interval = finding.figures["home_to_street_ratio"]
    assert interval["estimate"] == 3.0
    assert interval["low"] == pytest.approx(0.692836, rel=1e-5)
    assert interval["high"] == pytest.approx(12.990081, rel=1e-5)
    table = {r["location_type"]: r for r in finding.tables["location_types"]}
    assert [r["location_type"] for r in finding.tables["location_types"][:4]] == [
        "dwelling",
        "street",
        "online",  # 1 each: online before unknown, the vocabulary's order
        "unknown",
    ]
    # unknown stays in the denominator: 6 of 10
    assert table["dwelling"]["share"] == 0.6
    assert table["unknown"]["crimes"] == 1
    assert table["hotel"] == {
        "location_type": "hotel",
        "crimes": 0,
        "share": 0.0,
        "low": 0.0,
        "high": pytest.approx(0.2775328, rel=1e-5),  # Wilson upper bound of 0/10: z²/(10 + z²)
    }


def test_home_share_excluding_domestic(places: Dataset) -> None:
    finding = location_types_non_domestic(places)
    # non-domestic: C5, C6 (dwelling), S1 (street), O1 (online) -> 2 / 4
    assert finding.headlines == {"home_share_excluding_domestic": 0.5}
    assert finding.figures["non_domestic"] == 4
    assert finding.figures["domestic_flag_missing"] == 0


def test_fatal_or_near_fatal_home_share(places: Dataset) -> None:
    finding = fatal_or_near_fatal_location(places)
    # flagged: C1, C2, C3 (dwelling), S1 (street) -> 3 / 4; unflagged rows default to false
    assert finding.headlines == {"fatal_or_near_fatal_home_share": 0.75}
    table = finding.tables["location_types_fatal_or_near_fatal"]
    assert [(r["location_type"], r["crimes"]) for r in table[:2]] == [
        ("dwelling", 3),
        ("street", 1),
    ]


def test_no_street_crimes_gives_no_ratio(tmp_path: Path) -> None:
    ds = _open(tmp_path, [crime("C1"), crime("C2", location_type="online")])
    finding = location_types(ds)
    assert finding.status == "ok"
    assert finding.headlines == {"home_to_street_ratio": None}
    assert finding.figures["reason"] == "no crimes in the street"
    assert "No in-scope crime is in the street" in finding.summary


def test_ratio_interval_edges() -> None:
    assert ratio_interval(5, 0) is None
    # no home crimes: estimate 0, low 0; the upper bound stays finite
    zero = ratio_interval(0, 4)
    assert zero is not None and zero["estimate"] == 0.0 and zero["low"] == 0.0
    assert zero["high"] is not None and zero["high"] > 0


def test_no_fatal_crimes_gives_no_share(tmp_path: Path) -> None:
    ds = _open(tmp_path, [crime("C1"), crime("S1", location_type="street")])
    finding = fatal_or_near_fatal_location(ds)
    assert finding.status == "ok"
    assert finding.headlines == {"fatal_or_near_fatal_home_share": None}


def test_domestic_null_is_left_out_and_counted(tmp_path: Path) -> None:
    # A crimes-only dataset may leave `domestic` empty: N1 and N2 are in neither count.
    # Non-domestic: D1 (dwelling), S1 (street), S2 (street) -> 1 / 3.
    crimes = [
        crime("D1", domestic="false"),
        crime("S1", domestic="false", location_type="street"),
        crime("S2", domestic="false", location_type="street"),
        crime("N1", domestic=""),
        crime("N2", domestic="", location_type="street"),
        crime("T1", domestic="true"),
    ]
    ds = _open(tmp_path, crimes, crimes_only=True)
    finding = location_types_non_domestic(ds)
    assert finding.headlines["home_share_excluding_domestic"] == pytest.approx(1 / 3)
    assert finding.figures["domestic_flag_missing"] == 2
    assert "2 crimes with no domestic flag are left out" in finding.summary


def test_domestic_never_given_is_not_available(tmp_path: Path) -> None:
    ds = _open(tmp_path, [crime("C1", domestic="")], crimes_only=True)
    finding = location_types_non_domestic(ds)
    assert finding.status == "not_available"
    assert finding.needs == ("crimes.domestic",)
    assert finding.headlines == {"home_share_excluding_domestic": None}


def test_unknown_locations_are_not_available(tmp_path: Path) -> None:
    ds = _open(tmp_path, [crime("C1", location_type="unknown")], crimes_only=True)
    for analysis in ANALYSES:
        finding = analysis(ds)
        assert finding.status == "not_available", analysis.__name__
        assert all(v is None for v in finding.headlines.values())


def test_location_types_in_nte_hours(tmp_path: Path) -> None:
    # NTE window 18:00–06:00.
    #   D1 dwelling, an instant at 20:00           -> NTE 1,   other 0
    #   S1 street,   an instant at 12:00           -> NTE 0,   other 1
    #   S2 street,   17:00–19:00 (half inside)     -> NTE 0.5, other 0.5
    #   M1 dwelling, known to the month only       -> left out (not exact)
    #   L1 street,   a window of 8 days            -> left out (longer than 7 days)
    crimes = [
        crime("D1", occurred_from="2021-07-03T20:00:00"),
        crime("S1", occurred_from="2021-07-03T12:00:00", location_type="street"),
        crime(
            "S2",
            occurred_from="2021-07-03T17:00:00",
            occurred_to="2021-07-03T19:00:00",
            location_type="street",
        ),
        crime("M1", occurred_from="2021-07-01T00:00:00", time_precision="month"),
        crime(
            "L1",
            occurred_from="2021-07-01T00:00:00",
            occurred_to="2021-07-09T00:00:00",
            location_type="street",
        ),
    ]
    finding = location_types_nte(_open(tmp_path, crimes))
    nte = {r["location_type"]: r for r in finding.tables["location_types_nte"]}
    other = {r["location_type"]: r for r in finding.tables["location_types_other_hours"]}
    # NTE weight: dwelling 1, street 0.5 -> home share 1 / 1.5
    assert nte["dwelling"]["weight"] == pytest.approx(1.0)
    assert nte["street"]["weight"] == pytest.approx(0.5)
    assert finding.figures["home_share_nte"] == pytest.approx(2 / 3)
    # other hours: street 1 + 0.5, dwelling 0 -> home share 0
    assert other["street"]["weight"] == pytest.approx(1.5)
    assert finding.figures["home_share_other_hours"] == pytest.approx(0.0)
    assert finding.figures["crimes_used"] == 3
    assert finding.figures["left_out_not_exact"] == 1
    assert finding.figures["left_out_long_windows"] == 1


def test_nte_needs_exact_times(tmp_path: Path) -> None:
    crimes = [crime("M1", occurred_from="2021-07-01T00:00:00", time_precision="month")]
    finding = location_types_nte(_open(tmp_path, crimes))
    assert finding.status == "not_available"


def test_location_types_by_victim_age(tmp_path: Path) -> None:
    # Crimes in 2021. Victims: V-2008 (13 -> 0-15) in E1 (education) and S1 (street) and H1
    # (dwelling); V-2004 (17 -> 16-17) in H2 (dwelling); V1 (born 1990, 31 -> 30-39) in H3
    # (dwelling) and S2 (street).
    crimes = [
        crime("E1", location_type="education"),
        crime("S1", location_type="street"),
        crime("H1"),
        crime("H2"),
        crime("H3"),
        crime("S2", location_type="street"),
    ]
    victims = {"E1": "V-2008", "S1": "V-2008", "H1": "V-2008", "H2": "V-2004"}
    finding = location_types_by_victim_age(_open(tmp_path, crimes, victims))
    table = {
        (r["age_band"], r["location_type"]): r
        for r in finding.tables["location_types_by_victim_age"]
    }
    assert table[("0-15", "education")]["pairs"] == 1
    assert table[("0-15", "dwelling")]["share"] == pytest.approx(1 / 3)
    assert table[("16-17", "dwelling")]["share"] == 1.0
    assert table[("30-39", "street")]["share"] == 0.5
    assert {band for band, _ in table} == {"0-15", "16-17", "30-39"}
    outdoors = finding.figures["outdoors_or_education_share"]
    # 0-15: education + street = 2 of 3; 16-17: 0 of 1; 30-39: street 1 of 2
    assert outdoors["0-15"]["estimate"] == pytest.approx(2 / 3)
    assert outdoors["16-17"]["estimate"] == 0.0
    assert outdoors["30-39"]["estimate"] == 0.5
    assert finding.summary.startswith("Victims aged 0-15")


def test_by_victim_age_needs_persons(tmp_path: Path) -> None:
    ds = _open(tmp_path, [crime("C1", domestic="")], crimes_only=True)
    finding = location_types_by_victim_age(ds)
    assert finding.status == "not_available"
    assert "persons.birth_year" in finding.needs


def test_every_analysis_has_a_definition() -> None:
    for analysis in ANALYSES:
        assert "Definition:" in (analysis.__doc__ or ""), analysis.__name__


# --- the demo world -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo(demo_store: Path) -> Dataset:
    return Dataset.open(demo_store)


@pytest.mark.slow
def test_demo_home_to_street_ratio_above_4(demo: Dataset) -> None:
    # Kent: > 4 (demo world about 6.3)
    assert location_types(demo).headlines["home_to_street_ratio"] > 4


@pytest.mark.slow
def test_demo_non_domestic_home_share_near_half(demo: Dataset) -> None:
    # Kent: ≈ 0.5, tolerance ± 0.05 (demo world about 0.46)
    value = location_types_non_domestic(demo).headlines["home_share_excluding_domestic"]
    assert value == pytest.approx(0.5, abs=0.05)


@pytest.mark.slow
def test_demo_fatal_or_near_fatal_home_share(demo: Dataset) -> None:
    # Kent: 0.75, tolerance ± 0.05 (demo world about 0.77)
    value = fatal_or_near_fatal_location(demo).headlines["fatal_or_near_fatal_home_share"]
    assert value == pytest.approx(0.75, abs=0.05)


@pytest.mark.slow
def test_demo_young_girls_more_often_outdoors_or_at_school(demo: Dataset) -> None:
    # The seed: girls in their early teens are victimised more often outdoors and in
    # education settings than women.
    shares = location_types_by_victim_age(demo).figures["outdoors_or_education_share"]
    adults = ("18-24", "25-29", "30-39", "40-49", "50-59", "60+")
    assert shares["0-15"]["low"] > max(shares[b]["high"] for b in adults)
