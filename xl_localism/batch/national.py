"""The national summary workbook: league table, heatmap, every flag, rejections, charts, trend.

Written with openpyxl's streaming (write-only) mode: rows go to disk as they are made, so memory
stays flat however many trusts there are. Text that came from a submission is always written as
text, never as a formula.
"""

from __future__ import annotations

import contextlib
import warnings
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date, time
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.styles.cell_style import StyleArray
from openpyxl.styles.numbers import is_date_format
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.table import Table, TableStyleInfo

from xl_localism import layout
from xl_localism.batch.flag_rows import (
    FLAG_HEADERS,
    SEVERITIES,
    FlagSpill,
    SpilledRows,
    plain_cells,
    rows_by_severity,
)
from xl_localism.batch.runner import Outcome
from xl_localism.layout import RAG_COLOURS
from xl_localism.vocab import Driver
from xl_localism.workbook import fastsave
from xl_localism.workbook.fastsave import RowXml, Saving, Styled, row_xml, stream_rows
from xl_localism.workbook.files import CELL_INJECTION_PREFIXES, save_atomically, write_text

DRIVERS = [d.value for d in Driver]
RAG_FILL = RAG_COLOURS  # the same palette as the Summary sheet
LEAGUE_HEADERS = ["Rank", "Trust", "Nation", "Region", "As at", "Score", "RAG", *DRIVERS,
                  *[s.capitalize() for s in SEVERITIES], "Source file", "Feedback workbook",
                  "Note"]
HEADER_FONT = Font(bold=True, color=layout.HEADER_FONT)
HEADER_FILL = PatternFill("solid", fgColor=layout.HEADER_FILL)


class _Sheet:
    """A write-only sheet with helpers for safe text, colours and a closing Excel table."""

    def __init__(self, workbook: Workbook, title: str, widths: Sequence[float]) -> None:
        self.sheet = workbook.create_sheet(title)
        for index, width in enumerate(widths, start=1):
            self.sheet.column_dimensions[get_column_letter(index)].width = width
        self.rows = 0
        self.headers: list[str] = []
        self.looks: dict[tuple[str | None, bool, str | None], StyleArray] = {}

    def cell(self, value: Any, *, rag: str | None = None, bold: bool = False,
             number_format: str | None = None) -> Any:
        """What to append for ``value``: a cell when it needs a look or must be kept as text,
        otherwise the value itself."""
        look = (rag if rag in RAG_FILL else None, bold, number_format)
        injected = isinstance(value, str) and value.startswith(CELL_INJECTION_PREFIXES)
        if look == (None, False, None) and not injected:
            # openpyxl puts a plain value into the one cell it reuses for the row; handed a
            # cell object instead, it first tries it as a value and formats the error it
            # raises: 40 % of the time the report took.
            return value
        # A date outside a date format would take openpyxl's own: that one stays a cell.
        dated = isinstance(value, (date, time)) and not is_date_format(number_format or "")
        if look != (None, False, None) and not injected and not dated and fastsave.ENABLED:
            # Written without a cell object, its style numbered as openpyxl numbers a cell's
            # when it writes it.
            return Styled(value, self._style_of(look))
        cell = WriteOnlyCell(self.sheet)
        if look != (None, False, None):
            # Styled before its value: a date then keeps the look's date format, and openpyxl
            # does not add its own default one to the workbook.
            cell._style = StyleArray(self._style_of(look))
        write_text(cell, value)  # submission text stays text, never a live formula
        return cell

    def _style_of(self, look: tuple[str | None, bool, str | None]) -> StyleArray:
        """The style of a look, made once: giving a cell a Font makes openpyxl hash it against
        every font in the workbook, and the ids that ends in are the same for every cell."""
        known = self.looks.get(look)
        if known is None:
            rag, bold, number_format = look
            probe = WriteOnlyCell(self.sheet)
            if rag is not None:
                fill, font = RAG_FILL[rag]
                probe.fill = PatternFill("solid", fgColor=fill)
                probe.font = Font(color=font, bold=bold)
            elif bold:
                probe.font = Font(bold=True)
            if number_format:
                probe.number_format = number_format
            known = self.looks[look] = StyleArray(probe._style)
        return known

    def header(self, headers: Iterable[str]) -> None:
        headers = list(headers)
        if not self.headers:
            self.headers = headers
        cells = []
        for text in headers:
            cell = WriteOnlyCell(self.sheet)
            write_text(cell, text)  # trend headers are trust names: text, never a formula
            cell.font, cell.fill = HEADER_FONT, HEADER_FILL
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            cells.append(cell)
        self.append(cells)

    def append(self, values: Iterable[Any]) -> None:
        stream_rows(self.sheet)
        # Only text that starts like a formula needs a cell of its own (see cell()); anything
        # else without a look goes in as the value itself.
        self.sheet.append([self.cell(v) if isinstance(v, str) and
                           v.startswith(CELL_INJECTION_PREFIXES) else v for v in values])
        self.rows += 1

    def append_xml(self, row: RowXml) -> None:
        """A row made by ``fastsave.row_xml``: its cells were checked as append() would."""
        stream_rows(self.sheet)
        self.sheet.append(row)
        self.rows += 1

    def as_table(self, name: str, columns: int) -> None:
        if self.rows < 2:
            self.append([None] * columns)  # an Excel table needs a data row
        table = Table(displayName=name, ref=f"A1:{get_column_letter(columns)}{self.rows}")
        table.tableStyleInfo = TableStyleInfo(name="TableStyleLight9", showRowStripes=True)
        # Streaming sheets cannot read their header cells back, so name the columns here.
        table._initialise_columns()
        for column, header in zip(table.tableColumns, self.headers, strict=True):
            column.name = header
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns in write-only mode whatever we do
            self.sheet.add_table(table)


def _date_cell(sheet: _Sheet, iso: str | None) -> Any:
    """Dates travel as ISO text in the JSON; in the report they are real, sortable dates."""
    return sheet.cell(date.fromisoformat(iso), number_format="dd/mm/yyyy") if iso else None


def _ranked(outcomes: Sequence[Outcome]) -> list[Outcome]:
    scored = [o for o in outcomes if o.summary is not None]
    return sorted(scored, key=lambda o: (-o.summary["score"], o.summary["trust"].casefold(),
                                         o.source))  # type: ignore[index]


def write_national_report(outcomes: Sequence[Outcome], path: Path,
                          trend: Sequence[dict[str, Any]] | None = None) -> Path:
    workbook = Workbook(write_only=True)
    try:
        ranked = _ranked(outcomes)
        _league(workbook, ranked, path.parent)
        _heatmap(workbook, ranked)
        _flags(workbook, ranked)
        _rejected(workbook, [o for o in outcomes if o.rejected is not None])
        _charts(workbook, ranked)
        if trend:
            _trend(workbook, trend)
        return save_atomically(Saving(workbook), path)
    except BaseException:
        _abandon(workbook)
        raise


def _abandon(workbook: Workbook) -> None:
    """A report that failed half-way: each streaming sheet is finished and its temporary file
    removed now. Left to the garbage collector, a sheet's row writer would write its closing
    tag into a file already closed, and the error would be printed on the way out."""
    for sheet in workbook.worksheets:
        rows, writer = getattr(sheet, "_rows", None), getattr(sheet, "_writer", None)
        with contextlib.suppress(Exception):
            if rows is not None:
                rows.close()
        with contextlib.suppress(Exception):
            if writer is not None:
                writer.close()
                writer.cleanup()


def _league(workbook: Workbook, ranked: list[Outcome], report_dir: Path) -> None:
    sheet = _Sheet(workbook, "League table",
                   [6, 30, 9, 22, 11, 8, 8, *[6] * 5, 8, 8, 9, 7, 34, 34, 40])
    sheet.sheet.freeze_panes = "C2"
    sheet.header(LEAGUE_HEADERS)
    for rank, outcome in enumerate(ranked, start=1):
        result = outcome.summary or {}
        driver_rags = result.get("driver_rag", {})
        feedback = (str(outcome.feedback.relative_to(report_dir))
                    if outcome.feedback and outcome.feedback.is_relative_to(report_dir) else None)
        sheet.append([
            rank, result["trust"], result["nation"], result.get("region"),
            _date_cell(sheet, result.get("as_at")),
            sheet.cell(result["score"], number_format="0.0"),
            sheet.cell(result["rag"], rag=result["rag"], bold=True),
            *[sheet.cell(result["drivers"][d], rag=driver_rags.get(d), number_format="0.0")
              for d in DRIVERS],
            *[result["flag_counts"][s] for s in SEVERITIES],
            outcome.source, feedback, "; ".join(outcome.notes) or None,
        ])
    sheet.as_table("League", len(LEAGUE_HEADERS))


def _heatmap(workbook: Workbook, ranked: list[Outcome]) -> None:
    sheet = _Sheet(workbook, "Heatmap", [30, 11, *[10] * 5, 10])
    sheet.sheet.freeze_panes = "B2"
    sheet.header(["Trust", "As at", *DRIVERS, "Overall"])
    for outcome in sorted(ranked, key=lambda o: o.summary["trust"].casefold()):  # type: ignore
        result = outcome.summary or {}
        rags = result.get("driver_rag", {})
        sheet.append([
            result["trust"], _date_cell(sheet, result.get("as_at")),
            *[sheet.cell(result["drivers"][d] if result["drivers"][d] is not None
                         else "not covered", rag=rags.get(d), number_format="0.0")
              for d in DRIVERS],
            sheet.cell(result["score"], rag=result["rag"], bold=True, number_format="0.0"),
        ])


def _flags(workbook: Workbook, ranked: list[Outcome]) -> None:
    """Every flag row, most severe first, then by trust and code, ties in ranked order.

    Each submission's rows are read once (from the batch's spill, else from its cache entry)
    and kept in a temporary file, never all in memory: a trust's rows of one severity at a
    time are sorted and written.
    """
    sheet = _Sheet(workbook, "Flags", [28, 30, 10, 26, 14, 10, 80, 60])
    sheet.sheet.freeze_panes = "A2"
    sheet.header(FLAG_HEADERS)
    with FlagSpill() as spill:
        by_trust: dict[str, list[tuple[Outcome, SpilledRows, str | None]]] = {}
        for outcome in ranked:
            summary = outcome.summary or {}
            first_cells = plain_cells([summary["trust"], outcome.source], 1)
            spilled = outcome.flag_rows
            if (spilled is None or not spilled.readable or first_cells is None
                    or not fastsave.ENABLED):
                # Not made by a batch worker (a cached result), or made as XML that cannot be
                # used here: made again from the cache entry.
                flags = (outcome.result or {}).get("flags", [])
                spilled = spill.add(rows_by_severity(flags, as_values=first_cells is None))
            by_trust.setdefault(summary["trust"].casefold(), []).append(
                (outcome, spilled, first_cells))
        for severity in SEVERITIES:
            for trust in sorted(by_trust):
                found = [(owner, row) for owner in by_trust[trust]
                         for row in owner[1].rows(severity)]
                found.sort(key=lambda pair: pair[1][0])  # stable: ties keep the ranked order
                for (outcome, _, first_cells), (_, template, values) in found:
                    if first_cells is not None and template is not None:
                        sheet.append_xml(row_xml(first_cells, template))
                    else:
                        sheet.append([(outcome.summary or {})["trust"], outcome.source,
                                      *(values or [])])
    sheet.as_table("AllFlags", len(FLAG_HEADERS))


def _rejected(workbook: Workbook, rejected: list[Outcome]) -> None:
    sheet = _Sheet(workbook, "Rejected", [40, 100])
    sheet.header(["File", "Reason"])
    for outcome in sorted(rejected, key=lambda o: o.source):
        sheet.append([outcome.source, outcome.rejected])
    sheet.as_table("Rejected", 2)


def _charts(workbook: Workbook, ranked: list[Outcome]) -> None:
    sheet = _Sheet(workbook, "Charts", [14, 10, 10, 10, 12])
    sheet.header(["Score band", "Trusts"])
    bands = Counter(min(int(o.summary["score"] // 10), 9) for o in ranked)  # type: ignore
    for band in range(10):
        sheet.append([f"{band * 10}–{band * 10 + 9 if band < 9 else 100}", bands.get(band, 0)])
    histogram = BarChart()
    histogram.title, histogram.y_axis.title = "Readiness score distribution", "Trusts"
    histogram.add_data(Reference(sheet.sheet, min_col=2, min_row=1, max_row=11),
                       titles_from_data=True)
    histogram.set_categories(Reference(sheet.sheet, min_col=1, min_row=2, max_row=11))
    histogram.legend = None
    sheet.sheet.add_chart(histogram, "G2")

    sheet.append([])
    start = sheet.rows + 1
    sheet.header(["Driver", "Green", "Amber", "Red", "Not covered"])
    for driver in DRIVERS:
        rags = Counter((o.summary or {}).get("driver_rag", {}).get(driver) for o in ranked)
        sheet.append([driver, rags.get("Green", 0), rags.get("Amber", 0), rags.get("Red", 0),
                      rags.get(None, 0)])
    stacked = BarChart()
    stacked.type, stacked.grouping, stacked.overlap = "col", "stacked", 100
    stacked.title, stacked.y_axis.title = "Driver RAG across trusts", "Trusts"
    stacked.add_data(Reference(sheet.sheet, min_col=2, max_col=5, min_row=start,
                               max_row=start + len(DRIVERS)), titles_from_data=True)
    stacked.set_categories(Reference(sheet.sheet, min_col=1, min_row=start + 1,
                                     max_row=start + len(DRIVERS)))
    for series, colour in zip(stacked.series, ["63BE7B", "FFD966", "F8696B", "BFBFBF"],
                              strict=True):
        series.graphicalProperties.solidFill = colour
    sheet.sheet.add_chart(stacked, "G20")


def _trend(workbook: Workbook, trend: Sequence[dict[str, Any]]) -> None:
    """Trusts as columns, reporting dates as rows: one line per trust."""
    dates = sorted({row["as_at"] or "" for row in trend})
    trusts = sorted({row["trust"] for row in trend}, key=str.casefold)
    scores = {(row["trust"], row["as_at"] or ""): row["score"] for row in trend}
    sheet = _Sheet(workbook, "Trend", [12, *[14] * len(trusts)])
    sheet.header(["As at", *trusts])
    for as_at in dates:
        sheet.append([as_at, *[scores.get((t, as_at)) for t in trusts]])
    chart = LineChart()
    chart.title, chart.y_axis.title = "Readiness over time", "Score"
    chart.y_axis.scaling.min, chart.y_axis.scaling.max = 0, 100
    chart.add_data(Reference(sheet.sheet, min_col=2, max_col=1 + len(trusts), min_row=1,
                             max_row=1 + len(dates)), titles_from_data=True)
    chart.set_categories(Reference(sheet.sheet, min_col=1, min_row=2, max_row=1 + len(dates)))
    chart.width, chart.height = 24, 12
    sheet.sheet.add_chart(chart, f"{get_column_letter(len(trusts) + 3)}2")
