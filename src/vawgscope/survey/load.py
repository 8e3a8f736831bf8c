"""Reading a survey folder: ``responses.csv`` or ``.parquet``, validated against the contract.

Every row is either loaded or rejected with its file, row, column(s) and reason, using the same
SQL validation as the ingest of police records (:mod:`vawgscope.ingest.validate`): a Likert
score outside 1–5 or not a whole number, an age band, precaution, crime type or ``reported``
value outside its vocabulary, a date outside the plausible range, an empty or repeated
``respondent_id``. Rows with an error are dropped whole, so rejected rows count in no figure.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from vawgscope.contract.mapping import TableMapping
from vawgscope.contract.tables import SURVEY_RESPONSES
from vawgscope.ingest.sources import IngestError, describe, stage
from vawgscope.ingest.sql import ident
from vawgscope.ingest.validate import TableContext, checked_select

REJECT_COLUMNS: tuple[str, ...] = ("file", "row", "column", "reason")


@dataclass(frozen=True)
class LoadedSurvey:
    """The valid responses (contract columns, typed) and the rejected rows with reasons."""

    responses: pd.DataFrame
    rejects: pd.DataFrame
    files: tuple[Path, ...]

    @property
    def read(self) -> int:
        return len(self.responses) + len(self.rejects)


def survey_files(survey_dir: Path) -> list[Path]:
    """``responses.csv`` and/or ``responses.parquet`` in ``survey_dir``."""
    name = SURVEY_RESPONSES.name
    found = [p for p in (survey_dir / f"{name}.csv", survey_dir / f"{name}.parquet") if p.exists()]
    if not found:
        raise IngestError(f"{survey_dir}: no {name}.csv or {name}.parquet")
    return found


def load_survey(survey_dir: Path) -> LoadedSurvey:
    """Validate and load the survey in ``survey_dir``; see the module docstring."""
    mapping = TableMapping()
    con = duckdb.connect()
    try:
        sources = [describe(con, path, mapping) for path in survey_files(survey_dir)]
        columns = list(SURVEY_RESPONSES.column_names)
        present = frozenset(c for c in columns if any(c in s.columns for s in sources))
        if "respondent_id" not in present:
            raise IngestError(f"{survey_dir}: the survey needs a respondent_id column")
        con.execute(
            "CREATE TABLE raw (_file VARCHAR, _row BIGINT, "
            + ", ".join(f"{ident(c)} VARCHAR" for c in columns)
            + ")"
        )
        structural = []
        for index, source in enumerate(sources):
            rejects_table = f"structural_{index}"
            stage(con, source, "raw", columns, mapping, rejects_table)
            structural.append(
                con.sql(
                    f"SELECT _file AS file, line AS row, coalesce(column_name, '') AS column, "
                    f"reason FROM {rejects_table}"
                ).df()
            )
        ctx = TableContext(SURVEY_RESPONSES, mapping, present)
        con.execute(f"CREATE TABLE checked AS {checked_select('raw', ctx, [])}")
        _flag_repeated_ids(con)
        typed = con.sql(
            "SELECT * EXCLUDE (_errors) FROM checked WHERE len(_errors) = 0 ORDER BY _file, _row"
        ).df()
        bad = con.sql(
            """
            SELECT _file AS file, _row AS row,
                array_to_string(list_distinct(
                    list_transform(_errors, lambda e: split_part(e, ':', 1))), ';') AS column,
                array_to_string(_errors, '; ') AS reason
            FROM checked WHERE len(_errors) > 0
            """
        ).df()
    finally:
        con.close()
    rejects = pd.concat([bad, *structural], ignore_index=True)[list(REJECT_COLUMNS)]
    rejects = rejects.sort_values(["file", "row"], kind="stable").reset_index(drop=True)
    responses = typed.drop(columns=["_file", "_row"]).reset_index(drop=True)
    return LoadedSurvey(responses, rejects, tuple(s.path for s in sources))


def _flag_repeated_ids(con: duckdb.DuckDBPyConnection) -> None:
    """A repeated respondent_id among otherwise valid rows is rejected, naming the first."""
    con.execute(
        """
        CREATE OR REPLACE TABLE checked AS
        SELECT * EXCLUDE (_first_row, _first_file) REPLACE (
            CASE WHEN len(_errors) = 0 AND (_first_row <> _row OR _first_file <> _file) THEN
                ['respondent_id: duplicate respondent_id ''' || respondent_id
                 || ''' (first at ' || _first_file || ' row ' || CAST(_first_row AS VARCHAR) || ')']
            ELSE _errors END AS _errors)
        FROM (
            SELECT *, first_value(_row) OVER w AS _first_row,
                first_value(_file) OVER w AS _first_file
            FROM checked
            WINDOW w AS (PARTITION BY respondent_id, len(_errors) = 0 ORDER BY _file, _row)
        )
        """
    )


def write_rejects(rejects: pd.DataFrame, path: Path) -> Path:
    """The rejected rows as CSV (``file, row, column, reason``); written even when empty."""
    path.parent.mkdir(parents=True, exist_ok=True)
    rejects.to_csv(path, index=False, columns=list(REJECT_COLUMNS), lineterminator="\n")
    return path
