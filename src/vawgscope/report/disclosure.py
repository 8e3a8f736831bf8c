"""Disclosure control for public outputs: small counts suppressed so they cannot be worked back.

``disclose(profile)`` returns a copy of a profile that is safe to publish:

1. **Person-level output** is removed: any column or figure named like an identifier
   (``*_id``, ``*_pseudonym``) is dropped, so no person id reaches a public file.
2. **Primary suppression**: every count of crimes or people from 1 to ``threshold - 1``
   (default 5) is suppressed. Zero is shown: it discloses nobody.
3. **Derived figures**: on a table row with a suppressed count, every figure computed from
   its counts (shares, rates, intervals, means, model statistics) is suppressed too, because
   a share times its published total gives the count back.
4. **Secondary suppression**: a table's rows add up along its label columns (e.g. LSOAs
   within a district, months within a year, groups within a month). For every grouping of
   the rows by a subset of the label columns, and for every count column, a group with
   exactly one suppressed cell has its next-smallest cell suppressed too, so the total
   minus the shown cells never isolates one small count; the same rule runs across the
   count columns of one row, which often add up to a total (monthly counts by group).
   The rule repeats until no group changes. This protects every marginal total a reader
   could know (published elsewhere or not), at the cost of some over-suppression.
5. **Headlines and figures**: a headline row, breakdown entry or figure whose count is
   suppressed in its finding's tables is suppressed; a finding with a primary-suppressed
   figure loses its scalar headlines and its summary sentence is replaced by a note.

Suppressed values become ``null`` in profile.json; each finding lists its suppressed table
cells under ``suppressed`` so the HTML, CSV and Excel outputs show them as ``[c]``, the
Government Statistical Service's mark for a figure withheld for confidentiality.
Complements (n − k when n and k are shown) are not treated as counts.
"""

from __future__ import annotations

import copy
import json
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

DEFAULT_THRESHOLD = 5
#: How public outputs show a suppressed cell.
SUPPRESSED_MARK = "[c]"

#: Name parts that make a numeric column a count of crimes or people.
COUNT_WORDS = frozenset(
    {
        "crimes",
        "victims",
        "perpetrators",
        "pairs",
        "people",
        "links",
        "victimisations",
        "support",
        "recorded",
        "observed",
        "weight",
        "count",
        "n",
        "k",
        "base",
        "latest",
        "rows",
        "rejected",
        "missing",
        "reoffended",
        "followed",
        "at",  # at_risk
        "coresident",
        "placed",
        "left",  # left_out_*
        "under",  # under_investigation
        "outcome",  # outcome_without_date
        "no",  # no_location, no_exact_time
        "fatal",
        "home",
        "street",
        "non",
        "domestic",
    }
)
#: Name parts that make a numeric column a figure derived from counts, or a measure of
#: something other than crimes or people (days, areas, places, scores).
DERIVED_WORDS = frozenset(
    {
        "share",
        "rate",
        "mean",
        "median",
        "q1",
        "q3",
        "low",
        "high",
        "estimate",
        "expected",
        "forecast",
        "fitted",
        "z",
        "p",
        "q",
        "sim",
        "lift",
        "confidence",
        "ratio",
        "coefficient",
        "std",
        "per",
        "excess",
        "growth",
        "dispersion",
        "kaplan",
        "cumulative",
        "harm",
        "days",
        "m",
        "scale",
        "residents",
        "population",
        "premises",
        "areas",
        "months",
        "neighbours",
        "least",
        "safest",
        "bands",
        "rho",
        "score",
    }
)
#: Numeric columns that label rows rather than measure them.
LABEL_COLUMNS = frozenset(
    {
        "year",
        "month",
        "weekday",
        "hour",
        "from",
        "to",
        "day",
        "age",
        "birth_year",
        "imd_decile",
        "outcome_code",
        "rank",
        "worst_rank",
        "best_rank",
        "upper_m",
        "from_c",
        "to_c",
        "crimes_per_victim",
        "antecedent_count",
        "theme",
    }
)
#: Counts that may be fractional: aoristic weights spread one crime over several hours.
FRACTIONAL_COUNTS: tuple[str, ...] = ("weight", "observed")
_IDENTIFIER = re.compile(r"(^|_)(id|pseudonym|person)$")
_RANK_BY_YEAR = re.compile(r"^rank_\d{4}$")


def is_identifier(name: str) -> bool:
    """A column that could name a person or a crime record (never published)."""
    return bool(_IDENTIFIER.search(name))


def is_derived(name: str) -> bool:
    """A figure computed from counts (a share, rate, interval, model statistic), by its name."""
    words = name.split("_")
    return words[0] in DERIVED_WORDS or any(w in DERIVED_WORDS for w in words[1:] if w != "days")


def is_label(name: str) -> bool:
    """A numeric column that labels rows (a year, an hour, a rank)."""
    return name in LABEL_COLUMNS or bool(_RANK_BY_YEAR.match(name))


def is_count(name: str) -> bool:
    """A figure that counts crimes or people, by its name."""
    if is_label(name) or is_derived(name):
        return False
    return any(w in COUNT_WORDS for w in name.split("_"))


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _whole(values: list[Any]) -> bool:
    """Whether every value is a whole number (a count, not a share named like one)."""
    return all(float(v).is_integer() for v in values)


def _small(value: Any, threshold: int) -> bool:
    return _is_number(value) and 0 < value < threshold


def _small_count(name: str, value: Any, threshold: int) -> bool:
    """A single figure that counts fewer than ``threshold`` crimes or people."""
    return (
        is_count(name)
        and _small(value, threshold)
        and (float(value).is_integer() or name.endswith(FRACTIONAL_COUNTS))
    )


def _label(value: Any) -> Any:
    """A hashable form of a label value (lists and mappings as their JSON text)."""
    if isinstance(value, list | tuple | dict):
        return json.dumps(value, sort_keys=True, default=str)
    return value


class TableShape:
    """Which columns of a table label its rows, count things, or derive from the counts."""

    def __init__(self, rows: list[dict[str, Any]]) -> None:
        columns: dict[str, None] = {}
        for row in rows:
            columns.update(dict.fromkeys(row))
        self.labels: list[str] = []
        self.counts: list[str] = []
        self.derived: list[str] = []
        for name in columns:
            values = [row.get(name) for row in rows if row.get(name) is not None]
            numeric = bool(values) and all(_is_number(v) for v in values)
            if not numeric or is_label(name):
                self.labels.append(name)
            elif is_count(name) and name.endswith(FRACTIONAL_COUNTS):
                self.counts.append(name)
            elif _whole(values) and not is_derived(name):
                # Whole numbers are counts unless named as something else: wide tables name
                # their count columns after groups ("rape", "stalking").
                self.counts.append(name)
            else:
                self.derived.append(name)


def _groupings(labels: list[str]) -> Iterable[tuple[str, ...]]:
    """Every proper subset of the label columns, largest first.

    Protecting the finest lines first usually protects the coarser ones with no extra cells.
    """
    for size in range(len(labels) - 1, -1, -1):
        yield from combinations(labels, size)


def suppress_rows(
    rows: list[dict[str, Any]], threshold: int = DEFAULT_THRESHOLD
) -> tuple[list[dict[str, Any]], set[tuple[int, str]]]:
    """Suppress one table's small counts, secondarily and with their derived figures.

    Returns the new rows (suppressed cells ``None``) and the set of suppressed
    ``(row index, column)`` cells.
    """
    rows = [{k: v for k, v in row.items() if not is_identifier(k)} for row in rows]
    shape = TableShape(rows)
    cells = {
        (i, c) for i, row in enumerate(rows) for c in shape.counts if _small(row.get(c), threshold)
    }
    lines = _lines(rows, shape)
    changed = bool(cells)
    while changed:
        changed = False
        for line in lines:
            hidden = [cell for cell in line if cell in cells]
            if len(hidden) != 1:
                continue
            shown = [cell for cell in line if cell not in cells and rows[cell[0]].get(cell[1])]
            shown = shown or [cell for cell in line if cell not in cells]
            if shown:
                cells.add(min(shown, key=lambda cell: rows[cell[0]][cell[1]] or 0))
                changed = True
    hidden_rows = {i for i, _ in cells}
    for i in hidden_rows:
        cells.update((i, c) for c in shape.derived if rows[i].get(c) is not None)
    for i, c in cells:
        rows[i][c] = None
    return rows, cells


def _lines(rows: list[dict[str, Any]], shape: TableShape) -> list[list[tuple[int, str]]]:
    """Sets of cells that add up to a total a reader could know."""
    lines: list[list[tuple[int, str]]] = []
    for column in shape.counts:
        present = [i for i, row in enumerate(rows) if _is_number(row.get(column))]
        for grouping in _groupings(shape.labels):
            groups: dict[tuple[Any, ...], list[tuple[int, str]]] = defaultdict(list)
            for i in present:
                groups[tuple(_label(rows[i].get(g)) for g in grouping)].append((i, column))
            lines.extend(line for line in groups.values() if len(line) > 1)
    if len(shape.counts) > 1:
        for i, row in enumerate(rows):
            line = [(i, c) for c in shape.counts if _is_number(row.get(c))]
            if len(line) > 1:
                lines.append(line)
    return lines


def _row_labels(row: dict[str, Any]) -> set[str]:
    return {str(_label(v)) for v in row.values() if v is not None and not _is_number(v)}


def _matches(path: tuple[str, ...], hidden: list[set[str]]) -> bool:
    """Whether every key on the path labels one withheld row."""
    return bool(path) and any(all(part in labels for part in path) for labels in hidden)


def _scrub(value: Any, key: str, path: tuple[str, ...], withheld: _Withheld, threshold: int) -> Any:
    """A headline value without the entries that match a suppressed table row or are small."""
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        rows, _ = suppress_rows(value, threshold)
        return [
            {k: (v if not _is_number(v) else None) for k, v in row.items()}
            if _matches(tuple(_row_labels(row)), withheld.labels)
            else row
            for row in rows
        ]
    if isinstance(value, dict) and not {"estimate", "low", "high"} <= set(value):
        return {k: _scrub(v, key, (*path, str(k)), withheld, threshold) for k, v in value.items()}
    if _matches(path, withheld.labels) or withheld.hides(value):
        return None
    if _small_count(path[-1] if path else key, value, threshold):
        return None
    return value


def _hidden_labels(
    rows: list[dict[str, Any]], cells: set[tuple[int, str]], shape_rows: list[dict[str, Any]]
) -> list[set[str]]:
    """The labels of each row with a suppressed cell, as strings (headline keys are strings)."""
    shape = TableShape(shape_rows)
    return [
        {str(_label(rows[i].get(c))) for c in shape.labels if rows[i].get(c) is not None}
        for i in sorted({i for i, _ in cells})
    ]


def _mentions_share(summary: str, values: set[float]) -> bool:
    """Whether the summary quotes a withheld share, as the report writes it (e.g. 25.0%)."""
    return any(f"{100 * v:.1f}%" in summary for v in values if 0 <= v <= 1)


def _mentions(summary: str, values: set[int]) -> bool:
    """Whether the summary states one of the values as a number of its own (not in "1-2")."""
    return any(re.search(rf"(?<![\d.,-]){v}(?![\d-]|[.,]\d)", summary) for v in values)


@dataclass
class _Withheld:
    """What one finding withholds, for matching its headlines and figures."""

    labels: list[set[str]] = field(default_factory=list)
    values: set[float] = field(default_factory=set)
    small_counts: set[int] = field(default_factory=set)
    small_figure: bool = False

    def hides(self, value: Any) -> bool:
        """A fractional figure equal to a withheld share or rate is that figure again."""
        if format_is_estimate(value):
            value = value["estimate"]
        return isinstance(value, float) and not value.is_integer() and value in self.values


def format_is_estimate(value: Any) -> bool:
    return isinstance(value, dict) and {"estimate", "low", "high"} <= set(value)


def _disclose_finding(finding: dict[str, Any], threshold: int) -> tuple[dict[str, Any], _Withheld]:
    withheld = _Withheld()
    tables: dict[str, list[dict[str, Any]]] = {}
    suppressed: dict[str, list[list[Any]]] = {}
    for name, rows in finding.get("tables", {}).items():
        public_rows, cells = suppress_rows(rows, threshold)
        tables[name] = public_rows
        if not cells:
            continue
        suppressed[name] = sorted([i, c] for i, c in cells)
        withheld.labels.extend(_hidden_labels(public_rows, cells, rows))
        for i, c in cells:
            value = rows[i].get(c)
            if isinstance(value, int) and _small(value, threshold):
                withheld.small_counts.add(value)
            elif isinstance(value, float):
                withheld.values.add(value)
    figures: dict[str, Any] = {}
    for key, value in finding.get("figures", {}).items():
        if is_identifier(key):
            continue
        if _small_count(key, value, threshold):
            withheld.small_figure = True
            withheld.small_counts.add(int(value))
            figures[key] = None
        else:
            figures[key] = None if withheld.hides(value) else value
    out = {**finding, "figures": figures, "tables": tables}
    if suppressed:
        out["suppressed"] = suppressed
    summary = finding.get("summary", "")
    if (
        withheld.small_figure
        or _mentions(summary, withheld.small_counts)
        or _mentions_share(summary, withheld.values)
    ):
        out["summary"] = (
            f"Some figures of this finding are withheld: they rest on fewer than {threshold} "
            "crimes or people."
        )
    return out, withheld


def disclose(profile: dict[str, Any], threshold: int = DEFAULT_THRESHOLD) -> dict[str, Any]:
    """A copy of ``profile`` fit for publication (see the module docstring for the rules)."""
    if threshold < 1:
        raise ValueError(f"the disclosure threshold must be 1 or more, got {threshold}")
    public = copy.deepcopy(profile)
    headlines = dict(public.get("headlines", {}))
    findings = []
    cells = 0
    for finding in public.get("findings", []):
        out, withheld = _disclose_finding(finding, threshold)
        cells += sum(len(v) for v in out.get("suppressed", {}).values())
        # A finding names its headlines (profile) or carries them (survey findings).
        own = out.get("headlines") if isinstance(out.get("headlines"), dict) else None
        for key in out.get("headline_keys") or list(own or {}):
            if key not in headlines:
                continue
            value = headlines[key]
            scalar = not isinstance(value, dict | list) or format_is_estimate(value)
            if scalar and (withheld.small_figure or withheld.hides(value)):
                headlines[key] = None
            else:
                headlines[key] = _scrub(value, key, (), withheld, threshold)
        if own is not None:
            out["headlines"] = {k: headlines.get(k) for k in own}
        findings.append(out)
    for key in ("crimes_total", "victims_distinct", "perpetrators_distinct", "respondents"):
        if _small(headlines.get(key), threshold):
            headlines[key] = None
    public["headlines"] = headlines
    public["findings"] = findings
    if "kent_comparison" in public:
        public["kent_comparison"] = _kent_rows(public["kent_comparison"], headlines, threshold)
    if "dataset" in public:
        public["dataset"] = _dataset(public["dataset"], threshold)
    public["disclosure"] = {
        "threshold": threshold,
        "suppressed_cells": cells,
        "mark": SUPPRESSED_MARK,
        "rules": (
            f"Counts of 1 to {threshold - 1} crimes or people are suppressed, with the figures "
            "derived from them and enough other cells that no suppressed count can be worked "
            "back from a total; no person-level data is published."
        ),
    }
    return public


def _kent_rows(
    rows: list[dict[str, Any]], headlines: dict[str, Any], threshold: int
) -> list[dict[str, Any]]:
    out = []
    for row in rows:
        row = dict(row)
        if "window" in row:
            if _small(row.get("this_dataset"), threshold):
                row["this_dataset"], row["agrees"] = None, None
        elif row.get("this_dataset") != headlines.get(row["headline"]):
            row["this_dataset"], row["agrees"] = headlines.get(row["headline"]), None
        out.append(row)
    return out


def _dataset(section: dict[str, Any], threshold: int) -> dict[str, Any]:
    section = dict(section)
    for key in ("crimes", "victims", "perpetrators"):
        if _small(section.get(key), threshold):
            section[key] = None
    return section


def marked(rows: list[dict[str, Any]], cells: list[list[Any]] | None) -> list[dict[str, Any]]:
    """Rows for display: each suppressed cell shows :data:`SUPPRESSED_MARK`."""
    if not cells:
        return rows
    out = [dict(row) for row in rows]
    for i, column in cells:
        out[i][column] = SUPPRESSED_MARK
    return out
