"""The floor for ``xl-localism --help``: a typer app with the same commands and options.

Nothing of xl-localism is imported; the commands do nothing. What this takes to print its help
is typer's own cost (click, rich's help rendering), which ``xl-localism --help`` cannot beat.
``benchmarks/startup.py`` times both.

    python benchmarks/minimal_typer_app.py --help
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(
    name="xl-localism",
    help="Score probation trusts' readiness for the local performance framework (LAA targets "
    "against the five IPPF outcome drivers), flag misalignment, and build the workbooks.",
    no_args_is_help=True,
    add_completion=False,
)


class ReaderEngine(StrEnum):
    AUTO = "auto"
    CALAMINE = "calamine"
    OPENPYXL = "openpyxl"


@app.callback()
def _root() -> None:
    """Keep sub-commands even while only one exists."""


@app.command()
def sample(
    as_json: Annotated[bool, typer.Option("--json", help="Print the JSON result instead.")] = False,
) -> None:
    """Score the built-in sample trusts (made in code, no workbook needed)."""


@app.command()
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


@app.command()
def statement(
    workbook: Annotated[Path, typer.Argument(help="A trust's localism workbook (.xlsx/.xlsm).")],
    out: Annotated[Path, typer.Option("--out", help="Where to write the Word document "
                                      "(.docx).")],
) -> None:
    """Draft the trust's Position Statement / Statement of Intent as a Word document."""


@app.command()
def template(
    out: Annotated[Path, typer.Argument(help="Where to write the new trust workbook.")],
    trust: Annotated[str | None, typer.Option(help="The trust's name.")] = None,
    nation: Annotated[str, typer.Option(help="England or Wales.")] = "England",
    force: Annotated[bool, typer.Option("--force", help="Replace the file if it exists.")]
    = False,
) -> None:
    """Write a new, empty trust workbook with the checklist pre-filled."""


@app.command()
def samples(
    folder: Annotated[Path, typer.Argument(help="Folder for the sample workbooks.")] = Path(
        "workbooks/samples"),
) -> None:
    """Regenerate the committed sample workbooks (seeded, so the same every time)."""


@app.command()
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


@app.command()
def trend(
    history: Annotated[str, typer.Option(help="SQLite file or SQLAlchemy URL of the history.")],
    trust: Annotated[str | None, typer.Option(help="Only this trust.")] = None,
    report: Annotated[Path | None, typer.Option(help="Also write a workbook with the trend "
                                                "chart here.")] = None,
) -> None:
    """Show each trust's readiness over the recorded quarters."""


@app.command()
def demo(
    folder: Annotated[Path, typer.Argument(help="Where to put the demo submissions and "
                                           "report.")] = Path("demo-out"),
    jobs: Annotated[int | None, typer.Option(help="Worker processes (default: all cores).")]
    = None,
) -> None:
    """Generate a quarter's submissions from the 42 probation areas and batch-process them."""


@app.command()
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


if __name__ == "__main__":
    app()
