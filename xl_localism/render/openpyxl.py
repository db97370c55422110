"""The openpyxl renderer: layouts drawn into a workbook openpyxl has opened.

Used for one job only: results drawn into a copy of a trust's own workbook
(``xl-localism score --write-summary``), since openpyxl can open an existing file and XlsxWriter
cannot. Every new workbook is written by :mod:`xl_localism.render.xlsxwriter`.
"""

from __future__ import annotations

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.chart import BarChart, Reference
from openpyxl.chart.label import DataLabelList
from openpyxl.chart.marker import DataPoint
from openpyxl.chart.series import SeriesLabel
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from xl_localism.a1 import split_range
from xl_localism.layout import (
    BORDER_COLOUR,
    LINK,
    Block,
    ChartSpec,
    SheetLayout,
    Style,
    flags_layout,
    location_sheet,
    split_ref,
    summary_layout,
)
from xl_localism.models import Assessment
from xl_localism.render.limits import within_excel
from xl_localism.workbook.files import CELL_INJECTION_PREFIXES, cell_text, write_text, xml_text


def render_sheet(workbook: Workbook, layout: SheetLayout) -> Worksheet:
    """Draw ``layout`` on a fresh sheet, replacing any sheet of that name in its place."""
    if layout.stream is not None:
        raise ValueError(f"sheet {layout.name!r}: rows made as written are the XlsxWriter "
                         "renderer's alone")
    layout = within_excel(layout)  # Excel's limits, as every renderer keeps them
    position: int | None = None
    # Excel sheet names are case-insensitive: 'summary' is the sheet to replace, not keep.
    existing = next((n for n in workbook.sheetnames if n.casefold() == layout.name.casefold()),
                    None)
    if existing is not None:
        position = workbook.sheetnames.index(existing)
        # A fresh sheet, not cleared cells: old tables, charts, merges and formats would linger.
        workbook.remove(workbook[existing])
    sheet = workbook.create_sheet(layout.name, position)
    # Links may only point at sheets the written workbook will really have.
    present = set(workbook.sheetnames)
    styles = _StyleCache()
    for block in layout.blocks:
        _write_block(sheet, block, styles, present)
    for letter, width in layout.column_widths.items():
        sheet.column_dimensions[letter].width = width
    for row, height in layout.row_heights.items():
        sheet.row_dimensions[row].height = height
    if layout.freeze:
        sheet.freeze_panes = layout.freeze
    if layout.tab_colour:
        sheet.sheet_properties.tabColor = layout.tab_colour
    _page_setup(sheet, layout)
    for block in layout.blocks:
        if block.table_name:
            _add_table(workbook, sheet, block)
    for spec in layout.charts:
        sheet.add_chart(_bar_chart(sheet, spec), spec.anchor)
    return sheet


def write_results(workbook: Workbook, assessment: Assessment) -> None:
    """Draw the Summary and Flags sheets of ``assessment`` into ``workbook``; open on Summary."""
    summary = render_sheet(workbook, summary_layout(assessment))
    render_sheet(workbook, flags_layout(assessment))
    # A loaded workbook may have several tabs selected; Excel would open them grouped, and an
    # edit would then land on every one of them.
    for sheet in workbook.worksheets:
        sheet.sheet_view.tabSelected = False
    workbook.active = summary
    summary.sheet_view.tabSelected = True


def _write_block(sheet: Worksheet, block: Block, styles: _StyleCache, present: set[str]) -> None:
    first_column, first_row = split_ref(block.anchor)
    for r, c, value in block.cells():
        cell = sheet.cell(row=first_row + r, column=first_column + c)
        if isinstance(value, str):
            text = cell_text(value)
            write_text(cell, text)
            if text.startswith(CELL_INJECTION_PREFIXES):
                # Excel's leading apostrophe: the cell stays text even after a user edits it.
                cell.quotePrefix = True
        elif value is not None:
            cell.value = value
        style = block.style_at(r, c)
        link = block.links.get((r, c))
        if link and location_sheet(link) in present:
            cell.hyperlink = Hyperlink(ref=cell.coordinate, location=link)
            style = LINK.over(style)
        styles.apply(cell, style)


class _StyleCache:
    """openpyxl style objects per layout Style, made once: a targets table repeats a handful.

    Assigning a Font or Fill to a cell makes openpyxl hash and compare it against every style
    in the workbook, which was most of the time a feedback workbook took to write. The outcome
    of that lookup is a row of style ids, the same for every cell that starts from the same ids
    and gets the same Style, so it is worked out once and copied to the other cells.
    """

    def __init__(self) -> None:
        self._made: dict[Style, tuple[Font | None, PatternFill | None, Alignment | None,
                                      Border | None]] = {}
        self._ids: dict[tuple[Style, tuple[int, ...] | None], StyleArray] = {}

    def apply(self, cell: Cell, style: Style) -> None:
        if style.is_empty:
            return
        start = tuple(cell._style) if cell._style else None
        known = self._ids.get((style, start))
        if known is not None:
            cell._style = StyleArray(known)
            return
        if style not in self._made:
            self._made[style] = self._make(cell.font, style)
        font, fill, alignment, border = self._made[style]
        if font is not None:
            cell.font = font
        if fill is not None:
            cell.fill = fill
        if alignment is not None:
            cell.alignment = alignment
        if border is not None:
            cell.border = border
        if style.number_format:
            cell.number_format = style.number_format
        self._ids[(style, start)] = StyleArray(cell._style)

    @staticmethod
    def _make(base: Font, style: Style) -> tuple[Font | None, PatternFill | None,
                                                 Alignment | None, Border | None]:
        font = None
        if any(v is not None for v in (style.bold, style.italic, style.size, style.font_colour,
                                        style.underline)):
            # Keep the workbook's own typeface: a trust's house font stays in a copied workbook.
            font = Font(name=base.name, family=base.family, scheme=base.scheme,
                        size=style.size or base.size, bold=bool(style.bold),
                        italic=bool(style.italic), color=style.font_colour or base.color,
                        underline="single" if style.underline else None)
        fill = (PatternFill(fill_type="solid", start_color=style.fill, end_color=style.fill)
                if style.fill else None)
        alignment = None
        if style.wrap or style.horizontal or style.border:
            alignment = Alignment(horizontal=style.horizontal, vertical="top",
                                  wrap_text=bool(style.wrap))
        border = None
        if style.border:
            side = Side(style="thin", color=BORDER_COLOUR)
            border = Border(left=side, right=side, top=side, bottom=side)
        return font, fill, alignment, border


def _page_setup(sheet: Worksheet, layout: SheetLayout) -> None:
    if layout.landscape:
        sheet.page_setup.orientation = "landscape"
    if layout.fit_to_width:
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
        sheet.page_setup.fitToWidth = layout.pages_wide
        sheet.page_setup.fitToHeight = 0
    if layout.print_title_rows:
        sheet.print_title_rows = layout.print_title_rows
    if layout.print_title_columns:
        sheet.print_title_cols = layout.print_title_columns
    for row in layout.page_breaks:
        # openpyxl's Break(id=n) breaks below row n.
        sheet.row_breaks.append(Break(id=row - 1))


def _table_names(workbook: Workbook) -> set[str]:
    """Every table and defined name in ``workbook``: the names a new table may not take."""
    names = {name for sheet in workbook.worksheets for name in sheet.tables}
    names.update(workbook.defined_names)
    for sheet in workbook.worksheets:
        names.update(sheet.defined_names)
    return names


def _add_table(workbook: Workbook, sheet: Worksheet, block: Block) -> None:
    table = Table(displayName=block.free_table_name(_table_names(workbook)), ref=block.ref,
                  tableStyleInfo=TableStyleInfo(name=block.table_style, showRowStripes=True))
    sheet.add_table(table)


def _bar_chart(sheet: Worksheet, spec: ChartSpec) -> BarChart:
    if spec.kind != "bar":
        raise ValueError(f"unsupported chart kind {spec.kind!r}")
    chart = BarChart()
    chart.type = "col"
    chart.title = xml_text(spec.title)
    chart.legend = None
    chart.width, chart.height = spec.width_cm, spec.height_cm
    chart.y_axis.title = spec.y_axis_title or None
    chart.x_axis.title = spec.x_axis_title or None
    chart.y_axis.scaling.min = spec.y_min
    chart.y_axis.scaling.max = spec.y_max
    if spec.y_number_format:
        chart.y_axis.number_format = spec.y_number_format
    # openpyxl 3.1 writes axes as deleted unless told otherwise; Excel then hides them.
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.add_data(_reference(sheet, spec.values_ref), titles_from_data=False)
    chart.set_categories(_reference(sheet, spec.categories_ref))
    series = chart.series[0]
    if spec.series_title:
        series.tx = SeriesLabel(v=xml_text(spec.series_title))
    for index, colour in enumerate(spec.point_colours):
        point = DataPoint(idx=index)
        point.graphicalProperties.solidFill = colour
        point.graphicalProperties.line.solidFill = colour
        series.dPt.append(point)
    if spec.show_values:
        series.dLbls = DataLabelList(showVal=True, showSerName=False, showCatName=False,
                                     showLegendKey=False, showPercent=False)
    return chart


def _reference(sheet: Worksheet, ref: str) -> Reference:
    min_col, min_row, max_col, max_row = split_range(ref)
    return Reference(sheet, min_col=min_col, min_row=min_row, max_col=max_col, max_row=max_row)


