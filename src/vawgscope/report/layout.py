"""How a problem profile is read: its sections, in order, and which findings each holds."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Section:
    """A report section: an anchor, a heading, and the analysis families it shows."""

    anchor: str
    title: str
    families: tuple[str, ...]
    intro: str


SECTIONS: tuple[Section, ...] = (
    Section(
        "volume",
        "Volume and trend",
        ("volume", "trends"),
        "How many crimes, how the offence mix and the monthly volume have moved.",
    ),
    Section(
        "harm",
        "Harm",
        ("harm",),
        "Crimes weighted by the harm they do, and how concentrated that harm is.",
    ),
    Section(
        "outcomes",
        "Outcomes",
        ("outcomes",),
        "What happened to the crimes: charges, victims not supporting action, evidence.",
    ),
    Section(
        "time",
        "Time",
        ("time",),
        "When VAWG happens, spreading each crime over the hours it may have happened in.",
    ),
    Section(
        "place",
        "Place",
        ("place", "areas", "hotspots", "distance"),
        "Where VAWG happens: homes and streets, areas, districts and hot spots.",
    ),
    Section(
        "drivers",
        "Drivers",
        ("drivers",),
        "What goes with more VAWG: temperature, licensed premises and deprivation.",
    ),
    Section(
        "victims",
        "Victims",
        ("people:victims",),
        "Who the victims are: ages, deprivation, repeat victimisation.",
    ),
    Section(
        "perpetrators",
        "Perpetrators",
        ("people:perpetrators",),
        "Who the perpetrators are: ages and birth cohorts.",
    ),
    Section(
        "reoffending",
        "Re-offending and escalation",
        ("reoffending", "escalation"),
        "Who offends again, and which offence histories go with rape or violence with injury.",
    ),
    Section("reporting", "Reporting", ("reporting",), "How crimes reach the police."),
    Section(
        "quality",
        "Data quality",
        ("quality",),
        "What the figures stand on: missing values, rejected rows, unusual months.",
    ),
)


def section_of(family: str, finding_id: str) -> str:
    """The anchor of the section a finding belongs to."""
    if family == "people":
        family = "people:perpetrators" if "perpetrator" in finding_id else "people:victims"
    for section in SECTIONS:
        if family in section.families:
            return section.anchor
    return "volume"
