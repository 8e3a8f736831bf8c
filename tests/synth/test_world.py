"""The demo world: structure on a small world, calibration on the scale-1 world."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.csv as pcsv
import pyarrow.parquet as pq
import pytest
import shapely

from vawgscope.contract import vocab
from vawgscope.contract.tables import TABLES
from vawgscope.synth import DemoSummary, write_demo_world
from vawgscope.synth.geography import COUNTY_OUTLINE, TOWNS

NAMES = tuple(TABLES)
#: The scale of the ``small_world`` fixture (conftest.py).
SMALL_SCALE = 0.05


def read(folder: Path, name: str) -> pa.Table:
    return pq.read_table(folder / f"{name}.parquet")


def sql(folder: Path, query: str) -> list[tuple]:
    """Run ``query`` with one view per table of ``folder``."""
    con = duckdb.connect()
    for name in NAMES:
        con.execute(f"create view {name} as select * from read_parquet('{folder / name}.parquet')")
    return con.execute(query).fetchall()


# --- structure ------------------------------------------------------------------------------


def test_every_table_is_written_with_exactly_the_contract_columns(small_world_dir: Path) -> None:
    for name in NAMES:
        schema = pq.read_schema(small_world_dir / f"{name}.parquet")
        assert tuple(schema.names) == TABLES[name].column_names, name
    assert {p.name for p in small_world_dir.iterdir()} == {f"{n}.parquet" for n in NAMES}


@pytest.mark.parametrize(
    ("kind", "arrow_types"),
    [
        # Parquet has no seconds unit: timestamp[s] is stored (and read back) as milliseconds
        ("timestamp", (pa.timestamp("s"), pa.timestamp("ms"))),
        ("date", (pa.date32(),)),
        ("bool", (pa.bool_(),)),
        ("int", (pa.int64(),)),
        ("float", (pa.float64(),)),
        ("string", (pa.string(),)),
        ("enum", (pa.string(),)),
    ],
)
def test_parquet_columns_have_natural_types(
    small_world_dir: Path, kind: str, arrow_types: tuple[pa.DataType, ...]
) -> None:
    checked = 0
    for name in NAMES:
        schema = pq.read_schema(small_world_dir / f"{name}.parquet")
        for column in TABLES[name].columns:
            if column.kind == kind:
                assert schema.field(column.name).type in arrow_types, (name, column.name)
                checked += 1
    assert checked > 0


def test_timestamps_are_exact_to_the_minute(small_world_dir: Path) -> None:
    crimes = read(small_world_dir, "crimes")
    for column in ("occurred_from", "occurred_to"):
        seconds = crimes.column(column).drop_null().cast(pa.int64()).to_numpy()
        unit = 1000 if crimes.schema.field(column).type.unit == "ms" else 1
        assert (seconds % (60 * unit) == 0).all(), column


def test_summary_counts_the_rows_written(small_world: DemoSummary) -> None:
    assert small_world.scale == SMALL_SCALE
    assert small_world.seed == 20220331
    for name, rows in small_world.rows.items():
        assert pq.read_metadata(small_world.out_dir / f"{name}.parquet").num_rows == rows, name
    assert small_world.crimes > 1_000
    assert small_world.periods == 3


def test_enumerated_values_come_from_the_contract_vocabularies(small_world_dir: Path) -> None:
    checked = 0
    for name in NAMES:
        table = read(small_world_dir, name)
        for column in TABLES[name].columns:
            if column.vocabulary is None:
                continue
            values = set(table.column(column.name).drop_null().unique().to_pylist())
            assert values <= set(column.vocabulary), (
                name,
                column.name,
                values - set(column.vocabulary),
            )
            checked += 1
    assert checked >= 10


def test_required_columns_are_never_empty(small_world_dir: Path) -> None:
    for name in NAMES:
        table = read(small_world_dir, name)
        for column in TABLES[name].required_columns:
            assert table.column(column).null_count == 0, (name, column)


def test_ids_are_unique(small_world_dir: Path) -> None:
    keys = {
        "crimes": ["crime_id"],
        "persons": ["person_id"],
        "premises": ["premises_id"],
        "areas": ["lsoa_code"],
        "weather": ["date"],
        "periods": ["name"],
        "crime_persons": ["crime_id", "person_id", "role"],
        "population": ["lsoa_code", "sex", "age"],
    }
    for name, cols in keys.items():
        dup = sql(
            small_world_dir,
            f"select count(*) from (select {', '.join(cols)} from {name} "
            f"group by all having count(*) > 1)",
        )
        assert dup == [(0,)], name
    ids = read(small_world_dir, "persons").column("person_id").to_pylist()
    assert all(re.fullmatch(r"P\d{8}", i) for i in ids)


def test_links_point_at_existing_crimes_and_persons(small_world_dir: Path) -> None:
    rows = sql(
        small_world_dir,
        """
        select count(*) filter (where c.crime_id is null),
               count(*) filter (where p.person_id is null)
        from crime_persons cp
        left join crimes c using (crime_id)
        left join persons p using (person_id)
    """,
    )
    assert rows == [(0, 0)]
    # every crime has a victim; every person takes part in a crime
    assert sql(
        small_world_dir,
        """select count(*) from crimes c where not exists
        (select 1 from crime_persons cp where cp.crime_id = c.crime_id and role = 'victim')""",
    ) == [(0,)]
    assert sql(
        small_world_dir,
        """select count(*) from persons p where not exists
        (select 1 from crime_persons cp where cp.person_id = p.person_id)""",
    ) == [(0,)]


def test_dates_are_in_order(small_world_dir: Path) -> None:
    rows = sql(
        small_world_dir,
        """
        select count(*) filter (where occurred_to < occurred_from),
               count(*) filter (where recorded_date < cast(occurred_from as date)),
               count(*) filter (where outcome_date < recorded_date),
               count(*) filter (where (outcome_code is null) <> (outcome_date is null)),
               min(occurred_from), max(occurred_from), max(recorded_date), max(outcome_date)
        from crimes""",
    )
    bad_to, bad_rec, bad_out, half_outcome, first, last, last_rec, last_out = rows[0]
    assert (bad_to, bad_rec, bad_out, half_outcome) == (0, 0, 0, 0)
    assert str(first) >= "2016-04-01" and str(last) < "2022-04-01"
    assert str(last_rec) <= "2022-04-30" and str(last_out) <= "2022-04-30"


def test_the_latest_crimes_are_partly_still_under_investigation(small_world_dir: Path) -> None:
    ((open_2022, open_2017),) = sql(
        small_world_dir,
        """
        select avg((outcome_code is null)::int) filter (where occurred_from >= '2022-01-01'),
               avg((outcome_code is null)::int) filter (where year(occurred_from) = 2017)
        from crimes""",
    )
    assert open_2022 > 0.2
    assert open_2017 < 0.02  # a few long investigations


def test_what_a_scope_must_filter_out_is_there(small_world_dir: Path) -> None:
    names = (
        "male_victims",
        "female_perps",
        "under_18",
        "no_suspect",
        "sex_u",
        "no_birth",
        "no_home",
        "two_perps",
        "two_victims",
    )
    (row,) = sql(
        small_world_dir,
        """
        with lk as (select cp.*, p.sex, p.birth_year, p.home_easting,
                           year(c.occurred_from) - p.birth_year as age
                    from crime_persons cp join persons p using (person_id)
                    join crimes c using (crime_id)),
        per_crime as (select crime_id,
                             count(*) filter (where role <> 'victim') perps,
                             count(*) filter (where role = 'victim') victims
                      from lk group by 1)
        select count(*) filter (where role = 'victim' and sex = 'M'),
               count(*) filter (where role <> 'victim' and sex = 'F'),
               count(*) filter (where role <> 'victim' and age < 18),
               (select count(*) from per_crime where perps = 0),
               (select count(*) from persons where sex = 'U'),
               (select count(*) from persons where birth_year is null),
               (select count(*) from persons where home_easting is null),
               (select count(*) from per_crime where perps >= 2),
               (select count(*) from per_crime where victims >= 2)
        from lk""",
    )
    counts = dict(zip(names, row, strict=True))
    assert min(counts.values()) > 0, counts


def test_roles_relationships_and_same_address(small_world_dir: Path) -> None:
    ((no_rel, partner_same, fam_same, stranger_same, no_suspect_18),) = sql(
        small_world_dir,
        """
        select count(*) filter (where relationship is null),
               avg(same_address::int) filter (where relationship = 'partner'),
               avg(same_address::int) filter (where relationship = 'family'),
               count(*) filter (where relationship = 'stranger' and same_address),
               (select avg((outcome_code = 18)::int) from crimes c where outcome_code is not null
                and not exists (select 1 from crime_persons x where x.crime_id = c.crime_id
                                and x.role <> 'victim'))
        from crime_persons""",
    )
    assert no_rel == 0
    assert partner_same > 0.5 and fam_same > 0.3
    assert stranger_same == 0
    assert no_suspect_18 > 0.5


def test_crimes_at_a_dwelling_are_at_a_linked_persons_home(small_world_dir: Path) -> None:
    """Within 20 m of the victim's or the perpetrator's home (when he is identified and all
    homes are known); crimes in the area the point falls in."""
    ((share, n),) = sql(
        small_world_dir,
        """
        with h as (
            select c.crime_id, bool_and(p.home_easting is not null) all_homes,
                   count(*) filter (where cp.role <> 'victim') perps,
                   min(sqrt(power(c.easting - p.home_easting, 2)
                            + power(c.northing - p.home_northing, 2))) nearest
            from crimes c join crime_persons cp using (crime_id) join persons p using (person_id)
            where c.location_type = 'dwelling' group by 1)
        select avg((nearest <= 20)::int), count(*) from h where all_homes and perps > 0""",
    )
    assert n > 1_000
    assert share > 0.99
    areas = read(small_world_dir, "areas")
    polygons = shapely.from_wkt(areas.column("geometry_wkt").to_numpy(zero_copy_only=False))
    by_code = dict(zip(areas.column("lsoa_code").to_pylist(), polygons, strict=True))
    crimes = read(small_world_dir, "crimes").slice(0, 500).to_pylist()
    inside = [
        shapely.intersects_xy(by_code[c["lsoa_code"]], c["easting"], c["northing"]) for c in crimes
    ]
    assert np.mean(inside) > 0.99


def test_areas_have_demo_codes_and_every_code_used_is_an_area(small_world_dir: Path) -> None:
    codes = set(read(small_world_dir, "areas").column("lsoa_code").to_pylist())
    assert all(re.fullmatch(r"DEMO\d{6}", c) for c in codes)
    used = sql(
        small_world_dir,
        """
        select lsoa_code from crimes union select home_lsoa_code from persons
        union select lsoa_code from premises union select lsoa_code from population""",
    )
    assert {u for (u,) in used if u is not None} <= codes
    names = read(small_world_dir, "areas").column("lsoa_name").to_pylist()
    assert all(re.fullmatch(r"[A-Za-z ]+ \d{3}[A-Z]", n) for n in names)


def test_polygons_are_valid_and_tile_the_county(small_world_dir: Path) -> None:
    areas = read(small_world_dir, "areas")
    polygons = shapely.from_wkt(areas.column("geometry_wkt").to_numpy(zero_copy_only=False))
    assert shapely.is_valid(polygons).all()
    county = shapely.Polygon(COUNTY_OUTLINE)
    total = shapely.area(polygons).sum()
    union = shapely.union_all(polygons)
    assert total == pytest.approx(county.area, rel=1e-6)  # no gaps ...
    assert union.area == pytest.approx(total, rel=1e-6)  # ... and no overlaps
    # each centroid lies in its own polygon
    x = areas.column("easting").to_numpy()
    y = areas.column("northing").to_numpy()
    assert shapely.contains_xy(polygons, x, y).all()


def test_town_centres_deprivation_deciles_and_districts(small_world_dir: Path) -> None:
    areas = read(small_world_dir, "areas").to_pandas()
    assert areas.town_centre.sum() >= len(TOWNS)
    assert set(areas.district) == {t.district for t in TOWNS}
    counts = areas.imd_decile.value_counts()
    assert set(counts.index) == set(range(1, 11))
    assert counts.max() - counts.min() <= 1
    by_district = areas.groupby("district").imd_score.mean()
    assert by_district["Thanet"] > by_district["Sevenoaks"]
    assert by_district["Thanet"] > by_district["Tunbridge Wells"]


def test_population_has_every_age_and_sex_per_area(small_world_dir: Path) -> None:
    ((n_areas,),) = sql(small_world_dir, "select count(*) from areas")
    rows = sql(
        small_world_dir,
        """select count(*), count(distinct lsoa_code), min(age),
        max(age), min(year), max(year), sum(population) from population""",
    )
    n, n_lsoa, lo, hi, y0, y1, total = rows[0]
    assert (n, n_lsoa, lo, hi, y0, y1) == (n_areas * 2 * 91, n_areas, 0, 90, 2019, 2019)
    assert total == pytest.approx(1_856_000 * SMALL_SCALE, rel=0.02)


def test_premises_cluster_in_town_centres(small_world_dir: Path) -> None:
    premises = read(small_world_dir, "premises").to_pandas()
    towns = np.array([(t.x, t.y) for t in TOWNS])
    d = np.hypot(
        premises.easting.to_numpy()[:, None] - towns[None, :, 0],
        premises.northing.to_numpy()[:, None] - towns[None, :, 1],
    ).min(axis=1)
    assert (d < 1000).mean() > 0.6
    assert set(premises.kind) <= set(vocab.PREMISES_KINDS)


def test_weather_has_a_south_east_seasonal_cycle(small_world_dir: Path) -> None:
    weather = read(small_world_dir, "weather").to_pandas()
    assert (
        len(weather) == (np.datetime64("2022-03-31") - np.datetime64("2016-01-01")).astype(int) + 1
    )
    assert (weather.tmax_c >= weather.tmean_c).all() and (weather.tmean_c >= weather.tmin_c).all()
    assert (weather.precip_mm >= 0).all()
    month = weather.date.map(lambda d: d.month)
    assert weather.tmax_c[month == 1].mean() == pytest.approx(8, abs=1.5)
    assert weather.tmax_c[month == 7].mean() == pytest.approx(23, abs=1.5)


def test_periods_are_the_three_lockdowns(small_world_dir: Path) -> None:
    periods = read(small_world_dir, "periods").to_pylist()
    assert [(p["kind"], str(p["start_date"]), str(p["end_date"])) for p in periods] == [
        ("lockdown", "2020-03-23", "2020-07-03"),
        ("lockdown", "2020-11-05", "2020-12-01"),
        ("lockdown", "2021-01-06", "2021-04-11"),
    ]


def test_same_seed_gives_identical_files_and_another_seed_differs(
    small_world_dir: Path, tmp_path: Path
) -> None:
    again = write_demo_world(tmp_path / "again", scale=SMALL_SCALE)
    for name in NAMES:
        first = (small_world_dir / f"{name}.parquet").read_bytes()
        assert (again.out_dir / f"{name}.parquet").read_bytes() == first, name
    other = write_demo_world(tmp_path / "other", scale=SMALL_SCALE, seed=7)
    for name in ("crimes", "persons", "crime_persons", "areas", "weather"):
        first = (small_world_dir / f"{name}.parquet").read_bytes()
        assert (other.out_dir / f"{name}.parquet").read_bytes() != first, name


def test_csv_output_is_readable_and_matches_the_parquet(
    small_world: DemoSummary, tmp_path: Path
) -> None:
    steps: list[tuple[str, float]] = []
    summary = write_demo_world(
        tmp_path,
        scale=SMALL_SCALE,
        fmt="csv",
        progress=lambda step, done: steps.append((step, done)),
    )
    assert summary.rows == small_world.rows
    assert {p.name for p in tmp_path.iterdir()} == {f"{n}.csv" for n in NAMES}
    fractions = [done for _, done in steps]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    for name in NAMES:
        text = (tmp_path / f"{name}.csv").read_text("utf-8")
        header = text.splitlines()[0].replace('"', "").split(",")
        assert tuple(header) == TABLES[name].column_names
        table = pcsv.read_csv(
            tmp_path / f"{name}.csv", convert_options=pcsv.ConvertOptions(strings_can_be_null=True)
        )
        assert table.num_rows == summary.rows[name]
    crimes = (tmp_path / "crimes.csv").read_text("utf-8").splitlines()
    first = crimes[1].split(",")
    assert re.fullmatch(r'"?\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d"?', first[2])
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", first[1])
    assert first[7] in ("true", "false")
    parquet = read(small_world.out_dir, "crimes")
    csv = pcsv.read_csv(
        tmp_path / "crimes.csv", convert_options=pcsv.ConvertOptions(strings_can_be_null=True)
    )
    assert csv.column("crime_id").to_pylist() == parquet.column("crime_id").to_pylist()
    assert csv.column("outcome_code").null_count == parquet.column("outcome_code").null_count


def test_bad_arguments_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="scale"):
        write_demo_world(tmp_path, scale=0)
    with pytest.raises(ValueError, match="fmt"):
        write_demo_world(tmp_path, fmt="xlsx")  # type: ignore[arg-type]


# --- calibration ----------------------------------------------------------------------------

SCOPE_COUNTS = """
    with links as (
        select cp.crime_id, cp.person_id, cp.role, p.sex,
               year(c.occurred_from) - p.birth_year as age
        from crime_persons cp
        join persons p using (person_id)
        join crimes c using (crime_id)
        where c.occurred_from >= '2017-04-01' and c.occurred_from < '2022-04-01'
    ),
    victims as (select * from links where role = 'victim' and sex = 'F'),
    perpetrators as (
        select * from links where role in ('suspect', 'offender') and sex = 'M' and age >= 18
    ),
    in_scope as (
        select crime_id from victims intersect select crime_id from perpetrators
    )
    select (select count(distinct person_id) from victims join in_scope using (crime_id)),
           (select count(distinct person_id) from perpetrators join in_scope using (crime_id))
"""


@pytest.mark.slow
def test_scale_one_world_has_the_seed_reports_victims_and_perpetrators(
    demo_world_dir: Path,
) -> None:
    """Kent, 1 April 2017 - 31 March 2022: 56,358 victims and 49,055 male perpetrators 18+."""
    ((victims, perpetrators),) = sql(demo_world_dir, SCOPE_COUNTS)
    assert victims == pytest.approx(56_358, rel=0.03)
    assert perpetrators == pytest.approx(49_055, rel=0.03)


def test_scope_count_query_on_a_hand_made_dataset(tmp_path: Path) -> None:
    """The calibration query on rows worked out on paper: crime 1 is in scope (female victim,
    male perpetrator of 30); crime 2 is not (perpetrator aged 17); crime 3 is not (no
    perpetrator); crime 4 is in scope twice over but falls before the window."""
    crimes = pa.table(
        {
            "crime_id": ["1", "2", "3", "4"],
            "occurred_from": pa.array(
                [
                    np.datetime64("2020-01-01T10:00", "s"),
                    np.datetime64("2020-02-01T10:00", "s"),
                    np.datetime64("2020-03-01T10:00", "s"),
                    np.datetime64("2016-05-01T10:00", "s"),
                ],
                pa.timestamp("s"),
            ),
        }
    )
    persons = pa.table(
        {
            "person_id": ["v1", "v2", "p1", "p2", "p3"],
            "sex": ["F", "F", "M", "M", "M"],
            "birth_year": [1990, 1995, 1990, 2003, 1980],
        }
    )
    links = pa.table(
        {
            "crime_id": ["1", "1", "2", "2", "3", "4", "4"],
            "person_id": ["v1", "p1", "v2", "p2", "v2", "v1", "p3"],
            "role": ["victim", "offender", "victim", "suspect", "victim", "victim", "suspect"],
        }
    )
    for name, table in (("crimes", crimes), ("persons", persons), ("crime_persons", links)):
        pq.write_table(table, tmp_path / f"{name}.parquet")
    con = duckdb.connect()
    for name in ("crimes", "persons", "crime_persons"):
        path = tmp_path / f"{name}.parquet"
        con.execute(f"create view {name} as select * from read_parquet('{path}')")
    assert con.execute(SCOPE_COUNTS).fetchall() == [(1, 1)]
