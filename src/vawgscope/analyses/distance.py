"""Distance: how far from home crimes happen, and whose home they happen at.

All distances are straight lines on the British National Grid (metres), computed in the engine
from the crime's ``easting``/``northing`` and a person's ``home_easting``/``home_northing``.
A crime is "at X's home" when its location lies within 25 m of X's home (problem-profile.md,
"Homes and addresses"). Harm is the harm weight of each crime's offence under the run's
weights (``ds.harm_weights``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import ibis
import ibis.expr.types as ir
from scipy import stats

from vawgscope.analyses.common import harm_weight, interval_columns, rows, share
from vawgscope.analyses.finding import Finding, definition_of, not_available
from vawgscope.dataset import Dataset, Side

#: "At X's home": within this distance of X's home coordinates.
HOME_M = 25.0
MILE_M = 1609.344
QUARTER_MILE_M = MILE_M / 4
#: problem-profile.md's half mile and three miles, as it writes them.
HALF_MILE_M = 804.67
THREE_MILES_M = 4828.0
#: Distance bands from the victim's home: (key, upper bound in metres, inclusive); the last
#: band has no upper bound.
BANDS: tuple[tuple[str, float | None], ...] = (
    ("home", HOME_M),
    ("to_quarter_mile", QUARTER_MILE_M),
    ("to_half_mile", HALF_MILE_M),
    ("to_1_mile", MILE_M),
    ("to_3_miles", THREE_MILES_M),
    ("beyond_3_miles", None),
)
BAND_LABELS: dict[str, str] = {
    "home": "at home (≤ 25 m)",
    "to_quarter_mile": "25 m – ¼ mile",
    "to_half_mile": "¼ – ½ mile",
    "to_1_mile": "½ – 1 mile",
    "to_3_miles": "1 – 3 miles",
    "beyond_3_miles": "over 3 miles",
}
SCENES: tuple[str, ...] = ("victim_home", "perpetrator_home", "elsewhere")
TOP_LSOAS = 10
ALL_CRIMES = "all crimes"
NEEDS_PEOPLE: tuple[str, ...] = ("persons", "crime_persons")
NEEDS_CRIME_XY: tuple[str, ...] = ("crimes.easting", "crimes.northing")
NEEDS_HOME_XY: tuple[str, ...] = ("persons.home_easting", "persons.home_northing")


def metres(x1: ir.NumericValue, y1: ir.NumericValue, x2: ir.NumericValue, y2: ir.NumericValue):
    """Straight-line distance in metres between two grid points (NULL when any is NULL)."""
    dx = x1.cast("float64") - x2.cast("float64")
    dy = y1.cast("float64") - y2.cast("float64")
    return (dx * dx + dy * dy).sqrt()


def _band(distance: ir.FloatingValue) -> ir.StringValue:
    bounded = [(distance <= upper, key) for key, upper in BANDS if upper is not None]
    return ibis.cases(*bounded, else_=BANDS[-1][0])


def _located(x: ir.Value, y: ir.Value) -> ir.BooleanValue:
    return x.notnull() & y.notnull()


def _missing_inputs(ds: Dataset) -> tuple[str, ...]:
    """What the distance findings need that the dataset lacks (empty when all is there)."""
    if ds.victims is None or ds.perpetrators is None:
        return NEEDS_PEOPLE
    needs: tuple[str, ...] = ()
    if not (ds.has("crimes", "easting") and ds.has("crimes", "northing")):
        needs += NEEDS_CRIME_XY
    if not (ds.has("persons", "home_easting") and ds.has("persons", "home_northing")):
        needs += NEEDS_HOME_XY
    return needs


def _people(ds: Dataset, prefix: str) -> ir.Table:
    """One row per (crime, person) of the in-scope victims (``prefix`` "v") or perpetrators
    ("p"), with the person's home and the link's "same address", columns prefixed: a person
    linked twice to a crime (as suspect and offender) counts once, and is "same address" if
    either link says so. Built once per dataset: the distance findings share it."""
    return ds.cached(f"distance_people_{prefix}", lambda: _group_people(ds, prefix))


def _group_people(ds: Dataset, prefix: str) -> ir.Table:
    people = ds.victims if prefix == "v" else ds.perpetrators
    assert people is not None
    side: Side = "victim" if prefix == "v" else "perpetrator"
    links = ds.details(
        people, side, "home_easting", "home_northing", "home_lsoa_code", "same_address"
    )
    one_link_each = side == "victim" or not ds.info.perpetrators_in_two_roles
    if one_link_each:  # one link per crime and person: nothing to combine
        grouped = links.select(
            "crime_id",
            "person_id",
            x=links.home_easting,
            y=links.home_northing,
            lsoa=links.home_lsoa_code,
            same=links.same_address,
        )
    else:
        grouped = links.group_by(["crime_id", "person_id"]).aggregate(
            x=links.home_easting.max(),
            y=links.home_northing.max(),
            lsoa=links.home_lsoa_code.max(),
            same=links.same_address.any(),
        )
    return grouped.rename({f"{prefix}_{c}": c for c in ("person_id", "x", "y", "lsoa", "same")})


def _crime_places(ds: Dataset) -> ir.Table:
    c = ds.crimes
    return c.select(
        "crime_id",
        "offence_group",
        "lsoa_code",
        cx=c.easting,
        cy=c.northing,
        harm=harm_weight(c, ds.harm_weights),
    )


# --- distance from the victim's home -----------------------------------------------------------


def distance_from_victim_home(ds: Dataset) -> Finding:
    """How far from the victim's home crimes happen.

    Definition: over victim–crime pairs (each in-scope victim of each in-scope crime, once)
    with both locations — the crime's easting/northing and the victim's home_easting/
    home_northing — the straight-line distance between them; ``share_at_home_or_within_half_mile``
    is the share with distance ≤ 804.67 m (at home = ≤ 25 m, which is inside it), and
    ``share_beyond_3_miles`` the share with distance > 4,828 m. Pairs missing either location
    are left out and counted by what is missing. Bands: at home (≤ 25 m), ≤ ¼ mile, ≤ ½ mile,
    ≤ 1 mile, ≤ 3 miles, over 3 miles (each upper bound inclusive; 1 mile = 1,609.344 m).

    Interval: Wilson score interval at ``options.confidence`` for every share (Brown, Cai &
    DasGupta 2001, Statistical Science 16(2):101-133). It treats pairs as independent; a
    victim of several crimes contributes several pairs, so the intervals are somewhat narrow.
    """
    keys = ("share_at_home_or_within_half_mile", "share_beyond_3_miles")
    title = "Distance from the victim's home"
    needs = _missing_inputs(ds)
    if needs:
        return not_available(
            "distance_from_victim_home",
            title,
            definition_of(distance_from_victim_home),
            needs,
            keys,
        )
    assert ds.victims is not None
    pairs = _people(ds, "v").join(_crime_places(ds), "crime_id")
    coverage = _coverage(pairs)
    located = pairs.filter(_located(pairs.cx, pairs.cy) & _located(pairs.v_x, pairs.v_y))
    located = located.mutate(d=metres(located.cx, located.cy, located.v_x, located.v_y))
    n = coverage["pairs_with_both_locations"]
    if n == 0:
        return not_available(
            "distance_from_victim_home",
            title,
            definition_of(distance_from_victim_home),
            NEEDS_CRIME_XY + NEEDS_HOME_XY,
            keys,
        )
    confidence = ds.options.confidence
    counts = {r["band"]: int(r["pairs"]) for r in rows(_band_counts(located))}
    band_rows = _band_rows(counts, n, confidence)
    within = sum(counts.get(k, 0) for k in ("home", "to_quarter_mile", "to_half_mile"))
    beyond = counts.get("beyond_3_miles", 0)
    within_share = share(within, n, confidence)
    beyond_share = share(beyond, n, confidence)
    assert within_share is not None and beyond_share is not None
    quartiles = rows(
        located.aggregate(
            q1=located.d.quantile(0.25), median=located.d.quantile(0.5), q3=located.d.quantile(0.75)
        )
    )[0]
    return Finding(
        id="distance_from_victim_home",
        title=title,
        definition=definition_of(distance_from_victim_home),
        summary=(
            f"{within_share['estimate']:.0%} of crimes happened at the victim's home or within "
            f"half a mile of it, and {beyond_share['estimate']:.1%} more than 3 miles away "
            f"({n:,} victim–crime pairs with both locations)."
        ),
        figures={
            **coverage,
            "within_half_mile": within_share,
            "beyond_3_miles": beyond_share,
            "median_m": quartiles["median"],
            "quartiles_m": [quartiles["q1"], quartiles["q3"]],
        },
        tables={
            "bands": band_rows,
            "by_group": _group_rows(located, confidence),
            "coverage": [{"pairs": k, "count": v} for k, v in coverage.items()],
        },
        headlines={
            "share_at_home_or_within_half_mile": within_share["estimate"],
            "share_beyond_3_miles": beyond_share["estimate"],
        },
    )


def _coverage(pairs: ir.Table) -> dict[str, int]:
    crime_xy = _located(pairs.cx, pairs.cy)
    home_xy = _located(pairs.v_x, pairs.v_y)
    row = rows(
        pairs.aggregate(
            all=pairs.count(),
            both=(crime_xy & home_xy).sum(),
            no_crime=(~crime_xy & home_xy).sum(),
            no_home=(crime_xy & ~home_xy).sum(),
            neither=(~crime_xy & ~home_xy).sum(),
        )
    )[0]
    return {
        "pairs": int(row["all"]),
        "pairs_with_both_locations": int(row["both"] or 0),
        "left_out_no_crime_location": int(row["no_crime"] or 0),
        "left_out_no_victim_home": int(row["no_home"] or 0),
        "left_out_neither_location": int(row["neither"] or 0),
    }


def _band_counts(located: ir.Table) -> ir.Table:
    return located.group_by(band=_band(located.d)).aggregate(pairs=located.count())


def _band_rows(counts: dict[str, int], n: int, confidence: float) -> list[dict[str, Any]]:
    out, cumulative = [], 0
    for key, upper in BANDS:
        k = counts.get(key, 0)
        cumulative += k
        interval = share(k, n, confidence)
        assert interval is not None
        out.append(
            {
                "band": key,
                "label": BAND_LABELS[key],
                "upper_m": upper,
                "pairs": k,
                "share": interval["estimate"],
                "low": interval["low"],
                "high": interval["high"],
                "cumulative_share": cumulative / n,
            }
        )
    return out


def _group_rows(located: ir.Table, confidence: float) -> list[dict[str, Any]]:
    """Per offence group: share within half a mile and beyond 3 miles, with intervals."""
    by_group = located.group_by("offence_group").aggregate(
        pairs=located.count(),
        within=(located.d <= HALF_MILE_M).sum(),
        beyond=(located.d > THREE_MILES_M).sum(),
    )
    out = []
    for r in sorted(rows(by_group), key=lambda r: r["offence_group"]):
        n = int(r["pairs"])
        within = share(int(r["within"]), n, confidence)
        beyond = share(int(r["beyond"]), n, confidence)
        assert within is not None and beyond is not None
        out.append(
            {
                "offence_group": r["offence_group"],
                "pairs": n,
                "within_half_mile": within["estimate"],
                "within_half_mile_low": within["low"],
                "within_half_mile_high": within["high"],
                "beyond_3_miles": beyond["estimate"],
                "beyond_3_miles_low": beyond["low"],
                "beyond_3_miles_high": beyond["high"],
            }
        )
    return out


# --- the scene when victim and perpetrator do not live together ---------------------------------


def _victim_perpetrator_pairs(ds: Dataset) -> ir.Table:
    """Victim–perpetrator pairs of each in-scope crime with a cohabitation status.

    ``status``: ``coresident`` when either link's ``same_address`` is true; ``unknown`` when
    both are missing; ``apart`` otherwise (at least one false, none true). Built once per
    dataset: the scene finding reads it several times.
    """
    return ds.cached("victim_perpetrator_pairs", lambda: _pair_status(ds))


def _pair_status(ds: Dataset) -> ir.Table:
    pairs = _people(ds, "v").join(_people(ds, "p"), "crime_id")
    pairs = pairs.join(_crime_places(ds), "crime_id")
    either_true = pairs.v_same.fill_null(False) | pairs.p_same.fill_null(False)
    both_missing = pairs.v_same.isnull() & pairs.p_same.isnull()
    status = ibis.cases((either_true, "coresident"), (both_missing, "unknown"), else_="apart")
    return pairs.mutate(status=status)


def _scene(pairs: ir.Table) -> ir.StringValue:
    """Where an apart pair's crime happened; NULL when a location or a home is missing."""
    to_victim = metres(pairs.cx, pairs.cy, pairs.v_x, pairs.v_y)
    to_perp = metres(pairs.cx, pairs.cy, pairs.p_x, pairs.p_y)
    return ibis.cases(
        (to_victim.isnull() | to_perp.isnull(), ibis.null("string")),
        (to_victim <= HOME_M, "victim_home"),
        (to_perp <= HOME_M, "perpetrator_home"),
        else_="elsewhere",
    )


def scene_when_not_coresident(ds: Dataset) -> Finding:
    """Where crimes happen when victim and perpetrator do not live together.

    Definition: over victim–perpetrator pairs of in-scope crimes (each in-scope victim with
    each in-scope perpetrator of the same crime, once) that are not at the same address: a
    pair is at the same address when either link's ``same_address`` is true (hers says she
    lived with the crime's perpetrator(s), his that he lived with its victim(s)); it is not
    when neither is true and at least one is false; when both are missing the pair is left out
    and counted as unknown. Each such pair's crime is at the victim's home when it lies within
    25 m of her home, else at the perpetrator's home when within 25 m of his, else elsewhere
    (her home first when both homes are that close). Pairs missing the crime location or either
    home are left out and counted. ``share`` = pairs in the scene ÷ pairs placed; ``mean_harm``
    = the mean harm weight (days) of those pairs' crimes.

    Interval: Wilson score interval at ``options.confidence`` for each share; a normal
    (t-based) interval for each mean harm, which leans on the large number of pairs because
    harm weights take only a few, very unequal values. Pairs are treated as independent.
    """
    key = "scene_when_not_coresident"
    title = "Scene of the crime when victim and perpetrator do not live together"
    needs = _missing_inputs(ds)
    if not needs and not ds.has("crime_persons", "same_address"):
        needs = ("crime_persons.same_address",)
    if needs:
        return not_available(key, title, definition_of(scene_when_not_coresident), needs, (key,))
    pairs = _victim_perpetrator_pairs(ds)
    accounting = _pair_accounting(pairs)
    apart = pairs.filter(pairs.status == "apart")
    apart = apart.mutate(scene=_scene(apart)).filter(lambda t: t.scene.notnull())
    by_scene = {
        r["scene"]: r
        for r in rows(
            apart.group_by("scene").aggregate(
                pairs=apart.count(), mean_harm=apart.harm.mean(), sd_harm=apart.harm.std()
            )
        )
    }
    placed = sum(int(r["pairs"]) for r in by_scene.values())
    if placed == 0:
        return not_available(
            key,
            title,
            definition_of(scene_when_not_coresident),
            ("crime_persons.same_address", *NEEDS_CRIME_XY, *NEEDS_HOME_XY),
            (key,),
        )
    confidence = ds.options.confidence
    table = [_scene_row(s, by_scene.get(s), placed, confidence) for s in SCENES]
    headline = {r["scene"]: {"share": r["share"], "mean_harm": r["mean_harm"]} for r in table}
    victim, perp = headline["victim_home"], headline["perpetrator_home"]
    return Finding(
        id=key,
        title=title,
        definition=definition_of(scene_when_not_coresident),
        summary=(
            f"When victim and perpetrator did not live together, {victim['share']:.0%} of "
            f"crimes were at her home (mean harm {_days(victim['mean_harm'])}) and "
            f"{perp['share']:.0%} at his (mean harm {_days(perp['mean_harm'])})."
        ),
        figures={**accounting, "pairs_placed": placed},
        tables={
            "scenes": table,
            "by_group": _scene_group_rows(apart),
            "pairs": [{"pairs": k, "count": v} for k, v in {**accounting}.items()],
        },
        headlines={key: headline},
    )


def _days(value: float | None) -> str:
    return "n/a" if value is None else f"{value:,.0f} days"


def _pair_accounting(pairs: ir.Table) -> dict[str, int]:
    by_status = pairs.group_by("status").aggregate(n=pairs.count())
    counts = {r["status"]: int(r["n"]) for r in rows(by_status)}
    apart = pairs.filter(pairs.status == "apart")
    missing = int(rows(apart.aggregate(n=_scene(apart).isnull().sum()))[0]["n"] or 0)
    return {
        "pairs": sum(counts.values()),
        "coresident": counts.get("coresident", 0),
        "same_address_unknown": counts.get("unknown", 0),
        "not_coresident": counts.get("apart", 0),
        "left_out_missing_location": missing,
    }


def _scene_row(
    scene: str, r: dict[str, Any] | None, placed: int, confidence: float
) -> dict[str, Any]:
    k = int(r["pairs"]) if r else 0
    interval = share(k, placed, confidence)
    assert interval is not None
    mean = r["mean_harm"] if r else None
    low = high = None
    if r and k > 1 and r["sd_harm"] is not None:
        half = stats.t.ppf((1 + confidence) / 2, k - 1) * r["sd_harm"] / math.sqrt(k)
        low, high = mean - half, mean + half
    return {
        "scene": scene,
        "pairs": k,
        "share": interval["estimate"],
        "low": interval["low"],
        "high": interval["high"],
        "mean_harm": mean,
        "mean_harm_low": low,
        "mean_harm_high": high,
    }


def _scene_group_rows(apart: ir.Table) -> list[dict[str, Any]]:
    counted = apart.group_by(["offence_group", "scene"]).aggregate(pairs=apart.count())
    return sorted(rows(counted), key=lambda r: (r["offence_group"], SCENES.index(r["scene"])))


# --- how far hot spots draw their perpetrators from ----------------------------------------------


def hotspot_perpetrator_distance(ds: Dataset) -> Finding:
    """How far the perpetrators of the ten LSOAs with most crimes live from their crimes.

    Definition: the top 10 LSOAs by in-scope crimes over the whole window (crimes with no
    ``lsoa_code`` left out; equal counts share the best rank and the list breaks ties by
    code). For each, over perpetrator–crime pairs of its crimes (each in-scope perpetrator of
    each crime, once) with both locations, the straight-line distance from the perpetrator's
    home to the crime: median and quartiles, the share within half a mile (≤ 804.67 m) and
    beyond 3 miles (> 4,828 m), and the share of pairs whose perpetrator lives in the same
    LSOA; the same over all in-scope crimes for comparison. Pairs missing either location are
    left out and counted. A hot spot "draws from further afield" when its median is above the
    county-wide median.

    Interval: Wilson score interval at ``options.confidence`` for each share; the quartiles
    are descriptive (engine ``quantile_cont``). Pairs are treated as independent.
    """
    title = "How far hot spots draw their perpetrators from"
    fid = "hotspot_perpetrator_distance"
    needs = _missing_inputs(ds)
    if not needs and not ds.has("crimes", "lsoa_code"):
        needs = ("crimes.lsoa_code",)
    if needs:
        return not_available(fid, title, definition_of(hotspot_perpetrator_distance), needs)
    assert ds.perpetrators is not None
    top = _top_lsoas(ds)
    codes = [r["lsoa_code"] for r in top]
    pairs = _people(ds, "p").join(_crime_places(ds), "crime_id")
    pairs = pairs.mutate(d=metres(pairs.cx, pairs.cy, pairs.p_x, pairs.p_y))
    county = _distance_summary(pairs)
    hot = pairs.filter(pairs.lsoa_code.isin(codes))
    by_lsoa = {r["lsoa_code"]: r for r in rows(_distance_summary(hot, "lsoa_code"))}
    names = _lsoa_names(ds, codes)
    confidence = ds.options.confidence
    county_row = _hotspot_row({"lsoa_code": ALL_CRIMES}, rows(county)[0], None, confidence)
    table = [
        _hotspot_row(
            {**r, **names.get(r["lsoa_code"], {})},
            by_lsoa.get(r["lsoa_code"]),
            county_row["median_m"],
            confidence,
        )
        for r in top
    ]
    return Finding(
        id=fid,
        title=title,
        definition=definition_of(hotspot_perpetrator_distance),
        summary=_hotspot_summary(table, county_row),
        figures={"county_median_m": county_row["median_m"], "top_lsoas": codes},
        tables={"hotspots": [*table, county_row]},
    )


def _top_lsoas(ds: Dataset) -> list[dict[str, Any]]:
    crimes = ds.crimes.filter(ds.crimes.lsoa_code.notnull())
    counts = crimes.group_by("lsoa_code").aggregate(crimes=crimes.count())
    # ibis.rank() is SQL RANK() from 0: equal counts share the best rank.
    ranked = counts.mutate(rank=ibis.rank().over(order_by=ibis.desc("crimes")) + 1)
    return rows(ranked.order_by(["rank", "lsoa_code"]).limit(TOP_LSOAS))


def _distance_summary(pairs: ir.Table, by: str | None = None) -> ir.Table:
    located = pairs.d.notnull()
    metrics = {
        "pairs": pairs.count(),
        "located": located.sum(),
        "perpetrators": pairs.p_person_id.nunique(),
        "q1": pairs.d.quantile(0.25),
        "median": pairs.d.quantile(0.5),
        "q3": pairs.d.quantile(0.75),
        "within": (pairs.d <= HALF_MILE_M).sum(),
        "beyond": (pairs.d > THREE_MILES_M).sum(),
        "local": (located & (pairs.p_lsoa == pairs.lsoa_code)).sum(),
    }
    return pairs.group_by(by).aggregate(**metrics) if by else pairs.aggregate(**metrics)


def _lsoa_names(ds: Dataset, codes: list[str]) -> dict[str, dict[str, Any]]:
    if not ds.has("areas") or not codes:
        return {}
    areas = ds.table("areas")
    chosen = areas.filter(areas.lsoa_code.isin(codes)).select("lsoa_code", "lsoa_name", "district")
    return {r.pop("lsoa_code"): r for r in rows(chosen)}


def _hotspot_row(
    head: dict[str, Any], r: dict[str, Any] | None, county_median: float | None, confidence: float
) -> dict[str, Any]:
    located = int(r["located"] or 0) if r else 0

    def _share(name: str) -> dict[str, float] | None:
        return share(int(r[name] or 0), located, confidence) if r and located else None

    within, beyond, local = _share("within"), _share("beyond"), _share("local")
    median = r["median"] if r else None
    return {
        "rank": head.get("rank"),
        "lsoa_code": head["lsoa_code"],
        "lsoa_name": head.get("lsoa_name"),
        "district": head.get("district"),
        "crimes": head.get("crimes"),
        "perpetrator_crime_pairs": int(r["pairs"]) if r else 0,
        "pairs_with_both_locations": located,
        "perpetrators": int(r["perpetrators"]) if r else 0,
        "median_m": median,
        "q1_m": r["q1"] if r else None,
        "q3_m": r["q3"] if r else None,
        **interval_columns(within, "within_half_mile", "within_half_mile_"),
        **interval_columns(beyond, "beyond_3_miles", "beyond_3_miles_"),
        "lives_in_lsoa": local and local["estimate"],
        "further_afield": None
        if median is None or county_median is None
        else bool(median > county_median),
    }


def _hotspot_summary(table: list[dict[str, Any]], county: dict[str, Any]) -> str:
    placed = [r for r in table if r["median_m"] is not None]
    if not placed or county["median_m"] is None:
        return "No hot spot has perpetrator–crime pairs with both locations."
    furthest = max(placed, key=lambda r: (r["median_m"], r["lsoa_code"]))
    name = furthest["lsoa_name"] or furthest["lsoa_code"]
    return (
        f"Of the {len(table)} LSOAs with most crimes, {name} draws its perpetrators from "
        f"furthest afield: half live more than {furthest['median_m'] / 1000:.1f} km from the "
        f"crime, against {county['median_m'] / 1000:.1f} km for all crimes."
    )


ANALYSES: tuple[Callable[[Dataset], Finding], ...] = (
    distance_from_victim_home,
    scene_when_not_coresident,
    hotspot_perpetrator_distance,
)
