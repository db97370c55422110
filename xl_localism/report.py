"""Plain renderings of an Assessment: the stable JSON interface and the terminal tables."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from xl_localism.flag_rows import flag_row
from xl_localism.models import Assessment, Component
from xl_localism.vocab import Driver

RAG_STYLE = {"Green": "bold green", "Amber": "bold yellow", "Red": "bold red", None: "dim"}
SEVERITY_STYLE = {"critical": "bold red", "error": "red", "warning": "yellow", "info": "cyan"}
JSON_VERSION = 1
# The scoring method the numbers follow (docs/method.md); JSON_VERSION is the shape of the keys.
METHOD_VERSION = 2


def _fraction(component: Component) -> float | None:
    return None if component.value is None else round(component.value, 4)


def to_json(assessment: Assessment) -> dict[str, Any]:
    """The stable machine interface (issue #3): other tools read these keys, keep them."""
    return {
        "version": JSON_VERSION,
        "method": METHOD_VERSION,
        "trust": assessment.trust,
        "nation": assessment.nation.value,
        "region": assessment.region,
        "as_at": assessment.as_at.isoformat() if assessment.as_at else None,
        "source": assessment.source_name,
        "score": assessment.score,
        "rag": assessment.rag.value,
        "rag_before_cap": assessment.rag_before_cap.value,
        "capped_by": assessment.capped_by,
        "components": {
            "S": _fraction(assessment.self_assessment),
            "A": _fraction(assessment.alignment),
            "P": _fraction(assessment.performance),
        },
        "alignment": {
            "A1": _fraction(assessment.linkage),
            "A2": _fraction(assessment.driver_coverage),
            "A3": _fraction(assessment.measure_alignment),
        },
        "drivers": {d.driver.value: d.score for d in assessment.drivers},
        "driver_rag": {d.driver.value: d.rag.value if d.rag else None
                       for d in assessment.drivers},
        "driver_explanation": {d.driver.value: d.explanation for d in assessment.drivers},
        "ni_measurable": [d.value for d in assessment.ni_measurable],
        "progress": round(assessment.progress, 4),
        "performance": {
            "horizontal": _axis(assessment.performance_targets),
            "vertical": _axis(assessment.performance_measures),
        },
        "targets": [
            {"laa": t.laa, "ni": t.ni, "title": t.title, "role": t.role.value,
             "drivers": [d.value for d in t.drivers], "relevant": t.relevant, "linked": t.linked,
             "baseline": t.baseline, "target": t.target, "latest": t.latest,
             "expected": _rounded(t.expected), "status": t.status.value if t.status else None,
             "explanation": t.explanation, "sheet": t.sheet, "row": t.row}
            for t in assessment.targets
        ],
        "measures": [
            {"code": m.code, "measure": m.measure, "driver": m.driver.value if m.driver else None,
             "polarity": m.polarity.value if m.polarity else None, "target": m.target,
             "actual": m.actual, "linked_ni": m.linked_ni, "aligned": m.aligned,
             "counts_for_alignment": m.counts_for_alignment, "status": m.status.value,
             "explanation": m.explanation, "sheet": m.sheet, "row": m.row}
            for m in assessment.measures
        ],
        "flag_counts": {s.value: n for s, n in assessment.flag_counts().items()},
        "flags": [
            {"code": f.code, "severity": f.severity.value, "sheet": f.sheet, "cell": f.cell,
             "message": f.message, "action": f.action}
            for f in assessment.flags
        ],
        "explanation": explain(assessment),
    }


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _axis(component: Component) -> dict[str, Any]:
    """One axis of P: its value and how many of each status it pooled."""
    counts = component.counts
    return {"value": _fraction(component), "green": counts.get("Green", 0),
            "amber": counts.get("Amber", 0), "red": counts.get("Red", 0),
            "no_data": counts.get("No data", 0)}


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.1f}%"


def explain(assessment: Assessment) -> list[str]:
    """How the score was reached, line by line, for a manager to defend it to a board."""
    lines = [f"Progress: {assessment.progress_note}."]
    for component in (assessment.self_assessment, assessment.linkage, assessment.driver_coverage,
                      assessment.measure_alignment, assessment.alignment,
                      assessment.performance):
        if component.value is None:
            lines.append(f"{component.name}: {component.note}.")
        elif component is assessment.alignment:
            parts = [c for c in (assessment.linkage, assessment.driver_coverage,
                                 assessment.measure_alignment) if c.value is not None]
            lines.append(f"A = ({' + '.join(_pct(c.value) for c in parts)}) / {len(parts)} = "
                         f"{_pct(component.value)} ({component.note}).")
        else:
            lines.append(f"{component.name} = {component.numerator:g} / "
                         f"{component.denominator:g} = {_pct(component.value)} "
                         f"({component.note}).")
    for axis in (assessment.performance_targets, assessment.performance_measures):
        if axis.value is None:
            lines.append(f"{axis.name}: {axis.note}.")
        else:
            lines.append(f"{axis.name} = {axis.numerator:g} / {axis.denominator:g} = "
                         f"{_pct(axis.value)} ({axis.note}).")
    measurable = ", ".join(d.value for d in assessment.ni_measurable) or "none"
    lines.append(f"Drivers a National Indicator can show: {measurable}; A3 counts only measures "
                 "of these drivers (or with no driver), and a driver outside them has no A3.")
    settings = assessment.settings
    lines.append(f"Weights: S {settings.weight_self_assessment:g}, A "
                 f"{settings.weight_alignment:g}, P {settings.weight_performance:g}; "
                 f"Green ≥ {settings.green_threshold:g}, Amber ≥ {settings.amber_threshold:g}.")
    lines.append("Driver scores = 100 × (0.5×A1 + 0.25×A3 + 0.25×P) ÷ the sum of the weights of "
                 "the parts that exist:")
    lines.extend(f"{d.driver.value}: {d.explanation}." for d in assessment.drivers)
    lines.extend(assessment.notes)
    lines.append(f"Readiness {assessment.score:.1f} → {assessment.rag.value}.")
    return lines


def render_assessment(console: Console, assessment: Assessment, *, max_flags: int = 40) -> None:
    head = Table.grid(padding=(0, 2))
    head.add_row("[bold]Trust[/]", escape(assessment.trust), "[bold]Nation[/]",
                 assessment.nation.value,
                 "[bold]As at[/]", f"{assessment.as_at or '—'}")
    console.print(head)
    console.print(f"Readiness score [bold]{assessment.score:.1f}[/] — "
                  f"[{RAG_STYLE[assessment.rag.value]}]{assessment.rag.value}[/]"
                  + (f" (capped from Green by {', '.join(assessment.capped_by)})"
                     if assessment.rag is not assessment.rag_before_cap else ""))

    components = Table(title="Components", title_justify="left")
    for header in ("", "value", "how"):
        components.add_column(header)
    for component in (assessment.self_assessment, assessment.alignment, assessment.performance,
                      assessment.performance_targets, assessment.performance_measures):
        components.add_row(escape(component.name), _pct(component.value),
                           escape(component.note))
    console.print(components)
    console.print("[bold]How the score was reached[/]")
    for line in explain(assessment):
        console.print(f"  {escape(line)}", highlight=False)

    drivers = Table(title="Outcome drivers", title_justify="left")
    for header in ("driver", "name", "score", "RAG", "relevant targets", "measures", "A1", "A3",
                   "P"):
        drivers.add_column(header)
    for d in assessment.drivers:
        drivers.add_row(
            d.driver.value, d.name, "not covered" if d.score is None else f"{d.score:.1f}",
            f"[{RAG_STYLE[d.rag.value if d.rag else None]}]{d.rag.value if d.rag else '—'}[/]",
            str(d.relevant_targets), str(d.measures), _pct(d.linkage.value),
            _pct(d.measure_alignment.value),
            _pct(d.performance.value),
        )
    console.print(drivers)
    render_flags(console, assessment.flags[:max_flags])
    if len(assessment.flags) > max_flags:
        console.print(f"… and {len(assessment.flags) - max_flags} more flags (use --json).")


def render_flags(console: Console, flags: Iterable[Any]) -> None:
    table = Table(title="Flags", title_justify="left")
    for header in ("severity", "code", "where", "message"):
        table.add_column(header, overflow="fold")
    for flag in flags:
        severity, code, sheet, cell, message, _ = flag_row(flag)
        # "LAA Targets!F7", or "LAA Targets row 7" for a flag on a whole row.
        where = ("!" if cell and not cell.startswith("row ") else " ").join(
            p for p in (sheet, cell) if p) or "—"
        # Messages quote what trusts typed: never let that text be read as rich markup.
        table.add_row(f"[{SEVERITY_STYLE[severity]}]{severity}[/]", code, escape(where),
                      escape(message))
    console.print(table)


# Past this many trusts the terminal shows the top and the bottom of the league and a count:
# a screenful is what a person reads there, and rich takes ~0.8 ms a row (7.6 s for 10,000).
LEAGUE_ROWS = 50


def render_league(console: Console, results: Iterable[dict[str, Any]], title: str, *,
                  max_rows: int = LEAGUE_ROWS) -> None:
    """A ranked table of results in the JSON form of :func:`to_json` (scored or from a cache).

    More than ``max_rows`` results: the first and last ``max_rows // 2`` by rank and, between
    them, how many more there are (the national report's League table sheet has them all).
    """
    table = Table(title=title, title_justify="left")
    for header in ("#", "trust", "nation", "as at", "score", "RAG", *[d.value for d in Driver],
                   "critical", "errors", "warnings"):
        table.add_column(header)
    ranked = sorted(results, key=lambda r: (-r["score"], r["trust"].casefold()))
    hidden = len(ranked) - max_rows
    for rank, r in enumerate(ranked, start=1):
        if hidden > 0 and max_rows // 2 < rank <= max_rows // 2 + hidden:
            if rank == max_rows // 2 + 1:
                table.add_row("…", f"{hidden:,} more in the report", style="dim")
            continue
        counts = r["flag_counts"]
        table.add_row(
            str(rank), escape(r["trust"]), r["nation"], r.get("as_at") or "—",
            f"{r['score']:.1f}", f"[{RAG_STYLE[r['rag']]}]{r['rag']}[/]",
            *["—" if r["drivers"][d.value] is None else f"{r['drivers'][d.value]:.0f}"
              for d in Driver],
            str(counts["critical"]), str(counts["error"]), str(counts["warning"]),
        )
    console.print(table)
