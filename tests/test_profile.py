"""Every registered analysis keeps the profile's contract, whatever the data holds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import crime, link, person, write_dataset
from vawgscope.analyses.finding import Finding
from vawgscope.dataset import Dataset
from vawgscope.ingest import ingest
from vawgscope.options import Options, Scope
from vawgscope.profile import ANALYSES, HEADLINE_KEYS, build_profile, write_profile

IDS = [a.__module__.rsplit(".", 1)[-1] + "." + a.__name__ for a in ANALYSES]


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("profile_stores")
    full = write_dataset(
        root / "full",
        [
            crime(
                "C1", occurred_from="2021-01-05T14:00:00", lsoa_code="A1", reporting_channel="101"
            ),
            crime(
                "C2",
                occurred_from="2021-02-06T23:30:00",
                occurred_to="2021-02-07T00:30:00",
                offence_group="violence_with_injury",
                domestic="false",
                location_type="street",
            ),
            crime(
                "C3",
                occurred_from="2021-03-01T09:00:00",
                outcome_code="1",
                outcome_date="2021-04-01",
                offence_group="rape",
            ),
        ],
        [
            person("V1", "F", 1995, home_easting=576000, home_northing=155000),
            person("P1", "M", 1989, home_easting=576500, home_northing=155200),
        ],
        [
            link("C1", "V1", "victim", same_address="false", relationship="ex_partner"),
            link("C1", "P1", "suspect"),
            link("C2", "V1", "victim"),
            link("C2", "P1", "offender"),
            link("C3", "V1", "victim"),
            link("C3", "P1", "offender"),
        ],
    )
    crimes_only = root / "crimes_only"
    crimes_only.mkdir()
    (crimes_only / "crimes.csv").write_text(
        "crime_id,recorded_date,occurred_from,time_precision,offence_group,domestic,"
        "location_type,crime_type\n"
        "C1,2021-01-01,2021-01-01,month,other,,unknown,Violence and sexual offences\n"
        "C2,2021-02-01,2021-02-01,month,other,,unknown,Violence and sexual offences\n"
    )
    stores = {}
    for name, folder in (("full", full), ("crimes_only", crimes_only)):
        ingest(folder, root / f"{name}.duckdb")
        stores[name] = root / f"{name}.duckdb"
    return stores


@pytest.mark.parametrize("analysis", ANALYSES, ids=IDS)
def test_analysis_docstring_states_its_definition(analysis) -> None:
    assert "Definition:" in (analysis.__doc__ or ""), "the docstring must state the definition"


@pytest.mark.parametrize("analysis", ANALYSES, ids=IDS)
@pytest.mark.parametrize("kind", ["full", "crimes_only", "empty_scope"])
def test_analysis_returns_a_finding_on_any_dataset(analysis, kind: str, stores) -> None:
    if kind == "empty_scope":
        ds = Dataset.open(stores["full"], Options(Scope(offence_groups=("homicide",))))
    else:
        ds = Dataset.open(stores[kind])
    finding = analysis(ds)
    assert isinstance(finding, Finding)
    assert finding.status in ("ok", "not_available") and finding.summary
    assert set(finding.headlines) <= set(HEADLINE_KEYS)
    if finding.status == "not_available":
        assert finding.needs and all(v is None for v in finding.headlines.values())
    json.dumps(finding.to_json(), default=str)  # JSON-ready


def test_profile_json_has_every_headline_and_no_person_id(stores, tmp_path: Path) -> None:
    ds = Dataset.open(stores["full"])
    path = write_profile(build_profile(ds), tmp_path)
    text = path.read_text()
    profile = json.loads(text)
    assert list(profile["headlines"]) == list(HEADLINE_KEYS)
    person_ids = ds.table("persons").person_id.execute().tolist()
    assert person_ids and not any(pid in text for pid in person_ids)
