"""Distance from home, the scene when victim and perpetrator live apart, hot-spot reach."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.helpers import crime, link, person, write_dataset
from vawgscope.analyses import distance
from vawgscope.dataset import Dataset
from vawgscope.ingest import ingest

X, Y = 500_000, 150_000  # a victim's home; other points are offsets from it


def _store(tmp_path: Path, crimes: list, persons: list, links: list, areas: str = "") -> Path:
    data = write_dataset(tmp_path / "d", crimes, persons, links)
    if areas:
        (data / "areas.csv").write_text(areas)
    store = tmp_path / "s.duckdb"
    ingest(data, store)
    return store


def _at(dx: int, dy: int, **fields: Any) -> dict[str, Any]:
    return {"easting": X + dx, "northing": Y + dy, **fields}


def _home(dx: int, dy: int) -> dict[str, Any]:
    return {"home_easting": X + dx, "home_northing": Y + dy}


# --- distance from the victim's home -------------------------------------------------------


@pytest.fixture
def distance_store(tmp_path: Path) -> Path:
    """Victim–crime pairs, distances worked out with 3-4-5 triangles.

    C1 V1  (15, 20) from her home  = 25 m    -> at home (25 m is inclusive)
    C2 V1  (10, 24)                = 26 m    -> 25 m – ¼ mile
    C3 V2  (480, 640)              = 800 m   -> ¼ – ½ mile
    C4 V2  (483, 644)              = 805 m   -> ½ – 1 mile (just over 804.67)
    C5 V3  (4828, 0)               = 4828 m  -> 1 – 3 miles (4,828 is inclusive)
    C6 V3  (4829, 0)               = 4829 m  -> over 3 miles
    C6 V4  no home                           -> left out, no victim home
    C7 V1  no crime location                 -> left out, no crime location
    C1 has two perpetrators: victim–crime pairs do not double.
    """
    persons = [
        person("V1", "F", 1990, **_home(0, 0)),
        person("V2", "F", 1990, **_home(10_000, 0)),
        person("V3", "F", 1990, **_home(20_000, 0)),
        person("V4", "F", 1990),
        person("P1", "M", 1985),
        person("P2", "M", 1985),
    ]
    crimes = [
        crime("C1", **_at(15, 20)),
        crime("C2", **_at(10, 24), offence_group="rape"),
        crime("C3", **_at(10_480, 640)),
        crime("C4", **_at(10_483, 644)),
        crime("C5", **_at(24_828, 0)),
        crime("C6", **_at(24_829, 0)),
        crime("C7"),
    ]
    links = [
        link(c, v, "victim")
        for c, v in [
            ("C1", "V1"),
            ("C2", "V1"),
            ("C3", "V2"),
            ("C4", "V2"),
            ("C5", "V3"),
            ("C6", "V3"),
            ("C6", "V4"),
            ("C7", "V1"),
        ]
    ]
    links += [link(c, "P1", "suspect") for c in ("C1", "C2", "C3", "C4", "C5", "C6", "C7")]
    links += [link("C1", "P2", "offender")]
    return _store(tmp_path, crimes, persons, links)


def test_share_within_half_mile_and_beyond_3_miles(distance_store: Path) -> None:
    finding = distance.distance_from_victim_home(Dataset.open(distance_store))
    # 6 pairs with both locations; within ½ mile: C1, C2, C3 = 3/6; beyond 3 miles: C6 = 1/6
    assert finding.headlines == {
        "share_at_home_or_within_half_mile": 0.5,
        "share_beyond_3_miles": pytest.approx(1 / 6),
    }
    # Wilson 95% for 3/6: centre 0.5, half-width 1.19494 × 0.26143 = 0.31239
    assert finding.figures["within_half_mile"]["low"] == pytest.approx(0.18762, abs=1e-5)
    assert finding.figures["within_half_mile"]["high"] == pytest.approx(0.81238, abs=1e-5)
    # Wilson 95% for 1/6: centre 0.29679, half-width 0.26673
    assert finding.figures["beyond_3_miles"]["low"] == pytest.approx(0.03005, abs=1e-5)
    assert finding.figures["beyond_3_miles"]["high"] == pytest.approx(0.56350, abs=1e-5)


def test_distance_bands_and_left_out_pairs(distance_store: Path) -> None:
    finding = distance.distance_from_victim_home(Dataset.open(distance_store))
    bands = {r["band"]: r["pairs"] for r in finding.tables["bands"]}
    assert bands == {
        "home": 1,
        "to_quarter_mile": 1,
        "to_half_mile": 1,
        "to_1_mile": 1,
        "to_3_miles": 1,
        "beyond_3_miles": 1,
    }
    assert [r["cumulative_share"] for r in finding.tables["bands"]] == pytest.approx(
        [1 / 6, 2 / 6, 3 / 6, 4 / 6, 5 / 6, 1.0]
    )
    assert {
        k: finding.figures[k]
        for k in (
            "pairs",
            "pairs_with_both_locations",
            "left_out_no_crime_location",
            "left_out_no_victim_home",
            "left_out_neither_location",
        )
    } == {
        "pairs": 8,
        "pairs_with_both_locations": 6,
        "left_out_no_crime_location": 1,
        "left_out_no_victim_home": 1,
        "left_out_neither_location": 0,
    }
    # C2 is a rape at 26 m: within half a mile, not beyond 3 miles
    rape = next(r for r in finding.tables["by_group"] if r["offence_group"] == "rape")
    assert (rape["pairs"], rape["within_half_mile"], rape["beyond_3_miles"]) == (1, 1.0, 0.0)


# --- the scene when victim and perpetrator do not live together -------------------------------


@pytest.fixture
def scene_store(tmp_path: Path) -> Path:
    """Victim–perpetrator pairs; homes: V1 (0,0), V2 (1000,0), V3 (2000,0), P1 (0,5000),
    P2 (1000,5000), P3 (2000,5000); V4 has no home.

    pair      links' same_address  crime at          group (harm)        -> scene
    C1 V1-P1  false / false        V1's home (+10)   harassment (10)     -> victim home
    C2 V1-P1  false / false        P1's home (+20)   rape (2555)         -> his home
    C3 V2-P2  false / false        street            VWI (365)           -> elsewhere
    C4 V2-P2  true / false         V2's home         harassment          -> coresident: out
    C5 V3-P3  (none) / (none)      V3's home         harassment          -> unknown: out
    C6 V3-P3  false / (none)       V3's home         other sexual (182.25) -> victim home
    C7 V1-P1  false / false        P1's home         VWI (365)           -> his home
    C7 V1-P2  false / false        P1's home         VWI (365)           -> elsewhere
    C8 V4-P1  false / false        somewhere         harassment          -> no victim home: out
    C9 V2-P2  false / false        V2's home         harassment (10)     -> victim home
    """
    persons = [
        person("V1", "F", 1990, **_home(0, 0)),
        person("V2", "F", 1990, **_home(1000, 0)),
        person("V3", "F", 1990, **_home(2000, 0)),
        person("V4", "F", 1990),
        person("P1", "M", 1985, **_home(0, 5000)),
        person("P2", "M", 1985, **_home(1000, 5000)),
        person("P3", "M", 1985, **_home(2000, 5000)),
    ]
    crimes = [
        crime("C1", **_at(10, 0)),
        crime("C2", **_at(0, 5020), offence_group="rape"),
        crime("C3", **_at(500, 2500), offence_group="violence_with_injury"),
        crime("C4", **_at(1000, 0)),
        crime("C5", **_at(2000, 0)),
        crime("C6", **_at(2000, 0), offence_group="other_sexual"),
        crime("C7", **_at(0, 5000), offence_group="violence_with_injury"),
        crime("C8", **_at(3000, 3000)),
        crime("C9", **_at(1000, 10)),
    ]

    def pair(c: str, v: str, p: str, v_same: Any = "false", p_same: Any = "false") -> list:
        return [
            link(c, v, "victim", same_address=v_same),
            link(c, p, "suspect", same_address=p_same),
        ]

    links = (
        pair("C1", "V1", "P1")
        + pair("C2", "V1", "P1")
        + pair("C3", "V2", "P2")
        + pair("C4", "V2", "P2", "true")
        + pair("C5", "V3", "P3", None, None)
        + pair("C6", "V3", "P3", "false", None)
        + pair("C7", "V1", "P1")
        + [link("C7", "P2", "offender", same_address="false")]
        + pair("C8", "V4", "P1")
        + pair("C9", "V2", "P2")
    )
    return _store(tmp_path, crimes, persons, links)


def test_a_suspect_and_offender_is_one_pair_at_the_address_either_link_gives(
    tmp_path: Path,
) -> None:
    # P1 is linked to C1 twice: as suspect (not at her address) and as offender (at it).
    # The pair is counted once, and coresident because one of his links says so; C2's pair
    # lives apart and is placed at her home.
    persons = [person("V1", "F", 1990, **_home(0, 0)), person("P1", "M", 1985, **_home(0, 900))]
    links = [
        link("C1", "V1", "victim", same_address="false"),
        link("C1", "P1", "suspect", same_address="false"),
        link("C1", "P1", "offender", same_address="true"),
        link("C2", "V1", "victim", same_address="false"),
        link("C2", "P1", "suspect", same_address="false"),
    ]
    store = _store(tmp_path, [crime("C1", **_at(5, 0)), crime("C2", **_at(5, 0))], persons, links)
    finding = distance.scene_when_not_coresident(Dataset.open(store))
    assert (finding.figures["pairs"], finding.figures["coresident"]) == (2, 1)
    assert finding.headlines["scene_when_not_coresident"]["victim_home"]["share"] == 1.0


def test_scene_when_not_coresident(scene_store: Path) -> None:
    finding = distance.scene_when_not_coresident(Dataset.open(scene_store))
    # 7 pairs placed: her home C1, C6, C9; his home C2, C7-P1; elsewhere C3, C7-P2
    assert finding.headlines["scene_when_not_coresident"] == {
        "victim_home": {"share": pytest.approx(3 / 7), "mean_harm": pytest.approx(202.25 / 3)},
        "perpetrator_home": {"share": pytest.approx(2 / 7), "mean_harm": 1460.0},
        "elsewhere": {"share": pytest.approx(2 / 7), "mean_harm": 365.0},
    }
    assert {
        k: finding.figures[k]
        for k in (
            "pairs",
            "coresident",
            "same_address_unknown",
            "not_coresident",
            "left_out_missing_location",
            "pairs_placed",
        )
    } == {
        "pairs": 10,
        "coresident": 1,
        "same_address_unknown": 1,
        "not_coresident": 8,
        "left_out_missing_location": 1,
        "pairs_placed": 7,
    }
    rows = {r["scene"]: r for r in finding.tables["scenes"]}
    # Wilson 95% for 3/7
    assert rows["victim_home"]["low"] == pytest.approx(0.15822, abs=1e-5)
    # his home: harms 2555 and 365, mean 1460, sd 1548.5; t(1) interval is very wide
    assert (
        rows["perpetrator_home"]["mean_harm_low"]
        < 0
        < 1460
        < rows["perpetrator_home"]["mean_harm_high"]
    )


def test_scene_needs_same_address(tmp_path: Path) -> None:
    store = _store(
        tmp_path,
        [crime("C1", **_at(0, 0))],
        [person("V1", "F", 1990, **_home(0, 0)), person("P1", "M", 1985, **_home(0, 10))],
        [link("C1", "V1", "victim"), link("C1", "P1", "suspect")],
    )
    finding = distance.scene_when_not_coresident(Dataset.open(store))
    assert finding.status == "not_available"
    assert finding.needs == ("crime_persons.same_address",)
    assert finding.headlines == {"scene_when_not_coresident": None}


# --- how far hot spots draw their perpetrators from -------------------------------------------


def test_hotspot_perpetrator_distance(tmp_path: Path) -> None:
    """L1 has 3 crimes, L2 and L3 one each (tied: rank 2, listed by code).

    L1: P1 100 m from C1, P2 300 m from C2, P1 5,000 m from C3 -> median 300,
        quartiles 200 and 2,650 (linear interpolation), 1 of 3 beyond 3 miles
    L2: C4 with P1 and P2, both 1,000 m away -> median 1,000 (a crime with two perpetrators
        gives two pairs)
    L3: C5 with P3, who has no home -> no located pair
    all crimes: 100, 300, 400 (C6, no LSOA), 1,000, 1,000, 5,000 -> median 700
    """
    persons = [
        person("V1", "F", 1990, **_home(0, 0)),
        person("P1", "M", 1985, **_home(0, 0)),
        person("P2", "M", 1985, **_home(0, 0)),
        person("P3", "M", 1985),
    ]
    crimes = [
        crime("C1", **_at(100, 0), lsoa_code="L1"),
        crime("C2", **_at(0, 300), lsoa_code="L1"),
        crime("C3", **_at(3000, 4000), lsoa_code="L1"),
        crime("C4", **_at(600, 800), lsoa_code="L2"),
        crime("C5", **_at(0, 0), lsoa_code="L3"),
        crime("C6", **_at(0, 400)),
    ]
    perps = [
        ("C1", "P1"),
        ("C2", "P2"),
        ("C3", "P1"),
        ("C4", "P1"),
        ("C4", "P2"),
        ("C5", "P3"),
        ("C6", "P1"),
    ]
    links = [link(c, "V1", "victim") for c in ("C1", "C2", "C3", "C4", "C5", "C6")]
    links += [link(c, p, "suspect") for c, p in perps]
    areas = (
        "lsoa_code,lsoa_name,district,easting,northing\n"
        f"L1,Alpha 001A,Alpha,{X},{Y}\nL2,Alpha 002A,Alpha,{X},{Y}\nL3,Beta 001A,Beta,{X},{Y}\n"
    )
    store = _store(tmp_path, crimes, persons, links, areas)
    finding = distance.hotspot_perpetrator_distance(Dataset.open(store))
    rows = finding.tables["hotspots"]
    assert [(r["rank"], r["lsoa_code"], r["crimes"]) for r in rows] == [
        (1, "L1", 3),
        (2, "L2", 1),
        (2, "L3", 1),
        (None, "all crimes", None),
    ]
    l1, l2, l3, county = rows
    assert (l1["median_m"], l1["q1_m"], l1["q3_m"]) == pytest.approx((300, 200, 2650))
    assert (l1["beyond_3_miles"], l1["lsoa_name"], l1["further_afield"]) == (
        pytest.approx(1 / 3),
        "Alpha 001A",
        False,
    )
    assert (l2["perpetrator_crime_pairs"], l2["perpetrators"]) == (2, 2)
    assert l3["pairs_with_both_locations"] == 0 and l3["median_m"] is None
    assert county["median_m"] == pytest.approx(700)
    assert finding.figures["county_median_m"] == pytest.approx(700)
    assert "Alpha 002A" in finding.summary


def test_hotspots_without_areas_give_codes_only(tmp_path: Path) -> None:
    """No areas table: LSOA codes without names; medians of two pairs."""
    persons = [
        person("V1", "F", 1990, **_home(0, 0)),
        person("P1", "M", 1985, **_home(0, 0)),
        person("P2", "M", 1985, **_home(-1200, 1600)),
    ]
    crimes = [
        crime("C1", **_at(100, 0), lsoa_code="L1"),
        crime("C2", **_at(0, 300), lsoa_code="L1"),
        crime("C4", **_at(600, 800), lsoa_code="L2"),
    ]
    # P1: C1 100 m, C4 1,000 m; P2: C2 √(1200² + 1300²) = 1,769.2 m, C4 √(1800² + 800²) = 1,969.8
    perps = [("C1", "P1"), ("C2", "P2"), ("C4", "P1"), ("C4", "P2")]
    links = [link(c, "V1", "victim") for c in ("C1", "C2", "C4")]
    links += [link(c, p, "suspect") for c, p in perps]
    finding = distance.hotspot_perpetrator_distance(
        Dataset.open(_store(tmp_path, crimes, persons, links))
    )
    l1, l2, county = finding.tables["hotspots"]
    assert l1["median_m"] == pytest.approx((100 + 1769.181) / 2, abs=1e-3)
    assert l2["median_m"] == pytest.approx((1000 + 1969.772) / 2, abs=1e-3)
    # county: 100, 1000, 1769.2, 1969.8 -> median (1000 + 1769.2) / 2
    assert county["median_m"] == pytest.approx((1000 + 1769.181) / 2, abs=1e-3)
    assert (l1["further_afield"], l2["further_afield"]) == (False, True)
    assert l1["lsoa_name"] is None  # no areas table: codes only


# --- not available ----------------------------------------------------------------------------


def test_crimes_only_dataset_is_not_available(tmp_path: Path) -> None:
    crimes = [crime("C1", domestic="", crime_type="Violence and sexual offences", **_at(0, 0))]
    ingest(write_dataset(tmp_path / "d", crimes), tmp_path / "s.duckdb")
    ds = Dataset.open(tmp_path / "s.duckdb")
    for analysis in distance.ANALYSES:
        finding = analysis(ds)
        assert finding.status == "not_available"
        assert finding.needs == ("persons", "crime_persons")
    assert distance.distance_from_victim_home(ds).headlines == {
        "share_at_home_or_within_half_mile": None,
        "share_beyond_3_miles": None,
    }


def test_no_home_coordinates_is_not_available(tmp_path: Path) -> None:
    store = _store(
        tmp_path,
        [crime("C1", **_at(0, 0))],
        [person("V1"), person("P1", "M", 1985)],
        [link("C1", "V1", "victim"), link("C1", "P1", "suspect")],
    )
    finding = distance.distance_from_victim_home(Dataset.open(store))
    assert finding.status == "not_available"
    assert finding.needs == ("persons.home_easting", "persons.home_northing")


# --- the demo world ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo(demo_store: Path) -> Dataset:
    return Dataset.open(demo_store)


@pytest.mark.slow
def test_demo_world_distance_from_home(demo: Dataset) -> None:
    headlines = distance.distance_from_victim_home(demo).headlines
    assert headlines["share_at_home_or_within_half_mile"] == pytest.approx(0.76, abs=0.03)
    assert headlines["share_beyond_3_miles"] < 0.05  # Kent: "very few"


@pytest.mark.slow
def test_demo_world_scene_when_not_coresident(demo: Dataset) -> None:
    scene = distance.scene_when_not_coresident(demo).headlines["scene_when_not_coresident"]
    # Kent: the victim's home more often, the perpetrator's home more harmful
    assert scene["victim_home"]["share"] > scene["perpetrator_home"]["share"]
    assert scene["perpetrator_home"]["mean_harm"] > scene["victim_home"]["mean_harm"]


@pytest.mark.slow
def test_demo_world_town_centre_draws_from_furthest(demo: Dataset) -> None:
    rows = distance.hotspot_perpetrator_distance(demo).tables["hotspots"][:-1]
    furthest = max(rows, key=lambda r: r["median_m"])
    # Kent: Maidstone town centre, the top hot spot, draws perpetrators from further afield
    assert rows[0]["district"] == "Maidstone" and furthest is rows[0]
    assert rows[0]["further_afield"]
