"""The Excel door: what the worksheet functions and the ribbon scripts share, with no xlwings.

Excel hands the functions 2-D arrays (or, through xlwings' ``@arg`` conversion, DataFrames) whose
first row holds the headers, e.g. ``Targets[#All]``. This module turns them into the same
:class:`~xl_localism.tables.RawTable` objects the workbook readers build, so validation, scoring
and flags happen once, in :func:`tables.build_submission` and :func:`engine.assess`. What it adds
is only what an anonymous range needs: checks that the range *is* the table the slot asks for,
with a short message for the cell when it is not (a cell shows text, not a traceback).

The ribbon scripts get an open workbook instead (the xlwings Book API, remote or desktop); it is
read into the reader's own :class:`Grid`/:class:`TableRef` and located by the same
:func:`reader.locate_tables`, so a script and ``xl-localism score`` see the same tables.

xlwings itself is never imported here: the functions take plain values, the scripts any object
with the Book API, and tests drive both without Excel.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from xl_localism import schema, vocab
from xl_localism.catalogue import default_catalogue
from xl_localism.engine import assess
from xl_localism.flag_rows import NO_FLAGS, flag_row
from xl_localism.layout import (
    COMPONENT_NAMES,
    RAG_COLOURS,
    SEVERITY_COLOURS,
    SheetLayout,
    flags_layout,
)
from xl_localism.models import Assessment, Flag, Settings, Submission
from xl_localism.schema import TableSpec, header_key
from xl_localism.status import progress_through_period, target_status
from xl_localism.tables import RawTable, build_submission
from xl_localism.vocab import DRIVER_NAMES, Polarity, Severity, round_half_up
from xl_localism.workbook.reader import Grid, TableRef, locate_tables, plain_cell

PREFIX = "#LOCALISM: "
# The table arguments of LOCALISM_SCORE and its companions, in Excel's order; each name is also
# the table's key in schema.TABLES_BY_KEY.
TABLE_ARGUMENTS: tuple[str, ...] = ("checklist", "targets", "measures", "objectives", "about",
                                    "settings")
OPTIONAL_ARGUMENTS = frozenset({"about", "settings"})
# Excel refuses longer cell text; a message that quotes a user's cell must still fit.
MAX_CELL_TEXT = 32767


class LocalismArgumentError(ValueError):
    """An argument cannot be used; ``str(error)`` is the short text to show in the cell."""

    def __init__(self, message: str) -> None:
        super().__init__(PREFIX + message)


def unexpected_error_text(error: BaseException) -> str:
    """The cell text for a failure nobody planned for: what happened, in one line."""
    detail = " ".join(str(error).split())[:200]
    reason = f"{type(error).__name__}: {detail}" if detail else type(error).__name__
    return f"{PREFIX}could not work this out ({reason})"


# ---------------------------------------------------------------------------------------------
# Cell values as Excel and xlwings hand them over

# Office.js passes an error cell inside a range as an object; these are the texts Excel shows.
_ERROR_TYPES = {"div0": "#DIV/0!", "notavailable": "#N/A", "name": "#NAME?", "null": "#NULL!",
                "num": "#NUM!", "ref": "#REF!", "value": "#VALUE!", "spill": "#SPILL!",
                "calc": "#CALC!", "busy": "#BUSY!", "field": "#FIELD!"}


def plain_value(value: Any) -> Any:
    """One cell as the workbook readers would give it: None for blanks, dates as dates.

    Covers what DataFrames add (NaN for blanks, numpy scalars, Timestamps) and error cells that
    arrive as objects, so a range passed to a function reads exactly as the same cells read
    from the saved file.
    """
    if value is None:
        return None
    if isinstance(value, dict):
        found = [str(v) for v in value.values() if isinstance(v, str)]
        text = next((v for v in found if v.startswith("#")), None)
        return text or _ERROR_TYPES.get(str(value.get("errorType", "")).lower(), "#VALUE!")
    item = getattr(value, "item", None)
    if callable(item) and type(value).__module__.startswith("numpy"):
        value = item()
    to_pydatetime = getattr(value, "to_pydatetime", None)
    if callable(to_pydatetime):  # pandas.Timestamp
        value = None if value != value else to_pydatetime()
    if isinstance(value, float) and math.isnan(value):
        return None
    return plain_cell(value)


def _is_frame(value: Any) -> bool:
    return hasattr(value, "columns") and hasattr(value, "itertuples")


def table_grid(argument: str, value: Any) -> list[list[Any]]:
    """Whatever Excel passed for a table argument as rows of plain values, headers first.

    Raises :class:`LocalismArgumentError` for a single cell or a range with nothing in it.
    """
    spec = schema.TABLES_BY_KEY[argument]
    example = f"e.g. {spec.table}[#All]"
    if _is_frame(value):
        headers = [plain_value(h) for h in value.columns]
        rows = [[plain_value(v) for v in row] for row in value.itertuples(index=False, name=None)]
        # xlwings makes a lone cell a DataFrame with no rows and that cell as its only header.
        if not rows and len(headers) == 1:
            raise LocalismArgumentError(f"{argument} needs a table with its header row "
                                        f"({example}), got a single cell")
        grid = [headers, *rows]
    elif isinstance(value, list | tuple):
        if not value:
            grid = []
        elif all(isinstance(row, list | tuple) for row in value):
            grid = [[plain_value(v) for v in row] for row in value]
        else:
            # A one-row range arrives flattened.
            grid = [[plain_value(v) for v in value]]
        if len(grid) == 1 and len(grid[0]) == 1:
            raise LocalismArgumentError(f"{argument} needs a table with its header row "
                                        f"({example}), got a single cell")
    elif value is None:
        raise LocalismArgumentError(f"{argument} is missing: pass the {spec.table} table with "
                                    f"its header row ({example})")
    else:
        raise LocalismArgumentError(f"{argument} needs a table with its header row "
                                    f"({example}), got a single cell")
    if all(vocab.is_blank(v) for row in grid for v in row):
        raise LocalismArgumentError(f"{argument} is blank: pass the {spec.table} table with its "
                                    f"header row ({example})")
    return grid


def _missing_required(spec: TableSpec, headers: Sequence[Any]) -> list[str]:
    present = {header_key(h) for h in headers if not vocab.is_blank(h)}
    return [c.header for c in spec.columns if c.required and header_key(c.header) not in present]


def _quoted_list(names: Sequence[str]) -> str:
    quoted = [f"'{n}'" for n in names]
    return quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} or {quoted[-1]}"


_KNOWN_HEADERS = frozenset(header_key(c.header) for s in schema.TABLES for c in s.columns)


def raw_table(argument: str, value: Any) -> RawTable:
    """The RawTable of one table argument, or a readable error when it is not that table.

    Cell references in flags assume the template layout (each table at A1 of its own sheet):
    Excel does not tell a function where its arguments sit.
    """
    spec = schema.TABLES_BY_KEY[argument]
    grid = table_grid(argument, value)
    width = max(len(row) for row in grid)
    headers = grid[0] + [None] * (width - len(grid[0]))
    missing = _missing_required(spec, headers)
    if missing:
        # A table that fits another slot perfectly was almost certainly put in the wrong one.
        other = next((s for s in schema.TABLES
                      if s is not spec and not _missing_required(s, headers)), None)
        if other is not None:
            raise LocalismArgumentError(f"the {argument} argument looks like the {other.table} "
                                        f"table (pass {spec.table}[#All] here)")
        if not any(header_key(h) in _KNOWN_HEADERS for h in headers if not vocab.is_blank(h)):
            raise LocalismArgumentError(f"{argument} has no header row: pass the table with its "
                                        f"headers (e.g. {spec.table}[#All], not {spec.table})")
        raise LocalismArgumentError(f"{spec.table} table has no {_quoted_list(missing)} column")
    rows = [row + [None] * (width - len(row)) for row in grid[1:]]
    return RawTable(sheet=spec.sheet, headers=headers, rows=rows)


def submission_from_arguments(
    checklist: Any, targets: Any, measures: Any, objectives: Any, about: Any = None,
    settings: Any = None,
) -> Submission:
    """The Submission of the tables passed to LOCALISM_SCORE and its companions."""
    given = {"checklist": checklist, "targets": targets, "measures": measures,
             "objectives": objectives, "about": about, "settings": settings}
    tables: dict[str, RawTable | None] = {}
    for name in TABLE_ARGUMENTS:
        value = given[name]
        # An omitted optional argument arrives as None (or "" from an empty cell).
        if name in OPTIONAL_ARGUMENTS and (value is None or (isinstance(value, str)
                                                             and not value.strip())):
            tables[name] = None
        else:
            tables[name] = raw_table(name, value)
    return build_submission(tables)


def assess_arguments(
    checklist: Any, targets: Any, measures: Any, objectives: Any, about: Any = None,
    settings: Any = None,
) -> Assessment:
    return assess(submission_from_arguments(checklist, targets, measures, objectives, about,
                                            settings))


# ---------------------------------------------------------------------------------------------
# Spilled arrays: a header row and one row per item, nothing Excel would mistake for a formula

BREAKDOWN_HEADERS = ["Part", "Name", "Score (0-100)", "RAG", "How it was reached"]
FLAG_ARRAY_HEADERS = ["Severity", "Code", "Sheet", "Cell", "Message", "Action"]


def breakdown_rows(assessment: Assessment) -> list[list[Any]]:
    """The readiness score, a row per outcome driver, then the components of SPEC §4.3."""
    rows: list[list[Any]] = [BREAKDOWN_HEADERS, [
        "Readiness", "Readiness score", assessment.score, assessment.rag.value,
        assessment.notes[0] if assessment.notes else "",
    ]]
    for d in assessment.drivers:
        how = (f"{d.relevant_targets} relevant LAA target(s), {d.measures} IPPF measure(s): "
               f"{d.explanation}")
        rows.append([d.driver.value, d.name, "not covered" if d.score is None else d.score,
                     d.rag.value if d.rag else "", how])
    for c in assessment.components:
        score = "left out" if c.value is None else round_half_up(100 * c.value)
        rows.append([c.name, COMPONENT_NAMES.get(c.name, c.name), score, "", c.note])
    return rows


def flag_rows(flags: Iterable[Flag]) -> list[list[Any]]:
    """Every flag, most severe first, with where it points and what to do."""
    rows: list[list[Any]] = [FLAG_ARRAY_HEADERS]
    for flag in flags:
        # A None spilled into Excel reads as 0, so blanks are "".
        severity, code, sheet, where, message, action = flag_row(flag)
        rows.append([severity, code, sheet or "", where or "", message[:MAX_CELL_TEXT],
                     action or ""])
    if len(rows) == 1:
        rows.append(["", "", "", "", NO_FLAGS, ""])
    return rows


# ---------------------------------------------------------------------------------------------
# The scalar functions


def _single(argument: str, value: Any) -> Any:
    if isinstance(value, list | tuple):
        raise LocalismArgumentError(f"{argument} must be a single cell, not a range")
    return plain_value(value)


def each_cell(value: Any, answer: Callable[[Any], Any]) -> Any:
    """``answer`` for one cell, or for every cell of a range (so a column spills a column).

    A bad cell in a range gives its own error text and leaves the other answers in place.
    """
    def one(cell: Any) -> Any:
        try:
            return answer(plain_value(cell))
        except LocalismArgumentError as error:
            return str(error)

    if isinstance(value, list | tuple):
        if value and all(isinstance(row, list | tuple) for row in value):
            return [[one(cell) for cell in row] for row in value]
        return [[one(cell) for cell in value]]
    return answer(plain_value(value))


def _ni_code(code: Any) -> str:
    try:
        return vocab.parse_ni(code)
    except ValueError as error:
        raise LocalismArgumentError(str(error)) from error


def driver_names(code: Any) -> str:
    """The outcome driver names of an NI code or an IPPF measure code, primary first."""
    if vocab.is_blank(code):
        raise LocalismArgumentError("code is blank: give an NI code such as 'NI 18' or an IPPF "
                                    "measure code such as 'ACC'")
    catalogue = default_catalogue()
    if isinstance(code, str):
        measure = catalogue.measure(code)
        if measure is not None:
            return DRIVER_NAMES[measure.driver]
    try:
        ni = vocab.parse_ni(code)
    except ValueError as error:
        raise LocalismArgumentError(f"{code!r} is neither a National Indicator nor an IPPF "
                                    "measure code") from error
    # A valid NI outside the probation catalogue carries no driver (SPEC §2.1): nothing to say.
    return ", ".join(DRIVER_NAMES[d] for d in catalogue.drivers_of_ni(ni))


def ni_title(code: Any) -> str:
    """The catalogue title of a probation-relevant NI; "" for any other valid NI (SPEC §2.1)."""
    indicator = default_catalogue().indicators.get(_ni_code(code))
    return indicator.title if indicator else ""


def _number(argument: str, value: Any) -> float | None:
    try:
        return vocab.parse_number(_single(argument, value))
    except ValueError as error:
        raise LocalismArgumentError(f"{argument} must be a number, found "
                                    f"{_single(argument, value)!r}") from error


def _polarity(value: Any) -> Polarity:
    value = _single("polarity", value)
    try:
        return vocab.parse_polarity(value)
    except ValueError:
        pass
    try:
        indicator = default_catalogue().indicators.get(vocab.parse_ni(value))
    except ValueError:
        indicator = None
    if indicator is None:
        raise LocalismArgumentError(f"polarity must be 'higher' or 'lower' (is better), or a "
                                    f"probation NI code, found {value!r}")
    return indicator.polarity


def target_status_text(
    baseline: Any, target: Any, latest: Any, polarity: Any, progress: Any = None,
    tolerance: Any = None,
) -> str:
    """SPEC §4.2 for one target: "Green", "Amber", "Red" or "No data"."""
    chosen: dict[str, float] = {}
    for name, value in (("progress", progress), ("tolerance", tolerance)):
        number = _number(name, value)
        if number is not None:
            chosen[name] = number
    try:
        settings = Settings(**chosen)
    except ValueError as error:
        raise LocalismArgumentError(f"progress and tolerance must be between 0 and 1 "
                                    f"(found {', '.join(f'{k} {v:g}' for k, v in chosen.items())})"
                                    ) from error
    result = target_status(_number("baseline", baseline), _number("target", target),
                           _number("latest", latest), _polarity(polarity),
                           # No As at date here: the end point, unless a progress is given.
                           progress_through_period(None, settings.laa_start, settings.laa_end,
                                                   settings.progress).fraction,
                           settings.tolerance)
    return result.status.value


# ---------------------------------------------------------------------------------------------
# An open workbook (the ribbon scripts): the reader's grids and tables, located the same way


def _shows_totals(table: Any) -> bool:
    try:
        return bool(table.show_totals)
    except (KeyError, AttributeError, NotImplementedError):
        return False  # a client that does not say has no Totals row to leave out


def read_book(book: Any) -> tuple[dict[str, Grid], list[TableRef]]:
    """Each sheet's used range as a reader Grid, and the book's Excel tables as TableRefs.

    Works on any xlwings Book: the remote one a script receives from xlwings Server and a
    desktop one. Error cells are read as their text (``err_to_str``) so they are reported as
    DATA_INVALID, as the file readers do.
    """
    grids: dict[str, Grid] = {}
    tables: list[TableRef] = []
    for sheet in book.sheets:
        used = sheet.used_range
        values = used.options(ndim=2, err_to_str=True).value or [[]]
        rows = [[plain_cell(v) for v in row] for row in values]
        if all(v is None for row in rows for v in row):
            rows = []
        grids[sheet.name] = Grid(sheet.name, rows, used.row, used.column)
        for table in sheet.tables:
            rng = table.range
            if rng is None:
                continue
            n_rows, n_columns = rng.shape
            # A Totals row is not data (the file readers leave it out too).
            n_rows -= int(_shows_totals(table))
            tables.append(TableRef(table.name, sheet.name, rng.row, rng.column,
                                   rng.row + n_rows - 1, rng.column + n_columns - 1))
    return grids, tables


def submission_from_book(book: Any) -> Submission:
    grids, tables = read_book(book)
    return build_submission(locate_tables(grids, tables), source_name=book.name)


# ---------------------------------------------------------------------------------------------
# What the Validate and Check alignment scripts add to the shared layouts

PROBLEMS_SHEET = "Data problems"
PROBLEMS_TABLE = "LocalismDataProblems"
HIGHLIGHTS_SHEET = "Localism highlights"


def problems_layout(assessment: Assessment, problems: Sequence[Flag]) -> SheetLayout:
    """The Data problems sheet: the Flags sheet's layout over the reading problems only."""
    ordered = sorted(problems, key=Flag.sort_key)
    layout = flags_layout(assessment.model_copy(update={"flags": ordered}))
    blocks = [replace(b, table_name=PROBLEMS_TABLE if b.table_name else None)
              for b in layout.blocks]
    if not ordered:
        blocks[0].values[1][4] = "No data problems: every table and cell could be read."
    return replace(layout, name=PROBLEMS_SHEET, blocks=blocks)


_CELL_REF = re.compile(r"^\$?[A-Z]{1,3}\$?\d+(:\$?[A-Z]{1,3}\$?\d+)?$")


# Input cells keep their black text, so critical gets the light red of errors rather than the
# Flags sheet's dark red (which carries white text).
HIGHLIGHT_FILLS = {Severity.CRITICAL: RAG_COLOURS["Red"][0], Severity.ERROR: RAG_COLOURS["Red"][0],
                   Severity.WARNING: RAG_COLOURS["Amber"][0],
                   Severity.INFO: SEVERITY_COLOURS[Severity.INFO][0]}


@dataclass(frozen=True)
class Highlight:
    sheet: str
    cell: str
    fill: str  # RRGGBB


def highlights(flags: Iterable[Flag], sheets: Iterable[str]) -> list[Highlight]:
    """The input cells to colour for the flags, one colour per cell: the most severe flag's."""
    present = {s.casefold(): s for s in sheets}
    chosen: dict[tuple[str, str], Highlight] = {}
    for flag in sorted(flags, key=lambda f: f.severity.rank):
        if not flag.sheet or not flag.cell or flag.sheet.casefold() not in present:
            continue
        if not _CELL_REF.match(flag.cell):
            continue  # whole rows ("3:3") are not one cell to point at
        key = (present[flag.sheet.casefold()], flag.cell)
        if key not in chosen:
            chosen[key] = Highlight(key[0], key[1], HIGHLIGHT_FILLS[flag.severity])
    return list(chosen.values())
