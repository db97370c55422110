"""Save openpyxl workbooks with a faster writer for the cells, byte for byte as openpyxl would.

openpyxl builds an ElementTree element for every cell and serialises it through a generic,
namespace-aware writer; that was most of the time the national report took to save. The cells
xl-localism writes are plain (text, numbers, booleans, dates, styled blanks), so here they are
written as strings with openpyxl's own escaping, number formatting and attribute order. Anything
else (formulas, rich text, comments, odd numbers) goes through openpyxl's writer unchanged.
``tests/test_fastsave.py`` checks the bytes against openpyxl's.

Only the national report uses it now (2,000 trusts: 4.7 s with openpyxl's own writer, 2.3 s with
this one). Feedback workbooks are written as SpreadsheetML text (``sheetml_render``). XlsxWriter
was measured for the report and kept out: its streaming mode cannot make Excel tables, and
without that mode it holds every cell of the Flags sheet in memory (171 MiB at 2,000 trusts).

Everything that is not a cell (styles, tables, charts, the package) is still written by
openpyxl itself.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import _escape_cdata  # type: ignore[attr-defined]
from zipfile import ZIP_DEFLATED, ZipFile

import openpyxl
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell._writer import etree_write_cell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.comments.comment_sheet import CommentRecord
from openpyxl.compat import safe_string
from openpyxl.styles.cell_style import StyleArray
from openpyxl.styles.numbers import is_date_format
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel
from openpyxl.worksheet._writer import WorksheetWriter
from openpyxl.writer.excel import ExcelWriter

# With lxml installed openpyxl writes through lxml, whose stream has no raw write: then this
# module steps aside and openpyxl writes everything.
ENABLED = not openpyxl.LXML
_DATES = (datetime.datetime, datetime.date, datetime.time)


def cell_xml(worksheet: Any, cell: Any, styled: bool) -> str | None:
    """The <c> element openpyxl's etree writer would write, or None to let it write it."""
    data_type = cell.data_type
    value = cell._value
    if data_type == "s":
        if not isinstance(value, str):
            return None  # rich text
        kind = "inlineStr"
    elif data_type == "n":
        if value is not None and not (type(value) in (int, float) and math.isfinite(value)):
            return None
        kind = "n"
    elif data_type == "b":
        if type(value) is not bool:
            return None
        kind = "b"
    elif data_type == "d":
        if (not isinstance(value, _DATES) or getattr(value, "tzinfo", None) is not None
                or worksheet.parent.iso_dates):
            return None
        kind = "n"
        value = to_excel(value, worksheet.parent.epoch)
    else:
        return None  # formulas, errors and anything new
    if cell.hyperlink:
        worksheet._hyperlinks.append(cell.hyperlink)
    style = f' s="{cell.style_id}"' if styled else ""
    return _element(f'<c r="{cell.coordinate}"{style} t="{kind}"', kind, value)


def _element(head: str, kind: str, value: Any) -> str:
    """A <c> element opened by ``head``, ended as openpyxl's etree writer ends it."""
    if value is None or value == "":
        return head + " />"
    if kind == "inlineStr":
        stripped = value.strip()
        space = ' xml:space="preserve"' if stripped and value != stripped else ""
        return f"{head}><is><t{space}>{_escape_cdata(value)}</t></is></c>"
    return f"{head}><v>{safe_string(value)}</v></c>"


class Styled:
    """A value and its style: written as openpyxl writes a cell of that value and style,
    without a cell object. For a sheet streamed while ``ENABLED`` (openpyxl's own writer does
    not know it). A date whose style has no date format is written through a cell, but give it
    as a cell to match openpyxl byte for byte: openpyxl adds its default date format when the
    value is set, earlier than this writer can."""

    __slots__ = ("style", "value")

    def __init__(self, value: Any, style: StyleArray) -> None:
        self.value, self.style = value, style

    def cell(self, worksheet: Any, *, with_value: bool = True) -> Any:
        """The openpyxl cell it stands for, where a row must be written cell by cell."""
        cell = WriteOnlyCell(worksheet)
        # Styled before its value: a date keeps a date format of the style's and openpyxl does
        # not add its own default one to the workbook.
        cell._style = StyleArray(self.style)
        if with_value:
            cell.value = self.value
        return cell


def _styled_tail(styled: Styled, worksheet: Any) -> str | None:
    value = styled.value
    if isinstance(value, _DATES):
        # openpyxl gives a date in a cell without a date format its own: written as a cell.
        style_format = styled.cell(worksheet, with_value=False).number_format
        if getattr(value, "tzinfo", None) is not None or not is_date_format(style_format):
            return None
    workbook = worksheet.parent
    # Numbered when written, as a cell's style_id numbers it: the same numbers, in the same order.
    style = f' s="{workbook._cell_styles.add(styled.style)}"'
    if value is None:
        return _element(f'{style} t="n"', "n", None)  # a styled blank
    if isinstance(value, _DATES):
        return _element(f'{style} t="n"', "n", to_excel(value, workbook.epoch))
    tail = _plain_tail(value)
    return None if tail is None else style + tail


def plain_value_xml(coordinate: str, value: Any) -> str | None:
    """The <c> openpyxl would write for a plain value appended to a write-only sheet, or None
    when openpyxl would do more than store it (a formula, an error code, a date, text it
    rejects): those still go through an openpyxl cell."""
    tail = _plain_tail(value)
    return None if tail is None else f'<c r="{coordinate}"{tail}'


def _plain_tail(value: Any) -> str | None:
    """What follows the coordinate in a plain value's <c> element (see plain_value_xml)."""
    kind = type(value)
    if kind is str:
        return _text_tail(value)
    if kind is bool:
        return _element(' t="b"', "b", value)
    if kind in (int, float) and math.isfinite(value):
        return _element(' t="n"', "n", value)
    return None


@lru_cache(maxsize=4096)
def _text_tail(value: str) -> str | None:
    """What follows a text cell's coordinate, or None for text openpyxl would not store as
    it is. Remembered: the Flags sheet repeats the same trusts, codes and actions thousands of
    times."""
    if value.startswith("=") or value in ERROR_CODES or ILLEGAL_CHARACTERS_RE.search(value):
        return None
    return _element(' t="inlineStr"', "inlineStr", value[:32767])


def _cells_xml(values: Iterable[Any], first_column: int, row: int | str,
               worksheet: Any) -> str | None:
    """The <c> elements of plain and :class:`Styled` values from ``first_column`` on, in row
    ``row``; None if any value needs a cell object (a Styled one too, without a worksheet)."""
    cells = []
    for col_idx, value in enumerate(values, first_column):
        if type(value) is Styled and not any(value.style):
            value = value.value  # the default style: openpyxl writes no s="0"
        if value is None:
            continue
        if type(value) is Styled:
            tail = None if worksheet is None else _styled_tail(value, worksheet)
        else:
            tail = _plain_tail(value)
        if tail is None:
            return None
        cells.append(f'<c r="{get_column_letter(col_idx)}{row}"{tail}')
    return "".join(cells)


# Where a row's number goes in XML made before the number is known. Never part of a cell's XML:
# openpyxl refuses text with control characters (``_text_tail`` leaves such text to a cell).
ROW_MARK = "\x00"


def cells_template(values: Iterable[Any], first_column: int = 1) -> str | None:
    """The <c> elements of plain values from ``first_column`` on, with ROW_MARK for the row.

    Made where the values are at hand (a batch worker makes its submission's Flags rows) and
    put in a row with :func:`row_xml` when the row number is known. None when some value needs
    a cell object, or when openpyxl writes the cells itself (``ENABLED`` off).
    """
    return _cells_xml(values, first_column, ROW_MARK, None) if ENABLED else None


class RowXml(tuple):  # type: ignore[type-arg]
    """A row as XML with ROW_MARK for its number. A tuple, so a write-only sheet's ``append``
    takes it like any row; :class:`FastWorksheetWriter` writes it as it is."""

    __slots__ = ()


def row_xml(*templates: str) -> RowXml:
    """A row of runs of cells made by :func:`cells_template` (so only while ``ENABLED``), each
    run's columns after the last's."""
    return RowXml((f'<row r="{ROW_MARK}">{"".join(templates)}</row>',))


class _Values:
    """A row appended to a write-only sheet, handed to the writer as the values themselves."""

    __slots__ = ("values",)

    def __init__(self, values: Iterable[Any]) -> None:
        self.values = values


def _as_values(values: Iterable[Any], row_idx: int) -> _Values:
    return _Values(values)


class FastWorksheetWriter(WorksheetWriter):  # type: ignore[misc]
    """openpyxl's worksheet writer with the cells written as strings."""

    def write_row(self, xf: Any, row: Iterable[Any], row_idx: int) -> None:
        dimension = self.ws.row_dimensions.get(row_idx)
        if isinstance(row, _Values):
            if isinstance(row.values, RowXml):
                if dimension is not None:
                    raise ValueError(f"row {row_idx} has a height or style: it cannot be "
                                     "written from its XML")
                xf._file(row.values[0].replace(ROW_MARK, str(row_idx)))
                return None
            if not isinstance(row.values, (list, tuple)):
                # A generator can be read once: the fast path may give up half-way through.
                row.values = list(row.values)
            if dimension is None:
                # Most rows of the report (all of the Flags sheet's) are plain values only:
                # the whole row is one string, with no generator or cell in between.
                cells = _cells_xml(row.values, 1, row_idx, self.ws)
                if cells is not None:
                    xf._file(f'<row r="{row_idx}">{cells}</row>')
                    return None
            row = self._cells_of(row, row_idx, xf._file)
        if not ENABLED:
            return super().write_row(xf, row, row_idx)  # type: ignore[no-any-return]
        if dimension is None:
            # A row with no height or style is opened and closed as openpyxl's xmlfile would,
            # without building an element for it: the Flags sheet has thousands of them.
            write = xf._file
            write(f'<row r="{row_idx}">')
            self._write_cells(xf, row)
            write("</row>")
            return None
        attrs = {"r": f"{row_idx}"}
        attrs.update(dimension)
        with xf.element("row", attrs):
            self._write_cells(xf, row)
        return None

    def _write_cells(self, xf: Any, row: Iterable[Any]) -> None:
        write = xf._file
        # One cell at a time: a write-only sheet hands over a generator that reuses one cell
        # object for every plain value.
        for cell in row:
            if cell._comment is not None:
                self.ws._comments.append(CommentRecord.from_cell(cell))
            styled = cell.has_style
            if cell._value is None and not styled and not cell._comment:
                continue
            text = None if cell._comment else cell_xml(self.ws, cell, styled)
            if text is None:
                etree_write_cell(xf, self.ws, cell, styled)
            else:
                write(text)

    def _cells_of(self, row: _Values, row_idx: int, write: Any) -> Iterator[Any]:
        """The cells of a row of values, as openpyxl's ``_values_to_row`` makes them, except
        that a plain value is written straight out with ``write``, without a cell object: the
        national report's Flags sheet is tens of thousands of them."""
        written: list[str] = []  # plain cells, written in one call before the next cell
        for col_idx, value in enumerate(row.values, 1):
            if value is None:
                continue
            if type(value) is Styled:
                value = value.cell(self.ws)  # the row is written cell by cell
            if not isinstance(value, Cell):
                text = plain_value_xml(f"{get_column_letter(col_idx)}{row_idx}", value)
                if text is not None:
                    written.append(text)
                    continue
                value = WriteOnlyCell(self.ws, value)
            if written:
                write("".join(written))
                written.clear()
            value.column, value.row = col_idx, row_idx
            if value.hyperlink is not None:
                value.hyperlink.ref = value.coordinate
            yield value
        if written:
            write("".join(written))


class _FastExcelWriter(ExcelWriter):  # type: ignore[misc]
    def write_worksheet(self, ws: Any) -> None:
        if self.workbook.write_only:
            super().write_worksheet(ws)  # rows were streamed already (see stream_rows)
            return
        from openpyxl.drawing.spreadsheet_drawing import SpreadsheetDrawing

        # openpyxl's own write_worksheet, with the faster writer.
        ws._drawing = SpreadsheetDrawing()
        ws._drawing.charts = ws._charts
        ws._drawing.images = ws._images
        writer = FastWorksheetWriter(ws)
        writer.write()
        ws._rels = writer._rels
        self._archive.write(writer.out, ws.path[1:])
        self.manifest.append(ws)
        writer.cleanup()


def stream_rows(worksheet: Any) -> None:
    """Give a write-only sheet the faster writer; call after its widths and panes are set and
    before its first row (openpyxl writes the sheet's head when the writer is made)."""
    if worksheet._writer is None:
        worksheet._writer = FastWorksheetWriter(worksheet)
        worksheet._writer.write_top()
        if ENABLED:
            worksheet._values_to_row = _as_values


def save_workbook(workbook: Any, filename: Path | str) -> None:
    """openpyxl's ``Workbook.save`` with the faster cell writer."""
    if workbook.write_only and not workbook.worksheets:
        workbook.create_sheet()
    archive = ZipFile(filename, "w", ZIP_DEFLATED, allowZip64=True, compresslevel=1)
    workbook.properties.modified = datetime.datetime.now(tz=datetime.UTC).replace(tzinfo=None)
    _FastExcelWriter(workbook, archive).save()


class Saving:
    """What ``files.save_atomically`` saves: a workbook, through :func:`save_workbook`."""

    def __init__(self, workbook: Any) -> None:
        self.workbook = workbook

    def save(self, filename: Path | str) -> None:
        save_workbook(self.workbook, filename)
