"""Charts for findings, one module per analysis family; each registers its builders."""

from vawgscope.report.charts.base import CHARTS, PALETTE, render

# Importing the family modules registers their chart builders.
from vawgscope.report.charts import (  # noqa: F401  isort: skip
    areas,
    drivers,
    harm,
    outcomes,
    people,
    place,
    quality,
    reoffending,
    reporting,
    time,
    trends,
)

__all__ = ["CHARTS", "PALETTE", "render"]
