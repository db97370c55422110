"""The XlsxWriter door: draw layouts as a new workbook, for the feedback workbooks of a batch.

What goes in which cell is decided in :mod:`xl_localism.layout`; this module only translates
each :class:`SheetLayout` into XlsxWriter calls, as ``results.render_sheet`` does into
openpyxl's. XlsxWriter writes new files only, so copying results into a submitted workbook
stays with openpyxl; what it buys here is speed: it writes its XML as plain strings, where
openpyxl builds and serialises an object per cell, and a batch writes a feedback workbook for
every file.

Text that came from a submission can never become a formula: the workbook is opened with
``strings_to_formulas`` (and ``strings_to_numbers``, ``strings_to_urls``) off, and every string
is written with ``write_string``; those starting like a formula also get Excel's quote prefix,
so they stay text after a user edits them, as in the openpyxl renderer.
"""

from __future__ import annotations

import datetime
import functools
import re
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.exceptions import FileCreateError
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from xl_localism.layout import (
    BORDER_COLOUR,
    LINK,
    Block,
    ChartSpec,
    SheetLayout,
    Style,
    column_index,
    location_sheet,
    split_ref,
)
from xl_localism.workbook.files import CELL_INJECTION_PREFIXES, atomic_path, cell_text

# Off, so that nothing XlsxWriter might guess from a string's look turns it into something
# else; in memory, so a workbook is not first spread over temporary files in the system folder.
WORKBOOK_OPTIONS: dict[str, Any] = {
    "strings_to_formulas": False,
    "strings_to_numbers": False,
    "strings_to_urls": False,
    "in_memory": True,
}
CREATOR = "xl-localism"
_PIXELS_PER_CM = 96 / 2.54  # XlsxWriter sizes charts in pixels at 96 dpi
_ROWS = re.compile(r"^\$?(\d+):\$?(\d+)$")
_DATES = (datetime.datetime, datetime.date, datetime.time)


def write_layouts(layouts: list[SheetLayout], path: Path | str, *, title: str | None = None,
                  creator: str = CREATOR) -> Path:
    """A new workbook at ``path`` with one sheet per layout, in order, opening on the first.

    Written to a temporary file beside ``path`` and renamed over it, so an interrupted or
    failed write leaves any earlier file at ``path`` as it was.
    """
    if not layouts:
        raise ValueError("a workbook needs at least one sheet layout")
    with atomic_path(path) as temporary:
        # Nothing is written until close(): a layout that fails to render leaves no file.
        workbook = xlsxwriter.Workbook(str(temporary), WORKBOOK_OPTIONS)
        _render(workbook, layouts)
        workbook.set_properties({"author": creator, **({"title": title} if title else {})})
        try:
            workbook.close()
        except FileCreateError as error:
            # XlsxWriter wraps the OSError of a full disk or a read-only folder; callers (the
            # batch) tell those apart from bugs by their type, so hand back the original.
            cause = error.args[0] if error.args else None
            if isinstance(cause, OSError):
                raise cause from None
            raise
    return Path(path)


def _render(workbook: xlsxwriter.Workbook, layouts: list[SheetLayout]) -> None:
    formats = _Formats(workbook)
    # Links may only point at sheets the written workbook will really have.
    present = {layout.name for layout in layouts}
    tables: set[str] = set()
    for index, layout in enumerate(layouts):
        sheet = workbook.add_worksheet(layout.name)
        if index == 0:
            # Open on the first sheet, with only that tab selected (XlsxWriter's default too,
            # said here because the openpyxl door once opened feedback on Flags).
            sheet.activate()
        _render_sheet(workbook, sheet, layout, formats, present, tables)


def _render_sheet(workbook: xlsxwriter.Workbook, sheet: Worksheet, layout: SheetLayout,
                  formats: _Formats, present: set[str], tables: set[str]) -> None:
    # Tables first: add_table writes its header strings into the cells, unformatted; the
    # block's own header cells, written after, then win with their styles.
    for block in layout.blocks:
        if block.table_name:
            _add_table(sheet, block, tables)
    for block in layout.blocks:
        _write_block(sheet, block, formats, present)
    for letter, width in layout.column_widths.items():
        column = column_index(letter) - 1
        sheet.set_column(column, column, width)
    for row, height in layout.row_heights.items():
        sheet.set_row(row - 1, height)
    if layout.freeze:
        sheet.freeze_panes(layout.freeze)
    if layout.tab_colour:
        sheet.set_tab_color(f"#{layout.tab_colour}")
    _page_setup(sheet, layout)
    for spec in layout.charts:
        sheet.insert_chart(spec.anchor, _bar_chart(workbook, layout.name, spec))


def _write_block(sheet: Worksheet, block: Block, formats: _Formats, present: set[str]) -> None:
    first_column, first_row = split_ref(block.anchor)
    # A feedback workbook has a few hundred cells, written for every file of a batch: the
    # lookups are bound once per block.
    style_at, text_cells, links, format_of = (block.style_at, block.text_cells, block.links,
                                              formats.get)
    write_string, write_number = sheet.write_string, sheet.write_number
    width = block.width
    for r, values in enumerate(block.values):
        row = first_row + r - 1
        for c in range(width):
            value = values[c] if c < len(values) else None
            column = first_column + c - 1
            style = style_at(r, c)
            text = cell_text(value) if isinstance(value, str) else None
            quoted = (text is not None and (r, c) in text_cells
                      and text.startswith(CELL_INJECTION_PREFIXES))
            link = links.get((r, c)) if links else None
            if link and location_sheet(link) in present:
                cell_format = format_of(LINK.over(style), quoted)
                # write_url writes its text as a string cell; a number or date is written over
                # it below, and the link (kept apart from the cell) stays.
                sheet.write_url(row, column, f"internal:{link}", cell_format, text or None)
                if text:
                    continue
            else:
                cell_format = format_of(style, quoted)
            if text:
                write_string(row, column, text, cell_format)
            elif isinstance(value, bool):
                sheet.write_boolean(row, column, value, cell_format)
            elif isinstance(value, int | float):
                write_number(row, column, value, cell_format)
            elif isinstance(value, _DATES):
                sheet.write_datetime(row, column, value, cell_format)
            elif value is None or text == "":
                if cell_format is not None:
                    # A styled blank: a header's fill or a table's box shows on empty cells too.
                    sheet.write_blank(row, column, None, cell_format)
            else:
                raise TypeError(f"cannot write a {type(value).__name__} to a cell "
                                f"({block.cell_ref(r, c)})")


class _Formats:
    """One XlsxWriter Format per distinct (Style, quote prefix): a sheet repeats a handful."""

    def __init__(self, workbook: xlsxwriter.Workbook) -> None:
        self._workbook = workbook
        self._made: dict[tuple[Style, bool], Format | None] = {}

    def get(self, style: Style, quoted: bool = False) -> Format | None:
        key = (style, quoted)
        try:
            return self._made[key]
        except KeyError:
            properties = _properties(style)
            if quoted:
                properties["quote_prefix"] = True
            made = self._workbook.add_format(properties) if properties else None
            self._made[key] = made
            return made


def _properties(style: Style) -> dict[str, Any]:
    """XlsxWriter format properties for ``style``, as the openpyxl renderer draws it."""
    return dict(_properties_of(style))


@functools.lru_cache(maxsize=512)  # a batch uses the same few dozen styles in every workbook
def _properties_of(style: Style) -> tuple[tuple[str, Any], ...]:
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
        properties["pattern"] = 1
        properties["bg_color"] = f"#{style.fill}"
    if style.wrap or style.horizontal or style.border:
        # Wrapped, aligned and boxed cells read from the top, like a table's other cells.
        properties["valign"] = "top"
        if style.horizontal:
            properties["align"] = style.horizontal
        if style.wrap:
            properties["text_wrap"] = True
    if style.border:
        properties["border"] = 1  # thin
        properties["border_color"] = f"#{BORDER_COLOUR}"
    if style.number_format:
        properties["num_format"] = style.number_format
    return tuple(properties.items())


def _page_setup(sheet: Worksheet, layout: SheetLayout) -> None:
    if layout.landscape:
        sheet.set_landscape()
    if layout.fit_to_width:
        sheet.fit_to_pages(1, 0)  # one page wide, as many tall as it takes
    if layout.print_title_rows:
        match = _ROWS.match(layout.print_title_rows)
        if not match:
            raise ValueError(f"expected print title rows such as '1:1', found "
                             f"{layout.print_title_rows!r}")
        sheet.repeat_rows(int(match.group(1)) - 1, int(match.group(2)) - 1)
    if layout.page_breaks:
        # XlsxWriter breaks below the 0-based row given: that is above the layout's row.
        sheet.set_h_pagebreaks([row - 1 for row in layout.page_breaks])


def _add_table(sheet: Worksheet, block: Block, taken: set[str]) -> None:
    assert block.table_name
    # Excel keeps table names in one namespace, case-insensitively.
    name, n = block.table_name, 1
    while name.lower() in taken:
        n += 1
        name = f"{block.table_name}{n}"
    taken.add(name.lower())
    first_column, first_row = split_ref(block.anchor)
    headers = block.values[0] if block.header else []
    options: dict[str, Any] = {
        "name": name,
        "style": block.table_style,
        "header_row": block.header,
        "columns": [{"header": "" if h is None else str(h)} for h in headers],
    }
    status = sheet.add_table(first_row - 1, first_column - 1, first_row + block.height - 2,
                             first_column + block.width - 2, options)
    if status:
        # XlsxWriter only warns about a bad name or duplicate headers; say so loudly instead.
        raise ValueError(f"XlsxWriter refused table {name!r} at {block.ref} (code {status})")


def _cells(sheet_name: str, ref: str) -> list[Any]:
    """A range as XlsxWriter's [sheet, first row, first column, last row, last column]."""
    first, _, last = ref.partition(":")
    first_column, first_row = split_ref(first)
    last_column, last_row = split_ref(last or first)
    return [sheet_name, first_row - 1, first_column - 1, last_row - 1, last_column - 1]


def _bar_chart(workbook: xlsxwriter.Workbook, sheet_name: str, spec: ChartSpec) -> Any:
    if spec.kind != "bar":
        raise ValueError(f"unsupported chart kind {spec.kind!r}")
    chart = workbook.add_chart({"type": "column"})  # Excel's vertical bars
    series: dict[str, Any] = {
        "categories": _cells(sheet_name, spec.categories_ref),
        "values": _cells(sheet_name, spec.values_ref),
    }
    if spec.series_title:
        series["name"] = spec.series_title
    if spec.point_colours:
        series["points"] = [{"fill": {"color": f"#{colour}"},
                             "border": {"color": f"#{colour}"}}
                            for colour in spec.point_colours]
    if spec.show_values:
        series["data_labels"] = {"value": True}
    chart.add_series(series)
    chart.set_title({"name": spec.title})
    chart.set_legend({"none": True})
    y_axis: dict[str, Any] = {}
    if spec.y_axis_title:
        y_axis["name"] = spec.y_axis_title
    if spec.y_min is not None:
        y_axis["min"] = spec.y_min
    if spec.y_max is not None:
        y_axis["max"] = spec.y_max
    if spec.y_number_format:
        y_axis["num_format"] = spec.y_number_format
    chart.set_y_axis(y_axis)
    if spec.x_axis_title:
        chart.set_x_axis({"name": spec.x_axis_title})
    chart.set_size({"width": round(spec.width_cm * _PIXELS_PER_CM),
                    "height": round(spec.height_cm * _PIXELS_PER_CM)})
    return chart
