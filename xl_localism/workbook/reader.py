"""Read a submitted workbook into a :class:`Submission`, headless, without ever running macros.

Two engines give the same grids: python-calamine (fast, Rust) when the file allows it, openpyxl
otherwise. Everything after the grid — finding tables, matching headers, validating cells — is
shared (:mod:`xl_localism.tables`), so both engines produce identical models.

A file that cannot be read at all raises :class:`WorkbookError` with a one-line reason; anything
less (a bad cell, a missing column) becomes a flag on the Submission and the rest is still read.
"""

from __future__ import annotations

from pathlib import Path

from xl_localism import schema
from xl_localism.flags import make_flag
from xl_localism.models import Flag, Submission
from xl_localism.tables import build_submission
from xl_localism.workbook.engines import plain_cell, read_calamine, read_openpyxl
from xl_localism.workbook.files import display_name
from xl_localism.workbook.locate import locate_tables
from xl_localism.workbook.package import inspect_package, normalised_copy
from xl_localism.workbook.percent import percent_cells, with_percents_as_typed
from xl_localism.workbook.sheets import Engine, Grid, TableRef, WorkbookError, sheets_needed


def read_workbook(path: Path | str, engine: Engine = "auto") -> Submission:
    """Read one trust workbook. Raises WorkbookError only when it cannot be read at all."""
    path = Path(path)
    package = inspect_package(path)
    # A table's range may claim far more than its sheet holds (A1:XFD1048576): calamine is
    # never asked for the table, only for the sheet, whose reach the checks above bound.
    use_calamine = engine == "calamine" or (engine == "auto" and
                                            not package.calamine_misreads)
    try:
        grids, tables = (read_calamine(path, package.tables) if use_calamine else
                         read_openpyxl(normalised_copy(path, package)
                                        if package.openpyxl_misreads else path))
    except (WorkbookError, KeyboardInterrupt, SystemExit):
        raise
    except BaseException as error:
        # Both engines raise their own kinds for damaged parts; a panic in calamine's Rust
        # code arrives as pyo3's PanicException, which is not an Exception at all.
        raise WorkbookError(path, f"the workbook is damaged and cannot be read "
                            f"({type(error).__name__}: {str(error)[:160]})") from error
    notes: list[Flag] = []
    if package.has_macros:
        notes.append(make_flag("MACROS_PRESENT", f"{display_name(path.name)} contains macros "
                               "(VBA). They were not run; only cell values were read."))
    for name, cells in package.uncalculated.items():
        if name in grids:
            grids[name].mark_uncalculated(cells)
    located = locate_tables(grids, tables)
    settings = located.get("settings")
    if settings is not None:
        located["settings"] = with_percents_as_typed(settings, percent_cells(path, settings.sheet))
    if not any(located[spec.key] for spec in schema.TABLES if not spec.optional):
        # A workbook, but not a localism return (board minutes, a budget): scoring it would
        # put a 0.0 Red "trust" named after the file into the league table.
        expected = ", ".join(spec.sheet for spec in schema.TABLES if not spec.optional)
        raise WorkbookError(path, f"not a localism workbook: none of its sheets or tables is "
                            f"one of {expected} (start from `xl-localism template`)")
    # The name as a person reads it: one that is not UTF-8 has no text form to store or write.
    return build_submission(located, source_name=display_name(path.name), extra_problems=notes)


__all__ = ["Engine", "Grid", "TableRef", "WorkbookError", "inspect_package", "locate_tables",
           "plain_cell", "read_workbook", "sheets_needed"]
