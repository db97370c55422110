"""A1 addresses: the one place column numbers become letters and back.

Every writer and reader uses these rather than its library's own helper, so a sheet address
means the same thing whichever door made it, and a layout can be read without importing
openpyxl or XlsxWriter.
"""

from __future__ import annotations

import re

_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+)$")


def column_letter(index: int) -> str:
    """1 -> "A", 27 -> "AA"."""
    if index < 1:
        raise ValueError(f"column index must be 1 or more, found {index}")
    letters = ""
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def column_index(letters: str) -> int:
    """"A" -> 1, "AA" -> 27."""
    index = 0
    for char in letters.upper():
        index = index * 26 + ord(char) - 64
    return index


def split_ref(ref: str) -> tuple[int, int]:
    """"B12" -> (column 2, row 12)."""
    match = _REF.match(ref)
    if not match:
        raise ValueError(f"expected a cell address such as 'B12', found {ref!r}")
    return column_index(match.group(1)), int(match.group(2))


def split_range(ref: str) -> tuple[int, int, int, int]:
    """"B12:D20" -> (first column, first row, last column, last row), 1-based; a single cell
    is a range of one."""
    first, _, last = ref.partition(":")
    first_column, first_row = split_ref(first)
    last_column, last_row = split_ref(last) if last else (first_column, first_row)
    return first_column, first_row, last_column, last_row


def sheet_location(sheet: str, cell: str) -> str:
    """A location inside a workbook, quoted as Excel needs: "'LAA Targets'!A7"."""
    return "'{}'!{}".format(sheet.replace("'", "''"), cell)


def location_sheet(location: str) -> str:
    """The sheet a location points at: "'LAA Targets'!A7" -> "LAA Targets"."""
    sheet = location.rsplit("!", 1)[0]
    if sheet.startswith("'") and sheet.endswith("'"):
        sheet = sheet[1:-1].replace("''", "'")
    return sheet
