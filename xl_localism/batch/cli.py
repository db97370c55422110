"""The batch, trend and demo commands: progress, tables and exit codes around the runner.

xl_localism.history is imported only where a history is used: it loads SQLAlchemy (~0.1 s of
a batch's start-up, before the pool can start), which a batch without --history never needs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from xl_localism.batch.discover import Found
from xl_localism.batch.national import write_national_report
from xl_localism.batch.outcome import BatchResult, Outcome
from xl_localism.batch.runner import BatchSetupError, run_batch
from xl_localism.report import render_league

EXIT_NOTHING_DONE = 2
EXIT_INTERRUPTED = 130


def run_batch_command(console: Console, submissions: Path, out: Path, *, jobs: int | None,
                      history: str | None, force: bool = False,
                      timeout: float = 300.0, statements: bool = False) -> int:
    # The folder first: a mistyped path is the likeliest mistake, and must be blamed as such.
    if not submissions.is_dir():
        what = "is not a folder" if submissions.exists() else "does not exist"
        console.print(f"[red]error:[/] the submissions folder {escape(str(submissions))} {what}")
        return EXIT_NOTHING_DONE
    if history:
        from xl_localism import history as history_store

        try:
            history_store.connect(history).dispose()  # fail now, not after an hour of scoring
        except history_store.HistoryError as error:
            console.print(f"[red]error:[/] {escape(str(error))}")
            return EXIT_NOTHING_DONE
    counts = {"scored": 0, "critical": 0, "rejected": 0, "skipped": 0}
    columns = (TextColumn("[bold]Scoring"), BarColumn(), MofNCompleteColumn(),
               TextColumn("{task.fields[summary]}"), TimeElapsedColumn())
    # Started when the files are counted: an error before that shows no empty bar.
    progress = Progress(*columns, console=console, transient=False)
    task = progress.add_task("batch", total=None, summary="")

    def started(total: int) -> None:
        progress.start()
        progress.update(task, total=total)

    def advanced(outcome: Outcome) -> None:
        if outcome.rejected is not None:
            counts["rejected"] += 1
        else:
            counts["scored"] += 1
            counts["critical"] += outcome.critical
            counts["skipped"] += outcome.cached
        summary = (f"scored {counts['scored']} · {counts['critical']} with a critical flag · "
                   f"rejected {counts['rejected']} · unchanged {counts['skipped']}")
        progress.update(task, advance=1, summary=summary)

    found = {"skipped": 0}

    def listed(submissions_found: Found) -> None:
        found["skipped"] = submissions_found.skipped

    def report(outcomes: list[Outcome], path: Path) -> None:
        trend_rows = None
        if history:
            from xl_localism import history as history_store

            # Current files first: a copy of one is then recorded under the current name.
            scored = sorted((o for o in outcomes if o.summary is not None),
                            key=lambda o: not o.current)
            try:
                history_store.record(history, [(o.content_hash or "", o.source, o.summary,
                                                o.modified) for o in scored])
                trend_rows = history_store.trend(history)
            except history_store.HistoryError as error:
                # The report matters more than the trend: say so and write it anyway.
                progress.console.print(f"[yellow]warning:[/] {escape(str(error))}; the "
                                       "report is written without the trend.")
        write_national_report(outcomes, path, trend=trend_rows, skipped=found["skipped"])

    try:
        result = run_batch(submissions, out, jobs=jobs, force=force, timeout=timeout,
                           on_progress=advanced, on_start=started, write_report=report,
                           on_found=listed)
    except BatchSetupError as error:
        console.print(f"[red]error:[/] {escape(str(error))}")
        return EXIT_NOTHING_DONE
    finally:
        progress.stop()
    code = _summarise(console, result)
    if statements and not result.interrupted and not result.write_error:
        return _write_statements(console, result, out, code)
    return code


def _write_statements(console: Console, result: BatchResult, out: Path, code: int) -> int:
    """The draft Position Statements of the scored returns, after the report is written."""
    from xl_localism.batch.statements import STATEMENTS_DIR, write_statements

    try:
        written = write_statements(result.current, out)
    except OSError as error:
        reason = escape(error.strerror or str(error))
        console.print(f"[red]error:[/] the statements could not be written in "
                      f"{escape(str(out / STATEMENTS_DIR))} ({reason})")
        return EXIT_NOTHING_DONE
    except KeyboardInterrupt:
        console.print("[yellow]Interrupted[/] while writing the statements; those written are "
                      "complete. Run the same command again to finish.")
        return EXIT_INTERRUPTED
    for source, why in written.skipped:
        console.print(f"[yellow]no statement[/] for {escape(source)}: {escape(why)}")
    console.print(f"{len(written.written)} draft Position Statement(s) in "
                  f"[bold]{escape(str(out / STATEMENTS_DIR))}[/]")
    return code


def _summarise(console: Console, result: BatchResult) -> int:
    if result.cache_note:
        console.print(f"[yellow]note:[/] {escape(result.cache_note)}")
    if result.interrupted:
        console.print("[yellow]Interrupted.[/] Files scored so far are kept; the report was not "
                      "rewritten. Run the same command again to finish.")
        return EXIT_INTERRUPTED
    if result.write_error:
        console.print(f"[red]error:[/] {result.write_error}. The previous report and feedback "
                      f"are unchanged. {len(result.scored)} files were scored and are kept: "
                      "free some space (or make the folder writable) and run the same command "
                      "again to finish.")
        return EXIT_NOTHING_DONE
    render_league(console, [o.summary for o in result.current if o.summary], "League table")
    for outcome in result.rejected:
        reason = escape(outcome.rejected or "")
        console.print(f"[red]rejected[/] {escape(outcome.source)}: {reason}")
    for outcome in sorted(result.superseded, key=lambda o: o.source):
        newer = outcome.superseded_by
        assert newer is not None
        console.print(f"[yellow]superseded[/] {escape(outcome.source)} by "
                      f"{escape(newer.source)} (same trust and period, {outcome.period}; "
                      "the newer file counts)")
    superseded = (f" ({len(result.current)} returns ranked, {len(result.superseded)} "
                  "superseded by a newer file of the same return: see the Superseded sheet)"
                  if result.superseded else "")
    skipped = (f", {result.skipped} skipped by rule (lock, hidden and system files)"
               if result.skipped else "")
    console.print(f"{len(result.scored)} scored{superseded}, {len(result.rejected)} rejected"
                  f"{skipped}.")
    # On a line of its own, never wrapped: a path broken across lines cannot be copied.
    console.print(f"Report: [bold]{escape(str(result.report))}[/]", soft_wrap=True)
    return result.exit_code


def run_trend_command(console: Console, history: str, trust: str | None,
                      report: Path | None) -> int:
    from xl_localism import history as history_store
    from xl_localism.batch.national import write_trend_report
    from xl_localism.returns import UNDATED
    from xl_localism.vocab import Driver

    if not history_store.exists(history):
        console.print(f"No history at {escape(history)}: run `xl-localism batch ... --history "
                      f"{escape(history)}` first.")
        return 1
    try:
        rows = history_store.trend(history, trust)
    except history_store.HistoryError as error:
        console.print(f"[red]error:[/] {escape(str(error))}")
        return EXIT_NOTHING_DONE
    if not rows:
        console.print("No recorded submissions" + (f" for {escape(trust)}." if trust else "."))
        return 1
    # One trust: each driver's trend too, since the drivers say why the score moved.
    drivers = [d.value for d in Driver] if trust else []
    table = Table(title="Readiness over time", title_justify="left")
    for header in ("trust", "period", "as at", "score", "RAG", "change", *drivers):
        table.add_column(header)
    previous: dict[str, dict[str, Any]] = {}
    undated = [r for r in rows if r["period"] == UNDATED]
    for row in (r for r in rows if r["period"] != UNDATED):
        before = previous.get(row["trust_key"])
        previous[row["trust_key"]] = row
        table.add_row(escape(row["trust"]), row["period"], row["as_at"] or "—",
                      f"{row['score']:.1f}", row["rag"], _change(row, before, "score"),
                      *[_driver_cell(row, before, d) for d in drivers])
    console.print(table)
    for row in undated:
        console.print(f"undated: {escape(row['trust'])} {row['score']:.1f} {row['rag']} "
                      f"({escape(row['source'] or '')}): no As at date, so in no quarter")
    if report is not None:
        try:
            write_trend_report(rows, report)
        except OSError as error:
            console.print(f"[red]error:[/] could not write {escape(str(report))} "
                          f"({escape(error.strerror or str(error))})")
            return EXIT_NOTHING_DONE
        console.print(f"Trend report written to {escape(str(report))}")
    return 0


def _change(row: dict[str, Any], before: dict[str, Any] | None, key: str) -> str:
    if before is None or row[key] is None or before[key] is None:
        return "—"
    return f"{row[key] - before[key]:+.1f}"


def _driver_cell(row: dict[str, Any], before: dict[str, Any] | None, driver: str) -> str:
    value = row[driver.lower()]
    if value is None:
        return "not covered"
    change = _change(row, before, driver.lower())
    return f"{value:.0f}" + ("" if change == "—" else f" ({change})")


def run_demo_command(console: Console, folder: Path, jobs: int | None) -> int:
    from xl_localism.demo import write_national_submissions

    submissions = folder / "submissions"
    written = write_national_submissions(submissions)
    console.print(f"Generated {len(written)} sample submissions (and a few broken files) in "
                  f"{submissions}")
    code = run_batch_command(console, submissions, folder / "report", jobs=jobs,
                             history=str(folder / "history.sqlite"))
    # Rejections are the point of the demo's broken files, not a failure of the demo.
    return 0 if code in (0, 1) else code
