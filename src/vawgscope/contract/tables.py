"""The tables of data contract v1 (docs: ``data-contract.md``), defined once.

Each :class:`Table` lists its columns with their kind, whether they are required, their
vocabulary and their plausible range. Ingest validates against these definitions, the store
creates its tables from them, and the demo world writes them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from vawgscope.contract import vocab
from vawgscope.contract.outcomes import OUTCOME_CODES

Kind = Literal["string", "text", "date", "timestamp", "int", "float", "bool", "enum", "list"]

#: Earliest date accepted anywhere in the contract; older dates are rejected as implausible.
EARLIEST_DATE = "1950-01-01"
EARLIEST_BIRTH_YEAR = 1900

#: British National Grid extent (EPSG:27700) in metres; WGS84 bounds of Great Britain.
EASTING_RANGE = (0, 700_000)
NORTHING_RANGE = (0, 1_300_000)
LATITUDE_RANGE = (49.8, 60.95)
LONGITUDE_RANGE = (-8.7, 1.8)

# The engine type each kind is stored as.
STORAGE_TYPES: dict[Kind, str] = {
    "string": "VARCHAR",
    "text": "VARCHAR",
    "date": "DATE",
    "timestamp": "TIMESTAMP",
    "int": "BIGINT",
    "float": "DOUBLE",
    "bool": "BOOLEAN",
    "enum": "VARCHAR",
    "list": "VARCHAR",
}


@dataclass(frozen=True)
class Column:
    """One column of a contract table.

    ``vocabulary`` lists the allowed values of an ``enum`` (or the items of a ``;``-separated
    ``list``); ``minimum``/``maximum`` bound numbers, and dates when given as ISO strings.
    """

    name: str
    kind: Kind
    meaning: str
    required: bool = False
    vocabulary: tuple[str, ...] | None = None
    minimum: float | str | None = None
    maximum: float | str | None = None
    default: str | None = None

    @property
    def storage_type(self) -> str:
        return STORAGE_TYPES[self.kind]


@dataclass(frozen=True)
class Table:
    """A contract table: its columns, its key and the column groups of which one must exist."""

    name: str
    meaning: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    #: Each entry is a set of alternatives; at least one alternative's columns must all exist.
    one_of: tuple[tuple[tuple[str, ...], ...], ...] = ()
    #: WGS84 column pairs that ingest converts to the BNG pair named beside them.
    lat_lon: tuple[tuple[str, str, str, str], ...] = ()
    privacy: Literal["none", "person"] = "none"
    columns_by_name: dict[str, Column] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "columns_by_name", {c.name: c for c in self.columns})

    @property
    def required_columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        return self.columns_by_name[name]


def _easting(name: str, meaning: str, required: bool = False) -> Column:
    return Column(
        name, "int", meaning, required, minimum=EASTING_RANGE[0], maximum=EASTING_RANGE[1]
    )


def _northing(name: str, meaning: str, required: bool = False) -> Column:
    return Column(
        name, "int", meaning, required, minimum=NORTHING_RANGE[0], maximum=NORTHING_RANGE[1]
    )


CRIMES = Table(
    "crimes",
    "one row per recorded crime",
    (
        Column("crime_id", "string", "unique, non-empty", required=True),
        Column(
            "recorded_date",
            "date",
            "date the crime was recorded",
            True,
            minimum=EARLIEST_DATE,
            maximum="today",
        ),
        Column(
            "occurred_from",
            "timestamp",
            "earliest time the offence may have happened",
            True,
            minimum=EARLIEST_DATE,
            maximum="today",
        ),
        Column(
            "occurred_to",
            "timestamp",
            "latest time; empty means the same as occurred_from",
            minimum=EARLIEST_DATE,
            maximum="today",
        ),
        # Empty means `exact`, or `day` when occurred_from is a bare date (set on ingest).
        Column("time_precision", "enum", "exact, day or month", vocabulary=vocab.TIME_PRECISIONS),
        Column(
            "offence_group",
            "enum",
            "the analytic offence group",
            True,
            vocabulary=vocab.OFFENCE_GROUPS,
        ),
        Column("offence_code", "string", "Home Office offence classification code, e.g. 19C"),
        Column(
            "domestic", "bool", "domestic-abuse flag (may be empty in a crimes-only dataset)", True
        ),
        Column("crime_type", "string", "the publisher's own category, kept as given"),
        Column("location_type", "enum", "where it happened", True, vocabulary=vocab.LOCATION_TYPES),
        Column("lsoa_code", "string", "LSOA of the crime location"),
        _easting("easting", "crime location, BNG easting (m)"),
        _northing("northing", "crime location, BNG northing (m)"),
        Column(
            "reporting_channel", "enum", "how it was reported", vocabulary=vocab.REPORTING_CHANNELS
        ),
        Column(
            "outcome_code",
            "int",
            "Home Office outcome type; empty = under investigation",
            minimum=min(OUTCOME_CODES),
            maximum=max(OUTCOME_CODES),
        ),
        Column(
            "outcome_date",
            "date",
            "date the outcome was assigned",
            minimum=EARLIEST_DATE,
            maximum="today",
        ),
        Column(
            "fatal_or_near_fatal",
            "bool",
            "homicide, attempted murder, or life-threatening injury",
            default="false",
        ),
    ),
    key=("crime_id",),
    lat_lon=(("latitude", "longitude", "easting", "northing"),),
)

PERSONS = Table(
    "persons",
    "one row per person (victims and offenders alike)",
    (
        Column("person_id", "string", "unique; keyed again with a secret before storing", True),
        Column("sex", "enum", "F, M or U", True, vocabulary=vocab.SEXES),
        Column(
            "birth_year",
            "int",
            "year of birth (a full date of birth is reduced to its year)",
            minimum=EARLIEST_BIRTH_YEAR,
            maximum="this_year",
        ),
        Column("home_lsoa_code", "string", "LSOA of home address"),
        _easting("home_easting", "home location, BNG easting (m)"),
        _northing("home_northing", "home location, BNG northing (m)"),
        Column("ethnicity", "enum", "ONS 5+1 groups", vocabulary=vocab.ETHNICITIES),
    ),
    key=("person_id",),
    lat_lon=(("home_latitude", "home_longitude", "home_easting", "home_northing"),),
    privacy="person",
)

CRIME_PERSONS = Table(
    "crime_persons",
    "who was involved in which crime, and how",
    (
        Column("crime_id", "string", "must exist in crimes", True),
        Column("person_id", "string", "must exist in persons", True),
        Column("role", "enum", "victim, suspect or offender", True, vocabulary=vocab.ROLES),
        Column("same_address", "bool", "victim and perpetrator lived at the same address"),
        Column(
            "relationship",
            "enum",
            "of the victim to the perpetrator",
            vocabulary=vocab.RELATIONSHIPS,
        ),
    ),
    key=("crime_id", "person_id", "role"),
    privacy="person",
)

AREAS = Table(
    "areas",
    "one row per LSOA",
    (
        Column("lsoa_code", "string", "e.g. E01024374", True),
        Column("lsoa_name", "string", "e.g. Maidstone 001A", True),
        Column("district", "string", "local authority district", True),
        _easting("easting", "population-weighted centroid, BNG easting (m)"),
        _northing("northing", "population-weighted centroid, BNG northing (m)"),
        Column("imd_decile", "int", "IMD decile, 1 = most deprived", minimum=1, maximum=10),
        Column("imd_score", "float", "IMD score"),
        Column("town_centre", "bool", "the area is a town centre"),
        Column("geometry_wkt", "text", "polygon as WKT in EPSG:27700"),
    ),
    key=("lsoa_code",),
    one_of=((("easting", "northing"), ("latitude", "longitude")),),
    lat_lon=(("latitude", "longitude", "easting", "northing"),),
)

POPULATION = Table(
    "population",
    "residents by LSOA, sex and age",
    (
        Column("lsoa_code", "string", "LSOA", True),
        Column(
            "sex",
            "enum",
            "F, M, or all where the source has no sex",
            True,
            vocabulary=vocab.POPULATION_SEXES,
        ),
        Column("age", "int", "single year of age; 90 = 90 and over", minimum=0, maximum=90),
        Column(
            "age_band", "enum", "five-year band 0-4 … 85+", vocabulary=vocab.POPULATION_AGE_BANDS
        ),
        Column("population", "int", "residents", True, minimum=0),
        Column("year", "int", "mid-year estimate", minimum=1990, maximum="this_year"),
    ),
    key=("lsoa_code", "sex", "age", "age_band", "year"),
    one_of=((("age",), ("age_band",)),),
)

PREMISES = Table(
    "premises",
    "licensed premises",
    (
        Column("premises_id", "string", "unique", True),
        Column(
            "kind",
            "enum",
            "pub, bar, nightclub, restaurant, off_licence or other",
            True,
            vocabulary=vocab.PREMISES_KINDS,
        ),
        _easting("easting", "BNG easting (m)"),
        _northing("northing", "BNG northing (m)"),
        Column("lsoa_code", "string", "LSOA"),
    ),
    key=("premises_id",),
    one_of=((("easting", "northing"), ("latitude", "longitude"), ("lsoa_code",)),),
    lat_lon=(("latitude", "longitude", "easting", "northing"),),
)

WEATHER = Table(
    "weather",
    "daily weather for the force area",
    (
        Column("date", "date", "day", True, minimum=EARLIEST_DATE, maximum="today"),
        Column("tmax_c", "float", "daily maximum temperature (°C)", minimum=-40, maximum=50),
        Column("tmean_c", "float", "daily mean temperature (°C)", minimum=-40, maximum=50),
        Column("tmin_c", "float", "daily minimum temperature (°C)", minimum=-40, maximum=50),
        Column("precip_mm", "float", "precipitation (mm)", minimum=0, maximum=500),
    ),
    key=("date",),
    one_of=((("tmax_c",), ("tmean_c",)),),
)

PERIODS = Table(
    "periods",
    "named date ranges that analyses compare against",
    (
        Column("name", "string", "name of the period", True),
        Column("kind", "enum", "lockdown, campaign or other", True, vocabulary=vocab.PERIOD_KINDS),
        Column("start_date", "date", "first day", True, minimum=EARLIEST_DATE),
        Column("end_date", "date", "last day", True, minimum=EARLIEST_DATE),
    ),
    key=("name",),
)

#: Contract tables in the order ingest loads them (links after what they point at).
TABLES: dict[str, Table] = {
    t.name: t
    for t in (CRIMES, PERSONS, CRIME_PERSONS, AREAS, POPULATION, PREMISES, WEATHER, PERIODS)
}
#: Tables a full dataset must have; a crimes-only dataset has the first alone.
REQUIRED_TABLES: tuple[str, ...] = ("crimes", "persons", "crime_persons")
PERSON_TABLES: tuple[str, ...] = ("persons", "crime_persons")


def _safety_columns() -> tuple[Column, ...]:
    cols = []
    for place in vocab.SURVEY_PLACES:
        for part in ("day", "night"):
            cols.append(
                Column(
                    f"safe_{place}_{part}",
                    "int",
                    f"feeling of safety, {place.replace('_', ' ')}, {part}: "
                    "1 very unsafe … 5 very safe",
                    minimum=1,
                    maximum=5,
                )
            )
    return tuple(cols)


SURVEY_RESPONSES = Table(
    "responses",
    "one row per survey respondent",
    (
        Column("respondent_id", "string", "unique", True),
        Column(
            "responded_on", "date", "date of the response", minimum=EARLIEST_DATE, maximum="today"
        ),
        Column("age_band", "enum", "respondent's age band", vocabulary=vocab.SURVEY_AGE_BANDS),
        Column("district", "string", "district"),
        *_safety_columns(),
        Column("precautions", "list", "precautions taken", vocabulary=vocab.PRECAUTIONS),
        Column("victim_of", "list", "victimisation in the last year", vocabulary=vocab.VICTIM_OF),
        Column(
            "reported", "enum", "yes, no, or empty when not a victim", vocabulary=vocab.REPORTED
        ),
        Column("why_not_reported", "text", "free text"),
        Column("experience_text", "text", "tell us about your experiences"),
        Column("partners_text", "text", "how could partner agencies improve"),
        Column("places_text", "text", "which public spaces should be improved"),
        Column("education_text", "text", "how do we better educate at an early age"),
    ),
    key=("respondent_id",),
)
