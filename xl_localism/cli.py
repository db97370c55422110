"""The ``xl-localism`` command line: a few lines per command over the engine and the workbooks."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console

from xl_localism.engine import assess
from xl_localism.report import render_assessment, render_league, to_json
from xl_localism.samples import sample_trusts
from xl_localism.tables import build_submission

app = typer.Typer(
    name="xl-localism",
    help="Score probation trusts' readiness for the local performance framework (LAA targets "
    "against the five IPPF outcome drivers), flag misalignment, and build the workbooks.",
    no_args_is_help=True,
    add_completion=False,
)
console = Console()


@app.callback()
def _root() -> None:
    """Keep sub-commands even while only one exists."""


@app.command()
def sample(
    as_json: Annotated[bool, typer.Option("--json", help="Print the JSON result instead.")] = False,
) -> None:
    """Score the built-in sample trusts (made in code, no workbook needed)."""
    assessments = [assess(build_submission(t.tables, t.name)) for t in sample_trusts()]
    if as_json:
        typer.echo(json.dumps([to_json(a) for a in assessments], indent=2))
        return
    for assessment in assessments:
        render_assessment(console, assessment, max_flags=8)
        console.rule()
    render_league(console, assessments, "Sample trusts")


def main() -> None:  # pragma: no cover - console-script entry for `python -m`
    app()


if __name__ == "__main__":  # pragma: no cover
    main()

