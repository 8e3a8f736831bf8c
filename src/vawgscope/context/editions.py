"""Putting LSOA codes of the 2011 and 2021 editions on one edition.

Most LSOAs kept their code between the 2011 and 2021 editions; the ONS split some (new
codes for the parts), merged others (a new code for the whole) and redrew a few. A code of
the *other* edition that the *target* edition also holds is the same area and maps to
itself. Every other code maps through the official lookup when one is given (its columns
``LSOA11CD`` and ``LSOA21CD``; where a code has several rows, the first target code in
code order), else by **centroid in polygon**: the target area whose polygon holds the
other-edition area's centroid (a point inside it). An area whose centroid lies in no target
polygon (e.g. beyond the target file's extent) is unmatched; :class:`EditionLookup` reports
how many and what share.

A split area's parts all map to the area they were split from; where areas were merged, each
part maps to the merged area. In the reverse direction (a merged area onto its parts) only
one part receives it, which is why population and deprivation coverage are reported too.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from vawgscope.context.boundaries import Boundaries, ContextError, locate

#: The file a context build writes for the ingest: ``from_code,to_code`` (and ``method``).
EDITIONS_FILE = "lsoa_editions.csv"


@dataclass(frozen=True)
class EditionLookup:
    """Codes of another edition → codes of the target edition."""

    from_edition: int | None
    to_edition: int | None
    method: str  # "official lookup" or "centroid in polygon"
    mapping: dict[str, str]
    unchanged: int
    unmatched: tuple[str, ...]

    @property
    def codes(self) -> int:
        """Other-edition codes considered (unchanged, mapped and unmatched)."""
        return self.unchanged + len(self.mapping) + len(self.unmatched)

    @property
    def unmatched_share(self) -> float:
        return len(self.unmatched) / self.codes if self.codes else 0.0

    def translate(self, code: str) -> str | None:
        """The target-edition code of ``code`` (itself when unchanged; None when unmatched)."""
        return self.mapping.get(code, None if code in self.unmatched else code)

    def rows(self) -> list[dict[str, str]]:
        """``from_code, to_code, method`` for every code that changes (for lsoa_editions.csv)."""
        return [
            {"from_code": a, "to_code": b, "method": self.method}
            for a, b in sorted(self.mapping.items())
        ]


def by_centroid(other: Boundaries, target: Boundaries) -> EditionLookup:
    """Map ``other``'s codes onto ``target`` by placing each other area's centroid."""
    known = set(target.codes)
    changed = np.array([c not in known for c in other.codes])
    hits = locate(other.easting[changed], other.northing[changed], target)
    mapping, unmatched = {}, []
    for code, hit in zip(other.codes[changed], hits, strict=True):
        if hit >= 0:
            mapping[str(code)] = str(target.codes[hit])
        else:
            unmatched.append(str(code))
    return EditionLookup(
        other.edition,
        target.edition,
        "centroid in polygon",
        mapping,
        int((~changed).sum()),
        tuple(sorted(unmatched)),
    )


def read_official(path: Path, target: Boundaries, other_codes: list[str]) -> EditionLookup:
    """An official LSOA11↔LSOA21 lookup (CSV with ``LSOA11CD`` and ``LSOA21CD`` columns)."""
    if target.edition not in (2011, 2021):
        raise ContextError(
            f"{target.path}: the boundary file does not say its edition (LSOA11CD or "
            "LSOA21CD), so an official lookup cannot be applied"
        )
    to_key = f"LSOA{target.edition % 100}CD"
    from_key = "LSOA21CD" if target.edition == 2011 else "LSOA11CD"
    try:
        with Path(path).open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            columns = {c.upper(): c for c in reader.fieldnames or ()}
            if to_key not in columns or from_key not in columns:
                raise ContextError(
                    f"{path}: an LSOA edition lookup needs the columns LSOA11CD and LSOA21CD; "
                    f"found {reader.fieldnames}"
                )
            pairs = sorted(
                (row[columns[from_key]].strip(), row[columns[to_key]].strip()) for row in reader
            )
    except (OSError, UnicodeDecodeError) as error:
        raise ContextError(f"{path}: cannot read the lookup: {error}") from None
    known = set(target.codes)
    official: dict[str, str] = {}
    for a, b in pairs:
        official.setdefault(a, b)
    mapping, unmatched, unchanged = {}, [], 0
    for code in other_codes:
        if code in known:
            unchanged += 1
        elif official.get(code) in known:
            mapping[code] = official[code]
        else:
            unmatched.append(code)
    return EditionLookup(
        2021 if target.edition == 2011 else 2011,
        target.edition,
        "official lookup",
        mapping,
        unchanged,
        tuple(sorted(unmatched)),
    )


__all__ = ["EDITIONS_FILE", "EditionLookup", "by_centroid", "read_official"]
