"""The ``xl-localism`` command line: a few lines per command over the engine and the workbooks."""

from __future__ import annotations

from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperArgument, TyperCommand, TyperOption

if TYPE_CHECKING:
    from rich.console import Console

# Every command imports what it needs when it runs, so that `--help` costs no more than typer's
# own help and `score` does not load what only the batch, the Excel door or the server uses
# (pandas, xlwings, SQLAlchemy, openpyxl, XlsxWriter). tests/test_cli.py checks the imports.

app = typer.Typer(
    name="xl-localism",
    help="Score probation trusts' readiness for the local performance framework (LAA targets "
    "against the five IPPF outcome drivers), flag misalignment, and build the workbooks.",
    no_args_is_help=True,
    add_completion=False,
)


class _Command(TyperCommand):
    """Help as a person reads it: a flag is just its name (typer shows ``<bool>`` after each,
    as though it took a value) and an argument its name in capitals (typer puts a required one
    in braces, which reads as shell syntax)."""

    def get_params(self, ctx: Any) -> list[Any]:
        params = super().get_params(ctx)
        for param in params:
            # The help option is typer's own, not a TyperOption, but a flag all the same.
            if getattr(param, "is_flag", False) and (isinstance(param, TyperOption)
                                                     or "--help" in param.opts):
                param.metavar = ""  # typer shows a metavar as given, and nothing for ""
        return params

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if isinstance(param, TyperArgument):
                name = (param.metavar or param.name or "").upper()
                pieces.append(name if param.required else f"[{name}]")
        return pieces


def _command(**kwargs: Any) -> Any:
    return app.command(cls=_Command, **kwargs)


@cache
def _console() -> Console:
    """The terminal, made on first use (rich's Console is not free to import)."""
    from rich.console import Console

    # Piped output (CI logs, files) gets room for the league table instead of 80 columns.
    return Console() if Console().is_terminal else Console(width=160)


class ReaderEngine(StrEnum):
    AUTO = "auto"
    CALAMINE = "calamine"
    OPENPYXL = "openpyxl"


@app.callback()
def _root() -> None:
    """Keep sub-commands even while only one exists."""


@_command()
def sample(
    as_json: Annotated[bool, typer.Option("--json", help="Print the JSON result instead.")] = False,
) -> None:
    """Score the built-in sample trusts (made in code, no workbook needed)."""
    import json

    from xl_localism.engine import assess
    from xl_localism.explanation import to_json
    from xl_localism.report import render_assessment, render_league
    from xl_localism.samples import sample_trusts
    from xl_localism.tables import build_submission

    console = _console()
    assessments = [assess(build_submission(t.tables, t.name)) for t in sample_trusts()]
    if as_json:
        typer.echo(json.dumps([to_json(a) for a in assessments], indent=2))
        return
    for assessment in assessments:
        render_assessment(console, assessment, max_flags=8)
        console.rule()
    render_league(console, [to_json(a) for a in assessments], "Sample trusts")


@_command()
def score(
    workbook: Annotated[Path, typer.Argument(help="A trust's localism workbook (.xlsx/.xlsm).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the stable JSON result.")] = False,
    write_summary: Annotated[
        Path | None,
        typer.Option("--write-summary", help="Write a copy with Summary and Flags sheets here "
                     "(or a separate feedback workbook when a copy would lose content)."),
    ] = None,
    engine: Annotated[ReaderEngine, typer.Option(help="Which reader to use.")] = ReaderEngine.AUTO,
) -> None:
    """Score one workbook: readiness, RAG, driver table and flags. Exit 0 when scored."""
    import json

    from xl_localism.engine import assess
    from xl_localism.explanation import to_json
    from xl_localism.report import render_assessment
    from xl_localism.workbook.isolated import read_isolated
    from xl_localism.workbook.reader import WorkbookError

    console = _console()
    try:
        # As a batch worker reads: one hostile file cannot take the terminal down with it.
        assessment = assess(read_isolated(workbook, engine=engine.value))  # type: ignore[arg-type]
    except WorkbookError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from error
    if as_json:
        typer.echo(json.dumps(to_json(assessment), indent=2, ensure_ascii=False))
    else:
        render_assessment(console, assessment)
    if write_summary is not None:
        from xl_localism.workbook.results import write_summary as write_results_file

        try:
            written, mode = write_results_file(workbook, assessment, write_summary)
        except (ValueError, OSError) as error:
            typer.echo(f"error: {error}", err=True)
            raise typer.Exit(2) from error
        if mode == "copy":
            said = f"Wrote {written}: a copy of the workbook with Summary and Flags sheets added"
        else:
            said = (f"Wrote {written}: a separate feedback workbook with only the Summary and "
                    "Flags sheets, not a copy of the workbook, because a copy would lose "
                    f"{mode.partition(': ')[2]}")
        (console.print if not as_json else lambda m: typer.echo(m, err=True))(said)


@_command()
def statement(
    workbook: Annotated[Path, typer.Argument(help="A trust's localism workbook (.xlsx/.xlsm).")],
    out: Annotated[Path, typer.Option("--out", help="Where to write the Word document "
                                      "(.docx).")],
) -> None:
    """Draft the trust's Position Statement / Statement of Intent as a Word document."""
    from xl_localism.engine import assess
    from xl_localism.render.docx import write_statement_docx
    from xl_localism.workbook.isolated import read_isolated
    from xl_localism.workbook.reader import WorkbookError

    try:
        submission = read_isolated(workbook)
    except WorkbookError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from error
    try:
        written = write_statement_docx(submission, assess(submission), out)
    except OSError as error:
        typer.echo(f"error: could not write {out} ({error.strerror or error})", err=True)
        raise typer.Exit(2) from error
    _console().print(f"Wrote {written}: a draft for the Board to edit")


@_command()
def template(
    out: Annotated[Path, typer.Argument(help="Where to write the new trust workbook.")],
    trust: Annotated[str | None, typer.Option(help="The trust's name.")] = None,
    nation: Annotated[str, typer.Option(help="England or Wales.")] = "England",
    force: Annotated[bool, typer.Option("--force", help="Replace the file if it exists.")]
    = False,
) -> None:
    """Write a new, empty trust workbook with the checklist pre-filled."""
    from xl_localism.workbook.template import write_template

    if not out.suffix:
        out = out.with_suffix(".xlsx")  # Excel will not open a workbook without its extension
    if out.exists() and not force:
        # It may be a trust's filled-in return: never replaced without being asked.
        typer.echo(f"error: {out} already exists; give --force to replace it", err=True)
        raise typer.Exit(2)
    try:
        _console().print(f"Wrote {write_template(out, trust=trust, nation=nation)}")
    except (ValueError, OSError) as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from error


@_command()
def samples(
    folder: Annotated[Path, typer.Argument(help="Folder for the sample workbooks.")] = Path(
        "workbooks/samples"),
) -> None:
    """Regenerate the committed sample workbooks (seeded, so the same every time)."""
    from xl_localism.demo import write_committed_samples

    for path in write_committed_samples(folder):
        _console().print(f"Wrote {path}")


@_command()
def batch(
    submissions: Annotated[Path, typer.Argument(help="Folder of submitted workbooks.")],
    out: Annotated[Path, typer.Option("--out", help="Folder for the report and feedback.")],
    jobs: Annotated[int | None, typer.Option(help="Worker processes (default: all cores).")]
    = None,
    history: Annotated[str | None, typer.Option(help="SQLite file or SQLAlchemy URL to record "
                                                "scores in, for the trend.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Rescore files already scored "
                                        "unchanged.")] = False,
    timeout: Annotated[float, typer.Option(help="Seconds allowed per workbook.")] = 300.0,
    statements: Annotated[bool, typer.Option("--statements", help="Also write each scored "
                                             "trust's draft Position Statement to "
                                             "OUT/statements/<Trust>.docx.")] = False,
) -> None:
    """Score every submission in a folder; write the national report and per-trust feedback."""
    from xl_localism.batch.cli import run_batch_command

    raise typer.Exit(run_batch_command(_console(), submissions, out, jobs=jobs, history=history,
                                       force=force, timeout=timeout, statements=statements))


@_command()
def trend(
    history: Annotated[str, typer.Option(help="SQLite file or SQLAlchemy URL of the history.")],
    trust: Annotated[str | None, typer.Option(help="Only this trust.")] = None,
    report: Annotated[Path | None, typer.Option(help="Also write a workbook with the trend "
                                                "chart here.")] = None,
) -> None:
    """Show each trust's readiness over the recorded quarters."""
    from xl_localism.batch.cli import run_trend_command

    raise typer.Exit(run_trend_command(_console(), history, trust, report))


@_command()
def demo(
    folder: Annotated[Path, typer.Argument(help="Where to put the demo submissions and "
                                           "report.")] = Path("demo-out"),
    jobs: Annotated[int | None, typer.Option(help="Worker processes (default: all cores).")]
    = None,
) -> None:
    """Generate a quarter's returns from all 42 probation areas, batch-score them and report.

    FOLDER gets submissions/ (42 areas' 2010/11 Q2 returns, a revised return from London that
    supersedes its original, and a few broken files that are rejected, as a real inbox holds),
    report/ (the national summary and a feedback workbook per trust) and history.sqlite.
    """
    from xl_localism.batch.cli import run_demo_command

    raise typer.Exit(run_demo_command(_console(), folder, jobs))


@_command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on (0.0.0.0 for the network).")]
    = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    certfile: Annotated[Path | None, typer.Option(help="HTTPS certificate (PEM); Excel only "
                                                  "loads add-ins over HTTPS.")] = None,
    keyfile: Annotated[Path | None, typer.Option(help="Private key of the certificate (PEM).")]
    = None,
) -> None:
    """Serve the Excel add-in: the LOCALISM_* functions and the Localism ribbon tab."""
    from importlib.util import find_spec

    from xl_localism.server import serve as serve_addin

    # find_spec, not import: xlwings Server must not be imported before it is configured.
    missing = [name for name in ("xlwings_server", "uvicorn") if find_spec(name) is None]
    if missing:
        typer.echo(f"error: the add-in server needs {', '.join(missing)}: "
                   "pip install 'xl-localism[server]'", err=True)
        raise typer.Exit(2)
    if (certfile is None) != (keyfile is None):
        typer.echo("error: give both --certfile and --keyfile, or neither", err=True)
        raise typer.Exit(2)
    scheme = "https" if certfile else "http"
    _console().print(f"Localism add-in on {scheme}://{host}:{port} — manifest at "
                  f"{scheme}://{host}:{port}/manifest (Ctrl+C to stop)")
    if not certfile:
        typer.echo(
            "warning: serving plain http. Excel will not load the add-in from an http address. "
            "Either give --certfile and --keyfile, or run behind a TLS proxy that sets "
            "X-Forwarded-Proto: https and X-Forwarded-Host (or set "
            "XLWINGS_HOSTNAME=your.server.name).", err=True)
    serve_addin(host, port, ssl_certfile=str(certfile) if certfile else None,
                ssl_keyfile=str(keyfile) if keyfile else None)


def main() -> None:  # pragma: no cover - console-script entry for `python -m`
    app()


if __name__ == "__main__":  # pragma: no cover
    main()

