"""People: victims by group and year, ages, victimisation rates, perpetrators' ages and cohorts,
repeat victimisation, relationship and ethnicity — each on a dataset worked out by hand."""

from __future__ import annotations

import functools
import json
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import crime, every_month, link, person, write_csv, write_dataset
from vawgscope.analyses import people
from vawgscope.analyses.finding import Finding
from vawgscope.dataset import Dataset
from vawgscope.ingest import ingest
from vawgscope.options import Options, Scope


def _store(
    root: Path,
    crimes: list[dict[str, Any]],
    persons: list[dict[str, Any]] | None = None,
    links: list[dict[str, Any]] | None = None,
    **tables: list[dict[str, Any]],
) -> Path:
    """Write the tables as CSV, ingest them and return the store's path.

    With persons, every month of the crimes' years gets an out-of-scope crime, so the years
    the tests use are complete (a month with no crimes at all is a gap).
    """
    if persons is not None and crimes:
        years = [int(str(c.get("occurred_from", "2021"))[:4]) for c in crimes]
        crimes = [*crimes, *every_month(min(years), max(years))]
    data = write_dataset(root / "data", crimes, persons, links)
    for name, table in tables.items():
        write_csv(data / f"{name}.csv", table)
    ingest(data, root / "store.duckdb", secret_path=root / "key" / "secret.key")
    return root / "store.duckdb"


@functools.cache
def _open(store: Path, options: Options | None = None) -> Dataset:
    """One Dataset per store and options for the whole module (opening one takes a while)."""
    return Dataset.open(store, options)


def _area(code: str, decile: int) -> dict[str, Any]:
    return {
        "lsoa_code": code,
        "lsoa_name": f"{code} 001A",
        "district": "Alpha",
        "easting": 576000,
        "northing": 155000,
        "imd_decile": decile,
    }


# --- store A: victims by group and year, repeat victims, relationship, ethnicity ----------------


@pytest.fixture(scope="module")
def store_a(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Seven crimes 2019-01-01 … 2021-12-31 (complete calendar years 2019, 2020, 2021).

    V1 (white)  C1 harassment 2019-01-01, C2 stalking 2020-05-01, C3 harassment 2020-06-01
    V2 (asian)  C4 rape 2019-03-01, C5 harassment 2021-12-31
    V3 (no ethnicity) C1 (a crime with two victims), C6 harassment 2019-07-01
    V4 (white)  C7 other sexual 2020-02-01
    P1 (black, born 1980) perpetrator of every crime; suspect and offender on C2.
    """
    crimes = [
        crime("C1", occurred_from="2019-01-01T10:00:00"),
        crime("C2", occurred_from="2020-05-01T10:00:00", offence_group="stalking"),
        crime("C3", occurred_from="2020-06-01T10:00:00"),
        crime("C4", occurred_from="2019-03-01T10:00:00", offence_group="rape"),
        crime("C5", occurred_from="2021-12-31T10:00:00"),
        crime("C6", occurred_from="2019-07-01T10:00:00"),
        crime("C7", occurred_from="2020-02-01T10:00:00", offence_group="other_sexual"),
    ]
    persons = [
        person("V1", "F", 1995, ethnicity="white"),
        person("V2", "F", 2000, ethnicity="asian"),
        person("V3", "F", 1990),
        person("V4", "F", 1985, ethnicity="white"),
        person("P1", "M", 1980, ethnicity="black"),
    ]
    links = [
        link("C1", "V1", "victim", relationship="partner"),
        link("C2", "V1", "victim", relationship="partner"),
        link("C3", "V1", "victim"),
        link("C4", "V2", "victim", relationship="stranger"),
        link("C5", "V2", "victim", relationship="ex_partner"),
        link("C1", "V3", "victim", relationship="family"),
        link("C6", "V3", "victim", relationship="family"),
        link("C7", "V4", "victim"),
        link("C1", "P1", "suspect", relationship="partner"),
        *[link(c, "P1", "suspect") for c in ("C2", "C3", "C4", "C5", "C6", "C7")],
        link("C2", "P1", "offender"),
    ]
    return _store(tmp_path_factory.mktemp("people_a"), crimes, persons, links)


def test_victims_by_group_by_year_counts_each_victim_once_per_group_and_year(store_a: Path):
    finding = people.victims_by_group_by_year(_open(store_a))
    assert finding.headlines["victims_by_group_by_year"] == {
        # groups in contract order; a year with no victim of the group is 0
        "rape": {2019: 1, 2020: 0, 2021: 0},  # V2 (C4)
        "other_sexual": {2019: 0, 2020: 1, 2021: 0},  # V4 (C7)
        "stalking": {2019: 0, 2020: 1, 2021: 0},  # V1 (C2)
        "harassment": {2019: 2, 2020: 1, 2021: 1},  # V1+V3 (C1, C6); V1 (C3); V2 (C5)
    }
    # overall: 2019 V1, V2, V3; 2020 V1 (two groups, once) and V4; 2021 V2
    assert finding.figures["overall"] == {2019: 3, 2020: 2, 2021: 1}
    # stalking and harassment family: 2019 V1, V3; 2020 V1; 2021 V2
    assert finding.figures["stalking_harassment"] == {2019: 2, 2020: 1, 2021: 1}
    change = finding.figures["change_overall"]
    assert (change["from"], change["to"], change["ratio"]["estimate"]) == (
        3,
        1,
        pytest.approx(1 / 3),
    )
    assert change["ratio"]["low"] < 1 / 3 < change["ratio"]["high"]
    assert {r["year_basis"] for r in finding.tables["by_group"]} == {"calendar"}


def test_victims_by_group_by_year_in_financial_years(store_a: Path):
    ds = _open(store_a, Options(year_basis="financial"))
    finding = people.victims_by_group_by_year(ds)
    # Complete financial years: 2019/20 and 2020/21 (2018/19 starts before the window,
    # 2021/22 ends after it). C6 (Jul 2019) and C7 (Feb 2020) fall in 2019/20; C2 and C3 in
    # 2020/21; the rape (Mar 2019) is in 2018/19, so rape is left out.
    assert finding.headlines["victims_by_group_by_year"] == {
        "other_sexual": {2019: 1, 2020: 0},
        "stalking": {2019: 0, 2020: 1},
        "harassment": {2019: 1, 2020: 1},
    }
    assert finding.figures["overall"] == {2019: 2, 2020: 1}
    assert "2019/20" in finding.summary and "financial" in finding.summary


def test_repeat_victimisation(store_a: Path):
    finding = people.repeat_victimisation(_open(store_a))
    figures = finding.figures
    # V1 3 crimes, V2 2, V3 2, V4 1: three of four victims are repeat victims
    assert (figures["repeat_victims"], figures["victims"]) == (3, 4)
    assert figures["share_of_victims"]["estimate"] == pytest.approx(0.75)
    # C1–C6 have a repeat victim, C7 (V4 only) not: 6 of 7 crimes
    assert (figures["crimes_with_repeat_victim"], figures["crimes"]) == (6, 7)
    # victim–crime pairs: 3 + 2 + 2 + 1 = 8, of which 7 are repeat victims'
    assert figures["share_of_victimisations"] == pytest.approx(7 / 8)
    table = {
        r["crimes_per_victim"]: (r["victims"], r["victimisations"])
        for r in finding.tables["by_crimes_per_victim"]
    }
    assert table == {"1": (1, 1), "2": (2, 4), "3-4": (1, 3), "5-9": (0, 0), "10+": (0, 0)}


def test_people_by_relationship(store_a: Path):
    finding = people.people_by_relationship(_open(store_a))
    table = {
        (r["role"], r["relationship"]): (r["people"], r["links"])
        for r in finding.tables["by_relationship"]
        if r["links"]
    }
    assert table == {
        # victims' 8 links: partner V1×2, stranger V2, ex-partner V2, family V3×2, and two
        # with no relationship (V1 on C3, V4 on C7) counted as unknown
        ("victim", "partner"): (1, 2),
        ("victim", "ex_partner"): (1, 1),
        ("victim", "family"): (1, 2),
        ("victim", "stranger"): (1, 1),
        ("victim", "unknown"): (2, 2),
        # P1 on 7 crimes (suspect and offender on C2 counted once): partner on C1, else unknown
        ("perpetrator", "partner"): (1, 1),
        ("perpetrator", "unknown"): (1, 6),
    }
    partner = next(r for r in finding.tables["by_relationship"] if r["relationship"] == "partner")
    assert partner["share_of_links"] == pytest.approx(2 / 8)
    assert "partner (25.0%" in finding.summary


def test_people_by_ethnicity_counts_and_says_rates_need_population(store_a: Path):
    finding = people.people_by_ethnicity(_open(store_a))
    table = {
        (r["role"], r["ethnicity"]): r["people"]
        for r in finding.tables["by_ethnicity"]
        if r["people"]
    }
    assert table == {
        ("victim", "white"): 2,
        ("victim", "asian"): 1,
        ("victim", "unknown"): 1,  # V3 has no ethnicity
        ("perpetrator", "black"): 1,
    }
    # 2 of the 3 victims with a stated ethnicity are white
    assert "66.7% of victims with a stated ethnicity are white" in finding.summary
    assert finding.figures["rates"] is None and "population" in finding.figures["rates_note"]


def test_no_person_id_in_any_finding(store_a: Path):
    ds = _open(store_a)
    ids = ds.table("persons").person_id.execute().tolist()
    for analysis in people.ANALYSES:
        text = json.dumps(analysis(ds).to_json(), default=str)
        assert not any(pid in text for pid in ids), analysis.__name__


# --- store B: victims by single year of age ------------------------------------------------------


@pytest.fixture(scope="module")
def store_b(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Victims whose age at the first in-scope crime is 20, 20, 25, 29, 30, 30, 45 and unknown.

    A3 (born 1990) is a victim at 25 (2015) and again at 31 (2021): she counts at 25 only.
    """
    victims = [
        ("A1", 2001, ["2021-07-03"]),
        ("A2", 2001, ["2021-07-03"]),
        ("A3", 1990, ["2015-06-01", "2021-07-03"]),
        ("A4", 1992, ["2021-07-03"]),
        ("A5", 1991, ["2021-07-03"]),
        ("A6", 1991, ["2021-07-03"]),
        ("A7", 1976, ["2021-07-03"]),
        ("A8", "", ["2021-07-03"]),
    ]
    crimes, links = [], []
    for victim, _, days in victims:
        for i, day in enumerate(days):
            crime_id = f"{victim}-{i}"
            crimes.append(crime(crime_id, occurred_from=f"{day}T12:00:00"))
            links += [link(crime_id, victim, "victim"), link(crime_id, "P1", "suspect")]
    persons = [person(v, "F", born) for v, born, _ in victims] + [person("P1", "M", 1980)]
    return _store(tmp_path_factory.mktemp("people_b"), crimes, persons, links)


def test_victim_peak_age_window_counts_each_victim_at_her_first_crime(store_b: Path):
    finding = people.victim_peak_age_window(_open(store_b))
    # Windows: [20, 29] holds 20, 20, 25, 29 = 4; [21, 30] … [25, 34] hold 25, 29, 30, 30 = 4;
    # later ones fewer. Equal counts → the youngest window. (Counting A3 again at 31 would
    # make [22, 31] the peak with 5.)
    assert finding.headlines == {"victim_peak_age_window": [20, 29]}
    assert finding.figures["victims_in_window"] == 4
    assert finding.figures["victims_with_known_age"] == 7
    assert finding.figures["victims_with_unknown_age"] == 1  # A8: no birth year, in no window
    by_age = {r["age"]: r["victims"] for r in finding.tables["by_age"]}
    assert by_age[20] == 2 and by_age[25] == 1 and by_age[31] == 0 and by_age["unknown"] == 1
    assert list(by_age)[:2] == [0, 1] and list(by_age)[-2:] == [45, "unknown"]
    assert sum(by_age.values()) == 8


def test_peak_window_edge_cases():
    assert people.peak_window({}) is None
    assert people.peak_window({None: 3}) is None
    # fewer than ten ages: the one window starting at the youngest
    assert people.peak_window({30: 1, 33: 2}) == [30, 39]
    assert people.peak_window({18: 1, 40: 1}) == [18, 27]  # tie → youngest


# --- store C: sexual-offence victims aged 13–16 with and without perpetrators under 18 ----------


@pytest.fixture(scope="module")
def store_c(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Sexual offences in 2021. Adult P1 (born 1980): victims aged 13, 14, 16, 16. Teenage T1
    (born 2005, 16 at the offence): victims aged 14, 14, 15, 15, 15."""
    adult = [("S13", 2008), ("S14a", 2007), ("S16a", 2005), ("S16b", 2005)]
    teenage = [("S14b", 2007), ("S14c", 2007), ("S15a", 2006), ("S15b", 2006), ("S15c", 2006)]
    crimes, links = [], []
    for perpetrator, victims in (("P1", adult), ("T1", teenage)):
        for victim, _ in victims:
            crimes.append(crime(f"C-{victim}", offence_group="other_sexual"))
            links += [
                link(f"C-{victim}", victim, "victim"),
                link(f"C-{victim}", perpetrator, "suspect"),
            ]
    persons = [person(v, "F", born) for v, born in adult + teenage]
    persons += [person("P1", "M", 1980), person("T1", "M", 2005)]
    return _store(tmp_path_factory.mktemp("people_c"), crimes, persons, links)


def test_the_14_15_spike_appears_only_with_under_18_perpetrators(store_c: Path):
    finding = people.victims_by_age_with_under_18_perpetrators(_open(store_c))
    assert finding.variant == "perpetrator_min_age=None (perpetrators of any age)"
    without, with_ = finding.figures["without_under_18"], finding.figures["with_under_18"]
    assert without["victims_by_age"] == {"13": 1, "14": 1, "15": 0, "16": 2}
    assert with_["victims_by_age"] == {"13": 1, "14": 3, "15": 3, "16": 2}
    # mean of 14–15 against 16: (1 + 0) / 2 / 2 = 0.25 without; (3 + 3) / 2 / 2 = 1.5 with
    assert without["ratio_14_15_to_16"]["estimate"] == pytest.approx(0.25)
    assert with_["ratio_14_15_to_16"]["estimate"] == pytest.approx(1.5)
    assert with_["ratio_14_15_to_13"]["estimate"] == pytest.approx(3.0)
    assert (without["spike"], with_["spike"]) == (False, True)
    row15 = next(r for r in finding.tables["by_age"] if r["age"] == 15)
    assert row15["sexual_offence_victims_with_under_18"] == 3
    assert row15["sexual_offence_victims_without_under_18"] == 0


def test_the_spike_variant_when_the_run_already_includes_under_18s(store_c: Path):
    ds = _open(store_c, Options(Scope(perpetrator_min_age=None)))
    finding = people.victims_by_age_with_under_18_perpetrators(ds)
    assert finding.variant == "perpetrator_min_age=18"
    assert finding.figures["with_under_18"]["spike"] is True
    assert finding.figures["without_under_18"]["spike"] is False


# --- store D: victimisation rates ---------------------------------------------------------


def _rate_victims() -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """Victims in 2021 with homes in A1 (decile 1), A2 (decile 2), B1 (decile 9) and elsewhere."""
    victims = [
        ("W1", 1999, "A1"),  # 22
        ("W2", 1998, "A2"),  # 23
        ("W3", 2000, "A1"),  # 21
        ("W4", 1994, "A1"),  # 27
        ("W5", 1999, "B1"),  # 22
        ("W6", 1999, "B1"),  # 22
        ("W7", 1999, ""),  # no home: left out
        ("W8", "", "A1"),  # no birth year: left out
        ("W9", 1999, "Z9"),  # home outside the areas: left out
    ]
    crimes = [crime(f"C-{v}") for v, _, _ in victims]
    persons = [person(v, "F", born, home_lsoa_code=home) for v, born, home in victims]
    persons.append(person("P1", "M", 1980))
    links = [link(f"C-{v}", v, "victim") for v, _, _ in victims]
    links += [link(f"C-{v}", "P1", "suspect") for v, _, _ in victims]
    return crimes, persons, links


def _population(rows: list[tuple[str, str, int | str, str, int, int | str]]) -> list[dict]:
    return [
        {"lsoa_code": c, "sex": s, "age": a, "age_band": b, "population": n, "year": y}
        for c, s, a, b, n, y in rows
    ]


@pytest.fixture(scope="module")
def store_d(tmp_path_factory: pytest.TempPathFactory) -> Path:
    population = _population(
        [
            ("A1", "F", 22, "20-24", 40, 2020),
            ("A1", "F", 27, "25-29", 10, 2020),
            ("A2", "F", 23, "20-24", 60, 2020),
            ("B1", "F", 22, "20-24", 100, 2020),
            ("B1", "F", 27, "25-29", 50, 2020),
            ("A1", "M", 22, "20-24", 999, 2020),  # men: never a denominator
            ("A1", "F", 27, "25-29", 1000, 2015),  # an older estimate: not used
        ]
    )
    areas = [_area("A1", 1), _area("A2", 2), _area("B1", 9)]
    return _store(
        tmp_path_factory.mktemp("people_d"),
        *_rate_victims(),
        areas=areas,
        population=population,
    )


def test_victimisation_rate_max_on_female_residents_by_band_and_imd_group(store_d: Path):
    finding = people.victimisation_rate_max(_open(store_d))
    cells = {
        (r["age_band"], r["imd_decile_group"]): (r["victims"], r["female_residents"], r["rate"])
        for r in finding.tables["rates"]
    }
    assert cells == {
        ("20-24", "1-2"): (3, 100.0, pytest.approx(0.03)),  # W1, W2, W3 ÷ (40 + 60)
        ("20-24", "9-10"): (2, 100.0, pytest.approx(0.02)),  # W5, W6 ÷ 100
        ("25-29", "1-2"): (1, 10.0, pytest.approx(0.1)),  # W4 ÷ 10
        ("25-29", "9-10"): (0, 50.0, pytest.approx(0.0)),
    }
    assert finding.headlines["victimisation_rate_max"] == {
        "age_band": "25-29",
        "imd_decile_group": "1-2",
        "rate": pytest.approx(0.1),
    }
    highest = finding.figures["highest"]
    # exact Poisson limits for 1 event: 0.0253 and 5.572, over 10 residents
    assert highest["low"] == pytest.approx(0.00253, abs=1e-5)
    assert highest["high"] == pytest.approx(0.5572, abs=1e-4)
    assert finding.figures["victims_left_out"] == 3  # W7, W8, W9
    assert finding.figures["population_year"] == 2020  # nearest the window (2021)
    assert finding.figures["female_residents_estimated"] is False


def test_victimisation_rate_estimates_women_where_population_has_no_sex(
    tmp_path_factory: pytest.TempPathFactory,
):
    # A1 gives sex (30 of 100 residents aged 25-29 are women); A2 only 'all' (100), so its
    # women are estimated at 0.3 × 100 = 30. Two victims aged 27 (W4 in A1 and one in A2).
    crimes, persons, links = _rate_victims()
    persons[1] = person("W2", "F", 1994, home_lsoa_code="A2")  # now 27
    population = [
        {"lsoa_code": "A1", "sex": "F", "age_band": "25-29", "population": 30},
        {"lsoa_code": "A1", "sex": "M", "age_band": "25-29", "population": 70},
        {"lsoa_code": "A2", "sex": "all", "age_band": "25-29", "population": 100},
    ]
    store = _store(
        tmp_path_factory.mktemp("people_e"),
        crimes,
        persons,
        links,
        areas=[_area("A1", 1), _area("A2", 2), _area("B1", 9)],
        population=population,
    )
    finding = people.victimisation_rate_max(_open(store))
    top = finding.headlines["victimisation_rate_max"]
    assert (top["age_band"], top["rate"]) == ("25-29", pytest.approx(2 / 60))
    assert finding.figures["female_residents_estimated"] is True
    assert finding.figures["female_share_used"] == pytest.approx(0.3)
    assert "estimated as 30%" in finding.summary


def test_victimisation_rate_assumes_051_when_nothing_gives_sex(
    tmp_path_factory: pytest.TempPathFactory,
):
    population = [{"lsoa_code": "A1", "sex": "all", "age_band": "25-29", "population": 100}]
    store = _store(
        tmp_path_factory.mktemp("people_f"),
        *_rate_victims(),
        areas=[_area("A1", 1), _area("A2", 2), _area("B1", 9)],
        population=population,
    )
    finding = people.victimisation_rate_max(_open(store))
    # W4 (27, A1) over 0.51 × 100 women; the 20-24 victims have no residents (rate null)
    assert finding.headlines["victimisation_rate_max"]["rate"] == pytest.approx(1 / 51)
    assert finding.figures["female_share_used"] == 0.51
    assert "assumed" in finding.figures["female_share_source"]
    assert "assumed" in finding.summary


def test_victimisation_rate_needs_areas_and_population(store_a: Path):
    finding = people.victimisation_rate_max(_open(store_a))
    assert finding.status == "not_available"
    assert finding.needs == ("areas.imd_decile", "population")
    assert finding.headlines == {"victimisation_rate_max": None}


def test_population_band():
    assert [people.population_band(a) for a in (0, 4, 5, 84, 85, 90, None, -1)] == [
        "0-4",
        "0-4",
        "5-9",
        "80-84",
        "85+",
        "85+",
        None,
        None,
    ]


# --- store F: perpetrators by age band and birth cohort ---------------------------------------


@pytest.fixture(scope="module")
def store_f(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Perpetrators by year (complete calendar years 2019–2021); homes in A1 (decile 1) or B1.

    2019: Q1 (1989, two crimes), Q2 (1989), Q3 (1990)            → peak birth year 1989
    2020: Q1, Q2 (1989), Q4 (1990), Q9–Q12 (1999, 1998, 2000, 2001) → 1989; 18-24 leads (4 vs 3)
    2021: Q3, Q4 (1990), Q5 (1991), Q6 (1998), Q7 (1997), Q8 (1996),
          Q13 (no birth year), Q14 (2005, 16)                    → 1990; 30-34 leads (3)
    """
    born = {
        "Q1": 1989, "Q2": 1989, "Q3": 1990, "Q4": 1990, "Q5": 1991, "Q6": 1998, "Q7": 1997,
        "Q8": 1996, "Q9": 1999, "Q10": 1998, "Q11": 2000, "Q12": 2001, "Q13": "", "Q14": 2005,
    }  # fmt: skip
    homes = {"Q1": "A1", "Q3": "A1", "Q6": "A1"}
    crimes_by = [
        ("2019-01-01", "Q1"), ("2019-03-01", "Q1"), ("2019-05-01", "Q2"), ("2019-06-01", "Q3"),
        ("2020-02-01", "Q1"), ("2020-03-01", "Q2"), ("2020-04-01", "Q4"), ("2020-05-01", "Q9"),
        ("2020-06-01", "Q10"), ("2020-07-01", "Q11"), ("2020-08-01", "Q12"),
        ("2021-02-01", "Q3"), ("2021-03-01", "Q4"), ("2021-04-01", "Q5"), ("2021-05-01", "Q6"),
        ("2021-06-01", "Q7"), ("2021-07-01", "Q8"), ("2021-08-01", "Q13"),
        ("2021-09-01", "Q14"), ("2021-12-31", "Q5"),
    ]  # fmt: skip
    crimes, links = [], []
    for i, (day, perpetrator) in enumerate(crimes_by):
        crimes.append(crime(f"C{i}", occurred_from=f"{day}T12:00:00"))
        links += [link(f"C{i}", "V1", "victim"), link(f"C{i}", perpetrator, "suspect")]
    persons = [person("V1", "F", 1990)]
    persons += [person(p, "M", b, home_lsoa_code=homes.get(p, "B1")) for p, b in born.items()]
    return _store(
        tmp_path_factory.mktemp("people_g"),
        crimes,
        persons,
        links,
        areas=[_area("A1", 1), _area("B1", 7)],
    )


def _band_counts(finding: Finding, table: str, year: int) -> dict[str, int]:
    return {
        r["age_band"]: r["perpetrators"]
        for r in finding.tables[table]
        if r["year"] == year and r["perpetrators"]
    }


def test_perpetrator_leading_age_band_in_the_last_complete_year(store_f: Path):
    finding = people.perpetrator_leading_age_band(_open(store_f))
    assert finding.headlines == {"perpetrator_leading_age_band": "30-34"}
    # 2021: Q3, Q4 (31), Q5 (30) in 30-34; Q6 (23), Q7 (24) in 18-24; Q8 (25) in 25-29.
    # Q13 (no birth year) and Q14 (16) fail the age filter.
    assert _band_counts(finding, "by_band_all", 2021) == {"18-24": 2, "25-29": 1, "30-34": 3}
    assert finding.figures["leading_band_by_year"]["all"] == {
        2019: "30-34",
        2020: "18-24",  # Q9–Q12 outnumber Q1, Q2, Q4
        2021: "30-34",
    }
    row = next(
        r for r in finding.tables["by_band_all"] if r["year"] == 2021 and r["age_band"] == "30-34"
    )
    assert row["share"] == pytest.approx(0.5) and row["low"] < 0.5 < row["high"]
    # most deprived (home in A1): 2021 Q3 (30-34) and Q6 (18-24)
    assert _band_counts(finding, "by_band_imd_1-2", 2021) == {"18-24": 1, "30-34": 1}


def test_perpetrators_under_18_and_of_unknown_age_never_lead(store_f: Path):
    ds = _open(store_f, Options(Scope(perpetrator_min_age=None)))
    finding = people.perpetrator_leading_age_band(ds)
    assert _band_counts(finding, "by_band_all", 2021) == {
        "under 18": 1,  # Q14
        "18-24": 2,
        "25-29": 1,
        "30-34": 3,
        "unknown": 1,  # Q13
    }
    assert finding.headlines == {"perpetrator_leading_age_band": "30-34"}


def test_peak_perpetrator_birth_year_is_the_most_frequent_yearly_peak(store_f: Path):
    finding = people.peak_perpetrator_birth_year(_open(store_f))
    # yearly peaks 1989, 1989, 1990 → 1989 (Q1's two 2019 crimes count him once)
    assert finding.figures["peak_by_year"]["all"] == {2019: 1989, 2020: 1989, 2021: 1990}
    assert finding.headlines == {"peak_perpetrator_birth_year": 1989}
    cohort_2019 = {
        r["birth_year"]: r["perpetrators"]
        for r in finding.tables["by_birth_year_all"]
        if r["year"] == 2019
    }
    assert cohort_2019 == {1989: 2, 1990: 1}
    # most deprived: 2019 Q1 (1989) and Q3 (1990) tie → the earlier birth year
    assert finding.figures["peak_by_year"]["imd_1-2"] == {2019: 1989, 2020: 1989, 2021: 1990}


def test_peak_birth_year_ties_go_to_the_latest_years_peak(store_f: Path):
    ds = _open(store_f, Options(Scope(date_from=date(2020, 1, 1))))
    finding = people.peak_perpetrator_birth_year(ds)
    # 2020 peaks at 1989 and 2021 at 1990: one year each → the 2021 peak
    assert finding.headlines == {"peak_perpetrator_birth_year": 1990}


def test_unknown_birth_years_are_shown_but_never_peak(store_f: Path):
    ds = _open(store_f, Options(Scope(perpetrator_min_age=None)))
    finding = people.peak_perpetrator_birth_year(ds)
    cohort_2021 = {
        r["birth_year"]: r["perpetrators"]
        for r in finding.tables["by_birth_year_all"]
        if r["year"] == 2021
    }
    assert cohort_2021["unknown"] == 1 and cohort_2021[2005] == 1
    assert finding.headlines == {"peak_perpetrator_birth_year": 1989}


def test_cohort_tie_rules():
    assert people.peak_of_year(Counter({1990: 2, 1989: 2, "unknown": 9})) == 1989
    assert people.peak_of_year(Counter({"unknown": 3})) is None
    assert people.most_frequent_peak({2019: 1990, 2020: 1989}) == 1989
    assert people.most_frequent_peak({2019: 1989, 2020: 1990, 2021: None}) == 1990
    assert people.leading_band(Counter({"18-24": 2, "30-34": 2, "under 18": 5})) == "18-24"
    assert people.perpetrator_band(17) == "under 18" and people.perpetrator_band(None) == "unknown"
    assert [people.perpetrator_band(a) for a in (18, 24, 25, 49, 50, 59, 60)] == [
        "18-24", "18-24", "25-29", "45-49", "50-59", "50-59", "60+",
    ]  # fmt: skip


# --- not available ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def crimes_only_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    crimes = [crime("C1", domestic="", crime_type="Violence and sexual offences")]
    return _store(tmp_path_factory.mktemp("people_crimes_only"), crimes)


@pytest.mark.parametrize("analysis", people.ANALYSES, ids=lambda a: a.__name__)
def test_crimes_only_dataset_needs_persons(analysis, crimes_only_store: Path):
    finding = analysis(_open(crimes_only_store))
    assert finding.status == "not_available"
    assert finding.needs == ("persons", "crime_persons")
    assert all(v is None for v in finding.headlines.values())


@pytest.mark.parametrize("analysis", people.ANALYSES, ids=lambda a: a.__name__)
def test_empty_scope_is_not_available(analysis, store_a: Path):
    finding = analysis(_open(store_a, Options(Scope(offence_groups=("homicide",)))))
    assert finding.status == "not_available" and finding.needs
    assert all(v is None for v in finding.headlines.values())
    assert "Definition:" in (analysis.__doc__ or "")


# --- the demo world (Kent calibration) ------------------------------------------------------


@pytest.fixture(scope="module")
def demo(demo_store: Path) -> Dataset:
    return Dataset.open(demo_store)


@pytest.mark.slow
def test_demo_victims_fall_while_stalking_and_harassment_victims_rise(demo: Dataset):
    figures = people.victims_by_group_by_year(demo).figures
    assert figures["change_overall"]["ratio"]["high"] < 1
    assert figures["change_stalking_harassment"]["ratio"]["low"] > 1


@pytest.mark.slow
def test_demo_victim_peak_age_window(demo: Dataset):
    start, end = people.victim_peak_age_window(demo).headlines["victim_peak_age_window"]
    assert abs(start - 19) <= 2 and abs(end - 28) <= 2  # Kent [19, 28] ± 2 years


@pytest.mark.slow
def test_demo_spike_only_with_under_18_perpetrators(demo: Dataset):
    figures = people.victims_by_age_with_under_18_perpetrators(demo).figures
    assert figures["with_under_18"]["spike"] and not figures["without_under_18"]["spike"]


@pytest.mark.slow
@pytest.mark.xfail(
    reason=(
        "demo world: highest cell 20-24 in IMD 1-2 at 0.614 over the 6-year window (0.102 a "
        "year; 25-29 in 1-2 about 0.39); the seed's 0.125 looks annual and conflicts with "
        "56,358 victims (synth/CALIBRATION.md). Needs the seed figure read as a yearly rate, "
        "or a far larger female population per victim"
    ),
    strict=True,
)
def test_demo_victimisation_rate_max(demo: Dataset):
    top = people.victimisation_rate_max(demo).headlines["victimisation_rate_max"]
    assert (top["age_band"], top["imd_decile_group"]) == ("25-29", "1-2")
    assert top["rate"] == pytest.approx(0.125, abs=0.03)


@pytest.mark.slow
def test_demo_perpetrator_leading_age_band(demo: Dataset):
    finding = people.perpetrator_leading_age_band(demo)
    assert finding.headlines["perpetrator_leading_age_band"] == "30-34"


@pytest.mark.slow
def test_demo_peak_perpetrator_birth_year(demo: Dataset):
    finding = people.peak_perpetrator_birth_year(demo)
    assert abs(finding.headlines["peak_perpetrator_birth_year"] - 1989) <= 1
