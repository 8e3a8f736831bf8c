"""Escalation: which combinations of offences go with violence with injury and with rape.

Each in-scope perpetrator has an offence-group set: the distinct groups of his in-scope crimes
over the window. The engine reduces the sets to counts per distinct set (a bitmask over the
contract's offence groups) and per volume stratum (the perpetrator's number of crimes); the
rules are enumerated in Python on those counts — aggregates, never people.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

import ibis
import numpy as np
from scipy import stats
from statsmodels.stats.contingency_tables import StratifiedTable

from vawgscope.analyses.common import rows
from vawgscope.analyses.finding import Finding, definition_of, not_available
from vawgscope.contract.vocab import OFFENCE_GROUPS
from vawgscope.dataset import Dataset

TARGETS: tuple[str, ...] = ("violence_with_injury", "rape")
MIN_SUPPORT = 30
MAX_ANTECEDENTS = 4
RULES_PER_TARGET = 5
#: Volume strata: perpetrators with equal numbers of crimes (label, fewest, most).
STRATA: tuple[tuple[str, int, int | None], ...] = (
    ("1", 1, 1),
    ("2", 2, 2),
    ("3-4", 3, 4),
    ("5-9", 5, 9),
    ("10+", 10, None),
)
BIT: dict[str, int] = {g: 1 << i for i, g in enumerate(OFFENCE_GROUPS)}
NEEDS: tuple[str, ...] = ("persons", "crime_persons")


@dataclass(frozen=True)
class SetCounts:
    """Perpetrators per distinct offence-group set (bitmask) and volume stratum (index)."""

    masks: np.ndarray
    strata: np.ndarray
    perpetrators: np.ndarray

    @property
    def total(self) -> int:
        return int(self.perpetrators.sum())

    def holding(self, mask: int) -> np.ndarray:
        """Which rows' sets hold every group of ``mask``."""
        return (self.masks & mask) == mask


@dataclass(frozen=True)
class Rule:
    """A ⇒ target over perpetrators' group sets, with its volume-adjusted comparison."""

    antecedents: tuple[str, ...]
    consequent: str
    support: int
    antecedent_perpetrators: int
    confidence: float
    lift: float
    crude_risk_ratio: float | None
    mh_risk_ratio: float | None
    mh_low: float | None
    mh_high: float | None

    def headline(self) -> dict[str, Any]:
        return {
            "antecedents": list(self.antecedents),
            "consequent": self.consequent,
            "support": self.support,
            "confidence": self.confidence,
            "lift": self.lift,
        }

    def row(self) -> dict[str, Any]:
        out = asdict(self)
        out["antecedents"] = list(self.antecedents)
        out["antecedent_count"] = len(self.antecedents)
        out["holds_within_volume"] = None if self.mh_low is None else self.mh_low > 1
        return out


def mask_of(groups: tuple[str, ...] | list[str]) -> int:
    return sum(BIT[g] for g in groups)


def groups_of(mask: int) -> tuple[str, ...]:
    """The offence groups of a bitmask, in the contract's order."""
    return tuple(g for g in OFFENCE_GROUPS if mask & BIT[g])


def group_set_counts(ds: Dataset) -> SetCounts:
    """Count in-scope perpetrators per distinct group set and volume stratum, in the engine."""
    assert ds.perpetrators is not None
    links = ds.perpetrators.select("person_id", "crime_id")
    crimes = links.join(ds.crimes.select("crime_id", "offence_group"), "crime_id")
    per_group = crimes.group_by(["person_id", "offence_group"]).aggregate(crimes=crimes.count())
    bit = per_group.offence_group.substitute(BIT, else_=0).cast("int64")
    per_person = per_group.group_by("person_id").aggregate(
        mask=bit.sum(), crimes=per_group.crimes.sum()
    )
    n = per_person.crimes
    stratum = ibis.cases(
        *[(n <= most, i) for i, (_, _, most) in enumerate(STRATA) if most is not None],
        else_=len(STRATA) - 1,
    )
    counted = per_person.group_by(["mask", stratum.name("stratum")]).aggregate(
        perpetrators=per_person.count()
    )
    found = rows(counted)
    return SetCounts(
        np.array([r["mask"] for r in found], dtype=np.int64),
        np.array([r["stratum"] for r in found], dtype=np.int64),
        np.array([r["perpetrators"] for r in found], dtype=np.int64),
    )


def mine_rules(
    sets: SetCounts,
    *,
    min_support: int = MIN_SUPPORT,
    max_antecedents: int = MAX_ANTECEDENTS,
    targets: tuple[str, ...] = TARGETS,
    confidence: float = 0.95,
) -> list[Rule]:
    """Every rule A ⇒ target with 1–``max_antecedents`` other groups and support ≥
    ``min_support``, per target in the order given, each sorted by lift (highest first), then
    support, then the antecedents in the contract's order."""
    out: list[Rule] = []
    present = int(np.bitwise_or.reduce(sets.masks)) if len(sets.masks) else 0
    for target in targets:
        has_target = sets.holding(BIT[target])
        with_target = int(sets.perpetrators[has_target].sum())
        if with_target == 0:
            continue
        others = [g for g in groups_of(present) if g != target]
        found = []
        for size in range(1, max_antecedents + 1):
            for antecedents in itertools.combinations(others, size):
                rule = _rule(sets, antecedents, target, has_target, with_target, confidence)
                if rule.support >= min_support:
                    found.append(rule)
        found.sort(
            key=lambda r: (-r.lift, -r.support, [OFFENCE_GROUPS.index(g) for g in r.antecedents])
        )
        out += found
    return out


def _rule(
    sets: SetCounts,
    antecedents: tuple[str, ...],
    target: str,
    has_target: np.ndarray,
    with_target: int,
    confidence: float,
) -> Rule:
    has_a = sets.holding(mask_of(antecedents))
    support = int(sets.perpetrators[has_a & has_target].sum())
    with_a = int(sets.perpetrators[has_a].sum())
    conf = support / with_a if with_a else 0.0
    lift = conf / (with_target / sets.total)
    tables = _stratified_tables(sets, has_a, has_target)
    mh, low, high = mh_risk_ratio(tables, confidence)
    return Rule(
        antecedents=antecedents,
        consequent=target,
        support=support,
        antecedent_perpetrators=with_a,
        confidence=conf,
        lift=lift,
        crude_risk_ratio=_crude_risk_ratio(tables.sum(axis=2)),
        mh_risk_ratio=mh,
        mh_low=low,
        mh_high=high,
    )


def _stratified_tables(sets: SetCounts, has_a: np.ndarray, has_t: np.ndarray) -> np.ndarray:
    """2 × 2 × strata: rows exposed (set holds A) / not, columns target held / not."""
    k = len(STRATA)
    cells = [(has_a & has_t), (has_a & ~has_t), (~has_a & has_t), (~has_a & ~has_t)]
    counts = [np.bincount(sets.strata[c], weights=sets.perpetrators[c], minlength=k) for c in cells]
    return np.array(counts, dtype=float).reshape(2, 2, k)


def _crude_risk_ratio(table: np.ndarray) -> float | None:
    (a, b), (c, d) = table
    if a + b == 0 or c == 0:
        return None
    return float((a / (a + b)) / (c / (c + d)))


def mh_risk_ratio(
    tables: np.ndarray, confidence: float = 0.95
) -> tuple[float | None, float | None, float | None]:
    """Mantel–Haenszel pooled risk ratio of 2 × 2 × K tables with its interval.

    Rows: exposed, unexposed; columns: outcome, no outcome. Strata with no one in them are
    dropped. The point estimate is statsmodels' ``StratifiedTable.riskratio_pooled``; the
    interval uses the Greenland–Robins (1985) variance of its logarithm (Biometrics
    41:55-68), which stays valid with many sparse strata. None where undefined (no exposed
    case, or no unexposed case, in any informative stratum).
    """
    n = tables.sum(axis=(0, 1))
    t = tables[:, :, n > 0]
    if t.shape[2] == 0:
        return None, None, None
    a, b, c, d = t[0, 0], t[0, 1], t[1, 0], t[1, 1]
    n = t.sum(axis=(0, 1))
    r = float(np.sum(a * (c + d) / n))
    s = float(np.sum(c * (a + b) / n))
    if r == 0 or s == 0:
        return None, None, None
    ratio = float(StratifiedTable(t).riskratio_pooled)
    variance = float(np.sum(((a + c) * (a + b) * (c + d) - a * c * n) / n**2)) / (r * s)
    z = stats.norm.ppf((1 + confidence) / 2)
    half = z * math.sqrt(max(variance, 0.0))
    return ratio, ratio * math.exp(-half), ratio * math.exp(half)


def top_rules(rules: list[Rule], per_target: int = RULES_PER_TARGET) -> list[Rule]:
    """The ``per_target`` rules with the highest lift for each target (input already sorted)."""
    out: list[Rule] = []
    for target in dict.fromkeys(r.consequent for r in rules):
        out += [r for r in rules if r.consequent == target][:per_target]
    return out


def escalation_rules(ds: Dataset) -> Finding:
    """Escalation rules: offence combinations that go with violence with injury and rape.

    Definition: over in-scope perpetrators' offence-group sets (the distinct offence groups of
    each perpetrator's in-scope crimes in the window), for targets violence_with_injury and
    rape, the rules A ⇒ target where A is 1–4 other groups; support = perpetrators whose set
    holds A and the target (≥ 30); confidence = support ÷ perpetrators whose set holds A;
    lift = confidence ÷ P(target), P(target) = perpetrators whose set holds the target ÷ all
    perpetrators. The headline keeps the five rules with the highest lift per target (ties by
    support, then antecedents), as one list: violence_with_injury first, then rape, each by
    lift; antecedents are listed in the contract's group order. The full table holds every
    rule with support ≥ 30 and, for each, a volume-adjusted comparison: the risk ratio
    P(target | A) ÷ P(target | not A) within strata of perpetrators with equal numbers of
    crimes (1, 2, 3–4, 5–9, 10+), pooled by Mantel–Haenszel, beside the crude (unstratified)
    risk ratio. A rule whose crude ratio is well above 1 but whose pooled ratio is near 1
    only marks prolific offenders: having more crimes makes holding both A and the target
    likelier.

    Interval: 95% (``options.confidence``) interval of the Mantel–Haenszel risk ratio from the
    Greenland–Robins variance (Biometrics 1985, 41:55-68). A risk ratio, not an odds ratio,
    because lift is itself a ratio of probabilities and the target is common (a third of
    perpetrators hold violence with injury), where an odds ratio would overstate it. Lift and
    confidence are descriptive (no interval); the rules are mined from hundreds of candidate
    combinations, so an interval that excludes 1 is not a test of a prior hypothesis.
    """
    key = "escalation_rules"
    title = "Escalation rules: what goes with violence with injury and with rape"
    if ds.perpetrators is None:
        return not_available(key, title, definition_of(escalation_rules), NEEDS, (key,))
    sets = group_set_counts(ds)
    confidence = ds.options.confidence
    rules = mine_rules(sets, confidence=confidence)
    best = top_rules(rules)
    return Finding(
        id=key,
        title=title,
        definition=definition_of(escalation_rules),
        summary=_summary(best),
        figures={
            "perpetrators": sets.total,
            "min_support": MIN_SUPPORT,
            "max_antecedents": MAX_ANTECEDENTS,
            "target_prevalence": _prevalence(sets, TARGETS),
            "rules_with_min_support": len(rules),
        },
        tables={
            "rules": [r.row() for r in best],
            "all_rules": [r.row() for r in rules],
            "groups": _group_rows(sets),
            "strata": _strata_rows(sets),
        },
        headlines={key: [r.headline() for r in best]},
    )


def group_label(group: str) -> str:
    return group.replace("_", " ").replace("controlling coercive", "controlling/coercive")


def _summary(best: list[Rule]) -> str:
    if not best:
        return f"No escalation rule reaches a support of {MIN_SUPPORT} perpetrators."
    parts = []
    for target in dict.fromkeys(r.consequent for r in best):
        r = next(r for r in best if r.consequent == target)
        parts.append(
            f"{' + '.join(group_label(g) for g in r.antecedents)} ⇒ {group_label(target)} "
            f"(lift {r.lift:.1f}, confidence {r.confidence:.0%}, {r.support:,} perpetrators)"
        )
    return "Strongest escalation rules: " + "; ".join(parts) + "."


def _prevalence(sets: SetCounts, groups: tuple[str, ...]) -> dict[str, float | None]:
    total = sets.total
    return {
        g: (float(sets.perpetrators[sets.holding(BIT[g])].sum()) / total if total else None)
        for g in groups
    }


def _group_rows(sets: SetCounts) -> list[dict[str, Any]]:
    total = sets.total
    out = []
    for g in OFFENCE_GROUPS:
        k = int(sets.perpetrators[sets.holding(BIT[g])].sum())
        out.append({"offence_group": g, "perpetrators": k, "share": k / total if total else None})
    return out


def _strata_rows(sets: SetCounts) -> list[dict[str, Any]]:
    counts = np.bincount(sets.strata, weights=sets.perpetrators, minlength=len(STRATA))
    return [
        {"crimes": label, "perpetrators": int(counts[i])} for i, (label, _, _) in enumerate(STRATA)
    ]


def reported_rules(ds: Dataset) -> list[dict[str, Any]]:
    """The headline rules (for flags in the restricted priority list)."""
    return escalation_rules(ds).headlines.get("escalation_rules") or []


ANALYSES: tuple[Callable[[Dataset], Finding], ...] = (escalation_rules,)
