"""Finding the contract's tables in the grids: by table name, else by sheet name and the row
that holds the headers; merged cells over a table are noted."""

from __future__ import annotations

from collections.abc import Sequence

from xl_localism import schema
from xl_localism.flags import make_flag
from xl_localism.models import Flag
from xl_localism.schema import TableSpec, header_key
from xl_localism.tables import RawTable
from xl_localism.workbook.sheets import (
    HEADER_SCAN_ROWS,
    MAX_COLUMNS,
    Grid,
    TableRef,
    sheet_sources,
)

# ---------------------------------------------------------------------------------------------
# Finding the contract's tables in the grids (shared by both engines).


def _from_table(spec: TableSpec, ref: TableRef, grid: Grid) -> RawTable:
    # A table's range may claim far more than the sheet holds (A1:XFD1048576). Cells past the
    # grid are blank and blank rows are skipped, so only the grid's part is built: the same
    # table, without billions of blanks.
    last_column = min(ref.last_column, ref.first_column + MAX_COLUMNS - 1)
    headers = [grid.value(ref.first_row, c) for c in range(ref.first_column, last_column + 1)]
    data_columns = range(ref.first_column, min(last_column, grid.last_column) + 1)
    rows = [[grid.value(r, c) for c in data_columns]
            for r in range(ref.first_row + 1, min(ref.last_row, grid.last_row) + 1)]
    return RawTable(sheet=grid.name, headers=headers, rows=rows, header_row=ref.first_row,
                    first_column=ref.first_column, uncalculated=grid.uncalculated)


def _header_row(spec: TableSpec, grid: Grid) -> int | None:
    """The first row that holds the spec's required headers (else the best partial match)."""
    required = {header_key(c.header) for c in spec.columns if c.required}
    best, best_hits = None, 0
    for row_number in range(grid.first_row, min(grid.last_row, grid.first_row +
                                                HEADER_SCAN_ROWS) + 1):
        keys = {header_key(v) for v in grid.rows[row_number - grid.first_row] if v is not None}
        hits = len(keys & {header_key(c.header) for c in spec.columns})
        if required <= keys:
            return row_number
        if hits > best_hits:
            best, best_hits = row_number, hits
    return best


def _from_sheet(spec: TableSpec, grid: Grid) -> RawTable:
    header_row = _header_row(spec, grid) or grid.first_row
    header_cells = grid.rows[header_row - grid.first_row] if grid.rows else []
    filled = [i for i, v in enumerate(header_cells) if v is not None]
    first = grid.first_column + (filled[0] if filled else 0)
    last = grid.first_column + (filled[-1] if filled else -1)
    headers = [grid.value(header_row, c) for c in range(first, last + 1)]
    rows = [[grid.value(r, c) for c in range(first, last + 1)]
            for r in range(header_row + 1, grid.last_row + 1)]
    return RawTable(sheet=grid.name, headers=headers, rows=rows, header_row=header_row,
                    first_column=first, uncalculated=grid.uncalculated)


def _merged_notes(raw: RawTable, grid: Grid, last_row: int | None = None) -> list[Flag]:
    last_column = raw.first_column + len(raw.headers) - 1
    if last_row is None:
        last_row = raw.header_row + len(raw.rows)
    notes = []
    for r1, c1, r2, c2 in grid.merged:
        if r2 >= raw.header_row and r1 <= last_row and c2 >= raw.first_column and \
                c1 <= last_column:
            from xl_localism.a1 import column_letter as letter

            span = f"{letter(c1)}{r1}:{letter(c2)}{r2}"
            notes.append(make_flag("DATA_INVALID", f"Merged cells {span} on sheet "
                                   f"'{grid.name}' sit inside the table: only {letter(c1)}{r1} "
                                   "holds a value, the other cells read as blank. Unmerge them.",
                                   sheet=grid.name, cell=span))
    return notes


def locate_tables(grids: dict[str, Grid], tables: Sequence[TableRef]) -> dict[str, RawTable | None]:
    """Each contract table by table name, else by sheet name and its header row."""
    sources = sheet_sources(list(grids), tables)
    located: dict[str, RawTable | None] = {}
    for spec in schema.TABLES:
        ref, sheet = sources[spec.key]
        grid = grids[sheet] if sheet is not None else None
        last_row = None
        if ref is not None and grid is not None:
            raw = _from_table(spec, ref, grid)
            last_row = ref.last_row  # the table's own extent, even where the grid stops short
        else:
            raw = _from_sheet(spec, grid) if grid is not None and grid.rows else None
            if grid is not None and not grid.rows and not spec.optional:
                raw = RawTable(sheet=grid.name, headers=spec.headers, rows=[])
                raw.notes.append(make_flag("TABLE_MISSING", f"Sheet '{grid.name}' is empty: "
                                           f"it should hold the {spec.table} table.",
                                           sheet=grid.name))
        if raw is not None and grid is not None:
            raw.notes.extend(_merged_notes(raw, grid, last_row))
        located[spec.key] = raw
    return located
