"""The survey report: ``survey.html`` (one self-contained file, the profile's style and the
inlined plotly.js) and every table as ``tables/FINDING__TABLE.csv``."""

from __future__ import annotations

import csv
import json
from collections import Counter
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
import plotly.graph_objects as go
from plotly.offline import get_plotlyjs
from plotly.subplots import make_subplots

from vawgscope.contract.vocab import SURVEY_AGE_BANDS, SURVEY_PLACES
from vawgscope.report import format
from vawgscope.report.charts.base import PALETTE, figure_html, share_bars, styled
from vawgscope.report.disclosure import marked

#: Rows of a table shown in the page; the CSV files hold them all.
MAX_ROWS = 200
#: Places named on the map (the rest on hover).
MAP_LABELS = 10
ChartBuilder = Callable[[dict[str, Any]], go.Figure | None]


def _safety_heatmap(finding: dict[str, Any]) -> go.Figure | None:
    rows = finding["tables"].get("safety_by_band_place", [])
    if not rows:
        return None
    fig = make_subplots(rows=1, cols=2, subplot_titles=("By day", "At night"), shared_yaxes=True)
    for col, time in enumerate(("day", "night"), start=1):
        cells = {(r["place"], r["age_band"]): r["mean_score"] for r in rows if r["time"] == time}
        z = [[cells.get((p, b)) for b in SURVEY_AGE_BANDS] for p in SURVEY_PLACES]
        fig.add_trace(
            go.Heatmap(
                z=z,
                x=list(SURVEY_AGE_BANDS),
                y=[p.replace("_", " ") for p in SURVEY_PLACES],
                zmin=1,
                zmax=5,
                colorscale="RdBu",
                showscale=col == 2,
                colorbar={"title": "mean score"},
                hovertemplate="%{y}, %{x}: %{z:.2f}<extra></extra>",
            ),
            row=1,
            col=col,
        )
    fig = styled(fig, "Mean feeling of safety (1 very unsafe … 5 very safe)")
    fig.update_layout(height=480)
    return fig


def _extremes_bars(finding: dict[str, Any]) -> go.Figure | None:
    rows = finding["tables"].get("in_n_places", [])
    if not rows:
        return None
    fig = go.Figure()
    keys = ("least_safe_band_night", "least_safe_band_day", "safest_band_night", "safest_band_day")
    for i, key in enumerate(keys):
        fig.add_trace(
            go.Bar(
                x=[r["band"] for r in rows],
                y=[r[key] for r in rows],
                name=key.replace("_band_", ", ").replace("_", " "),
                marker_color=PALETTE[i],
            )
        )
    fig.update_yaxes(title="places (of 12)")
    return styled(fig, "In how many places each age band is least safe or safest")


def _share_chart(table: str, label: str, title: str) -> ChartBuilder:
    def build(finding: dict[str, Any]) -> go.Figure | None:
        return share_bars(finding["tables"].get(table, []), label, title, "% of those answering")

    return build


def _places_map(finding: dict[str, Any]) -> go.Figure | None:
    rows = [r for r in finding["tables"].get("places_named", []) if r.get("easting") is not None]
    if not rows:
        return None
    largest = max(r["mentions"] for r in rows)
    # Name the most mentioned on the map; every place has its name on hover.
    labelled = {r["place"] for r in sorted(rows, key=lambda r: -r["mentions"])[:MAP_LABELS]}
    fig = go.Figure(
        go.Scatter(
            x=[r["easting"] for r in rows],
            y=[r["northing"] for r in rows],
            mode="markers+text",
            text=[r["place"] if r["place"] in labelled else "" for r in rows],
            hovertext=[r["place"] for r in rows],
            textposition="top center",
            textfont={"size": 9},
            marker={
                "size": [8 + 30 * (r["mentions"] / largest) ** 0.5 for r in rows],
                "color": [
                    PALETTE[0] if r["located_by"] == "gazetteer" else PALETTE[1] for r in rows
                ],
                "opacity": 0.7,
            },
            customdata=[[r["mentions"], r["located_by"]] for r in rows],
            hovertemplate="%{hovertext}: %{customdata[0]} mentions (%{customdata[1]})"
            "<extra></extra>",
        )
    )
    fig.update_xaxes(title="easting (m)", showgrid=False)
    fig.update_yaxes(title="northing (m)", scaleanchor="x", scaleratio=1, showgrid=False)
    fig = styled(fig, "Places named (British National Grid; orange: located approximately)")
    fig.update_layout(height=520)
    return fig


CHARTS: dict[str, ChartBuilder] = {
    "feeling_unsafe": _safety_heatmap,
    "safety_extremes": _extremes_bars,
    "precautions": _share_chart("precautions", "item", "Precautions taken"),
    "victimisation": _share_chart("victim_of", "item", "Victims in the last year, by crime"),
    "reporting": _share_chart("reported_by_band", "age_band", "Victims who reported, by age"),
    "reasons_not_reported": _share_chart("reasons_not_reported", "theme", "Why not reported"),
    "themes": _share_chart("themes", "label", "Themes of the free-text answers"),
    "places_named": _places_map,
}


def _chart(finding: dict[str, Any], index: int) -> str | None:
    builder = CHARTS.get(finding["id"])
    if builder is None or finding.get("status") != "ok":
        return None
    fig = builder(finding)
    return None if fig is None else figure_html(fig, index)


def _columns(rows: list[dict[str, Any]]) -> list[str]:
    names: dict[str, None] = {}
    for row in rows:
        names.update(dict.fromkeys(row))
    return list(names)


def _table(name: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
    columns = _columns(rows)
    shown = rows[:MAX_ROWS]
    return {
        "name": name.replace("_", " "),
        "columns": columns,
        "rows": [
            [format.value(row.get(c), as_share=_is_share(c)) for c in columns] for row in shown
        ],
        "truncated": len(rows) > len(shown),
        "total": len(rows),
    }


def _is_share(column: str) -> bool:
    return "share" in column or column in ("low", "high") or column.startswith("unsafe_")


def _finding(finding: dict[str, Any], index: int) -> dict[str, Any]:
    figures = [
        (k.replace("_", " "), format.value(v, as_share="share" in k))
        for k, v in finding.get("figures", {}).items()
        if not isinstance(v, list | dict) or format.is_estimate(v)
    ]
    return {
        **finding,
        "chart": _chart(finding, index),
        "alt": f"Chart for {finding['title']}: {finding['summary']}",
        "figures": figures,
        "quotes": finding.get("tables", {}).get("quotes", []) if finding["id"] == "themes" else [],
        "tables": [
            _table(n, marked(r, finding.get("suppressed", {}).get(n)))
            for n, r in finding.get("tables", {}).items()
        ],
    }


def _headline_value(key: str, value: Any) -> str:
    if value is None:
        return "not available"
    if key == "themes":
        return "; ".join(f"{t['label']} ({format.share(t['share'])})" for t in value)
    if key == "places_named":
        return "; ".join(f"{p['place']} ({p['mentions']:,})" for p in value[:15]) + (
            f"; and {len(value) - 15} more" if len(value) > 15 else ""
        )
    if key.endswith(("_night", "_day")) and isinstance(value, dict):
        counts = Counter(value.values())
        lead = ", ".join(
            f"{band} in {n} of {len(value)} places" for band, n in counts.most_common()
        )
        return f"{lead} ({format.value(value)})"
    return format.value(value, as_share=key.endswith("_share"))


def render_survey_html(survey: dict[str, Any]) -> str:
    """The survey report as one HTML string (no network needed to open it)."""
    loader = jinja2.PackageLoader("vawgscope.survey", "templates")
    env = jinja2.Environment(loader=loader, autoescape=jinja2.select_autoescape(["html", "j2"]))
    css = resources.files("vawgscope.report").joinpath("templates/style.css").read_text("utf-8")
    meta = survey["survey"]
    period = meta.get("period") or ["–", "–"]
    lede = (
        f"{meta['respondents']:,} respondents from {period[0]} to {period[1]}"
        f" ({meta['rejected']:,} rows rejected; see rejects/responses.csv)."
    )
    return env.get_template("survey.html.j2").render(
        title="VAWG safety survey",
        lede=lede,
        note=meta.get("note"),
        css=css,
        plotly_js=get_plotlyjs(),
        headlines=[
            {"name": k.replace("_", " "), "value": _headline_value(k, v)}
            for k, v in survey["headlines"].items()
        ],
        findings=[_finding(f, i) for i, f in enumerate(survey["findings"])],
        generator=survey.get("generator", "vawgscope"),
    )


def _cell(value: Any) -> Any:
    return json.dumps(value, default=str) if isinstance(value, dict | list | tuple) else value


def write_survey_tables(survey: dict[str, Any], folder: Path) -> list[Path]:
    """Every finding's tables as ``FINDING__TABLE.csv`` in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for finding in survey["findings"]:
        suppressed = finding.get("suppressed", {})
        for name, rows in finding.get("tables", {}).items():
            rows = marked(rows, suppressed.get(name))
            path = folder / f"{finding['id']}__{name}.csv"
            columns = _columns(rows)
            with path.open("w", newline="", encoding="utf-8") as handle:
                writer = csv.writer(handle)
                writer.writerow(columns)
                writer.writerows([_cell(row.get(c)) for c in columns] for row in rows)
            written.append(path)
    return written
