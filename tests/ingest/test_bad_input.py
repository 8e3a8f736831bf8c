"""Each kind of bad input gives the precise reject (or stop) and loses nothing."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from tests.helpers import (
    crime,
    link,
    person,
    read_rejects,
    simple_dataset,
    write_csv,
    write_dataset,
)
from vawgscope.ingest import IngestError, ingest


def _ingest(data: Path, tmp_path: Path):
    report = ingest(data, tmp_path / "store" / "store.duckdb")
    for t in report.tables.values():
        assert t.loaded + t.rejected == t.read
    return report


def _rejects(tmp_path: Path, table: str) -> list[dict[str, str]]:
    return read_rejects(tmp_path / "store" / "rejects" / f"{table}.csv")


def test_wrong_type_is_rejected_with_file_row_and_column(tmp_path: Path) -> None:
    data = write_dataset(
        tmp_path / "d",
        [crime("C1"), crime("C2", recorded_date="04/13/2021"), crime("C3", outcome_code="one")],
    )
    report = _ingest(data, tmp_path)
    assert (report.tables["crimes"].loaded, report.tables["crimes"].rejected) == (1, 2)
    rejects = _rejects(tmp_path, "crimes")
    assert [(r["row"], r["column"]) for r in rejects] == [
        ("3", "recorded_date"),
        ("4", "outcome_code"),
    ]
    assert rejects[0]["file"].endswith("crimes.csv")
    assert rejects[0]["reason"] == "recorded_date: expected a date (YYYY-MM-DD), got '04/13/2021'"
    assert rejects[1]["reason"] == "outcome_code: expected a whole number, got 'one'"
    assert rejects[1]["crime_id"] == "C3"  # the raw row travels with its reason


def test_bad_vocabulary_value_names_the_allowed_values(tmp_path: Path) -> None:
    data = write_dataset(
        tmp_path / "d", [crime("C1", location_type="Dwelling"), crime("C2", location_type="garden")]
    )
    _ingest(data, tmp_path)
    (reject,) = _rejects(tmp_path, "crimes")
    assert reject["row"] == "3"
    assert reject["reason"].startswith("location_type: expected one of dwelling, street,")
    assert reject["reason"].endswith("; got 'garden'")
    with duckdb.connect(str(tmp_path / "store" / "store.duckdb"), read_only=True) as con:
        assert con.execute("SELECT location_type FROM crimes").fetchall() == [("dwelling",)]


def test_duplicate_id_keeps_the_first_and_names_it(tmp_path: Path) -> None:
    data = write_dataset(
        tmp_path / "d", [crime("C1"), crime("C2"), crime("C1", offence_group="rape")]
    )
    report = _ingest(data, tmp_path)
    assert report.tables["crimes"].loaded == 2
    (reject,) = _rejects(tmp_path, "crimes")
    assert reject["row"] == "4"
    assert reject["reason"].startswith("crime_id: duplicate crime_id 'C1' (first at ")
    assert reject["reason"].endswith("crimes.csv row 2)")


def test_dangling_links_are_rejected(tmp_path: Path) -> None:
    data = write_dataset(
        tmp_path / "d",
        [crime("C1"), crime("C2", offence_group="nonsense")],
        [person("V1"), person("P1", "M")],
        [
            link("C1", "V1", "victim"),
            link("C1", "P9", "suspect"),
            link("C2", "V1", "victim"),
            link("C7", "P1", "offender"),
        ],
    )
    report = _ingest(data, tmp_path)
    assert report.tables["crime_persons"].loaded == 1
    reasons = {r["row"]: r["reason"] for r in _rejects(tmp_path, "crime_persons")}
    assert reasons == {
        "3": "person_id: 'P9' is not in persons (missing or rejected there)",
        "4": "crime_id: 'C2' is not in crimes (missing or rejected there)",
        "5": "crime_id: 'C7' is not in crimes (missing or rejected there)",
    }


def test_inverted_times_are_rejected(tmp_path: Path) -> None:
    data = write_dataset(
        tmp_path / "d",
        [
            crime("C1", occurred_from="2021-07-03T23:00:00", occurred_to="2021-07-04T01:00:00"),
            crime("C2", occurred_from="2021-07-03T23:00:00", occurred_to="2021-07-03T22:59:00"),
        ],
    )
    _ingest(data, tmp_path)
    (reject,) = _rejects(tmp_path, "crimes")
    assert reject["row"] == "3"
    assert reject["reason"] == (
        "occurred_to: 2021-07-03 22:59:00 is before occurred_from 2021-07-03 23:00:00"
    )


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        (
            {"easting": "576000", "northing": "-5"},
            "northing: -5 is below the plausible minimum 0",
        ),
        ({"easting": "576000"}, "easting: easting and northing must be given together"),
        (
            {"latitude": "95", "longitude": "0.5"},
            "latitude: 95.0 is above the plausible maximum 60.95",
        ),
        (
            {"latitude": "51.2", "longitude": ""},
            "latitude: latitude and longitude must be given together",
        ),
    ],
)
def test_bad_coordinates_are_rejected(tmp_path: Path, fields: dict[str, str], reason: str) -> None:
    columns = ["easting", "northing", "latitude", "longitude"]
    good = crime("C1", easting="576000", northing="155000", latitude="", longitude="")
    data = write_dataset(
        tmp_path / "d", [good, crime("C2", **{c: fields.get(c, "") for c in columns})]
    )
    _ingest(data, tmp_path)
    (reject,) = _rejects(tmp_path, "crimes")
    assert reject["reason"] == reason


def test_latitude_longitude_become_british_national_grid(tmp_path: Path) -> None:
    # ONS publishes the centroid of Medway 015A as 51.37755 N, 0.524689 E = (575802, 167303).
    data = write_dataset(tmp_path / "d", [crime("C1", latitude="51.37755", longitude="0.524689")])
    _ingest(data, tmp_path)
    with duckdb.connect(str(tmp_path / "store" / "store.duckdb"), read_only=True) as con:
        easting, northing = con.execute("SELECT easting, northing FROM crimes").fetchone()
    assert abs(easting - 575_802) <= 10 and abs(northing - 167_303) <= 10


def test_missing_required_column_stops_with_one_message(tmp_path: Path) -> None:
    rows = [{k: v for k, v in crime("C1").items() if k != "offence_group"}]
    write_csv(tmp_path / "d" / "crimes.csv", rows)
    with pytest.raises(IngestError) as error:
        ingest(tmp_path / "d", tmp_path / "store.duckdb")
    message = str(error.value)
    assert "crimes.csv: missing required column 'offence_group'" in message
    assert "Columns found: crime_id, recorded_date" in message
    assert not (tmp_path / "store.duckdb").exists()


def test_malformed_csv_lines_are_rejected_with_their_text(tmp_path: Path) -> None:
    path = simple_dataset(tmp_path / "d") / "crimes.csv"
    lines = path.read_text().splitlines()
    lines.insert(2, "C9,2021-07-04,2021-07-03T14:00:00,,harassment,true")  # too few fields
    lines.append('C8,2021-07-04,"2021-07-03,,harassment,true,dwelling')  # unterminated quote
    path.write_text("\n".join(lines) + "\n")
    report = _ingest(path.parent, tmp_path)
    assert report.tables["crimes"].read == 4
    assert report.tables["crimes"].loaded == 2
    rejects = _rejects(tmp_path, "crimes")
    assert [r["row"] for r in rejects] == ["3", "5"]
    assert "missing columns" in rejects[0]["reason"]
    assert rejects[0]["raw_line"] == "C9,2021-07-04,2021-07-03T14:00:00,,harassment,true"


def test_wrong_encoding_rejects_the_row_and_says_how_to_fix_it(tmp_path: Path) -> None:
    path = simple_dataset(tmp_path / "d") / "crimes.csv"
    text = path.read_bytes() + b"C3,2021-07-04,2021-07-03T14:00:00,,harassment,true,dwelling\n"
    text = text.replace(b"C3,", "C3\u00e9,".encode("latin-1"))  # a Latin-1 byte in UTF-8 text
    path.write_bytes(text)
    report = _ingest(path.parent, tmp_path)
    assert report.tables["crimes"].loaded == 2
    (reject,) = _rejects(tmp_path, "crimes")
    assert reject["row"] == "4"
    assert "invalid encoding" in reject["reason"].lower()
    assert "set `encoding:`" in reject["reason"]


def test_latin1_file_reads_with_a_mapping(tmp_path: Path) -> None:
    path = simple_dataset(tmp_path / "d") / "crimes.csv"
    path.write_bytes(path.read_text().replace("C2,", "C2\u00e9,").encode("latin-1"))
    (tmp_path / "m.yaml").write_text("tables:\n  crimes:\n    encoding: latin-1\n")
    from vawgscope.contract.mapping import load_mapping

    report = ingest(path.parent, tmp_path / "s.duckdb", mapping=load_mapping(tmp_path / "m.yaml"))
    assert report.tables["crimes"].loaded == 2
    assert report.tables["crime_persons"].rejected == 2  # C2 is now C2é: its links dangle


def test_unreadable_file_stops_the_run(tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "crimes.csv").write_bytes(b"")
    with pytest.raises(IngestError, match=r"crimes.csv: the file is empty"):
        ingest(tmp_path / "d", tmp_path / "s.duckdb")
    (tmp_path / "d" / "crimes.csv").unlink()
    (tmp_path / "d" / "crimes.parquet").write_bytes(b"not parquet at all")
    with pytest.raises(IngestError, match=r"crimes.parquet: cannot read this Parquet file"):
        ingest(tmp_path / "d", tmp_path / "s.duckdb")


def test_persons_without_links_stop_the_run(tmp_path: Path) -> None:
    data = write_dataset(tmp_path / "d", [crime("C1")], [person("V1")])
    with pytest.raises(IngestError, match="persons is given without crime_persons"):
        ingest(data, tmp_path / "s.duckdb")


def test_implausible_dates_and_birth_years(tmp_path: Path) -> None:
    data = write_dataset(
        tmp_path / "d",
        [crime("C1"), crime("C2", occurred_from="2099-01-01T10:00:00", recorded_date="2099-01-02")],
        [person("V1"), person("P1", "M", 1850), person("P2", "M", "1989-06-30")],
        [link("C1", "V1", "victim")],
    )
    _ingest(data, tmp_path)
    (crime_reject,) = _rejects(tmp_path, "crimes")
    assert "is after the latest plausible date" in crime_reject["reason"]
    (person_reject,) = _rejects(tmp_path, "persons")
    assert person_reject["reason"] == "birth_year: 1850 is below the plausible minimum 1900"
    with duckdb.connect(str(tmp_path / "store" / "store.duckdb"), read_only=True) as con:
        years = sorted(r[0] for r in con.execute("SELECT birth_year FROM persons").fetchall())
    assert years == [1989, 1990]  # a full date of birth is reduced to its year


def test_header_with_names_differing_only_by_case_stops_the_run(tmp_path: Path) -> None:
    path = simple_dataset(tmp_path / "d") / "crimes.csv"
    path.write_text(path.read_text().replace("location_type", "Crime_ID", 1))
    with pytest.raises(IngestError, match=r"row 1 \(header\): duplicate column name\(s\)"):
        ingest(path.parent, tmp_path / "s.duckdb")
