"""The openpyxl door for results: draw the Summary and Flags layouts and write the files.

What goes in which cell is decided in :mod:`xl_localism.layout`; this module only translates a
layout into openpyxl calls. A submitted workbook is never written in place: results go into a
copy when openpyxl can round-trip everything in it, and otherwise into a separate feedback
workbook, so nothing a trust built (charts, pivots, macros ...) is silently lost.

A separate feedback workbook (a new file) is drawn from the same layouts as SpreadsheetML text
(:mod:`xl_localism.workbook.sheetml_render`), several times faster than openpyxl; copying into
a submitted workbook needs openpyxl, which can open one.
"""

from __future__ import annotations

import os
import re
import warnings
import zipfile
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import Cell
from openpyxl.chart import BarChart, Reference
from openpyxl.chart.label import DataLabelList
from openpyxl.chart.marker import DataPoint
from openpyxl.chart.series import SeriesLabel
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils.cell import range_boundaries
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

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
from xl_localism.workbook.files import (
    CELL_INJECTION_PREFIXES,
    cell_text,
    save_atomically,
    write_text,
)
from xl_localism.workbook.reader import WorkbookError, inspect_package
from xl_localism.workbook.sheetml_render import CREATOR, write_layouts

COPY = "copy"
FEEDBACK = "feedback"

# ---------------------------------------------------------------------------------------------
# Rendering a layout


def render_sheet(workbook: Workbook, layout: SheetLayout) -> Worksheet:
    """Draw ``layout`` on a fresh sheet, replacing any sheet of that name in its place."""
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
            if block.is_text(r, c) and text.startswith(CELL_INJECTION_PREFIXES):
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
        sheet.page_setup.fitToWidth = 1
        sheet.page_setup.fitToHeight = 0
    if layout.print_title_rows:
        sheet.print_title_rows = layout.print_title_rows
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
    chart.title = spec.title
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
        series.tx = SeriesLabel(v=spec.series_title)
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
    min_col, min_row, max_col, max_row = range_boundaries(ref)
    return Reference(sheet, min_col=min_col, min_row=min_row, max_col=max_col, max_row=max_row)


# ---------------------------------------------------------------------------------------------
# What openpyxl would lose


def _plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"


# (pattern of zip member names, singular, plural). Counted from the package alone: opening the
# file with openpyxl to find out would already be the lossy step.
_COUNTED_PARTS: tuple[tuple[str, str, str], ...] = (
    (r"xl/charts/chart\d+\.xml", "chart", "charts"),
    (r"xl/chartsheets/sheet\d+\.xml", "chart sheet", "chart sheets"),
    (r"xl/media/.+", "image or media file", "images or media files"),
    (r"xl/pivotTables/pivotTable\d+\.xml", "pivot table", "pivot tables"),
    (r"xl/pivotCache/pivotCacheDefinition\d+\.xml", "pivot cache", "pivot caches"),
    (r"xl/slicers/slicer\d+\.xml", "slicer", "slicers"),
    (r"xl/slicerCaches/slicerCache\d+\.xml", "slicer cache", "slicer caches"),
    (r"xl/timelines/timeline\d+\.xml", "timeline", "timelines"),
    (r"xl/externalLinks/externalLink\d+\.xml", "link to another workbook",
     "links to other workbooks"),
    (r"xl/activeX/activeX\d+\.xml", "ActiveX control", "ActiveX controls"),
    (r"xl/ctrlProps/ctrlProp\d+\.xml", "form control", "form controls"),
    (r"xl/threadedComments/threadedComment\d+\.xml", "sheet of threaded comments",
     "sheets of threaded comments"),
    (r"xl/queryTables/queryTable\d+\.xml", "query table", "query tables"),
    (r"xl/embeddings/.+", "embedded object", "embedded objects"),
    (r"customXml/item\d+\.xml", "custom XML part (document metadata or labels)",
     "custom XML parts (document metadata or labels)"),
)
_SINGLE_PARTS: tuple[tuple[str, str], ...] = (
    ("xl/vbaProject.bin", "VBA macros (xl/vbaProject.bin)"),
    ("xl/connections.xml", "data connections"),
    ("xl/metadata.xml", "dynamic-array formula metadata (spilled formulas would become @)"),
)
_FOLDERS: tuple[tuple[str, str], ...] = (
    ("xl/model/", "a Power Pivot data model"),
    ("xl/richData/", "rich data types (e.g. pictures in cells)"),
    ("xl/webextensions/", "Office add-in parts"),
)
_DRAWING = re.compile(r"xl/drawings/drawing\d+\.xml")
# Shapes, connectors and groups: openpyxl keeps a drawing's charts and pictures, drops these.
_SHAPE_MARKS = (b":sp>", b":grpSp>", b":cxnSp>", b"<sp>", b"<grpSp>", b"<cxnSp>")
_WORKSHEET = re.compile(r"xl/worksheets/sheet\d+\.xml")
# Worksheet extensions openpyxl removes on load (it warns "... will be removed").
_SHEET_EXTENSIONS: tuple[tuple[bytes, str], ...] = (
    (b"sparklineGroup", "sparklines"),
    (b"x14:conditionalFormatting", "extended conditional formatting (e.g. data bars, icons)"),
    (b"x14:dataValidation", "data validation lists from other sheets"),
)
_CHUNK = 1 << 20


def unsafe_parts(path: Path | str) -> list[str]:
    """What in the workbook at ``path`` openpyxl cannot round-trip, e.g. ["2 charts"].

    Reads the zip package only. An empty list means a copy saved by openpyxl keeps everything a
    trust would notice.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            return _unsafe_in(archive)
    except (zipfile.BadZipFile, OSError) as error:
        return [f"not a readable Excel package ({error})"]


def _unsafe_in(archive: zipfile.ZipFile) -> list[str]:
    names = archive.namelist()
    found: list[str] = []
    for pattern, one, many in _COUNTED_PARTS:
        count = sum(1 for name in names if re.fullmatch(pattern, name))
        if count:
            found.append(_plural(count, one, many))
    found.extend(reason for part, reason in _SINGLE_PARTS if part in names)
    found.extend(reason for folder, reason in _FOLDERS
                 if any(name.startswith(folder) for name in names))
    with_shapes = sum(1 for name in names
                      if _DRAWING.fullmatch(name) and _contains(archive, name, _SHAPE_MARKS))
    if with_shapes:
        found.append(_plural(with_shapes, "sheet with shapes or text boxes",
                             "sheets with shapes or text boxes"))
    extensions: Counter[str] = Counter()
    for name in names:
        if _WORKSHEET.fullmatch(name):
            for mark, reason in _SHEET_EXTENSIONS:
                if _contains(archive, name, (mark,)):
                    extensions[reason] += 1
    found.extend(f"{reason} on {_plural(n, 'sheet')}" for reason, n in extensions.items())
    return found


def _contains(archive: zipfile.ZipFile, name: str, marks: Iterable[bytes]) -> bool:
    """Whether a member holds any of ``marks``, read in chunks: sheets can be large."""
    marks = tuple(marks)
    overlap = max(len(m) for m in marks) - 1
    tail = b""
    with archive.open(name) as stream:
        while chunk := stream.read(_CHUNK):
            window = tail + chunk
            if any(mark in window for mark in marks):
                return True
            tail = window[-overlap:] if overlap else b""
    return False


# ---------------------------------------------------------------------------------------------
# Files


def feedback_layouts(assessment: Assessment) -> list[SheetLayout]:
    """The sheets of a feedback workbook, in order: Summary (opened first), then Flags."""
    return [summary_layout(assessment), flags_layout(assessment)]


def feedback_title(assessment: Assessment) -> str:
    return f"Localism readiness feedback: {assessment.trust}"


def write_feedback_workbook(assessment: Assessment, out_path: Path | str) -> Path:
    """A new workbook holding only the Summary and Flags sheets, saved atomically.

    Written as SpreadsheetML text (``sheetml_render``): a batch writes one per submission.
    """
    return write_layouts(feedback_layouts(assessment), out_path,
                         title=feedback_title(assessment))


def render_workbook(layouts: list[SheetLayout], *, title: str | None = None) -> Workbook:
    """A new openpyxl workbook of ``layouts``, opening on the first, unsaved: what
    :func:`write_layouts` writes, drawn by openpyxl instead (the reference the SpreadsheetML door
    is checked against in ``tests/test_sheetml_render.py``)."""
    workbook = Workbook()
    blank = workbook.active
    sheets = [render_sheet(workbook, layout) for layout in layouts]
    if blank is not None:
        workbook.remove(blank)
    # Only after the blank sheet has gone: openpyxl keeps the active sheet as an index, and
    # choosing Summary before the removal opened the saved feedback workbook on Flags.
    workbook.active = sheets[0]
    for sheet in workbook.worksheets:
        sheet.sheet_view.tabSelected = sheet is sheets[0]
    workbook.properties.creator = CREATOR
    workbook.properties.title = title
    return workbook


def write_summary(submission_path: Path | str, assessment: Assessment,
                  out_path: Path | str) -> tuple[Path, str]:
    """Write the results for a submission to ``out_path``, never to the submission itself.

    Returns ``(out_path, "copy")`` when the submission was copied with Summary and Flags added,
    or ``(out_path, "feedback: <reason>")`` when a separate feedback workbook was written
    because a copy would lose something (the reason lists what).
    """
    submission = Path(submission_path)
    out = Path(out_path)
    if not submission.is_file():
        raise FileNotFoundError(f"no submission at {submission}")
    if _same_file(submission, out):
        raise ValueError(f"refusing to write results over the submission itself ({submission}); "
                         "choose another output path")
    if out.suffix.lower() != ".xlsx":
        raise ValueError(f"the results workbook must be an .xlsx file, not {out.name!r}")

    reasons = _copy_blockers(submission)
    if not reasons:
        workbook, lost = _load_for_copy(submission)
        if workbook is not None and not lost:
            write_results(workbook, assessment)
            save_atomically(workbook, out)
            return out, COPY
        reasons = lost
    write_feedback_workbook(assessment, out)
    return out, f"{FEEDBACK}: {'; '.join(reasons)}"


def _same_file(submission: Path, out: Path) -> bool:
    if out.exists() and submission.exists():
        return os.path.samefile(submission, out)
    return submission.resolve() == out.resolve()


def _copy_blockers(submission: Path) -> list[str]:
    try:
        inspect_package(submission)
    except WorkbookError as error:
        return [error.reason]
    reasons = unsafe_parts(submission)
    if submission.suffix.lower() != ".xlsx":
        # An .xlsm saved without its macros part would be a different kind of file.
        reasons.insert(0, f"not an .xlsx file ({submission.name})")
    return reasons


# openpyxl announces what it drops while loading; any of these words in a warning means a copy
# would differ from the submission in a way the zip listing did not catch.
_LOSS_WORDS = ("removed", "lost", "discarded", "dropped", "not supported", "cannot be")


def _load_for_copy(submission: Path) -> tuple[Workbook | None, list[str]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            workbook = load_workbook(submission, keep_vba=False, data_only=False,
                                     keep_links=True, rich_text=True)
        except Exception as error:  # openpyxl raises many types for one damaged part
            return None, [f"openpyxl cannot open it ({type(error).__name__}: {error})"]
    lost = sorted({str(w.message) for w in caught
                   if any(word in str(w.message).lower() for word in _LOSS_WORDS)})
    return workbook, lost
