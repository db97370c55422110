"""The XlsxWriter renderer: sheet layouts as a new workbook.

Every new workbook xl-localism writes from layouts goes through :func:`write_layouts`: feedback
workbooks and the national and trend reports. What goes in which cell is decided by the layouts
(:mod:`xl_localism.layout`, :mod:`xl_localism.batch.national`); this module only translates
them into XlsxWriter calls.

Text is never turned into a formula: every string is written with ``write_string`` (XlsxWriter's
``write`` would make "=cmd" a live formula), the workbook is opened with
``strings_to_formulas`` off as a second guard, and a string that starts like a formula also
gets Excel's quote prefix, so it stays text after a user edits the cell. Characters XML 1.0
cannot hold are removed and text is cut to Excel's cell limit (``files.cell_text``).

The workbook is built in memory and written to a temporary file that is renamed over the
target, so a failure or an interruption leaves no half-written file and any earlier one intact.

A workbook too long to hold (the national report: every flag of every trust) is written
``row_by_row``: XlsxWriter's ``constant_memory`` mode sends each row to a temporary file as the
next one begins, so its memory does not grow with the rows. That mode cannot write an Excel
table, so each table is written as a filtered range under the same header row instead, and
only a row that holds a cell is written out (with its height): layouts set heights only there.
"""

from __future__ import annotations

import contextlib
import datetime
import itertools
import math
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.exceptions import FileCreateError
from xlsxwriter.format import Format
from xlsxwriter.utility import xl_rowcol_to_cell
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from xl_localism.a1 import location_sheet, split_range, split_ref
from xl_localism.layout import (
    BORDER_COLOUR,
    LINE_HEIGHT,
    LINK,
    Block,
    ChartSpec,
    RowStream,
    SheetLayout,
    Style,
)
from xl_localism.render import limits
from xl_localism.render.limits import within_excel
from xl_localism.workbook.files import CELL_INJECTION_PREFIXES, atomic_path, cell_text, xml_text

CREATOR = "xl-localism"
_PIXELS_PER_CM = 96 / 2.54
# What a date or time with no number format of its own shows as (openpyxl's defaults, which the
# earlier writers used).
_DATE_FORMATS: tuple[tuple[type, str], ...] = (
    (datetime.datetime, "yyyy-mm-dd h:mm:ss"),
    (datetime.date, "yyyy-mm-dd"),
    (datetime.time, "h:mm:ss"),
)
_TABLE_STYLE = re.compile(r"^TableStyle(Light|Medium|Dark)(\d+)$")
_CHART_TYPES = {"bar": {"type": "column"},
                "stacked bar": {"type": "column", "subtype": "stacked"},
                "line": {"type": "line"}}
# Marker shapes in turn, so lines of one colour (a palette repeats) still differ.
_MARKERS = ("circle", "square", "diamond", "triangle", "x", "star", "plus")
# No automatic conversion of text, ever: a layout's strings are data.
_WORKBOOK_OPTIONS = {"strings_to_formulas": False, "strings_to_numbers": False,
                     "strings_to_urls": False, "in_memory": True}
# in_memory would switch constant_memory off: the parts go through temporary files instead.
_ROW_BY_ROW_OPTIONS = {**_WORKBOOK_OPTIONS, "in_memory": False, "constant_memory": True}


def write_layouts(layouts: Iterable[SheetLayout], path: Path | str, *,
                  title: str | None = None, creator: str = CREATOR,
                  row_by_row: bool = False) -> Path:
    """A new workbook at ``path`` with one sheet per layout, in order, opening on the first.

    ``row_by_row``: in memory that does not grow with the rows, tables written as filtered
    ranges (see the module's note).
    """
    # Cut to Excel's limits (rows, columns, row heights ...): never a file Excel must repair.
    layouts = [within_excel(layout) for layout in layouts]
    if not layouts:
        raise ValueError("a workbook needs at least one sheet layout")
    with atomic_path(path) as temporary, _scratch(Path(path).parent, row_by_row) as scratch:
        options = (_WORKBOOK_OPTIONS if scratch is None
                   else {**_ROW_BY_ROW_OPTIONS, "tmpdir": str(scratch)})
        workbook = xlsxwriter.Workbook(str(temporary), options)
        try:
            workbook.set_properties({"title": xml_text(title or ""), "author": xml_text(creator)})
            formats = _Formats(workbook)
            present = {layout.name for layout in layouts}
            taken: set[str] = set()
            for layout in layouts:
                if row_by_row:
                    _draw_row_by_row(workbook, layout, formats, present)
                else:
                    _draw(workbook, layout, formats, present, taken)
            workbook.worksheets()[0].activate()
            workbook.close()
        except FileCreateError as error:
            _abandon(workbook)
            # XlsxWriter wraps the OSError (disk full, folder read-only); callers handle an
            # OSError as "the outputs could not be written", so hand back the original.
            cause = error.args[0] if error.args else None
            raise (cause if isinstance(cause, OSError) else OSError(str(error))) from error
        except BaseException:
            _abandon(workbook)
            raise
    return Path(path)


@contextlib.contextmanager
def _scratch(folder: Path, row_by_row: bool) -> Iterator[Path | None]:
    """Row by row, XlsxWriter writes rows and parts to temporary files: here in a hidden
    ``.tmp`` folder beside the output, so a full disk is the output folder's (not the
    system's temporary folder's), and a killed run's is removed by the next one's clean-up."""
    if not row_by_row:
        yield None
        return
    scratch = Path(tempfile.mkdtemp(prefix=".xlsxwriter.", suffix=".tmp", dir=folder))
    try:
        yield scratch
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _abandon(workbook: Workbook) -> None:
    # A workbook never closed complains from its destructor; this one is given up on purpose
    # (the temporary file is removed by atomic_path).
    with contextlib.suppress(Exception):
        workbook.fileclosed = True


class _Formats:
    """One XlsxWriter format per distinct look: a sheet repeats a handful thousands of times,
    and each new Format is another entry in the workbook's styles."""

    def __init__(self, workbook: Workbook) -> None:
        self.workbook = workbook
        self._made: dict[tuple[Style, bool, str | None], Format | None] = {}

    def get(self, style: Style, *, quoted: bool = False,
            default_number_format: str | None = None) -> Format | None:
        key = (style, quoted, default_number_format)
        if key not in self._made:
            self._made[key] = self._make(style, quoted, default_number_format)
        return self._made[key]

    def _make(self, style: Style, quoted: bool, default_number_format: str | None
              ) -> Format | None:
        properties: dict[str, Any] = {}
        if style.bold:
            properties["bold"] = True
        if style.italic:
            properties["italic"] = True
        if style.underline:
            properties["underline"] = 1
        if style.size:
            properties["font_size"] = style.size
        if style.font_colour:
            properties["font_color"] = f"#{style.font_colour}"
        if style.fill:
            properties.update(pattern=1, bg_color=f"#{style.fill}")
        number_format = style.number_format or default_number_format
        if number_format:
            properties["num_format"] = number_format
        if style.wrap:
            properties["text_wrap"] = True
        if style.horizontal:
            properties["align"] = style.horizontal
        if style.wrap or style.horizontal or style.border:
            # As the openpyxl renderer: a boxed or wrapped table reads from the top of its rows.
            properties["valign"] = "top"
        if style.border:
            properties.update(border=1, border_color=f"#{BORDER_COLOUR}")
        if quoted:
            properties["quote_prefix"] = True
        return self.workbook.add_format(properties) if properties else None


def _table_style(name: str) -> str:
    """openpyxl's "TableStyleLight9" is XlsxWriter's "Table Style Light 9"."""
    match = _TABLE_STYLE.match(name)
    return f"Table Style {match.group(1)} {match.group(2)}" if match else name


def _draw(workbook: Workbook, layout: SheetLayout, formats: _Formats, present: set[str],
          taken: set[str]) -> Worksheet:
    if layout.stream is not None:
        raise ValueError(f"sheet {layout.name!r} has rows to write row by row "
                         "(write_layouts(..., row_by_row=True))")
    sheet = workbook.add_worksheet(cell_text(layout.name))
    # Tables first: add_table writes its own header cells, which the block then writes over
    # with the layout's values and looks.
    for block in layout.blocks:
        if block.table_name:
            _add_table(sheet, block, taken)
    for block in layout.blocks:
        _write_block(sheet, block, formats, present)
    for row, height in sorted(layout.row_heights.items()):
        sheet.set_row(row - 1, height)
    _finish_sheet(workbook, sheet, layout)
    return sheet


def _draw_row_by_row(workbook: Workbook, layout: SheetLayout, formats: _Formats,
                     present: set[str]) -> Worksheet:
    """The sheet with each row written whole before the next (constant_memory): a row is
    gone once a later one is begun, so blocks must follow one another down the sheet."""
    sheet = workbook.add_worksheet(cell_text(layout.name))
    blocks = sorted(layout.blocks, key=lambda block: block.first_row)
    for above, below in itertools.pairwise(blocks):
        if below.first_row < above.first_row + above.height:
            raise ValueError(f"sheet {layout.name!r}: blocks at {above.anchor} and "
                             f"{below.anchor} share rows, which cannot be written row by row")
    stream = layout.stream
    if stream is not None and stream.usual_height is not None and blocks:
        raise ValueError(f"sheet {layout.name!r}: a usual row height is the whole sheet's, "
                         "and the sheet has blocks as well as rows")
    if (stream is not None and blocks
            and stream.first_row < blocks[-1].first_row + blocks[-1].height):
        raise ValueError(f"sheet {layout.name!r}: the rows at {stream.anchor} begin among "
                         "the blocks above them")
    filtered = [block.ref for block in blocks if block.table_name]
    if stream is not None:
        filtered.append(stream.ref)
    if len(filtered) > 1:
        raise ValueError(f"sheet {layout.name!r}: a sheet written row by row has one filtered "
                         f"range, not {len(filtered)}")
    heights = _Heights(sheet, layout.row_heights)
    for block in blocks:
        _write_block(sheet, block, formats, present, before_row=heights.up_to)
    if stream is not None:
        heights.up_to(stream.first_row - 1)
        _write_stream(sheet, stream, formats)
    heights.up_to(limits.MAX_ROWS)
    for ref in filtered:
        first_column, first_row, last_column, last_row = split_range(ref)
        sheet.autofilter(first_row - 1, first_column - 1, last_row - 1, last_column - 1)
    _finish_sheet(workbook, sheet, layout)
    return sheet


class _Heights:
    """A layout's row heights set in row order, each before its row is written out."""

    def __init__(self, sheet: Worksheet, heights: dict[int, float]) -> None:
        self.sheet = sheet
        self.pending = sorted(heights.items(), reverse=True)

    def up_to(self, row: int) -> None:
        """Set every height down to the 0-based ``row``."""
        while self.pending and self.pending[-1][0] - 1 <= row:
            number, height = self.pending.pop()
            _set_height(self.sheet, number - 1, height)


def _set_height(sheet: Worksheet, row: int, height: float) -> None:
    """The 0-based ``row``'s height; row by row, only while the row is not yet written out."""
    if sheet.set_row(row, height) == -1:
        raise ValueError(f"row {row + 1} of sheet {sheet.name!r} could not be given its "
                         "height: it was already written out")


def _write_stream(sheet: Worksheet, stream: RowStream, formats: _Formats) -> None:
    """The header, then each row as it is made: its height first, while the row can take it."""
    first_column, first_row = split_ref(stream.anchor)
    header = stream.header_style.over(stream.style)
    usual = stream.usual_height or LINE_HEIGHT
    if stream.usual_height is not None:
        sheet.set_default_row(stream.usual_height)

    def set_height(row: int, height: float | None) -> None:
        # A row without a height of its own takes the sheet's default: one line is said.
        if (height or LINE_HEIGHT) != usual:
            _set_height(sheet, row, height or LINE_HEIGHT)

    set_height(first_row - 1, stream.header_height)
    for c, value in enumerate(stream.headers):
        _write_value(sheet, first_row - 1, first_column - 1 + c, value, header, formats)
    written = 0
    for written, (values, looks, height) in enumerate(stream.rows(), start=1):
        row = first_row - 1 + written
        if written > stream.count:
            raise ValueError(f"sheet {sheet.name!r}: more rows came than the {stream.count} "
                             "the filtered range was made for")
        set_height(row, height)
        for c in range(stream.width):
            value = values[c] if c < len(values) else None
            look = looks.get(c) if looks else None
            style = stream.style if look is None else look.over(stream.style)
            _write_value(sheet, row, first_column - 1 + c, value, style, formats)
    if written != stream.count:
        raise ValueError(f"sheet {sheet.name!r}: {written} rows came of the {stream.count} "
                         "the filtered range was made for")


def _finish_sheet(workbook: Workbook, sheet: Worksheet, layout: SheetLayout) -> None:
    for letters, width in layout.column_widths.items():
        column = split_ref(f"{letters}1")[0] - 1
        sheet.set_column(column, column, width)
    if layout.freeze:
        column, row = split_ref(layout.freeze)
        sheet.freeze_panes(row - 1, column - 1)
    if layout.tab_colour:
        sheet.set_tab_color(f"#{layout.tab_colour}")
    _page_setup(sheet, layout)
    for spec in layout.charts:
        chart = _chart(workbook, layout.name, spec)
        sheet.insert_chart(spec.anchor, chart)


def _write_block(sheet: Worksheet, block: Block, formats: _Formats, present: set[str],
                 before_row: Callable[[int], None] | None = None) -> None:
    """The block's cells; ``before_row`` is called with each 0-based row before its cells
    (row by row, a row's height must be set while the row can still take it)."""
    first_column, first_row = split_ref(block.anchor)
    styles = block.style_rows()
    width = block.width  # a max over every row: once, not once a row (quadratic in rows)
    for r, values in enumerate(block.values):
        row = first_row + r - 1
        if before_row is not None:
            before_row(row)
        row_styles = styles[r]
        for c in range(width):
            value = values[c] if c < len(values) else None
            column = first_column + c - 1
            style = row_styles[c]
            link = block.links.get((r, c))
            if link and location_sheet(link) in present:
                style = LINK.over(style)
                # Written first: write_url puts its display text in the cell, and the value
                # (which may be a number) is then written over it, keeping the link.
                _written(sheet.write_url(row, column, f"internal:{link}", formats.get(style),
                                         cell_text(str(value)) if value is not None else ""),
                         sheet, row, column)
            _write_value(sheet, row, column, value, style, formats)


def _written(code: int | None, sheet: Worksheet, row: int, column: int) -> None:
    """XlsxWriter returns a negative number, and drops the cell, when it cannot write one
    (outside the sheet; a row already written out row by row): never a silent gap."""
    if code is not None and code < 0:
        raise ValueError(f"cell {xl_rowcol_to_cell(row, column)} of sheet {sheet.name!r} "
                         f"could not be written (XlsxWriter's code {code})")


def _write_value(sheet: Worksheet, row: int, column: int, value: Any, style: Style,
                 formats: _Formats) -> None:
    _written(_cell_written(sheet, row, column, value, style, formats), sheet, row, column)


def _cell_written(sheet: Worksheet, row: int, column: int, value: Any, style: Style,
                  formats: _Formats) -> int | None:
    """XlsxWriter's return code for the cell (negative when it was not written)."""
    if value == "":
        value = None  # an empty string is a blank cell to anyone reading the sheet
    if isinstance(value, str):
        text = cell_text(value)
        quoted = text.startswith(CELL_INJECTION_PREFIXES)
        return sheet.write_string(row, column, text, formats.get(style, quoted=quoted))
    if value is None:
        cell_format = formats.get(style)
        return (None if cell_format is None
                else sheet.write_blank(row, column, None, cell_format))
    if isinstance(value, bool):
        return sheet.write_boolean(row, column, value, formats.get(style))
    if isinstance(value, (int, float)):
        if not math.isfinite(value):
            raise ValueError(f"a cell cannot hold {value!r}")
        return sheet.write_number(row, column, value, formats.get(style))
    if isinstance(value, (datetime.date, datetime.time)):
        if isinstance(value, datetime.datetime) and value.tzinfo is not None:
            value = value.replace(tzinfo=None)  # Excel has no time zones: the wall-clock time
        default = next(f for kind, f in _DATE_FORMATS if isinstance(value, kind))
        return sheet.write_datetime(row, column, value,
                                    formats.get(style, default_number_format=default))
    raise TypeError(f"a layout cell cannot hold {type(value).__name__}: {value!r}")


def _add_table(sheet: Worksheet, block: Block, taken: set[str]) -> None:
    name = block.free_table_name(taken)
    taken.add(name)
    first_column, first_row, last_column, last_row = split_range(block.ref)
    headers = block.values[0]
    seen: set[str] = set()
    for header in headers:
        # Excel refuses the file ("repair") over a table with two columns of one name;
        # XlsxWriter only warns.
        key = str(header).casefold()
        if key in seen:
            raise ValueError(f"table {name} repeats a column header: {header!r}")
        seen.add(key)
    sheet.add_table(first_row - 1, first_column - 1, last_row - 1, last_column - 1, {
        "name": name,
        "style": _table_style(block.table_style),
        "columns": [{"header": cell_text(str(h)) if h is not None else f"Column{i + 1}"}
                    for i, h in enumerate(headers)],
    })


def _page_setup(sheet: Worksheet, layout: SheetLayout) -> None:
    if layout.landscape:
        sheet.set_landscape()
    if layout.fit_to_width:
        sheet.fit_to_pages(layout.pages_wide, 0)
    if layout.print_title_rows:
        first, _, last = layout.print_title_rows.replace("$", "").partition(":")
        sheet.repeat_rows(int(first) - 1, int(last or first) - 1)
    if layout.print_title_columns:
        sheet.repeat_columns(layout.print_title_columns.replace("$", ""))
    if layout.page_breaks:
        # XlsxWriter's break n falls below the nth row: below row - 1, above the layout's row.
        sheet.set_h_pagebreaks([row - 1 for row in layout.page_breaks])


def _range(sheet_name: str, ref: str) -> list[Any]:
    first_column, first_row, last_column, last_row = split_range(ref)
    return [sheet_name, first_row - 1, first_column - 1, last_row - 1, last_column - 1]


def _chart(workbook: Workbook, sheet_name: str, spec: ChartSpec) -> Any:
    kind = _CHART_TYPES.get(spec.kind)
    if kind is None:
        raise ValueError(f"unsupported chart kind {spec.kind!r}")
    chart = workbook.add_chart(dict(kind))
    assert chart is not None
    first_column, first_row, last_column, last_row = split_range(spec.values_ref)
    data_row = first_row + 1 if spec.titles_in_first_row else first_row
    categories = _range(sheet_name, spec.categories_ref)
    for index, column in enumerate(range(first_column, last_column + 1)):
        series: dict[str, Any] = {
            "categories": categories,
            "values": [sheet_name, data_row - 1, column - 1, last_row - 1, column - 1],
        }
        if spec.titles_in_first_row:
            series["name"] = [sheet_name, first_row - 1, column - 1]
        elif spec.series_title:
            series["name"] = xml_text(spec.series_title)
        if index < len(spec.series_colours):
            colour = f"#{spec.series_colours[index]}"
            if spec.kind == "line":
                series["line"] = {"color": colour}
            else:
                series["fill"] = {"color": colour}
        if spec.point_colours and index == 0:
            series["points"] = [{"fill": {"color": f"#{colour}"},
                                 "border": {"color": f"#{colour}"}}
                                for colour in spec.point_colours]
        if spec.markers and spec.kind == "line":
            # Named shapes, not "automatic": LibreOffice draws no marker for that.
            series["marker"] = {"type": _MARKERS[index % len(_MARKERS)], "size": 6}
        if spec.show_values:
            series["data_labels"] = {"value": True}
        if spec.kind == "stacked bar" and index == 0:
            series["overlap"] = 100  # stacked bars share one column per category
        chart.add_series(series)
    chart.set_title({"name": xml_text(spec.title)})
    if not spec.legend:
        chart.set_legend({"none": True})
    y_axis: dict[str, Any] = {}
    if spec.y_axis_title:
        y_axis["name"] = xml_text(spec.y_axis_title)
    if spec.y_min is not None:
        y_axis["min"] = spec.y_min
    if spec.y_max is not None:
        y_axis["max"] = spec.y_max
    if spec.y_number_format:
        y_axis["num_format"] = spec.y_number_format
    chart.set_y_axis(y_axis)
    if spec.x_axis_title:
        chart.set_x_axis({"name": xml_text(spec.x_axis_title)})
    chart.set_size({"width": round(spec.width_cm * _PIXELS_PER_CM),
                    "height": round(spec.height_cm * _PIXELS_PER_CM)})
    return chart
