"""Re-offending within a year, and the Kaplan–Meier curves behind it."""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from statsmodels.duration.survfunc import SurvfuncRight

from tests.helpers import crime, link, person, write_dataset
from vawgscope.analyses import reoffending
from vawgscope.analyses.reoffending import kaplan_meier, step_value
from vawgscope.dataset import Dataset
from vawgscope.ingest import ingest
from vawgscope.options import Options, Scope

#: (perpetrator, crime, occurred_from date, group); every crime has victim V1, at 10:00.
CAREERS: list[tuple[str, str, str, str]] = [
    # violent: P1 again after 152 days (2020 is a leap year) -> re-offended
    ("P1", "C1", "2020-01-01", "violence_with_injury"),
    ("P1", "C2", "2020-06-01", "violence_with_injury"),
    # violent: P2 again after 366 days -> not within 365
    ("P2", "C3", "2020-02-01", "violence_without_injury"),
    ("P2", "C4", "2021-02-01", "violence_without_injury"),
    # violent: P3 again after exactly 365 days -> within (inclusive)
    ("P3", "C5", "2020-03-01", "robbery"),
    ("P3", "C6", "2021-03-01", "harassment"),
    # sexual: P4 never again
    ("P4", "C7", "2020-01-10", "rape"),
    # stalking/harassment: P5's first crime has 303 days of follow-up -> left out
    ("P5", "C8", "2021-06-01", "harassment"),
    # stalking/harassment: P6 has exactly 365 days of follow-up, a second crime the same day
    ("P6", "C9", "2021-03-31", "stalking"),
    ("P6", "C10", "2021-03-31", "stalking"),
    # other: P7's first crime is drink spiking
    ("P7", "C11", "2020-05-01", "drink_spiking"),
    # violent: P8 co-offends in C2 (P1's second crime), his first; never again
    ("P8", "C2", "2020-06-01", "violence_with_injury"),
    # stalking/harassment: two crimes at the same moment; the first by crime_id is C12a
    ("P9", "C12a", "2020-04-01", "harassment"),
    ("P9", "C12b", "2020-04-01", "rape"),
    # violent: P10's only crime is "now" (the last occurred_from) -> left out
    ("P10", "C13", "2022-03-31", "violence_with_injury"),
]


@pytest.fixture
def store(tmp_path: Path) -> Path:
    crimes = {c: crime(c, occurred_from=f"{d}T10:00:00", offence_group=g) for _, c, d, g in CAREERS}
    perps = sorted({p for p, *_ in CAREERS})
    persons = [person("V1", "F", 1990)] + [person(p, "M", 1980) for p in perps]
    links = [link(c, "V1", "victim") for c in crimes]
    links += [link(c, p, "suspect") for p, c, *_ in CAREERS]
    ingest(write_dataset(tmp_path / "d", list(crimes.values()), persons, links), tmp_path / "s.db")
    return tmp_path / "s.db"


def test_reoffence_within_1y_rate(store: Path) -> None:
    finding = reoffending.reoffence_within_1y_rate(Dataset.open(store))
    # violent: P1 yes, P2 no, P3 yes, P8 no (P10 left out) = 2/4
    # stalking/harassment: P6 yes, P9 yes (P5 left out) = 2/2; sexual 0/1; other 0/1
    assert finding.headlines == {
        "reoffence_within_1y_rate": {
            "violent": 0.5,
            "stalking_harassment": 1.0,
            "sexual": 0.0,
            "other": 0.0,
        }
    }
    rates = {r["family"]: r for r in finding.tables["rates"]}
    assert [
        rates["violent"][k]
        for k in ("perpetrators", "followed_365_days", "reoffended_within_365_days")
    ] == [5, 4, 2]
    assert finding.figures["left_out_short_follow_up"] == 2  # P5 and P10
    # Wilson 95% for 2/4
    assert (rates["violent"]["low"], rates["violent"]["high"]) == pytest.approx(
        (0.15004, 0.84996), abs=1e-5
    )
    # Kaplan–Meier at 365 days, violent: S = (3/4)(2/3) = 1/2 (P10 censored at day 0)
    assert rates["violent"]["kaplan_meier_365"] == pytest.approx(0.5)
    # stalking/harassment: P6 and P9 re-offend at day 0, P5 censored at 303 -> 2/3
    assert rates["stalking_harassment"]["kaplan_meier_365"] == pytest.approx(2 / 3)


def test_reoffending_curves(store: Path) -> None:
    finding = reoffending.reoffending_curves(Dataset.open(store))
    violent = finding.figures["curves"]["violent"]
    # events at days 152 (4 at risk): 1/4; 365 (3 at risk): 1 − (3/4)(2/3) = 1/2;
    # 366 (2 at risk): 1 − (1/2)(1/2) = 3/4; P8 censored at 668. After day 90 the chart keeps
    # the last event day of each week (days 365 and 366 share week 52).
    assert violent["day"] == [152, 366]
    assert violent["reoffended"] == pytest.approx([0.25, 0.75])
    assert milestones_at(finding, "violent", 365) == pytest.approx(0.5)
    milestones = {(r["family"], r["day"]): r for r in finding.tables["milestones"]}
    assert milestones[("violent", 180)]["reoffended"] == pytest.approx(0.25)
    assert milestones[("violent", 180)]["at_risk"] == 3
    assert milestones[("violent", 30)]["reoffended"] == 0.0
    # the curve stops at the last observed day (668): no row for 730 days
    assert ("violent", 730) not in milestones
    assert "violent 50%" in finding.summary


def milestones_at(finding, family: str, day: int) -> float:
    row = next(r for r in finding.tables["milestones"] if (r["family"], r["day"]) == (family, day))
    return row["reoffended"]


def test_kaplan_meier_on_paper() -> None:
    """Times 2 (event), 3 (censored), 5 (event and censored), 8 (event).

    S(2) = 1 − 1/5 = 0.8; S(5) = 0.8 × (1 − 1/3) = 0.5333; S(8) = 0 (1 at risk, 1 event).
    Greenwood at 2: 1/(5 × 4) = 0.05.
    """
    curve = kaplan_meier([(2, True, 1), (3, False, 1), (5, True, 1), (5, False, 1), (8, True, 1)])
    assert [(r["day"], r["at_risk"], r["events"], r["censored"]) for r in curve] == [
        (2, 5, 1, 0),
        (3, 4, 0, 1),
        (5, 3, 1, 1),
        (8, 1, 1, 0),
    ]
    assert [r["reoffended"] for r in curve] == pytest.approx([0.2, 0.2, 1 - 0.8 * 2 / 3, 1.0])
    # log(−log) interval at day 2: se = sqrt(0.05) / |ln 0.8| = 1.002076; S^exp(∓1.96 se)
    se = math.sqrt(0.05) / abs(math.log(0.8))
    low, high = 1 - 0.8 ** math.exp(-1.959964 * se), 1 - 0.8 ** math.exp(1.959964 * se)
    assert (low, high) == pytest.approx((0.030820, 0.796191), abs=1e-6)
    assert (curve[0]["low"], curve[0]["high"]) == pytest.approx((low, high))
    assert curve[-1]["low"] is None  # S = 0: no interval
    assert step_value(curve, 4)["reoffended"] == pytest.approx(0.2)
    assert step_value(curve, 1) is None


def test_kaplan_meier_agrees_with_statsmodels() -> None:
    rng = np.random.default_rng(7)
    days = rng.integers(0, 60, 300)
    events = rng.random(300) < 0.6
    counts: dict[tuple[int, bool], int] = {}
    for d, e in zip(days, events, strict=True):
        counts[(int(d), bool(e))] = counts.get((int(d), bool(e)), 0) + 1
    ours = kaplan_meier([(d, e, n) for (d, e), n in counts.items()])
    theirs = SurvfuncRight(days, events.astype(int))
    by_day = {r["day"]: r for r in ours}
    for t, s in zip(theirs.surv_times, theirs.surv_prob, strict=True):
        assert 1 - by_day[int(t)]["reoffended"] == pytest.approx(s)


def test_a_scope_with_no_crimes_gives_empty_results(store: Path) -> None:
    ds = Dataset.open(store, Options(Scope(date_from=date(2030, 1, 1))))
    rate = reoffending.reoffence_within_1y_rate(ds)
    assert rate.status == "ok" and rate.headlines == {"reoffence_within_1y_rate": {}}
    assert reoffending.reoffending_curves(ds).tables == {"milestones": []}


def test_crimes_only_dataset_is_not_available(tmp_path: Path) -> None:
    crimes = [crime("C1", domestic="", crime_type="Violence and sexual offences")]
    ingest(write_dataset(tmp_path / "d", crimes), tmp_path / "s.db")
    ds = Dataset.open(tmp_path / "s.db")
    rate = reoffending.reoffence_within_1y_rate(ds)
    assert rate.status == "not_available" and rate.needs == ("persons", "crime_persons")
    assert rate.headlines == {"reoffence_within_1y_rate": None}
    assert reoffending.reoffending_curves(ds).status == "not_available"


@pytest.mark.slow
def test_demo_world_violent_and_stalking_above_sexual(demo_store: Path) -> None:
    rates = reoffending.reoffence_within_1y_rate(Dataset.open(demo_store)).headlines[
        "reoffence_within_1y_rate"
    ]
    # Kent: violent and stalking/harassment re-offending above sexual
    assert min(rates["violent"], rates["stalking_harassment"]) > rates["sexual"]
