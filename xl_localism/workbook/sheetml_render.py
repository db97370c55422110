"""The feedback-workbook door: draw layouts as a new workbook, written straight as SpreadsheetML.

A batch writes one feedback workbook per submission, and drawing it was most of a batch's time:
openpyxl took 16.8 ms a workbook and XlsxWriter 7.6 ms, both spending it on objects per cell and
per format, for a workbook whose shape never changes (two sheets, a few hundred cells, a few
dozen styles, two tables and one chart). This module writes the same parts directly from a
:class:`SheetLayout`, as XML text, in about a fifth of XlsxWriter's time (``benchmarks/``).

What goes in which cell is decided in :mod:`xl_localism.layout`; here a layout is only
translated, exactly as ``results.render_sheet`` translates it for openpyxl. That renderer is the
reference: ``tests/test_sheetml_render.py`` writes every sample both ways and compares, read back
with openpyxl, every cell's value, type and look, widths, heights, panes, page setup, tables,
charts and links, and LibreOffice opens and prints the file. The XML follows what XlsxWriter
writes for the same layout (element order, defaults, the column-width padding, the chart), as
Excel has been checked against that.

Text from a submission can never become a formula: every string is written as an inline string
(``t="inlineStr"``), never as ``<f>``, and strings that start like a formula also get Excel's
quote prefix so they stay text after a user edits the cell.
"""

from __future__ import annotations

import datetime
import functools
import math
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from openpyxl.cell.cell import TIME_FORMATS
from openpyxl.utils.datetime import to_excel
from openpyxl.writer.theme import theme_xml

from xl_localism.layout import (
    BORDER_COLOUR,
    LINK,
    Block,
    ChartSpec,
    SheetLayout,
    Style,
    column_letter,
    location_sheet,
    sheet_location,
    split_ref,
)
from xl_localism.workbook.files import CELL_INJECTION_PREFIXES, atomic_path, cell_text
from xl_localism.workbook.zippack import zip_package

CREATOR = "xl-localism"
_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_DEFAULT_FONT_SIZE = 11
_FONT_NAME = "Calibri"
# Excel's built-in number formats that layouts use; any other format gets an id from 164 up.
_BUILTIN_FORMATS = {"General": 0, "0": 1, "0.00": 2, "#,##0": 3, "#,##0.00": 4, "0%": 9,
                    "0.00%": 10, "@": 49}
_ROWS = re.compile(r"^\$?(\d+):\$?(\d+)$")
_EMU_PER_CM = 360_000
# Column widths in characters become Excel's stored width: the pixels of that many digits of the
# default font (7 each) plus 5 of cell padding, as Excel's column-width box and XlsxWriter do.
_DIGIT_PIXELS, _PADDING_PIXELS = 7, 5


def write_layouts(layouts: list[SheetLayout], path: Path | str, *, title: str | None = None,
                  creator: str = CREATOR) -> Path:
    """A new workbook at ``path`` with one sheet per layout, in order, opening on the first.

    The whole package is built in memory before anything is written, so a layout that cannot
    be drawn leaves no file; it is then written to a temporary file beside ``path`` and renamed
    over it, so an interrupted or failed write (a full disk) leaves any earlier file as it was.
    """
    if not layouts:
        raise ValueError("a workbook needs at least one sheet layout")
    package = zip_package([(name, xml.encode()) for name, xml in
                           _package(layouts, title=title, creator=creator)])
    with atomic_path(path) as temporary:
        temporary.write_bytes(package)
    return Path(path)


# ---------------------------------------------------------------------------------------------
# Escaping


# Attribute values are whitespace-normalised by XML parsers unless these are escaped too.
_ATTRIBUTE_ENTITIES = {'"': "&quot;", "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"}


def _attribute(value: str) -> str:
    return escape(value, _ATTRIBUTE_ENTITIES)


def _number(value: float) -> str:
    if not math.isfinite(value):
        raise ValueError(f"a cell cannot hold {value!r}")
    if isinstance(value, int):
        return str(value)
    # 16 significant digits, as XlsxWriter and openpyxl write a double; Excel keeps 15.
    return f"{value:.16G}"


def _excel_serial(value: datetime.date | datetime.time) -> float:
    if isinstance(value, datetime.datetime) and value.tzinfo is not None:
        value = value.replace(tzinfo=None)  # Excel has no time zones: the wall-clock time
    return float(to_excel(value))


def _date_format(value: datetime.date | datetime.time) -> str:
    # openpyxl's defaults, so both renderers show an unformatted date alike.
    for kind in (datetime.datetime, datetime.date, datetime.time):
        if isinstance(value, kind):
            return str(TIME_FORMATS[kind])
    raise TypeError(f"not a date or time: {value!r}")


# ---------------------------------------------------------------------------------------------
# Styles: one <xf> per distinct (Style, quote prefix), fonts, fills and borders shared.


class _Styles:
    def __init__(self) -> None:
        self.xfs: dict[tuple[Style, bool], int] = {(Style(), False): 0}
        self._xf_xml: list[str] = ['<xf numFmtId="0" fontId="0" fillId="0" borderId="0" '
                                   'xfId="0"/>']
        self._fonts: dict[tuple[Any, ...], int] = {(False, False, False, _DEFAULT_FONT_SIZE,
                                                    None): 0}
        self._fills: dict[str | None, int] = {None: 0, "gray125": 1}
        self._borders: dict[bool, int] = {False: 0}
        self._formats: dict[str, int] = {}

    def index(self, style: Style, quoted: bool) -> int:
        key = (style, quoted)
        found = self.xfs.get(key)
        if found is None:
            found = self.xfs[key] = len(self._xf_xml)
            self._xf_xml.append(self._xf(style, quoted))
        return found

    def _xf(self, style: Style, quoted: bool) -> str:
        font = self._id(self._fonts, (bool(style.bold), bool(style.italic),
                                      bool(style.underline), style.size or _DEFAULT_FONT_SIZE,
                                      style.font_colour))
        fill = self._id(self._fills, style.fill)
        border = self._id(self._borders, bool(style.border))
        number_format = self._format_id(style.number_format)
        attributes = [f'numFmtId="{number_format}" fontId="{font}" fillId="{fill}" '
                      f'borderId="{border}" xfId="0"']
        if number_format:
            attributes.append('applyNumberFormat="1"')
        if font:
            attributes.append('applyFont="1"')
        if fill:
            attributes.append('applyFill="1"')
        if border:
            attributes.append('applyBorder="1"')
        alignment = ""
        # Wrapped, aligned and boxed cells read from the top, like a table's other cells (the
        # openpyxl renderer draws them so).
        if style.wrap or style.horizontal or style.border:
            attributes.append('applyAlignment="1"')
            horizontal = f' horizontal="{style.horizontal}"' if style.horizontal else ""
            wrap = ' wrapText="1"' if style.wrap else ""
            alignment = f'<alignment{horizontal} vertical="top"{wrap}/>'
        if quoted:
            attributes.append('quotePrefix="1"')
        opening = " ".join(attributes)
        return f"<xf {opening}>{alignment}</xf>" if alignment else f"<xf {opening}/>"

    @staticmethod
    def _id(table: dict[Any, int], key: Any) -> int:
        found = table.get(key)
        if found is None:
            found = table[key] = len(table)
        return found

    def _format_id(self, number_format: str | None) -> int:
        if not number_format:
            return 0
        builtin = _BUILTIN_FORMATS.get(number_format)
        if builtin is not None:
            return builtin
        return 164 + self._id(self._formats, number_format)

    def xml(self) -> str:
        formats = "".join(f'<numFmt numFmtId="{index + 164}" formatCode="{_attribute(code)}"/>'
                          for code, index in self._formats.items())
        fonts = "".join(self._font_xml(*key) for key in self._fonts)
        fills = "".join(self._fill_xml(key) for key in self._fills)
        side = f'style="thin"><color rgb="FF{BORDER_COLOUR}"/>'
        borders = "".join(
            f"<border><left {side}</left><right {side}</right><top {side}</top>"
            f"<bottom {side}</bottom><diagonal/></border>" if boxed
            else "<border><left/><right/><top/><bottom/><diagonal/></border>"
            for boxed in self._borders)
        return (f'{_DECLARATION}<styleSheet xmlns="{_MAIN}">'
                + (f'<numFmts count="{len(self._formats)}">{formats}</numFmts>'
                   if self._formats else "")
                + f'<fonts count="{len(self._fonts)}">{fonts}</fonts>'
                f'<fills count="{len(self._fills)}">{fills}</fills>'
                f'<borders count="{len(self._borders)}">{borders}</borders>'
                '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
                f'</cellStyleXfs><cellXfs count="{len(self._xf_xml)}">{"".join(self._xf_xml)}'
                '</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" '
                'builtinId="0"/></cellStyles><dxfs count="0"/><tableStyles count="0" '
                'defaultTableStyle="TableStyleMedium9" defaultPivotStyle="PivotStyleLight16"/>'
                "</styleSheet>")

    @staticmethod
    def _font_xml(bold: bool, italic: bool, underline: bool, size: float,
                  colour: str | None) -> str:
        colour_xml = f'<color rgb="FF{colour}"/>' if colour else '<color theme="1"/>'
        return (f"<font>{'<b/>' if bold else ''}{'<i/>' if italic else ''}"
                f"{'<u/>' if underline else ''}<sz val=\"{_number(size)}\"/>{colour_xml}"
                f'<name val="{_FONT_NAME}"/><family val="2"/><scheme val="minor"/></font>')

    @staticmethod
    def _fill_xml(fill: str | None) -> str:
        if fill is None:
            return '<fill><patternFill patternType="none"/></fill>'
        if fill == "gray125":
            return '<fill><patternFill patternType="gray125"/></fill>'
        return (f'<fill><patternFill patternType="solid"><fgColor rgb="FF{fill}"/>'
                '<bgColor indexed="64"/></patternFill></fill>')


# ---------------------------------------------------------------------------------------------
# Sheets


@dataclass
class _Table:
    number: int  # 1-based across the workbook
    name: str
    ref: str
    header: bool
    columns: list[str]
    style: str


@dataclass
class _Sheet:
    layout: SheetLayout
    number: int  # 1-based
    selected: bool
    rows: dict[int, dict[int, str]] = field(default_factory=dict)  # row -> column -> <c>
    values: dict[tuple[int, int], Any] = field(default_factory=dict)  # for chart caches
    links: list[tuple[str, str, str | None]] = field(default_factory=list)
    tables: list[_Table] = field(default_factory=list)
    chart_numbers: list[int] = field(default_factory=list)

    @property
    def part(self) -> str:
        return f"xl/worksheets/sheet{self.number}.xml"


def _draw_block(sheet: _Sheet, block: Block, styles: _Styles, present: set[str]) -> None:
    first_column, first_row = split_ref(block.anchor)
    # A feedback workbook has a few hundred cells, written for every file of a batch: what is
    # the same for a whole row or column is worked out once.
    text_cells, links, index, xfs = block.text_cells, block.links, styles.index, styles.xfs
    rows, values = sheet.rows, sheet.values
    width = block.width
    letters = [column_letter(first_column + c) for c in range(width)]
    for r, (row_values, row_styles) in enumerate(zip(block.values, block.style_rows(),
                                                      strict=True)):
        row = first_row + r
        cells = rows.get(row)
        if cells is None:
            cells = rows[row] = {}
        for c in range(width):
            value = row_values[c] if c < len(row_values) else None
            column = first_column + c
            style = row_styles[c]
            ref = f"{letters[c]}{row}"
            if isinstance(value, str):
                text, text_xml = _text(value)
                quoted = (r, c) in text_cells and text.startswith(CELL_INJECTION_PREFIXES)
            else:
                text = text_xml = None
                quoted = False
            link = links.get((r, c)) if links else None
            if link and location_sheet(link) in present:
                style = LINK.over(style)
                sheet.links.append((ref, link, text or None))
            xf = xfs.get((style, quoted))
            if xf is None:
                xf = index(style, quoted)
            s = f' s="{xf}"' if xf else ""
            values[(row, column)] = value
            if text:
                cells[column] = f'<c r="{ref}"{s} t="inlineStr">{text_xml}</c>'
            elif isinstance(value, bool):
                cells[column] = f'<c r="{ref}"{s} t="b"><v>{int(value)}</v></c>'
            elif isinstance(value, (int, float)):
                cells[column] = f'<c r="{ref}"{s}><v>{_number(value)}</v></c>'
            elif isinstance(value, (datetime.date, datetime.time)):
                if not style.number_format:
                    # A serial number without a date format would show as a number.
                    xf = index(replace(style, number_format=_date_format(value)), quoted)
                    s = f' s="{xf}"'
                cells[column] = f'<c r="{ref}"{s}><v>{_number(_excel_serial(value))}</v></c>'
            elif value is None or text == "":
                if xf:
                    # A styled blank: a header's fill or a table's box shows on empty cells too.
                    cells[column] = f'<c r="{ref}"{s}/>'
                else:
                    cells.pop(column, None)
            else:
                raise TypeError(f"cannot write a {type(value).__name__} to a cell "
                                f"({block.cell_ref(r, c)})")


# Labels, headings, codes and actions repeat in every feedback workbook of a batch.
@functools.lru_cache(maxsize=4096)
def _text(value: str) -> tuple[str, str]:
    """A string as a cell holds it, and the inline-string XML that carries it."""
    text = cell_text(value)
    return text, f'<is><t xml:space="preserve">{escape(text)}</t></is>'


def _table(block: Block, number: int, taken: set[str]) -> _Table:
    name = block.free_table_name(taken)
    taken.add(name)
    headers = block.values[0] if block.header else []
    columns = [f"Column{c + 1}" if h is None or h == "" else str(h)
               for c, h in enumerate(headers + [None] * (block.width - len(headers)))]
    if len({c.lower() for c in columns}) != len(columns):
        # Excel repairs (drops) a table whose column names repeat: refuse it here instead.
        raise ValueError(f"table {name!r} at {block.ref} repeats a column header: {columns}")
    return _Table(number, name, block.ref, block.header, columns, block.table_style)


def _column_width(characters: float) -> str:
    if characters < 1:
        pixels = int(characters * (_DIGIT_PIXELS + _PADDING_PIXELS) + 0.5)
    else:
        pixels = int(characters * _DIGIT_PIXELS + 0.5) + _PADDING_PIXELS
    return f"{(pixels * 256 // _DIGIT_PIXELS) / 256:.16g}"


def _pane(freeze: str) -> str:
    column, row = split_ref(freeze)
    x_split, y_split = column - 1, row - 1
    if not x_split and not y_split:
        return ""
    pane = ("bottomRight" if x_split and y_split else "bottomLeft" if y_split else "topRight")
    splits = (f' xSplit="{x_split}"' if x_split else "") + (f' ySplit="{y_split}"'
                                                             if y_split else "")
    return (f'<pane{splits} topLeftCell="{freeze}" activePane="{pane}" state="frozen"/>'
            f'<selection pane="{pane}"/>')


def _sheet_xml(sheet: _Sheet) -> str:
    layout = sheet.layout
    parts = [f'{_DECLARATION}<worksheet xmlns="{_MAIN}" xmlns:r="{_REL}"><sheetPr>']
    if layout.tab_colour:
        parts.append(f'<tabColor rgb="FF{layout.tab_colour}"/>')
    if layout.fit_to_width:
        parts.append('<pageSetUpPr fitToPage="1"/>')
    parts.append("</sheetPr>")
    rows = {row: cells for row, cells in sheet.rows.items() if cells}
    if rows:
        columns = [column for cells in rows.values() for column in cells]
        parts.append(f'<dimension ref="{column_letter(min(columns))}{min(rows)}:'
                     f'{column_letter(max(columns))}{max(rows)}"/>')
    else:
        parts.append('<dimension ref="A1"/>')
    pane = _pane(layout.freeze) if layout.freeze else ""
    selected = ' tabSelected="1"' if sheet.selected else ""
    parts.append(f'<sheetViews><sheetView{selected} workbookViewId="0">{pane}</sheetView>'
                 if pane else f'<sheetViews><sheetView{selected} workbookViewId="0"/>')
    parts.append('</sheetViews><sheetFormatPr defaultRowHeight="15"/>')
    if layout.column_widths:
        widths = sorted((split_ref(f"{letter}1")[0], width)
                        for letter, width in layout.column_widths.items())
        parts.append("<cols>")
        parts.extend(f'<col min="{column}" max="{column}" width="{_column_width(width)}" '
                     'customWidth="1"/>' for column, width in widths)
        parts.append("</cols>")
    parts.append("<sheetData>")
    heights = layout.row_heights
    for row in sorted(set(rows) | set(heights)):
        height = heights.get(row)
        opening = (f'<row r="{row}" ht="{height:.16g}" customHeight="1">' if height
                   else f'<row r="{row}">')
        cells = rows.get(row)
        if cells:
            parts.append(opening)
            parts.extend(cells[column] for column in sorted(cells))
            parts.append("</row>")
        else:
            parts.append(opening[:-1] + "/>")
    parts.append("</sheetData>")
    if sheet.links:
        parts.append("<hyperlinks>")
        parts.extend(f'<hyperlink ref="{ref}" location="{_attribute(location)}"'
                     + (f' display="{_attribute(display)}"/>' if display else "/>")
                     for ref, location, display in sheet.links)
        parts.append("</hyperlinks>")
    parts.append('<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" '
                 'footer="0.3"/>')
    setup = (' fitToHeight="0"' if layout.fit_to_width else "") + (
        ' orientation="landscape"' if layout.landscape else "")
    if setup:
        parts.append(f"<pageSetup{setup}/>")
    if layout.page_breaks:
        breaks = sorted(set(layout.page_breaks))
        parts.append(f'<rowBreaks count="{len(breaks)}" manualBreakCount="{len(breaks)}">')
        # A break "below" the 0-based row before it is a break above the layout's row.
        parts.extend(f'<brk id="{row - 1}" max="16383" man="1"/>' for row in breaks)
        parts.append("</rowBreaks>")
    relationship = 1
    if sheet.chart_numbers:
        parts.append(f'<drawing r:id="rId{relationship}"/>')
        relationship += 1
    if sheet.tables:
        parts.append(f'<tableParts count="{len(sheet.tables)}">')
        parts.extend(f'<tablePart r:id="rId{relationship + i}"/>'
                     for i in range(len(sheet.tables)))
        parts.append("</tableParts>")
    parts.append("</worksheet>")
    return "".join(parts)


def _sheet_relationships(sheet: _Sheet) -> str | None:
    targets = [("drawing", f"../drawings/drawing{sheet.number}.xml")] if sheet.chart_numbers \
        else []
    targets += [("table", f"../tables/table{t.number}.xml") for t in sheet.tables]
    return _relationships([(f"{_REL}/{kind}", target) for kind, target in targets]) \
        if targets else None


def _table_xml(table: _Table) -> str:
    columns = "".join(f'<tableColumn id="{i}" name="{_attribute(name)}"/>'
                      for i, name in enumerate(table.columns, start=1))
    header = "" if table.header else ' headerRowCount="0"'
    auto_filter = f'<autoFilter ref="{table.ref}"/>' if table.header else ""
    return (f'{_DECLARATION}<table xmlns="{_MAIN}" id="{table.number}" '
            f'name="{table.name}" displayName="{table.name}" ref="{table.ref}"{header} '
            f'totalsRowShown="0">{auto_filter}<tableColumns count="{len(table.columns)}">'
            f'{columns}</tableColumns><tableStyleInfo name="{_attribute(table.style)}" '
            'showFirstColumn="0" showLastColumn="0" showRowStripes="1" '
            'showColumnStripes="0"/></table>')


# ---------------------------------------------------------------------------------------------
# Charts


def _cells_of(ref: str) -> Iterator[tuple[int, int]]:
    first, _, last = ref.partition(":")
    first_column, first_row = split_ref(first)
    last_column, last_row = split_ref(last or first)
    for row in range(first_row, last_row + 1):
        for column in range(first_column, last_column + 1):
            yield row, column


def _absolute(sheet_name: str, ref: str) -> str:
    first, _, last = ref.partition(":")
    corners = []
    for corner in (first, last or first):
        column, row = split_ref(corner)
        corners.append(f"${column_letter(column)}${row}")
    return sheet_location(sheet_name, f"{corners[0]}:{corners[1]}")


def _rich(text: str) -> str:
    return (f'<c:tx><c:rich><a:bodyPr/><a:lstStyle/><a:p><a:pPr><a:defRPr/></a:pPr><a:r>'
            f'<a:rPr lang="en-GB"/><a:t>{escape(text)}</a:t></a:r></a:p></c:rich></c:tx>'
            "<c:layout/>")


def _chart_xml(sheet: _Sheet, spec: ChartSpec, number: int) -> str:
    if spec.kind != "bar":
        raise ValueError(f"unsupported chart kind {spec.kind!r}")
    name = sheet.layout.name
    categories = [sheet.values.get(cell) for cell in _cells_of(spec.categories_ref)]
    values = [sheet.values.get(cell) for cell in _cells_of(spec.values_ref)]
    # Cached so the chart draws before any recalculation, as Excel saves it.
    category_cache = "".join(f'<c:pt idx="{i}"><c:v>{escape(str(v))}</c:v></c:pt>'
                             for i, v in enumerate(categories) if v is not None)
    value_cache = "".join(f'<c:pt idx="{i}"><c:v>{_number(v)}</c:v></c:pt>'
                          for i, v in enumerate(values)
                          if isinstance(v, int | float) and not isinstance(v, bool))
    points = "".join(
        f'<c:dPt><c:idx val="{i}"/><c:spPr><a:solidFill><a:srgbClr val="{colour}"/>'
        f'</a:solidFill><a:ln><a:solidFill><a:srgbClr val="{colour}"/></a:solidFill></a:ln>'
        "</c:spPr></c:dPt>" for i, colour in enumerate(spec.point_colours))
    series_name = f"<c:tx><c:v>{escape(spec.series_title)}</c:v></c:tx>" \
        if spec.series_title else ""
    labels = "<c:dLbls><c:showVal val=\"1\"/></c:dLbls>" if spec.show_values else ""
    x_axis, y_axis = f"5{number:03d}0001", f"5{number:03d}0002"
    scaling = "".join([
        '<c:orientation val="minMax"/>',
        f'<c:max val="{_number(spec.y_max)}"/>' if spec.y_max is not None else "",
        f'<c:min val="{_number(spec.y_min)}"/>' if spec.y_min is not None else ""])
    y_format = (f'<c:numFmt formatCode="{_attribute(spec.y_number_format)}" sourceLinked="0"/>'
                if spec.y_number_format else "")
    y_title = f"<c:title>{_rich(spec.y_axis_title)}</c:title>" if spec.y_axis_title else ""
    x_title = f"<c:title>{_rich(spec.x_axis_title)}</c:title>" if spec.x_axis_title else ""
    return (
        f'{_DECLARATION}<c:chartSpace xmlns:c="http://schemas.openxmlformats.org/drawingml/'
        '2006/chart" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
        f'xmlns:r="{_REL}"><c:lang val="en-GB"/><c:chart>'
        f"<c:title>{_rich(spec.title)}</c:title><c:autoTitleDeleted val=\"0\"/>"
        '<c:plotArea><c:layout/><c:barChart><c:barDir val="col"/>'
        '<c:grouping val="clustered"/><c:varyColors val="0"/><c:ser><c:idx val="0"/>'
        f'<c:order val="0"/>{series_name}<c:invertIfNegative val="0"/>{points}{labels}'
        f"<c:cat><c:strRef><c:f>{escape(_absolute(name, spec.categories_ref))}</c:f>"
        f'<c:strCache><c:ptCount val="{len(categories)}"/>{category_cache}</c:strCache>'
        f"</c:strRef></c:cat><c:val><c:numRef><c:f>{escape(_absolute(name, spec.values_ref))}"
        f'</c:f><c:numCache><c:formatCode>General</c:formatCode><c:ptCount val="{len(values)}"'
        f"/>{value_cache}</c:numCache></c:numRef></c:val></c:ser>"
        f'<c:gapWidth val="150"/><c:axId val="{x_axis}"/><c:axId val="{y_axis}"/></c:barChart>'
        f'<c:catAx><c:axId val="{x_axis}"/><c:scaling><c:orientation val="minMax"/>'
        f'</c:scaling><c:delete val="0"/><c:axPos val="b"/>{x_title}'
        '<c:majorTickMark val="out"/><c:minorTickMark val="none"/><c:tickLblPos val="nextTo"/>'
        f'<c:crossAx val="{y_axis}"/><c:crosses val="autoZero"/><c:auto val="1"/>'
        '<c:lblAlgn val="ctr"/><c:lblOffset val="100"/><c:noMultiLvlLbl val="0"/></c:catAx>'
        f'<c:valAx><c:axId val="{y_axis}"/><c:scaling>{scaling}</c:scaling>'
        '<c:delete val="0"/><c:axPos val="l"/><c:majorGridlines/>'
        f'{y_title}{y_format}<c:majorTickMark val="out"/><c:minorTickMark val="none"/>'
        f'<c:tickLblPos val="nextTo"/><c:crossAx val="{x_axis}"/><c:crosses val="autoZero"/>'
        '<c:crossBetween val="between"/></c:valAx></c:plotArea><c:plotVisOnly val="1"/>'
        '<c:dispBlanksAs val="gap"/></c:chart><c:printSettings><c:headerFooter/>'
        '<c:pageMargins b="0.75" l="0.7" r="0.7" t="0.75" header="0.3" footer="0.3"/>'
        "<c:pageSetup/></c:printSettings></c:chartSpace>")


def _drawing_xml(sheet: _Sheet) -> str:
    anchors = []
    for i, (spec, number) in enumerate(zip(sheet.layout.charts, sheet.chart_numbers,
                                           strict=True), start=1):
        column, row = split_ref(spec.anchor)
        anchors.append(
            f"<xdr:oneCellAnchor><xdr:from><xdr:col>{column - 1}</xdr:col><xdr:colOff>0"
            f"</xdr:colOff><xdr:row>{row - 1}</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:from>"
            f'<xdr:ext cx="{round(spec.width_cm * _EMU_PER_CM)}" '
            f'cy="{round(spec.height_cm * _EMU_PER_CM)}"/><xdr:graphicFrame macro="">'
            f'<xdr:nvGraphicFramePr><xdr:cNvPr id="{i + 1}" name="Chart {number}"/>'
            "<xdr:cNvGraphicFramePr/></xdr:nvGraphicFramePr><xdr:xfrm><a:off x=\"0\" y=\"0\"/>"
            '<a:ext cx="0" cy="0"/></xdr:xfrm><a:graphic><a:graphicData uri="http://schemas.'
            'openxmlformats.org/drawingml/2006/chart"><c:chart xmlns:c="http://schemas.'
            f'openxmlformats.org/drawingml/2006/chart" r:id="rId{i}"/></a:graphicData>'
            "</a:graphic></xdr:graphicFrame><xdr:clientData/></xdr:oneCellAnchor>")
    return (f'{_DECLARATION}<xdr:wsDr xmlns:xdr="http://schemas.openxmlformats.org/drawingml/'
            '2006/spreadsheetDrawing" xmlns:a="http://schemas.openxmlformats.org/drawingml/'
            f'2006/main" xmlns:r="{_REL}">{"".join(anchors)}</xdr:wsDr>')


# ---------------------------------------------------------------------------------------------
# The package


def _relationships(targets: list[tuple[str, str]]) -> str:
    body = "".join(f'<Relationship Id="rId{i}" Type="{kind}" Target="{target}"/>'
                   for i, (kind, target) in enumerate(targets, start=1))
    return f'{_DECLARATION}<Relationships xmlns="{_PKG_REL}">{body}</Relationships>'


def _print_titles(layout: SheetLayout) -> str | None:
    if not layout.print_title_rows:
        return None
    match = _ROWS.match(layout.print_title_rows)
    if not match:
        raise ValueError(f"expected print title rows such as '1:1', found "
                         f"{layout.print_title_rows!r}")
    return sheet_location(layout.name, f"${match.group(1)}:${match.group(2)}")


def _package(layouts: list[SheetLayout], *, title: str | None,
             creator: str) -> list[tuple[str, str]]:
    styles = _Styles()
    # Links may only point at sheets the written workbook will really have.
    present = {layout.name for layout in layouts}
    sheets = [_Sheet(layout, number, number == 1)
              for number, layout in enumerate(layouts, start=1)]
    taken: set[str] = set()
    table_count = chart_count = 0
    for sheet in sheets:
        for block in sheet.layout.blocks:
            _draw_block(sheet, block, styles, present)
            if block.table_name:
                table_count += 1
                sheet.tables.append(_table(block, table_count, taken))
        for _ in sheet.layout.charts:
            chart_count += 1
            sheet.chart_numbers.append(chart_count)

    parts: list[tuple[str, str]] = []
    overrides = [("/docProps/app.xml",
                  "application/vnd.openxmlformats-officedocument.extended-properties+xml"),
                 ("/docProps/core.xml", "application/vnd.openxmlformats-package.core-properties"
                                        "+xml"),
                 ("/xl/styles.xml", "application/vnd.openxmlformats-officedocument."
                                    "spreadsheetml.styles+xml"),
                 ("/xl/theme/theme1.xml", "application/vnd.openxmlformats-officedocument."
                                          "theme+xml"),
                 ("/xl/workbook.xml", "application/vnd.openxmlformats-officedocument."
                                      "spreadsheetml.sheet.main+xml")]
    defined_names = []
    for index, sheet in enumerate(sheets):
        parts.append((sheet.part, _sheet_xml(sheet)))
        overrides.append((f"/{sheet.part}", "application/vnd.openxmlformats-officedocument."
                                            "spreadsheetml.worksheet+xml"))
        relationships = _sheet_relationships(sheet)
        if relationships:
            parts.append((f"xl/worksheets/_rels/sheet{sheet.number}.xml.rels", relationships))
        for table in sheet.tables:
            parts.append((f"xl/tables/table{table.number}.xml", _table_xml(table)))
            overrides.append((f"/xl/tables/table{table.number}.xml",
                              "application/vnd.openxmlformats-officedocument.spreadsheetml."
                              "table+xml"))
        if sheet.chart_numbers:
            drawing = f"xl/drawings/drawing{sheet.number}.xml"
            parts.append((drawing, _drawing_xml(sheet)))
            overrides.append((f"/{drawing}",
                              "application/vnd.openxmlformats-officedocument.drawing+xml"))
            parts.append((f"xl/drawings/_rels/drawing{sheet.number}.xml.rels", _relationships(
                [(f"{_REL}/chart", f"../charts/chart{n}.xml") for n in sheet.chart_numbers])))
            for spec, number in zip(sheet.layout.charts, sheet.chart_numbers, strict=True):
                parts.append((f"xl/charts/chart{number}.xml", _chart_xml(sheet, spec, number)))
                overrides.append((f"/xl/charts/chart{number}.xml",
                                  "application/vnd.openxmlformats-officedocument.drawingml."
                                  "chart+xml"))
        titles = _print_titles(sheet.layout)
        if titles:
            defined_names.append(f'<definedName name="_xlnm.Print_Titles" '
                                 f'localSheetId="{index}">{escape(titles)}</definedName>')

    sheet_list = "".join(f'<sheet name="{_attribute(sheet.layout.name)}" '
                         f'sheetId="{sheet.number}" r:id="rId{sheet.number}"/>'
                         for sheet in sheets)
    names = f"<definedNames>{''.join(defined_names)}</definedNames>" if defined_names else ""
    parts.append(("xl/workbook.xml",
                  f'{_DECLARATION}<workbook xmlns="{_MAIN}" xmlns:r="{_REL}">'
                  '<workbookPr defaultThemeVersion="124226"/><bookViews><workbookView '
                  'xWindow="240" yWindow="15" windowWidth="16095" windowHeight="9660"/>'
                  f'</bookViews><sheets>{sheet_list}</sheets>{names}'
                  '<calcPr calcId="124519" fullCalcOnLoad="1"/></workbook>'))
    parts.append(("xl/_rels/workbook.xml.rels", _relationships(
        [(f"{_REL}/worksheet", f"worksheets/sheet{sheet.number}.xml") for sheet in sheets]
        + [(f"{_REL}/theme", "theme/theme1.xml"), (f"{_REL}/styles", "styles.xml")])))
    parts.append(("xl/styles.xml", styles.xml()))
    parts.append(("xl/theme/theme1.xml", theme_xml))
    parts.append(("docProps/core.xml", _core_xml(title, creator)))
    parts.append(("docProps/app.xml", _app_xml(sheets)))
    parts.append(("_rels/.rels", _relationships([
        (f"{_REL}/officeDocument", "xl/workbook.xml"),
        (f"{_PKG_REL}/metadata/core-properties", "docProps/core.xml"),
        (f"{_REL}/extended-properties", "docProps/app.xml")])))
    content_types = "".join(f'<Override PartName="{name}" ContentType="{kind}"/>'
                            for name, kind in overrides)
    # [Content_Types].xml first, as Excel and XlsxWriter write it.
    parts.insert(0, ("[Content_Types].xml",
                     f'{_DECLARATION}<Types xmlns="http://schemas.openxmlformats.org/package/'
                     '2006/content-types"><Default Extension="rels" ContentType="application/'
                     'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
                     f'ContentType="application/xml"/>{content_types}</Types>'))
    return parts


def _core_xml(title: str | None, creator: str) -> str:
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    title_xml = f"<dc:title>{escape(cell_text(title))}</dc:title>" if title else ""
    return (f'{_DECLARATION}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/'
            'package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
            'xmlns:dcterms="http://purl.org/dc/terms/" xmlns:dcmitype="http://purl.org/dc/'
            'dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            f"{title_xml}<dc:creator>{escape(creator)}</dc:creator><cp:lastModifiedBy>"
            f'{escape(creator)}</cp:lastModifiedBy><dcterms:created xsi:type="dcterms:W3CDTF">'
            f'{now}</dcterms:created><dcterms:modified xsi:type="dcterms:W3CDTF">{now}'
            "</dcterms:modified></cp:coreProperties>")


def _app_xml(sheets: list[_Sheet]) -> str:
    names = "".join(f"<vt:lpstr>{escape(sheet.layout.name)}</vt:lpstr>" for sheet in sheets)
    return (f'{_DECLARATION}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/'
            '2006/extended-properties" xmlns:vt="http://schemas.openxmlformats.org/'
            'officeDocument/2006/docPropsVTypes"><Application>Microsoft Excel</Application>'
            '<DocSecurity>0</DocSecurity><ScaleCrop>false</ScaleCrop><HeadingPairs><vt:vector '
            'size="2" baseType="variant"><vt:variant><vt:lpstr>Worksheets</vt:lpstr>'
            f'</vt:variant><vt:variant><vt:i4>{len(sheets)}</vt:i4></vt:variant></vt:vector>'
            f'</HeadingPairs><TitlesOfParts><vt:vector size="{len(sheets)}" baseType="lpstr">'
            f"{names}</vt:vector></TitlesOfParts><LinksUpToDate>false</LinksUpToDate>"
            "<SharedDoc>false</SharedDoc><HyperlinksChanged>false</HyperlinksChanged>"
            "<AppVersion>12.0000</AppVersion></Properties>")
