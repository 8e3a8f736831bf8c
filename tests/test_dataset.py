"""The scope, applied once in the engine, exactly as problem-profile.md defines it."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from tests.helpers import crime, link, person, write_dataset
from vawgscope.dataset import Dataset, DatasetError, Window
from vawgscope.ingest import ingest
from vawgscope.options import Options, Scope
from vawgscope.store import profile_memory_limit


@pytest.fixture
def store(tmp_path: Path) -> Path:
    """Six crimes in 2021 whose scope can be worked out by hand.

    C1 F victim, M perpetrator born 1990 (31)            -> in scope
    C2 F victim, M perpetrator born 2005 (16)            -> out: perpetrator under 18
    C3 F victim, no perpetrator                           -> out: perpetrator filter on
    C4 M victim, M perpetrator (31)                       -> out: no female victim
    C5 F victim, F perpetrator (31) and M (31)            -> in scope (the man passes)
    C6 F victim, M perpetrator with no birth year         -> out: fails the age filter
    """
    persons = [
        person("V1", "F", 1995),
        person("V2", "F", 2004),
        person("V3", "M", 1990),
        person("P1", "M", 1990),
        person("P2", "M", 2005),
        person("P3", "F", 1990),
        person("P4", "M", ""),
    ]
    links = [
        link("C1", "V1", "victim"),
        link("C1", "P1", "suspect"),
        link("C2", "V2", "victim"),
        link("C2", "P2", "suspect"),
        link("C3", "V1", "victim"),
        link("C4", "V3", "victim"),
        link("C4", "P1", "offender"),
        link("C5", "V2", "victim"),
        link("C5", "P3", "suspect"),
        link("C5", "P1", "suspect"),
        link("C6", "V1", "victim"),
        link("C6", "P4", "suspect"),
    ]
    crimes = [
        crime("C1", occurred_from="2021-01-01T10:00:00", domestic="true", lsoa_code="A1"),
        crime("C2", occurred_from="2021-02-01T10:00:00"),
        crime("C3", occurred_from="2021-03-01T10:00:00"),
        crime("C4", occurred_from="2021-04-01T10:00:00"),
        crime(
            "C5",
            occurred_from="2021-05-31T23:00:00",
            domestic="false",
            lsoa_code="B1",
            offence_group="rape",
        ),
        crime("C6", occurred_from="2021-06-01T10:00:00"),
    ]
    data = write_dataset(tmp_path / "d", crimes, persons, links)
    (data / "areas.csv").write_text(
        "lsoa_code,lsoa_name,district,easting,northing\n"
        "A1,Alpha 001A,Alpha,576000,155000\nB1,Beta 001A,Beta,590000,163000\n"
    )
    path = tmp_path / "s.duckdb"
    ingest(data, path)
    return path


def _ids(ds: Dataset) -> list[str]:
    return sorted(ds.crimes.crime_id.execute())


def test_default_scope(store: Path) -> None:
    ds = Dataset.open(store)
    assert ds.info.meta["links.perpetrators_in_two_roles"] == "0"
    assert _ids(ds) == ["C1", "C5"]
    assert ds.counts() == {"crimes": 2, "victims": 2, "perpetrators": 1}
    ages = dict(
        zip(
            ds.perpetrators.crime_id.execute(),
            ds.perpetrators.age_at_offence.execute(),
            strict=True,
        )
    )
    assert ages == {"C1": 31, "C5": 31}


def test_perpetrators_under_18_as_a_declared_variant(store: Path) -> None:
    base = Dataset.open(store)
    for keep_tables in (True, False):  # written tables, or queries through the crime ids
        ds = base.with_scope(Scope(perpetrator_min_age=None), keep_tables=keep_tables)
        assert _ids(ds) == ["C1", "C2", "C5", "C6"]
        assert ds.counts()["perpetrators"] == 3
        assert ds.window.first == datetime(2021, 1, 1, 10)


def test_a_variant_with_other_crime_filters_is_scoped_afresh(store: Path) -> None:
    # The first variant shares the base's person join; the second changes a crime filter,
    # so it must not reuse a join made for all districts.
    any_age = Dataset.open(store).with_scope(Scope(perpetrator_min_age=None))
    assert _ids(any_age.with_scope(Scope(districts=("Alpha",)))) == ["C1"]
    assert _ids(any_age.with_scope(Scope(domestic="non_domestic"))) == ["C5"]
    assert _ids(any_age) == ["C1", "C2", "C5", "C6"]


def test_details_add_the_persons_and_links_other_columns(store: Path) -> None:
    ds = Dataset.open(store)
    victims = ds.details(
        ds.victims, "victim", "home_lsoa_code", "ethnicity", "same_address", "relationship"
    ).execute()
    # One row per in-scope victim link (C1: V1 born 1995, C5: V2 born 2004), with the
    # person's and the link's other columns.
    assert sorted(zip(victims.crime_id, victims.birth_year, strict=True)) == [
        ("C1", 1995),
        ("C5", 2004),
    ]
    assert {"home_lsoa_code", "ethnicity", "same_address", "relationship"} <= set(victims.columns)


def test_a_perpetrator_in_two_roles_is_one_perpetrator_of_the_crime(tmp_path: Path) -> None:
    persons = [person("V1", "F", 1990), person("P1", "M", 1980)]
    links = [
        link("C1", "V1", "victim"),
        link("C1", "P1", "suspect", relationship="partner"),
        link("C1", "P1", "offender", relationship="ex_partner"),
    ]
    data = write_dataset(tmp_path / "d", [crime("C1")], persons, links)
    ingest(data, tmp_path / "s.duckdb")
    ds = Dataset.open(tmp_path / "s.duckdb")
    # Ingest counts such pairs, and the scope keeps the man once.
    assert ds.info.meta["links.perpetrators_in_two_roles"] == "1"
    assert ds.perpetrators.count().execute() == 1
    # His two links keep their own relationships.
    details = ds.details(ds.perpetrators, "perpetrator", "relationship").execute()
    assert sorted(details.relationship) == ["ex_partner", "partner"]


def test_all_person_filters_off_keeps_crimes_with_no_perpetrator(store: Path) -> None:
    ds = Dataset.open(
        store, Options(Scope(victim_sex=None, perpetrator_sex=None, perpetrator_min_age=None))
    )
    assert _ids(ds) == ["C1", "C2", "C3", "C4", "C5", "C6"]
    assert ds.counts() == {"crimes": 6, "victims": 3, "perpetrators": 4}


def test_crime_filters(store: Path) -> None:
    assert _ids(Dataset.open(store, Options(Scope(domestic="non_domestic")))) == ["C5"]
    assert _ids(Dataset.open(store, Options(Scope(offence_groups=("rape",))))) == ["C5"]
    assert _ids(Dataset.open(store, Options(Scope(districts=("Alpha",))))) == ["C1"]
    window = Options(Scope(date_from=date(2021, 5, 31), date_to=date(2021, 5, 31)))
    assert _ids(Dataset.open(store, window)) == ["C5"]


def test_a_variant_narrowing_the_dates_equals_a_scope_opened_with_them(store: Path) -> None:
    # C5 began on 2021-05-31; the narrowed variant is the run's tables filtered to the day.
    may_31 = Scope(date_from=date(2021, 5, 31), date_to=date(2021, 5, 31))
    narrowed = Dataset.open(store).with_scope(may_31)
    opened = Dataset.open(store, Options(may_31))
    assert _ids(narrowed) == _ids(opened) == ["C5"]
    assert narrowed.counts() == opened.counts() == {"crimes": 1, "victims": 1, "perpetrators": 1}
    assert narrowed.window == opened.window
    # Widening a dated run is not a narrowing: the wider scope is built afresh.
    widened = Dataset.open(store, Options(may_31)).with_scope(Scope())
    assert _ids(widened) == ["C1", "C5"]


def test_window_and_complete_months(store: Path) -> None:
    ds = Dataset.open(store, Options(Scope(perpetrator_min_age=None)))
    assert ds.window.first == datetime(2021, 1, 1, 10) and ds.window.now == datetime(2021, 6, 1, 10)
    # January starts on the first day of the window; June is cut short.
    assert ds.window.complete_months() == ["2021-01", "2021-02", "2021-03", "2021-04", "2021-05"]


def test_complete_years_calendar_and_financial() -> None:
    window = Window(datetime(2016, 4, 1, 0, 5), datetime(2022, 3, 31, 23, 0))
    assert window.complete_years() == [2017, 2018, 2019, 2020, 2021]
    assert window.complete_years("financial") == [2016, 2017, 2018, 2019, 2020, 2021]
    assert window.last_complete_months(2) == ["2022-02", "2022-03"]
    assert Window(None, None).complete_months() == []


def test_district_filter_needs_areas(tmp_path: Path) -> None:
    data = write_dataset(
        tmp_path / "d",
        [crime("C1")],
        [person("V1"), person("P1", "M")],
        [link("C1", "V1", "victim"), link("C1", "P1", "suspect")],
    )
    ingest(data, tmp_path / "s.duckdb")
    with pytest.raises(DatasetError, match="district filter needs areas"):
        Dataset.open(tmp_path / "s.duckdb", Options(Scope(districts=("Alpha",))))


def test_crimes_only_dataset_takes_the_chosen_crime_types(tmp_path: Path) -> None:
    crimes = [
        crime("C1", domestic="", crime_type="Violence and sexual offences"),
        crime("C2", domestic="", crime_type="Burglary"),
    ]
    ingest(write_dataset(tmp_path / "d", crimes), tmp_path / "s.duckdb")
    ds = Dataset.open(tmp_path / "s.duckdb")
    assert ds.crimes_only and _ids(ds) == ["C1"]
    assert ds.counts() == {"crimes": 1, "victims": None, "perpetrators": None}
    both = Options(Scope(crime_types=("Burglary", "Violence and sexual offences")))
    assert _ids(Dataset.open(tmp_path / "s.duckdb", both)) == ["C1", "C2"]


def test_invalid_scope_values_are_refused() -> None:
    with pytest.raises(ValueError, match="victim_sex"):
        Scope(victim_sex="female")
    with pytest.raises(ValueError, match="unknown offence group"):
        Scope(offence_groups=("assault",))


# --- months missing from the data and month-level dates -------------------------------------

#: The months of the Kent police.uk files: 2018-10 … 2019-02, 2021-03 … 2022-03, 2024-01 … 04.
KENT_MONTHS = frozenset(
    [f"2018-{m}" for m in ("10", "11", "12")]
    + ["2019-01", "2019-02", "2021-03"]
    + [f"2021-{m:02d}" for m in range(4, 13)]
    + [f"2022-{m:02d}" for m in range(1, 4)]
    + [f"2024-{m:02d}" for m in range(1, 5)]
)


def test_a_month_missing_from_the_data_is_not_complete() -> None:
    window = Window(datetime(2018, 10, 1), datetime(2024, 4, 1), KENT_MONTHS, True)
    # Only April 2021 – March 2022 has all 12 months; no calendar year does (2021 lacks Jan-Feb).
    assert window.complete_years("financial") == [2021]
    assert window.complete_years() == []
    assert window.complete_months()[:5] == ["2018-10", "2018-11", "2018-12", "2019-01", "2019-02"]
    assert len(window.complete_months()) == 22
    # the last 12 calendar months end at 2024-04; only four of them hold data
    assert window.last_complete_months(12) == ["2024-01", "2024-02", "2024-03", "2024-04"]


def test_the_last_month_of_month_level_records_is_complete() -> None:
    months = frozenset(f"2021-{m:02d}" for m in range(1, 13))
    month_level = Window(datetime(2021, 1, 1), datetime(2021, 12, 1), months, True)
    assert month_level.complete_months()[-1] == "2021-12"
    assert month_level.complete_years() == [2021]
    # the same span of exact dates ends on 1 December: December is cut short
    exact = Window(datetime(2021, 1, 1), datetime(2021, 12, 1), months, False)
    assert exact.complete_months()[-1] == "2021-11"
    assert exact.complete_years() == []


def _month_level(crime_id: str, month: str, crime_type: str = "Violence and sexual offences"):
    return crime(
        crime_id,
        occurred_from=f"{month}-01T00:00:00",
        recorded_date=f"{month}-01",
        time_precision="month",
        domestic="",
        crime_type=crime_type,
    )


def test_the_window_knows_the_months_present_and_month_precision(tmp_path: Path) -> None:
    # Month-level crimes in 2021-01 … 2021-12 except June; in May only a burglary (out of
    # scope): May has data, so it is complete with no crime in scope, while June is a gap.
    months = [f"2021-{m:02d}" for m in range(1, 13) if m not in (5, 6)]
    crimes = [_month_level(f"C{m}", m) for m in months] + [
        _month_level("B5", "2021-05", "Burglary")
    ]
    ingest(write_dataset(tmp_path / "d", crimes), tmp_path / "s.duckdb")
    window = Dataset.open(tmp_path / "s.duckdb").window
    assert window.month_precision
    assert window.months_present == frozenset([*months, "2021-05"])
    assert "2021-05" in window.complete_months() and "2021-06" not in window.complete_months()
    assert window.complete_months()[-1] == "2021-12"  # month-level: December is whole
    assert window.complete_years() == []  # June is missing


def test_a_full_year_of_month_level_records_is_complete(tmp_path: Path) -> None:
    crimes = [_month_level(f"C{m}", f"2021-{m:02d}") for m in range(1, 13)]
    ingest(write_dataset(tmp_path / "d", crimes), tmp_path / "s.duckdb")
    window = Dataset.open(tmp_path / "s.duckdb").window
    assert window.complete_years() == [2021]
    assert window.last_complete_months(12) == [f"2021-{m:02d}" for m in range(1, 13)]


def test_the_profile_engine_has_a_memory_ceiling_and_a_private_spill_folder(
    store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VAWGSCOPE_PROFILE_MEMORY_LIMIT", "300MB")
    ds = Dataset.open(store)
    limit, spill = ds.con.raw_sql(
        "SELECT current_setting('memory_limit'), current_setting('temp_directory')"
    ).fetchone()
    assert limit == "286.1 MiB"  # 300 MB = 300,000,000 bytes
    assert Path(spill).name.startswith("vawgscope-spill-")
    monkeypatch.delenv("VAWGSCOPE_PROFILE_MEMORY_LIMIT")
    default = profile_memory_limit()
    assert default.endswith("MB") and 0 < int(default[:-2]) <= 8 * 1024
