"""The data contract in code: tables, vocabularies, outcome types, harm weights, mappings."""

from vawgscope.contract.harm import HarmWeights, default_harm_weights, load_harm_weights
from vawgscope.contract.tables import (
    REQUIRED_TABLES,
    SURVEY_RESPONSES,
    TABLES,
    Column,
    Table,
)

__all__ = [
    "REQUIRED_TABLES",
    "SURVEY_RESPONSES",
    "TABLES",
    "Column",
    "HarmWeights",
    "Table",
    "default_harm_weights",
    "load_harm_weights",
]
