"""Charts of the findings: each builder draws what its finding holds, and withheld values
(None, as public reports show small counts) leave gaps, never errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import plotly.graph_objects as go
import pytest

from vawgscope.report.charts import CHARTS, render
from vawgscope.report.charts.base import month_name


def _finding(fid: str, tables: dict | None = None, figures: dict | None = None, **context: Any):
    return {
        "id": fid,
        "status": "ok",
        "tables": tables or {},
        "figures": figures or {},
        "context": context,
    }


def _share(share: float, low: float, high: float, **row: Any) -> dict[str, Any]:
    return {**row, "share": share, "low": low, "high": high}


#: One small finding per chart builder added for the report.
CASES: dict[str, dict[str, Any]] = {
    "share_by_group_since": _finding(
        "share_by_group_since",
        {
            "share_by_group": [
                _share(0.6, 0.5, 0.7, group="stalking", crimes=6),
                _share(0.4, 0.3, 0.5, group="rape", crimes=4),
            ]
        },
        {"since": "2020-07-01"},
    ),
    "fastest_growing_group": _finding(
        "fastest_growing_group",
        {
            "growth_by_group": [
                {
                    "group": "stalking",
                    "base": 10,
                    "latest": 20,
                    "growth": 1.0,
                    "low": 0.5,
                    "high": 1.5,
                    "rank": 1,
                },
                {
                    "group": "rape",
                    "base": 10,
                    "latest": 5,
                    "growth": -0.5,
                    "low": -0.8,
                    "high": -0.1,
                    "rank": 2,
                },
            ]
        },
        {"base_months": ["2020-01", "2020-12"], "latest_months": ["2021-04", "2022-03"]},
    ),
    "summer_peak_years": _finding(
        "summer_peak_years",
        {
            "summer_vs_rest_by_year": [
                {"year": 2020, "summer_mean": 12.0, "other_months_mean": 10.0, "summer_peak": True},
                {"year": 2021, "summer_mean": 9.0, "other_months_mean": 10.0, "summer_peak": False},
            ]
        },
        {"year_basis": "calendar"},
    ),
    "peak_month": _finding(
        "peak_month",
        {
            "busiest_months": [
                {"rank": 1, "month": "2020-08", "crimes": 30},
                {"rank": 2, "month": "2020-07", "crimes": 25},
                {"rank": 3, "month": "2019-08", "crimes": 20},
            ]
        },
    ),
    "harm_share_top10pct_perpetrators": _finding(
        "harm_share_top10pct_perpetrators",
        figures={
            "harm_share_top10pct": {"estimate": 0.65, "low": 0.6, "high": 0.7},
            "perpetrators": 100,
            "top_perpetrators": 10,
        },
    ),
    "outcome_distribution": _finding(
        "outcome_distribution",
        {
            "by_group": [
                {
                    "group": "rape",
                    "outcome_group": "charged_or_summonsed",
                    "share_of_outcomes": 0.25,
                },
                {
                    "group": "rape",
                    "outcome_group": "evidential_difficulties",
                    "share_of_outcomes": 0.75,
                },
                {
                    "group": "stalking",
                    "outcome_group": "charged_or_summonsed",
                    "share_of_outcomes": 0.5,
                },
                {
                    "group": "stalking",
                    "outcome_group": "evidential_difficulties",
                    "share_of_outcomes": 0.5,
                },
                {
                    "group": "stalking",
                    "outcome_group": "under_investigation",
                    "share_of_outcomes": None,
                },
            ]
        },
    ),
    "outcome_timeliness": _finding(
        "outcome_timeliness",
        {
            "days_to_outcome": [
                {"group": "rape", "year": 2020, "median": 100.0, "q1": 50.0, "q3": 200.0},
                {"group": "rape", "year": 2021, "median": 90.0, "q1": 40.0, "q3": 150.0},
                {"group": "rape", "year": 2022, "median": 20.0, "q1": 10.0, "q3": 30.0},
                {"group": "stalking", "year": 2021, "median": 30.0, "q1": 10.0, "q3": 60.0},
                {"group": "rape", "year": "all", "median": 95.0, "q1": 45.0, "q3": 170.0},
            ]
        },
        {"year_basis": "calendar"},
        complete_months=["2016-04", "2022-03"],
    ),
    "nte_share": _finding(
        "nte_share",
        figures={
            "nte_share": {"estimate": 0.4, "low": 0.38, "high": 0.42},
            "nte_window": ["18:00", "06:00"],
        },
    ),
    "fatal_or_near_fatal_location": _finding(
        "fatal_or_near_fatal_location",
        {
            "location_types_fatal_or_near_fatal": [
                _share(0.75, 0.6, 0.85, location_type="dwelling", crimes=3),
                _share(0.25, 0.1, 0.4, location_type="street", crimes=1),
                _share(0.0, 0.0, 0.3, location_type="hotel", crimes=0),
            ]
        },
    ),
    "location_types_nte": _finding(
        "location_types_nte",
        {
            "location_types_nte": [
                _share(0.5, 0.45, 0.55, location_type="dwelling"),
                _share(0.5, 0.45, 0.55, location_type="street"),
                _share(0.001, 0.0, 0.002, location_type="hotel"),
            ],
            "location_types_other_hours": [
                _share(0.8, 0.75, 0.85, location_type="dwelling"),
                _share(0.2, 0.15, 0.25, location_type="street"),
                _share(0.0, 0.0, 0.001, location_type="hotel"),
            ],
        },
        {"nte_window": "18:00–06:00"},
    ),
    "top_lsoas": _finding(
        "top_lsoas",
        {
            "persistence": [
                {"lsoa_code": "A", "lsoa_name": "Area A", "rank_2020": 1, "rank_2021": 2},
                {"lsoa_code": "B", "lsoa_name": "Area B", "rank_2020": 3, "rank_2021": 1},
            ]
        },
        {"year_basis": "calendar"},
    ),
    "district_rank_now": _finding(
        "district_rank_now",
        {
            "district_crimes_now": [
                {"district": "Medway", "crimes": 30, "rank": 1},
                {"district": "Dover", "crimes": 20, "rank": 2},
                {"district": "Ashford", "crimes": 20, "rank": 2},
            ]
        },
        {"months": ["2021-04", "2022-03"]},
    ),
    "lsoa_hotspots": _finding(
        "lsoa_hotspots",
        {
            "lsoa_hotspots": [
                {"lsoa_code": "A", "lsoa_name": "Area A", "z_crimes": 4.0, "spot_crimes": "hot"},
                {"lsoa_code": "B", "lsoa_name": "Area B", "z_crimes": 0.5, "spot_crimes": ""},
                {"lsoa_code": "C", "lsoa_name": "Area C", "z_crimes": -3.0, "spot_crimes": "cold"},
            ]
        },
    ),
    "scene_when_not_coresident": _finding(
        "scene_when_not_coresident",
        {
            "scenes": [
                _share(
                    0.5,
                    0.45,
                    0.55,
                    scene="victim_home",
                    mean_harm=90.0,
                    mean_harm_low=80.0,
                    mean_harm_high=100.0,
                ),
                _share(
                    0.2,
                    0.15,
                    0.25,
                    scene="perpetrator_home",
                    mean_harm=360.0,
                    mean_harm_low=300.0,
                    mean_harm_high=420.0,
                ),
                _share(
                    0.3,
                    0.25,
                    0.35,
                    scene="elsewhere",
                    mean_harm=200.0,
                    mean_harm_low=180.0,
                    mean_harm_high=220.0,
                ),
            ]
        },
    ),
    "hotspot_perpetrator_distance": _finding(
        "hotspot_perpetrator_distance",
        {
            "hotspots": [
                {
                    "rank": 1,
                    "lsoa_code": "A",
                    "lsoa_name": "Area A",
                    "median_m": 3000.0,
                    "q1_m": 1000.0,
                    "q3_m": 6000.0,
                },
                {
                    "rank": 2,
                    "lsoa_code": "B",
                    "lsoa_name": "Area B",
                    "median_m": 500.0,
                    "q1_m": 100.0,
                    "q3_m": 900.0,
                },
                {
                    "rank": None,
                    "lsoa_code": "all crimes",
                    "median_m": 1000.0,
                    "q1_m": 10.0,
                    "q3_m": 3000.0,
                },
            ]
        },
        {"county_median_m": 1000.0},
    ),
    "victims_by_group_by_year": _finding(
        "victims_by_group_by_year",
        {
            "by_group": [
                {"year": 2020, "offence_group": "rape", "victims": 5},
                {"year": 2021, "offence_group": "rape", "victims": 7},
                {"year": 2020, "offence_group": "stalking", "victims": 9},
                {"year": 2021, "offence_group": "stalking", "victims": 12},
            ]
        },
        {"year_basis": "calendar"},
    ),
    "victimisation_rate_max": _finding(
        "victimisation_rate_max",
        {
            "rates": [
                {"age_band": "5-9", "imd_decile_group": "1-2", "rate_per_year": 0.001},
                {"age_band": "20-24", "imd_decile_group": "1-2", "rate_per_year": 0.1},
                {"age_band": "5-9", "imd_decile_group": "9-10", "rate_per_year": 0.0},
                {"age_band": "20-24", "imd_decile_group": "9-10", "rate_per_year": 0.02},
            ]
        },
        {"highest": {"age_band": "20-24", "imd_decile_group": "1-2"}},
    ),
    "repeat_victimisation": _finding(
        "repeat_victimisation",
        {
            "by_crimes_per_victim": [
                {"crimes_per_victim": "1", "share_of_victims": 0.8, "share_of_victimisations": 0.5},
                {"crimes_per_victim": "2", "share_of_victims": 0.2, "share_of_victimisations": 0.5},
            ]
        },
    ),
    "people_by_relationship": _finding(
        "people_by_relationship",
        {
            "by_relationship": [
                {
                    "role": "victim",
                    "relationship": "partner",
                    "share_of_links": 0.7,
                    "low": 0.6,
                    "high": 0.8,
                },
                {
                    "role": "victim",
                    "relationship": "ex_partner",
                    "share_of_links": 0.3,
                    "low": 0.2,
                    "high": 0.4,
                },
                {
                    "role": "perpetrator",
                    "relationship": "partner",
                    "share_of_links": 0.6,
                    "low": 0.5,
                    "high": 0.7,
                },
                {
                    "role": "perpetrator",
                    "relationship": "ex_partner",
                    "share_of_links": 0.4,
                    "low": 0.3,
                    "high": 0.5,
                },
            ]
        },
    ),
    "people_by_ethnicity": _finding(
        "people_by_ethnicity",
        {
            "by_ethnicity": [
                {
                    "role": "victim",
                    "ethnicity": "white",
                    "share_of_people": 0.9,
                    "low": 0.85,
                    "high": 0.95,
                },
                {
                    "role": "victim",
                    "ethnicity": "asian",
                    "share_of_people": 0.1,
                    "low": 0.05,
                    "high": 0.15,
                },
                {
                    "role": "perpetrator",
                    "ethnicity": "white",
                    "share_of_people": 1.0,
                    "low": 0.9,
                    "high": 1.0,
                },
            ]
        },
    ),
    "reoffence_within_1y_rate": _finding(
        "reoffence_within_1y_rate",
        {
            "rates": [
                _share(
                    0.5,
                    0.45,
                    0.55,
                    family="stalking_harassment",
                    kaplan_meier_365=0.52,
                    kaplan_meier_365_low=0.47,
                    kaplan_meier_365_high=0.57,
                ),
                _share(
                    0.1,
                    0.05,
                    0.15,
                    family="sexual",
                    kaplan_meier_365=0.12,
                    kaplan_meier_365_low=0.07,
                    kaplan_meier_365_high=0.17,
                ),
            ]
        },
    ),
    "escalation_rules": _finding(
        "escalation_rules",
        {
            "rules": [
                {
                    "antecedents": ["harassment", "stalking"],
                    "consequent": "rape",
                    "support": 40,
                    "confidence": 0.2,
                    "lift": 2.5,
                    "mh_risk_ratio": 1.4,
                    "mh_low": 1.1,
                    "mh_high": 1.8,
                },
                {
                    "antecedents": ["controlling_coercive"],
                    "consequent": "violence_with_injury",
                    "support": 300,
                    "confidence": 0.75,
                    "lift": 3.5,
                    "mh_risk_ratio": None,
                    "mh_low": None,
                    "mh_high": None,
                },
            ]
        },
    ),
}


def _draw(fid: str, finding: dict[str, Any] | None = None) -> go.Figure:
    fig = CHARTS[fid](finding or CASES[fid])
    assert isinstance(fig, go.Figure)
    return fig


def _withheld(value: Any) -> Any:
    """Every number set to None, as a public report withholding everything would show it."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return None
    if isinstance(value, dict):
        return {k: _withheld(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_withheld(v) for v in value]
    return value


@pytest.mark.parametrize("fid", sorted(CASES))
def test_every_number_withheld_draws_gaps_not_errors(fid: str) -> None:
    fig = CHARTS[fid](_withheld(CASES[fid]))
    assert fig is None or isinstance(fig, go.Figure)
    if fig is not None:
        fig.to_json()  # serialisable as the report writes it


@pytest.mark.parametrize("fid", sorted(CASES))
def test_missing_table_draws_nothing(fid: str) -> None:
    assert CHARTS[fid](_finding(fid)) is None


def test_share_by_group_since_bars_smallest_at_foot() -> None:
    fig = _draw("share_by_group_since")
    (bar,) = fig.data
    assert list(bar.y) == ["rape", "stalking"]
    assert list(bar.x) == pytest.approx([40.0, 60.0])
    assert list(bar.error_x.array) == pytest.approx([10.0, 10.0])  # 50 - 40, 70 - 60
    assert "since 2020-07-01" in fig.layout.title.text


def test_fastest_growing_group_labels_base_and_latest() -> None:
    (bar,) = _draw("fastest_growing_group").data
    assert list(bar.y) == ["rape (10 → 5)", "stalking (10 → 20)"]
    assert list(bar.x) == pytest.approx([-50.0, 100.0])
    assert list(bar.error_x.arrayminus) == pytest.approx([30.0, 50.0])  # -50 - -80, 100 - 50


def test_summer_peak_years_marks_peak_years() -> None:
    summer, other = _draw("summer_peak_years").data
    assert list(summer.y) == [12.0, 9.0] and list(other.y) == [10.0, 10.0]
    assert "summer peak" in summer.x[0] and "summer peak" not in summer.x[1]


def test_peak_month_bars_in_rank_order() -> None:
    (bar,) = _draw("peak_month").data
    assert list(bar.x) == ["Aug 2020", "Jul 2020", "Aug 2019"]
    assert list(bar.y) == [30, 25, 20]
    assert month_name("2020-13") == "2020-13"


def test_harm_share_pairs_perpetrators_with_harm() -> None:
    people, harm = _draw("harm_share_top10pct_perpetrators").data
    assert list(people.x) == pytest.approx([10.0]) and people.error_x.array is None
    assert list(harm.x) == pytest.approx([65.0])
    assert list(harm.error_x.array) == pytest.approx([5.0])


def test_outcome_distribution_stacks_outcome_groups() -> None:
    fig = _draw("outcome_distribution")
    # Under investigation has no share of outcomes: two traces, not three.
    assert [t.name for t in fig.data] == ["charged or summonsed", "evidential difficulties"]
    charged = fig.data[0]
    assert list(charged.y) == ["rape", "stalking"]  # the higher charge share at the top
    assert list(charged.x) == pytest.approx([25.0, 50.0])
    assert fig.layout.barmode == "stack"


def test_outcome_timeliness_uses_latest_complete_year() -> None:
    fig = _draw("outcome_timeliness")
    (bar,) = fig.data
    # 2022 is cut short by the window (ends 2022-03): 2021 is the latest whole year.
    assert list(bar.y) == ["stalking", "rape"]
    assert list(bar.x) == pytest.approx([30.0, 90.0])
    assert list(bar.error_x.array) == pytest.approx([30.0, 60.0])  # q3 - median
    assert "2021" in fig.layout.title.text


def test_nte_share_against_an_even_spread() -> None:
    fig = _draw("nte_share")
    (bar,) = fig.data
    assert list(bar.x) == pytest.approx([60.0, 40.0])
    # Other hours: 1 - 0.4 = 0.6, interval 1 - 0.42 to 1 - 0.38.
    assert list(bar.error_x.array) == pytest.approx([2.0, 2.0])
    assert fig.layout.shapes[0].x0 == pytest.approx(50.0)  # 18:00-06:00 is half the day


def test_fatal_or_near_fatal_location_share_bars() -> None:
    (bar,) = _draw("fatal_or_near_fatal_location").data
    assert list(bar.y) == ["street", "dwelling"]  # a zero share is left out
    assert list(bar.x) == pytest.approx([25.0, 75.0])


def test_location_types_nte_pairs_windows() -> None:
    other, night = _draw("location_types_nte").data
    # The hotel (under 0.5% in both windows) is left out; dwelling is the biggest, at the top.
    assert list(night.y) == ["street", "dwelling"]
    assert list(night.x) == pytest.approx([50.0, 50.0])
    assert list(other.x) == pytest.approx([20.0, 80.0])


def test_top_lsoas_heat_map_of_ranks() -> None:
    (heat,) = _draw("top_lsoas").data
    assert list(heat.x) == ["2020", "2021"]
    assert list(heat.y) == ["Area A", "Area B"]
    assert [list(r) for r in heat.z] == [[1, 2], [3, 1]]


def test_district_rank_now_rank_one_at_top() -> None:
    (bar,) = _draw("district_rank_now").data
    assert list(bar.y) == ["Ashford (2)", "Dover (2)", "Medway (1)"]
    assert list(bar.x) == [20, 20, 30]


def test_lsoa_hotspots_coloured_by_class() -> None:
    fig = _draw("lsoa_hotspots")
    assert [t.name for t in fig.data] == [
        "hot spot (FDR-corrected)",
        "cold spot (FDR-corrected)",
        "not significant",
    ]
    assert [list(t.x) for t in fig.data] == [[4.0], [-3.0], [0.5]]
    assert list(fig.layout.yaxis.categoryarray) == ["Area C", "Area B", "Area A"]


def test_lsoa_hotspots_keeps_15_each_end() -> None:
    rows = [
        {"lsoa_code": f"L{i:02d}", "z_crimes": float(i - 20), "spot_crimes": ""} for i in range(40)
    ]
    fig = _draw("lsoa_hotspots", _finding("lsoa_hotspots", {"lsoa_hotspots": rows}))
    assert len(fig.data[0].x) == 30
    assert min(fig.data[0].x) == -20.0 and max(fig.data[0].x) == 19.0


def test_scene_when_not_coresident_two_panels() -> None:
    shares, harm = _draw("scene_when_not_coresident").data
    assert list(shares.y) == ["victim's home", "perpetrator's home", "elsewhere"]
    assert list(shares.x) == pytest.approx([50.0, 20.0, 30.0])
    assert list(harm.x) == [90.0, 360.0, 200.0]
    assert list(harm.error_x.array) == pytest.approx([10.0, 60.0, 20.0])
    assert harm.xaxis == "x2"


def test_hotspot_perpetrator_distance_against_county_median() -> None:
    fig = _draw("hotspot_perpetrator_distance")
    (dots,) = fig.data
    assert list(dots.y) == ["Area B", "Area A"]  # the county row is the line, not a dot
    assert list(dots.x) == pytest.approx([0.5, 3.0])
    assert list(dots.error_x.array) == pytest.approx([0.4, 3.0])
    assert fig.layout.shapes[0].x0 == pytest.approx(1.0)


def test_victims_by_group_by_year_line_per_group() -> None:
    fig = _draw("victims_by_group_by_year")
    assert [t.name for t in fig.data] == ["stalking", "rape"]  # the larger group first
    assert list(fig.data[0].y) == [9, 12] and list(fig.data[1].x) == [2020, 2021]


def test_victimisation_rate_heat_map_marks_highest() -> None:
    fig = _draw("victimisation_rate_max")
    (heat,) = fig.data
    assert list(heat.y) == ["5-9", "20-24"] and list(heat.x) == ["1-2", "9-10"]
    assert [list(r) for r in heat.z] == [pytest.approx([1.0, 0.0]), pytest.approx([100.0, 20.0])]
    assert fig.layout.annotations[0].text == "highest: 100"


def test_repeat_victimisation_pairs_shares() -> None:
    victims, victimisations = _draw("repeat_victimisation").data
    assert list(victims.y) == pytest.approx([80.0, 20.0])
    assert list(victimisations.y) == pytest.approx([50.0, 50.0])


def test_people_by_relationship_bars_by_role() -> None:
    perpetrators, victims = _draw("people_by_relationship").data
    assert list(victims.y) == ["ex partner", "partner"]
    assert list(victims.x) == pytest.approx([30.0, 70.0])
    assert list(perpetrators.x) == pytest.approx([40.0, 60.0])


def test_people_by_ethnicity_gap_where_a_role_has_no_row() -> None:
    perpetrators, victims = _draw("people_by_ethnicity").data
    assert list(victims.y) == ["asian", "white"]
    asian, white = perpetrators.x
    assert asian is None and white == pytest.approx(100.0)


def test_reoffence_within_1y_share_and_kaplan_meier() -> None:
    km, followed = _draw("reoffence_within_1y_rate").data
    assert list(followed.y) == ["sexual", "stalking harassment"]
    assert list(followed.x) == pytest.approx([10.0, 50.0])
    assert list(km.x) == pytest.approx([12.0, 52.0])
    assert list(km.error_x.arrayminus) == pytest.approx([5.0, 5.0])


def test_escalation_rules_table_sorted_by_lift() -> None:
    (table,) = _draw("escalation_rules").data
    rules, support, confidence, lift, ratio = (list(c) for c in table.cells.values)
    assert rules == [
        "controlling coercive ⇒ violence with injury",
        "harassment + stalking ⇒ rape",
    ]
    assert support == ["300", "40"] and confidence == ["75.0%", "20.0%"]
    assert lift == ["3.50", "2.50"] and ratio == ["–", "1.40 (1.10–1.80)"]


def test_every_ok_finding_of_a_profile_has_a_chart(small_world_dir: Path, tmp_path: Path) -> None:
    from vawgscope.dataset import Dataset
    from vawgscope.ingest import ingest
    from vawgscope.profile import build_profile

    ingest(small_world_dir, tmp_path / "s.duckdb")
    profile = build_profile(Dataset.open(tmp_path / "s.duckdb"))
    # The area map needs area shapes, which the report passes in beside the profile.
    no_chart = {"crimes_total", "people_distinct", "area_rates"}
    missing = [
        f["id"]
        for i, f in enumerate(profile["findings"])
        if f["status"] == "ok"
        and f["id"] not in no_chart
        and not (render(f, i, profile["dataset"]) or "").startswith("<div")
    ]
    assert missing == []


def test_outcome_timeliness_in_months_for_month_level_data() -> None:
    from vawgscope.report.charts import CHARTS

    finding = {
        "id": "outcome_timeliness",
        "figures": {"year_basis": "financial"},
        "tables": {
            "months_to_outcome": [
                {"group": "Violence and sexual offences", "year": 2021, "median": 0.0,
                 "q1": 0.0, "q3": 1.0},
            ]
        },
        "context": {"complete_months": ["2021-04", "2022-03"]},
    }  # fmt: skip
    fig = CHARTS["outcome_timeliness"](finding)
    assert fig is not None and list(fig.data[0].error_x.array) == [1.0]
    assert "months" in fig.layout.xaxis.title.text and "2021" in fig.layout.title.text
