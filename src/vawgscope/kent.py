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
        "± 0.03 each",
    ),
    KentFigure("fastest_growing_group", "stalking", "equal", lambda v: v == "stalking"),
    KentFigure(
        "summer_peak_years",
        [2016, 2017, 2018, 2020, 2021],
        "same years of 2016–2021",
        lambda v: [y for y in v if 2016 <= y <= 2021] == [2016, 2017, 2018, 2020, 2021],
    ),
    KentFigure("peak_month", "2020-08", "equal", lambda v: v == "2020-08"),
    KentFigure(
        "period_effects",
        "no substantial lockdown rise; short uptick summer 2020, mostly non-domestic",
        "qualitative",
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
    KentFigure("district_rank_now", "Medway has the most crimes", "qualitative"),
    KentFigure(
        "district_rank_forecast_2y", "Maidstone and Swale overtake Medway and Thanet", "qualitative"
    ),
    KentFigure("share_at_home_or_within_half_mile", 0.76, "± 0.03", _near(0.76, 0.03)),
    KentFigure("share_beyond_3_miles", "very few", "< 0.05", lambda v: v < 0.05),
    KentFigure("temperature_effect_per_10c", 40, "positive", lambda v: v["estimate"] > 0),
    KentFigure(
        "temperature_effect_by_perpetrator_age",
        "largest for 30–34, little or none 40+",
        "qualitative",
    ),
    KentFigure("licensed_premises_rate_ratio", "> 1", "> 1", lambda v: v["estimate"] > 1),
    KentFigure("deprivation_rate_ratio", "> 1", "> 1", lambda v: v["estimate"] > 1),
    KentFigure(
        "victims_by_group_by_year", "falling overall; stalking and harassment rising", "qualitative"
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
