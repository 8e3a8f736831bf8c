"""Run options: the YAML file, the CLI's NTE window and strict validation."""

from __future__ import annotations

from datetime import date, time

import pytest
import yaml

from vawgscope.cli import _nte_window
from vawgscope.options import Options, options_from_dict


def test_options_file_reads_dates_clock_times_and_scope() -> None:
    data = yaml.safe_load(
        "year_basis: financial\nmix_since: 2021-01-01\nnte_start: 20:00\nnte_end: '04:30'\n"
        "hotspot_neighbours: rook\nscope: {victim_sex: any, offence_groups: [rape, stalking]}\n"
    )
    options = options_from_dict(data)
    assert options.year_basis == "financial" and options.mix_since == date(2021, 1, 1)
    assert (options.nte_start, options.nte_end) == (time(20, 0), time(4, 30))
    assert options.scope.victim_sex is None
    assert options.scope.offence_groups == ("rape", "stalking")
    assert options.as_dict()["nte_start"] == "20:00"


def test_unknown_and_impossible_options_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown option"):
        options_from_dict({"nte": "18-6"})
    with pytest.raises(ValueError, match="unknown scope option"):
        options_from_dict({"scope": {"victim": "F"}})
    with pytest.raises(ValueError, match="nte_start and nte_end must differ"):
        Options(nte_start=time(18), nte_end=time(18))
    with pytest.raises(ValueError, match="year_basis"):
        Options(year_basis="fiscal")  # type: ignore[arg-type]


def test_cli_nte_window() -> None:
    assert _nte_window("18:00-06:00") == {"nte_start": time(18), "nte_end": time(6)}
    assert _nte_window(None) == {}
    with pytest.raises(ValueError, match="must look like 18:00-06:00"):
        _nte_window("evening")
