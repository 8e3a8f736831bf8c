"""The contract in code matches data-contract.md and the harm-weight rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from vawgscope.contract import TABLES, default_harm_weights, load_harm_weights
from vawgscope.contract.mapping import MappingError, load_mapping, parse_mapping
from vawgscope.contract.outcomes import HOME_OFFICE_OUTCOMES, outcome_group
from vawgscope.contract.vocab import OFFENCE_FAMILIES, OFFENCE_GROUPS

SPEC = Path(__file__).resolve().parents[3] / "shared" / "spec" / "data-contract.md"


def test_required_columns_follow_the_contract() -> None:
    assert TABLES["crimes"].required_columns == (
        "crime_id",
        "recorded_date",
        "occurred_from",
        "offence_group",
        "domestic",
        "location_type",
    )
    assert TABLES["persons"].required_columns == ("person_id", "sex")
    assert TABLES["crime_persons"].required_columns == ("crime_id", "person_id", "role")


@pytest.mark.skipif(not SPEC.exists(), reason="the shared spec is not beside the project")
def test_every_contract_column_is_defined() -> None:
    text = SPEC.read_text(encoding="utf-8")
    for table in ("crimes", "persons", "crime_persons", "areas"):
        section = text.split(f"## {table}")[1].split("\n## ")[0]
        documented = {
            name.strip("` ")
            for line in section.splitlines()
            if line.startswith("| ") and "---" not in line
            for name in line.split("|")[1].split(",")
        } - {"column"}
        assert documented <= set(TABLES[table].column_names), table


def test_outcomes_cover_1_to_22_and_group_uniquely() -> None:
    assert sorted(HOME_OFFICE_OUTCOMES) == list(range(1, 23))
    assert outcome_group(1) == "charged_or_summonsed"
    assert outcome_group(16) == outcome_group(14) == "victim_does_not_support"
    with pytest.raises(ValueError):
        outcome_group(23)


def test_offence_families_are_groups() -> None:
    for members in OFFENCE_FAMILIES.values():
        assert set(members) <= set(OFFENCE_GROUPS)


def test_default_harm_weights_keep_the_index_order_and_cite_a_source() -> None:
    weights = default_harm_weights()
    w = weights.by_group
    assert set(w) == set(OFFENCE_GROUPS)
    assert (
        w["homicide"] > 2 * w["rape"] > w["rape"] > w["violence_with_injury"] >= w["other_sexual"]
    )
    assert w["other_sexual"] > 10 * w["harassment"]
    assert w["malicious_communications"] == w["controlling_coercive"] == w["stalking"] == 10
    assert w["drink_spiking"] == w["violence_with_injury"]
    assert all(weights.sources[g] for g in OFFENCE_GROUPS)


def test_user_harm_weights_override_by_code_and_group(tmp_path: Path) -> None:
    path = tmp_path / "w.csv"
    path.write_text("offence_code,offence_group,days\n19C,,3000\n,harassment,20\n")
    weights = load_harm_weights(path)
    assert weights.by_code == {"19C": 3000.0}
    assert weights.by_group["harassment"] == 20 and weights.by_group["rape"] == 2555
    path.write_text("offence_group,days\nrape,lots\n")
    with pytest.raises(ValueError, match=r"row 2, column days: expected a number"):
        load_harm_weights(path)


def test_mapping_errors_name_the_key(tmp_path: Path) -> None:
    with pytest.raises(MappingError, match="unknown table 'crime'"):
        parse_mapping({"tables": {"crime": {}}})
    with pytest.raises(MappingError, match=r"tables.crimes: unknown key\(s\) \['rename'\]"):
        parse_mapping({"tables": {"crimes": {"rename": {}}}})
    with pytest.raises(MappingError, match=r"recode.offence_group: \['assault'\] not in"):
        parse_mapping({"tables": {"crimes": {"recode": {"offence_group": {"A": "assault"}}}}})
    (tmp_path / "m.yaml").write_text(
        "tables:\n  persons:\n    recode:\n      sex: {Female: F, Yes: M}\n"
    )
    mapping = load_mapping(tmp_path / "m.yaml")
    assert mapping.for_table("persons").recode["sex"] == {"Female": "F", "Yes": "M"}


def test_the_shipped_police_uk_mapping_loads() -> None:
    from importlib import resources

    path = Path(str(resources.files("vawgscope.contract") / "mappings" / "police_uk.yaml"))
    mapping = load_mapping(path)
    crimes = mapping.for_table("crimes")
    assert crimes.columns["crime_id"] == "Crime ID"
    assert crimes.defaults["time_precision"] == "month"
