"""The demo survey: a public safety-perception survey calibrated to the seed report.

``write_demo_survey(out_dir, seed=20211031)`` writes ``responses.csv`` (the survey contract)
and, beside it, the ground truth the analysis never reads: ``planted_themes.csv`` (the theme
of every free-text answer), ``planted_places.csv`` (every named place written into an answer)
and ``planted_personal_data.csv`` (every name, phone number, email, postcode and address).

How the answers arise (one seeded numpy generator, so a rerun is byte-identical):

* **Who.** 8,263 respondents, Aug–Oct 2021 (most in the first weeks), age bands with
  survey-like shares, the 13 districts of the demo county weighted by population.
* **Feeling safe.** Each respondent has a latent safety for every place by day and by night:
  the mean for her age band (:func:`latent_means`) plus a personal level shared across items
  plus item noise; the answer is the latent rounded into 1–5. The band means rise with age
  (fall, online) and are lower at night everywhere; :data:`PLACE_SAFETY` names, per place, the
  age band whose mean sits :data:`MARGIN` below (least safe) or above (safest) every other
  band's, which is how the seed's "18-20 least safe in 7 of 12 places at night", "17 and under
  in 6 of 12 by day" and "70 or older safest in 8 of 12" arise. The margin is about six
  standard errors of a band mean, so the counts are exact.
* **Precautions.** The seed's 239 of 8,184 is met by construction of two counts: exactly
  8,263 − 8,184 = 79 respondents skip the question and exactly 239 of those answering tick
  ``none``; who they are is drawn without replacement with weights from per-band
  propensities (older women skip and take no precautions more often). Everyone else ticks
  each precaution with a per-band probability (well-lit areas and walking with someone the
  most common), at least one.
* **Victimisation.** About 1.5% skip the question; of those answering, exactly
  ``round(0.31 n)`` are victims (so 69% are not), drawn with per-band weights (younger women
  more often); each victim's crime types are per-band Bernoulli draws (harassment falling
  with age), at least one.
* **Reporting.** About 3% of victims skip ``reported``; of those answering, exactly
  ``round(0.368 n)`` said ``yes`` ("just under 37%"), drawn with per-band weights.
* **Free text.** Each question is answered with a per-question probability; the answer's
  theme is drawn from per-question weights shifted by age band, and its text is written from
  the phrase bank (:mod:`vawgscope.synth.survey_phrases`): one to three sentences of that
  theme, sometimes a neutral sentence, named places in some (four times in five a place of
  the respondent's own district when the kind has one there), and in about 3% of answers a
  sentence carrying personal data.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from vawgscope.contract.tables import SURVEY_RESPONSES
from vawgscope.contract.vocab import PRECAUTIONS, SURVEY_AGE_BANDS, SURVEY_PLACES, VICTIM_OF
from vawgscope.synth import survey_phrases as phrases
from vawgscope.synth.geography import DISTRICTS

RESPONDENTS = 8_263
PRECAUTIONS_ANSWERED = 8_184
NO_PRECAUTIONS = 239
NOT_VICTIM_SHARE = 0.69
REPORTED_SHARE = 0.368
FIRST_DAY = date(2021, 8, 1)
LAST_DAY = date(2021, 10, 31)

#: Shares of respondents by age band (online surveys draw most from 30–59).
BAND_SHARES: tuple[float, ...] = (0.05, 0.07, 0.16, 0.19, 0.19, 0.17, 0.11, 0.06)

#: Gap (in latent score points) between a designated band's mean and every other band's.
MARGIN = 0.35
PERSON_SD = 0.45
ITEM_SD = 0.75
#: Share skipping the whole safety grid, and each place's item non-response.
GRID_SKIP = 0.02
ITEM_MISSING: dict[str, float] = {"work_or_school": 0.10, "online": 0.06}
DEFAULT_ITEM_MISSING = 0.03


@dataclass(frozen=True)
class PlaceSafety:
    """Mean latent safety of a place by day and night (mid-age), its age slope (oldest minus
    youngest band), and the bands designated least safe (night, day) and safest (both)."""

    day: float
    night: float
    slope: float
    least_night: str
    least_day: str
    safest: str


_U17, _18, _21, _60, _70 = "17 and under", "18-20", "21-29", "60-69", "70 or older"
PLACE_SAFETY: dict[str, PlaceSafety] = {
    "local_street": PlaceSafety(4.0, 3.0, 0.6, _18, _U17, _70),
    "town_centre": PlaceSafety(3.8, 2.4, 0.6, _18, _18, _70),
    "park": PlaceSafety(3.8, 2.2, 0.6, _U17, _U17, _70),
    "public_transport": PlaceSafety(3.5, 2.5, 0.6, _18, _U17, _60),
    "railway_station": PlaceSafety(3.5, 2.3, 0.6, _18, _18, _70),
    "bus_station": PlaceSafety(3.3, 2.2, 0.6, _U17, _U17, _70),
    "pubs_bars_clubs": PlaceSafety(3.5, 2.6, 0.6, _18, _18, _70),
    "car_park": PlaceSafety(3.6, 2.4, 0.6, _21, _21, _60),
    "shops": PlaceSafety(4.1, 3.3, 0.6, _18, _U17, _70),
    "work_or_school": PlaceSafety(4.0, 3.4, 0.5, _U17, _U17, _70),
    "home": PlaceSafety(4.2, 3.7, 0.3, _18, _18, _60),
    "online": PlaceSafety(3.3, 3.0, -0.8, _70, _70, _U17),
}

# Per-band propensities, youngest band first.
SKIP_PRECAUTIONS = (1.0, 0.8, 0.8, 0.8, 0.9, 1.0, 1.3, 2.0)
NO_PRECAUTION = (0.5, 0.4, 0.5, 0.7, 0.9, 1.2, 1.8, 3.0)
PRECAUTION_PROBABILITY: dict[str, tuple[float, ...]] = {
    "well_lit_areas": (0.70, 0.75, 0.74, 0.72, 0.70, 0.68, 0.64, 0.55),
    "walk_with_someone": (0.72, 0.70, 0.62, 0.52, 0.48, 0.46, 0.44, 0.40),
    "avoid_areas": (0.50, 0.55, 0.55, 0.52, 0.50, 0.48, 0.45, 0.40),
    "busier_streets": (0.45, 0.50, 0.50, 0.46, 0.44, 0.42, 0.40, 0.35),
    "keys_in_hand": (0.35, 0.45, 0.42, 0.35, 0.30, 0.25, 0.18, 0.10),
    "phone_someone": (0.45, 0.45, 0.40, 0.30, 0.25, 0.20, 0.15, 0.10),
    "taxi": (0.15, 0.30, 0.28, 0.22, 0.18, 0.15, 0.12, 0.12),
    "personal_alarm": (0.12, 0.12, 0.10, 0.08, 0.08, 0.08, 0.10, 0.12),
    "tracking_app": (0.40, 0.35, 0.25, 0.12, 0.08, 0.05, 0.03, 0.02),
    "other": (0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05),
}
SKIP_VICTIM = 0.015
VICTIM_PROPENSITY = (0.42, 0.50, 0.42, 0.33, 0.30, 0.25, 0.20, 0.15)
VICTIM_TYPE_PROBABILITY: dict[str, tuple[float, ...]] = {
    "domestic_abuse": (0.08, 0.12, 0.20, 0.26, 0.26, 0.22, 0.16, 0.12),
    "sexual_assault": (0.20, 0.22, 0.18, 0.12, 0.08, 0.06, 0.04, 0.03),
    "harassment": (0.62, 0.64, 0.55, 0.44, 0.36, 0.30, 0.25, 0.20),
    "stalking": (0.12, 0.15, 0.15, 0.13, 0.12, 0.10, 0.08, 0.06),
    "upskirting": (0.08, 0.08, 0.05, 0.03, 0.02, 0.01, 0.01, 0.01),
    "drink_spiking": (0.08, 0.15, 0.10, 0.04, 0.02, 0.01, 0.01, 0.01),
    "online_abuse": (0.30, 0.28, 0.22, 0.18, 0.15, 0.13, 0.12, 0.12),
    "other": (0.08, 0.08, 0.08, 0.08, 0.08, 0.08, 0.08, 0.08),
}
SKIP_REPORTED = 0.03
REPORT_PROPENSITY = (0.7, 0.7, 0.8, 1.0, 1.1, 1.2, 1.3, 1.4)

#: Probability of answering each free-text question (``why_not_reported``: of those who did
#: not report), and each question's theme weights.
ANSWER_PROBABILITY: dict[str, float] = {
    "why_not_reported": 0.65,
    "experience_text": 0.40,
    "partners_text": 0.30,
    "places_text": 0.35,
    "education_text": 0.30,
}
THEME_WEIGHTS: dict[str, dict[str, float]] = {
    "why_not_reported": {"not_believed": 0.85, "courts_cps": 0.10, "online_abuse": 0.05},
    "experience_text": {
        "street_harassment": 0.30,
        "not_believed": 0.12,
        "public_transport": 0.12,
        "nte_spiking": 0.15,
        "online_abuse": 0.15,
        "courts_cps": 0.10,
        "lighting_cctv": 0.03,
        "police_presence": 0.03,
    },
    "partners_text": {
        "courts_cps": 0.25,
        "police_presence": 0.20,
        "not_believed": 0.12,
        "education_schools": 0.15,
        "lighting_cctv": 0.10,
        "public_transport": 0.10,
        "nte_spiking": 0.08,
    },
    "places_text": {
        "lighting_cctv": 0.40,
        "police_presence": 0.25,
        "public_transport": 0.20,
        "nte_spiking": 0.10,
        "street_harassment": 0.05,
    },
    "education_text": {
        "education_schools": 0.75,
        "online_abuse": 0.15,
        "street_harassment": 0.05,
        "courts_cps": 0.05,
    },
}
#: Themes more (>1) or less (<1) likely for the youngest band, changing linearly to the inverse
#: for the oldest.
YOUNG_TILT: dict[str, float] = {
    "street_harassment": 1.8,
    "nte_spiking": 1.8,
    "online_abuse": 1.6,
    "courts_cps": 0.6,
    "lighting_cctv": 0.7,
    "police_presence": 0.7,
}
NEUTRAL_PROBABILITY = 0.3
PERSONAL_PROBABILITY = 0.03
#: How often a named place is one of the respondent's own district (when there is one).
LOCAL_PLACE_PROBABILITY = 0.8
SYNONYM_PROBABILITY = 0.35
QUESTIONS: tuple[str, ...] = tuple(ANSWER_PROBABILITY)


def latent_means() -> np.ndarray:
    """Mean latent safety, shape (age band, place, [day, night]).

    The band means rise linearly with age by the place's slope; then the designated least-safe
    band is set :data:`MARGIN` below the lowest other band and the safest band :data:`MARGIN`
    above the highest other band (day and night separately).
    """
    n_bands = len(SURVEY_AGE_BANDS)
    position = np.arange(n_bands) / (n_bands - 1) - 0.5
    means = np.empty((n_bands, len(SURVEY_PLACES), 2))
    for p, place in enumerate(SURVEY_PLACES):
        spec = PLACE_SAFETY[place]
        for part, (level, least) in enumerate(
            ((spec.day, spec.least_day), (spec.night, spec.least_night))
        ):
            mu = level + spec.slope * position
            low, high = SURVEY_AGE_BANDS.index(least), SURVEY_AGE_BANDS.index(spec.safest)
            others = np.delete(mu, [low, high])
            mu[low] = others.min() - MARGIN
            mu[high] = others.max() + MARGIN
            means[:, p, part] = mu
    return means


def _weighted_pick(
    rng: np.random.Generator, candidates: np.ndarray, weights: np.ndarray, k: int
) -> np.ndarray:
    """``k`` of ``candidates`` drawn without replacement, each draw in proportion to weight."""
    chosen = rng.choice(len(candidates), size=k, replace=False, p=weights / weights.sum())
    return candidates[np.sort(chosen)]


def _response_dates(rng: np.random.Generator, n: int) -> np.ndarray:
    days = (LAST_DAY - FIRST_DAY).days + 1
    # Most responses come in the first weeks after the launch, then a long tail.
    weight = np.exp(-np.arange(days) / 25.0) + 0.15
    offsets = np.sort(rng.choice(days, size=n, p=weight / weight.sum()))
    return np.array([FIRST_DAY + timedelta(days=int(d)) for d in offsets], dtype=object)


def _safety(rng: np.random.Generator, band: np.ndarray) -> dict[str, pd.Series]:
    n = len(band)
    latent = latent_means()[band]  # (n, place, part)
    latent = latent + rng.normal(0, PERSON_SD, n)[:, None, None]
    latent = latent + rng.normal(0, ITEM_SD, latent.shape)
    score = np.clip(np.rint(latent), 1, 5).astype(float)
    score[rng.random(n) < GRID_SKIP] = np.nan
    out: dict[str, pd.Series] = {}
    for p, place in enumerate(SURVEY_PLACES):
        skip_place = rng.random(n) < ITEM_MISSING.get(place, DEFAULT_ITEM_MISSING)
        for part, name in enumerate(("day", "night")):
            values = score[:, p, part].copy()
            values[skip_place | (rng.random(n) < 0.01)] = np.nan
            out[f"safe_{place}_{name}"] = pd.Series(values).astype("Int64")
    return out


def _precautions(rng: np.random.Generator, band: np.ndarray) -> np.ndarray:
    n = len(band)
    everyone = np.arange(n)
    k_skip = n - round(n * PRECAUTIONS_ANSWERED / RESPONDENTS)
    skip = _weighted_pick(rng, everyone, np.asarray(SKIP_PRECAUTIONS)[band], k_skip)
    answered = np.setdiff1d(everyone, skip)
    k_none = round(NO_PRECAUTIONS * len(answered) / PRECAUTIONS_ANSWERED)
    none = _weighted_pick(rng, answered, np.asarray(NO_PRECAUTION)[band[answered]], k_none)
    names = [p for p in PRECAUTIONS if p != "none"]
    probs = np.array([PRECAUTION_PROBABILITY[p] for p in names]).T  # (band, precaution)
    ticks = rng.random((n, len(names))) < probs[band]
    empty = ~ticks.any(axis=1)
    # Whoever answered but ticked nothing took the precaution most likely for her band.
    ticks[empty, probs[band[empty]].argmax(axis=1)] = True
    out = np.array([";".join(np.asarray(names)[row]) for row in ticks], dtype=object)
    out[none] = "none"
    out[skip] = None
    return out


def _victimisation(rng: np.random.Generator, band: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    n = len(band)
    answered = np.flatnonzero(rng.random(n) >= SKIP_VICTIM)
    k_victims = round((1 - NOT_VICTIM_SHARE) * len(answered))
    victims = _weighted_pick(
        rng, answered, np.asarray(VICTIM_PROPENSITY)[band[answered]], k_victims
    )
    names = [v for v in VICTIM_OF if v != "none"]
    probs = np.array([VICTIM_TYPE_PROBABILITY[v] for v in names]).T
    ticks = rng.random((n, len(names))) < probs[band]
    empty = ~ticks.any(axis=1)
    chosen = [rng.choice(len(names), p=probs[b] / probs[b].sum()) for b in band[empty]]
    ticks[np.flatnonzero(empty), chosen] = True
    victim_of = np.full(n, None, dtype=object)
    victim_of[answered] = "none"
    victim_of[victims] = [";".join(np.asarray(names)[ticks[i]]) for i in victims]

    reported = np.full(n, None, dtype=object)
    answering = victims[rng.random(len(victims)) >= SKIP_REPORTED]
    k_yes = round(REPORTED_SHARE * len(answering))
    yes = _weighted_pick(rng, answering, np.asarray(REPORT_PROPENSITY)[band[answering]], k_yes)
    reported[answering] = "no"
    reported[yes] = "yes"
    return victim_of, reported


@dataclass
class _Planted:
    themes: list[tuple[str, str, str]]
    places: list[tuple[str, str, str, bool]]
    personal: list[tuple[str, str, str, str]]


@dataclass(frozen=True)
class _Place:
    name: str
    listed: bool
    district: str


def _all_places() -> dict[str, list[_Place]]:
    """Every nameable place by kind, with whether the gazetteer lists it and its district."""
    # The survey package offers this generator itself, so its gazetteer is read on use.
    from vawgscope.survey.places import shipped_places

    listed = {p.name.lower(): p.district for p in shipped_places()}
    return {
        kind: [_Place(p, True, listed[p.lower()] or "") for p in names["gazetteer"]]
        + [_Place(p, False, phrases.UNLISTED_DISTRICTS[p]) for p in names["unlisted"]]
        for kind, names in phrases.PLACES.items()
    }


def _place(rng: np.random.Generator, candidates: list[_Place], district: str) -> _Place:
    """A place of the kind, mostly one of the respondent's own district."""
    local = [p for p in candidates if p.district == district]
    if local and rng.random() < LOCAL_PLACE_PROBABILITY:
        candidates = local
    return candidates[rng.integers(len(candidates))]


def _personal_value(rng: np.random.Generator, kind: str) -> str:
    first = str(rng.choice(phrases.PLANTED_FIRST_NAMES))
    last = str(rng.choice(phrases.PLANTED_SURNAMES))
    digits = "".join(str(d) for d in rng.integers(0, 10, 6))
    if kind == "name":
        return f"{first} {last}" if rng.random() < 0.6 else first
    if kind == "phone":
        return str(
            rng.choice(
                [
                    f"07700 900{digits[:3]}",
                    f"+44 7700 900{digits[:3]}",
                    f"01622 {digits}",
                    f"(01227) {digits}",
                    f"07911{digits}",
                ]
            )
        )
    if kind == "email":
        return f"{first.lower()}.{last.lower()}{digits[:2]}@{rng.choice(phrases.EMAIL_DOMAINS)}"
    if kind == "postcode":
        letters = "ABDEFGHJLNPQRSTUWXYZ"
        inward = f"{digits[0]}{letters[int(digits[1:3]) % 20]}{letters[int(digits[3:5]) % 20]}"
        return f"{rng.choice(phrases.POSTCODE_OUTWARDS)} {inward}"
    street = f"{rng.choice(phrases.STREET_WORDS)} {rng.choice(phrases.STREET_KINDS)}"
    return f"{int(digits[:2]) + 1} {street}"


def _fill(
    sentence: str,
    rng: np.random.Generator,
    places: dict[str, list[_Place]],
    found: list[tuple[str, bool]],
    district: str,
) -> str:
    def slot(match: re.Match[str]) -> str:
        key = match.group(1)
        if key == "man":
            return str(rng.choice(phrases.MEN))
        if key == "when":
            return str(rng.choice(phrases.WHEN))
        place = _place(rng, places[key], district)
        found.append((place.name, place.listed))
        return place.name

    text = re.sub(r"\{(\w+)\}", slot, sentence)
    text = re.sub(r"\b[a-z]+\b", lambda m: _variant(m.group(0), rng), text)
    return text[0].upper() + text[1:]


def _variant(word: str, rng: np.random.Generator) -> str:
    variants = phrases.SYNONYMS.get(word)
    if not variants or rng.random() >= SYNONYM_PROBABILITY:
        return word
    return str(variants[rng.integers(len(variants))])


def _answer(
    rng: np.random.Generator,
    theme: str,
    places: dict[str, list[_Place]],
    found: list[tuple[str, bool]],
    district: str,
) -> list[str]:
    bank = phrases.THEMES[theme]
    k = int(rng.choice([1, 2, 3], p=[0.4, 0.4, 0.2]))
    chosen = rng.choice(len(bank), size=min(k, len(bank)), replace=False)
    sentences = [_fill(bank[i], rng, places, found, district) for i in chosen]
    if rng.random() < NEUTRAL_PROBABILITY:
        neutral = str(rng.choice(phrases.NEUTRAL))
        sentences.insert(int(rng.integers(len(sentences) + 1)), neutral)
    return sentences


def _theme_probabilities(question: str, band: int) -> tuple[list[str], np.ndarray]:
    weights = THEME_WEIGHTS[question]
    position = band / (len(SURVEY_AGE_BANDS) - 1)  # 0 youngest … 1 oldest
    themes = list(weights)
    w = np.array(
        [weights[t] * YOUNG_TILT.get(t, 1.0) ** (1 - 2 * position) for t in themes], dtype=float
    )
    return themes, w / w.sum()


def _free_text(
    rng: np.random.Generator,
    ids: np.ndarray,
    band: np.ndarray,
    district: np.ndarray,
    reported: np.ndarray,
) -> tuple[dict[str, np.ndarray], _Planted]:
    places = _all_places()
    planted = _Planted([], [], [])
    columns = {q: np.full(len(ids), None, dtype=object) for q in QUESTIONS}
    kinds = tuple(phrases.PERSONAL)
    for i, rid in enumerate(ids):
        for question in QUESTIONS:
            if question == "why_not_reported" and reported[i] != "no":
                continue
            if rng.random() >= ANSWER_PROBABILITY[question]:
                continue
            themes, p = _theme_probabilities(question, int(band[i]))
            theme = themes[rng.choice(len(themes), p=p)]
            found: list[tuple[str, bool]] = []
            sentences = _answer(rng, theme, places, found, str(district[i]))
            if rng.random() < PERSONAL_PROBABILITY:
                kind = kinds[rng.integers(len(kinds))]
                value = _personal_value(rng, kind)
                template = str(rng.choice(phrases.PERSONAL[kind]))
                sentences.insert(
                    int(rng.integers(len(sentences) + 1)), template.format(value=value)
                )
                planted.personal.append((rid, question, kind, value))
            columns[question][i] = " ".join(sentences)
            planted.themes.append((rid, question, theme))
            planted.places.extend((rid, question, name, listed) for name, listed in found)
    return columns, planted


def _write_csv(path: Path, header: tuple[str, ...], rows: list[tuple]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def write_demo_survey(out_dir: Path, seed: int = 20211031) -> Path:
    """Write the demo survey's ``responses.csv`` (and its ground-truth files) into ``out_dir``.

    Returns the path of ``responses.csv``. The same seed always writes the same files.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    n = RESPONDENTS
    band = rng.choice(len(SURVEY_AGE_BANDS), size=n, p=np.asarray(BAND_SHARES))
    population = np.array([d.population for d in DISTRICTS], dtype=float)
    district = rng.choice(len(DISTRICTS), size=n, p=population / population.sum())
    ids = np.array([f"R{i:05d}" for i in range(1, n + 1)], dtype=object)
    frame: dict[str, object] = {
        "respondent_id": ids,
        "responded_on": _response_dates(rng, n),
        "age_band": np.asarray(SURVEY_AGE_BANDS, dtype=object)[band],
        "district": np.array([DISTRICTS[d].name for d in district], dtype=object),
    }
    frame.update(_safety(rng, band))
    frame["precautions"] = _precautions(rng, band)
    frame["victim_of"], frame["reported"] = _victimisation(rng, band)
    texts, planted = _free_text(rng, ids, band, frame["district"], frame["reported"])
    frame.update(texts)
    table = pd.DataFrame(frame)[list(SURVEY_RESPONSES.column_names)]
    path = out_dir / "responses.csv"
    table.to_csv(path, index=False, lineterminator="\n")
    _write_csv(
        out_dir / "planted_themes.csv", ("respondent_id", "question", "theme"), planted.themes
    )
    _write_csv(
        out_dir / "planted_places.csv",
        ("respondent_id", "question", "place", "listed"),
        [(r, q, p, str(listed).lower()) for r, q, p, listed in planted.places],
    )
    _write_csv(
        out_dir / "planted_personal_data.csv",
        ("respondent_id", "question", "kind", "value"),
        planted.personal,
    )
    return path
