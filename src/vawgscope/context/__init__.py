"""Context tables from public files: ONS boundaries, IMD 2019, Census 2021, Open Pubs, HadCET."""

from vawgscope.context.boundaries import ContextError
from vawgscope.context.build import ContextReport, build_context

__all__ = ["ContextError", "ContextReport", "build_context"]
