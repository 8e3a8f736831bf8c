"""Outcomes: rates, distribution, attrition and timeliness on a hand-counted dataset."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import crime, link, person, write_dataset
from vawgscope.analyses import outcomes
from vawgscope.dataset import Dataset
from vawgscope.ingest import ingest
from vawgscope.options import Options, Scope

RATE_KEYS = ("charge_rate", "victim_not_supporting_rate", "evidential_difficulty_rate")


def open_full(
    tmp_path: Path, crimes: Sequence[dict[str, Any]], options: Options | None = None
) -> Dataset:
    """Every crime has the same female victim and male perpetrator (41), so all are in scope."""
    links = []
    for row in crimes:
        links += [link(row["crime_id"], "V1", "victim"), link(row["crime_id"], "P1", "suspect")]
    folder = write_dataset(
        tmp_path / "d", crimes, [person("V1", "F", 1990), person("P1", "M", 1980)], links
    )
    ingest(folder, tmp_path / "s.duckdb")
    return Dataset.open(tmp_path / "s.duckdb", options)


def hand_counted() -> list[dict[str, Any]]:
    """Rape: 10 crimes, outcomes 1, 1, 14, 14, 16, 15, 15, 18 and two still open; the two
    charges happened in March 2021, the rest in July. Outcomes come 5 days after recording,
    except outcome 18, which has no date.
    Stalking: 4 crimes, outcomes 15, 15, 15, 8, after 10, 20, 30 and 40 days.
    Harassment: 2 crimes, both still under investigation (a group with no outcome yet)."""
    rape = []
    for i, code in enumerate((1, 1, 14, 14, 16, 15, 15, 18, None, None)):
        march = i < 2
        recorded = "2021-03-16" if march else "2021-07-04"
        rape.append(
            crime(
                f"R{i}",
                offence_group="rape",
                occurred_from="2021-03-15T20:00:00" if march else "2021-07-03T14:00:00",
                recorded_date=recorded,
                outcome_code=code,
                outcome_date=None
                if code in (None, 18)
                else ("2021-03-21" if march else "2021-07-09"),
            )
        )
    stalking = [
        crime(
            f"S{i}",
            offence_group="stalking",
            outcome_code=code,
            outcome_date=day,
        )
        for i, (code, day) in enumerate(
            ((15, "2021-07-14"), (15, "2021-07-24"), (15, "2021-08-03"), (8, "2021-08-13"))
        )
    ]
    harassment = [crime("H1"), crime("H2")]
    return rape + stalking + harassment


@pytest.fixture
def ds(tmp_path: Path) -> Dataset:
    return open_full(tmp_path, hand_counted())


def test_charge_rate_by_group(ds: Dataset) -> None:
    finding = outcomes.charge_rate(ds)
    # rape 2 of 8 with an outcome, stalking 0 of 4; harassment has no outcome: not in headline
    assert finding.headlines == {"charge_rate": {"rape": 0.25, "stalking": 0.0}}
    table = finding.tables["charge_rate_by_group"]
    assert [r["group"] for r in table] == ["rape", "stalking", "harassment", "all groups"]
    rape = table[0]
    assert (rape["recorded"], rape["n"], rape["k"]) == (10, 8, 2)
    # Wilson 95% for 2/8: centre (0.25 + 1.96²/16) / (1 + 1.96²/8) = 0.3311, half-width 0.2596
    assert rape["low"] == pytest.approx(0.07148, abs=1e-4)
    assert rape["high"] == pytest.approx(0.59072, abs=1e-4)
    assert table[2] == {
        "group": "harassment",
        "recorded": 2,
        "n": 0,
        "k": 0,
        "share": None,
        "low": None,
        "high": None,
        "note": "no crimes with an outcome yet",
    }
    assert (table[3]["n"], table[3]["k"], table[3]["share"]) == (12, 2, 2 / 12)


def test_victim_not_supporting_rate_counts_14_and_16(ds: Dataset) -> None:
    finding = outcomes.victim_not_supporting_rate(ds)
    # rape: 14, 14, 16 → 3 of 8; stalking none of 4
    assert finding.headlines == {"victim_not_supporting_rate": {"rape": 0.375, "stalking": 0.0}}
    rape = finding.tables["victim_not_supporting_rate_by_group"][0]
    # Wilson 95% for 3/8
    assert (rape["low"], rape["high"]) == pytest.approx((0.13684, 0.69426), abs=1e-4)


def test_evidential_difficulty_rate_counts_15(ds: Dataset) -> None:
    finding = outcomes.evidential_difficulty_rate(ds)
    # stalking 3 of 4, rape 2 of 8: ranked by share
    assert finding.headlines == {"evidential_difficulty_rate": {"stalking": 0.75, "rape": 0.25}}
    assert list(finding.headlines["evidential_difficulty_rate"]) == ["stalking", "rape"]
    assert finding.figures == {"codes": [15], "crimes_with_outcome": 12}


def test_outcome_distribution_by_group_and_financial_year(tmp_path: Path) -> None:
    ds = open_full(tmp_path, hand_counted(), Options(year_basis="financial"))
    finding = outcomes.outcome_distribution(ds)
    rape = [
        (r["outcome_group"], r["crimes"], r["share_of_outcomes"], r["share_of_recorded"])
        for r in finding.tables["by_group"]
        if r["group"] == "rape"
    ]
    assert rape == [
        ("victim_does_not_support", 3, 3 / 8, 0.3),
        ("charged_or_summonsed", 2, 2 / 8, 0.2),
        ("evidential_difficulties", 2, 2 / 8, 0.2),
        ("under_investigation", 2, None, 0.2),
        ("no_suspect_identified", 1, 1 / 8, 0.1),
    ]
    harassment = [r for r in finding.tables["by_group"] if r["group"] == "harassment"]
    assert [(r["outcome_group"], r["share_of_recorded"]) for r in harassment] == [
        ("under_investigation", 1.0)
    ]
    codes = [
        (r["outcome_code"], r["crimes"])
        for r in finding.tables["by_group_and_code"]
        if r["group"] == "rape"
    ]
    assert codes == [(1, 2), (14, 2), (15, 2), (16, 1), (18, 1), (None, 2)]
    # the two charges of March 2021 fall in financial year 2020 (April 2020 – March 2021)
    by_year = {(r["year"], r["outcome_group"]): r for r in finding.tables["by_year"]}
    assert by_year[(2020, "charged_or_summonsed")]["crimes"] == 2
    assert by_year[(2020, "charged_or_summonsed")]["share_of_outcomes"] == 1.0
    assert by_year[(2020, "charged_or_summonsed")]["year_basis"] == "financial"
    assert {y for y, _ in by_year} == {2020, 2021}
    assert by_year[(2021, "evidential_difficulties")]["crimes"] == 5  # 2 rape + 3 stalking


def test_attrition_funnel(ds: Dataset) -> None:
    funnel = outcomes.attrition_funnel(ds).tables["funnel"]

    def stages(group: str) -> list[tuple[int, float | None]]:
        return [(r["crimes"], r["share_of_previous"]) for r in funnel if r["group"] == group]

    # rape: 10 recorded; 8 with an outcome; suspect identified = not 14/18 → 1, 1, 16, 15, 15;
    # victim supports = not 16 either → 1, 1, 15, 15; charged 2
    assert stages("rape") == [(10, None), (8, 0.8), (5, 5 / 8), (4, 4 / 5), (2, 0.5)]
    assert stages("stalking") == [(4, None), (4, 1.0), (4, 1.0), (4, 1.0), (0, 0.0)]
    assert stages("harassment") == [(2, None), (0, 0.0), (0, None), (0, None), (0, None)]
    assert [r["crimes"] for r in funnel if r["group"] == "all groups"] == [16, 12, 9, 8, 2]
    charged = next(r for r in funnel if r["group"] == "rape" and r["stage"] == "charged")
    # 2 of 10 recorded: Wilson 95% 0.0567 … 0.5098
    assert charged["share_of_recorded"] == 0.2
    assert (charged["low"], charged["high"]) == pytest.approx((0.05668, 0.50984), abs=1e-4)


def test_outcome_timeliness(ds: Dataset) -> None:
    finding = outcomes.outcome_timeliness(ds)
    rows = {(r["group"], r["year"]): r for r in finding.tables["days_to_outcome"]}
    # stalking: 10, 20, 30, 40 days → median 25, quartiles 17.5 and 32.5 (linear interpolation)
    assert rows[("stalking", 2021)] | {"mean": 25.0} == {
        "group": "stalking",
        "year": 2021,
        "year_basis": "calendar",
        "n": 4,
        "median": 25.0,
        "q1": 17.5,
        "q3": 32.5,
        "mean": 25.0,
        "under_investigation": 0,
        "outcome_without_date": 0,
    }
    assert rows[("stalking", 2021)]["mean"] == pytest.approx(25.0)
    # rape: 7 dated outcomes at 5 days; outcome 18 has no date; 2 still open
    rape = rows[("rape", "all")]
    assert (rape["n"], rape["median"], rape["under_investigation"]) == (7, 5.0, 2)
    assert rape["outcome_without_date"] == 1
    assert (rows[("harassment", "all")]["n"], rows[("harassment", "all")]["median"]) == (0, None)
    assert rows[("harassment", "all")]["under_investigation"] == 2
    assert finding.figures == {"year_basis": "calendar", "negative_days": 0}


def test_no_outcome_codes_means_not_available(tmp_path: Path) -> None:
    ds = open_full(tmp_path, [crime("C1"), crime("C2", offence_group="rape")])
    for key in RATE_KEYS:
        finding = getattr(outcomes, key)(ds)
        assert finding.status == "not_available"
        assert finding.needs == ("crimes.outcome_code",)
        assert finding.headlines == {key: None}
    for analysis in (
        outcomes.outcome_distribution,
        outcomes.attrition_funnel,
        outcomes.outcome_timeliness,
    ):
        assert analysis(ds).needs == ("crimes.outcome_code",)


def test_outcomes_without_dates_leave_only_timeliness_out(tmp_path: Path) -> None:
    ds = open_full(tmp_path, [crime("C1", outcome_code=1), crime("C2", outcome_code=16)])
    assert outcomes.charge_rate(ds).headlines == {"charge_rate": {"harassment": 0.5}}
    assert outcomes.outcome_timeliness(ds).needs == ("crimes.outcome_date",)


def test_crimes_only_dataset_needs_outcome_codes_and_groups(tmp_path: Path) -> None:
    crimes = [
        crime(
            "C1",
            occurred_from="2021-07-01T00:00:00",
            time_precision="month",
            domestic="",
            crime_type="Violence and sexual offences",
        )
    ]
    ingest(write_dataset(tmp_path / "d", crimes), tmp_path / "s.duckdb")
    ds = Dataset.open(tmp_path / "s.duckdb")
    for key in RATE_KEYS:
        finding = getattr(outcomes, key)(ds)
        assert finding.status == "not_available" and finding.headlines == {key: None}
        assert finding.needs == ("crimes.outcome_code", "crimes.offence_group")
    assert outcomes.attrition_funnel(ds).needs == ("crimes.outcome_code",)


@pytest.mark.parametrize("analysis", outcomes.ANALYSES, ids=lambda f: f.__name__)
def test_an_empty_scope_gives_findings_not_errors(tmp_path: Path, analysis: Any) -> None:
    # every crime is harassment, so a scope of homicides holds nothing
    ds = open_full(tmp_path, [crime("C1")], Options(scope=Scope(offence_groups=("homicide",))))
    finding = analysis(ds)
    assert finding.definition and finding.summary
    assert all(value in (None, {}, []) for value in finding.headlines.values())


# --- the demo world -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo(demo_store: Path) -> Dataset:
    return Dataset.open(demo_store)


@pytest.mark.slow
def test_demo_charge_rate(demo: Dataset) -> None:
    rates = outcomes.charge_rate(demo).headlines["charge_rate"]
    # demo world: rape 0.042, other sexual 0.072; Kent 0.043 and 0.075 (± 0.01)
    assert rates["rape"] == pytest.approx(0.043, abs=0.01)
    assert rates["other_sexual"] == pytest.approx(0.075, abs=0.01)


@pytest.mark.slow
def test_demo_victim_not_supporting_rate(demo: Dataset) -> None:
    rates = outcomes.victim_not_supporting_rate(demo).headlines["victim_not_supporting_rate"]
    # demo world: rape 0.646, other sexual 0.475; Kent 0.64 and 0.48 (± 0.03)
    assert rates["rape"] == pytest.approx(0.64, abs=0.03)
    assert rates["other_sexual"] == pytest.approx(0.48, abs=0.03)


@pytest.mark.slow
def test_demo_evidential_difficulty_rate(demo: Dataset) -> None:
    rates = outcomes.evidential_difficulty_rate(demo).headlines["evidential_difficulty_rate"]
    # demo world: rape 0.286; robbery 0.446 and stalking 0.418 head the list; Kent rape 0.30
    assert rates["rape"] == pytest.approx(0.30, abs=0.03)
    assert set(list(rates)[:2]) == {"stalking", "robbery"}


@pytest.mark.slow
def test_demo_funnel_and_timeliness_run_on_the_whole_world(demo: Dataset) -> None:
    funnel = outcomes.attrition_funnel(demo).tables["funnel"]
    rape = {r["stage"]: r["crimes"] for r in funnel if r["group"] == "rape"}
    counts = [rape[s] for s in outcomes.FUNNEL_STAGES]
    assert counts == sorted(counts, reverse=True) and counts[-1] > 0
    timeliness = outcomes.outcome_timeliness(demo).tables["days_to_outcome"]
    assert all(r["q1"] <= r["median"] <= r["q3"] for r in timeliness if r["n"])


# --- the police.uk tier ---------------------------------------------------------------------


def open_police_uk(tmp_path: Path) -> Dataset:
    """Nine violence and sexual offences as police.uk publishes them (month-level dates).

    2021-01: A, B, C, D, G; 2021-02: E, F, H, I. Latest outcomes:
      A  'Suspect charged' in 2021-03 (outcome 1; 2 months after its month)
      B  no outcomes row; the street file says 'Awaiting court outcome' (1, no date)
      C  'Unable to prosecute suspect' in 2021-01 (14, 15 or 16; 0 months)
      D  'Unable to prosecute suspect' in 2021-02 (1 month)
      E  'Investigation complete; no suspect identified' in 2021-04 (18; 2 months)
      F  'Offender given a caution' in 2021-02 (2 or 3; 0 months)
      G, H  'Under investigation';  I  'Status update unavailable'
    """
    from tests.public.test_police_uk import outcome, street, write
    from vawgscope.ingest.police_uk import OUTCOME_COLUMNS, STREET_COLUMNS

    folder = tmp_path / "download"
    last = "Last outcome category"
    write(
        folder / "2021-01" / "2021-01-kent-street.csv",
        [
            street("A", "2021-01"),
            street("B", "2021-01", **{last: "Awaiting court outcome"}),
            street("C", "2021-01"),
            street("D", "2021-01"),
            street("G", "2021-01"),
        ],
        STREET_COLUMNS,
    )
    write(
        folder / "2021-02" / "2021-02-kent-street.csv",
        [
            street("E", "2021-02"),
            street("F", "2021-02"),
            street("H", "2021-02"),
            street("I", "2021-02", **{last: "Status update unavailable"}),
        ],
        STREET_COLUMNS,
    )
    write(
        folder / "2021-04" / "2021-04-kent-outcomes.csv",
        [
            outcome("A", "2021-03", "Suspect charged"),
            outcome("C", "2021-01", "Unable to prosecute suspect"),
            outcome("D", "2021-02", "Unable to prosecute suspect"),
            outcome("E", "2021-04", "Investigation complete; no suspect identified"),
            outcome("F", "2021-02", "Offender given a caution"),
        ],
        OUTCOME_COLUMNS,
    )
    store = tmp_path / "s.duckdb"
    ingest(folder, store, secret_path=tmp_path / "k" / "secret.key", format="police-uk")
    return Dataset.open(store)


VIOLENCE = "Violence and sexual offences"


@pytest.fixture
def police_uk(tmp_path: Path) -> Dataset:
    return open_police_uk(tmp_path)


def test_police_uk_outcomes_are_grouped_with_no_outcome_yet_apart(police_uk: Dataset) -> None:
    finding = outcomes.outcome_distribution(police_uk)
    # 9 recorded; 2 under investigation and 1 status unavailable have no outcome: 6 do
    assert finding.summary.startswith("6 of 9 crimes have an outcome; 2 are still under")
    assert finding.figures["no_outcome_yet"] == {"under_investigation": 2, "status_unavailable": 1}
    rows = [
        (r["outcome_group"], r["crimes"], r["share_of_outcomes"], r["home_office_codes"])
        for r in finding.tables["by_group"]
    ]
    assert rows == [
        ("charged_or_summonsed", 2, 2 / 6, "1"),
        ("evidential_difficulties", 2, 2 / 6, "14–16"),
        ("no_suspect_identified", 1, 1 / 6, "18"),
        ("out_of_court", 1, 1 / 6, "2, 3, 4, 6, 7, 8"),
        ("under_investigation", 2, None, None),
        ("status_unavailable", 1, None, None),
    ]
    assert finding.tables["by_group"][0]["group"] == VIOLENCE
    categories = {r["outcome_type"]: r["crimes"] for r in finding.tables["by_group_and_category"]}
    assert categories["Unable to prosecute suspect"] == 2
    assert categories["Awaiting court outcome"] == 1


def test_police_uk_rates_use_the_groups(police_uk: Dataset) -> None:
    charge = outcomes.charge_rate(police_uk)
    # crimes-only: no headline by VAWG group, but the table by crime type: 2 of 6 charged
    assert charge.headlines == {"charge_rate": None}
    assert charge.needs == ("crimes.offence_group",)
    row = charge.tables["charge_rate_by_group"][0]
    assert (row["group"], row["recorded"], row["n"], row["k"]) == (VIOLENCE, 9, 6, 2)
    assert row["share"] == 2 / 6
    evidential = outcomes.evidential_difficulty_rate(police_uk)
    # 'Unable to prosecute suspect' (C, D) is 14–16 as one group: 2 of 6
    assert evidential.figures["codes"] == [14, 15, 16]
    assert evidential.tables["evidential_difficulty_rate_by_group"][0]["share"] == 2 / 6
    assert (
        "14–16 as one group" in evidential.tables["evidential_difficulty_rate_by_group"][0]["note"]
    )
    # 14 and 16 cannot be told from 15: not available rather than a wrong number
    victim = outcomes.victim_not_supporting_rate(police_uk)
    assert victim.status == "not_available" and not victim.tables
    assert victim.needs == ("crimes.outcome_code", "crimes.offence_group")
    assert "needs crimes.outcome_code (police.uk groups outcomes 14–16" in victim.summary


def test_police_uk_funnel_gives_bounds_where_a_group_hides_the_stage(police_uk: Dataset) -> None:
    funnel = outcomes.attrition_funnel(police_uk)
    rows = {r["stage"]: r for r in funnel.tables["funnel"] if r["group"] == "all groups"}
    # recorded 9; 6 with an outcome; suspect identified surely A, B, F (3), and C, D may be
    # (14 is 'no suspect'): 3 to 5; the same for the victim's support; charged A, B
    assert [rows[s]["crimes"] for s in outcomes.FUNNEL_STAGES] == [9, 6, None, None, 2]
    assert (rows["suspect_identified"]["at_least"], rows["suspect_identified"]["at_most"]) == (3, 5)
    assert (
        rows["victim_supports_action"]["at_least"],
        rows["victim_supports_action"]["at_most"],
    ) == (3, 5)
    assert rows["outcome_assigned"]["share_of_previous"] == 6 / 9
    assert funnel.figures["no_outcome_yet"] == {"under_investigation": 2, "status_unavailable": 1}


def test_police_uk_timeliness_is_in_whole_months(police_uk: Dataset) -> None:
    finding = outcomes.outcome_timeliness(police_uk)
    assert "days_to_outcome" not in finding.tables
    row = next(r for r in finding.tables["months_to_outcome"] if r["year"] == "all")
    # months: A 2, C 0, D 1, E 2, F 0 → [0, 0, 1, 2, 2]: median 1, quartiles 0 and 2, mean 1;
    # B has an outcome with no date; G, H under investigation; I status unavailable
    assert (row["n"], row["median"], row["q1"], row["q3"], row["mean"]) == (5, 1.0, 0.0, 2.0, 1.0)
    assert (row["outcome_without_date"], row["under_investigation"]) == (1, 2)
    assert row["status_unavailable"] == 1
    assert finding.figures == {"year_basis": "calendar", "unit": "months", "negative_months": 0}
    assert finding.summary.startswith("Median 1 month to outcome over 5 crimes")
