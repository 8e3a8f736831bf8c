"""Reports a person reads: the HTML problem profile, CSV tables and an Excel workbook."""

from vawgscope.report.writer import ReportPaths, write_report

__all__ = ["ReportPaths", "write_report"]
