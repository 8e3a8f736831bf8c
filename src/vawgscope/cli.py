"""The ``vawgscope`` command line."""

from __future__ import annotations

import time as clock
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import date, time
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from vawgscope.contract.harm import load_harm_weights
from vawgscope.contract.mapping import MappingError, load_mapping
from vawgscope.dataset import Dataset, DatasetError
from vawgscope.ingest import IngestError, IngestReport, ingest
from vawgscope.ingest.pseudonymise import default_secret_path, lookup_path
from vawgscope.options import Options, Scope, _sex, options_from_dict
from vawgscope.report.disclosure import DEFAULT_THRESHOLD, disclose
from vawgscope.store import BACKENDS, StoreError

app = typer.Typer(
    help="VAWG problem profiles from police records, surveys and public data.",
    no_args_is_help=True,
    add_completion=False,
)
context_app = typer.Typer(
    help="Context tables (areas, population, premises, weather) from public files.",
    no_args_is_help=True,
)
app.add_typer(context_app, name="context")
INGEST_FORMATS: tuple[str, ...] = ("contract", "police-uk")
console = Console()
USER_ERRORS = (
    IngestError,
    StoreError,
    DatasetError,
    MappingError,
    ValueError,
    FileNotFoundError,
    PermissionError,
)


@contextmanager
def _user_errors() -> Iterator[None]:
    try:
        yield
    except USER_ERRORS as error:
        console.print(f"[bold red]error:[/] {error}", soft_wrap=True)
        raise typer.Exit(2) from None


def _progress() -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.fields[detail]}"),
        TimeElapsedColumn(),
        console=console,
    )


# --- demo-data -------------------------------------------------------------------------------


def _write_demo(out_dir: Path, scale: float, seed: int, fmt: str) -> None:
    from vawgscope.synth import write_demo_world

    with _progress() as progress:
        task = progress.add_task("Building the demo world", total=1.0, detail="")

        def report(step: str, fraction: float) -> None:
            progress.update(task, completed=fraction, detail=step)

        summary = write_demo_world(out_dir, scale=scale, seed=seed, fmt=fmt, progress=report)
        progress.update(task, completed=1.0, detail="done")
    rows = ", ".join(f"{name} {count:,}" for name, count in summary.rows.items())
    console.print(f"Demo world (scale {scale}, seed {seed}) in [bold]{out_dir}[/]: {rows}")


@app.command("demo-data")
def demo_data(
    out_dir: Annotated[Path, typer.Argument(help="Folder to write the dataset into.")],
    scale: Annotated[
        float, typer.Option(help="Multiplies areas, people and crimes (35 ≈ England and Wales).")
    ] = 1.0,
    seed: Annotated[
        int, typer.Option(help="Random seed; the same seed gives the same world.")
    ] = 20220331,
    fmt: Annotated[str, typer.Option("--format", help="parquet or csv.")] = "parquet",
) -> None:
    """Write the synthetic Kent-like demo world as a dataset folder."""
    with _user_errors():
        if fmt not in ("parquet", "csv"):
            raise ValueError("--format must be parquet or csv")
        if scale <= 0:
            raise ValueError("--scale must be positive")
        _write_demo(out_dir, scale, seed, fmt)


# --- ingest ----------------------------------------------------------------------------------


def _run_ingest(
    data_dir: Path,
    store: Path,
    mapping: Path | None,
    rejects: Path | None,
    secret: Path | None,
    fmt: str = "contract",
) -> IngestReport:
    if fmt not in INGEST_FORMATS:
        raise ValueError(f"--format must be one of {', '.join(INGEST_FORMATS)}, got {fmt!r}")
    if fmt == "police-uk" and mapping:
        raise ValueError("--mapping applies to contract folders; police.uk files need none")
    loaded_mapping = load_mapping(mapping) if mapping else None
    with _progress() as progress:
        tasks: dict[str, Any] = {}

        def report(table: str, rows: int) -> None:
            if table not in tasks:
                tasks[table] = progress.add_task(f"Reading {table}", total=None, detail="")
            progress.advance(tasks[table], rows)
            progress.update(
                tasks[table], detail=f"{int(progress.tasks[tasks[table]].completed):,} rows"
            )

        report_ = ingest(
            data_dir,
            store,
            mapping=loaded_mapping,
            rejects_dir=rejects,
            secret_path=secret,
            progress=report,
            format=fmt,  # type: ignore[arg-type]
        )
    _print_ingest(report_)
    return report_


def _print_ingest(report: IngestReport) -> None:
    table = Table(title=f"Ingested into {report.store}")
    for column in ("table", "read", "loaded", "rejected", "main reasons"):
        table.add_column(
            column, justify="right" if column in ("read", "loaded", "rejected") else "left"
        )
    for t in report.tables.values():
        reasons = "; ".join(f"{r} ({n:,})" for r, n in t.top_reasons[:3])
        table.add_row(t.table, f"{t.read:,}", f"{t.loaded:,}", f"{t.rejected:,}", reasons)
    console.print(table)
    tier = "crimes-only (public tier)" if report.crimes_only else "full"
    console.print(f"Dataset: {tier}; fingerprint {report.fingerprint}")
    if any(t.rejected for t in report.tables.values()):
        console.print(f"Rejected rows, with file, row, column and reason: {report.rejects_dir}")
    if report.lookup:
        console.print(f"Pseudonym lookup (restricted) beside the secret: {report.lookup}")
    for warning in report.warnings:
        console.print(f"[yellow]warning:[/] {warning}", soft_wrap=True)


@app.command("ingest")
def ingest_command(
    data_dir: Annotated[
        Path, typer.Argument(help="Folder of table files (CSV or Parquet), or of police.uk files.")
    ],
    store: Annotated[Path, typer.Option(help="DuckDB store file to write.")],
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            help="contract (tables named as the data contract, or by --mapping) or police-uk "
            "(the monthly *-street.csv and *-outcomes.csv files as downloaded, with any context "
            "tables from `vawgscope context build` in the same folder).",
        ),
    ] = "contract",
    mapping: Annotated[
        Path | None, typer.Option(help="YAML mapping of the export onto the contract.")
    ] = None,
    rejects: Annotated[
        Path | None,
        typer.Option(help="Folder for rejected rows (default: rejects/ beside the store)."),
    ] = None,
    secret: Annotated[
        Path | None,
        typer.Option(
            help="Pseudonymisation secret (default: $VAWGSCOPE_SECRET_FILE or "
            "~/.config/vawgscope/secret.key)."
        ),
    ] = None,
) -> None:
    """Validate a dataset folder and load it into a store; rejected rows keep their reasons."""
    with _user_errors():
        _run_ingest(data_dir, store, mapping, rejects, secret, fmt)


# --- context ---------------------------------------------------------------------------------


def _weather_columns(pairs: list[str] | None) -> dict[str, str] | None:
    if not pairs:
        return None
    columns = {}
    for pair in pairs:
        target, sep, source = pair.partition("=")
        if not sep:
            raise ValueError(f"--weather-column must look like tmean_c=TEMP, got {pair!r}")
        columns[target.strip()] = source.strip()
    return columns


@context_app.command("build")
def context_build(
    boundaries: Annotated[
        Path, typer.Option(help="ONS LSOA boundaries (GeoJSON); their edition is the target.")
    ],
    out: Annotated[Path, typer.Option(help="Folder for areas, population, premises, weather.")],
    imd: Annotated[
        list[Path] | None, typer.Option(help="IMD 2019 File 1 (and File 2), .xlsx or CSV.")
    ] = None,
    population: Annotated[
        list[Path] | None, typer.Option(help="Census 2021 TS001, TS007a and TS008 CSVs.")
    ] = None,
    premises: Annotated[Path | None, typer.Option(help="Open Pubs / FSA premises CSV.")] = None,
    weather: Annotated[
        Path | None, typer.Option(help="HadCET daily mean file, or a daily CSV.")
    ] = None,
    weather_column: Annotated[
        list[str] | None,
        typer.Option(help="For a daily CSV: contract column = its column (repeatable)."),
    ] = None,
    lookup: Annotated[Path | None, typer.Option(help="LSOA → local authority lookup CSV.")] = None,
    other_boundaries: Annotated[
        Path | None,
        typer.Option(help="The other LSOA edition's GeoJSON, to put its codes on the target."),
    ] = None,
    edition_lookup: Annotated[
        Path | None, typer.Option(help="Official LSOA 2011 ↔ 2021 lookup CSV (preferred).")
    ] = None,
) -> None:
    """Write the contract's context tables from the public files as published."""
    from vawgscope.context import build_context

    with _user_errors():  # a ContextError is a ValueError naming the file at fault
        report = build_context(
            boundaries=boundaries,
            imd=imd or None,
            population=population or None,
            premises=premises,
            weather=weather,
            lookup=lookup,
            out=out,
            other_boundaries=other_boundaries,
            edition_lookup=edition_lookup,
            weather_columns=_weather_columns(weather_column),
        )
    table = Table(title=f"Context tables in {report.out}")
    table.add_column("table")
    table.add_column("rows", justify="right")
    for name, count in report.rows.items():
        table.add_row(name, f"{count:,}")
    console.print(table)
    if report.edition_unmatched_share is not None:
        console.print(
            f"LSOA edition {report.edition}: {report.edition_codes or 0:,} codes of the other "
            f"edition mapped by {report.edition_method}; "
            f"{100 * report.edition_unmatched_share:.1f}% could not be matched."
        )
    for note in report.notes:
        console.print(f"[yellow]note:[/] {note}", soft_wrap=True)


# --- profile ---------------------------------------------------------------------------------


def _options(options_file: Path | None, settings: dict[str, Any], **flags: Any) -> Options:
    """Options from the YAML file (if any), then the scope flags and settings given."""
    options = Options()
    if options_file:
        data = yaml.safe_load(options_file.read_text(encoding="utf-8")) or {}
        options = options_from_dict(data, str(options_file))
    scope_changes = {k: v for k, v in flags.items() if v is not None}
    for key in ("victim_sex", "perpetrator_sex"):
        if key in scope_changes:
            scope_changes[key] = _sex(scope_changes[key])
    for key in ("offence_groups", "districts", "crime_types"):
        if key in scope_changes:
            scope_changes[key] = tuple(scope_changes[key]) or None
            if not scope_changes[key]:
                del scope_changes[key]
    scope = Scope(**{**options.scope.__dict__, **scope_changes})
    given = {k: v for k, v in settings.items() if v is not None}
    return replace(options, scope=scope, **given)


def _nte_window(text: str | None) -> dict[str, time]:
    if text is None:
        return {}
    try:
        start, end = (time.fromisoformat(part.strip()) for part in text.split("-"))
    except ValueError:
        raise ValueError(f"--nte-window must look like 18:00-06:00, got {text!r}") from None
    return {"nte_start": start, "nte_end": end}


def _run_profile(
    store: Path,
    out: Path,
    options: Options,
    backend: str,
    harm_weights: Path | None,
    public_threshold: int | None = None,
    spark_master: str | None = None,
) -> Path:
    """Profile the store into ``out``; with a threshold, every output is disclosure-controlled."""
    # The analyses and the report bring the statistics and plotting libraries: imported
    # here so the other commands (and --help) start quickly.
    from vawgscope.profile import build_profile, write_profile
    from vawgscope.report import write_report
    from vawgscope.report.maps import area_shapes

    weights = load_harm_weights(harm_weights) if harm_weights else None
    started = clock.perf_counter()
    with _progress() as progress:
        task = progress.add_task("Profiling", total=None, detail="applying the scope")
        ds = Dataset.open(  # type: ignore[arg-type]
            store, options, backend=backend, spark_master=spark_master, harm_weights=weights
        )
        profile = build_profile(ds, progress=lambda name: progress.update(task, detail=name))
        if public_threshold is not None:
            profile = disclose(profile, public_threshold)
        path = write_profile(profile, out)
        progress.update(task, detail="writing the report")
        report = write_report(
            profile, out, public=public_threshold is not None, shapes=area_shapes(ds)
        )
    seconds = clock.perf_counter() - started
    data = profile["dataset"]
    if data.get("note"):
        console.print(f"[bold]{data['note']}[/]")
    console.print(
        f"Profile of {data['crimes']:,} crimes ({data['period'][0] if data['period'] else '-'} to "
        f"{data['period'][1] if data['period'] else '-'}) in {seconds:.1f} s: [bold]{path}[/]"
    )
    console.print(
        f"Report: [bold]{report.html}[/]; tables in {report.tables} and {report.workbook}"
    )
    if public_threshold is not None:
        cells = profile["disclosure"]["suppressed_cells"]
        console.print(
            f"Public edition: counts under {public_threshold} suppressed ({cells:,} table cells "
            "withheld, shown as \\[c]); no person-level data."
        )
    return path


@app.command("profile")
def profile_command(
    source: Annotated[
        Path, typer.Argument(help="A store file, or a dataset folder (ingested first).")
    ],
    out: Annotated[Path, typer.Option(help="Folder for profile.json and the report.")],
    options_file: Annotated[
        Path | None, typer.Option("--options", help="YAML options file.")
    ] = None,
    victim_sex: Annotated[str | None, typer.Option(help="F, M, U or any (default F).")] = None,
    perpetrator_sex: Annotated[str | None, typer.Option(help="F, M, U or any (default M).")] = None,
    perpetrator_min_age: Annotated[
        int | None,
        typer.Option("--min-age", help="Minimum perpetrator age at the offence (default 18)."),
    ] = None,
    domestic: Annotated[str | None, typer.Option(help="all, domestic or non_domestic.")] = None,
    offence_groups: Annotated[
        list[str] | None,
        typer.Option("--offence-group", help="Keep only these groups (repeatable)."),
    ] = None,
    districts: Annotated[
        list[str] | None, typer.Option("--district", help="Keep only these districts (repeatable).")
    ] = None,
    date_from: Annotated[
        str | None, typer.Option("--from", help="First date (YYYY-MM-DD) of occurred_from.")
    ] = None,
    date_to: Annotated[
        str | None, typer.Option("--to", help="Last date (YYYY-MM-DD) of occurred_from.")
    ] = None,
    year_basis: Annotated[str | None, typer.Option(help="calendar or financial.")] = None,
    mix_since: Annotated[
        str | None, typer.Option(help="Offence mix from this date (default 2020-07-01).")
    ] = None,
    growth_since: Annotated[
        str | None, typer.Option(help="Growth base: 12 months from this date (default 2020-01-01).")
    ] = None,
    nte_window: Annotated[
        str | None, typer.Option(help="Night-time-economy window, e.g. 18:00-06:00.")
    ] = None,
    hotspot_neighbours: Annotated[
        str | None, typer.Option(help="Hot-spot neighbours: queen, rook or knn.")
    ] = None,
    crime_types: Annotated[
        list[str] | None,
        typer.Option(
            "--crime-type",
            help="Crimes-only data: the published crime types that stand in for VAWG "
            "(repeatable; default 'Violence and sexual offences').",
        ),
    ] = None,
    keep_anomalous_months: Annotated[
        bool,
        typer.Option(
            "--keep-anomalous-months",
            help="Keep months flagged as anomalously low in trend and forecast models.",
        ),
    ] = False,
    backend: Annotated[str, typer.Option(help=f"Engine: {', '.join(BACKENDS)}.")] = "duckdb",
    spark_master: Annotated[
        str | None,
        typer.Option(
            help="Spark master URL for --backend pyspark, e.g. spark://host:7077 "
            "(default: local[2] on this machine)."
        ),
    ] = None,
    harm_weights: Annotated[
        Path | None,
        typer.Option(help="CSV of harm weights (days) by offence_code or offence_group."),
    ] = None,
    mapping: Annotated[
        Path | None, typer.Option(help="Mapping file, when SOURCE is a folder.")
    ] = None,
    secret: Annotated[
        Path | None, typer.Option(help="Pseudonymisation secret, when SOURCE is a folder.")
    ] = None,
    public: Annotated[
        bool,
        typer.Option(
            "--public",
            help="Public edition: small counts suppressed (see --threshold), no person-level data.",
        ),
    ] = False,
    threshold: Annotated[
        int, typer.Option(min=1, help="Disclosure threshold for --public (default 5).")
    ] = DEFAULT_THRESHOLD,
) -> None:
    """Run the problem profile and write profile.json into --out."""
    with _user_errors():
        settings = {
            "year_basis": year_basis,
            "mix_since": date.fromisoformat(mix_since) if mix_since else None,
            "growth_since": date.fromisoformat(growth_since) if growth_since else None,
            "hotspot_neighbours": hotspot_neighbours,
            "keep_anomalous_months": keep_anomalous_months or None,
            **_nte_window(nte_window),
        }
        options = _options(
            options_file,
            settings,
            victim_sex=victim_sex,
            perpetrator_sex=perpetrator_sex,
            perpetrator_min_age=perpetrator_min_age,
            domestic=domestic,
            offence_groups=offence_groups,
            districts=districts,
            crime_types=crime_types,
            date_from=date.fromisoformat(date_from) if date_from else None,
            date_to=date.fromisoformat(date_to) if date_to else None,
        )
        store = source
        if source.is_dir():
            store = out / "store.duckdb"
            _run_ingest(source, store, mapping, out / "rejects", secret)
        _run_profile(
            store, out, options, backend, harm_weights, threshold if public else None, spark_master
        )


# --- perpetrators --------------------------------------------------------------------------


@app.command("perpetrators")
def perpetrators_command(
    source: Annotated[
        Path, typer.Argument(help="A store file, or a dataset folder (ingested first).")
    ],
    out: Annotated[Path, typer.Option(help="CSV file to write (RESTRICTED: keep it secure).")],
    top: Annotated[
        int | None, typer.Option(help="Keep the top N ranks (ties at the cut kept).")
    ] = None,
    since: Annotated[
        str | None, typer.Option(help="Only perpetrators with a crime on or after this date.")
    ] = None,
    reveal: Annotated[
        bool, typer.Option(help="Add original ids from the lookup beside the secret (logged).")
    ] = False,
    options_file: Annotated[
        Path | None, typer.Option("--options", help="YAML options file.")
    ] = None,
    harm_weights: Annotated[Path | None, typer.Option(help="CSV of harm weights.")] = None,
    mapping: Annotated[
        Path | None, typer.Option(help="Mapping file, when SOURCE is a folder.")
    ] = None,
    secret: Annotated[Path | None, typer.Option(help="Pseudonymisation secret.")] = None,
) -> None:
    """Write the RESTRICTED priority-perpetrator list (pseudonymous ids; never in a report)."""
    from vawgscope import perpetrators

    with _user_errors():
        options = _options(options_file, {})
        store = source
        if source.is_dir():
            store = out.parent / "store.duckdb"
            _run_ingest(source, store, mapping, out.parent / "rejects", secret)
        weights = load_harm_weights(harm_weights) if harm_weights else None
        ds = Dataset.open(store, options, harm_weights=weights)
        rows = perpetrators.priority_perpetrators(
            ds, top=top, since=date.fromisoformat(since) if since else None
        )
        if reveal:
            secret_path = (secret or default_secret_path()).expanduser().resolve()
            rows = perpetrators.reveal(
                rows, lookup_path(secret_path, store.resolve()), secret_path, info=ds.info, out=out
            )
        perpetrators.write_priority_list(rows, out)
        console.print(
            f"[bold]RESTRICTED[/] priority list of {len(rows):,} perpetrators: [bold]{out}[/]"
            + (" (original ids added; the reveal is logged beside the secret)" if reveal else "")
        )


# --- demo ------------------------------------------------------------------------------------


# --- survey ----------------------------------------------------------------------------------


@app.command("demo-survey")
def demo_survey(
    out_dir: Annotated[Path, typer.Argument(help="Folder to write responses.csv into.")],
    seed: Annotated[int, typer.Option(help="Random seed; the same seed, the same survey.")] = (
        20211031
    ),
) -> None:
    """Write the synthetic safety survey (8,263 respondents, Kent-like, Aug–Oct 2021)."""
    from vawgscope.survey import write_demo_survey

    with _user_errors():
        path = write_demo_survey(out_dir, seed=seed)
    console.print(f"Demo survey (seed {seed}): [bold]{path}[/]")


def _run_survey(
    survey_dir: Path,
    out: Path,
    areas: Path | None,
    places: Path | None,
    public_threshold: int | None = None,
) -> Path:
    from vawgscope.survey import run_survey

    started = clock.perf_counter()
    with console.status("Analysing the survey"):
        survey = run_survey(
            survey_dir, out, areas=areas, places=places, public_threshold=public_threshold
        )
    h = survey["headlines"]
    console.print(
        f"Survey of {h['respondents']:,} respondents in {clock.perf_counter() - started:.1f} s: "
        f"[bold]{out / 'survey.json'}[/], report [bold]{out / 'survey.html'}[/]"
    )
    read = survey["survey"]
    console.print(
        f"Rows read {read['read']:,}: loaded {read['respondents']:,}, rejected {read['rejected']:,}"
    )
    if read["rejected"]:
        console.print(f"Rejected rows, with row, column and reason: {read['rejects']}")
    if public_threshold is not None:
        cells = survey["disclosure"]["suppressed_cells"]
        console.print(
            f"Public edition: counts under {public_threshold} withheld ({cells:,} table cells, "
            "shown as \\[c]); quotes redacted."
        )
    return out / "survey.json"


@app.command("survey")
def survey_command(
    survey_dir: Annotated[
        Path, typer.Argument(help="Folder with responses.csv (or .parquet), one row a person.")
    ],
    out: Annotated[Path, typer.Option(help="Folder for survey.json, survey.html and tables.")],
    areas: Annotated[
        Path | None, typer.Option(help="The areas table (CSV), to match place names against.")
    ] = None,
    places: Annotated[
        Path | None,
        typer.Option(help="Extra place names (CSV like survey/data/places.csv, or one a line)."),
    ] = None,
    public: Annotated[
        bool, typer.Option("--public", help="Public edition: small counts withheld.")
    ] = False,
    threshold: Annotated[
        int, typer.Option(min=1, help="Disclosure threshold for --public (default 5).")
    ] = DEFAULT_THRESHOLD,
) -> None:
    """Analyse a safety survey: feeling safe, precautions, victimisation, reporting, themes."""
    with _user_errors():
        _run_survey(survey_dir, out, areas, places, threshold if public else None)


@app.command("demo")
def demo(
    out: Annotated[Path, typer.Option(help="Folder for everything the demo writes.")] = Path(
        "out/demo"
    ),
    scale: Annotated[float, typer.Option(help="Demo world scale.")] = 1.0,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 20220331,
) -> None:
    """Build the demo world and survey, ingest, profile and analyse: the whole job, end to end."""
    with _user_errors():
        data_dir, store = out / "data", out / "store.duckdb"
        _write_demo(data_dir, scale, seed, "parquet")
        _run_ingest(data_dir, store, None, out / "rejects", None)
        path = _run_profile(store, out, Options(), "duckdb", None)
        survey_dir = out / "survey"
        from vawgscope.survey import write_demo_survey

        write_demo_survey(survey_dir / "data")
        survey = _run_survey(survey_dir / "data", survey_dir, None, None)
        console.print(
            f"\nOutputs in [bold]{out}[/]: demo data {data_dir}, store {store}, profile {path}, "
            f"survey {survey}"
        )


if __name__ == "__main__":  # pragma: no cover
    app()
