"""Harm: the top tenth of perpetrators, the Lorenz curve and Gini, harm against volume —
each on a dataset worked out by hand."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.helpers import crime, link, person, write_dataset
from vawgscope.analyses import harm
from vawgscope.contract.harm import HarmWeights, default_harm_weights
from vawgscope.dataset import Dataset
from vawgscope.ingest import ingest
from vawgscope.options import Options, Scope

# Default weights (days): rape 2555, violence with injury 365, harassment and stalking 10.
GROUPS = {
    "C1": "rape",
    "C2": "violence_with_injury",
    "C3": "harassment",
    "C4": "violence_with_injury",
    "C5": "stalking",
    "C6": "stalking",
    **{f"C{i}": "harassment" for i in range(7, 12)},
    "C12": "violence_with_injury",
}
PERPETRATORS = {
    "C1": ["P1"],
    "C2": ["P1"],
    "C3": ["P2", "P3"],
    "C4": ["P4"],
    "C5": ["P5"],
    "C6": ["P6"],
    **{f"C{i}": [f"P{i}"] for i in range(7, 12)},
    "C12": ["P12", "T1"],
}


def _write(root: Path, codes: dict[str, str] | None = None) -> Path:
    """Twelve crimes in 2021 and twelve adult perpetrators; per-perpetrator harm:

    P1  rape C1 (victim V1) + violence with injury C2 (victim V2): 2555 + 365 = 2920
    P2, P3  both perpetrators of harassment C3: 10 each (P2 as suspect and as offender: once)
    P4, P12  violence with injury C4, C12: 365 each — tied at the top-10% cut
    P5, P6  stalking C5, C6: 10 each;  P7 … P11  harassment C7 … C11: 10 each
    T1  (born 2006, 15) co-perpetrator of C12: out of the default scope
    """
    codes = codes or {}
    crimes = [crime(c, offence_group=g, offence_code=codes.get(c, "")) for c, g in GROUPS.items()]
    links = [link("C1", "V1", "victim"), link("C2", "V2", "victim")]
    links += [link(c, "V3", "victim") for c in GROUPS if c not in ("C1", "C2")]
    for c, perpetrators in PERPETRATORS.items():
        links += [link(c, p, "suspect") for p in perpetrators]
    links.append(link("C3", "P2", "offender"))
    persons = [person(v, "F", 1990) for v in ("V1", "V2", "V3")]
    persons += [person(f"P{i}", "M", 1985) for i in range(1, 13)]
    persons.append(person("T1", "M", 2006))
    data = write_dataset(root / "data", crimes, persons, links)
    ingest(data, root / "store.duckdb", secret_path=root / "key" / "secret.key")
    return root / "store.duckdb"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _write(tmp_path_factory.mktemp("harm"))


@functools.cache
def _open(path: Path, options: Options | None = None) -> Dataset:
    return Dataset.open(path, options)


def test_top_tenth_takes_exactly_ceil_10pct_even_when_harm_ties_at_the_cut(store: Path):
    finding = harm.harm_share_top10pct_perpetrators(_open(store))
    figures = finding.figures
    # 12 perpetrators → k = ceil(1.2) = 2: P1 (2920) and one of P4/P12 (365).
    # All harm = 2920 + 365 + 365 + 9 × 10 = 3740; top = 3285 (taking both tied men: 3650).
    assert (figures["perpetrators"], figures["top_perpetrators"]) == (12, 2)
    assert figures["all_harm_days"] == pytest.approx(3740)
    assert finding.headlines == {"harm_share_top10pct_perpetrators": pytest.approx(3285 / 3740)}
    interval = figures["harm_share_top10pct"]
    assert interval["estimate"] == pytest.approx(0.878342, abs=1e-6)
    assert 0 <= interval["low"] <= interval["high"] <= 1
    # a fixed seed: the same data give the same interval
    again = harm.harm_share_top10pct_perpetrators(_open(store)).figures["harm_share_top10pct"]
    assert again == interval


def test_perpetrators_under_the_age_filter_carry_no_harm_until_the_scope_lets_them_in(
    store: Path,
):
    ds = _open(store, Options(Scope(perpetrator_min_age=None)))
    finding = harm.harm_share_top10pct_perpetrators(ds)
    # T1 joins with C12's full harm: 13 perpetrators, k = ceil(1.3) = 2, all = 3740 + 365
    assert finding.figures["top_perpetrators"] == 2
    assert finding.headlines["harm_share_top10pct_perpetrators"] == pytest.approx(3285 / 4105)


def test_offence_code_weights_override_group_weights(tmp_path: Path):
    store = _write(tmp_path, codes={"C12": "19C"})
    weights = HarmWeights(default_harm_weights().by_group, {"19C": 1000.0})
    finding = harm.harm_share_top10pct_perpetrators(_open(store), weights=weights)
    # P12 now carries 1000: top two = 2920 + 1000; all = 2920 + 1000 + 365 + 90 = 4375
    assert finding.headlines["harm_share_top10pct_perpetrators"] == pytest.approx(3920 / 4375)
    assert finding.figures["harm_weights"]["code:19C"] == 1000.0
    by_group = harm.harm_by_group(_open(store), weights=weights).tables["by_group"]
    vwi = next(r for r in by_group if r["offence_group"] == "violence_with_injury")
    assert vwi["harm"] == pytest.approx(365 + 365 + 1000)


def test_lorenz_curve_and_gini(store: Path):
    finding = harm.harm_lorenz_curve(_open(store))
    gini = finding.figures["gini"]
    # ascending blocks (value × count): 10 × 9, 365 × 2, 2920 × 1; n = 12, all = 3740.
    # Σ v·c·(2a + c − n) = 10·9·(−3) + 365·2·8 + 2920·1·11 = 37,690; ÷ (12 × 3740) = 0.839795
    assert gini["estimate"] == pytest.approx(37690 / 44880)
    assert gini["low"] <= gini["high"]
    curve = {round(r["share_of_perpetrators"], 2): r for r in finding.tables["lorenz"]}
    assert len(curve) == 101
    assert curve[0.0]["share_of_harm"] == 0 and curve[1.0]["share_of_harm"] == pytest.approx(1)
    assert curve[0.5]["share_of_harm"] == pytest.approx(60 / 3740)  # six men with 10 each
    assert curve[0.75]["share_of_harm"] == pytest.approx(90 / 3740)  # nine men with 10 each
    # the most harmful quarter (3 men): 2920 + 365 + 365
    assert curve[0.25]["share_of_harm_most_harmful"] == pytest.approx(3650 / 3740)


def test_harm_by_group_counts_each_crime_once(store: Path):
    finding = harm.harm_by_group(_open(store))
    table = {r["offence_group"]: r for r in finding.tables["by_group"]}
    assert list(table) == ["rape", "violence_with_injury", "stalking", "harassment"]
    assert {g: (r["crimes"], r["harm"]) for g, r in table.items()} == {
        "rape": (1, 2555.0),
        "violence_with_injury": (3, 1095.0),
        "stalking": (2, 20.0),
        "harassment": (6, 60.0),  # C3 once, though it has two perpetrators
    }
    rape = table["rape"]
    # 1 of 12 crimes, 2555 of 3730 days of harm
    assert rape["share_of_crimes"] == pytest.approx(1 / 12)
    assert rape["share_of_harm"] == pytest.approx(2555 / 3730)
    assert rape["harm_to_volume"] == pytest.approx(2555 / 3730 * 12)
    assert rape["low"] < 1 / 12 < rape["high"]
    assert finding.summary == "Rape is 8.3% of crimes but 68.5% of crime harm."
    assert finding.figures["crimes_without_weight"] == 0


def test_a_crime_whose_group_has_no_weight_counts_with_harm_zero(store: Path):
    weights = HarmWeights({"rape": 2555.0, "violence_with_injury": 365.0})
    finding = harm.harm_by_group(_open(store), weights=weights)
    assert finding.figures["crimes_without_weight"] == 8  # stalking and harassment
    assert finding.figures["harm_days"] == pytest.approx(2555 + 3 * 365)


def test_top_share_and_gini_on_blocks():
    values = np.array([1.0, 5.0])
    # 10 perpetrators: 9 with 1, 1 with 5 → k = 1 takes the 5: 5 / 14
    assert harm.top_share(values, np.array([9, 1]), 1)[0] == pytest.approx(5 / 14)
    # equal harm: top share is k / n and Gini 0
    assert harm.top_share(np.array([3.0]), np.array([10]), 1)[0] == pytest.approx(0.1)
    assert harm.gini(np.array([3.0]), np.array([10]))[0] == pytest.approx(0.0)
    # one man carries all: Gini (n − 1) / n
    assert harm.gini(np.array([0.0, 7.0]), np.array([3, 1]))[0] == pytest.approx(3 / 4)
    assert [harm.top_count(n) for n in (1, 9, 10, 11, 30, 49_055)] == [1, 1, 1, 2, 3, 4906]


def test_bootstrap_of_identical_perpetrators_has_no_width():
    dist = harm.HarmDistribution(np.array([3.0]), np.array([20]))
    low, high = harm.bootstrap(dist, lambda c: harm.top_share(dist.values, c, 2), 0.95)
    assert (low, high) == (pytest.approx(0.1), pytest.approx(0.1))


def test_no_person_id_in_any_finding(store: Path):
    ds = _open(store)
    ids = ds.table("persons").person_id.execute().tolist()
    for analysis in harm.ANALYSES:
        text = json.dumps(analysis(ds).to_json(), default=str)
        assert not any(pid in text for pid in ids), analysis.__name__


@pytest.fixture(scope="module")
def crimes_only_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("harm_crimes_only")
    crimes: list[dict[str, Any]] = [
        crime("C1", domestic="", offence_group="other", crime_type="Violence and sexual offences")
    ]
    data = write_dataset(root / "data", crimes)
    ingest(data, root / "store.duckdb", secret_path=root / "key" / "secret.key")
    return root / "store.duckdb"


def test_crimes_only_dataset(crimes_only_store: Path):
    ds = _open(crimes_only_store)
    for analysis in (harm.harm_share_top10pct_perpetrators, harm.harm_lorenz_curve):
        finding = analysis(ds)
        assert finding.status == "not_available"
        assert finding.needs == ("persons", "crime_persons")
        assert all(v is None for v in finding.headlines.values())
    # harm against volume needs crimes only
    by_group = harm.harm_by_group(ds)
    assert by_group.status == "ok"
    assert by_group.tables["by_group"][0]["harm"] == pytest.approx(10.0)


@pytest.mark.parametrize("analysis", harm.ANALYSES, ids=lambda a: a.__name__)
def test_empty_scope_is_not_available(analysis, store: Path):
    finding = analysis(_open(store, Options(Scope(offence_groups=("homicide",)))))
    assert finding.status == "not_available" and finding.needs
    assert all(v is None for v in finding.headlines.values())
    assert "Definition:" in (analysis.__doc__ or "")


@pytest.mark.slow
def test_demo_harm_share_top10pct_perpetrators(demo_store: Path):
    finding = harm.harm_share_top10pct_perpetrators(Dataset.open(demo_store))
    assert finding.headlines["harm_share_top10pct_perpetrators"] == pytest.approx(0.63, abs=0.03)
