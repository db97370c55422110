"""The terminal's renderings of an assessment and of a batch's league table (rich)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from xl_localism.explanation import as_percent, explain
from xl_localism.flag_rows import flag_row
from xl_localism.models import Assessment
from xl_localism.vocab import Driver

RAG_STYLE = {"Green": "bold green", "Amber": "bold yellow", "Red": "bold red", None: "dim"}
SEVERITY_STYLE = {"critical": "bold red", "error": "red", "warning": "yellow", "info": "cyan"}


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
        components.add_row(escape(component.name), as_percent(component.value),
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
            str(d.relevant_targets), str(d.measures), as_percent(d.linkage.value),
            as_percent(d.measure_alignment.value),
            as_percent(d.performance.value),
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
