"""The Kent figures from the seed report, and how a dataset's headline is compared with each.

Every profile carries a table: headline — this dataset — Kent. ``agrees`` is True or False
where a figure can be checked, ``None`` where the headline is missing or the Kent statement is
qualitative. Where the seed states its own window, the comparison uses it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any


@dataclass(frozen=True)
class KentFigure:
    """One Kent figure: the seed's value, a tolerance in words, and the check."""

    headline: str
    kent: Any
    tolerance: str
    check: Callable[[Any], bool] | None = None
    window: tuple[date, date] | None = None


def _within(target: float, relative: float) -> Callable[[Any], bool]:
    return lambda v: abs(v - target) <= relative * target


def _near(target: float, absolute: float) -> Callable[[Any], bool]:
    return lambda v: abs(v - target) <= absolute


def _group_near(targets: dict[str, float], absolute: float) -> Callable[[Any], bool]:
    return lambda v: all(abs(v.get(g, float("nan")) - t) <= absolute for g, t in targets.items())


def _mix_agrees(shares: dict[str, float]) -> bool:
    low_harm = (
        "violence_without_injury",
        "stalking",
        "harassment",
        "malicious_communications",
        "controlling_coercive",
    )
    parts = {
        "low": sum(shares.get(g, 0.0) for g in low_harm),
        "sexual": shares.get("rape", 0.0) + shares.get("other_sexual", 0.0),
        "vwi": shares.get("violence_with_injury", 0.0),
    }
    others = 1.0 - sum(parts.values())
    return (
        abs(parts["low"] - 0.74) <= 0.03
        and abs(parts["sexual"] - 0.09) <= 0.03
        and abs(parts["vwi"] - 0.17) <= 0.03
        and others <= 0.02
    )


def _ranked_above(
    ranking: list[dict[str, Any]], risers: tuple[str, ...], fallers: tuple[str, ...]
) -> bool:
    rank = {row["district"]: row["rank"] for row in ranking}
    return all(rank[r] < rank[f] for r in risers for f in fallers)


def _age_effect_agrees(by_band: dict[str, dict[str, float]]) -> bool:
    top = max(by_band, key=lambda band: by_band[band]["estimate"])
    older = [
        v["estimate"] for band, v in by_band.items() if band in ("40-44", "45-49", "50-59", "60+")
    ]
    return top == "30-34" and all(e < 0.2 * by_band[top]["estimate"] for e in older)


def _victims_trend_agrees(by_group: dict[str, dict[Any, int]]) -> bool:
    years = sorted({int(y) for counts in by_group.values() for y in counts})
    first, last = years[0], years[-1]

    def total(groups: list[str], year: int) -> int:
        return sum(int(by_group[g].get(year, by_group[g].get(str(year), 0))) for g in groups)

    every = list(by_group)
    sh = [g for g in ("stalking", "harassment") if g in by_group]
    return total(every, last) < total(every, first) and total(sh, last) > total(sh, first)


KENT_WINDOW = (date(2017, 4, 1), date(2022, 3, 31))

KENT_FIGURES: tuple[KentFigure, ...] = (
    KentFigure("victims_distinct", 56_358, "± 3%", _within(56_358, 0.03), KENT_WINDOW),
    KentFigure("perpetrators_distinct", 49_055, "± 3%", _within(49_055, 0.03), KENT_WINDOW),
    KentFigure(
        "share_by_group_since",
        {
            "violence_without_injury+stalking+harassment+malicious_communications"
            "+controlling_coercive": 0.74,
            "rape+other_sexual": 0.09,
            "violence_with_injury": 0.17,
            "all other groups": "≤ 0.02",
        },
        "± 0.03 each; others ≤ 0.02",
        _mix_agrees,
    ),
    KentFigure("fastest_growing_group", "stalking", "equal", lambda v: v == "stalking"),
    KentFigure(
        "summer_peak_years",
        [2016, 2017, 2018, 2020, 2021],
        "every complete year of 2016–2021 but 2019 (2016 is complete only in older data)",
        lambda v: 2019 not in v and {2017, 2018, 2020, 2021} <= set(v),
    ),
    KentFigure("peak_month", "2020-08", "equal", lambda v: v == "2020-08"),
    KentFigure(
        "period_effects",
        "no substantial lockdown rise; short uptick summer 2020, mostly non-domestic",
        "domestic crime within or below its interval in every lockdown",
        lambda v: all(
            p["domestic"]["observed"] <= p["domestic"]["high"] for p in v if p["kind"] == "lockdown"
        ),
    ),
    KentFigure(
        "charge_rate",
        {"rape": 0.043, "other_sexual": 0.075},
        "± 0.01",
        _group_near({"rape": 0.043, "other_sexual": 0.075}, 0.01),
    ),
    KentFigure(
        "victim_not_supporting_rate",
        {"rape": 0.64, "other_sexual": 0.48},
        "± 0.03",
        _group_near({"rape": 0.64, "other_sexual": 0.48}, 0.03),
    ),
    KentFigure(
        "evidential_difficulty_rate",
        {"rape": 0.30, "highest": ["stalking", "robbery"]},
        "rape ± 0.03",
        _group_near({"rape": 0.30}, 0.03),
    ),
    KentFigure("nte_share", 0.40, "± 0.03", _near(0.40, 0.03)),
    KentFigure(
        "peak_weekday", "Tuesday or Wednesday", "one of", lambda v: v in ("Tuesday", "Wednesday")
    ),
    KentFigure(
        "peak_hours",
        "early to mid afternoon",
        "window starts 12:00–15:00",
        lambda v: 12 <= v[0] <= 15,
    ),
    KentFigure("home_to_street_ratio", "> 4", "> 4", lambda v: v > 4),
    KentFigure("home_share_excluding_domestic", 0.5, "± 0.05", _near(0.5, 0.05)),
    KentFigure("fatal_or_near_fatal_home_share", 0.75, "± 0.05", _near(0.75, 0.05)),
    KentFigure("top_lsoas_by_year", "Maidstone town centre first", "qualitative"),
    KentFigure(
        "most_persistent_hotspot",
        "Maidstone town centre, never below 3rd",
        "worst rank ≤ 3",
        lambda v: v["worst_rank"] <= 3,
    ),
    KentFigure(
        "district_rank_now",
        "Medway has the most crimes",
        "Medway first",
        lambda v: v[0]["district"] == "Medway",
    ),
    KentFigure(
        "district_rank_forecast_2y",
        "Maidstone and Swale overtake Medway and Thanet",
        "Maidstone and Swale ranked above Medway and Thanet",
        lambda v: _ranked_above(v, ("Maidstone", "Swale"), ("Medway", "Thanet")),
    ),
    KentFigure("share_at_home_or_within_half_mile", 0.76, "± 0.03", _near(0.76, 0.03)),
    KentFigure("share_beyond_3_miles", "very few", "< 0.05", lambda v: v < 0.05),
    KentFigure(
        "temperature_effect_per_10c",
        40,
        "± 10 crimes a day",
        lambda v: abs(v["estimate"] - 40) <= 10,
    ),
    KentFigure(
        "temperature_effect_by_perpetrator_age",
        "largest for 30–34, little or none 40+",
        "30-34 largest; 40+ bands under a fifth of it",
        _age_effect_agrees,
    ),
    KentFigure("licensed_premises_rate_ratio", "> 1", "> 1", lambda v: v["estimate"] > 1),
    KentFigure("deprivation_rate_ratio", "> 1", "> 1", lambda v: v["estimate"] > 1),
    KentFigure(
        "victims_by_group_by_year",
        "falling overall; stalking and harassment rising",
        "first to last year: all victims down, stalking + harassment up",
        _victims_trend_agrees,
    ),
    KentFigure(
        "victim_peak_age_window",
        [19, 28],
        "± 2 years",
        lambda v: abs(v[0] - 19) <= 2 and abs(v[1] - 28) <= 2,
    ),
    KentFigure(
        "victimisation_rate_max",
        {"age_band": "25-29", "imd_decile_group": "1-2", "rate": 0.125},
        "rate ± 0.03",
        lambda v: abs(v["rate"] - 0.125) <= 0.03,
    ),
    KentFigure("perpetrator_leading_age_band", "30-34", "equal", lambda v: v == "30-34"),
    KentFigure("peak_perpetrator_birth_year", 1989, "± 1", lambda v: abs(v - 1989) <= 1),
    KentFigure(
        "reporting_channel_share",
        {"rape": {"101": "> 0.25"}, "other_sexual": {"101": 0.33}},
        "rape > 0.25; other sexual ± 0.05",
        lambda v: v["rape"]["101"] > 0.25 and abs(v["other_sexual"]["101"] - 0.33) <= 0.05,
    ),
    KentFigure("harm_share_top10pct_perpetrators", 0.63, "± 0.03", _near(0.63, 0.03)),
    KentFigure(
        "reoffence_within_1y_rate",
        "violent and stalking/harassment above sexual",
        "ordering",
        lambda v: min(v["violent"], v["stalking_harassment"]) > v["sexual"],
    ),
    KentFigure(
        "escalation_rules",
        [
            {
                "antecedents": [
                    "stalking",
                    "harassment",
                    "malicious_communications",
                    "controlling_coercive",
                ],
                "consequent": "violence_with_injury",
                "lift": 2.3,
                "confidence": 0.75,
            },
            {
                "antecedents": ["harassment", "controlling_coercive"],
                "consequent": "rape",
                "lift": 2.6,
                "confidence": 0.22,
            },
        ],
        "qualitative",
    ),
    KentFigure(
        "scene_when_not_coresident",
        "victim's home more often; perpetrator's home more harmful",
        "ordering",
        lambda v: (
            v["victim_home"]["share"] > v["perpetrator_home"]["share"]
            and v["perpetrator_home"]["mean_harm"] > v["victim_home"]["mean_harm"]
        ),
    ),
)


def compare(headlines: dict[str, Any], windowed: dict[str, Any]) -> list[dict[str, Any]]:
    """The Kent comparison rows; ``windowed`` holds headlines computed over the seed's window."""
    rows = []
    for figure in KENT_FIGURES:
        value = windowed.get(figure.headline) if figure.window else headlines.get(figure.headline)
        agrees: bool | None = None
        if value is not None and figure.check is not None:
            try:
                agrees = bool(figure.check(value))
            except (KeyError, TypeError, IndexError):
                agrees = None
        row: dict[str, Any] = {
            "headline": figure.headline,
            "this_dataset": value,
            "kent": figure.kent,
            "tolerance": figure.tolerance,
            "agrees": agrees,
        }
        if figure.window:
            row["window"] = [d.isoformat() for d in figure.window]
        rows.append(row)
    return rows
