"""Offending careers and their potential offences.

A career is one perpetrator's course of offending: a type (domestic abuse of a partner,
stalking, night-time-economy violence, sexual offending, family violence, sexual offending by
a teenager), a start date (from 2008, so that the data window catches careers in progress),
a birth year drawn with the cohort effect, a home, and a heavy-tailed number of potential
offences separated by gamma gaps. Domestic careers cohabit, may separate (then stalking,
harassment and malicious communications follow) and may move on to a new partner; violence
with injury and rape become likelier the longer a career runs (escalation).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vawgscope.contract.vocab import OFFENCE_GROUPS, RELATIONSHIPS
from vawgscope.synth import params as P
from vawgscope.synth.context import CRIME_END, CRIME_START, EPOCH, day_number
from vawgscope.synth.model import (
    BIRTH_YEAR0,
    Context,
    choose,
    choose_rows,
    cohort_factor,
    home_points,
)

REL = {r: i for i, r in enumerate(RELATIONSHIPS)}
PHASES: tuple[str, ...] = ("cohab", "apart", "stalker", "nte", "sexual", "teen", "family")
PH = {p: i for i, p in enumerate(PHASES)}
_EPOCH_YEAR = EPOCH.year
_END_YEAR = CRIME_END.year + (CRIME_END.timetuple().tm_yday / 365.25)


def year_of_day(day: np.ndarray) -> np.ndarray:
    """Fractional calendar year of a day number."""
    return _EPOCH_YEAR + np.asarray(day, dtype=float) / 365.25


def calendar_year(day: np.ndarray) -> np.ndarray:
    """Calendar year of a day number."""
    dates = np.datetime64(EPOCH) + np.asarray(day).astype("timedelta64[D]")
    return dates.astype("datetime64[Y]").astype(int) + 1970


@dataclass
class Careers:
    """One row per career (array fields)."""

    ctype: np.ndarray
    sex: np.ndarray  # "M", "F" or "U"
    birth_year: np.ndarray  # int
    home_area: np.ndarray
    home_x: np.ndarray
    home_y: np.ndarray
    start: np.ndarray  # day number (float)
    n_potential: np.ndarray
    mean_gap: np.ndarray
    j_sep: np.ndarray  # first potential offence after separation (n_potential = never)
    j_new: np.ndarray  # first offence against a new partner/target (n_potential = never)
    new_cohab: np.ndarray  # bool
    rel: np.ndarray  # career-level relationship index, -1 when set per offence
    same_address: np.ndarray  # bool, for family and sexual careers

    @property
    def n(self) -> int:
        return len(self.ctype)


def _starts(
    ctx: Context, ctype: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Career start (fractional year) and birth year: start uniform over the period, age at
    start from the type's distribution, accepted ∝ men born that year × the cohort effect."""
    n = len(ctype)
    start = np.empty(n)
    birth = np.empty(n, dtype=np.int64)
    todo = np.arange(n)
    top = 1.0 + P.COHORT_BUMP
    while len(todo):
        t = ctype[todo]
        s = rng.uniform(P.CAREER_START_FROM, _END_YEAR, len(todo))
        off = np.array([P.START_AGE[c][0] for c in range(len(P.START_AGE))])[t]
        shape = np.array([P.START_AGE[c][1] for c in range(len(P.START_AGE))])[t]
        scl = np.array([P.START_AGE[c][2] for c in range(len(P.START_AGE))])[t]
        age = off + rng.gamma(shape, scl)
        age = np.where(t == P.TEEN, np.minimum(age, 17.9), age)
        b = np.floor(s - age).astype(np.int64)
        ok = (b >= BIRTH_YEAR0) & (b < BIRTH_YEAR0 + len(ctx.birth_weight))
        w = np.zeros(len(todo))
        w[ok] = ctx.birth_weight[b[ok] - BIRTH_YEAR0] * cohort_factor(b[ok]) / top
        acc = rng.random(len(todo)) < w
        start[todo[acc]] = s[acc]
        birth[todo[acc]] = b[acc]
        todo = todo[~acc]
    return start, birth


def _homes(
    ctx: Context, birth: np.ndarray, sex: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Home areas: ∝ adult residents × exp(pull × deprivation); the cohorts around 1989 are
    drawn more strongly to deprived areas."""
    geo = ctx.geo
    near_peak = np.abs(birth - P.COHORT_PEAK) <= 4
    out = np.empty(len(birth), dtype=np.int64)
    for is_f in (False, True):
        for peak in (False, True):
            sel = np.flatnonzero(((sex == "F") == is_f) & (near_peak == peak))
            if not len(sel):
                continue
            pull = P.DEPRIVATION_PULL + (P.DEPRIVATION_PULL_COHORT if peak else 0.0)
            base = ctx.women if is_f else ctx.men
            w = base * np.exp(pull * geo.deprivation) * np.where(geo.town_centre, 1.3, 1.0)
            out[sel] = rng.choice(geo.n, size=len(sel), p=w / w.sum())
    return out


def simulate_careers(ctx: Context, n: int, rng: np.random.Generator) -> Careers:
    """Draw ``n`` careers."""
    ctype = choose(np.asarray(P.CAREER_SHARES), n, rng)
    start_year, birth = _starts(ctx, ctype, rng)
    u = rng.random(n)
    female = u < np.asarray(P.PERP_FEMALE)[ctype]
    unknown = (u >= np.asarray(P.PERP_FEMALE)[ctype]) & (
        u < np.asarray(P.PERP_FEMALE)[ctype] + P.SEX_UNKNOWN
    )
    sex = np.where(female, "F", np.where(unknown, "U", "M")).astype(object)
    home_area = _homes(ctx, birth, sex, rng)
    hx, hy = home_points(ctx, home_area, rng)
    mean_k = np.array([m for m, _ in P.POTENTIAL_OFFENCES])[ctype]
    disp = np.array([r for _, r in P.POTENTIAL_OFFENCES])[ctype]
    k = 1 + rng.negative_binomial(disp, disp / (disp + mean_k))
    gap = np.asarray(P.MEAN_GAP_DAYS)[ctype] * rng.lognormal(0.0, 0.5, n)

    j_sep = k.copy()
    j_new = k.copy()
    da = ctype == P.DA
    sep = da & (rng.random(n) < P.DA_SEPARATES)
    j_sep[sep] = np.floor(rng.random(sep.sum()) ** 0.8 * k[sep]).astype(np.int64)
    room = k - j_sep
    newp = sep & (room >= 3) & (rng.random(n) < P.DA_NEW_PARTNER)
    j_new[newp] = (
        j_sep[newp] + 1 + np.floor(rng.random(newp.sum()) * (room[newp] - 1)).astype(np.int64)
    )
    switch = (ctype == P.STALK) & (k >= 2) & (rng.random(n) < 0.2)
    j_new[switch] = 1 + np.floor(rng.random(switch.sum()) * (k[switch] - 1)).astype(np.int64)
    new_cohab = rng.random(n) < P.DA_NEW_PARTNER_COHABITS

    rel = np.full(n, -1, dtype=np.int64)
    for t in (P.STALK, P.NTE, P.SEX, P.TEEN):
        sel = np.flatnonzero(ctype == t)
        table = P.RELATIONSHIPS_BY_TYPE[t]
        names = list(table)
        draws = choose(table, len(sel), rng)
        rel[sel] = [REL[names[i]] for i in draws]
    fam_two = rng.random(n) < 0.3
    same = np.where(
        ctype == P.FAM, rng.random(n) < 0.7, (rel == REL["partner"]) & (rng.random(n) < 0.6)
    )
    # family careers with two victims are marked by j_new = 0 (slot chosen per offence)
    j_new[(ctype == P.FAM) & fam_two] = 0
    return Careers(
        ctype=ctype,
        sex=sex,
        birth_year=birth,
        home_area=home_area,
        home_x=hx,
        home_y=hy,
        start=(start_year - _EPOCH_YEAR) * 365.25,
        n_potential=k,
        mean_gap=gap,
        j_sep=j_sep,
        j_new=j_new,
        new_cohab=new_cohab,
        rel=rel,
        same_address=same,
    )


@dataclass
class Potential:
    """Potential offences inside (or just around) the data window."""

    career: np.ndarray
    k: np.ndarray  # place in the career (0 = first)
    t: np.ndarray  # day number (float) before the weekday and time are set
    phase: np.ndarray
    group: np.ndarray
    slot: np.ndarray  # victim slot within the career
    rel: np.ndarray
    same_address: np.ndarray


def _group_table() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    table = np.zeros((len(PHASES), len(OFFENCE_GROUPS)))
    for phase, probs in P.GROUP_TABLES.items():
        for g, p in probs.items():
            table[PH[phase], P.G[g]] = p
    esc_vwi = np.array([P.ESCALATION_VWI.get(p, 0.0) for p in PHASES])
    esc_rape = np.array([P.ESCALATION_RAPE.get(p, 0.0) for p in PHASES])
    return table, esc_vwi, esc_rape


GROUP_TABLE, ESC_VWI, ESC_RAPE = _group_table()


def potential_offences(c: Careers, rng: np.random.Generator) -> Potential:
    """Lay out every career's potential offences in time and give each a phase, an offence
    group, a victim slot and the relationship; keep those near the data window."""
    k_tot = c.n_potential
    career = np.repeat(np.arange(c.n), k_tot)
    first = np.cumsum(k_tot) - k_tot
    k = np.arange(len(career)) - first[career]
    gaps = rng.gamma(P.GAP_SHAPE, c.mean_gap[career] / P.GAP_SHAPE)
    gaps[first] = 0.0
    cs = np.cumsum(gaps)
    t = c.start[career] + cs - cs[first][career]
    keep = (t >= day_number(CRIME_START) - 8) & (t <= day_number(CRIME_END) + 8)
    career, k, t = career[keep], k[keep], t[keep]
    ct = c.ctype[career]

    phase = np.select(
        [ct == P.STALK, ct == P.NTE, ct == P.SEX, ct == P.TEEN, ct == P.FAM],
        [PH["stalker"], PH["nte"], PH["sexual"], PH["teen"], PH["family"]],
        default=PH["cohab"],
    )
    da = ct == P.DA
    apart = da & (k >= c.j_sep[career]) & (k < c.j_new[career])
    new = da & (k >= c.j_new[career])
    phase[apart] = PH["apart"]
    phase[new & ~c.new_cohab[career]] = PH["apart"]

    kk = np.minimum(k, 10)
    prob = GROUP_TABLE[phase].copy()
    prob[:, P.G["violence_with_injury"]] += ESC_VWI[phase] * kk
    prob[:, P.G["rape"]] += ESC_RAPE[phase] * kk
    group = choose_rows(prob, rng)
    hom = da & (rng.random(len(k)) < P.HOMICIDE_PER_STEP * kk)
    group[hom] = P.G["homicide"]
    # a homicide ends the career
    if hom.any():
        stop = np.full(c.n, np.iinfo(np.int64).max)
        np.minimum.at(stop, career[hom], k[hom])
        alive = k <= stop[career]
        career, k, t, ct = career[alive], k[alive], t[alive], ct[alive]
        phase, group, da = phase[alive], group[alive], da[alive]
        new = new[alive]

    slot = np.zeros(len(k), dtype=np.int64)
    slot[da & new] = 1
    st = ct == P.STALK
    slot[st & (k >= c.j_new[career])] = 1
    u = rng.random(len(k))
    for typ, p_new in P.NEW_VICTIM.items():
        sel = (ct == typ) & (u < p_new)
        slot[sel] = k[sel]
    fam2 = (ct == P.FAM) & (c.j_new[career] == 0)
    slot[fam2 & (rng.random(len(k)) < 0.35)] = 1

    rel = c.rel[career].copy()
    rel[da] = np.where(phase[da] == PH["apart"], REL["ex_partner"], REL["partner"])
    rel[da & new] = REL["partner"]
    rel[ct == P.FAM] = REL["family"]
    # a new victim of a night-time-economy, sexual or teen career: her own relationship
    sex_partner = (ct == P.SEX) & np.isin(c.rel[career], [REL["partner"], REL["ex_partner"]])
    slot[sex_partner] = 0
    for typ in (P.NTE, P.SEX, P.TEEN):
        table = {
            r: p
            for r, p in P.RELATIONSHIPS_BY_TYPE[typ].items()
            if r not in ("partner", "ex_partner")
        }
        names = list(table)
        sel = np.flatnonzero((ct == typ) & (slot > 0))
        draws = choose(table, len(sel), rng)
        rel[sel] = [REL[names[i]] for i in draws]
    same = np.zeros(len(k), dtype=bool)
    same[da] = phase[da] == PH["cohab"]
    fam_or_sex = (ct == P.FAM) | ((ct == P.SEX) & (rel == REL["partner"]))
    same[fam_or_sex] = c.same_address[career[fam_or_sex]]
    return Potential(
        career=career, k=k, t=t, phase=phase, group=group, slot=slot, rel=rel, same_address=same
    )
