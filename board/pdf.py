"""The board report as people read it: the page and the PDF, drawn from a snapshot.

``present_snapshot`` turns a frozen snapshot into display values (formatted
figures, the RAG word beside every colour, the charts' SVG); the report page
and the PDF template both use it, so they show the same thing.
``render_report_pdf`` prints it with WeasyPrint: a cover, a one-page summary,
a page per objective with its chart and actions, and what changed.
"""

from __future__ import annotations

import base64
import logging
from datetime import date

from board import charts, metrics, rag
from smartnet.pdf import render_pdf

# WeasyPrint logs every layout step at INFO; only its warnings are worth reading.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


def _light(rag_data: dict) -> dict:
    override = rag_data.get("override")
    return {
        "colour": rag_data["colour"],
        "word": rag.word(rag_data["colour"]),
        "computed": rag_data["computed"],
        "computed_word": rag.word(rag_data["computed"]),
        "overridden": bool(override),
        "override_reason": override["reason"] if override else "",
        "override_by": override["by"] if override else "",
        "override_words": rag.override_in_words(
            shown=rag_data["colour"],
            computed=rag_data["computed"],
            by=override["by"],
            reason=override["reason"],
        )
        if override
        else "",
    }


def _rollup(data: dict) -> dict:
    colour = data.get("colour")
    return {
        "colour": colour or "grey",
        "word": rag.word(colour) if colour else "None",
        "counts": rag.counts_in_order(data["counts"]),
        "counts_words": rag.counts_in_words(data["counts"]),
        "total": sum(data["counts"].values()),
    }


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _chart_image(svg: str) -> str:
    """The SVG as a data URI: WeasyPrint draws an <img> SVG in isolation, at its own size."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode("ascii")


def present_snapshot(snapshot: dict, *, with_charts: bool = True, for_pdf: bool = False) -> dict:
    """Display values for a report page or PDF, from the frozen snapshot only.

    Pages get each chart as inline SVG; the PDF gets the same SVG as an image.
    """
    objectives = []
    for o in snapshot["objectives"]:
        unit = o["unit"]
        objectives.append(
            {
                "id": o["id"],
                "title": o["title"],
                "description": o["description"],
                "measure": o["measure"],
                "is_manual": not o["metric_key"],
                "manual_source": o["manual_source"],
                "manual_recorded_on": _date(o.get("manual_recorded_on")),
                "owner": o["owner"],
                "value": metrics.format_value(o["value"], unit),
                "expected": metrics.format_value(o["expected"], unit),
                "baseline": metrics.format_value(o["baseline"]["value"], unit),
                "baseline_date": _date(o["baseline"]["date"]),
                "target": metrics.format_value(o["target"]["value"], unit),
                "target_date": _date(o["target"]["date"]),
                "direction": "higher is better" if o["higher_is_better"] else "lower is better",
                "tolerance_percent": o["tolerance_percent"],
                "light": _light(o["rag"]),
                "actions_rollup": _rollup(o["actions_rollup"]),
                "overall": _rollup(o["overall"]),
                "chart": None,
                "chart_img": "",
                "chart_summary": _chart_summary(o),
                "actions": [
                    {
                        "title": a["title"],
                        "owner": a["owner"],
                        "due_date": _date(a["due_date"]),
                        "status": a["status_label"],
                        "progress_note": a["progress_note"],
                        "at_risk": a["at_risk"],
                        "light": _light(a["rag"]),
                    }
                    for a in o["actions"]
                ],
            }
        )
    for index, shown in enumerate(objectives):
        shown["previous_id"] = objectives[index - 1]["id"] if index else None
        shown["next_id"] = objectives[index + 1]["id"] if index + 1 < len(objectives) else None
    if with_charts:
        for shown, o in zip(objectives, snapshot["objectives"], strict=True):
            if for_pdf:
                chart = charts.trend_chart(o["chart"], title=o["title"], unit=o["unit"])
                shown["chart_img"] = _chart_image(str(chart.svg))
            else:
                shown["chart"] = charts.trend_chart_for_screens(
                    o["chart"], title=o["title"], unit=o["unit"]
                )
    return {
        "as_of": _date(snapshot["as_of"]),
        "meeting_date": _date(snapshot["meeting"]["date"]),
        "meeting_title": snapshot["meeting"]["title"],
        "summary": _rollup(snapshot["summary"]),
        "objectives": objectives,
        "changes": snapshot.get("changes", []),
        "previous": snapshot.get("previous"),
        "thresholds": snapshot["thresholds"],
        "action_count": sum(len(o["actions"]) for o in objectives),
    }


def _chart_summary(o: dict) -> str:
    """A sentence saying what the chart shows (its text alternative)."""
    unit = o["unit"]
    return (
        f"{o['title']}: {metrics.format_value(o['value'], unit)} against "
        f"{metrics.format_value(o['expected'], unit)} expected on the line from "
        f"{metrics.format_value(o['baseline']['value'], unit)} ({o['baseline']['date']}) to "
        f"{metrics.format_value(o['target']['value'], unit)} ({o['target']['date']})."
    )


def render_snapshot_pdf(snapshot: dict, *, status_label: str, issued_at=None) -> bytes:
    context = present_snapshot(snapshot, for_pdf=True)
    context.update({"status_label": status_label, "issued_at": issued_at})
    return render_pdf("board/report_pdf.html", context)


def render_report_pdf(report) -> bytes:
    """The PDF of a report: the stored one once issued, otherwise drawn from the draft."""
    if report.is_issued and report.pdf:
        return bytes(report.pdf)
    return render_snapshot_pdf(
        report.snapshot,
        status_label="ISSUED" if report.is_issued else report.get_status_display().upper(),
        issued_at=report.issued_at,
    )
