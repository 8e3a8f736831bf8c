"""Home Office crime outcome types, and the groups the analyses compare.

Outcome numbers follow the Home Office Counting Rules' outcomes framework. Outcome 1A
(alternative offence charged) is given as 1 in the data contract.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

HOME_OFFICE_OUTCOMES: dict[int, str] = {
    1: "Charge/summons (including 1A: alternative offence charged)",
    2: "Caution - youths",
    3: "Caution - adults",
    4: "Offences taken into consideration",
    5: "Offender died",
    6: "Penalty notice for disorder",
    7: "Cannabis/khat warning",
    8: "Community resolution",
    9: "Prosecution not in the public interest (CPS)",
    10: "Formal action not in the public interest (police)",
    11: "Prosecution prevented - suspect under age",
    12: "Prosecution prevented - suspect too ill",
    13: "Prosecution prevented - victim or key witness dead or too ill",
    14: "Evidential difficulties: suspect not identified; victim does not support further action",
    15: (
        "Evidential difficulties: suspect identified; victim supports action; insufficient evidence"
    ),
    16: (
        "Evidential difficulties: victim does not support (or withdraws support for) further action"
    ),
    17: "Suspect identified but prosecution time limit expired",
    18: "Investigation complete - no suspect identified",
    19: "Outcome 19 (not used by the analyses)",
    20: "Further action will be undertaken by another body or agency",
    21: "Further investigation to support formal action not in the public interest",
    22: "Diversionary, educational or intervention activity",
}

OUTCOME_CODES: tuple[int, ...] = tuple(HOME_OFFICE_OUTCOMES)

CHARGED: tuple[int, ...] = (1,)
VICTIM_NOT_SUPPORTING: tuple[int, ...] = (14, 16)
EVIDENTIAL_DIFFICULTY: tuple[int, ...] = (15,)
NO_SUSPECT: tuple[int, ...] = (18,)

#: Broad outcome groups for distribution tables and the attrition funnel.
OUTCOME_GROUPS: dict[str, tuple[int, ...]] = {
    "charged_or_summonsed": CHARGED,
    "out_of_court": (2, 3, 4, 6, 7, 8, 22),
    "victim_does_not_support": VICTIM_NOT_SUPPORTING,
    "evidential_difficulties": EVIDENTIAL_DIFFICULTY,
    "no_suspect_identified": NO_SUSPECT,
    "not_in_public_interest": (9, 10, 21),
    "prosecution_prevented_or_time_expired": (5, 11, 12, 13, 17),
    "other_body": (20,),
    "other": (19,),
}


def outcome_group(code: int) -> str:
    """Name of the broad group that Home Office outcome ``code`` belongs to."""
    for name, codes in OUTCOME_GROUPS.items():
        if code in codes:
            return name
    raise ValueError(f"outcome code {code!r} is not a Home Office outcome type (1-22)")


# --- police.uk outcome categories -----------------------------------------------------------

#: The one table that turns data.police.uk outcome categories into Home Office outcome types.
POLICE_UK_OUTCOMES_FILE = Path(__file__).with_name("police_uk_outcomes.csv")


@dataclass(frozen=True)
class PoliceUkOutcome:
    """One police.uk outcome category and what it means in Home Office terms.

    ``outcome_code`` is set only where the category is one Home Office outcome type
    (``match`` ``exact``) or follows from one (``implied``: every court stage follows a
    charge, outcome 1); a category that covers several types (``group``) has no code but
    names its candidate ``home_office_codes`` and its ``outcome_group``. ``has_outcome`` is
    false for "Under investigation" and "Status update unavailable". ``precedence`` breaks
    ties between outcomes published in the same month for the same crime (lowest wins: a
    charge of any suspect outranks an out-of-court disposal, which outranks closure).
    """

    police_uk_outcome: str
    outcome_code: int | None
    home_office_codes: tuple[int, ...]
    outcome_group: str
    match: str
    has_outcome: bool
    precedence: int
    note: str


def police_uk_outcomes() -> dict[str, PoliceUkOutcome]:
    """The police.uk outcome table (``police_uk_outcomes.csv``), keyed by category."""
    with POLICE_UK_OUTCOMES_FILE.open(newline="", encoding="utf-8") as handle:
        table = {}
        for row in csv.DictReader(handle):
            codes = tuple(int(c) for c in row["home_office_codes"].split(";") if c)
            table[row["police_uk_outcome"]] = PoliceUkOutcome(
                police_uk_outcome=row["police_uk_outcome"],
                outcome_code=int(row["outcome_code"]) if row["outcome_code"] else None,
                home_office_codes=codes,
                outcome_group=row["outcome_group"],
                match=row["match"],
                has_outcome=row["has_outcome"] == "true",
                precedence=int(row["precedence"]),
                note=row["note"],
            )
    return table
