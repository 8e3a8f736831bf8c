"""Numbers and values as a reader sees them (profile.json keeps them unrounded)."""

from __future__ import annotations

from typing import Any


def number(value: Any) -> str:
    """A number rounded for reading: counts with thousands separators, shares as %."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        # Years read as years, not as counts with a thousands separator.
        return str(value) if 1800 <= value <= 2100 else f"{value:,}"
    if isinstance(value, float):
        if value != value:
            return "–"
        if abs(value) >= 1000:
            return f"{value:,.0f}"
        if abs(value) >= 10:
            return f"{value:,.1f}"
        return f"{value:.3g}"
    return str(value)


def share(value: float | str | None) -> str:
    """A fraction as a percentage; text (such as the withheld mark) as it is."""
    if value is None:
        return "–"
    return value if isinstance(value, str) else f"{100 * value:.1f}%"


def is_estimate(value: Any) -> bool:
    return isinstance(value, dict) and {"estimate", "low", "high"} <= set(value)


def value(value: Any, *, as_share: bool = False) -> str:
    """Any headline or figure value in words: estimates with their interval, lists, maps."""
    fmt = share if as_share else number
    if is_estimate(value):
        low, high = value["low"], value["high"]
        if low is None or high is None:
            return fmt(value["estimate"])
        return f"{fmt(value['estimate'])} (95% interval {fmt(low)} to {fmt(high)})"
    if isinstance(value, dict):
        return "; ".join(
            f"{str(k).replace('_', ' ')}: {globals()['value'](v, as_share=as_share)}"
            for k, v in value.items()
        )
    if isinstance(value, list | tuple):
        if all(isinstance(v, dict) for v in value):
            return f"{len(value)} rows"
        return ", ".join(globals()["value"](v) for v in value)
    if isinstance(value, float) and as_share and 0 <= value <= 1:
        return share(value)
    return fmt(value)
