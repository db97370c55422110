"""What goes in which cell of the Summary and Flags sheets, decided once, as plain data.

Three renderers draw these layouts: XlsxWriter for every new workbook (feedback workbooks, the
national report: :mod:`xl_localism.render.xlsxwriter`), openpyxl for results copied into a
submitted workbook (:mod:`xl_localism.render.openpyxl`), and the xlwings Book API behind the
Excel ribbon (:mod:`xl_localism.workbook.xlwings_render`). None decides content, order, number
formats or colours; each only translates a :class:`SheetLayout` into its library's calls. So
this module imports none of them, and a change to the Summary is made here, once, for every door.

Conventions a renderer can rely on:

* Cell addresses are A1 strings relative to the layout's own sheet; colours are ``RRGGBB`` hex.
* A layout never holds a formula. Strings in :attr:`Block.text_cells` came from the submission
  (trust and LAA names, indicator titles, messages quoting cells) and MUST be stored as text even
  when they begin with ``=``, ``+``, ``-`` or ``@``: openpyxl via ``files.write_text``,
  XlsxWriter with ``write_string`` and a quote prefix, xlwings by setting the cell's number
  format to ``@`` before the value.
* ``Block.links`` point at places in the submitted workbook; draw one only when that sheet exists
  in the workbook being written (a separate feedback workbook has none of them).
"""

from __future__ import annotations

import functools
import itertools
import math
import textwrap
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, fields, replace
from typing import Any

from xl_localism import schema

# Re-exported: renderers and tests read addresses through the layout module.
from xl_localism.a1 import (  # noqa: F401
    column_index,
    column_letter,
    location_sheet,
    sheet_location,
    split_ref,
)
from xl_localism.explanation import explain
from xl_localism.flag_rows import FLAG_COLUMNS, NO_FLAGS, flag_row
from xl_localism.models import (
    Assessment,
    Component,
    DriverResult,
    Flag,
    MeasureResult,
    TargetResult,
)
from xl_localism.vocab import Rag, Severity, TargetStatus

# (fill, font): Excel's "Good", "Neutral" and "Bad" conditional-format palette, which managers
# already read as green, amber and red.
RAG_COLOURS: dict[str, tuple[str, str]] = {
    "Green": ("C6EFCE", "006100"),
    "Amber": ("FFEB9C", "9C5700"),
    "Red": ("FFC7CE", "9C0006"),
}
NO_DATA_COLOURS = ("EDEDED", "595959")
SEVERITY_COLOURS: dict[Severity, tuple[str, str]] = {
    # Critical must stand out from an ordinary error: it caps the RAG.
    Severity.CRITICAL: ("9C0006", "FFFFFF"),
    Severity.ERROR: RAG_COLOURS["Red"],
    Severity.WARNING: RAG_COLOURS["Amber"],
    Severity.INFO: ("DDEBF7", "1F4E78"),
}
# Bars need stronger colours than cell fills to be read at a glance, and when printed.
CHART_RAG_COLOURS = {"Green": "70AD47", "Amber": "FFC000", "Red": "C00000", None: "A6A6A6"}
HEADER_FILL, HEADER_FONT = "1F4E78", "FFFFFF"
ACCENT = "1F4E78"
MUTED = "7F7F7F"
# The thin box of ``Style.border``: light enough that a table's own stripes still read.
BORDER_COLOUR = "BFBFBF"

PERCENT = "0.0%"
SCORE = "0.0"
COUNT = "0"
DECIMAL = "0.00"
# Targets are rates and counts typed by hand: keep what was typed, at least one decimal.
MEASURE = "#,##0.0##"
DATE = "d mmm yyyy"

FLAGS_TABLE = "LocalismFlags"
TARGETS_TABLE = "LocalismTargets"
MEASURES_TABLE = "LocalismMeasures"
METHOD_NOTE = ("Every formula, with a worked example, is in the method published with "
               "xl-localism (docs/method.md).")
TABLE_STYLE = "TableStyleLight9"
# A driver with no score, in every workbook (Summary, Peers, the national League and Heatmap).
NOT_COVERED = "not covered"

COMPONENT_NAMES = {
    "S": "Self-assessment (readiness checklist)",
    "A1": "Linkage: LAA targets in the business plan",
    "A2": "Driver coverage",
    "A3": "Measure alignment: IPPF measures linked to LAA NIs (drivers an NI can show)",
    "A": "Alignment",
    "P": "Performance: relevant LAA targets and IPPF measures pooled",
    "P horizontal": "Performance of relevant LAA targets alone (horizontal accountability)",
    "P vertical": "Performance of IPPF measures alone (vertical accountability)",
}


# ---------------------------------------------------------------------------------------------
# The data model


# Every distinct look is numbered once; equal styles share the number. Renderers and layering
# look styles up once per cell, and hashing or comparing one int is far cheaper than ten fields.
_STYLE_NUMBERS: dict[tuple[Any, ...], int] = {}
_NEXT_STYLE_NUMBER = itertools.count()


@dataclass(frozen=True, eq=False)
class Style:
    """A cell's look. ``None`` means "not set here", so styles can be layered (see ``over``)."""

    bold: bool | None = None
    italic: bool | None = None
    size: float | None = None
    font_colour: str | None = None
    fill: str | None = None
    number_format: str | None = None
    wrap: bool | None = None
    horizontal: str | None = None  # "left", "center" or "right"
    border: bool | None = None  # a thin light-grey box, so tables read in any application
    underline: bool | None = None

    def __post_init__(self) -> None:
        # Only the fields are in __dict__ yet, in order.
        look = (self.__class__, *self.__dict__.values())
        number = _STYLE_NUMBERS.get(look)
        if number is None:
            # setdefault: two threads meeting a new look at once still agree on its number.
            number = _STYLE_NUMBERS.setdefault(look, next(_NEXT_STYLE_NUMBER))
        object.__setattr__(self, "_number", number)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._number == other._number  # type: ignore[attr-defined, no-any-return]

    def __hash__(self) -> int:
        return self._number  # type: ignore[attr-defined, no-any-return]

    def __reduce__(self) -> tuple[Any, ...]:
        # Numbers are this process's own: another process numbers the look afresh.
        return (self.__class__, tuple(getattr(self, name) for name in _STYLE_FIELDS))

    def over(self, base: Style) -> Style:
        """This style laid over ``base``: every field set here wins."""
        key = (self._number, base._number)  # type: ignore[attr-defined]
        layered = _LAYERED.get(key)
        if layered is None:
            if len(_LAYERED) > _LAYERED_LIMIT:
                _LAYERED.clear()
            layered = _LAYERED[key] = _layered(self, base)
        return layered

    @property
    def is_empty(self) -> bool:
        return self == _NO_STYLE


_NO_STYLE = Style()
_STYLE_FIELDS = tuple(f.name for f in fields(Style))
# A sheet asks for the same few layerings once per cell; styles are immutable, so remember them.
_LAYERED: dict[tuple[int, int], Style] = {}
_LAYERED_LIMIT = 65_536


def _layered(top: Style, base: Style) -> Style:
    changes = {name: value for name in _STYLE_FIELDS
               if (value := getattr(top, name)) is not None}
    return replace(base, **changes)


@dataclass
class Block:
    """A rectangle of values whose top-left cell is ``anchor``.

    Styles layer from the general to the particular: ``style`` (the whole block), then
    ``column_styles``, then ``row_styles``, then ``cell_styles``; indexes are 0-based within the
    block. ``header`` says the first row holds column headings; with ``table_name`` the block
    becomes an Excel table (ListObject) with an autofilter.
    """

    anchor: str
    values: list[list[Any]]
    header: bool = False
    style: Style = field(default_factory=Style)
    column_styles: dict[int, Style] = field(default_factory=dict)
    row_styles: dict[int, Style] = field(default_factory=dict)
    cell_styles: dict[tuple[int, int], Style] = field(default_factory=dict)
    # Cells whose strings came from the submission: store as text, never as a formula.
    text_cells: set[tuple[int, int]] = field(default_factory=set)
    # (row, column) -> a location in the submitted workbook, e.g. "'LAA Targets'!A7".
    links: dict[tuple[int, int], str] = field(default_factory=dict)
    table_name: str | None = None
    table_style: str = TABLE_STYLE
    # Where else to find the rows when there are more than a sheet holds (render.limits adds
    # this to the last row it keeps), e.g. "Each trust's feedback workbook lists its flags."
    overflow_note: str = ""

    @property
    def height(self) -> int:
        return len(self.values)

    @property
    def width(self) -> int:
        return max((len(row) for row in self.values), default=0)

    @property
    def first_row(self) -> int:
        return split_ref(self.anchor)[1]

    @property
    def first_column(self) -> int:
        return split_ref(self.anchor)[0]

    def cell_ref(self, row: int, column: int) -> str:
        """The sheet address of the block's cell (row, column), both 0-based."""
        return f"{column_letter(self.first_column + column)}{self.first_row + row}"

    @property
    def ref(self) -> str:
        """The block's whole range, e.g. "A12:K30"."""
        return f"{self.anchor}:{self.cell_ref(self.height - 1, self.width - 1)}"

    def column_ref(self, column: int, *, include_header: bool = False) -> str:
        """One column's data cells (the header left out unless asked), e.g. "C13:C17"."""
        start = 0 if include_header or not self.header else 1
        return f"{self.cell_ref(start, column)}:{self.cell_ref(self.height - 1, column)}"

    def style_at(self, row: int, column: int) -> Style:
        style = self.style
        for layer in (self.column_styles.get(column), self.row_styles.get(row),
                      self.cell_styles.get((row, column))):
            if layer is not None:
                style = layer.over(style)
        return style

    def free_table_name(self, taken: Iterable[str]) -> str:
        """``table_name``, or the first of ``table_name`` 2, 3 ... not in ``taken``: Excel keeps
        table names (and defined names) in one namespace per workbook, case-insensitively."""
        assert self.table_name
        used = {name.casefold() for name in taken}
        name, n = self.table_name, 1
        while name.casefold() in used:
            n += 1
            name = f"{self.table_name}{n}"
        return name

    def style_rows(self) -> list[list[Style]]:
        """Every cell's style, row by row: ``style_at`` for the whole block, with each column's
        and row's layering worked out once rather than once per cell."""
        base = self.style
        columns = [base if (layer := self.column_styles.get(c)) is None else layer.over(base)
                   for c in range(self.width)]
        by_row: dict[int, list[tuple[int, Style]]] = {}
        for (r, c), layer in self.cell_styles.items():
            by_row.setdefault(r, []).append((c, layer))
        rows = []
        for r in range(self.height):
            layer = self.row_styles.get(r)
            row = columns if layer is None else [layer.over(style) for style in columns]
            cells = by_row.get(r)
            if cells:
                row = list(row)
                for c, cell_layer in cells:
                    if c < len(row):
                        row[c] = cell_layer.over(row[c])
            rows.append(row)
        return rows

    def is_text(self, row: int, column: int) -> bool:
        return (row, column) in self.text_cells

    def cells(self) -> list[tuple[int, int, Any]]:
        """Every (row, column, value) of the block, blanks included so their styles apply."""
        columns = range(self.width)
        return [(r, c, row[c] if c < len(row) else None)
                for r, row in enumerate(self.values) for c in columns]


@dataclass(frozen=True)
class ChartSpec:
    """A chart over ranges of the same sheet.

    Each column of ``values_ref`` is a series. With ``titles_in_first_row`` the first row of
    ``values_ref`` holds the series' names (as Excel's "series name from cell"); otherwise the
    one series is named ``series_title``.
    """

    # "bar" (vertical bars), "stacked bar" or "line". The Summary's chart is a "bar", and that
    # is all the openpyxl and xlwings renderers are asked to draw.
    kind: str
    title: str
    anchor: str
    categories_ref: str
    values_ref: str
    series_title: str = ""
    y_axis_title: str = ""
    x_axis_title: str = ""
    y_min: float | None = None
    y_max: float | None = None
    y_number_format: str | None = None
    # One colour per category (RRGGBB), e.g. each driver's bar in its RAG colour.
    point_colours: tuple[str, ...] = ()
    show_values: bool = True
    width_cm: float = 16.0
    height_cm: float = 7.5
    titles_in_first_row: bool = False
    series_colours: tuple[str, ...] = ()  # one per series (RRGGBB)
    legend: bool = False
    # A marker at every point of a line: a point with blanks either side is otherwise not drawn.
    markers: bool = False


# One row of a RowStream: its values, the looks laid over the stream's style by column, and
# its height in points (None: the default, one line).
StreamRow = tuple[list[Any], dict[int, Style] | None, float | None]


@dataclass
class RowStream:
    """A table too long to hold as a :class:`Block`: a header row at ``anchor`` and ``count``
    rows made only as they are written, so its memory does not grow with its rows.

    ``rows`` makes the rows afresh each time it is called. Only the XlsxWriter renderer's
    row-by-row mode writes one (the national report); there it is a filtered range.
    """

    anchor: str
    headers: list[str]
    count: int
    rows: Callable[[], Iterator[StreamRow]]
    style: Style = field(default_factory=Style)
    header_style: Style = field(default_factory=Style)
    header_height: float | None = None  # points; None: one line
    # The height most rows take (points), made the sheet's default row height so that only
    # the rows that differ carry one of their own: a writer keeps every height it is given,
    # ~300 bytes a row. None: one line, Excel's own default.
    usual_height: float | None = None
    # Where else to find the rows when there are more than a sheet holds (as Block's).
    overflow_note: str = ""

    @property
    def height(self) -> int:
        return self.count + 1

    @property
    def width(self) -> int:
        return len(self.headers)

    @property
    def first_row(self) -> int:
        return split_ref(self.anchor)[1]

    @property
    def ref(self) -> str:
        first_column, first_row = split_ref(self.anchor)
        return (f"{self.anchor}:{column_letter(first_column + self.width - 1)}"
                f"{first_row + self.height - 1}")


@dataclass
class SheetLayout:
    name: str
    blocks: list[Block]
    charts: list[ChartSpec] = field(default_factory=list)
    column_widths: dict[str, float] = field(default_factory=dict)
    freeze: str | None = None  # the top-left cell of the unfrozen pane, e.g. "A2"
    tab_colour: str | None = None
    landscape: bool = True
    fit_to_width: bool = True
    print_title_rows: str | None = None  # rows repeated on every printed page, e.g. "1:1"
    # Sheet row number -> height in points, for rows whose wrapped text needs more than one
    # line. Given explicitly because LibreOffice and a PDF export do not grow rows by themselves.
    row_heights: dict[int, float] = field(default_factory=dict)
    # Printed pages break above these sheet rows, so a table or chart is not cut in two.
    page_breaks: list[int] = field(default_factory=list)
    # With ``fit_to_width``: how many pages across the sheet is shrunk to fit (as many down as
    # it takes). More than one suits a table too wide to read on one: see print_title_columns.
    pages_wide: int = 1
    # Columns repeated at the left of every printed page, e.g. "A:B" (the rank and the trust).
    print_title_columns: str | None = None
    # A table written row by row below the blocks (see RowStream); it fits its own rows.
    stream: RowStream | None = None

    def block_named(self, table_name: str) -> Block:
        return next(b for b in self.blocks if b.table_name == table_name)

    def column_width(self, column: int) -> float:
        """The width of the sheet's column ``column`` (1-based), as this layout sets it."""
        return self.column_widths.get(column_letter(column), DEFAULT_COLUMN_WIDTH)

    def fit_row_heights(self) -> SheetLayout:
        """Set ``row_heights`` from the wrapped text in each row and its column's width."""
        heights: dict[int, float] = {}
        for block in self.blocks:
            first_column, first_row = split_ref(block.anchor)
            widths = [self.column_width(first_column + c) for c in range(block.width)]
            for r, (values, styles) in enumerate(zip(block.values, block.style_rows(),
                                                     strict=True)):
                height = row_height(values, styles, widths)
                if height is not None:
                    row = first_row + r
                    heights[row] = max(heights.get(row, 0.0), height)
        self.row_heights = heights
        return self


def row_height(values: Sequence[Any], styles: Sequence[Style], widths: Sequence[float]
               ) -> float | None:
    """The height in points a row needs for its wrapped text; None when one line will do."""
    needed = 0.0
    for value, style, width in zip(values, styles, widths, strict=False):
        if not isinstance(value, str) or not style.wrap:
            continue
        lines = wrapped_lines(value, width, bool(style.bold))
        if lines > 1:
            line_height = LINE_HEIGHT * (style.size or DEFAULT_FONT_SIZE) / DEFAULT_FONT_SIZE
            needed = max(needed, lines * line_height)
    return needed or None


DEFAULT_COLUMN_WIDTH = 8.43
DEFAULT_FONT_SIZE = 11
LINE_HEIGHT = 15.0  # points per line of 11 pt Calibri


@functools.lru_cache(maxsize=4096)  # flag actions and notes repeat across a batch
def wrapped_lines(text: str, width: float, bold: bool = False) -> int:
    """About how many lines ``text`` takes wrapped in a column ``width`` characters wide.

    Column width counts digit widths; prose letters are a little narrower, bold a little wider.
    The estimate errs towards an extra line: a blank line costs less than a clipped one.
    """
    per_line = max(1, math.floor(width * (1.05 if bold else 1.15)) - 1)
    return sum(max(1, len(textwrap.wrap(part, per_line, break_long_words=True)))
               for part in text.splitlines() or [""])


# ---------------------------------------------------------------------------------------------
# Building blocks

TITLE = Style(bold=True, size=16, font_colour=ACCENT)
SECTION = Style(bold=True, size=13, font_colour=ACCENT)
LABEL = Style(bold=True)
HEADER = Style(bold=True, fill=HEADER_FILL, font_colour=HEADER_FONT, wrap=True, border=True)
NOTE = Style(italic=True, font_colour=MUTED)
BOXED = Style(border=True)
LEFT_OUT = Style(italic=True, font_colour=MUTED, horizontal="right")
# How a renderer shows a cell it has made a link (Excel's own Hyperlink style).
LINK = Style(font_colour="0563C1", underline=True)


def coloured(colours: tuple[str, str], bold: bool = True) -> Style:
    fill, font = colours
    return Style(fill=fill, font_colour=font, bold=bold, horizontal="center")


def rag_style(rag: Rag | TargetStatus | str | None) -> Style:
    if rag is None:
        return Style()
    value = str(rag)
    return coloured(RAG_COLOURS.get(value, NO_DATA_COLOURS))


def _table(anchor: str, headers: list[str], rows: list[list[Any]], *,
           formats: dict[int, str] | None = None, wrap: tuple[int, ...] = (),
           text_columns: tuple[int, ...] = (), table_name: str | None = None) -> Block:
    """A header row and data rows, boxed, with per-column number formats and text columns."""
    column_styles = {c: Style(number_format=f) for c, f in (formats or {}).items()}
    for c in wrap:
        column_styles[c] = Style(wrap=True).over(column_styles.get(c, Style()))
    text_cells = {(r, c) for r in range(1, len(rows) + 1) for c in text_columns
                  if isinstance(rows[r - 1][c], str)}
    return Block(anchor=anchor, values=[headers, *rows], header=True, style=BOXED,
                 column_styles=column_styles, row_styles={0: HEADER}, text_cells=text_cells,
                 table_name=table_name)


def _number_format(value: float | None) -> str:
    # A count shows as "17", a half point as "10.5"; never a trailing "17." as "0.##" would.
    if value is None or float(value).is_integer():
        return COUNT
    return DECIMAL


def _counted(count: int, severity: Severity) -> str:
    # "2 critical", "1 error", "24 warnings", "3 info": how a manager would say them.
    plural = count != 1 and severity in (Severity.ERROR, Severity.WARNING)
    return f"{count} {severity.value}{'s' if plural else ''}"


def _yes_no(value: bool | None, missing: str = "n/a") -> str:
    return missing if value is None else ("Yes" if value else "No")


def _fraction(component: Component) -> float | str:
    return "left out" if component.value is None else component.value


class _Sheet:
    """Blocks stacked down a sheet, one blank row apart."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.row = 1
        self.page_breaks: list[int] = []

    def add(self, block: Block, gap: int = 1) -> Block:
        self.blocks.append(block)
        self.row = block.first_row + block.height + gap
        return block

    def skip(self, rows: int) -> None:
        self.row += rows

    @property
    def anchor(self) -> str:
        return f"A{self.row}"

    def section(self, title: str, new_page: bool = False) -> None:
        if new_page:
            self.page_breaks.append(self.row)
        self.add(Block(anchor=self.anchor, values=[[title]], style=SECTION), gap=0)


# ---------------------------------------------------------------------------------------------
# Summary


def summary_layout(assessment: Assessment) -> SheetLayout:
    """The Summary sheet: headline, components, explanation, drivers and chart, LAA targets."""
    sheet = _Sheet()
    sheet.add(Block(anchor="A1", values=[["Localism readiness summary"]], style=TITLE), gap=1)
    sheet.add(_headline(assessment, sheet.anchor))

    sheet.section("How the score is made up")
    sheet.add(_components(assessment, sheet.anchor))

    sheet.section("How the score was reached")
    lines = explain(assessment)
    sheet.add(Block(anchor=sheet.anchor, values=[[line] for line in lines],
                    text_cells={(r, 0) for r in range(len(lines))}), gap=0)
    sheet.add(Block(anchor=sheet.anchor, values=[[METHOD_NOTE]], style=NOTE))

    sheet.section("Outcome drivers", new_page=True)
    drivers = sheet.add(_drivers(assessment.drivers, sheet.anchor), gap=0)
    sheet.add(_driver_workings(assessment.drivers, sheet.anchor))
    chart = ChartSpec(
        kind="bar",
        title="Readiness by outcome driver",
        anchor=sheet.anchor,
        categories_ref=drivers.column_ref(0),
        values_ref=drivers.column_ref(2),
        series_title="Driver score",
        y_axis_title="Score (0-100)",
        y_min=0,
        y_max=100,
        y_number_format="0",
        point_colours=tuple(CHART_RAG_COLOURS[d.rag.value if d.rag else None]
                            for d in assessment.drivers),
    )
    # Rows the chart floats over, so the targets table starts below it rather than under it.
    sheet.skip(17)

    sheet.section("LAA targets (horizontal accountability), judged on their trajectory",
                  new_page=True)
    sheet.add(Block(anchor=sheet.anchor, values=[[assessment.progress_note[:1].upper()
                                                  + assessment.progress_note[1:] + "."]],
                    style=NOTE, text_cells={(0, 0)}), gap=0)
    if assessment.targets:
        sheet.add(_targets(assessment.targets, sheet.anchor))
    else:
        sheet.add(Block(anchor=sheet.anchor, values=[["The workbook lists no LAA targets."]],
                        style=NOTE))

    sheet.section("IPPF measures (vertical accountability), judged against their target",
                  new_page=True)
    if assessment.measures:
        sheet.add(_measures(assessment.measures, sheet.anchor))
    else:
        sheet.add(Block(anchor=sheet.anchor, values=[["The workbook lists no IPPF measures."]],
                        style=NOTE))

    return SheetLayout(
        name=schema.SUMMARY_SHEET,
        blocks=sheet.blocks,
        charts=[chart],
        # Narrow enough that, fitted to a landscape page's width, it prints at a readable size:
        # headers wrap, and the widest values (percentages, "left out", "Contributor") fit.
        column_widths={"A": 24, "B": 44, **{letter: 11 for letter in "CDEFGHIJKLMN"},
                       "O": 8},
        tab_colour=CHART_RAG_COLOURS[assessment.rag.value],
        page_breaks=sheet.page_breaks,
    ).fit_row_heights()


def _headline(assessment: Assessment, anchor: str) -> Block:
    counts = assessment.flag_counts()
    flag_summary = ", ".join(_counted(n, s) for s, n in counts.items() if n) or "none"
    rows: list[list[Any]] = [
        ["Trust", assessment.trust],
        ["Nation", assessment.nation.value],
        ["Region", assessment.region],
        ["As at", assessment.as_at],
        ["Readiness score", assessment.score],
        ["RAG", assessment.rag.value],
    ]
    styles: dict[tuple[int, int], Style] = {
        (3, 1): Style(number_format=DATE, horizontal="left"),
        (4, 1): Style(number_format=SCORE, bold=True, size=14, horizontal="left"),
        (5, 1): Style(size=14).over(rag_style(assessment.rag)),
    }
    text_cells = {(0, 1), (2, 1)}
    for r, row in enumerate(rows):
        if row[1] is None:
            # Blank or unreadable in the workbook; the Flags sheet says which.
            row[1] = "not given"
            styles[(r, 1)] = NOTE
    if assessment.rag is not assessment.rag_before_cap:
        rows.append(["Capped by critical flags",
                     f"The score alone gives {assessment.rag_before_cap.value}; critical flags "
                     f"({', '.join(assessment.capped_by)}) cap the RAG at "
                     f"{assessment.rag.value}."])
        styles[(len(rows) - 1, 1)] = Style(bold=True, font_colour=RAG_COLOURS["Red"][1])
    rows.append(["Flags", f"{flag_summary} (see the {schema.FLAGS_SHEET} sheet)"])
    if assessment.source_name:
        rows.append(["Submission", assessment.source_name])
        text_cells.add((len(rows) - 1, 1))
    return Block(anchor=anchor, values=rows, column_styles={0: LABEL}, cell_styles=styles,
                 text_cells=text_cells)


def _components(assessment: Assessment, anchor: str) -> Block:
    components = assessment.components
    # What a component is and how it was reached (or why it was left out) share one wrapped
    # column: a note run out across the sheet would sit on the cells of the tables below.
    rows = [[c.name, f"{COMPONENT_NAMES.get(c.name, c.name)}: {c.note}", _fraction(c),
             c.numerator, c.denominator, c.weight] for c in components]
    block = _table(anchor, ["Component", "What it is, and how it was reached", "Value",
                            "Numerator", "Denominator", "Weight"], rows,
                   formats={2: PERCENT, 5: DECIMAL}, wrap=(1,))
    for r, component in enumerate(components, start=1):
        if component.name in ("S", "A", "P"):
            # The three lines that make the score, apart from the sub-scores of A.
            block.cell_styles[(r, 0)] = Style(bold=True)
            block.cell_styles[(r, 2)] = Style(bold=True)
        if component.value is None:
            block.cell_styles[(r, 2)] = LEFT_OUT
        for c, number in ((3, component.numerator), (4, component.denominator)):
            block.cell_styles[(r, c)] = Style(number_format=_number_format(number))
    return block


def _driver_row(d: DriverResult) -> list[Any]:
    return [d.driver.value, d.name, NOT_COVERED if d.score is None else d.score,
            d.rag.value if d.rag else NOT_COVERED, _yes_no(d.covered), _yes_no(d.ni_measurable),
            d.relevant_targets, d.measures, _fraction(d.linkage),
            _fraction(d.measure_alignment), _fraction(d.performance)]


def _drivers(drivers: list[DriverResult], anchor: str) -> Block:
    block = _table(anchor, ["Driver", "Name", "Score", "RAG", "Covered (A2)",
                            "An NI can show it", "Relevant targets", "IPPF measures",
                            "A1 linkage (weight 0.5)", "A3 measures (weight 0.25)",
                            "P performance (weight 0.25)"],
                   [_driver_row(d) for d in drivers],
                   formats={2: SCORE, 6: COUNT, 7: COUNT, 8: PERCENT, 9: PERCENT, 10: PERCENT})
    for r, d in enumerate(drivers, start=1):
        block.cell_styles[(r, 3)] = rag_style(d.rag) if d.rag else LEFT_OUT
        if d.score is None:
            block.cell_styles[(r, 2)] = LEFT_OUT
        for c, component in ((8, d.linkage), (9, d.measure_alignment), (10, d.performance)):
            if component.value is None:
                block.cell_styles[(r, c)] = LEFT_OUT
    return block


def _driver_workings(drivers: list[DriverResult], anchor: str) -> Block:
    """Each driver's arithmetic under the table: a line each, so the table stays readable."""
    lines = ["Driver score = 100 × (0.5×A1 + 0.25×A3 + 0.25×P) ÷ the sum of the weights of the "
             "parts that exist:"]
    lines += [f"{d.driver.value}: {d.explanation}" for d in drivers]
    return Block(anchor=anchor, values=[[line] for line in lines], style=NOTE,
                 text_cells={(r, 0) for r in range(len(lines))})


def short_and_ahead(shortfall: float | None) -> tuple[float | None, float | None]:
    """A shortfall as two non-negative figures, 'Short by' and 'Ahead by'; one is blank."""
    if shortfall is None:
        return None, None
    if shortfall > 0:
        return shortfall, None
    return None, -shortfall if shortfall < 0 else 0.0


def _status_style(status: TargetStatus | None) -> Style:
    return rag_style(status) if status else coloured(NO_DATA_COLOURS, bold=False)


def _target_row(t: TargetResult) -> list[Any]:
    return [t.laa, t.title, t.ni, t.role.value, ", ".join(d.value for d in t.drivers) or "—",
            _yes_no(t.relevant), _yes_no(t.linked), t.baseline, t.target, t.latest,
            t.expected, *short_and_ahead(t.shortfall), t.status.value if t.status else "n/a",
            t.row]


def _targets(targets: list[TargetResult], anchor: str) -> Block:
    block = _table(anchor, ["LAA", "Indicator", "NI", "Probation role", "Drivers", "Relevant",
                            "Linked to plan", "Baseline", "Target", "Latest", "Expected now",
                            "Short by", "Ahead by", "Status", "Sheet row"],
                   [_target_row(t) for t in targets],
                   formats={7: MEASURE, 8: MEASURE, 9: MEASURE, 10: MEASURE, 11: MEASURE,
                            12: MEASURE, 14: COUNT}, wrap=(0, 1),
                   text_columns=(0, 1, 2), table_name=TARGETS_TABLE)
    for r, t in enumerate(targets, start=1):
        block.cell_styles[(r, 13)] = _status_style(t.status)
        if t.sheet and t.row:
            block.links[(r, 14)] = sheet_location(t.sheet, f"A{t.row}")
    return block


def _measure_row(m: MeasureResult) -> list[Any]:
    return [m.code, m.measure, m.driver.value if m.driver else "—",
            m.polarity.value if m.polarity else "—", ", ".join(m.linked_ni) or "—",
            _yes_no(m.aligned), m.target, m.actual, *short_and_ahead(m.shortfall),
            m.status.value, m.row]


def _measures(measures: list[MeasureResult], anchor: str) -> Block:
    block = _table(anchor, ["Code", "Measure", "Driver", "Polarity", "Linked NI",
                            "Linked NI on Targets sheet", "Target", "Actual", "Short by",
                            "Ahead by", "Status", "Sheet row"],
                   [_measure_row(m) for m in measures],
                   formats={6: MEASURE, 7: MEASURE, 8: MEASURE, 9: MEASURE, 11: COUNT},
                   wrap=(1,), text_columns=(0, 1, 4), table_name=MEASURES_TABLE)
    for r, m in enumerate(measures, start=1):
        block.cell_styles[(r, 10)] = _status_style(m.status)
        if m.sheet and m.row:
            block.links[(r, 11)] = sheet_location(m.sheet, f"A{m.row}")
    return block


# ---------------------------------------------------------------------------------------------
# Flags


FLAG_HEADERS = list(FLAG_COLUMNS)


def _flag_link(flag: Flag) -> str | None:
    if not flag.sheet:
        return None
    return sheet_location(flag.sheet, flag.cell or (f"A{flag.row}" if flag.row else "A1"))


def flags_layout(assessment: Assessment) -> SheetLayout:
    """The Flags sheet: every flag, most severe first (the engine's order), as a table."""
    flags = assessment.flags
    widths = {"A": 11, "B": 28, "C": 16, "D": 9, "E": 64, "F": 52}
    if not flags:
        block = _table("A1", FLAG_HEADERS, [[None, None, None, None, NO_FLAGS, None]])
        return SheetLayout(name=schema.FLAGS_SHEET, blocks=[block], column_widths=widths,
                           freeze="A2", print_title_rows="1:1").fit_row_heights()
    rows = [flag_row(f) for f in flags]
    block = _table("A1", FLAG_HEADERS, rows, wrap=(4, 5), text_columns=(2, 3, 4),
                   table_name=FLAGS_TABLE)
    block.overflow_note = ("Every flag is in `xl-localism score WORKBOOK --json`; most are "
                           "repeats of the few codes above: fix those first.")
    block.column_styles[3] = Style(horizontal="center")
    for r, flag in enumerate(flags, start=1):
        block.cell_styles[(r, 0)] = coloured(SEVERITY_COLOURS[flag.severity])
        link = _flag_link(flag)
        if link:
            block.links[(r, 3 if flag.cell or flag.row else 2)] = link
    worst = flags[0].severity
    return SheetLayout(name=schema.FLAGS_SHEET, blocks=[block], column_widths=widths,
                       freeze="A2", print_title_rows="1:1",
                       tab_colour=SEVERITY_COLOURS[worst][0] if worst != Severity.INFO else None
                       ).fit_row_heights()

