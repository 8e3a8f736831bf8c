"""The restricted priority perpetrator list: scores, ranks, reasons, flags and revealing."""

from __future__ import annotations

import csv
import getpass
import json
import secrets
import stat
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import ibis
import pytest

from tests.analyses.test_escalation import _world
from tests.helpers import crime, link, person, write_dataset
from vawgscope import perpetrators as pp
from vawgscope import profile
from vawgscope.analyses import distance, escalation, reoffending
from vawgscope.dataset import Dataset
from vawgscope.ingest import IngestReport, ingest
from vawgscope.ingest.pseudonymise import load_or_create_secret, pseudonym

NOW = datetime(2022, 3, 31, 12, 0)


def _days_ago(days: int) -> str:
    return (NOW - timedelta(days=days)).isoformat()


#: name -> [(occurred_from, offence group), ...]; every crime has victim V1.
CAREERS: dict[str, list[tuple[str, str]]] = {
    # recency boundaries: one harassment crime each
    **{f"R{d}": [(_days_ago(d), "harassment")] for d in (0, 30, 31, 90, 91, 180, 181, 365, 366)},
    # frequency boundaries: n harassment crimes 100, 110, … days ago (all in the last 12 months)
    **{
        f"F{n}": [(_days_ago(100 + 10 * k), "harassment") for k in range(n)]
        for n in (10, 9, 5, 4, 3, 2)
    },
    # exactly 24 months before now: outside the last 24 months
    "F0": [("2020-03-31T12:00:00", "harassment")],
    # a minute later: inside; this crime has two victims
    "F1edge": [("2020-03-31T12:01:00", "harassment")],
    # gravity: one crime 200 days ago each
    "Grape": [(_days_ago(200), "rape")],
    "Gvwi": [(_days_ago(200), "violence_with_injury")],
    "Gos": [(_days_ago(200), "other_sexual")],
}


def _original(name: str) -> str:
    return f"ORIG-{name}"


def _ingest(folder: Path, careers: dict[str, list[tuple[str, str]]]) -> IngestReport:
    crimes, links = [], []
    for name, history in careers.items():
        for k, (when, group) in enumerate(history):
            cid = f"{name}-{k}"
            crimes.append(crime(cid, occurred_from=when, offence_group=group))
            links += [link(cid, _original("V1"), "victim"), link(cid, _original(name), "suspect")]
    persons = [person(_original("V1"), "F", 1990), person(_original("V2"), "F", 1990)]
    persons += [person(_original(name), "M", 1980) for name in careers]
    if "F1edge" in careers:
        links.append(link("F1edge-0", _original("V2"), "victim"))
    data = write_dataset(folder / "d", crimes, persons, links)
    return ingest(data, folder / "s.duckdb")


@pytest.fixture
def world(tmp_path: Path) -> tuple[Dataset, IngestReport, dict[str, str]]:
    report = _ingest(tmp_path, CAREERS)
    key = load_or_create_secret(report.secret)
    names = {pseudonym(key, _original(name)): name for name in CAREERS}
    return Dataset.open(report.store), report, names


def _by_name(rows: list[dict[str, Any]], names: dict[str, str]) -> dict[str, dict[str, Any]]:
    return {names[r["person_id"]]: r for r in rows}


def test_scores_at_every_band_boundary(world) -> None:
    ds, _, names = world
    rows = _by_name(pp.priority_perpetrators(ds), names)
    scores = {name: (r["recency"], r["frequency"], r["gravity"]) for name, r in rows.items()}
    # recency by days to now: ≤30 → 5, ≤90 → 4, ≤180 → 3, ≤365 → 2, more → 1.
    # gravity: 16 of the 19 perpetrators with a crime in 24 months have 10 days at most, so
    # every quintile cut point is 10: 10 → 1, anything above → 5.
    assert scores == {
        "R0": (5, 1, 1),
        "R30": (5, 1, 1),
        "R31": (4, 1, 1),
        "R90": (4, 1, 1),
        "R91": (3, 1, 1),
        "R180": (3, 1, 1),
        "R181": (2, 1, 1),
        "R365": (2, 1, 1),
        "R366": (1, 1, 1),
        # frequency: 10+ → 5, 5–9 → 4, 3–4 → 3, 2 → 2 (last crime 100 days ago → R 3)
        "F10": (3, 5, 1),
        "F9": (3, 4, 1),
        "F5": (3, 4, 1),
        "F4": (3, 3, 1),
        "F3": (3, 3, 1),
        "F2": (3, 2, 1),
        # 730 days; the crime exactly 24 months back is outside: F 0 and G 0
        "F0": (1, 0, 0),
        "F1edge": (1, 1, 1),
        "Grape": (2, 1, 5),
        "Gvwi": (2, 1, 5),
        "Gos": (2, 1, 5),
    }
    assert pp.gravity_cut_points(
        ibis.memtable({"highest_harm_24m": [10.0] * 16 + [182.25, 365.0, 2555.0]})
    ) == [10.0, 10.0, 10.0, 10.0]


def test_months_before_keeps_the_clock_and_clamps_the_day() -> None:
    assert pp.months_before(NOW, 24) == datetime(2020, 3, 31, 12, 0)
    assert pp.months_before(NOW, 1) == datetime(2022, 2, 28, 12, 0)
    assert pp.months_before(datetime(2021, 1, 15), 13) == datetime(2019, 12, 15)


def test_gravity_quintiles_on_paper() -> None:
    """Six values 10 … 60: cut points at positions 5p = 1, 2, 3, 4 → 20, 30, 40, 50.
    A value equal to a cut point falls in the lower quintile; no value → 0."""
    people = ibis.memtable(
        {"highest_harm_24m": [10.0, 20.0, 30.0, 40.0, 50.0, 60.0, None]},
        schema={"highest_harm_24m": "float64"},
    )
    assert pp.gravity_cut_points(people) == [20.0, 30.0, 40.0, 50.0]
    scored = people.mutate(g=pp.gravity_scores(people)).to_pyarrow().to_pylist()
    assert [r["g"] for r in scored] == [1, 1, 2, 3, 4, 5, 0]


def test_rank_order_and_ties(world) -> None:
    ds, _, names = world
    rows = pp.priority_perpetrators(ds)
    ranked = [(r["rank"], names[r["person_id"]], r["score"], r["harm_12m"]) for r in rows]
    # by R+F+G, then harm in the last 12 months (after 2021-03-31 12:00), then victims.
    # R0 and R30 are equal on all three and share rank 9 (listed by pseudonym);
    # R365's crime is exactly 12 months back: no 12-month harm; F1edge beats R366 on victims.
    tied = sorted(["R0", "R30"], key=lambda n: next(p for p, m in names.items() if m == n))
    assert ranked == [
        (1, "F10", 9, 100.0),
        (2, "Grape", 8, 2555.0),
        (3, "Gvwi", 8, 365.0),
        (4, "Gos", 8, 182.25),
        (5, "F9", 8, 90.0),
        (6, "F5", 8, 50.0),
        (7, "F4", 7, 40.0),
        (8, "F3", 7, 30.0),
        (9, tied[0], 7, 10.0),
        (9, tied[1], 7, 10.0),
        (11, "F2", 6, 20.0),
        *sorted(
            [(12, "R31", 6, 10.0), (12, "R90", 6, 10.0)],
            key=lambda r: next(p for p, m in names.items() if m == r[1]),
        ),
        *sorted(
            [(14, "R91", 5, 10.0), (14, "R180", 5, 10.0)],
            key=lambda r: next(p for p, m in names.items() if m == r[1]),
        ),
        (16, "R181", 4, 10.0),
        (17, "R365", 4, 0.0),
        (18, "F1edge", 3, 0.0),
        (19, "R366", 3, 0.0),
        (20, "F0", 1, 0.0),
    ]


def test_reasons_in_words(world) -> None:
    ds, _, names = world
    rows = _by_name(pp.priority_perpetrators(ds), names)
    assert rows["Grape"]["reasons"] == (
        "last crime 200 days ago; 1 crime in 24 months; rape in the last 24 months"
    )
    assert rows["F1edge"]["reasons"] == (
        "last crime 730 days ago; 1 crime in 24 months; harassment in the last 24 months; 2 victims"
    )
    assert rows["F0"]["reasons"] == "last crime 730 days ago; no crime in 24 months"
    assert rows["F10"]["reasons"].startswith("last crime 100 days ago; 10 crimes in 24 months")
    assert (rows["F10"]["crimes_total"], rows["F10"]["harm_total"]) == (10, 100.0)
    assert rows["F1edge"]["victims"] == 2 and rows["F1edge"]["last_crime"] == "2020-03-31"


def test_since_and_top(world) -> None:
    ds, _, names = world
    recent = pp.priority_perpetrators(ds, since=date(2022, 3, 1))
    # R0 (now) and R30 (1 March 12:00) have a crime on or after 1 March; ranks within the list
    assert sorted((r["rank"], names[r["person_id"]]) for r in recent) == [(1, "R0"), (1, "R30")]
    # rank ≤ 9 keeps both rows tied at 9: ten rows
    assert [r["rank"] for r in pp.priority_perpetrators(ds, top=9)] == [
        1,
        2,
        3,
        4,
        5,
        6,
        7,
        8,
        9,
        9,
    ]


def test_escalation_flags(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    careers = {
        "E1": [(_days_ago(10), "harassment"), (_days_ago(5), "controlling_coercive")],
        "E2": [
            (_days_ago(10), "harassment"),
            (_days_ago(6), "controlling_coercive"),
            (_days_ago(5), "rape"),
        ],
        "E3": [(_days_ago(3), "harassment")],
    }
    rules = [
        {
            "antecedents": ["harassment", "controlling_coercive"],
            "consequent": "rape",
            "support": 30,
            "confidence": 0.22,
            "lift": 2.6,
        },
        {
            "antecedents": ["harassment"],
            "consequent": "rape",
            "support": 40,
            "confidence": 0.1,
            "lift": 1.5,
        },
        {
            "antecedents": ["stalking"],
            "consequent": "violence_with_injury",
            "support": 30,
            "confidence": 0.5,
            "lift": 2.0,
        },
    ]
    monkeypatch.setattr(pp, "reported_rules", lambda ds: rules)
    report = _ingest(tmp_path, careers)
    key = load_or_create_secret(report.secret)
    names = {pseudonym(key, _original(n)): n for n in careers}
    rows = _by_name(pp.priority_perpetrators(Dataset.open(report.store)), names)
    # E1 holds H + CC without rape: both rape rules flag him; the reason names the higher lift
    assert rows["E1"]["escalation_flags"] == [
        "harassment + controlling_coercive ⇒ rape",
        "harassment ⇒ rape",
    ]
    assert rows["E1"]["reasons"].endswith(
        "; holds harassment + controlling/coercive, the antecedents of a rule for rape"
    )
    assert rows["E2"]["escalation_flags"] == []  # already holds the target
    assert rows["E3"]["escalation_flags"] == ["harassment ⇒ rape"]
    assert rows["E3"]["reasons"].endswith("holds harassment, the antecedents of a rule for rape")


def test_flags_use_the_reported_rules(tmp_path: Path) -> None:
    # the escalation test world with 30 stalkers: stalking ⇒ VWI and three rape rules reported;
    # only the 70 harassment + controlling/coercive perpetrators hold an antecedent set
    # without its target
    rows = pp.priority_perpetrators(Dataset.open(_world(tmp_path, stalkers=30)))
    flagged = [r for r in rows if r["escalation_flags"]]
    assert len(flagged) == 70
    assert {tuple(r["offence_groups"]) for r in flagged} == {("harassment", "controlling_coercive")}


def test_crimes_only_dataset_is_refused(tmp_path: Path) -> None:
    crimes = [crime("C1", domestic="", crime_type="Violence and sexual offences")]
    ingest(write_dataset(tmp_path / "d", crimes), tmp_path / "s.duckdb")
    with pytest.raises(pp.PriorityListError, match="crimes-only"):
        pp.priority_perpetrators(Dataset.open(tmp_path / "s.duckdb"))


# --- writing and revealing -------------------------------------------------------------------


def test_write_priority_list(world, tmp_path: Path) -> None:
    ds, _, _ = world
    rows = pp.priority_perpetrators(ds, top=3)
    out = pp.write_priority_list(rows, tmp_path / "out" / "priority.csv")
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    with out.open(newline="", encoding="utf-8") as handle:
        written = list(csv.DictReader(handle))
    assert list(written[0]) == [c for c in pp.COLUMNS if c != "original_id"]
    assert [w["person_id"] for w in written] == [r["person_id"] for r in rows]
    assert written[1]["gravity_groups"] == "rape" and written[1]["score"] == "8"


def test_reveal_adds_original_ids_and_logs(world, tmp_path: Path) -> None:
    ds, report, _ = world
    rows = pp.priority_perpetrators(ds, top=2)
    out = tmp_path / "priority.csv"
    revealed = pp.reveal(rows, report.lookup, report.secret, "analyst", info=ds.info, out=out)
    assert [r["original_id"] for r in revealed] == ["ORIG-F10", "ORIG-Grape"]
    assert list(revealed[0])[:3] == ["rank", "person_id", "original_id"]
    pp.write_priority_list(revealed, out)
    assert "ORIG-F10" in out.read_text()
    pp.reveal(rows[:1], report.lookup, report.secret, info=ds.info)
    with pp.reveal_log_path(report.secret).open(newline="") as handle:
        log = list(csv.DictReader(handle))
    assert [(e["who"], e["store_fingerprint"], e["revealed"], e["output_file"]) for e in log] == [
        ("analyst", ds.info.fingerprint, "2", str(out.resolve())),
        (getpass.getuser(), ds.info.fingerprint, "1", ""),
    ]
    assert datetime.fromisoformat(log[0]["timestamp_utc"]).tzinfo is not None


def test_reveal_refused_without_the_right_secret(world, tmp_path: Path) -> None:
    ds, report, _ = world
    rows = pp.priority_perpetrators(ds, top=1)
    wrong = tmp_path / "other" / "secret.key"
    wrong.parent.mkdir()
    wrong.write_text(secrets.token_hex(32))
    with pytest.raises(pp.RevealError, match="not the one store"):
        pp.reveal(rows, report.lookup, wrong, "analyst", info=ds.info)
    with pytest.raises(pp.RevealError, match="no secret"):
        pp.reveal(rows, report.lookup, tmp_path / "missing.key", "analyst", info=ds.info)
    with pytest.raises(pp.RevealError, match="no pseudonym lookup"):
        pp.reveal(rows, tmp_path / "missing.parquet", report.secret, "analyst", info=ds.info)
    # nothing was revealed, so nothing was logged, and no secret was created
    assert not pp.reveal_log_path(report.secret).exists()
    assert not pp.reveal_log_path(wrong).exists()
    assert not (tmp_path / "missing.key").exists()


def test_no_person_id_appears_in_the_profile(world, monkeypatch: pytest.MonkeyPatch) -> None:
    ds, _, names = world
    everything = (
        *profile.ANALYSES,
        *distance.ANALYSES,
        *reoffending.ANALYSES,
        *escalation.ANALYSES,
    )
    monkeypatch.setattr(profile, "ANALYSES", everything)
    text = json.dumps(profile.build_profile(ds), default=str)
    store_ids = [
        r["person_id"] for r in ds.table("persons").select("person_id").to_pyarrow().to_pylist()
    ]
    originals = [_original(n) for n in [*CAREERS, "V1", "V2"]]
    assert len(store_ids) == len(originals) == 22
    assert [i for i in store_ids + originals if i in text] == []
    # the check can fail: the restricted list holds the pseudonyms
    listed = json.dumps(pp.priority_perpetrators(ds))
    assert all(p in listed for p in names)
