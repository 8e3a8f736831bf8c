"""Places named in free-text answers: a gazetteer plus place-like phrases.

The gazetteer is the shipped list of Kent and Medway places (``data/places.csv``: districts,
towns, parks, stations, town centres, streets, with approximate grid references), extended by
the districts and area-name stems of an ``areas`` table when one is given, and by a file of the
user's own (``--places``: the same CSV columns, or one name a line). Names are matched as whole
words, ignoring case (a one-word name only when capitalised). Places not listed are found
as place-like phrases: one to three capitalised words before ``Park``, ``Gardens``,
``Square``, ``Heath``, ``Common``, ``Recreation Ground``, ``High Street``, ``station`` or
``town centre`` ("Hazelbank Park", "Snodland station", "Gravesend High Street"). Where two
matches overlap the longer wins ("Sittingbourne station" over the town "Sittingbourne"), the
gazetteer on a tie.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import pandas as pd

from vawgscope.analyses.finding import Finding, definition_of, not_available

#: Capitalised words that open a place-like phrase without naming a place ("Near X Park",
#: "The Park", "Bus Station").
NOT_PLACE_WORDS: frozenset[str] = frozenset(
    {
        "The", "A", "An", "In", "At", "On", "Near", "By", "From", "To", "Around", "Our", "My",
        "This", "That", "Every", "Local", "Main", "Bus", "Train", "Railway", "Coach", "Police",
        "Fire", "Petrol", "Car", "Skate", "Town", "City", "Village", "And", "Or", "Please",
        "More", "Better", "Brighter", "Officers", "Walking", "Waiting", "Install", "I",
    }
)  # fmt: skip
_SUFFIXES = (
    r"Park|Gardens|Square|Heath|Common|Recreation Ground|High Street|[Ss]tation|"
    r"[Tt]own [Cc]entre"
)
_PLACE_LIKE = re.compile(rf"\b((?:[A-Z][\w'’]*\s+){{1,3}})({_SUFFIXES})\b")


@dataclass(frozen=True)
class Place:
    """A gazetteer entry: its name, kind, district and grid reference where known."""

    name: str
    kind: str = "place"
    district: str | None = None
    easting: float | None = None
    northing: float | None = None


@dataclass(frozen=True)
class Gazetteer:
    """Places by lower-cased name, and the matcher over them."""

    places: dict[str, Place]
    _pattern: re.Pattern[str] | None = field(default=None, compare=False, repr=False)

    @classmethod
    def of(cls, places: list[Place]) -> Gazetteer:
        by_name: dict[str, Place] = {}
        for place in places:
            known = by_name.get(place.name.lower())
            # A later entry (the user's, the areas') fills what an earlier one lacks.
            if known is None or (known.easting is None and place.easting is not None):
                by_name[place.name.lower()] = place
        names = sorted(by_name, key=lambda n: (-len(n), n))
        pattern = (
            re.compile(r"\b(" + "|".join(re.escape(n) for n in names) + r")\b", re.IGNORECASE)
            if names
            else None
        )
        return cls(by_name, pattern)

    def find(self, text: str) -> list[tuple[int, int, str]]:
        """Gazetteer matches in ``text`` as (start, end, canonical name)."""
        if self._pattern is None:
            return []
        # A one-word name must be capitalised: "Deal" the town, not "deal with it".
        return [
            (m.start(), m.end(), self.places[m.group(0).lower()].name)
            for m in self._pattern.finditer(text)
            if " " in m.group(0) or m.group(0)[0].isupper()
        ]


def _read_rows(text: str) -> list[dict[str, str]]:
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    if not lines:
        return []
    header = [h.strip().lower() for h in next(csv.reader([lines[0]]))]
    if "name" not in header:
        return [{"name": line.strip()} for line in lines]
    return list(csv.DictReader(io.StringIO("\n".join(lines)), fieldnames=header))[1:]


def _number(value: str | None) -> float | None:
    try:
        return float(value) if value not in (None, "") else None
    except ValueError:
        return None


def _places(rows: list[dict[str, str]]) -> list[Place]:
    return [
        Place(
            r["name"].strip(),
            (r.get("kind") or "place").strip(),
            (r.get("district") or "").strip() or None,
            _number(r.get("easting")),
            _number(r.get("northing")),
        )
        for r in rows
        if (r.get("name") or "").strip()
    ]


def shipped_places() -> list[Place]:
    """The shipped gazetteer of Kent and Medway places."""
    text = resources.files("vawgscope.survey").joinpath("data/places.csv").read_text("utf-8")
    return _places(_read_rows(text))


def user_places(path: Path) -> list[Place]:
    """A user's place list: CSV with a ``name`` column (and optional ``kind, district,
    easting, northing``), or plain text with one name a line."""
    return _places(_read_rows(path.read_text(encoding="utf-8-sig")))


def area_places(areas: pd.DataFrame) -> list[Place]:
    """Districts and area-name stems ("Maidstone 001A" → "Maidstone") of an areas table,
    located at the centroid of their polygons when ``geometry_wkt`` is given."""
    frame = areas.copy()
    if "district" not in frame:
        return []
    names = frame["lsoa_name"] if "lsoa_name" in frame else frame["district"]
    frame["stem"] = names.astype(str).str.replace(r"\s+\d{3}[A-Z]+$", "", regex=True)
    centroids = _centroids(frame)
    out = []
    for column, kind in (("district", "district"), ("stem", "area")):
        for name, group in frame.groupby(column, sort=True):
            x, y = centroids.get((column, name), (None, None))
            district = str(group["district"].iloc[0])
            out.append(Place(str(name), kind, district, x, y))
    return out


def _centroids(frame: pd.DataFrame) -> dict[tuple[str, str], tuple[float, float]]:
    if "geometry_wkt" not in frame or frame["geometry_wkt"].isna().all():
        return {}
    import shapely

    shapes = shapely.from_wkt(frame["geometry_wkt"].fillna("").replace("", None).to_numpy())
    out = {}
    for column in ("district", "stem"):
        for name, index in frame.groupby(column).indices.items():
            parts = [s for s in shapes[index] if s is not None]
            if parts:
                point = shapely.union_all(parts).centroid
                out[(column, name)] = (float(point.x), float(point.y))
    return out


def build_gazetteer(
    areas: pd.DataFrame | None = None, extra: list[Place] | None = None
) -> Gazetteer:
    """The shipped places, then the areas' places, then the user's."""
    places = shipped_places()
    if areas is not None:
        places += area_places(areas)
    return Gazetteer.of(places + (extra or []))


def _place_like(match: re.Match[str]) -> tuple[int, str] | None:
    """Start and canonical name of a place-like phrase, after dropping opening words that
    name no place; None when nothing is left."""
    words = list(re.finditer(r"\S+", match.group(1)))
    while words and words[0].group(0) in NOT_PLACE_WORDS:
        words.pop(0)
    if not words:
        return None
    suffix = match.group(2)
    suffix = "station" if suffix.lower() == "station" else suffix
    suffix = "town centre" if suffix.lower() == "town centre" else suffix
    name = " ".join([*(w.group(0) for w in words), suffix])
    return match.start(1) + words[0].start(), name


def find_places(text: str, gazetteer: Gazetteer) -> list[tuple[str, bool]]:
    """The distinct places named in ``text``, as (name, listed in the gazetteer), in order."""
    matches = [(s, e, name, True) for s, e, name in gazetteer.find(text)]
    for m in _PLACE_LIKE.finditer(text):
        found = _place_like(m)
        if found:
            start, name = found
            listed = gazetteer.places.get(name.lower())
            matches.append((start, m.end(), listed.name if listed else name, listed is not None))
    chosen: list[tuple[int, int, str, bool]] = []
    for s, e, name, listed in sorted(matches, key=lambda m: (m[0] - m[1], not m[3], m[0])):
        if all(e <= cs or ce <= s for cs, ce, _, _ in chosen):
            chosen.append((s, e, name, listed))
    seen: dict[str, bool] = {}
    for _, _, name, listed in sorted(chosen):
        seen.setdefault(name, listed)
    return list(seen.items())


def _location(
    name: str, place: Place | None, districts: pd.Series, gazetteer: Gazetteer
) -> tuple[float | None, float | None, str | None]:
    if place is not None and place.easting is not None:
        return place.easting, place.northing, "gazetteer"
    # "Gravesend High Street": at the listed place its name holds.
    for _, _, inner in gazetteer.find(name):
        known = gazetteer.places[inner.lower()]
        if known.easting is not None:
            return known.easting, known.northing, f"within {known.name}"
    # Not located in the gazetteer: put it at the district most of its mentions come from.
    for district in (
        districts.value_counts().sort_index().sort_values(ascending=False, kind="stable").index
    ):
        known = gazetteer.places.get(str(district).lower())
        if known is not None and known.easting is not None:
            return known.easting, known.northing, "respondents' district"
    return None, None, None


def places_named(answers: pd.DataFrame, gazetteer: Gazetteer) -> Finding:
    """Places named in the free-text answers.

    Definition: over every non-empty free-text answer, the distinct places it names (see the
    module docstring: gazetteer names, then place-like phrases); ``mentions`` = answers naming
    the place (an answer naming it twice counts once), largest first, ties by name. A place is
    mapped at its gazetteer grid reference, else at a listed place its name holds
    ("Gravesend High Street" at Gravesend), else at the district its mentions most often come
    from (``located_by`` says which); ``listed`` says whether the gazetteer holds it.
    """
    title = "Places named in the free-text answers"
    if answers.empty:
        return not_available(
            "places_named",
            title,
            definition_of(places_named),
            ("responses.places_text",),
            ("places_named",),
        )
    found = []
    for row in answers[["respondent_id", "district", "question", "text"]].itertuples(index=False):
        for name, listed in find_places(row.text, gazetteer):
            found.append((name, listed, row.district, row.question))
    frame = pd.DataFrame(found, columns=["place", "listed", "district", "question"])
    rows = []
    for name, group in frame.groupby("place", sort=True):
        place = gazetteer.places.get(name.lower())
        x, y, how = _location(name, place, group["district"], gazetteer)
        rows.append(
            {
                "place": name,
                "mentions": len(group),
                "listed": bool(group["listed"].iloc[0]),
                "kind": place.kind if place else "place-like phrase",
                "district": place.district if place else None,
                "easting": x,
                "northing": y,
                "located_by": how,
            }
        )
    rows.sort(key=lambda r: (-r["mentions"], r["place"]))
    summary = (
        f"{len(rows)} places named in {len(frame):,} mentions; the most named was "
        f"{rows[0]['place']} ({rows[0]['mentions']:,})."
        if rows
        else "No named places were found in the answers."
    )
    return Finding(
        id="places_named",
        title=title,
        definition=definition_of(places_named),
        summary=summary,
        figures={
            "places": len(rows),
            "mentions": len(frame),
            "unlisted_places": sum(not r["listed"] for r in rows),
        },
        tables={"places_named": rows},
        headlines={
            "places_named": [{"place": r["place"], "mentions": r["mentions"]} for r in rows]
        },
    )
