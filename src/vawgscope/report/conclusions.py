"""The one-page summary of key conclusions, written from the headlines a profile has."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from vawgscope.report.format import number, share


@dataclass(frozen=True)
class Conclusions:
    heading: str
    lines: list[str]


def _get(headlines: dict[str, Any], key: str) -> Any:
    return headlines.get(key)


def _finding(profile: dict[str, Any], finding_id: str) -> dict[str, Any] | None:
    """A finding that ran (status ok), by id."""
    for finding in profile.get("findings", []):
        if finding["id"] == finding_id and finding.get("status") == "ok":
            return finding
    return None


def _area_name(profile: dict[str, Any], code: str) -> str:
    """An LSOA as a reader knows it: "Maidstone 001A (E01024374)" where the name is known."""
    finding = _finding(profile, "top_lsoas") or {}
    for row in finding.get("tables", {}).get("persistence", []):
        if row.get("lsoa_code") == code and row.get("lsoa_name"):
            return f"{row['lsoa_name']} ({code})"
    return code


def _location(h: dict[str, Any], profile: dict[str, Any]) -> list[str]:
    lines = []
    if (ratio := _get(h, "home_to_street_ratio")) is not None:
        lines.append(f"Crimes at home outnumber crimes in the street {number(ratio)} to 1.")
    if (s := _get(h, "share_at_home_or_within_half_mile")) is not None:
        lines.append(f"{share(s)} of victims were attacked at home or within half a mile of it.")
    if (spot := _get(h, "most_persistent_hotspot")) is not None:
        rank = spot["worst_rank"]
        where = "first" if rank == 1 else f"in the top {rank}"
        lines.append(
            f"Area {_area_name(profile, spot['lsoa_code'])} is the most persistent hot spot: "
            f"{where} "
            "in every complete year."
        )
    if now := _get(h, "district_rank_now"):
        lines.append(f"{now[0]['district']} has the most crimes in the last 12 months.")
    if ahead := _get(h, "district_rank_forecast_2y"):
        lines.append(f"On current trends {ahead[0]['district']} will have the most in two years.")
    return lines


def _perpetrators(h: dict[str, Any]) -> list[str]:
    lines = []
    if (band := _get(h, "perpetrator_leading_age_band")) is not None:
        lines.append(f"Men aged {band} are now the leading perpetrator group.")
    if (year := _get(h, "peak_perpetrator_birth_year")) is not None:
        lines.append(f"Men born in {year} offend most, year after year.")
    if (top := _get(h, "harm_share_top10pct_perpetrators")) is not None:
        lines.append(f"10% of perpetrators cause {share(top)} of the harm.")
    if rules := _get(h, "escalation_rules"):
        lines.append(
            f"{len(rules)} offence histories go with sharply higher risk of rape or "
            "violence with injury."
        )
    return lines


def _victims(h: dict[str, Any]) -> list[str]:
    lines = []
    if (n := _get(h, "victims_distinct")) is not None:
        lines.append(f"{number(n)} different women and girls were victims.")
    if (window := _get(h, "victim_peak_age_window")) is not None:
        lines.append(f"Those aged {window[0]} to {window[1]} are most often victims.")
    if (cell := _get(h, "victimisation_rate_max")) is not None:
        lines.append(
            f"Over the whole period, {share(cell['rate'])} of women aged {cell['age_band']} "
            f"in IMD deciles {cell['imd_decile_group']} were victims."
        )
    return lines


def _drivers(h: dict[str, Any], profile: dict[str, Any]) -> list[str]:
    lines = []
    if (t := _get(h, "temperature_effect_per_10c")) is not None:
        lines.append(f"Each 10 °C warmer adds {number(t['estimate'])} crimes a day.")
    elif monthly := _finding(profile, "temperature_monthly"):
        estimate = monthly["figures"]["per_10c"]["estimate"]
        lines.append(
            f"Months 10 °C warmer have {number(estimate)} more crimes a day (with the seasons)."
        )
    if (p := _get(h, "licensed_premises_rate_ratio")) is not None:
        lines.append(
            f"Each extra licensed premises per 1,000 residents goes with "
            f"{share(p['estimate'] - 1)} more VAWG."
        )
    if (d := _get(h, "deprivation_rate_ratio")) is not None:
        lines.append(
            f"Each step toward more deprived areas goes with {share(d['estimate'] - 1)} more VAWG."
        )
    if (nte := _get(h, "nte_share")) is not None:
        lines.append(f"{share(nte)} of VAWG falls in night-time-economy hours.")
    return lines


def key_conclusions(profile: dict[str, Any]) -> list[Conclusions]:
    """Location, perpetrators, victims and drivers, as the seed report's key conclusions."""
    h = profile.get("headlines", {})
    groups = [
        Conclusions("Location", _location(h, profile)),
        Conclusions("Perpetrators", _perpetrators(h)),
        Conclusions("Victims", _victims(h)),
        Conclusions("Drivers", _drivers(h, profile)),
    ]
    for group in groups:
        if not group.lines:
            group.lines.append("Not available from this dataset.")
    return groups
