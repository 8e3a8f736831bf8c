"""Where two results differ: profiles from two engines, or an engine and a reference."""

from __future__ import annotations

import math
from typing import Any

#: Floats agree within this relative difference (the two-backend and benchmark criterion).
RELATIVE_TOLERANCE = 1e-9


def differences(
    left: Any,
    right: Any,
    path: str = "",
    *,
    rel_tol: float = RELATIVE_TOLERANCE,
    abs_tol: float = 0.0,
) -> list[str]:
    """Where two JSON-like values differ: floats beyond ``rel_tol`` relative (or ``abs_tol``
    absolute), anything else unequal; one line per difference, naming its ``path``.

    An int and a float holding the same number are equal (one engine may return 3, the other
    3.0); NaN equals NaN; a bool is not a number.
    """
    tolerance = {"rel_tol": rel_tol, "abs_tol": abs_tol}
    if isinstance(left, dict) and isinstance(right, dict):
        if left.keys() != right.keys():
            return [f"{path}: keys {sorted(left, key=str)} != {sorted(right, key=str)}"]
        return [
            d
            for key in left
            for d in differences(left[key], right[key], f"{path}.{key}", **tolerance)
        ]
    if isinstance(left, list | tuple) and isinstance(right, list | tuple):
        if len(left) != len(right):
            return [f"{path}: {len(left)} items != {len(right)} items"]
        return [
            d
            for i, (a, b) in enumerate(zip(left, right, strict=True))
            for d in differences(a, b, f"{path}[{i}]", **tolerance)
        ]
    if _number(left) and _number(right) and (isinstance(left, float) or isinstance(right, float)):
        if (math.isnan(left) and math.isnan(right)) or math.isclose(left, right, **tolerance):
            return []
        return [f"{path}: {left!r} != {right!r}"]
    if type(left) is not type(right) or left != right:
        return [f"{path}: {left!r} != {right!r}"]
    return []


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
