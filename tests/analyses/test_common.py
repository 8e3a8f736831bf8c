"""Shared analysis expressions."""

from __future__ import annotations

import ibis

from vawgscope.analyses.common import harm_weight, share
from vawgscope.contract.harm import HarmWeights, default_harm_weights


def test_harm_weight_by_code_then_group() -> None:
    crimes = ibis.memtable(
        {
            "offence_group": ["rape", "rape", "harassment", "other"],
            "offence_code": ["19C", None, "8L", None],
        }
    )
    weights = HarmWeights(by_group={"rape": 2555.0, "harassment": 10.0}, by_code={"19C": 3000.0})
    harm = crimes.select(h=harm_weight(crimes, weights)).to_pyarrow()["h"].to_pylist()
    # code 19C overrides rape's weight; 8L has no code weight; "other" has no weight at all
    assert harm == [3000.0, 2555.0, 10.0, 0.0]
    defaults = (
        crimes.select(h=harm_weight(crimes, default_harm_weights())).to_pyarrow()["h"].to_pylist()
    )
    assert defaults == [2555.0, 2555.0, 10.0, 10.0]


def test_share_wilson_interval_worked_by_hand() -> None:
    # Wilson 95% for 3/5: centre 0.5566, half-width 0.3258
    result = share(3, 5)
    assert result is not None and result["estimate"] == 0.6
    assert abs(result["low"] - 0.2307) < 1e-4 and abs(result["high"] - 0.8824) < 1e-4
    assert share(0, 0) is None
