"""Victims and the attributes of every person: sex, year of birth, ethnicity.

A victim's age follows from the career: partners are near the perpetrator's age (a little
younger), night-time-economy victims are young adults, victims of teenage sexual offenders are
mostly 14-15, family victims are mothers, daughters or sisters.
"""

from __future__ import annotations

import numpy as np

from vawgscope.contract.vocab import ETHNICITIES
from vawgscope.synth import params as P
from vawgscope.synth.careers import REL, Careers, calendar_year
from vawgscope.synth.geography import DISTRICTS
from vawgscope.synth.model import choose


def victim_sex(ctype: np.ndarray, perp_sex: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Victim sex per slot ("F", "M", rarely "U") given the career type and perpetrator."""
    p_f = np.where(
        perp_sex == "F",
        np.asarray(P.VICTIM_FEMALE_IF_FEMALE_PERP)[ctype],
        np.asarray(P.VICTIM_FEMALE_IF_MALE_PERP)[ctype],
    )
    u = rng.random(len(ctype))
    sex = np.where(u < p_f, "F", "M").astype(object)
    sex[rng.random(len(ctype)) < P.SEX_UNKNOWN] = "U"
    return sex


def victim_birth_years(
    c: Careers,
    career: np.ndarray,
    slot: np.ndarray,
    rel: np.ndarray,
    first_day: np.ndarray,
    perp_age: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """Year of birth of each victim slot, from the career type and the relationship."""
    n = len(career)
    ct = c.ctype[career]
    pb = c.birth_year[career]
    year = calendar_year(np.floor(first_day))
    out = np.empty(n, dtype=np.int64)

    # partners and ex-partners: near his age, a little younger (new partners younger still)
    gap_mean, gap_sd = P.PARTNER_AGE_GAP
    gap = rng.normal(gap_mean + 1.5 * (slot > 0), gap_sd, n)
    partner = np.round(pb + gap).astype(np.int64)
    too_young = partner > year - 16
    partner[too_young] = (
        year[too_young] - 16 - np.round(rng.gamma(2.0, 1.6, int(too_young.sum()))).astype(np.int64)
    )

    # night-time economy: young adults
    nte_age = np.clip(18.0 + rng.gamma(2.0, 3.5, n), 18, 70)
    # adult sexual offences: mostly young women, a few children
    sex_age = np.clip(16.0 + rng.gamma(1.6, 6.0, n), 16, 85)
    child = rng.random(n) < 0.07
    sex_age[child] = rng.choice(
        [8, 10, 12, 13, 14, 15], size=int(child.sum()), p=[0.08, 0.12, 0.15, 0.2, 0.25, 0.2]
    )
    # teenage perpetrators: girls of 14-15 above all
    teen_age = rng.choice([12, 13, 14, 15, 16, 17], size=n, p=[0.06, 0.14, 0.34, 0.32, 0.1, 0.04])
    # acquaintances and strangers of stalkers: around his age, wider
    acq_age = perp_age - rng.normal(3, 8, n)
    acq_age = np.where(acq_age < 16, 16 + rng.gamma(1.5, 2.5, n), np.minimum(acq_age, 85))
    # family: mother, daughter or sister
    kind = rng.random(n)
    mother = perp_age + rng.uniform(19, 36, n)
    daughter = perp_age - rng.uniform(19, 36, n)
    sister = perp_age + rng.normal(0, 4, n)
    fam_age = np.where(
        (kind < 0.45) | (perp_age < 38), np.where(kind < 0.6, mother, sister), daughter
    )
    fam_age = np.where(fam_age < 1, sister, fam_age)
    fam_age = np.clip(fam_age, 1, 95)

    is_partner = np.isin(rel, [REL["partner"], REL["ex_partner"]])
    age = np.select(
        [
            ct == P.NTE,
            ct == P.TEEN,
            (ct == P.SEX) & ~is_partner,
            ct == P.FAM,
            (ct == P.STALK) & ~is_partner,
        ],
        [nte_age, teen_age, sex_age, fam_age, acq_age],
        default=-1.0,
    )
    out[:] = np.where(age >= 0, year - np.round(age), partner)
    return out


def ethnicities(district: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Index into ETHNICITIES per person, Kent-like with more diversity in the north-west."""
    base = np.array([P.ETHNICITY_BASE[e] for e in ETHNICITIES])
    out = np.empty(len(district), dtype=np.int64)
    for d, dist in enumerate(DISTRICTS):
        sel = np.flatnonzero(district == d)
        if not len(sel):
            continue
        w = base.copy()
        mult = P.ETHNICITY_DIVERSE_DISTRICTS.get(dist.name, 1.0)
        non_white = [i for i, e in enumerate(ETHNICITIES) if e not in ("white", "not_stated")]
        w[non_white] *= mult
        out[sel] = choose(w, len(sel), rng)
    return out
