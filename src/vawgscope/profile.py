"""The problem profile: run every analysis on a dataset and assemble ``profile.json``."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

from vawgscope import __version__
from vawgscope.analyses import (
    areas,
    distance,
    drivers,
    escalation,
    harm,
    hotspots,
    outcomes,
    people,
    place,
    quality,
    reoffending,
    reporting,
    time,
    trends,
    volume,
)
from vawgscope.analyses.common import rows
from vawgscope.analyses.finding import Finding
from vawgscope.dataset import Dataset
from vawgscope.kent import KENT_FIGURES, compare
from vawgscope.options import Scope

SCHEMA_VERSION = 1

#: Every headline of problem-profile.md, in its order; profile.json always has all of them.
HEADLINE_KEYS: tuple[str, ...] = (
    "crimes_total",
    "victims_distinct",
    "perpetrators_distinct",
    "share_by_group_since",
    "fastest_growing_group",
    "summer_peak_years",
    "peak_month",
    "period_effects",
    "charge_rate",
    "victim_not_supporting_rate",
    "evidential_difficulty_rate",
    "nte_share",
    "peak_weekday",
    "peak_hours",
    "home_to_street_ratio",
    "home_share_excluding_domestic",
    "fatal_or_near_fatal_home_share",
    "top_lsoas_by_year",
    "most_persistent_hotspot",
    "district_rank_now",
    "district_rank_forecast_2y",
    "share_at_home_or_within_half_mile",
    "share_beyond_3_miles",
    "temperature_effect_per_10c",
    "temperature_effect_by_perpetrator_age",
    "licensed_premises_rate_ratio",
    "deprivation_rate_ratio",
    "victims_by_group_by_year",
    "victim_peak_age_window",
    "victimisation_rate_max",
    "perpetrator_leading_age_band",
    "peak_perpetrator_birth_year",
    "reporting_channel_share",
    "harm_share_top10pct_perpetrators",
    "reoffence_within_1y_rate",
    "escalation_rules",
    "scene_when_not_coresident",
)

Analysis = Callable[[Dataset], Finding]

#: The analyses a profile runs, in report order.
ANALYSES: tuple[Analysis, ...] = (
    volume.crimes_total,
    volume.people_distinct,
    *trends.ANALYSES,
    *harm.ANALYSES,
    *outcomes.ANALYSES,
    *time.ANALYSES,
    *place.ANALYSES,
    *areas.ANALYSES,
    *hotspots.ANALYSES,
    *distance.ANALYSES,
    *drivers.ANALYSES,
    *people.ANALYSES,
    *reoffending.ANALYSES,
    *escalation.ANALYSES,
    *reporting.ANALYSES,
    *quality.ANALYSES,
)


def dataset_section(ds: Dataset) -> dict[str, Any]:
    """What the figures stand on: source fingerprint, period, counts and the tier."""
    counts = ds.counts()
    months = ds.window.complete_months()
    section: dict[str, Any] = {
        "fingerprint": ds.info.fingerprint,
        "tier": "crimes_only" if ds.crimes_only else "full",
        "period": [ds.window.first.date().isoformat(), ds.window.last.date().isoformat()]
        if not ds.window.empty
        else None,
        "now": ds.window.now.isoformat() if ds.window.now else None,
        "complete_months": [months[0], months[-1]] if months else None,
        "crimes": counts["crimes"],
        "victims": counts["victims"],
        "perpetrators": counts["perpetrators"],
        "store_rows": {
            k.removeprefix("rows."): int(v)
            for k, v in ds.info.meta.items()
            if k.startswith("rows.")
        },
        "rejected_rows": {
            k.removeprefix("rejected."): int(v)
            for k, v in ds.info.meta.items()
            if k.startswith("rejected.")
        },
        "ingested_at": ds.info.meta.get("ingested_at"),
        "periods": rows(ds.table("periods").order_by("start_date")) if ds.has("periods") else [],
    }
    if ds.crimes_only:
        types = ", ".join(ds.scope.crime_types)
        section["note"] = (
            "Crimes-only dataset (such as data.police.uk): it has no victims, suspects, sex or "
            "exact times and only broad crime types, so this profile analyses a proxy for VAWG: "
            f"every crime published as {types}. Findings that need persons or exact times say "
            "what they need."
        )
    return section


def _kent_window_headlines(ds: Dataset) -> dict[str, Any]:
    """Headlines the seed states over its own window (victims and perpetrators 2017-22)."""
    windows = {f.window for f in KENT_FIGURES if f.window}
    out: dict[str, Any] = {}
    for start, end in windows:
        variant = ds.with_scope(Scope(**{**ds.scope.__dict__, "date_from": start, "date_to": end}))
        out.update(volume.people_distinct(variant).headlines)
    return out


def build_profile(ds: Dataset, progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Run every analysis and return the profile as a JSON-ready dictionary."""
    findings: list[Finding] = []
    families: list[str] = []
    for analysis in ANALYSES:
        if progress:
            progress(analysis.__name__)
        findings.append(analysis(ds))
        families.append(analysis.__module__.rsplit(".", 1)[-1])
    headlines: dict[str, Any] = dict.fromkeys(HEADLINE_KEYS)
    for finding in findings:
        headlines.update({k: v for k, v in finding.headlines.items() if k in headlines})
    windowed = {} if ds.crimes_only else _kent_window_headlines(ds)
    return {
        "schema_version": SCHEMA_VERSION,
        "generator": f"vawgscope {__version__}",
        "dataset": dataset_section(ds),
        "options": ds.options.as_dict(),
        "harm_weights": ds.harm_weights.as_dict(),
        "headlines": headlines,
        "kent_comparison": compare(headlines, windowed),
        "findings": [
            {**f.to_json(), "family": family} for f, family in zip(findings, families, strict=True)
        ],
    }


def _json_default(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    raise TypeError(f"cannot write {type(value).__name__} to JSON")


def _finite(value: Any) -> Any:
    """NaN and infinities are not JSON: they become null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def write_profile(profile: dict[str, Any], out_dir: Path) -> Path:
    """Write ``profile.json`` into ``out_dir`` and return its path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "profile.json"
    text = json.dumps(_finite(profile), indent=2, default=_json_default, allow_nan=False)
    path.write_text(text + "\n", encoding="utf-8")
    return path
