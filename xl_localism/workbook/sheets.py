"""What the reader's parts share: a sheet's cells as a grid, an Excel table's place, and the
one error a workbook that cannot be read at all raises."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from xl_localism import schema
from xl_localism.schema import header_key

Engine = Literal["auto", "calamine", "openpyxl"]
HEADER_SCAN_ROWS = 30
MAX_COLUMNS = 16_384


class WorkbookError(Exception):
    """The file cannot be read as a workbook at all; the message is one line for a person."""

    def __init__(self, path: Path | str, reason: str) -> None:
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"{self.path.name}: {reason}")

    def __reduce__(self) -> tuple[type[WorkbookError], tuple[Path, str]]:
        # Raised in a reader process and passed back to the parent (workbook.isolated).
        return type(self), (self.path, self.reason)


@dataclass
class Grid:
    """One sheet's cell values from its top-left used cell, as either engine sees them."""

    name: str
    rows: list[list[Any]]
    first_row: int = 1  # sheet row number of rows[0]
    first_column: int = 1  # sheet column number of rows[*][0]
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # r1, c1, r2, c2
    # (row, column) of the cells holding a formula with no calculated value (SPEC §3): either
    # engine reads them as blank, so they are found in the sheet's XML and marked here.
    uncalculated: frozenset[tuple[int, int]] = frozenset()

    def mark_uncalculated(self, cells: frozenset[tuple[int, int]]) -> None:
        """Mark ``cells`` uncalculated, widening the grid to reach them: calamine leaves a
        cell without a value out of the sheet's used area, openpyxl keeps it."""
        self.uncalculated = cells
        if not cells:
            return
        top = min(row for row, _ in cells)
        left = min(column for _, column in cells)
        if not self.rows:
            self.first_row, self.first_column = top, left
        if top < self.first_row:
            self.rows[:0] = [[] for _ in range(self.first_row - top)]
            self.first_row = top
        if left < self.first_column:
            pad = [None] * (self.first_column - left)
            self.rows = [pad + row if row else row for row in self.rows]
            self.first_column = left
        for row, column in cells:
            r, c = row - self.first_row, column - self.first_column
            if r >= len(self.rows):
                self.rows.extend([] for _ in range(r + 1 - len(self.rows)))
            if c >= len(self.rows[r]):
                self.rows[r].extend([None] * (c + 1 - len(self.rows[r])))

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


def sheet_sources(sheet_names: Sequence[str], tables: Sequence[TableRef],
             ) -> dict[str, tuple[TableRef | None, str | None]]:
    """Where each contract table lives: its Excel table by name, else a sheet by name."""
    by_table = {t.name.lower(): t for t in tables}
    by_sheet = {header_key(name): name for name in sheet_names}
    present = set(sheet_names)
    sources: dict[str, tuple[TableRef | None, str | None]] = {}
    for spec in schema.TABLES:
        ref = by_table.get(spec.table.lower())
        if ref is not None and ref.sheet in present:
            sources[spec.key] = (ref, ref.sheet)
        else:
            sources[spec.key] = (None, by_sheet.get(header_key(spec.sheet)))
    return sources


def sheets_needed(sheet_names: Sequence[str], tables: Sequence[TableRef]) -> set[str]:
    """The sheets :func:`locate_tables` will look at."""
    return {sheet for _, sheet in sheet_sources(sheet_names, tables).values() if sheet is not None}
