"""Disclosure control: no small count can be read or worked back from a public output."""

from __future__ import annotations

import json
import zipfile
from collections import defaultdict
from itertools import combinations
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from vawgscope.cli import app
from vawgscope.dataset import Dataset
from vawgscope.report.disclosure import (
    SUPPRESSED_MARK,
    disclose,
    is_count,
    is_derived,
    is_label,
    suppress_rows,
)


def _rows(*data: tuple[str, str, int]) -> list[dict[str, Any]]:
    return [
        {"district": d, "lsoa": a, "crimes": n, "share": n / 46, "low": None, "high": None}
        for d, a, n in data
    ]


def test_a_small_count_takes_its_derived_figures_and_a_neighbour_with_it() -> None:
    rows = _rows(("A", "a1", 10), ("A", "a2", 3), ("A", "a3", 7), ("B", "b1", 20), ("B", "b2", 6))
    public, cells = suppress_rows(rows)
    # a2 (3) is under 5. Within district A the total (20) minus a1 would give a2 back, so the
    # next-smallest cell of A, a3 (7), goes too. The county line then holds two suppressed
    # cells (a2 + a3 = 10 is all a reader learns), so B is shown in full.
    assert {(i, c) for i, c in cells if c == "crimes"} == {(1, "crimes"), (2, "crimes")}
    assert [r["crimes"] for r in public] == [10, None, None, 20, 6]
    assert public[1]["share"] is None and public[2]["share"] is None
    assert public[0]["share"] == 10 / 46
    assert rows[1]["crimes"] == 3  # the input is not changed


def test_zero_is_shown_and_identifiers_are_dropped() -> None:
    rows = [
        {"group": "x", "crimes": 0, "perpetrator_id": "P1"},
        {"group": "y", "crimes": 12, "perpetrator_id": "P2"},
    ]
    public, cells = suppress_rows(rows)
    assert cells == set()
    assert public == [{"group": "x", "crimes": 0}, {"group": "y", "crimes": 12}]


def test_counts_across_one_row_are_a_line_too() -> None:
    # A month's total and its groups: hiding only rape (2) would leave it as 30 - 28.
    rows = [{"month": "2021-01", "crimes": 30, "rape": 2, "stalking": 11, "harassment": 17}]
    public, _ = suppress_rows(rows)
    assert public[0]["rape"] is None and public[0]["stalking"] is None
    assert public[0]["harassment"] == 17


def test_names_decide_what_is_a_count() -> None:
    for name in ("crimes", "victims", "perpetrators", "pairs", "support", "at_risk", "weight"):
        assert is_count(name), name
    for name in ("share", "rate_per_1000", "low", "mean_crimes", "crimes_per_1000", "year"):
        assert not is_count(name), name


labels = st.sampled_from(["a", "b", "c"])


@settings(max_examples=150, deadline=None)
@given(
    st.dictionaries(
        st.tuples(labels, labels, st.sampled_from(["x", "y"])),
        st.integers(min_value=0, max_value=12),
        min_size=1,
        max_size=18,
    )
)
def test_no_suppressed_cell_is_alone_in_any_line(cells: dict[tuple[str, str, str], int]) -> None:
    rows = [
        {"g1": g1, "g2": g2, "g3": g3, "crimes": n, "share": n / 100}
        for (g1, g2, g3), n in cells.items()
    ]
    public, _ = suppress_rows(rows, threshold=5)
    dims = ("g1", "g2", "g3")
    for before, after in zip(rows, public, strict=True):
        shown = after["crimes"]
        assert shown is None or shown == before["crimes"]
        assert shown is None or not 0 < shown < 5
        assert (after["share"] is None) == (shown is None)
    for size in range(len(dims)):
        for grouping in combinations(dims, size):
            groups: dict[tuple[str, ...], list[int | None]] = defaultdict(list)
            for row in public:
                groups[tuple(row[g] for g in grouping)].append(row["crimes"])
            for values in groups.values():
                if len(values) > 1:
                    assert values.count(None) != 1, (grouping, values)


def _independent_lines_check(rows: list[dict[str, Any]], hidden: set[tuple[int, str]]) -> None:
    """Any one label column varied with the others held: never exactly one hidden cell."""
    labels = [k for k in rows[0] if all(not isinstance(r.get(k), int | float) for r in rows)]
    for column in {c for _, c in hidden if is_count(c)}:
        for varied in labels:
            held = [k for k in labels if k != varied]
            groups: dict[str, list[bool]] = defaultdict(list)
            for i, row in enumerate(rows):
                if row.get(column) is not None or (i, column) in hidden:
                    key = json.dumps([row.get(k) for k in held], default=str)
                    groups[key].append((i, column) in hidden)
            for flags in groups.values():
                assert len(flags) < 2 or sum(flags) != 1, (column, varied)


def test_public_profile_of_a_small_world(small_world_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "public"
    result = CliRunner().invoke(
        app, ["profile", str(small_world_dir), "--out", str(out), "--public"]
    )
    assert result.exit_code == 0, result.output
    profile = json.loads((out / "profile.json").read_text())
    assert profile["disclosure"]["threshold"] == 5 and profile["disclosure"]["suppressed_cells"] > 0

    for finding in profile["findings"]:
        for name, rows in finding["tables"].items():
            hidden = {(i, c) for i, c in finding.get("suppressed", {}).get(name, [])}
            for i, row in enumerate(rows):
                for column, value in row.items():
                    if (i, column) in hidden:
                        assert value is None
                    elif type(value) is int and not is_label(column) and not is_derived(column):
                        assert not 0 < value < 5, (finding["id"], name, column, value)
            if rows and hidden:
                _independent_lines_check(rows, hidden)
        for key, value in finding["figures"].items():
            if is_count(key) and type(value) is int:
                assert not 0 < value < 5, (finding["id"], key, value)

    # Every written file: no person id of the store, and the mark where cells were withheld.
    ds = Dataset.open(out / "store.duckdb")
    person_ids = set(ds.table("persons").person_id.execute())
    texts = [
        p.read_text(encoding="utf-8")
        for p in out.rglob("*")
        if p.suffix in {".json", ".html", ".csv"}
    ]
    with zipfile.ZipFile(out / "profile.xlsx") as workbook:
        texts += [
            workbook.read(n).decode("utf-8") for n in workbook.namelist() if n.endswith(".xml")
        ]
    assert person_ids and not any(pid in text for text in texts for pid in person_ids)
    html = (out / "profile.html").read_text(encoding="utf-8")
    assert "public edition" in html and SUPPRESSED_MARK in html
    assert any(SUPPRESSED_MARK in p.read_text() for p in (out / "tables").glob("*.csv"))


def test_headlines_drop_entries_whose_rows_are_withheld() -> None:
    profile = {
        "headlines": {
            "charge_rate": {"homicide": 0.75, "robbery": 0.15, "rape": 0.1},
            "crimes_total": 4,
        },
        "kent_comparison": [],
        "findings": [
            {
                "id": "charge_rate",
                "summary": "Homicide: 3 of 4 charged.",
                "figures": {},
                "headline_keys": ["charge_rate"],
                "tables": {
                    "by_group": [
                        {"group": "homicide", "n": 4, "k": 3, "share": 0.75},
                        {"group": "robbery", "n": 40, "k": 6, "share": 0.15},
                        {"group": "rape", "n": 400, "k": 40, "share": 0.1},
                    ]
                },
            }
        ],
    }
    public = disclose(profile)
    # Homicide's n and k are under 5. The charged total over groups is knowable, so the
    # next-smallest row (robbery) is withheld with it; rape stays.
    assert public["headlines"]["charge_rate"] == {"homicide": None, "robbery": None, "rape": 0.1}
    assert public["headlines"]["crimes_total"] is None
    assert "withheld" in public["findings"][0]["summary"]
    assert profile["headlines"]["charge_rate"]["homicide"] == 0.75  # a copy, not in place
