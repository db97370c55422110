"""xl-localism in Excel: the worksheet functions and ribbon scripts of SPEC §6.

One module serves two add-ins:

* the Office add-in (``xl-localism serve``, xlwings Server; Excel on Windows, Mac and the web),
  which loads it as its ``custom_functions`` and ``custom_scripts``;
* the classic xlwings add-in on Windows (``UDF_MODULES = udfs``), where the scripts run from
  ``RunPython "import udfs; udfs.generate_summary()"``.

Every function is a thin door: :mod:`xl_localism.excel` turns what Excel passes into the engine's
inputs and back, :func:`xl_localism.engine.assess` decides, the layouts say what a sheet holds.
Nothing is computed here. The docstrings and argument docs are what Excel shows in its function
tooltips, so they are written for a probation performance manager.

Python names are the Excel names (xlwings registers a function under its Python name), so the
upper-case names below are what a manager types: ``=LOCALISM_SCORE(...)``.
"""

from __future__ import annotations

import logging
import os
import re
import sys
from collections.abc import Callable
from typing import Any

# xlwings' server-side functions are PolyForm Noncommercial; probation trusts are public bodies,
# so the free noncommercial key applies (README, licence note). It must be set before xlwings is
# first imported, which is also when xlwings decides which engines exist.
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")

import pandas as pd
import xlwings as xw

from xl_localism import excel
from xl_localism.downloads import STORE
from xl_localism.engine import assess
from xl_localism.excel import LocalismArgumentError
from xl_localism.layout import flags_layout, summary_layout
from xl_localism.position_statement import build_statement, statement_layout
from xl_localism.workbook.xlwings_render import (
    client_callback,
    highlight_cells,
    is_office_js,
    render_layout,
)

# The classic Windows add-in uses xlwings' own decorators (COM); everywhere else, including
# xlwings Server, the Office.js ones. ``from xlwings import func`` would be a no-op stub on a
# server unless XLWINGS_ON_SERVER was set before xlwings was imported, so ask for them directly.
CLASSIC = sys.platform.startswith("win") and os.environ.get("XLWINGS_ON_SERVER") != "true"
if CLASSIC:  # pragma: no cover - needs Windows and Excel
    from xlwings import arg, func

    def script(f: Callable[..., Any]) -> Callable[..., Any]:
        # Classic xlwings runs scripts with RunPython; nothing to register.
        return f
else:
    from xlwings.server import arg, func, script

logger = logging.getLogger(__name__)

__all__ = [
    "LOCALISM_BREAKDOWN", "LOCALISM_DRIVER", "LOCALISM_FLAGS", "LOCALISM_RAG", "LOCALISM_SCORE",
    "NI_TITLE", "TARGET_STATUS", "check_alignment", "draft_position_statement",
    "generate_summary", "validate",
]

_TABLE_DOCS = {
    "checklist": "The readiness Checklist table with its header row, e.g. Checklist[#All]",
    "targets": "The LAA Targets table with its header row, e.g. Targets[#All]",
    "measures": "The IPPF Measures table with its header row, e.g. Measures[#All]",
    "objectives": "The Business Plan Objectives table with its header row, e.g. "
                  "Objectives[#All]",
    "about": "Optional: the About table (Trust, Nation, As at) with its header row, e.g. "
             "TrustInfo[#All]. Needed for Welsh trusts and the April 2010 duty check",
    "settings": "Optional: the Config table of weights and thresholds with its header row, "
                "e.g. Settings[#All]",
}


def _one_line(f: Callable[..., Any]) -> Callable[..., Any]:
    """Excel shows the docstring as the function's description: one line, no indentation.

    Must be the innermost decorator: xlwings reads the docstring at the first ``@arg``.
    """
    f.__doc__ = " ".join((f.__doc__ or "").split())
    return f


def _tables(f: Callable[..., Any]) -> Callable[..., Any]:
    """Each table argument arrives as a DataFrame whose columns are the table's headers."""
    for name, doc in _TABLE_DOCS.items():
        f = arg(name, pd.DataFrame, index=False, header=True, doc=doc)(f)
    return f


def _answer(work: Callable[[], Any]) -> Any:
    """The value for the cell, or a short "#LOCALISM: ..." text; never a traceback."""
    try:
        return work()
    except LocalismArgumentError as error:
        return str(error)
    except Exception as error:  # a cell must show something readable whatever happened
        logger.exception("xl-localism function failed")
        return excel.unexpected_error_text(error)


# Annotations are Any: xlwings reads annotations as converters and has none for unions, and a
# cell gets either the answer or the error text.


@func
@_tables
@_one_line
def LOCALISM_SCORE(checklist: Any, targets: Any, measures: Any, objectives: Any,
                   about: Any = None, settings: Any = None) -> Any:
    """Localism readiness score, 0 to 100, from the trust's checklist, LAA targets, IPPF measures
    and business plan.
    """
    return _answer(lambda: excel.assess_arguments(checklist, targets, measures, objectives,
                                                  about, settings).score)


@func
@_tables
@_one_line
def LOCALISM_RAG(checklist: Any, targets: Any, measures: Any, objectives: Any,
                 about: Any = None, settings: Any = None) -> Any:
    """Readiness as Green, Amber or Red (by default Green from 70, Amber from 40; a critical gap
    holds Green at Amber).
    """
    return _answer(lambda: excel.assess_arguments(checklist, targets, measures, objectives,
                                                  about, settings).rag.value)


@func
@_tables
@_one_line
def LOCALISM_BREAKDOWN(checklist: Any, targets: Any, measures: Any, objectives: Any,
                       about: Any = None, settings: Any = None) -> Any:
    """Spills a table: the readiness score, a row for each outcome driver, then each part of the
    score and how it was reached.
    """
    return _answer(lambda: excel.breakdown_rows(excel.assess_arguments(
        checklist, targets, measures, objectives, about, settings)))


@func
@_tables
@_one_line
def LOCALISM_FLAGS(checklist: Any, targets: Any, measures: Any, objectives: Any,
                   about: Any = None, settings: Any = None) -> Any:
    """Spills every flag, most serious first: severity, code, sheet, cell, message and the suggested
    action.
    """
    return _answer(lambda: excel.flag_rows(excel.assess_arguments(
        checklist, targets, measures, objectives, about, settings).flags))


@func
@arg("code", ndim=2, doc="An NI code such as NI 30 or an IPPF measure code such as ACC (or a "
                         "range of them)")
@_one_line
def LOCALISM_DRIVER(code: Any) -> Any:
    """The outcome drivers an NI or IPPF measure contributes to, main driver first, e.g. "Reducing
    Reoffending, Public Protection".
    """
    return _answer(lambda: excel.each_cell(code, excel.driver_names))


@func
@arg("code", ndim=2, doc="A National Indicator code such as NI 18, ni18 or 18 (or a range of "
                         "them)")
@_one_line
def NI_TITLE(code: Any) -> Any:
    """The title of a probation-relevant National Indicator; blank for any other valid NI."""
    return _answer(lambda: excel.each_cell(code, excel.ni_title))


@func
@arg("baseline", doc="The target's baseline figure")
@arg("target", doc="The figure to reach")
@arg("latest", doc="The latest figure")
@arg("polarity", doc="higher or lower (is better), or the target's NI code to use its polarity")
@arg("progress", doc="Optional: how far towards the target it should be by now, 0 to 1 "
                     "(default 1)")
@arg("tolerance", doc="Optional: how far short still counts as Amber, as a share of the gap "
                      "(default 0.1)")
@_one_line
def TARGET_STATUS(baseline: Any, target: Any, latest: Any, polarity: Any, progress: Any = None,
                  tolerance: Any = None) -> Any:
    """Whether an LAA target is on track: Green, Amber, Red, or No data when a figure is missing.
    """
    return _answer(lambda: excel.target_status_text(baseline, target, latest, polarity,
                                                    progress, tolerance))


# ---------------------------------------------------------------------------------------------
# Ribbon scripts: read the open workbook, assess, draw. ``book`` is the open workbook, given by
# xlwings Server; with the classic add-in it is the calling workbook.


# The add-in's JavaScript function that shows what a script did, once its actions have run in
# Excel (registered by xl_localism/addin/static/js/ribbon.js).
DONE_CALLBACK = "localismDone"
# ... and the one that offers a file the server made (the Word draft) for download.
DOWNLOAD_CALLBACK = "localismDownload"


def _run(book: xw.Book | None, work: Callable[[Any], str]) -> None:
    book = book if book is not None else xw.Book.caller()
    try:
        message = work(book)
    except Exception as error:
        # An XlwingsError reaches the user as its message in any environment.
        logger.exception("xl-localism script failed")
        raise xw.XlwingsError(excel.unexpected_error_text(error)) from error
    if is_office_js(book):
        # The last action: the task pane says what was written, after it has been.
        client_callback(book, DONE_CALLBACK, message)


def _score_text(assessment: Any) -> str:
    return f"score {assessment.score:.1f}, {assessment.rag.value}"


def _generate_summary(book: Any) -> str:
    assessment = assess(excel.submission_from_book(book))
    render_layout(book, flags_layout(assessment), activate=False)
    render_layout(book, summary_layout(assessment))
    return f"Summary and Flags written: {_score_text(assessment)}"


def _check_alignment(book: Any) -> str:
    assessment = assess(excel.submission_from_book(book))
    marks = excel.highlights(assessment.flags, [s.name for s in book.sheets])
    highlight_cells(book, marks)
    render_layout(book, flags_layout(assessment))
    return (f"Flags written: {_count(len(assessment.flags), 'flag')}, "
            f"{_count(len(marks), 'cell')} coloured")


def _validate(book: Any) -> str:
    submission = excel.submission_from_book(book)
    render_layout(book, excel.problems_layout(assess(submission), submission.problems))
    return f"Data problems written: {_count(len(submission.problems), 'problem')}"


def _draft_position_statement(book: Any) -> str:
    submission = excel.submission_from_book(book)
    assessment = assess(submission)
    # Built once: the sheet and the Word draft are the same statement.
    statement = build_statement(assessment, submission)
    render_layout(book, statement_layout(statement))
    message = f"Position statement drafted: {_score_text(assessment)}"
    if is_office_js(book):
        message += _offer_word_draft(book, statement, assessment)
    return message


def _offer_word_draft(book: Any, statement: Any, assessment: Any) -> str:
    """Build the Word draft from the same data and have the task pane offer it for download.

    Kept in the server for a few minutes under a random token (:mod:`xl_localism.downloads`);
    the task pane links to ``/localism/statement/<token>``. The sheet is written whatever
    happens here: a failure only costs the Word copy, and says so.
    """
    try:
        from xl_localism.render.docx import docx_bytes

        data = docx_bytes(statement)
    except Exception:
        logger.exception("xl-localism: the Word draft could not be made")
        return " (the Word draft could not be made: see the server log)"
    filename = re.sub(r"[^A-Za-z0-9]+", "-", assessment.trust).strip("-") or "trust"
    filename = f"{filename}-position-statement-draft.docx"
    client_callback(book, DOWNLOAD_CALLBACK, STORE.put(data, filename), filename)
    return ""


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


@script
def generate_summary(book: xw.Book | None = None) -> None:
    """Generate summary: the Summary sheet (score, RAG, drivers and chart) and the Flags sheet."""
    _run(book, _generate_summary)


@script
def check_alignment(book: xw.Book | None = None) -> None:
    """Check alignment: the Flags sheet, and the offending input cells coloured by severity."""
    _run(book, _check_alignment)


@script
def validate(book: xw.Book | None = None) -> None:
    """Validate: a Data problems sheet listing every unreadable cell, with links to it."""
    _run(book, _validate)


@script
def draft_position_statement(book: xw.Book | None = None) -> None:
    """Draft position statement: a first draft of the Statement of Intent from the workbook."""
    _run(book, _draft_position_statement)
