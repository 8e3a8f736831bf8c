"""The self-contained HTML problem profile: one file, plotly.js and styles inlined."""

from __future__ import annotations

from importlib import resources
from typing import Any

import jinja2
from plotly.offline import get_plotlyjs

from vawgscope.report import charts, format
from vawgscope.report.conclusions import key_conclusions
from vawgscope.report.disclosure import marked
from vawgscope.report.layout import SECTIONS, section_of
from vawgscope.report.maps import AreaShapes

#: Rows of a table shown in the page; the CSV and Excel files hold them all.
MAX_ROWS = 200
PRINT_ROWS = 40


def _environment() -> jinja2.Environment:
    loader = jinja2.PackageLoader("vawgscope.report", "templates")
    return jinja2.Environment(loader=loader, autoescape=jinja2.select_autoescape(["html", "j2"]))


def _table(name: str, rows: list[dict[str, Any]], file: str) -> dict[str, Any]:
    columns: dict[str, None] = {}
    for row in rows:
        columns.update(dict.fromkeys(row))
    shown = rows[:MAX_ROWS]
    return {
        "name": name.replace("_", " "),
        "columns": list(columns),
        "rows": [[format.value(row.get(c)) for c in columns] for row in shown],
        "truncated": len(rows) > len(shown),
        "total": len(rows),
        "file": file,
        # Long tables stay on screen but are left out of a printed copy (the CSV has them).
        "long": len(rows) > PRINT_ROWS,
    }


def _finding(finding: dict[str, Any], index: int, context: dict[str, Any]) -> dict[str, Any]:
    chart = charts.render(finding, index, context)
    figures = [
        (k.replace("_", " "), format.value(v, as_share="share" in k))
        for k, v in finding.get("figures", {}).items()
        if not isinstance(v, list | dict) or format.is_estimate(v)
    ]
    return {
        **finding,
        "chart": chart,
        "alt": f"Chart for {finding['title']}: {finding['summary']}",
        "figures": figures,
        "tables": [
            _table(n, marked(r, finding.get("suppressed", {}).get(n)), f"{finding['id']}__{n}.csv")
            for n, r in finding.get("tables", {}).items()
        ],
    }


def _kent_rows(profile: dict[str, Any]) -> list[dict[str, str]]:
    out = []
    for row in profile.get("kent_comparison", []):
        agrees = row.get("agrees")
        out.append(
            {
                "headline": row["headline"].replace("_", " "),
                "this_dataset": "–"
                if row.get("this_dataset") is None
                else format.value(row["this_dataset"]),
                "kent": format.value(row["kent"]),
                "agrees": {True: "yes", False: "no", None: "–"}[agrees],
                "agrees_class": {True: "yes", False: "no", None: "na"}[agrees],
            }
        )
    return out


def _hot_spots(profile: dict[str, Any]) -> list[str]:
    for finding in profile.get("findings", []):
        if finding["id"] == "lsoa_hotspots" and finding.get("status") == "ok":
            table = finding["tables"].get("lsoa_hotspots", [])
            return [r["lsoa_code"] for r in table if r.get("spot_crimes") == "hot"]
    return []


def render_html(
    profile: dict[str, Any], *, public: bool = False, shapes: AreaShapes | None = None
) -> str:
    """The whole report as one HTML string; ``shapes`` draw the area map."""
    dataset = {**profile["dataset"], "shapes": shapes, "hot_spots": _hot_spots(profile)}
    period = dataset.get("period") or ["–", "–"]
    by_section: dict[str, list[dict[str, Any]]] = {s.anchor: [] for s in SECTIONS}
    for index, finding in enumerate(profile.get("findings", [])):
        anchor = section_of(finding.get("family", ""), finding["id"])
        by_section[anchor].append(_finding(finding, index, dataset))
    sections = [
        {"anchor": s.anchor, "title": s.title, "intro": s.intro, "findings": by_section[s.anchor]}
        for s in SECTIONS
    ]
    css = resources.files("vawgscope.report").joinpath("templates/style.css").read_text("utf-8")
    lede = (
        f"{format.number(dataset.get('crimes'))} crimes in scope from {period[0]} to {period[1]}"
        + (
            f", {format.number(dataset['victims'])} victims and "
            f"{format.number(dataset['perpetrators'])} perpetrators."
            if dataset.get("victims") is not None
            else "."
        )
    )
    return (
        _environment()
        .get_template("profile.html.j2")
        .render(
            title="VAWG problem profile",
            lede=lede,
            note=dataset.get("note"),
            public=public,
            disclosure=profile.get("disclosure"),
            css=css,
            plotly_js=get_plotlyjs(),
            conclusions=key_conclusions(profile),
            kent=_kent_rows(profile),
            sections=sections,
            generator=profile.get("generator", "vawgscope"),
            fingerprint=dataset.get("fingerprint", ""),
        )
    )
