"""The xlwings door for results: draw layouts into an open workbook through the Book API.

The ribbon scripts receive the open workbook as an xlwings Book (the remote one xlwings Server
builds from the add-in's request, or a desktop one). What goes in which cell is decided in
:mod:`xl_localism.layout` (Summary, Flags) and :mod:`xl_localism.position_statement`; this module
only translates a :class:`SheetLayout` into Book API calls, as :mod:`.results` does for openpyxl.
Each call becomes one action for the add-in to replay in Excel, so cells that look alike are
grouped into rectangles and styled with one call per property.

Differences from the openpyxl renderer, each forced by the Book API:

* Links are ``HYPERLINK("#'Sheet'!A1", ...)`` formulas: xlwings' ``add_hyperlink`` sets a URL
  (Office.js ``address``), which cannot point inside the workbook; the formula works in Excel
  on Windows, Mac and the web.
* Column widths: Office.js measures them in points, the desktop engines in characters.
* Borders, underline, tab colours and page setup have no Book API; charts get one colour.
* Freeze panes: a layout's ``freeze="C3"`` means what it means in Excel's own file format,
  "rows above row 3 and columns left of C stay put". xlwings' ``freeze_at`` becomes Office.js
  ``freezeAt(range)``, which freezes the range *given* (``freezeAt("A2")`` would freeze rows 1-2
  and column A), and xlwings has no action for ``freezeRows``/``freezeColumns``. So in the
  add-in the sheet's frozen rows and columns go to :data:`FREEZE_CALLBACK`, a function the
  add-in's JavaScript registers (``static/js/ribbon.js``), which calls exactly those.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from xl_localism.a1 import column_letter, split_ref
from xl_localism.excel import HIGHLIGHTS_SHEET, Highlight
from xl_localism.layout import LINK, Block, ChartSpec, SheetLayout, Style, location_sheet
from xl_localism.workbook.files import CELL_INJECTION_PREFIXES, cell_text

POINTS_PER_CM = 72 / 2.54
# The add-in's JavaScript functions a script can call (xlwings' runMacro action); registered by
# xl_localism/addin/static/js/ribbon.js.
FREEZE_CALLBACK = "localismFreezePanes"
# Excel's column width in characters of the default font -> pixels -> points (Calibri 11: a
# digit is 7 px wide plus 5 px of padding; 96 px = 72 pt).
_PIXELS_PER_CHARACTER, _PADDING_PIXELS, _POINTS_PER_PIXEL = 7, 5, 0.75
_HORIZONTAL = {"left": "left", "center": "center", "right": "right"}

Rect = tuple[int, int, int, int]  # first row, first column, last row, last column (0-based)


def is_office_js(book: Any) -> bool:
    """Whether ``book`` lives in the add-in (xlwings' remote engine) rather than desktop Excel."""
    try:
        return book.app.engine.name == "remote"
    except (AttributeError, NotImplementedError):
        return False


def replace_sheet(book: Any, name: str) -> Any:
    """A fresh sheet called ``name`` where the old one was (at the end if there was none).

    A new sheet rather than cleared cells: old tables, charts and formats would linger.
    """
    names = [s.name for s in book.sheets]
    index = next((i for i, n in enumerate(names) if n.casefold() == name.casefold()), None)
    if index is None:
        return book.sheets.add(name=name, after=book.sheets[len(names) - 1])
    if len(names) == 1:  # Excel keeps at least one sheet: reuse it
        sheet = book.sheets[0]
        sheet.clear()
        return sheet
    book.sheets[index].delete()
    if index == 0:
        return book.sheets.add(name=name, before=book.sheets[0])
    return book.sheets.add(name=name, after=book.sheets[index - 1])


def render_layout(book: Any, layout: SheetLayout, *, activate: bool = True) -> Any:
    """Draw ``layout`` on a fresh sheet of ``book``; return that sheet."""
    if layout.stream is not None:
        raise ValueError(f"sheet {layout.name!r}: rows made as written are the XlsxWriter "
                         "renderer's alone")
    office_js = is_office_js(book)
    sheet = replace_sheet(book, layout.name)
    present = {s.name for s in book.sheets}
    for block in layout.blocks:
        _write_block(sheet, block, present)
    for letter, width in layout.column_widths.items():
        sheet.range(f"{letter}:{letter}").column_width = (
            _points(width) if office_js else width)
    for row, height in layout.row_heights.items():
        sheet.range(f"{row}:{row}").row_height = height
    if layout.freeze:
        freeze_panes(book, sheet, layout.freeze, office_js=office_js)
    for block in layout.blocks:
        if block.table_name:
            sheet.tables.add(source=sheet.range(block.ref), name=_table_name(book, block),
                             has_headers=True, table_style_name=block.table_style)
    for spec in layout.charts:
        _chart(sheet, spec)
    if activate:
        sheet.activate()
    return sheet


def frozen_counts(cell: str) -> tuple[int, int]:
    """Rows and columns an Excel freeze at ``cell`` keeps still: "A2" -> (1, 0), "C3" -> (2, 2)."""
    column, row = split_ref(cell.strip())
    return row - 1, column - 1


def client_callback(book: Any, name: str, *args: Any) -> None:
    """Have the add-in's JavaScript call ``name`` (registered with xlwings.registerCallback).

    xlwings sends it as a ``runMacro`` action: the function receives the Excel request context
    and ``args`` as one array.
    """
    book.app.macro(name)(*args)


def freeze_panes(book: Any, sheet: Any, cell: str, *, office_js: bool) -> None:
    """Freeze the rows above and the columns left of ``cell``, as Excel's "Freeze Panes" there."""
    rows, columns = frozen_counts(cell)
    if not (rows or columns):
        return
    if office_js:
        client_callback(book, FREEZE_CALLBACK, sheet.name, rows, columns)
    else:
        # xlwings' own engines take the frozen cells: "1:1", "A:B" or "A1:B2".
        sheet.freeze_panes.freeze_at(frozen_range(rows, columns))


def frozen_range(rows: int, columns: int) -> str:
    """The cells ``rows`` frozen rows and ``columns`` frozen columns keep still, as an address."""
    last = column_letter(columns) if columns else ""
    if not columns:
        return f"1:{rows}"
    if not rows:
        return f"A:{last}"
    return f"A1:{last}{rows}"


def _points(characters: float) -> float:
    return round((characters * _PIXELS_PER_CHARACTER + _PADDING_PIXELS) * _POINTS_PER_PIXEL, 2)


def _cell_value(value: Any) -> Any:
    return cell_text(value) if isinstance(value, str) else value


def _formula_text(value: Any) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return repr(value)
    return '"{}"'.format(str(value if value is not None else "").replace('"', '""'))


def _write_block(sheet: Any, block: Block, present: set[str]) -> None:
    width = block.width
    values = [[_cell_value(row[c]) if c < len(row) else None for c in range(width)]
              for row in block.values]
    links = {rc: location for rc, location in block.links.items()
             if location_sheet(location) in present}
    # Text first: a cell formatted "@" before its value is set keeps "=..." as text. Our own
    # strings never start like a formula, but a stray one is safer stored as text too.
    as_text = {(r, c) for r, row in enumerate(values) for c, v in enumerate(row)
               if (r, c) in block.text_cells
               or (isinstance(v, str) and v.startswith(CELL_INJECTION_PREFIXES))}
    for rect in rectangles(as_text - links.keys()):
        _range(sheet, block, rect).number_format = "@"
    sheet.range(block.ref).value = values
    for (r, c), location in links.items():
        # The link target and text are string literals in the formula: nothing of the
        # submission can run.
        sheet.range(block.cell_ref(r, c)).formula = (
            f'=HYPERLINK({_formula_text("#" + location)},{_formula_text(values[r][c])})')
    by_style: dict[Style, set[tuple[int, int]]] = {}
    for r, c, _ in block.cells():
        style = block.style_at(r, c)
        if (r, c) in links:
            style = LINK.over(style)
        if not style.is_empty:
            by_style.setdefault(style, set()).add((r, c))
    for style, cells in by_style.items():
        for rect in rectangles(cells):
            _style(_range(sheet, block, rect), style)


def _range(sheet: Any, block: Block, rect: Rect) -> Any:
    r0, c0, r1, c1 = rect
    return sheet.range(f"{block.cell_ref(r0, c0)}:{block.cell_ref(r1, c1)}")


def _style(rng: Any, style: Style) -> None:
    if style.fill:
        rng.color = f"#{style.fill}"
    font = rng.font
    if style.bold is not None:
        font.bold = style.bold
    if style.italic is not None:
        font.italic = style.italic
    if style.size is not None:
        font.size = style.size
    if style.font_colour:
        font.color = f"#{style.font_colour}"
    if style.number_format:
        rng.number_format = style.number_format
    if style.wrap is not None:
        rng.wrap_text = style.wrap
    if style.horizontal in _HORIZONTAL:
        rng.horizontal_alignment = _HORIZONTAL[style.horizontal]


def rectangles(cells: Iterable[tuple[int, int]]) -> list[Rect]:
    """Cover ``cells`` exactly with few rectangles: runs along a row, stacked while they repeat."""
    left = set(cells)
    found: list[Rect] = []
    for r, c in sorted(left):
        if (r, c) not in left:
            continue
        c1 = c
        while (r, c1 + 1) in left:
            c1 += 1
        r1 = r
        while all((r1 + 1, x) in left for x in range(c, c1 + 1)):
            r1 += 1
        for y in range(r, r1 + 1):
            for x in range(c, c1 + 1):
                left.discard((y, x))
        found.append((r, c, r1, c1))
    return found


def _table_name(book: Any, block: Block) -> str:
    return block.free_table_name(t.name for s in book.sheets for t in s.tables)


def _chart(sheet: Any, spec: ChartSpec) -> Any:
    if spec.kind != "bar":
        raise ValueError(f"unsupported chart kind {spec.kind!r}")
    chart = sheet.charts.add(width=round(spec.width_cm * POINTS_PER_CM),
                             height=round(spec.height_cm * POINTS_PER_CM),
                             anchor=sheet.range(spec.anchor), name=spec.title[:31])
    chart.set_source_data(sheet.range(spec.values_ref))
    chart.chart_type = "column_clustered"
    chart.set_x_axis_values(sheet.range(spec.categories_ref))
    chart.title = spec.title
    try:
        # Optional polish: older xlwings engines cannot set axes or legends.
        if spec.y_min is not None:
            chart.value_axis.minimum_scale = spec.y_min
        if spec.y_max is not None:
            chart.value_axis.maximum_scale = spec.y_max
        chart.legend.visible = False
    except (AttributeError, NotImplementedError):
        pass
    return chart


# ---------------------------------------------------------------------------------------------
# Highlighting the offending input cells (Check alignment)


def highlight_cells(book: Any, marks: list[Highlight]) -> None:
    """Colour each flagged input cell, after clearing the colours of the previous run.

    The cells coloured last time are kept on a hidden sheet, so a cell whose problem has been
    fixed does not stay red. Clearing takes the fill away entirely: the Book API cannot read a
    cell's earlier fill in the add-in, so it cannot be put back.
    """
    sheets = {s.name.casefold(): s for s in book.sheets}
    record = sheets.get(HIGHLIGHTS_SHEET.casefold())
    if record is not None:
        values = record.used_range.options(ndim=2).value or []
        for row in values[1:]:
            sheet = sheets.get(str(row[0] or "").casefold())
            if sheet is not None and row[1]:
                sheet.range(str(row[1])).color = None
    for mark in marks:
        sheets[mark.sheet.casefold()].range(mark.cell).color = f"#{mark.fill}"
    if record is None and not marks:
        return
    record = replace_sheet(book, HIGHLIGHTS_SHEET)
    rows = [["Sheet", "Cell"], *[[m.sheet, m.cell] for m in marks]]
    record.range(f"A1:B{len(rows)}").number_format = "@"
    record.range(f"A1:B{len(rows)}").value = rows
    record.visible = False
