"""Harm weights: days of imprisonment per crime, in the style of the Cambridge Crime Harm Index.

The defaults (``harm_weights.csv`` beside this module) are the CCHI subgroup medians used by
the Home Office's police-recorded-crime subgroups, mapped onto the contract's offence groups;
the file gives the source of every default. They keep the index's order (homicide ≫ rape >
other serious violence and sexual offences ≫ harassment, malicious communications and assault
without injury). They are a transparent starting point: a force should load the official
CCHI table for its offence codes with ``--harm-weights FILE``.

A user file is a CSV with ``days`` and either ``offence_code`` (Home Office code, e.g. ``19C``)
or ``offence_group``, or both columns with one of them empty per row. Codes take precedence over
groups; a group the file leaves out keeps its default.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from vawgscope.contract.vocab import OFFENCE_GROUPS


@dataclass(frozen=True)
class HarmWeights:
    """Harm weight (days) by offence group, with optional overrides by offence code."""

    by_group: dict[str, float]
    by_code: dict[str, float] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, float]:
        """The weights actually used, for profile.json: groups, then codes as ``code:19C``."""
        out = dict(self.by_group)
        out.update({f"code:{code}": days for code, days in sorted(self.by_code.items())})
        return out


def default_harm_weights() -> HarmWeights:
    """The packaged defaults, one weight per offence group, each with its source."""
    text = resources.files("vawgscope.contract").joinpath("harm_weights.csv").read_text("utf-8")
    rows = list(csv.DictReader(text.splitlines()))
    weights = {r["offence_group"]: float(r["days"]) for r in rows}
    missing = set(OFFENCE_GROUPS) - set(weights)
    if missing:  # pragma: no cover - guards the packaged file
        raise RuntimeError(f"harm_weights.csv lacks groups: {sorted(missing)}")
    return HarmWeights(weights, {}, {r["offence_group"]: r["source"] for r in rows})


def load_harm_weights(path: Path) -> HarmWeights:
    """Read a user's harm-weight CSV over the defaults; raises ``ValueError`` naming the row."""
    base = default_harm_weights()
    by_group = dict(base.by_group)
    by_code: dict[str, float] = {}
    sources = dict(base.sources)
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        fields = set(reader.fieldnames or ())
        if "days" not in fields or not fields & {"offence_group", "offence_code"}:
            raise ValueError(
                f"{path}: a harm-weight file needs a 'days' column and an 'offence_group' "
                f"or 'offence_code' column; found {sorted(fields)}"
            )
        for row_number, row in enumerate(reader, start=2):
            try:
                days = float(row["days"])
            except (TypeError, ValueError):
                raise ValueError(
                    f"{path}, row {row_number}, column days: expected a number of days, "
                    f"got {row.get('days')!r}"
                ) from None
            if days < 0:
                raise ValueError(f"{path}, row {row_number}, column days: must be ≥ 0")
            code = (row.get("offence_code") or "").strip()
            group = (row.get("offence_group") or "").strip()
            if code:
                by_code[code] = days
            elif group in OFFENCE_GROUPS:
                by_group[group] = days
                sources[group] = f"user file {path.name}, row {row_number}"
            else:
                raise ValueError(
                    f"{path}, row {row_number}: needs an offence_code or an offence_group "
                    f"of {', '.join(OFFENCE_GROUPS)}; got {group!r}"
                )
    return HarmWeights(by_group, by_code, sources)
