"""Property tests of the readers, the validators and the mapping."""

from __future__ import annotations

import string
from pathlib import Path
from tempfile import TemporaryDirectory

import duckdb
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers import crime, read_rejects, write_dataset
from vawgscope.contract.mapping import parse_mapping
from vawgscope.contract.vocab import LOCATION_TYPES, OFFENCE_GROUPS
from vawgscope.ingest import ingest

SETTINGS = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
TEXT = st.text(
    alphabet=st.sampled_from(list(string.ascii_letters + string.digits + " ,;\"'\n-–éü漢😀/\\")),
    max_size=30,
)


@SETTINGS
@given(values=st.lists(TEXT, min_size=1, max_size=8))
def test_any_text_survives_the_csv_reader(values: list[str]) -> None:
    rows = [crime(f"C{i}", crime_type=v, note=v) for i, v in enumerate(values)]
    with TemporaryDirectory() as tmp:
        data = write_dataset(Path(tmp) / "d", rows)
        report = ingest(data, Path(tmp) / "s.duckdb")
        assert report.tables["crimes"].loaded == len(values)
        with duckdb.connect(str(Path(tmp) / "s.duckdb"), read_only=True) as con:
            stored = con.execute("SELECT crime_type, note FROM crimes").fetchall()
    assert [note or "" for _, note in stored] == values  # extras are kept exactly
    assert [t for t, _ in stored] == [v.strip(" ") or None for v in values]


ROW = st.fixed_dictionaries(
    {
        "offence_group": st.one_of(st.sampled_from(OFFENCE_GROUPS), st.just("not-a-group")),
        "location_type": st.one_of(st.sampled_from(LOCATION_TYPES), st.just("moon")),
        "domestic": st.sampled_from(["true", "false", "Y", "n", "maybe"]),
        "outcome_code": st.one_of(st.integers(-3, 30).map(str), st.just("")),
    }
)


def _valid(row: dict[str, str]) -> bool:
    return (
        row["offence_group"] in OFFENCE_GROUPS
        and row["location_type"] in LOCATION_TYPES
        and row["domestic"] != "maybe"
        and (row["outcome_code"] == "" or 1 <= int(row["outcome_code"]) <= 22)
    )


@SETTINGS
@given(rows=st.lists(ROW, min_size=1, max_size=15))
def test_every_row_is_loaded_or_rejected_at_its_own_row(rows: list[dict[str, str]]) -> None:
    with TemporaryDirectory() as tmp:
        data = write_dataset(Path(tmp) / "d", [crime(f"C{i}", **r) for i, r in enumerate(rows)])
        report = ingest(data, Path(tmp) / "s.duckdb")
        rejected_rows = [int(r["row"]) for r in read_rejects(Path(tmp) / "rejects" / "crimes.csv")]
    table = report.tables["crimes"]
    assert table.read == len(rows) == table.loaded + table.rejected
    assert rejected_rows == [i + 2 for i, r in enumerate(rows) if not _valid(r)]


NAMES = (
    st.text(alphabet=string.ascii_letters + " _", min_size=1, max_size=12)
    .map(str.strip)
    .filter(bool)
)


@SETTINGS
@given(
    names=st.lists(NAMES, min_size=7, max_size=7, unique_by=str.lower),
    codes=st.lists(
        st.text(alphabet=string.ascii_uppercase, min_size=1, max_size=5),
        min_size=len(OFFENCE_GROUPS),
        max_size=len(OFFENCE_GROUPS),
        unique=True,
    ),
)
def test_a_mapped_export_loads_the_same_as_a_contract_export(
    names: list[str], codes: list[str]
) -> None:
    contract_rows = [crime(f"C{i}", offence_group=g) for i, g in enumerate(OFFENCE_GROUPS)]
    columns = list(contract_rows[0])
    rename = dict(zip(columns, names, strict=True))
    recode = dict(zip(codes, OFFENCE_GROUPS, strict=True))
    export_rows = [
        {
            rename[k]: (codes[OFFENCE_GROUPS.index(v)] if k == "offence_group" else v)
            for k, v in row.items()
        }
        for row in contract_rows
    ]
    mapping = parse_mapping(
        {
            "tables": {
                "crimes": {
                    "columns": {contract: export for contract, export in rename.items()},
                    "recode": {"offence_group": recode},
                }
            }
        }
    )
    with TemporaryDirectory() as tmp:
        plain = ingest(write_dataset(Path(tmp) / "a", contract_rows), Path(tmp) / "a.duckdb")
        mapped = ingest(
            write_dataset(Path(tmp) / "b", export_rows), Path(tmp) / "b.duckdb", mapping=mapping
        )
    assert mapped.tables["crimes"].rejected == 0
    assert mapped.fingerprint == plain.fingerprint


@SETTINGS
@given(year=st.integers(1800, 2100))
def test_birth_years_outside_the_plausible_range_are_rejected(year: int) -> None:
    from datetime import date

    from tests.helpers import link, person

    with TemporaryDirectory() as tmp:
        data = write_dataset(
            Path(tmp) / "d",
            [crime("C1")],
            [person("V1", birth_year=year)],
            [link("C1", "V1", "victim")],
        )
        report = ingest(data, Path(tmp) / "s.duckdb")
    assert report.tables["persons"].loaded == int(1900 <= year <= date.today().year)
