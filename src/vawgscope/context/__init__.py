"""Context tables from public files: ONS boundaries, IMD 2019, Census 2021, Open Pubs, HadCET."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from vawgscope.context.boundaries import ContextError

if TYPE_CHECKING:
    from vawgscope.context.build import ContextReport, build_context

__all__ = ["ContextError", "ContextReport", "build_context"]


def __getattr__(name: str) -> Any:
    # The builder reads spreadsheets and polygons (pandas, shapely); ingest needs only the
    # boundary editions, so the builder is imported when first asked for.
    if name in ("ContextReport", "build_context"):
        from vawgscope.context import build

        return getattr(build, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
