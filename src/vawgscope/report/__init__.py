"""Reports a person reads: the HTML problem profile, CSV tables and an Excel workbook."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from vawgscope.report.writer import ReportPaths, write_report

__all__ = ["ReportPaths", "write_report"]


def __getattr__(name: str) -> Any:
    # The writer brings Plotly and the chart modules; disclosure control and formatting
    # are read without them (e.g. by the command line before any report is written).
    if name in ("ReportPaths", "write_report"):
        from vawgscope.report import writer

        return getattr(writer, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
