"""Vocabularies of the data contract: every allowed value of every enumerated column.

One place defines each list; the contract tables, the validators, the demo world and the
analyses all import from here.
"""

from __future__ import annotations

OFFENCE_GROUPS: tuple[str, ...] = (
    "rape",
    "other_sexual",
    "violence_with_injury",
    "violence_without_injury",
    "stalking",
    "harassment",
    "malicious_communications",
    "controlling_coercive",
    "drink_spiking",
    "homicide",
    "robbery",
    "other",
)

#: Offence families used by re-offending analyses (problem-profile.md).
OFFENCE_FAMILIES: dict[str, tuple[str, ...]] = {
    "violent": ("violence_with_injury", "violence_without_injury", "homicide", "robbery"),
    "stalking_harassment": (
        "stalking",
        "harassment",
        "malicious_communications",
        "controlling_coercive",
    ),
    "sexual": ("rape", "other_sexual"),
}

LOCATION_TYPES: tuple[str, ...] = (
    "dwelling",
    "street",
    "licensed_premises",
    "hotel",
    "vehicle",
    "public_transport",
    "health",
    "education",
    "open_space",
    "shop",
    "workplace",
    "online",
    "other",
    "unknown",
)

REPORTING_CHANNELS: tuple[str, ...] = (
    "999",
    "101",
    "online",
    "in_person",
    "third_party",
    "other",
    "unknown",
)

TIME_PRECISIONS: tuple[str, ...] = ("exact", "day", "month")

SEXES: tuple[str, ...] = ("F", "M", "U")
POPULATION_SEXES: tuple[str, ...] = ("F", "M", "all")

ROLES: tuple[str, ...] = ("victim", "suspect", "offender")
#: Suspects and offenders together are "perpetrators" in the analyses.
PERPETRATOR_ROLES: tuple[str, ...] = ("suspect", "offender")

ETHNICITIES: tuple[str, ...] = ("asian", "black", "mixed", "white", "other", "not_stated")

RELATIONSHIPS: tuple[str, ...] = (
    "partner",
    "ex_partner",
    "family",
    "acquaintance",
    "stranger",
    "other",
    "unknown",
)

PREMISES_KINDS: tuple[str, ...] = ("pub", "bar", "nightclub", "restaurant", "off_licence", "other")

PERIOD_KINDS: tuple[str, ...] = ("lockdown", "campaign", "other")

#: Five-year population bands of the contract's `population.age_band`.
POPULATION_AGE_BANDS: tuple[str, ...] = tuple([f"{a}-{a + 4}" for a in range(0, 85, 5)] + ["85+"])

#: Perpetrator age bands of `perpetrator_leading_age_band`.
PERPETRATOR_AGE_BANDS: tuple[str, ...] = (
    "18-24",
    "25-29",
    "30-34",
    "35-39",
    "40-44",
    "45-49",
    "50-59",
    "60+",
)

# --- the survey contract -------------------------------------------------------------------

SURVEY_AGE_BANDS: tuple[str, ...] = (
    "17 and under",
    "18-20",
    "21-29",
    "30-39",
    "40-49",
    "50-59",
    "60-69",
    "70 or older",
)

SURVEY_PLACES: tuple[str, ...] = (
    "local_street",
    "town_centre",
    "park",
    "public_transport",
    "railway_station",
    "bus_station",
    "pubs_bars_clubs",
    "car_park",
    "shops",
    "work_or_school",
    "home",
    "online",
)

PRECAUTIONS: tuple[str, ...] = (
    "well_lit_areas",
    "walk_with_someone",
    "avoid_areas",
    "busier_streets",
    "keys_in_hand",
    "phone_someone",
    "taxi",
    "personal_alarm",
    "tracking_app",
    "other",
    "none",
)

VICTIM_OF: tuple[str, ...] = (
    "domestic_abuse",
    "sexual_assault",
    "harassment",
    "stalking",
    "upskirting",
    "drink_spiking",
    "online_abuse",
    "other",
    "none",
)

REPORTED: tuple[str, ...] = ("yes", "no")
