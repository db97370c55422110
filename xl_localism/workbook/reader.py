"""Read a submitted workbook into a :class:`Submission`, headless, without ever running macros.

Two engines give the same grids: python-calamine (fast, Rust) when the file allows it, openpyxl
otherwise. Everything after the grid — finding tables, matching headers, validating cells — is
shared (:mod:`xl_localism.tables`), so both engines produce identical models.

A file that cannot be read at all raises :class:`WorkbookError` with a one-line reason; anything
less (a bad cell, a missing column) becomes a flag on the Submission and the rest is still read.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, time
from pathlib import Path
from typing import Any, Literal

from xl_localism import schema
from xl_localism.flags import make_flag
from xl_localism.models import Flag, Submission
from xl_localism.schema import TableSpec, header_key
from xl_localism.tables import RawTable, build_submission

Engine = Literal["auto", "calamine", "openpyxl"]

# Refuse before inflating: a workbook of trust data is a few MB; these leave room for big ones.
MAX_UNCOMPRESSED_BYTES = 512 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200
RATIO_CHECK_MIN_BYTES = 8 * 1024 * 1024
HEADER_SCAN_ROWS = 30

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
_ENCRYPTION_MARK = "EncryptionInfo".encode("utf-16-le")


class WorkbookError(Exception):
    """The file cannot be read as a workbook at all; the message is one line for a person."""

    def __init__(self, path: Path | str, reason: str) -> None:
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"{self.path.name}: {reason}")


@dataclass
class Grid:
    """One sheet's cell values from its top-left used cell, as either engine sees them."""

    name: str
    rows: list[list[Any]]
    first_row: int = 1  # sheet row number of rows[0]
    first_column: int = 1  # sheet column number of rows[*][0]
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # r1, c1, r2, c2

    def value(self, row: int, column: int) -> Any:
        r, c = row - self.first_row, column - self.first_column
        if 0 <= r < len(self.rows) and 0 <= c < len(self.rows[r]):
            return self.rows[r][c]
        return None

    @property
    def last_row(self) -> int:
        return self.first_row + len(self.rows) - 1

    @property
    def last_column(self) -> int:
        return self.first_column + max((len(r) for r in self.rows), default=0) - 1


@dataclass(frozen=True)
class TableRef:
    """An Excel table (ListObject): its sheet and its cell range, header row included."""

    name: str
    sheet: str
    first_row: int
    first_column: int
    last_row: int
    last_column: int


@dataclass
class Package:
    """What the zip says before any engine opens it."""

    has_macros: bool = False
    has_error_cells: bool = False


def inspect_package(path: Path) -> Package:
    """Reject what is not an Excel 2007+ workbook, or is unsafe to open, with a reason."""
    if not path.exists():
        raise WorkbookError(path, "file not found")
    if path.is_dir():
        raise WorkbookError(path, "is a folder, not a workbook")
    with path.open("rb") as handle:
        head = handle.read(8)
        if head.startswith(_OLE_MAGIC):
            rest = handle.read(4 * 1024 * 1024)
            if _ENCRYPTION_MARK in rest:
                raise WorkbookError(path, "the workbook is password-protected (encrypted); "
                                    "save an unprotected copy to submit")
            raise WorkbookError(path, "an old binary Excel 97-2003 workbook (.xls); "
                                "save it as an Excel Workbook (.xlsx)")
    if not head.startswith(_ZIP_MAGIC):
        raise WorkbookError(path, "not an Excel workbook (.xlsx/.xlsm): the file is not a zip "
                            "package")
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            names = {m.filename for m in members}
            if "xl/workbook.xml" not in names:
                raise WorkbookError(path, "a zip file, but not an Excel workbook "
                                    "(no xl/workbook.xml)")
            total = sum(m.file_size for m in members)
            if total > MAX_UNCOMPRESSED_BYTES:
                raise WorkbookError(path, f"refused: it would inflate to {total / 2**20:.0f} MB "
                                    f"(limit {MAX_UNCOMPRESSED_BYTES / 2**20:.0f} MB)")
            for member in members:
                ratio = member.file_size / max(member.compress_size, 1)
                if member.file_size > RATIO_CHECK_MIN_BYTES and ratio > MAX_COMPRESSION_RATIO:
                    raise WorkbookError(path, f"refused: {member.filename} is compressed "
                                        f"{ratio:.0f}:1, a zip bomb pattern")
            package = Package(has_macros="xl/vbaProject.bin" in names)
            # calamine reads Excel error values as blanks; such files go to openpyxl instead.
            for member in members:
                if member.filename.startswith("xl/worksheets/") and member.filename.endswith(
                        ".xml"):
                    with archive.open(member) as sheet_xml:
                        if _has_error_cell(sheet_xml):
                            package.has_error_cells = True
                            break
            return package
    except zipfile.BadZipFile as error:
        raise WorkbookError(path, f"damaged zip package ({error})") from error


_ERROR_CELL = re.compile(rb"""<c\b[^>]*\bt=["']e["']""")


def _has_error_cell(stream: Any, chunk_size: int = 1 << 20) -> bool:
    tail = b""
    while chunk := stream.read(chunk_size):
        if _ERROR_CELL.search(tail + chunk):
            return True
        tail = chunk[-256:]
    return False


def _plain(value: Any) -> Any:
    """Make both engines agree: midnight datetimes are dates, blanks are None."""
    if isinstance(value, datetime) and value.time() == time(0):
        return value.date()
    if value == "":
        return None
    return value


# ---------------------------------------------------------------------------------------------
# Engines: each returns the grids of the sheets and the workbook's tables.


def _read_calamine(path: Path) -> tuple[dict[str, Grid], list[TableRef]]:
    import python_calamine

    workbook = python_calamine.CalamineWorkbook.from_path(str(path), load_tables=True)
    try:
        grids: dict[str, Grid] = {}
        for name in workbook.sheet_names:
            sheet = workbook.get_sheet_by_name(name)
            start_row, start_column = sheet.start or (0, 0)
            rows = [[_plain(v) for v in row] for row in sheet.to_python(skip_empty_area=False)]
            if start_row or start_column:
                # to_python(skip_empty_area=False) starts at A1; keep the used area only.
                rows = [row[start_column:] for row in rows[start_row:]]
            merged = [(r1 + 1, c1 + 1, r2 + 1, c2 + 1)
                      for (r1, c1), (r2, c2) in (sheet.merged_cell_ranges or [])]
            grids[name] = Grid(name, rows, start_row + 1, start_column + 1, merged)
        tables = []
        for table_name in workbook.table_names:
            table = workbook.get_table_by_name(table_name)
            (r1, c1), (r2, c2) = table.start, table.end
            # calamine's start is the first data row; the header row sits just above it.
            tables.append(TableRef(table.name, table.sheet, r1, c1 + 1, r2 + 1, c2 + 1))
        return grids, tables
    finally:
        workbook.close()


def _read_openpyxl(path: Path) -> tuple[dict[str, Grid], list[TableRef]]:
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
            rows = [[_plain(v) for v in row] for row in sheet.iter_rows(values_only=True)]
            merged = [(m.min_row, m.min_col, m.max_row, m.max_col)
                      for m in sheet.merged_cells.ranges]
            grids[sheet.title] = Grid(sheet.title, rows, 1, 1, merged)
            for table in sheet.tables.values():
                c1, r1, c2, r2 = range_boundaries(table.ref)
                tables.append(TableRef(table.displayName, sheet.title, r1, c1, r2, c2))
        return grids, tables
    finally:
        workbook.close()


# ---------------------------------------------------------------------------------------------
# Finding the contract's tables in the grids (shared by both engines).


def _from_table(spec: TableSpec, ref: TableRef, grid: Grid) -> RawTable:
    headers = [grid.value(ref.first_row, c) for c in range(ref.first_column, ref.last_column + 1)]
    rows = [[grid.value(r, c) for c in range(ref.first_column, ref.last_column + 1)]
            for r in range(ref.first_row + 1, ref.last_row + 1)]
    return RawTable(sheet=grid.name, headers=headers, rows=rows, header_row=ref.first_row,
                    first_column=ref.first_column)


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
                    first_column=first)


def _merged_notes(raw: RawTable, grid: Grid) -> list[Flag]:
    last_column = raw.first_column + len(raw.headers) - 1
    last_row = raw.header_row + len(raw.rows)
    notes = []
    for r1, c1, r2, c2 in grid.merged:
        if r2 >= raw.header_row and r1 <= last_row and c2 >= raw.first_column and \
                c1 <= last_column:
            from openpyxl.utils import get_column_letter as letter

            span = f"{letter(c1)}{r1}:{letter(c2)}{r2}"
            notes.append(make_flag("DATA_INVALID", f"Merged cells {span} on sheet "
                                   f"'{grid.name}' sit inside the table: only {letter(c1)}{r1} "
                                   "holds a value, the other cells read as blank. Unmerge them.",
                                   sheet=grid.name, cell=span))
    return notes


def locate_tables(grids: dict[str, Grid], tables: Sequence[TableRef]) -> dict[str, RawTable | None]:
    """Each contract table by table name, else by sheet name and its header row."""
    by_table = {t.name.lower(): t for t in tables}
    by_sheet = {header_key(name): grid for name, grid in grids.items()}
    located: dict[str, RawTable | None] = {}
    for spec in schema.TABLES:
        ref = by_table.get(spec.table.lower())
        grid: Grid | None
        if ref is not None and ref.sheet in grids:
            grid = grids[ref.sheet]
            raw = _from_table(spec, ref, grid)
        else:
            grid = by_sheet.get(header_key(spec.sheet))
            raw = _from_sheet(spec, grid) if grid is not None and grid.rows else None
            if grid is not None and not grid.rows and not spec.optional:
                raw = RawTable(sheet=grid.name, headers=spec.headers, rows=[])
                raw.notes.append(make_flag("TABLE_MISSING", f"Sheet '{grid.name}' is empty: "
                                           f"it should hold the {spec.table} table.",
                                           sheet=grid.name))
        if raw is not None and grid is not None:
            raw.notes.extend(_merged_notes(raw, grid))
        located[spec.key] = raw
    return located


def read_workbook(path: Path | str, engine: Engine = "auto") -> Submission:
    """Read one trust workbook. Raises WorkbookError only when it cannot be read at all."""
    path = Path(path)
    package = inspect_package(path)
    use_calamine = engine == "calamine" or (engine == "auto" and not package.has_error_cells)
    try:
        grids, tables = _read_calamine(path) if use_calamine else _read_openpyxl(path)
    except WorkbookError:
        raise
    except Exception as error:  # both engines raise their own kinds for damaged parts
        raise WorkbookError(path, f"the workbook is damaged and cannot be read "
                            f"({type(error).__name__}: {str(error)[:160]})") from error
    notes: list[Flag] = []
    if package.has_macros:
        notes.append(make_flag("MACROS_PRESENT", f"{path.name} contains macros (VBA). They were "
                               "not run; only cell values were read."))
    return build_submission(locate_tables(grids, tables), source_name=path.name,
                            extra_problems=notes)


__all__ = ["Grid", "TableRef", "WorkbookError", "inspect_package", "locate_tables",
           "read_workbook"]
