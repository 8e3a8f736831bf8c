"""One chunk of the demo world: a group of careers turned into crimes, persons and links.

Chunks are independent (each has its own random stream) so that large worlds are generated and
written piece by piece with flat memory; ids are numbered from offsets the caller passes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
from scipy.spatial import cKDTree

from vawgscope.contract.vocab import (
    ETHNICITIES,
    LOCATION_TYPES,
    OFFENCE_GROUPS,
    RELATIONSHIPS,
    REPORTING_CHANNELS,
)
from vawgscope.synth import params as P
from vawgscope.synth import records as R
from vawgscope.synth.careers import (
    REL,
    calendar_year,
    potential_offences,
    simulate_careers,
    year_of_day,
)
from vawgscope.synth.context import CRIME_END, CRIME_START, EPOCH, EXTRACT_DATE, day_number
from vawgscope.synth.model import (
    Context,
    area_near,
    choose_premises,
    choose_town,
    home_points,
)
from vawgscope.synth.people import ethnicities, victim_birth_years, victim_sex
from vawgscope.synth.scenes import (
    SCENE_LOCATION,
    C,
    S,
    choose_scenes,
    profile_of,
    scene_points,
    set_times,
)

GI = {g: i for i, g in enumerate(OFFENCE_GROUPS)}
_EPOCH_DAYS = (EPOCH - EPOCH.replace(year=1970, month=1, day=1)).days
_SH = np.array([GI["stalking"], GI["harassment"], GI["malicious_communications"]])
_DOMESTIC_REL = np.array([REL["partner"], REL["ex_partner"], REL["family"]])


@dataclass
class ChunkTables:
    """The rows one chunk adds to each person-level table."""

    crimes: pa.Table
    persons: pa.Table
    crime_persons: pa.Table


def _age_beta(age: np.ndarray) -> np.ndarray:
    idx = np.searchsorted(np.asarray(P.TEMP_AGE_BOUNDS), age, side="right") - 1
    return np.asarray(P.TEMP_BETA)[np.clip(idx, 0, len(P.TEMP_BETA) - 1)]


def _record_probability(
    ctx: Context,
    ctype: np.ndarray,
    group: np.ndarray,
    day: np.ndarray,
    perp_age: np.ndarray,
    domestic: np.ndarray,
    night_out: np.ndarray,
    private_night: np.ndarray,
    area: np.ndarray,
) -> np.ndarray:
    """Probability that a potential offence is recorded: the career's base rate moved by the
    day's temperature (by his age), pubs being shut, the summer-2020 reopening, lockdowns, the
    district's trend, recording practice for stalking and harassment, and recording gaps."""
    cal = ctx.calendar
    p = np.asarray(P.RECORD_BASE)[ctype].copy()
    p *= np.exp(_age_beta(perp_age) * (cal.tmax[day] - 15.0))
    pubs = cal.pubs_open[day]
    p *= np.where(
        night_out,
        pubs,
        np.where(private_night, P.HOUSE_PARTY_SHARE + (1 - P.HOUSE_PARTY_SHARE) * pubs, 1.0),
    )
    p *= np.where(domestic, 1.0, cal.release[day])
    lock = cal.lockdown[day]
    p *= np.where(lock & domestic, P.LOCKDOWN_DOMESTIC, 1.0)
    p *= np.where(lock & ~domestic & ~night_out & ~private_night, P.LOCKDOWN_NON_DOMESTIC, 1.0)
    yr = year_of_day(day)
    p *= np.exp((ctx.area_trend[area] + P.RECORDING_TREND) * (yr - 2019.0))
    sh = np.isin(group, _SH)
    p *= np.where(sh, 1.0 + P.SH_RECORDING_GROWTH * np.maximum(yr - P.SH_RECORDING_FROM, 0.0), 1.0)
    p = np.minimum(p, 0.97)
    p[group == GI["homicide"]] = 1.0
    p *= cal.recording[day]
    return p


def _reclass_share(day: np.ndarray) -> np.ndarray:
    lo, hi = P.STALKING_RECLASS
    start = year_of_day(np.array(day_number(CRIME_START.replace(year=2020, month=1, day=1))))
    end = year_of_day(np.array(day_number(CRIME_END)))
    frac = np.clip((year_of_day(day) - start) / (end - start), 0.0, 1.0)
    return lo + (hi - lo) * frac


def simulate_chunk(
    ctx: Context, n_careers: int, rng: np.random.Generator, person_offset: int, crime_offset: int
) -> ChunkTables:
    """Simulate ``n_careers`` careers and return their crimes, persons and links; person and
    crime ids are numbered from ``person_offset + 1`` and ``crime_offset + 1``."""
    geo = ctx.geo
    c = simulate_careers(ctx, n_careers, rng)
    pot = potential_offences(c, rng)
    career = pot.career
    ct = c.ctype[career]

    # --- victims of each (career, slot) ---------------------------------------------------
    key = career.astype(np.int64) * 10_000 + pot.slot
    slot_key, slot_of = np.unique(key, return_inverse=True)
    s_career = slot_key // 10_000
    s_slot = slot_key % 10_000
    first_event = np.full(len(slot_key), len(key))
    np.minimum.at(first_event, slot_of, np.arange(len(key)))
    s_first_day = pot.t[first_event]
    s_rel = pot.rel[first_event]
    s_perp_age = (calendar_year(np.floor(s_first_day)) - c.birth_year[s_career]).astype(float)
    s_sex = victim_sex(c.ctype[s_career], c.sex[s_career], rng)
    s_birth = victim_birth_years(c, s_career, s_slot, s_rel, s_first_day, s_perp_age, rng)

    # --- scene and time -------------------------------------------------------------------
    v_age = calendar_year(np.floor(pot.t)) - s_birth[slot_of]
    context = np.select(
        [pot.same_address, v_age < 16, ct == P.NTE, pot.rel == REL["stranger"]],
        [C["cohab"], C["child"], C["nte"], C["stranger"]],
        default=C["apart"],
    )
    scene = choose_scenes(context, pot.group, rng)
    profile = profile_of(context, scene, pot.group)
    day, minute = set_times(pot.t, profile, rng)
    inside = (day >= day_number(CRIME_START)) & (day <= day_number(CRIME_END))

    # --- recording ------------------------------------------------------------------------
    group = pot.group.copy()
    har = (group == GI["harassment"]) & (rng.random(len(group)) < _reclass_share(day))
    group[har] = GI["stalking"]
    domestic = np.isin(pot.rel, _DOMESTIC_REL)
    perp_age = calendar_year(day) - c.birth_year[career]
    night_out = np.isin(scene, [S["licensed"], S["street_town"]])
    private_night = (context == C["nte"]) & ~night_out
    dayc = np.clip(day, 0, ctx.calendar.n_days - 1)
    p = _record_probability(
        ctx, ct, group, dayc, perp_age, domestic, night_out, private_night, c.home_area[career]
    )
    recorded = inside & (rng.random(len(p)) < p)
    window = R.occurred_windows(group, rng)
    delay = R.recording_delay(group, rng)
    end_min = day * 1440 + minute + np.maximum(window, 0)
    rec_day = end_min // 1440 + delay
    recorded &= rec_day <= day_number(EXTRACT_DATE)

    ev = np.flatnonzero(recorded)
    career, ct, slot_of = career[ev], ct[ev], slot_of[ev]
    group, scene, context = group[ev], scene[ev], context[ev]
    day, minute, window, rec_day = day[ev], minute[ev], window[ev], rec_day[ev]
    rel, same = pot.rel[ev], pot.same_address[ev]
    domestic, v_age, perp_age = domestic[ev], v_age[ev], perp_age[ev]
    k_ev = pot.k[ev]
    n_ev = len(ev)

    # pubs shut: no crimes at licensed premises; nights out move to his home and local streets
    shut = ctx.calendar.pubs_open[day] < 0.5
    scene[shut & (scene == S["licensed"])] = S["perp_home"]
    scene[shut & (scene == S["street_town"])] = S["street_near"]

    # --- identified suspect ---------------------------------------------------------------
    p_none = np.array([P.NO_SUSPECT[r] for r in RELATIONSHIPS])[rel]
    suspect = rng.random(n_ev) >= p_none

    # --- homes ----------------------------------------------------------------------------
    extract_day = day_number(EXTRACT_DATE)
    sep_by_extract = (
        (c.ctype == P.DA)
        & (c.j_sep < c.n_potential)
        & (c.start + c.j_sep * c.mean_gap <= extract_day)
    )
    new_by_extract = (
        sep_by_extract
        & (c.j_new < c.n_potential)
        & c.new_cohab
        & (c.start + c.j_new * c.mean_gap <= extract_day)
    )
    used_careers = np.unique(career)
    perp_x = c.home_x.astype(float)
    perp_y = c.home_y.astype(float)
    perp_area = c.home_area.copy()
    moved = np.zeros(c.n, dtype=bool)
    moved[used_careers] = True
    moved &= sep_by_extract
    mv = np.flatnonzero(moved)
    new_area = area_near(ctx, perp_x[mv], perp_y[mv], P.REACH_M["moved"], ctx.men, rng)
    nx, ny = home_points(ctx, new_area, rng)
    h1_area, h1_x, h1_y = perp_area.copy(), perp_x.copy(), perp_y.copy()
    h1_area[mv], h1_x[mv], h1_y[mv] = new_area, nx, ny

    # night-out venues, chosen from his home
    venue = np.full(n_ev, -1)
    nte_ev = np.flatnonzero(context == C["nte"])
    venue[nte_ev] = choose_premises(
        ctx, choose_town(ctx, perp_x[career[nte_ev]], perp_y[career[nte_ev]], rng), rng
    )

    # victims' homes, per slot that has a recorded crime
    used_slots, first_pos = np.unique(slot_of, return_index=True)
    n_slots_all = len(s_career)
    vs_area = np.full(n_slots_all, -1)
    vs_x = np.zeros(n_slots_all)
    vs_y = np.zeros(n_slots_all)
    sc = s_career[used_slots]
    sct = c.ctype[sc]
    srel = s_rel[used_slots]
    sslot = s_slot[used_slots]
    same_home = ((sct == P.DA) & (sslot == 0)) | (
        np.isin(sct, [P.FAM, P.SEX])
        & c.same_address[sc]
        & np.isin(srel, [REL["family"], REL["partner"]])
    )
    new_partner = (sct == P.DA) & (sslot == 1)
    nte_slot = sct == P.NTE
    reach = np.select(
        [np.isin(sct, [P.FAM, P.TEEN]), srel == REL["stranger"]],
        [P.REACH_M["victim_family"], P.REACH_M["victim_stranger"]],
        default=P.REACH_M["victim"],
    )
    ox = np.where(new_partner, h1_x[sc], perp_x[sc])
    oy = np.where(new_partner, h1_y[sc], perp_y[sc])
    fv = venue[first_pos]
    has_v = nte_slot & (fv >= 0)
    ox[has_v] = ctx.premises.x[fv[has_v]]
    oy[has_v] = ctx.premises.y[fv[has_v]]
    reach[has_v] = P.REACH_M["victim_night_out"]
    away = ~same_home
    a_area = area_near(ctx, ox[away], oy[away], reach[away], ctx.women, rng)
    ax, ay = home_points(ctx, a_area, rng)
    tmp_area = perp_area[sc].copy()
    tmp_x = perp_x[sc].copy()
    tmp_y = perp_y[sc].copy()
    tmp_area[away], tmp_x[away], tmp_y[away] = a_area, ax, ay
    vs_area[used_slots], vs_x[used_slots], vs_y[used_slots] = tmp_area, tmp_x, tmp_y

    # a new cohabiting partner's home becomes his recorded home
    cohab_new = used_slots[new_partner & new_by_extract[sc]]
    h1_area[s_career[cohab_new]] = vs_area[cohab_new]
    h1_x[s_career[cohab_new]] = vs_x[cohab_new]
    h1_y[s_career[cohab_new]] = vs_y[cohab_new]

    # a few victims are also victims of another perpetrator (the nearest similar victim)
    person_of_slot = np.arange(n_slots_all)
    pool = used_slots[
        (np.isin(sct, [P.NTE, P.SEX, P.STALK]))
        & np.isin(srel, [REL["acquaintance"], REL["stranger"], REL["other"]])
        & (s_sex[used_slots] == "F")
    ]
    if len(pool) > 2:
        tree = cKDTree(np.column_stack([vs_x[pool], vs_y[pool]]))
        pick = pool[rng.random(len(pool)) < P.SHARED_VICTIM]
        _, nn = tree.query(np.column_stack([vs_x[pick], vs_y[pick]]), k=2)
        other = pool[nn[:, 1]]
        ok = (s_career[other] != s_career[pick]) & (np.abs(s_birth[other] - s_birth[pick]) <= 8)
        ok &= ~np.isin(other, pick) & ~np.isin(pick, other)
        # one merge per target, so that no person is merged twice
        _, first_use = np.unique(other[ok], return_index=True)
        keep_ok = np.zeros(int(ok.sum()), dtype=bool)
        keep_ok[first_use] = True
        ok[np.flatnonzero(ok)] = keep_ok
        person_of_slot[pick[ok]] = other[ok]
        vs_area[pick[ok]] = vs_area[other[ok]]
        vs_x[pick[ok]], vs_y[pick[ok]] = vs_x[other[ok]], vs_y[other[ok]]
        s_birth[pick[ok]] = s_birth[other[ok]]
        s_sex[pick[ok]] = s_sex[other[ok]]

    # --- where exactly --------------------------------------------------------------------
    vx, vy = vs_x[slot_of], vs_y[slot_of]
    px, py = h1_x[career], h1_y[career]
    cohab_phase = same & (ct == P.DA) & ~(k_ev >= c.j_new[career])
    px = np.where(cohab_phase | (same & (ct != P.DA)), perp_x[career], px)
    py = np.where(cohab_phase | (same & (ct != P.DA)), perp_y[career], py)
    need = (venue < 0) & np.isin(scene, [S["licensed"], S["street_town"], S["hotel"]])
    nd = np.flatnonzero(need)
    venue[nd] = choose_premises(ctx, choose_town(ctx, vx[nd], vy[nd], rng, 0.6), rng)
    has_venue = venue >= 0
    vsafe = np.maximum(venue, 0)
    x, y = scene_points(
        ctx,
        scene,
        (vx, vy),
        (px, py),
        (ctx.premises.x[vsafe].astype(float), ctx.premises.y[vsafe].astype(float)),
        has_venue,
        rng,
    )
    crime_area = geo.area_of(x, y)

    # --- record fields --------------------------------------------------------------------
    v_female = s_sex[slot_of] == "F"
    near_fatal = (group == GI["violence_with_injury"]) & (
        rng.random(n_ev) < np.where(domestic, P.NEAR_FATAL[0], P.NEAR_FATAL[1])
    )
    fatal = near_fatal | (group == GI["homicide"])
    code = R.offence_codes(group, v_female, v_age, near_fatal, rng)
    channel = R.reporting_channels(group, v_age < 16, rng)
    outcome = R.outcomes(group, suspect, rng)
    out_day = rec_day + R.outcome_delays(group, rng)
    has_outcome = out_day <= extract_day
    offender = suspect & has_outcome & np.isin(outcome, R.OFFENDER_OUTCOMES)

    # --- co-offenders and second victims --------------------------------------------------
    co_p = np.array([P.CO_OFFENDER.get(t, 0.0) for t in range(len(P.CAREER_NAMES))])[ct]
    co = np.flatnonzero(suspect & (rng.random(n_ev) < co_p))
    sv_p = np.array([P.SECOND_VICTIM.get(t, 0.0) for t in range(len(P.CAREER_NAMES))])[ct]
    sv = np.flatnonzero(rng.random(n_ev) < sv_p)

    # --- order crimes by time and number everything ---------------------------------------
    order = np.lexsort((minute, day))
    rank = np.empty(n_ev, dtype=np.int64)
    rank[order] = np.arange(n_ev)
    crime_ids = np.array([f"C{crime_offset + i + 1:08d}" for i in range(n_ev)], dtype=object)
    cid = crime_ids[rank]

    perp_careers = np.unique(career[suspect])
    vict_persons = np.unique(person_of_slot[slot_of])
    n_p, n_v, n_co, n_sv = len(perp_careers), len(vict_persons), len(co), len(sv)
    total = n_p + n_v + n_co + n_sv
    pid = np.array([f"P{person_offset + i + 1:08d}" for i in range(total)], dtype=object)
    perp_pid = np.full(c.n, None, dtype=object)
    perp_pid[perp_careers] = pid[:n_p]
    vict_pid = np.full(n_slots_all, None, dtype=object)
    vict_pid[vict_persons] = pid[n_p : n_p + n_v]
    co_pid = pid[n_p + n_v : n_p + n_v + n_co]
    sv_pid = pid[n_p + n_v + n_co :]

    # --- persons --------------------------------------------------------------------------
    co_birth = c.birth_year[career[co]] + rng.integers(-3, 4, n_co)
    co_area = area_near(
        ctx, perp_x[career[co]], perp_y[career[co]], P.REACH_M["co_offender"], ctx.men, rng
    )
    sv_fam = ct[sv] == P.FAM
    sv_birth = np.where(
        sv_fam,
        s_birth[slot_of[sv]] + rng.integers(-6, 7, n_sv),
        s_birth[slot_of[sv]] + rng.integers(-3, 4, n_sv),
    )
    sv_area = area_near(ctx, vx[sv], vy[sv], P.REACH_M["second_victim"], ctx.women, rng)
    sv_area[sv_fam] = vs_area[slot_of[sv[sv_fam]]]
    p_sex = np.concatenate(
        [
            c.sex[perp_careers],
            s_sex[vict_persons],
            np.where(rng.random(n_co) < 0.95, "M", "F").astype(object),
            np.where(rng.random(n_sv) < 0.75, "F", "M").astype(object),
        ]
    )
    p_birth = np.concatenate(
        [c.birth_year[perp_careers], s_birth[vict_persons], co_birth, sv_birth]
    ).astype(np.int64)
    p_area = np.concatenate([h1_area[perp_careers], vs_area[vict_persons], co_area, sv_area])
    hx_new, hy_new = home_points(ctx, np.concatenate([co_area, sv_area]), rng)
    p_x = np.concatenate([h1_x[perp_careers], vs_x[vict_persons], hx_new])
    p_y = np.concatenate([h1_y[perp_careers], vs_y[vict_persons], hy_new])
    # cohabiting partners share an address exactly
    fam_sv = np.flatnonzero(sv_fam)
    p_x[n_p + n_v + n_co + fam_sv] = vx[sv[fam_sv]]
    p_y[n_p + n_v + n_co + fam_sv] = vy[sv[fam_sv]]
    eth = ethnicities(geo.district[p_area], rng)
    # partners often share an ethnicity
    partner_v = np.flatnonzero(
        np.isin(c.ctype[s_career[vict_persons]], [P.DA]) & (rng.random(n_v) < 0.8)
    )
    perp_index = np.full(c.n, -1)
    perp_index[perp_careers] = np.arange(n_p)
    src = perp_index[s_career[vict_persons[partner_v]]]
    okp = src >= 0
    eth[n_p + partner_v[okp]] = eth[src[okp]]
    no_birth = rng.random(total) < P.BIRTH_YEAR_MISSING
    no_home = rng.random(total) < P.HOME_MISSING
    no_lsoa = no_home & (rng.random(total) < 0.5)
    persons = pa.table(
        {
            "person_id": pa.array(pid, pa.string()),
            "sex": pa.array(p_sex, pa.string()),
            "birth_year": pa.array(p_birth, pa.int64(), mask=no_birth),
            "home_lsoa_code": pa.array(geo.code[p_area], pa.string(), mask=no_lsoa),
            "home_easting": pa.array(np.round(p_x).astype(np.int64), pa.int64(), mask=no_home),
            "home_northing": pa.array(np.round(p_y).astype(np.int64), pa.int64(), mask=no_home),
            "ethnicity": pa.array(np.asarray(ETHNICITIES, dtype=object)[eth], pa.string()),
        }
    )

    # --- links ----------------------------------------------------------------------------
    rel_names = np.asarray(RELATIONSHIPS, dtype=object)
    role = np.where(offender, "offender", "suspect").astype(object)
    perp_link = np.flatnonzero(suspect)
    link_crime = np.concatenate([cid, cid[perp_link], cid[co], cid[sv]])
    link_person = np.concatenate(
        [
            vict_pid[person_of_slot[slot_of]],
            perp_pid[career[perp_link]],
            co_pid,
            sv_pid,
        ]
    )
    link_role = np.concatenate(
        [
            np.full(n_ev, "victim", dtype=object),
            role[perp_link],
            role[co],
            np.full(n_sv, "victim", dtype=object),
        ]
    )
    link_same = np.concatenate(
        [same, same[perp_link], np.zeros(n_co, dtype=bool), same[sv] & sv_fam]
    )
    link_rel = np.concatenate([rel, rel[perp_link], rel[co], rel[sv]])
    link_order = np.lexsort(
        (link_role, np.concatenate([rank, rank[perp_link], rank[co], rank[sv]]))
    )
    crime_persons = pa.table(
        {
            "crime_id": pa.array(link_crime[link_order], pa.string()),
            "person_id": pa.array(link_person[link_order], pa.string()),
            "role": pa.array(link_role[link_order], pa.string()),
            "same_address": pa.array(link_same[link_order], pa.bool_()),
            "relationship": pa.array(rel_names[link_rel[link_order]], pa.string()),
        }
    )

    # --- crimes ---------------------------------------------------------------------------
    start_s = (_EPOCH_DAYS + day) * 86400 + minute * 60
    end_s = start_s + np.maximum(window, 0) * 60
    channel_names = np.asarray(REPORTING_CHANNELS, dtype=object)
    o = order
    crimes = pa.table(
        {
            "crime_id": pa.array(crime_ids, pa.string()),
            "recorded_date": pa.array((_EPOCH_DAYS + rec_day[o]).astype(np.int32), pa.date32()),
            "occurred_from": pa.array(start_s[o], pa.timestamp("s")),
            "occurred_to": pa.array(end_s[o], pa.timestamp("s"), mask=window[o] < 0),
            "time_precision": pa.array(np.full(n_ev, "exact", dtype=object), pa.string()),
            "offence_group": pa.array(
                np.asarray(OFFENCE_GROUPS, dtype=object)[group[o]], pa.string()
            ),
            "offence_code": pa.array(code[o], pa.string()),
            "domestic": pa.array(domestic[o], pa.bool_()),
            "crime_type": pa.array([R.CODE_NAMES[x] for x in code[o]], pa.string()),
            "location_type": pa.array(
                np.asarray(LOCATION_TYPES, dtype=object)[SCENE_LOCATION[scene[o]]], pa.string()
            ),
            "lsoa_code": pa.array(geo.code[crime_area[o]], pa.string()),
            "easting": pa.array(x[o].astype(np.int64), pa.int64()),
            "northing": pa.array(y[o].astype(np.int64), pa.int64()),
            "reporting_channel": pa.array(
                channel_names[np.maximum(channel[o], 0)], pa.string(), mask=channel[o] < 0
            ),
            "outcome_code": pa.array(outcome[o], pa.int64(), mask=~has_outcome[o]),
            "outcome_date": pa.array(
                (_EPOCH_DAYS + out_day[o]).astype(np.int32), pa.date32(), mask=~has_outcome[o]
            ),
            "fatal_or_near_fatal": pa.array(fatal[o], pa.bool_()),
        }
    )
    return ChunkTables(crimes=crimes, persons=persons, crime_persons=crime_persons)
