"""Reporting channel shares worked out by hand, by group and by victim's age."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import crime, link, person, write_dataset
from vawgscope.analyses import reporting
from vawgscope.dataset import Dataset
from vawgscope.ingest import ingest

ZERO = {c: 0.0 for c in ("999", "101", "online", "in_person", "third_party", "other", "unknown")}


def approx_nested(expected: dict[str, dict[str, float]]) -> dict[str, object]:
    """pytest.approx for a {key: {channel: share}} mapping (approx takes one level)."""
    return {key: pytest.approx(value) for key, value in expected.items()}


@pytest.fixture
def ds(tmp_path: Path) -> Dataset:
    """Six crimes in 2021 by perpetrator P1; victims VA (18 then: adult), VC (17: child),
    VU (no birth year: unknown age).

    R1 rape 101          VA and VC   -> counts for adults and for children
    R2 rape 999          VA
    R3 rape (missing)    VA          -> unknown channel, still in the denominator
    O1 other_sexual 101  VC
    O2 other_sexual third_party  VC
    O3 other_sexual third_party  VU
    """
    crimes = [
        crime("R1", offence_group="rape", reporting_channel="101"),
        crime("R2", offence_group="rape", reporting_channel="999"),
        crime("R3", offence_group="rape", reporting_channel=""),
        crime("O1", offence_group="other_sexual", reporting_channel="101"),
        crime("O2", offence_group="other_sexual", reporting_channel="third_party"),
        crime("O3", offence_group="other_sexual", reporting_channel="third_party"),
    ]
    victims = {"R1": ["VA", "VC"], "R2": ["VA"], "R3": ["VA"], "O1": ["VC"], "O2": ["VC"]}
    victims["O3"] = ["VU"]
    links = [link(c, v, "victim") for c, vs in victims.items() for v in vs]
    links += [link(c, "P1", "suspect") for c in victims]
    persons = [person("VA", "F", 2003), person("VC", "F", 2004), person("VU", "F", "")]
    persons.append(person("P1", "M", 1980))
    ingest(write_dataset(tmp_path / "d", crimes, persons, links), tmp_path / "s.duckdb")
    return Dataset.open(tmp_path / "s.duckdb")


def test_channel_shares_by_group_count_missing_as_unknown(ds: Dataset) -> None:
    finding = reporting.reporting_channel_share(ds)
    # rape: 101, 999, missing -> 1/3 each; other sexual: 101 once, third party twice.
    assert finding.headlines["reporting_channel_share"] == approx_nested(
        {
            "other_sexual": {**ZERO, "101": 1 / 3, "third_party": 2 / 3},
            "rape": {**ZERO, "101": 1 / 3, "999": 1 / 3, "unknown": 1 / 3},
        }
    )
    row = next(
        r
        for r in finding.tables["by_group"]
        if r["offence_group"] == "rape" and r["reporting_channel"] == "unknown"
    )
    # Wilson 95% for 1 of 3: centre (1/3 + 1.96²/6)/(1 + 1.96²/3) = 0.42692,
    # half-width 1.96/(1 + 1.96²/3) · √((1/3)(2/3)/3 + 1.96²/36) = 0.36542.
    assert row == pytest.approx(
        {"offence_group": "rape", "reporting_channel": "unknown", "crimes": 1, "of_crimes": 3,
         "share": 1 / 3, "low": 0.0614919, "high": 0.7923404}
    )  # fmt: skip
    assert finding.figures["overall"]["third_party"] == pytest.approx(2 / 6)


def test_channel_by_child_and_adult_victims(ds: Dataset) -> None:
    finding = reporting.reporting_channel_by_victim_age(ds)
    # Children (under 18): R1 101, O1 101, O2 third party. Adults: R1 101, R2 999, R3 unknown.
    # R1 has both and counts in both groups. Unknown age: O3 third party.
    assert finding.figures["shares"] == approx_nested(
        {
            "child": {**ZERO, "101": 2 / 3, "third_party": 1 / 3},
            "adult": {**ZERO, "101": 1 / 3, "999": 1 / 3, "unknown": 1 / 3},
            "unknown": {**ZERO, "third_party": 1.0},
        }
    )
    test = finding.figures["third_party_child_vs_adult"]
    # Pooled p = 1/6; z = (1/3 − 0) / √(1/6 · 5/6 · (1/3 + 1/3)) = 1.0954; two-sided p 0.2733.
    assert test["difference"] == pytest.approx(1 / 3)
    assert test["z"] == pytest.approx(1.0954451)
    assert test["p_value"] == pytest.approx(0.2733217, abs=1e-6)


def test_not_available_without_channels_or_persons(tmp_path: Path) -> None:
    crimes = [crime("C1", domestic=""), crime("C2", domestic="")]
    ingest(write_dataset(tmp_path / "d", crimes), tmp_path / "s.duckdb")
    ds = Dataset.open(tmp_path / "s.duckdb")
    share = reporting.reporting_channel_share(ds)
    assert share.status == "not_available"
    assert share.needs == ("crimes.reporting_channel",)
    assert share.headlines == {"reporting_channel_share": None}
    by_age = reporting.reporting_channel_by_victim_age(ds)
    assert by_age.status == "not_available"
    assert by_age.needs == ("persons.birth_year", "crime_persons")


@pytest.mark.slow
def test_demo_world_matches_kent(demo_store: Path) -> None:
    ds = Dataset.open(demo_store)
    shares = reporting.reporting_channel_share(ds).headlines["reporting_channel_share"]
    assert shares["rape"]["101"] > 0.25
    assert shares["other_sexual"]["101"] == pytest.approx(0.33, abs=0.05)
    third_party = reporting.reporting_channel_by_victim_age(ds).figures[
        "third_party_child_vs_adult"
    ]
    assert third_party["child"] > third_party["adult"]
