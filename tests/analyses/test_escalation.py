"""Escalation rules over perpetrators' offence-group sets, with the volume-adjusted ratio."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from tests.helpers import crime, link, person, write_dataset
from vawgscope.analyses import escalation
from vawgscope.analyses.escalation import SetCounts, mask_of, mh_risk_ratio, mine_rules, top_rules
from vawgscope.dataset import Dataset
from vawgscope.ingest import ingest

H, CC, S, R = "harassment", "controlling_coercive", "stalking", "rape"
VWI = "violence_with_injury"


def _world(tmp_path: Path, stalkers: int) -> Path:
    """Perpetrators and their crimes (every crime has victim V1):

    30 × {harassment, controlling/coercive, rape}  3 crimes each  -> stratum 3-4
    ``stalkers`` × {stalking, violence with injury}  2 crimes     -> stratum 2
    70 × {harassment, controlling/coercive}        2 crimes       -> stratum 2
    20 × {rape}: R0 and R1 share one crime (two perpetrators); R2's crime has two victims
    31 × {violence with injury}, 20 × {other}      1 crime each   -> stratum 1
    """
    careers: list[tuple[str, list[str]]] = (
        [(f"HCR{i}", [H, CC, R]) for i in range(30)]
        + [(f"SV{i}", [S, VWI]) for i in range(stalkers)]
        + [(f"HC{i}", [H, CC]) for i in range(70)]
        + [(f"R{i}", [R]) for i in range(1, 20)]
        + [(f"W{i}", [VWI]) for i in range(31)]
        + [(f"O{i}", ["other"]) for i in range(20)]
    )
    crimes, links = [], []
    for who, groups in careers:
        for k, group in enumerate(groups):
            cid = f"{who}-{k}"
            crimes.append(
                crime(cid, offence_group=group, occurred_from=f"2021-0{k + 1}-01T10:00:00")
            )
            links += [link(cid, "V1", "victim"), link(cid, who, "suspect")]
    links.append(link("R1-0", "R0", "offender"))
    links.append(link("R2-0", "V2", "victim"))
    persons = [person("V1", "F", 1990), person("V2", "F", 1990), person("R0", "M", 1980)]
    persons += [person(who, "M", 1980) for who, _ in careers]
    ingest(write_dataset(tmp_path / "d", crimes, persons, links), tmp_path / "s.db")
    return tmp_path / "s.db"


def test_rules_on_paper_and_support_29_absent(tmp_path: Path) -> None:
    finding = escalation.escalation_rules(Dataset.open(_world(tmp_path, stalkers=29)))
    # N = 200; rape held by 30 + 20 = 50 -> P(rape) = 0.25.
    # {harassment} is held by 30 + 70 = 100, 30 of them with rape: confidence 0.3, lift 1.2;
    # the same for {controlling/coercive} and for both. Equal lift and support: antecedents in
    # the contract's order ([5] < [5, 7] < [7]).
    # stalking => violence with injury has support 29 < 30: absent, so no VWI rule at all.
    expected = [
        {"antecedents": a, "consequent": R, "support": 30, "confidence": 0.3, "lift": 1.2}
        for a in ([H], [H, CC], [CC])
    ]
    got = finding.headlines["escalation_rules"]
    assert [{**r, "lift": round(r["lift"], 12)} for r in got] == expected
    assert finding.figures["perpetrators"] == 200
    assert finding.figures["target_prevalence"] == {VWI: 0.3, R: 0.25}
    assert finding.tables["strata"] == [
        {"crimes": "1", "perpetrators": 71},
        {"crimes": "2", "perpetrators": 99},
        {"crimes": "3-4", "perpetrators": 30},
        {"crimes": "5-9", "perpetrators": 0},
        {"crimes": "10+", "perpetrators": 0},
    ]
    # every harassment perpetrator with rape has 3 crimes, every one without has 2: the
    # comparison within strata has no one to compare, and the pooled ratio is undefined
    rule = finding.tables["all_rules"][0]
    assert rule["crude_risk_ratio"] == pytest.approx((30 / 100) / (20 / 100))
    assert rule["mh_risk_ratio"] is None and rule["holds_within_volume"] is None


def test_support_30_present(tmp_path: Path) -> None:
    finding = escalation.escalation_rules(Dataset.open(_world(tmp_path, stalkers=30)))
    first = finding.headlines["escalation_rules"][0]
    # N = 201; VWI held by 30 + 31 = 61; {stalking} held by 30, all with VWI:
    # confidence 1, lift 201 / 61 = 3.2951
    assert first == {
        "antecedents": [S],
        "consequent": VWI,
        "support": 30,
        "confidence": 1.0,
        "lift": pytest.approx(201 / 61),
    }
    assert [r["consequent"] for r in finding.headlines["escalation_rules"]] == [VWI] + [R] * 3


def test_mantel_haenszel_risk_ratio_on_paper() -> None:
    """Two strata, each with risks 0.5 (exposed) and 0.25 (unexposed): RR 2 in each.

    stratum 1: a=10 b=10 c=10 d=30 (n 60); stratum 2: a=20 b=20 c=5 d=15 (n 60)
    RR_MH = (10·40/60 + 20·20/60) / (10·20/60 + 5·40/60) = 13.333 / 6.667 = 2
    Greenland–Robins: Σ (m1·n1·n0 − a·c·n) / n² = 10000/3600 + 14000/3600 = 6.6667;
    var = 6.6667 / (13.333 × 6.6667) = 0.075; 2·exp(±1.96·√0.075) = (1.1693, 3.4209)
    """
    tables = np.array([[[10, 20], [10, 20]], [[10, 5], [30, 15]]], dtype=float)
    ratio, low, high = mh_risk_ratio(tables)
    assert ratio == pytest.approx(2.0)
    assert low == pytest.approx(2 * math.exp(-1.959964 * math.sqrt(0.075)))
    assert high == pytest.approx(2 * math.exp(1.959964 * math.sqrt(0.075)))
    assert (low, high) == pytest.approx((1.1693, 3.4209), abs=1e-4)
    # one stratum alone reduces to the usual 1/a − 1/n1 + 1/c − 1/n0 = 0.125
    _, low1, _ = mh_risk_ratio(tables[:, :, :1])
    assert low1 == pytest.approx(2 * math.exp(-1.959964 * math.sqrt(0.125)))
    # an empty stratum is ignored; no unexposed case anywhere: undefined
    padded = np.concatenate([tables, np.zeros((2, 2, 1))], axis=2)
    assert mh_risk_ratio(padded)[0] == pytest.approx(2.0)
    assert mh_risk_ratio(np.array([[[5], [5]], [[0], [9]]], dtype=float)) == (None, None, None)


def test_a_rule_that_only_marks_volume() -> None:
    """Within each stratum A makes no difference to the target; across strata it does.

    stratum "1": 100 without A, 10 of them with the target; 10 with A, 1 with the target
    stratum "10+": 10 without A, 8 with the target; 100 with A, 80 with the target
    crude: P(T|A) = 81/110, P(T|not A) = 18/110: RR 4.5; within strata RR 1 -> MH 1
    """
    t, a = mask_of([VWI]), mask_of([H])
    sets = SetCounts(
        masks=np.array([0, t, a, a | t, 0, t, a, a | t]),
        strata=np.array([0, 0, 0, 0, 4, 4, 4, 4]),
        perpetrators=np.array([90, 10, 9, 1, 2, 8, 20, 80]),
    )
    (rule,) = mine_rules(sets, min_support=30, max_antecedents=1, targets=(VWI,))
    assert rule.crude_risk_ratio == pytest.approx(4.5)
    assert rule.mh_risk_ratio == pytest.approx(1.0)
    assert rule.mh_low < 1 < rule.mh_high
    assert rule.row()["holds_within_volume"] is False
    # lift: confidence 81/110 ÷ P(target) 99/220
    assert rule.lift == pytest.approx((81 / 110) / (99 / 220))


def test_five_rules_per_target() -> None:
    """40 perpetrators hold {rape, stalking, harassment, malicious communications,
    controlling/coercive}; 60 hold nothing relevant: 15 antecedent sets for rape, all with
    lift 100/40 = 2.5 and support 40; the five kept are the first in the contract's order."""
    full = mask_of([R, S, H, "malicious_communications", CC])
    sets = SetCounts(np.array([full, mask_of(["other"])]), np.array([3, 0]), np.array([40, 60]))
    rules = mine_rules(sets, targets=(R,))
    assert len(rules) == 15 and {round(r.lift, 12) for r in rules} == {2.5}
    kept = top_rules(rules)
    assert [list(r.antecedents) for r in kept] == [
        [S],
        [S, H],
        [S, H, "malicious_communications"],
        [S, H, "malicious_communications", CC],
        [S, H, CC],
    ]


def test_crimes_only_dataset_is_not_available(tmp_path: Path) -> None:
    crimes = [crime("C1", domestic="", crime_type="Violence and sexual offences")]
    ingest(write_dataset(tmp_path / "d", crimes), tmp_path / "s.db")
    finding = escalation.escalation_rules(Dataset.open(tmp_path / "s.db"))
    assert finding.status == "not_available"
    assert finding.needs == ("persons", "crime_persons")
    assert finding.headlines == {"escalation_rules": None}


SEED_RULES = [
    # (antecedents, target, Kent lift, Kent confidence)
    ([S, H, "malicious_communications", CC], VWI, 2.3, 0.75),
    ([H, CC], R, 2.6, 0.22),
]


@pytest.mark.slow
def test_demo_world_seed_rules_in_the_full_table(demo_store: Path) -> None:
    finding = escalation.escalation_rules(Dataset.open(demo_store))
    rules = {(tuple(r["antecedents"]), r["consequent"]): r for r in finding.tables["all_rules"]}
    for antecedents, target, lift, confidence in SEED_RULES:
        rule = rules[(tuple(antecedents), target)]
        assert rule["lift"] == pytest.approx(lift, abs=0.4)
        assert rule["confidence"] == pytest.approx(confidence, abs=0.08)
    headline = finding.headlines["escalation_rules"]
    assert [r["consequent"] for r in headline] == [VWI] * 5 + [R] * 5
