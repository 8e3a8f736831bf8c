"""Run options: the scope of a run and the settings the analyses share.

Defaults follow ``problem-profile.md``: victims female, perpetrators male and aged 18 or over
at the offence, window = all data, "now" = the end of the data.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, time
from typing import Any, Literal

from vawgscope.contract.vocab import OFFENCE_GROUPS, SEXES

DomesticFilter = Literal["all", "domestic", "non_domestic"]
YearBasis = Literal["calendar", "financial"]
Neighbours = Literal["queen", "rook", "knn"]
#: The public-tier proxy for VAWG when a dataset has no persons (police.uk's category).
DEFAULT_CRIME_TYPES: tuple[str, ...] = ("Violence and sexual offences",)


@dataclass(frozen=True)
class Scope:
    """Which crimes and people a run covers; applied once, in the engine, for every analysis.

    ``None`` switches a person filter off. ``date_from``/``date_to`` bound ``occurred_from``
    (both inclusive, by date).
    """

    victim_sex: str | None = "F"
    perpetrator_sex: str | None = "M"
    perpetrator_min_age: int | None = 18
    domestic: DomesticFilter = "all"
    offence_groups: tuple[str, ...] | None = None
    districts: tuple[str, ...] | None = None
    date_from: date | None = None
    date_to: date | None = None
    #: Crimes-only datasets: the publisher's crime types that stand in for VAWG.
    crime_types: tuple[str, ...] = DEFAULT_CRIME_TYPES

    def __post_init__(self) -> None:
        for name in ("victim_sex", "perpetrator_sex"):
            value = getattr(self, name)
            if value is not None and value not in SEXES:
                raise ValueError(f"{name} must be one of {', '.join(SEXES)} or None, got {value!r}")
        if self.domestic not in ("all", "domestic", "non_domestic"):
            raise ValueError(
                f"domestic must be all, domestic or non_domestic, got {self.domestic!r}"
            )
        unknown = set(self.offence_groups or ()) - set(OFFENCE_GROUPS)
        if unknown:
            raise ValueError(
                f"unknown offence group(s) {sorted(unknown)}; expected {OFFENCE_GROUPS}"
            )
        if self.perpetrator_min_age is not None and not 0 <= self.perpetrator_min_age <= 120:
            raise ValueError("perpetrator_min_age must be between 0 and 120")
        if self.date_from and self.date_to and self.date_to < self.date_from:
            raise ValueError("date_to is before date_from")

    @property
    def perpetrator_filter_on(self) -> bool:
        return self.perpetrator_sex is not None or self.perpetrator_min_age is not None

    @property
    def victim_filter_on(self) -> bool:
        return self.victim_sex is not None


@dataclass(frozen=True)
class Options:
    """Everything a profile run can be told; analyses read the settings they need."""

    scope: Scope = field(default_factory=Scope)
    year_basis: YearBasis = "calendar"
    #: `share_by_group_since` counts crimes with occurred_from on or after this date.
    mix_since: date = date(2020, 7, 1)
    #: `fastest_growing_group` compares the last 12 complete months with the 12 from here.
    growth_since: date = date(2020, 1, 1)
    #: The night-time-economy window, every day; it may wrap midnight (start > end).
    nte_start: time = time(18, 0)
    nte_end: time = time(6, 0)
    #: Hot-spot neighbours: shared edge or corner (queen), shared edge (rook), or k nearest.
    hotspot_neighbours: Neighbours = "queen"
    hotspot_k: int = 8
    #: False-discovery rate for hot spots (Benjamini–Hochberg across areas).
    hotspot_fdr: float = 0.05
    confidence: float = 0.95
    #: Keep months that the data-quality check flags as anomalously low (suspected incomplete
    #: files) in trend, seasonality and forecast models; by default they are left out.
    keep_anomalous_months: bool = False

    def __post_init__(self) -> None:
        if self.year_basis not in ("calendar", "financial"):
            raise ValueError(f"year_basis must be calendar or financial, got {self.year_basis!r}")
        if self.hotspot_neighbours not in ("queen", "rook", "knn"):
            raise ValueError("hotspot_neighbours must be queen, rook or knn")
        if not 0 < self.confidence < 1 or not 0 < self.hotspot_fdr < 1:
            raise ValueError("confidence and hotspot_fdr must lie between 0 and 1")
        if self.hotspot_k < 1:
            raise ValueError("hotspot_k must be at least 1")
        if self.nte_start == self.nte_end:
            raise ValueError(
                "nte_start and nte_end must differ (the window may wrap midnight, "
                "e.g. 18:00 to 06:00)"
            )

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form for profile.json."""
        return _jsonable(asdict(self))


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [_jsonable(v) for v in value]
    if isinstance(value, date | time):
        return value.isoformat(timespec="minutes") if isinstance(value, time) else value.isoformat()
    return value


def _tuple(value: Any) -> tuple[str, ...] | None:
    if value is None:
        return None
    if isinstance(value, str):
        return tuple(v.strip() for v in value.split(",") if v.strip())
    return tuple(str(v) for v in value)


def _date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _sex(value: Any) -> str | None:
    if value is None or str(value).lower() in ("any", "all", "none"):
        return None
    return str(value)


def options_from_dict(data: dict[str, Any], source: str = "options") -> Options:
    """Options from a parsed YAML/JSON mapping (``scope:`` and the shared settings)."""
    known = set(Options.__dataclass_fields__)
    unknown = set(data) - known
    if unknown:
        raise ValueError(f"{source}: unknown option(s) {sorted(unknown)}; expected {sorted(known)}")
    raw = dict(data.get("scope") or {})
    scope_fields = set(Scope.__dataclass_fields__)
    unknown = set(raw) - scope_fields
    if unknown:
        raise ValueError(
            f"{source}: unknown scope option(s) {sorted(unknown)}; expected {sorted(scope_fields)}"
        )
    converters = {
        "victim_sex": _sex,
        "perpetrator_sex": _sex,
        "offence_groups": _tuple,
        "districts": _tuple,
        "crime_types": _tuple,
        "date_from": _date,
        "date_to": _date,
        "perpetrator_min_age": lambda v: None if v is None else int(v),
    }
    scope_args = {k: converters.get(k, lambda v: v)(v) for k, v in raw.items()}
    if "crime_types" in scope_args and scope_args["crime_types"] is None:
        del scope_args["crime_types"]
    settings = {k: v for k, v in data.items() if k != "scope"}
    for key in ("mix_since", "growth_since"):
        if key in settings:
            settings[key] = _date(settings[key])
    for key in ("nte_start", "nte_end"):
        if key in settings:
            settings[key] = _clock(settings[key])
    return Options(scope=Scope(**scope_args), **settings)


def _clock(value: Any) -> time:
    if isinstance(value, time):
        return value
    if isinstance(value, int):  # YAML reads 18:00 as sexagesimal minutes
        return time(value // 60, value % 60)
    return time.fromisoformat(str(value))
