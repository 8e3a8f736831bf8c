"""The priority perpetrator list: a restricted, ranked list for offender management.

RESTRICTED. This list is person-level by design and is never part of ``profile.json``, the
HTML report or any public output. It holds pseudonymous ids only; :func:`reveal` adds the
original ids for an authorised analyst who holds the pseudonymisation secret, and records that
it did.

Scores (problem-profile.md, "Priority perpetrators"), each computed in the engine:

- **Recency** R: days from the date of his last in-scope crime to the date of "now" (the last
  in-scope ``occurred_from``): ≤ 30 → 5, ≤ 90 → 4, ≤ 180 → 3, ≤ 365 → 2, more → 1.
- **Frequency** F: his in-scope crimes in the last 24 months (``occurred_from`` after "now"
  minus 24 calendar months): 10+ → 5, 5–9 → 4, 3–4 → 3, 2 → 2, 1 → 1, none → 0.
- **Gravity** G: the highest harm weight among his crimes in the last 24 months, placed in
  quintiles over all perpetrators with a crime in those months: the four cut points are the
  20th, 40th, 60th and 80th percentiles (linear interpolation) of that highest weight, and
  G = 1 + the number of cut points strictly below his value (so a value equal to a cut point
  falls in the lower quintile, equal values share a score, and the top quintile scores 5);
  G = 0 with no crime in the last 24 months.

Rank by R + F + G, then harm in the last 12 months, then distinct victims (each highest
first); perpetrators equal on all three share the best rank, and the list orders them by
pseudonym. An escalation flag is raised for each reported escalation rule
(:func:`vawgscope.analyses.escalation.reported_rules`) whose antecedents his offence-group set
holds while it does not yet hold the rule's target. The bands are a transparent starting
point, not a validated risk tool.
"""

from __future__ import annotations

import calendar
import csv
import getpass
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow.parquet as pq

from vawgscope.analyses.common import harm_weight
from vawgscope.analyses.common import rows as run_rows
from vawgscope.analyses.escalation import BIT, group_label, groups_of, mask_of, reported_rules
from vawgscope.contract.harm import HarmWeights
from vawgscope.dataset import Dataset
from vawgscope.ingest.pseudonymise import key_id
from vawgscope.store import StoreInfo

#: Recency: days since the last crime at most these → 5, 4, 3, 2; more → 1.
RECENCY_DAYS: tuple[int, ...] = (30, 90, 180, 365)
#: Frequency: crimes in the frequency window at least these → 5, 4, 3, 2, 1; none → 0.
FREQUENCY_CRIMES: tuple[int, ...] = (10, 5, 3, 2, 1)
FREQUENCY_MONTHS = 24
HARM_MONTHS = 12
GRAVITY_QUANTILES: tuple[float, ...] = (0.2, 0.4, 0.6, 0.8)
REVEAL_LOG = "reveal-log.csv"
REVEAL_LOG_COLUMNS: tuple[str, ...] = (
    "timestamp_utc",
    "who",
    "store_fingerprint",
    "revealed",
    "output_file",
)
#: Columns of the CSV :func:`write_priority_list` writes (``original_id`` only when revealed).
COLUMNS: tuple[str, ...] = (
    "rank",
    "person_id",
    "original_id",
    "score",
    "recency",
    "frequency",
    "gravity",
    "last_crime",
    "days_since_last_crime",
    "crimes_24m",
    "crimes_total",
    "highest_harm_24m",
    "gravity_groups",
    "harm_total",
    "harm_12m",
    "victims",
    "offence_groups",
    "escalation_flags",
    "reasons",
)


class PriorityListError(ValueError):
    """The data cannot support a priority list (e.g. a crimes-only dataset)."""


class RevealError(PermissionError):
    """Original ids cannot be revealed: no secret, no lookup, or the wrong secret."""


@dataclass(frozen=True)
class _Windows:
    now: datetime
    frequency_from: datetime
    harm_from: datetime


def months_before(moment: datetime, months: int) -> datetime:
    """The same clock time ``months`` calendar months earlier (day clamped to month length)."""
    year, month = divmod(moment.year * 12 + moment.month - 1 - months, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def priority_perpetrators(
    ds: Dataset,
    *,
    top: int | None = None,
    since: date | None = None,
    weights: HarmWeights | None = None,
) -> list[dict[str, Any]]:
    """The ranked priority list: one row per in-scope perpetrator (pseudonymous ids only).

    ``since`` keeps perpetrators with an in-scope crime on or after that date (scores and
    gravity quintiles are still taken over all perpetrators; ranks are within the list);
    ``top`` keeps rows ranked ``top`` or better (so a tie at the cut keeps every tied row).
    """
    if ds.perpetrators is None or ds.victims is None:
        raise PriorityListError(
            "the priority list needs persons and crime_persons; this is a crimes-only dataset"
        )
    if ds.window.now is None:
        return []
    now = ds.window.now
    windows = _Windows(now, months_before(now, FREQUENCY_MONTHS), months_before(now, HARM_MONTHS))
    people = _scored(ds, windows, weights)
    if since is not None:
        people = people.filter(people.last_crime >= ibis.timestamp(since.isoformat()))
    ranked = _ranked(people)
    if top is not None:
        ranked = ranked.filter(ranked["rank"] <= top)
    ordered = ranked.order_by(
        ["rank", ibis.desc("score"), ibis.desc("harm_12m"), ibis.desc("victims"), "person_id"]
    )
    rules = reported_rules(ds)
    return [_finish(r, rules) for r in run_rows(ordered)]


def _crimes_of_perpetrators(
    ds: Dataset, windows: _Windows, weights: HarmWeights | None
) -> ir.Table:
    assert ds.perpetrators is not None
    links = ds.perpetrators.select("person_id", "crime_id")
    c = ds.crimes
    crimes = c.select(
        "crime_id",
        "occurred_from",
        "offence_group",
        harm=harm_weight(c, weights or ds.harm_weights),
    )
    joined = links.join(crimes, "crime_id")
    return joined.mutate(
        in_frequency=joined.occurred_from > ibis.timestamp(windows.frequency_from.isoformat()),
        in_harm=joined.occurred_from > ibis.timestamp(windows.harm_from.isoformat()),
    )


def _per_person(ds: Dataset, windows: _Windows, weights: HarmWeights | None) -> ir.Table:
    """One row per perpetrator with his counts, harms, group set and the groups of his
    gravest crime in the frequency window."""
    assert ds.victims is not None
    pc = _crimes_of_perpetrators(ds, windows, weights)
    per_group = pc.group_by(["person_id", "offence_group"]).aggregate(
        crimes=pc.count(),
        last_crime=pc.occurred_from.max(),
        harm=pc.harm.sum(),
        harm_12m=ibis.ifelse(pc.in_harm, pc.harm, 0.0).sum(),
        crimes_24m=pc.in_frequency.cast("int64").sum(),
        highest=ibis.ifelse(pc.in_frequency, pc.harm, ibis.null("float64")).max(),
    )
    bit = per_group.offence_group.substitute(BIT, else_=0).cast("int64")
    person = per_group.group_by("person_id").aggregate(
        group_mask=bit.sum(),
        crimes_total=per_group.crimes.sum(),
        last_crime=per_group.last_crime.max(),
        harm_total=per_group.harm.sum(),
        harm_12m=per_group.harm_12m.sum(),
        crimes_24m=per_group.crimes_24m.sum(),
        highest_harm_24m=per_group.highest.max(),
    )
    gravest = per_group.join(person.select("person_id", "highest_harm_24m"), "person_id")
    gravest = gravest.filter(gravest.highest == gravest.highest_harm_24m)
    gravest_bits = gravest.offence_group.substitute(BIT, else_=0).cast("int64")
    gravest = gravest.group_by("person_id").aggregate(gravity_mask=gravest_bits.sum())
    victims = ds.victims.select("crime_id", victim=ds.victims.person_id)
    links = ds.perpetrators.select("person_id", "crime_id")
    counted = links.join(victims, "crime_id")
    counted = counted.group_by("person_id").aggregate(victims=counted.victim.nunique())
    out = person.left_join(gravest, "person_id").left_join(counted, "person_id")
    return out.select(
        *person.columns,
        gravity_mask=out.gravity_mask.fill_null(0),
        victims=out.victims.fill_null(0),
    )


def _scored(ds: Dataset, windows: _Windows, weights: HarmWeights | None) -> ir.Table:
    people = _per_person(ds, windows, weights)
    days = ibis.literal(windows.now.date()).delta(people.last_crime.date(), unit="day")
    recency = ibis.cases(*[(days <= limit, 5 - i) for i, limit in enumerate(RECENCY_DAYS)], else_=1)
    n = people.crimes_24m
    frequency = ibis.cases(
        *[(n >= least, 5 - i) for i, least in enumerate(FREQUENCY_CRIMES)], else_=0
    )
    gravity = gravity_scores(people)
    return people.mutate(
        days_since_last_crime=days,
        recency=recency,
        frequency=frequency,
        gravity=gravity,
        score=recency + frequency + gravity,
    )


def gravity_cut_points(people: ir.Table) -> list[float]:
    """The quintile cut points of the highest harm in the frequency window (linear
    interpolation between order statistics), over perpetrators with a crime in it."""
    value = people.highest_harm_24m
    cuts = run_rows(
        people.aggregate(**{f"q{i}": value.quantile(q) for i, q in enumerate(GRAVITY_QUANTILES)})
    )[0]
    return [cuts[f"q{i}"] for i in range(len(GRAVITY_QUANTILES))]


def gravity_scores(people: ir.Table) -> ir.IntegerValue:
    """G per perpetrator: 1 + cut points strictly below his highest harm; 0 without one."""
    cuts = gravity_cut_points(people)
    value = people.highest_harm_24m
    if any(c is None for c in cuts):  # nobody has a crime in the window
        return ibis.literal(0)
    above = sum((value > cut).cast("int64") for cut in cuts)
    return ibis.ifelse(value.isnull(), 0, 1 + above)


def _ranked(people: ir.Table) -> ir.Table:
    # ibis.rank() is SQL RANK() from 0: rows equal on all three keys share the best rank.
    order = [ibis.desc(people.score), ibis.desc(people.harm_12m), ibis.desc(people.victims)]
    return people.mutate(rank=ibis.rank().over(order_by=order) + 1)


# --- Python side: flags and reasons on the (already person-level) rows ----------------------


def _finish(r: dict[str, Any], rules: list[dict[str, Any]]) -> dict[str, Any]:
    held = int(r["group_mask"])
    flagged = [
        rule
        for rule in rules
        if (held & mask_of(rule["antecedents"])) == mask_of(rule["antecedents"])
        and not held & BIT[rule["consequent"]]
    ]
    gravity_groups = list(groups_of(int(r["gravity_mask"])))
    row = {
        "rank": int(r["rank"]),
        "person_id": r["person_id"],
        "score": int(r["score"]),
        "recency": int(r["recency"]),
        "frequency": int(r["frequency"]),
        "gravity": int(r["gravity"]),
        "last_crime": r["last_crime"].date().isoformat(),
        "days_since_last_crime": int(r["days_since_last_crime"]),
        "crimes_24m": int(r["crimes_24m"]),
        "crimes_total": int(r["crimes_total"]),
        "highest_harm_24m": r["highest_harm_24m"],
        "gravity_groups": gravity_groups,
        "harm_total": float(r["harm_total"]),
        "harm_12m": float(r["harm_12m"]),
        "victims": int(r["victims"]),
        "offence_groups": list(groups_of(held)),
        "escalation_flags": [_rule_words(rule) for rule in flagged],
    }
    row["reasons"] = reasons(row, flagged)
    return row


def _rule_words(rule: dict[str, Any]) -> str:
    return " + ".join(rule["antecedents"]) + " ⇒ " + rule["consequent"]


def reasons(row: dict[str, Any], flagged: Sequence[dict[str, Any]]) -> str:
    """Why a perpetrator ranks where he does, in words."""
    days = row["days_since_last_crime"]
    parts = [f"last crime {days} day{'' if days == 1 else 's'} ago"]
    n = row["crimes_24m"]
    parts.append(
        f"{n} crime{'' if n == 1 else 's'} in {FREQUENCY_MONTHS} months"
        if n
        else f"no crime in {FREQUENCY_MONTHS} months"
    )
    if row["gravity_groups"]:
        words = " and ".join(group_label(g) for g in row["gravity_groups"])
        parts.append(f"{words} in the last {FREQUENCY_MONTHS} months")
    if row["victims"] > 1:
        parts.append(f"{row['victims']} victims")
    for target in dict.fromkeys(rule["consequent"] for rule in flagged):
        best = max(
            (rule for rule in flagged if rule["consequent"] == target),
            key=lambda rule: rule["lift"],
        )
        held = " + ".join(group_label(g) for g in best["antecedents"])
        parts.append(f"holds {held}, the antecedents of a rule for {group_label(target)}")
    return "; ".join(parts)


# --- writing and revealing -------------------------------------------------------------------


def write_priority_list(rows: Sequence[dict[str, Any]], out: Path) -> Path:
    """Write the list as CSV (owner-only permissions) with :data:`COLUMNS`; ``original_id``
    appears only when the rows were revealed. Lists are joined with ``"; "``."""
    columns = [c for c in COLUMNS if c != "original_id" or any("original_id" in r for r in rows)]
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.partial")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow({c: _cell(row.get(c)) for c in columns})
    os.replace(partial, out)
    return out


def _cell(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value)
    return "" if value is None else value


def reveal_log_path(secret_path: Path) -> Path:
    """The reveal log: beside the secret, in the folder that also holds the pseudonym lookups."""
    return secret_path.parent / REVEAL_LOG


def reveal(
    rows: Sequence[dict[str, Any]],
    lookup_path: Path,
    secret_path: Path,
    who: str | None = None,
    *,
    info: StoreInfo,
    out: Path | None = None,
) -> list[dict[str, Any]]:
    """Add ``original_id`` to each row from the pseudonym lookup, and log that it was done.

    Refuses (:class:`RevealError`) when the secret or the lookup is missing, or when the
    secret is not the one the store was ingested with (its ``key_id`` differs from the
    store's). Before returning, appends a line to :func:`reveal_log_path`: UTC timestamp,
    who (the OS user unless given), the store's fingerprint, the number of ids revealed and
    the output file. Never creates a secret.
    """
    if not secret_path.is_file():
        raise RevealError(
            f"cannot reveal original ids: no secret at {secret_path}; only the secret the "
            "store was ingested with can reveal them"
        )
    if not lookup_path.is_file():
        raise RevealError(f"cannot reveal original ids: no pseudonym lookup at {lookup_path}")
    secret_key = _secret_key_id(secret_path)
    store_key = info.meta.get("key_id")
    if store_key is None or secret_key != store_key:
        raise RevealError(
            f"cannot reveal original ids: the secret at {secret_path} (key {secret_key}) is not "
            f"the one store {info.path} was ingested with (key {store_key})"
        )
    lookup = _lookup(lookup_path, [r["person_id"] for r in rows])
    revealed = [_with_original(r, lookup.get(r["person_id"])) for r in rows]
    count = sum(r["original_id"] is not None for r in revealed)
    _append_log(
        reveal_log_path(secret_path), who or getpass.getuser(), info.fingerprint, count, out
    )
    return revealed


def _secret_key_id(path: Path) -> str:
    try:
        return key_id(bytes.fromhex(path.read_text().strip()))
    except ValueError:
        raise RevealError(f"cannot reveal original ids: {path} is not a secret") from None


def _lookup(path: Path, pseudonyms: list[str]) -> dict[str, str]:
    if not pseudonyms:
        return {}
    table = pq.read_table(path, filters=[("pseudonym", "in", sorted(set(pseudonyms)))])
    return dict(zip(table["pseudonym"].to_pylist(), table["original_id"].to_pylist(), strict=True))


def _with_original(row: dict[str, Any], original: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in row.items():
        out[key] = value
        if key == "person_id":
            out["original_id"] = original
    return out


def _append_log(log: Path, who: str, fingerprint: str, count: int, out: Path | None) -> None:
    new = not log.exists()
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("a", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        if new:
            writer.writerow(REVEAL_LOG_COLUMNS)
        writer.writerow(
            [
                datetime.now(UTC).isoformat(timespec="seconds"),
                who,
                fingerprint,
                count,
                "" if out is None else str(out.resolve()),
            ]
        )


__all__ = [
    "COLUMNS",
    "PriorityListError",
    "RevealError",
    "priority_perpetrators",
    "reasons",
    "reveal",
    "reveal_log_path",
    "write_priority_list",
]
