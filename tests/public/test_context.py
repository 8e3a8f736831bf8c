"""Context tables from tiny hand-made public files: two LSOA editions, census, pubs, weather."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pandas as pd
import pytest

from vawgscope.context import ContextError, build_context
from vawgscope.context.census import read_census
from vawgscope.context.imd import read_imd


def square(x0: float, y0: float, size: float = 1000) -> list[list[list[float]]]:
    return [[[x0, y0], [x0 + size, y0], [x0 + size, y0 + size], [x0, y0 + size], [x0, y0]]]


def geojson(path: Path, key: str, areas: list[tuple[str, str, list]]) -> Path:
    """Polygons in EPSG:27700 (said in the crs member)."""
    features = [
        {
            "type": "Feature",
            "properties": {f"{key}CD": code, f"{key}NM": name},
            "geometry": {"type": "Polygon", "coordinates": coords},
        }
        for code, name, coords in areas
    ]
    crs = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::27700"}}
    path.write_text(json.dumps({"type": "FeatureCollection", "crs": crs, "features": features}))
    return path


def write_rows(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    """2011: A (0–1 km) and B (1–2 km) in Ashford. 2021: A kept its code, B was split into
    B1 (left half) and B2 (right half). Census on 2021 codes; IMD on 2011 codes."""
    p = {
        "b11": geojson(
            tmp_path / "b11.geojson",
            "LSOA11",
            [("A", "Ashford 001A", square(0, 0)), ("B", "Ashford 001B", square(1000, 0))],
        ),
        "b21": geojson(
            tmp_path / "b21.geojson",
            "LSOA21",
            [
                ("A", "Ashford 001A", square(0, 0)),
                (
                    "B1",
                    "Ashford 001E",
                    [[[1000, 0], [1500, 0], [1500, 1000], [1000, 1000], [1000, 0]]],
                ),
                (
                    "B2",
                    "Ashford 001F",
                    [[[1500, 0], [2000, 0], [2000, 1000], [1500, 1000], [1500, 0]]],
                ),
            ],
        ),
    }
    ages = ["Age: Aged 4 years and under", "Age: Aged 5 to 9 years", "Age: Aged 85 years and over"]
    p["ts007a"] = write_rows(
        tmp_path / "ts007a.csv",
        ["date", "geography", "geography code", "Age: Total", *ages],
        [
            [2021, "a", "A", 30, 10, 10, 10],
            [2021, "b1", "B1", 3, 1, 1, 1],
            [2021, "b2", "B2", 6, 2, 2, 2],
        ],
    )
    sex = [
        "Sex: All persons; measures: Value",
        "Sex: Female; measures: Value",
        "Sex: Male; measures: Value",
    ]
    p["ts008"] = write_rows(
        tmp_path / "ts008.csv",
        ["date", "geography", "geography code", *sex],
        [[2021, "a", "A", 30, 18, 12], [2021, "b1", "B1", 3, 3, 0], [2021, "b2", "B2", 6, 0, 6]],
    )
    p["imd"] = write_rows(
        tmp_path / "imd.csv",
        [
            "LSOA code (2011)",
            "Index of Multiple Deprivation (IMD) Rank",
            "Index of Multiple Deprivation (IMD) Decile",
        ],
        [["A", "1,234", 1], ["B", "30,000", 10]],
    )
    p["pubs"] = write_rows(
        tmp_path / "pubs.csv",
        [
            "fas_id",
            "name",
            "address",
            "postcode",
            "easting",
            "northing",
            "latitude",
            "longitude",
            "local_authority",
        ],
        [
            [1, "Inn", "x", "x", 500, 500, "\\N", "\\N", "Ashford"],
            [2, "Far", "x", "x", 9000, 9000, "\\N", "\\N", "Ashford"],
            [3, "Lost", "x", "x", "\\N", "\\N", "\\N", "\\N", "Ashford"],
        ],
    )
    p["cet"] = tmp_path / "cet.txt"
    p["cet"].write_text(
        "Date        Value\n1949-12-31    1.0\n2021-01-01    3.2\n2021-01-02  -99.9\n"
    )
    return p


def test_build_context_puts_everything_on_the_target_edition(
    files: dict[str, Path], tmp_path: Path
) -> None:
    out = tmp_path / "out"
    report = build_context(
        boundaries=files["b11"],
        other_boundaries=files["b21"],
        imd=files["imd"],
        population=[files["ts007a"], files["ts008"]],
        premises=files["pubs"],
        weather=files["cet"],
        out=out,
    )
    areas = pd.read_csv(out / "areas.csv")
    assert list(areas["lsoa_code"]) == ["A", "B"]
    assert list(areas["district"]) == ["Ashford", "Ashford"]  # from '<district> 001A'
    assert list(areas["imd_decile"]) == [1, 10] and list(areas["imd_rank"]) == [1234, 30000]
    assert areas["geometry_wkt"][0].startswith("POLYGON ((0 0")
    # B1 and B2 (centroids at x 1250 and 1750) both fall in 2011's B
    editions = pd.read_csv(out / "lsoa_editions.csv")
    assert editions[["from_code", "to_code"]].values.tolist() == [["B1", "B"], ["B2", "B"]]
    assert (report.edition_codes, report.edition_unmatched_share) == (3, 0.0)
    pop = pd.read_csv(out / "population.csv")
    by = pop.groupby(["lsoa_code", "sex"])["population"].sum().to_dict()
    # A: 10 a band, female share 18/30 = 0.6 → 6 F + 4 M per band; B = B1 (all F) + B2 (all M)
    assert by == {("A", "F"): 18, ("A", "M"): 12, ("B", "F"): 3, ("B", "M"): 6}
    assert set(pop["age_band"]) == {"0-4", "5-9", "85+"}
    premises = pd.read_csv(out / "premises.csv")
    assert premises[["premises_id", "lsoa_code", "kind"]].values.tolist() == [[1, "A", "pub"]]
    assert (report.premises_outside, report.premises_no_location) == (1, 1)
    weather = pd.read_csv(out / "weather.csv")
    assert weather.values.tolist() == [["2021-01-01", 3.2]]  # -99.9 is missing; 1949 too early
    assert any("estimated" in n for n in report.notes)


def test_wgs84_boundaries_are_reprojected(tmp_path: Path) -> None:
    lon, lat, d = 0.52, 51.27, 0.01
    ring = [[[lon, lat], [lon + d, lat], [lon + d, lat + d], [lon, lat + d], [lon, lat]]]
    path = tmp_path / "w.geojson"
    path.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"LSOA21CD": "M", "LSOA21NM": "Maidstone 001A"},
                        "geometry": {"type": "Polygon", "coordinates": ring},
                    }
                ],
            }
        )
    )
    build_context(boundaries=path, out=tmp_path / "o")
    areas = pd.read_csv(tmp_path / "o" / "areas.csv")
    # Maidstone lies near easting 576,000, northing 155,000
    assert 570_000 < areas["easting"][0] < 580_000 and 150_000 < areas["northing"][0] < 160_000


def test_population_needs_the_age_table(files: dict[str, Path]) -> None:
    with pytest.raises(ContextError, match="TS007a"):
        read_census([files["ts008"]])


REAL = Path(__file__).resolve().parents[3] / "shared" / "data" / "imd2019"


@pytest.mark.skipif(not REAL.is_dir(), reason=f"the real IMD files are not at {REAL}")
def test_the_imd_workbook_as_published_reads_as_its_csv() -> None:
    workbook = read_imd(REAL / "File_1_-_IMD2019_Index_of_Multiple_Deprivation.xlsx")
    kent = read_imd(REAL / "IMD2019_File1_kent_medway_lsoa11.csv")
    assert len(workbook) == 32_844  # every LSOA of England
    assert kent and all(workbook[code] == values for code, values in kent.items())
