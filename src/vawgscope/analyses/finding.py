"""The result every analysis returns: a finding with its figures, tables and headlines."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Status = Literal["ok", "not_available"]


@dataclass(frozen=True)
class Finding:
    """One finding of the problem profile.

    ``headlines`` holds the profile headlines this finding sets (key → value, ``None`` when
    not available); ``needs`` names the missing inputs as ``TABLE.COLUMN``; ``variant``
    declares a scope other than the run's, when the finding uses one.
    """

    id: str
    title: str
    definition: str
    summary: str
    status: Status = "ok"
    figures: dict[str, Any] = field(default_factory=dict)
    tables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    headlines: dict[str, Any] = field(default_factory=dict)
    needs: tuple[str, ...] = ()
    variant: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "title": self.title,
            "status": self.status,
            "needs": list(self.needs),
            "summary": self.summary,
            "definition": self.definition,
            "figures": self.figures,
            "tables": self.tables,
            "headline_keys": list(self.headlines),
        }
        if self.variant:
            out["variant"] = self.variant
        return out


def not_available(
    id: str,
    title: str,
    definition: str,
    needs: tuple[str, ...],
    headline_keys: tuple[str, ...] = (),
) -> Finding:
    """A finding whose inputs are missing: its headlines are ``None`` and it says what it needs."""
    return Finding(
        id=id,
        title=title,
        definition=definition,
        summary=f"Not available: needs {', '.join(needs)}.",
        status="not_available",
        headlines=dict.fromkeys(headline_keys),
        needs=needs,
    )


def definition_of(function: Any) -> str:
    """The ``Definition:`` paragraph of an analysis's docstring (the whole docstring if none)."""
    doc = (function.__doc__ or "").strip()
    for block in doc.split("\n\n"):
        block = " ".join(line.strip() for line in block.splitlines())
        if block.startswith("Definition:"):
            return block.removeprefix("Definition:").strip()
    return " ".join(doc.split())
