"""Volume: how many crimes, victims and perpetrators the scope holds."""

from __future__ import annotations

from vawgscope.analyses.finding import Finding, definition_of, not_available
from vawgscope.dataset import Dataset


def crimes_total(ds: Dataset) -> Finding:
    """Crimes in scope.

    Definition: the number of recorded crimes in the run's scope (at least one victim and one
    perpetrator passing the person filters; every crime of the chosen types in a crimes-only
    dataset), over the whole window.
    """
    n = int(ds.counts()["crimes"] or 0)
    return Finding(
        id="crimes_total",
        title="Crimes in scope",
        definition=definition_of(crimes_total),
        summary=f"The scope holds {n:,} recorded crimes.",
        figures={"crimes": n},
        headlines={"crimes_total": n},
    )


def people_distinct(ds: Dataset) -> Finding:
    """Distinct victims and perpetrators in scope.

    Definition: victims = distinct persons linked as victim to an in-scope crime who pass the
    victim filter; perpetrators = distinct persons linked as suspect or offender to an in-scope
    crime who pass the perpetrator filters (sex, and age at that offence).
    """
    keys = ("victims_distinct", "perpetrators_distinct")
    if ds.victims is None or ds.perpetrators is None:
        return not_available(
            "people_distinct",
            "Victims and perpetrators",
            definition_of(people_distinct),
            ("persons", "crime_persons"),
            keys,
        )
    counts = ds.counts()
    victims, perpetrators = counts["victims"], counts["perpetrators"]
    return Finding(
        id="people_distinct",
        title="Victims and perpetrators",
        definition=definition_of(people_distinct),
        summary=f"{victims:,} different victims and {perpetrators:,} different perpetrators "
        "are linked to the crimes in scope.",
        figures={"victims": victims, "perpetrators": perpetrators},
        headlines={"victims_distinct": victims, "perpetrators_distinct": perpetrators},
    )
