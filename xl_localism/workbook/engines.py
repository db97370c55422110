"""The two reader engines: python-calamine (fast) and openpyxl (where calamine would misread),
each giving the same grids of cell values for the sheets the contract's tables are on."""

from __future__ import annotations

import io
from datetime import datetime, time
from pathlib import Path
from typing import Any

from xl_localism.workbook.sheets import Grid, TableRef, sheets_needed


def plain_cell(value: Any) -> Any:
    """Make both engines agree: midnight datetimes are dates, blanks are None."""
    if isinstance(value, datetime) and value.time() == time(0):
        return value.date()
    if value == "":
        return None
    return value


# ---------------------------------------------------------------------------------------------
# Engines: each returns the grids of the sheets and the workbook's tables.


def read_calamine(path: Path, tables: list[TableRef]) -> tuple[dict[str, Grid],
                                                                list[TableRef]]:
    """The grids of the sheets the contract's tables are on; ``tables`` from the package."""
    import python_calamine

    try:
        str(path).encode("utf-8")
    except UnicodeEncodeError:
        # A file name that is not UTF-8 (surrogate escapes): calamine takes paths as UTF-8
        # text and would not find it, so it is handed the open file instead.
        with path.open("rb") as handle:
            workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(handle.read()))
    else:
        workbook = python_calamine.CalamineWorkbook.from_path(str(path))
    try:
        grids: dict[str, Grid] = {}
        # Only the sheets the contract's tables are on: a template's instructions and lists,
        # or a trust's own working sheets, are never looked at, so they are not parsed.
        wanted = sheets_needed(workbook.sheet_names, tables)
        for name in workbook.sheet_names:
            if name not in wanted:
                continue
            sheet = workbook.get_sheet_by_name(name)
            start_row, start_column = sheet.start or (0, 0)
            rows = [[plain_cell(v) for v in row] for row in sheet.to_python(skip_empty_area=False)]
            if start_row or start_column:
                # to_python(skip_empty_area=False) starts at A1; keep the used area only.
                rows = [row[start_column:] for row in rows[start_row:]]
            merged = [(r1 + 1, c1 + 1, r2 + 1, c2 + 1)
                      for (r1, c1), (r2, c2) in (sheet.merged_cell_ranges or [])]
            grids[name] = Grid(name, rows, start_row + 1, start_column + 1, merged)
        return grids, tables
    finally:
        workbook.close()


def read_openpyxl(path: Path | io.BytesIO) -> tuple[dict[str, Grid], list[TableRef]]:
    import warnings

    import openpyxl
    from openpyxl.utils import range_boundaries

    with warnings.catch_warnings():
        # openpyxl warns about features it drops (data validation extensions, slicers ...);
        # we only read values, so those warnings are noise to a manager.
        warnings.simplefilter("ignore")
        workbook = openpyxl.load_workbook(path, data_only=True, keep_vba=False,
                                          keep_links=False, rich_text=False)
    try:
        grids: dict[str, Grid] = {}
        tables: list[TableRef] = []
        for sheet in workbook.worksheets:
            rows = [[plain_cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]
            merged = [(m.min_row, m.min_col, m.max_row, m.max_col)
                      for m in sheet.merged_cells.ranges]
            grids[sheet.title] = Grid(sheet.title, rows, 1, 1, merged)
            for table in sheet.tables.values():
                c1, r1, c2, r2 = range_boundaries(table.ref)
                # A Totals row is not data; calamine leaves it out, so must we.
                r2 -= table.totalsRowCount or 0
                if table.headerRowCount == 0:
                    r1 -= 1  # no header row in the table: its headers sit above it
                tables.append(TableRef(table.displayName, sheet.title, r1, c1, r2, c2))
        return grids, tables
    finally:
        workbook.close()
