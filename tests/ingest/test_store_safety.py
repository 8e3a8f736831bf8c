"""Pseudonymisation and the all-or-nothing store."""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from tests.helpers import crime, link, person, read_rejects, simple_dataset, write_dataset
from vawgscope.ingest import IngestError, ingest, run
from vawgscope.ingest.pseudonymise import load_or_create_secret, pseudonym


def _person_ids(store: Path) -> list[str]:
    with duckdb.connect(str(store), read_only=True) as con:
        return sorted(r[0] for r in con.execute("SELECT person_id FROM persons").fetchall())


def test_pseudonyms_are_deterministic_under_one_key_and_differ_under_another(
    tmp_path: Path,
) -> None:
    data = simple_dataset(tmp_path / "d")
    key_a, key_b = tmp_path / "a" / "secret.key", tmp_path / "b" / "secret.key"
    ingest(data, tmp_path / "1.duckdb", secret_path=key_a)
    ingest(data, tmp_path / "2.duckdb", secret_path=key_a)
    ingest(data, tmp_path / "3.duckdb", secret_path=key_b)
    first, again, other = (_person_ids(tmp_path / f"{n}.duckdb") for n in (1, 2, 3))
    assert first == again
    assert set(first).isdisjoint(other)
    expected = sorted(pseudonym(load_or_create_secret(key_a), raw) for raw in ("P1", "V1"))
    assert first == expected


def test_raw_ids_appear_nowhere_in_the_store(tmp_path: Path) -> None:
    raw_ids = ["VICTIM-ALPHA-0001", "SUSPECT-BRAVO-0002"]
    data = write_dataset(
        tmp_path / "d",
        [crime("C1")],
        [person(raw_ids[0], "F"), person(raw_ids[1], "M", 1980)],
        [link("C1", raw_ids[0], "victim"), link("C1", raw_ids[1], "suspect")],
    )
    store = tmp_path / "s.duckdb"
    report = ingest(data, store)
    content = store.read_bytes()
    for raw in raw_ids:
        assert raw.encode() not in content
    with duckdb.connect(str(store), read_only=True) as con:
        links = con.execute("SELECT person_id FROM crime_persons").fetchall()
    assert all(p.startswith("p_") for (p,) in links)
    # The lookup beside the secret lets an authorised analyst re-identify.
    assert report.lookup is not None and report.lookup.parent.parent == report.secret.parent
    lookup = pq.read_table(report.lookup).to_pylist()
    assert sorted(r["original_id"] for r in lookup) == sorted(raw_ids)
    assert {r["pseudonym"] for r in lookup} == {p for (p,) in links}


def test_person_extra_columns_are_not_stored(tmp_path: Path) -> None:
    data = write_dataset(
        tmp_path / "d",
        [crime("C1")],
        [person("V1", name="Jane Doe", date_of_birth="1990-02-03")],
        [link("C1", "V1", "victim")],
    )
    ingest(data, tmp_path / "s.duckdb")
    assert b"Jane Doe" not in (tmp_path / "s.duckdb").read_bytes()
    with duckdb.connect(str(tmp_path / "s.duckdb"), read_only=True) as con:
        columns = [r[0] for r in con.execute("DESCRIBE persons").fetchall()]
    assert "name" not in columns and "date_of_birth" not in columns


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_failed_ingest_leaves_the_previous_store_and_rejects(tmp_path: Path, monkeypatch) -> None:
    data = write_dataset(
        tmp_path / "d",
        [crime("C1"), crime("C2", domestic="perhaps")],
        [person("V1")],
        [link("C1", "V1", "victim")],
    )
    store = tmp_path / "out" / "store.duckdb"
    ingest(data, store)
    before = (_digest(store), _digest(tmp_path / "out" / "rejects" / "crimes.csv"))

    def broken(*args, **kwargs):
        raise IngestError("disk full while writing rejects")

    # Fail half-way: after crimes and persons are loaded, while finishing crime_persons.
    original = run._write_rejects
    monkeypatch.setattr(
        run,
        "_write_rejects",
        lambda con, tp, *a: broken() if tp.table.name == "crime_persons" else original(con, tp, *a),
    )
    with pytest.raises(IngestError, match="disk full"):
        ingest(data, store)
    after = (_digest(store), _digest(tmp_path / "out" / "rejects" / "crimes.csv"))
    assert after == before
    assert [p.name for p in store.parent.iterdir() if p.name.startswith(".")] == []


def test_parquet_tables_load_like_csv(tmp_path: Path) -> None:
    csv_dir = simple_dataset(tmp_path / "csv")
    pq_dir = tmp_path / "pq"
    pq_dir.mkdir()
    with duckdb.connect() as con:
        for name in ("crimes", "persons", "crime_persons"):
            con.execute(
                f"COPY (SELECT * FROM read_csv('{csv_dir / name}.csv', all_varchar = true)) "
                f"TO '{pq_dir / name}.parquet' (FORMAT parquet)"
            )
    a = ingest(csv_dir, tmp_path / "a.duckdb")
    b = ingest(pq_dir, tmp_path / "b.duckdb")
    assert a.fingerprint == b.fingerprint
    assert {t.loaded for t in b.tables.values()} == {2, 4}


def test_crimes_only_dataset_ingests_without_persons(tmp_path: Path) -> None:
    data = write_dataset(tmp_path / "d", [crime("C1", domestic=""), crime("C2", domestic="")])
    report = ingest(data, tmp_path / "s.duckdb")
    assert report.crimes_only and report.lookup is None
    assert report.tables["crimes"].loaded == 2


def test_rejects_row_numbers_survive_batch_boundaries(tmp_path: Path, monkeypatch) -> None:
    from vawgscope.ingest import sources

    monkeypatch.setattr(sources, "BATCH_ROWS", 3)
    rows = [crime(f"C{i}") for i in range(1, 12)]
    rows[4]["offence_group"] = "bad"  # row 6
    rows[9]["domestic"] = "bad"  # row 11
    data = write_dataset(tmp_path / "d", rows)
    path = data / "crimes.csv"
    lines = path.read_text().splitlines()
    lines.insert(7, "broken,line")  # becomes row 8; later rows shift by one
    path.write_text("\n".join(lines) + "\n")
    ingest(data, tmp_path / "s.duckdb")
    rejects = read_rejects(tmp_path / "rejects" / "crimes.csv")
    assert [(r["row"], r["column"]) for r in rejects] == [
        ("6", "offence_group"),
        ("8", "occurred_from"),
        ("12", "domestic"),
    ]
    assert rejects[1]["raw_line"] == "broken,line"
    assert "missing columns" in rejects[1]["reason"]
