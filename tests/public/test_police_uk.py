"""The police.uk reader on tiny hand-made street and outcomes files, good and bad."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pytest

from tests.helpers import read_rejects
from vawgscope.contract.outcomes import police_uk_outcomes
from vawgscope.ingest import IngestError, ingest
from vawgscope.ingest.police_uk import OUTCOME_COLUMNS, STREET_COLUMNS

KENT = "Kent Police"


def street(crime_id: str, month: str, crime_type: str = "Violence and sexual offences", **kw):
    row = {
        "Crime ID": crime_id,
        "Month": month,
        "Reported by": KENT,
        "Falls within": KENT,
        "Longitude": "0.522",
        "Latitude": "51.272",
        "Location": "On or near High Street",
        "LSOA code": "E01024374",
        "LSOA name": "Maidstone 001A",
        "Crime type": crime_type,
        "Last outcome category": "Under investigation",
        "Context": "",
    }
    return row | kw


def outcome(crime_id: str, month: str, kind: str, force: str = KENT) -> dict[str, str]:
    return {
        "Crime ID": crime_id,
        "Month": month,
        "Reported by": force,
        "Falls within": force,
        "Longitude": "0.522",
        "Latitude": "51.272",
        "Location": "On or near High Street",
        "LSOA code": "E01024374",
        "LSOA name": "Maidstone 001A",
        "Outcome type": kind,
    }


def write(path: Path, rows: list[dict[str, str]], columns, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding=encoding) as handle:
        writer = csv.DictWriter(handle, fieldnames=list(columns))
        writer.writeheader()
        writer.writerows(rows)
    return path


def download(folder: Path) -> Path:
    """Two months as police.uk publishes them, in month folders.

    2021-01: A (violence), B (robbery), an anti-social behaviour row with no Crime ID, and D
    published twice (first with no location, then located). 2021-02: C (violence, no
    location). Outcomes: A is 'Unable to prosecute suspect' in 2021-02 and then charged in
    2021-03; B has a caution and a charge both in 2021-02 (a tie: the charge wins); X is an
    outcome of a crime not in these street files.
    """
    write(
        folder / "2021-01" / "2021-01-kent-street.csv",
        [
            street("A", "2021-01"),
            street("B", "2021-01", "Robbery", **{"Last outcome category": "Local resolution"}),
            street("", "2021-01", "Anti-social behaviour", **{"Last outcome category": ""}),
            street("D", "2021-01", Longitude="", Latitude="", **{"LSOA code": ""}),
            street("D", "2021-01", **{"LSOA code": "E01024375"}),
        ],
        STREET_COLUMNS,
    )
    write(
        folder / "2021-02" / "2021-02-kent-street.csv",
        [street("C", "2021-02", Longitude="", Latitude="", **{"LSOA code": ""})],
        STREET_COLUMNS,
    )
    write(
        folder / "2021-02" / "2021-02-kent-outcomes.csv",
        [
            outcome("A", "2021-02", "Unable to prosecute suspect"),
            outcome("B", "2021-02", "Offender given a caution"),
            outcome("B", "2021-02", "Suspect charged"),
            outcome("X", "2021-02", "Suspect charged"),
        ],
        OUTCOME_COLUMNS,
    )
    write(
        folder / "2021-03" / "2021-03-kent-outcomes.csv",
        [outcome("A", "2021-03", "Suspect charged")],
        OUTCOME_COLUMNS,
    )
    return folder


def load(tmp_path: Path, folder: Path, name: str = "s.duckdb"):
    store = tmp_path / name
    report = ingest(folder, store, secret_path=tmp_path / "k" / "secret.key", format="police-uk")
    con = duckdb.connect(str(store), read_only=True)
    crimes = {
        r[0]: r
        for r in con.execute(
            "SELECT crime_id, CAST(occurred_from AS VARCHAR), time_precision, crime_type, "
            "offence_group, lsoa_code, outcome_code, CAST(outcome_date AS VARCHAR), "
            "outcome_type, outcome_group, outcome_source, easting IS NOT NULL "
            "FROM crimes"
        ).fetchall()
    }
    meta = dict(con.execute("SELECT key, value FROM _vawgscope_meta").fetchall())
    con.close()
    return report, crimes, meta


def test_street_rows_become_month_level_crimes_with_their_latest_outcome(tmp_path: Path) -> None:
    report, crimes, meta = load(tmp_path, download(tmp_path / "d"))
    assert sorted(crimes) == ["A", "B", "C", "D"]
    a = crimes["A"]
    assert a[1:6] == (
        "2021-01-01 00:00:00",
        "month",
        "Violence and sexual offences",
        "other",
        "E01024374",
    )
    # A: 2021-02 'Unable to prosecute' is superseded by the 2021-03 charge
    assert a[6:11] == (1, "2021-03-01", "Suspect charged", "charged_or_summonsed", "outcomes file")
    assert a[11] is True  # latitude/longitude became easting/northing
    # B: caution and charge in the same month; the charge has the lower precedence
    assert crimes["B"][4] == "robbery"
    assert crimes["B"][6:9] == (1, "2021-02-01", "Suspect charged")
    # C: no outcomes-file row, so the street file's category, undated and with no outcome code
    assert crimes["C"][6:11] == (
        None,
        None,
        "Under investigation",
        "under_investigation",
        "street file",
    )
    assert crimes["C"][5] is None and crimes["C"][11] is False
    # D: the located copy is kept
    assert crimes["D"][5] == "E01024375"
    table = report.tables["crimes"]
    assert (table.read, table.loaded, table.rejected) == (6, 4, 2)
    assert meta["police_uk.no_crime_id"] == "1"
    assert meta["police_uk.duplicate_crime_ids"] == "1"
    assert meta["police_uk.outcome_rows"] == "5"
    assert meta["police_uk.outcome_rows_unmatched"] == "1"  # X
    assert meta["format"] == "police-uk" and meta["tier"] == "crimes_only"


def test_empty_ids_and_repeated_ids_are_rejected_with_their_reason(tmp_path: Path) -> None:
    report, _, _ = load(tmp_path, download(tmp_path / "d"))
    rejects = read_rejects(report.rejects_dir / "crimes.csv")
    assert [(r["row"], r["Crime type"]) for r in rejects] == [
        ("4", "Anti-social behaviour"),
        ("5", "Violence and sexual offences"),
    ]
    assert rejects[0]["reason"].startswith("crime_id: no Crime ID (police.uk publishes anti-social")
    # the unlocated first copy of D goes; the reason names the row kept (row 6)
    assert "published more than once" in rejects[1]["reason"]
    assert rejects[1]["reason"].endswith("2021-01-kent-street.csv row 6")


def test_a_month_of_another_force_is_rejected_not_mixed(tmp_path: Path) -> None:
    folder = download(tmp_path / "d")
    essex = [
        street(
            f"E{i}", "2021-02", **{"Reported by": "Essex Police", "Falls within": "Essex Police"}
        )
        for i in range(2)
    ]
    write(folder / "2021-02" / "2021-02-essex-street.csv", essex, STREET_COLUMNS)
    report, crimes, meta = load(tmp_path, folder)
    assert sorted(crimes) == ["A", "B", "C", "D"]
    assert meta["police_uk.force"] == KENT and meta["police_uk.foreign_force_rows"] == "2"
    reasons = [r["reason"] for r in read_rejects(report.rejects_dir / "crimes.csv")]
    assert sum("a row of another force" in r and "'Essex Police'" in r for r in reasons) == 2


def test_a_renamed_column_stops_the_ingest_and_keeps_the_old_store(tmp_path: Path) -> None:
    folder = download(tmp_path / "d")
    load(tmp_path, folder)
    before = (tmp_path / "s.duckdb").read_bytes()
    path = folder / "2021-02" / "2021-02-kent-street.csv"
    text = path.read_text(encoding="utf-8").replace("Crime type", "Crime category", 1)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(IngestError) as error:
        load(tmp_path, folder)
    message = str(error.value)
    assert "2021-02-kent-street.csv" in message and "['Crime type']" in message
    assert "Crime category" in message  # the columns found are listed
    assert (tmp_path / "s.duckdb").read_bytes() == before


def test_a_file_that_is_not_utf8_is_read_as_latin1_and_named(tmp_path: Path) -> None:
    folder = download(tmp_path / "d")
    rows = [street("L1", "2021-02", Location="On or near Caf\u00e9 Row")]
    write(folder / "2021-02" / "2021-02-kent-street.csv", rows, STREET_COLUMNS, "latin-1")
    report, crimes, _ = load(tmp_path, folder)
    assert "L1" in crimes  # nothing lost
    assert any("2021-02-kent-street.csv: not valid UTF-8" in w for w in report.warnings)
    con = duckdb.connect(str(tmp_path / "s.duckdb"), read_only=True)
    assert con.execute("SELECT location FROM crimes WHERE crime_id = 'L1'").fetchone() == (
        "On or near Caf\u00e9 Row",
    )


def test_an_edition_lookup_recodes_lsoas_and_keeps_the_published_code(tmp_path: Path) -> None:
    folder = download(tmp_path / "d")
    (folder / "context").mkdir()
    (folder / "context" / "lsoa_editions.csv").write_text(
        "from_code,to_code,method\nE01024375,E01024374,centroid in polygon\n", encoding="utf-8"
    )
    _, crimes, meta = load(tmp_path, folder)
    assert crimes["D"][5] == "E01024374"
    assert meta["police_uk.lsoa_recoded"] == "1"
    con = duckdb.connect(str(tmp_path / "s.duckdb"), read_only=True)
    assert con.execute(
        "SELECT lsoa_code_published FROM crimes WHERE crime_id = 'D'"
    ).fetchone() == ("E01024375",)


def test_a_folder_without_street_files_says_so(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(IngestError, match=r"no police\.uk street files"):
        load(tmp_path, tmp_path / "empty")


def test_the_outcome_table_is_consistent_with_the_home_office_groups() -> None:
    from vawgscope.contract.outcomes import outcome_group

    table = police_uk_outcomes()
    for row in table.values():
        if row.outcome_code is not None:
            assert row.outcome_code in row.home_office_codes
            assert outcome_group(row.outcome_code) == row.outcome_group
        else:
            assert row.match in ("group", "none")
    assert table["Unable to prosecute suspect"].home_office_codes == (14, 15, 16)
    assert not table["Under investigation"].has_outcome
