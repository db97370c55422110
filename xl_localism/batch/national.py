"""The national summary workbook: league table, heatmap, every flag, rejections, charts, trend.

Each sheet is a layout (plain data, :class:`xl_localism.layout.SheetLayout`) made here from the
batch's outcomes, and written by the XlsxWriter renderer like every other new workbook. Text
that came from a submission is written as text, never as a formula.

The report is written row by row (the renderer's ``row_by_row``: XlsxWriter's
``constant_memory`` mode), so its cells are never all in memory: the League, Heatmap and Flags
rows are made as they are written (the flags wait, sorted, in a temporary SQLite database
rather than in memory); XlsxWriter keeps only the heights of rows taller or shorter than their
sheet's usual row. That mode writes no Excel tables, so the League, Heatmap, Flags, Rejected
and Superseded sheets are filtered ranges: sortable and filterable from their header rows. Nor
does it store a chart's data in the chart: Excel and LibreOffice draw the Charts and Trend
sheets from their cells, but a previewer that shows only what a file caches (Outlook's, Quick
Look) shows those charts empty.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import secrets
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from xl_localism import layout
from xl_localism.a1 import column_letter
from xl_localism.batch.outcome import Outcome, league_order
from xl_localism.flag_rows import FLAG_COLUMNS, SEVERITIES, flag_row
from xl_localism.layout import (
    RAG_COLOURS,
    Block,
    ChartSpec,
    RowStream,
    SheetLayout,
    StreamRow,
    Style,
    row_height,
)
from xl_localism.render.xlsxwriter import write_layouts
from xl_localism.returns import UNDATED, period_end, period_of, period_sort_key
from xl_localism.vocab import Driver

DRIVERS = [d.value for d in Driver]
RAG_FILL = RAG_COLOURS  # the same palette as the Summary sheet
LEAGUE_HEADERS = ["Rank", "Trust", "Nation", "Region", "As at", "Period", "Score", "RAG",
                  *DRIVERS,
                  *[s.capitalize() for s in SEVERITIES], "Source file", "Feedback workbook",
                  "Note"]
FLAG_HEADERS = ["Trust", "Source file", *FLAG_COLUMNS]
SUPERSEDED_HEADERS = ["Superseded file", "Superseded by", "Trust", "Period", "As at",
                      "Modified", "Superseding file modified"]
REPORT_TITLE = "Localism readiness: national summary"

HEADER = Style(bold=True, fill=layout.HEADER_FILL, font_colour=layout.HEADER_FONT, wrap=True)
SCORE = "0.0"
DATE = "dd/mm/yyyy"
DATE_TIME = "dd/mm/yyyy hh:mm:ss"
WRAP = Style(wrap=True)
# A driver with no score, as the Summary sheet's driver table says it.
NOT_COVERED = layout.NOT_COVERED
NOT_COVERED_LOOK = layout.LEFT_OUT
# Stacked bars per driver: green, amber, red and not covered, as the heatmap reads them.
DRIVER_RAG_COLOURS = ("63BE7B", "FFD966", "F8696B", "BFBFBF")


def write_national_report(outcomes: Sequence[Outcome], path: Path,
                          trend: Sequence[dict[str, Any]] | None = None, *,
                          skipped: int = 0) -> Path:
    """The report at ``path``, written atomically: an earlier report stays until it is done."""
    # Only the current file of each return is ranked, mapped, charted and its flags listed;
    # the files it superseded are on their own sheet.
    ranked = league_order(list(outcomes))
    with contextlib.closing(_FlagStore(path.parent)) as flags:
        layouts = [
            league_layout(ranked, path.parent),
            heatmap_layout(ranked),
            flags_layout(ranked, flags),
            rejected_layout([o for o in outcomes if o.rejected is not None], skipped),
            superseded_layout([o for o in outcomes if o.superseded_by is not None]),
            charts_layout(ranked),
        ]
        if trend:
            layouts.extend(trend_layouts(trend, with_results=False))
        return write_layouts(layouts, path, title=REPORT_TITLE, row_by_row=True)


def write_trend_report(trend: Sequence[dict[str, Any]], path: Path) -> Path:
    """``trend --report``: the Trend sheet first, then only the sheets that have content."""
    return write_layouts(trend_layouts(trend, with_results=True), path,
                         title="Localism readiness over time")


class _Table:
    """A header row and data rows from A1 down, with a look per cell where one is needed."""

    def __init__(self, headers: list[str]) -> None:
        self.rows: list[list[Any]] = [list(headers)]
        self.looks: dict[tuple[int, int], Style] = {}

    def add(self, values: list[Any], looks: dict[int, Style] | None = None) -> None:
        row = len(self.rows)
        self.rows.append(values)
        for column, style in (looks or {}).items():
            self.looks[(row, column)] = style

    def block(self, anchor: str = "A1", table_name: str | None = None) -> Block:
        if table_name and len(self.rows) < 2:
            self.rows.append([None] * len(self.rows[0]))  # an Excel table needs a data row
        return Block(anchor=anchor, values=self.rows, header=True, row_styles={0: HEADER},
                     cell_styles=self.looks, table_name=table_name)


def _look(rag: str | None = None, *, bold: bool = False,
          number_format: str | None = None) -> Style:
    if rag in RAG_FILL:
        fill, font = RAG_FILL[rag]  # type: ignore[index]
        return Style(fill=fill, font_colour=font, bold=bold, number_format=number_format)
    return Style(bold=bold or None, number_format=number_format)


def _as_date(iso: str | None) -> date | None:
    """Dates travel as ISO text in the JSON; in the report they are real, sortable dates."""
    return date.fromisoformat(iso) if iso else None


def _widths(widths: Sequence[float]) -> dict[str, float]:
    return {column_letter(index): width for index, width in enumerate(widths, start=1)}


class _FittedWidths:
    """Column widths fitted to the longest text (or number as shown) in each column, each
    kept between its (least, most): a column never clips a short value, and a long message
    wraps instead of running off the page. Rows are added one at a time, so a stream of any
    length is fitted without being kept."""

    def __init__(self, limits: Sequence[tuple[float, float]]) -> None:
        self.limits = limits
        self.longest = [0] * len(limits)

    def add(self, row: Sequence[Any]) -> None:
        for column, value in enumerate(row[:len(self.limits)]):
            if value is None:
                continue
            shown = (f"{value:.1f}" if isinstance(value, float)
                     else "00/00/0000" if isinstance(value, date) else str(value))
            self.longest[column] = max(self.longest[column],
                                       max((len(line) for line in shown.splitlines()), default=0))

    def widths(self) -> list[float]:
        return [min(most, max(least, longest + 2))
                for (least, most), longest in zip(self.limits, self.longest, strict=True)]


def _fitted(rows: Sequence[Sequence[Any]], limits: Sequence[tuple[float, float]]
            ) -> dict[str, float]:
    fitted = _FittedWidths(limits)
    for row in rows:
        fitted.add(row)
    return _widths(fitted.widths())


# Rows looked at to choose a sheet's usual row height.
USUAL_HEIGHT_SAMPLE = 1_000
# A row's values and the looks laid over its stream's style, by column.
_Row = tuple[list[Any], dict[int, Style] | None]


def _streamed(headers: list[str], count: int, make: Callable[[], Iterator[_Row]],
              widths: Sequence[float], *, style: Style = WRAP, overflow_note: str = "",
              sample: Callable[[], Iterator[_Row]] | None = None) -> RowStream:
    """A filtered range of rows made by ``make`` as they are written, each row as high as its
    wrapped text needs in columns of ``widths``. ``sample`` makes some rows, in any order, to
    choose the usual height from (default: the first rows ``make`` makes)."""
    header_styles = [HEADER.over(style)] * len(headers)

    def heights(made: Iterator[_Row]) -> Iterator[StreamRow]:
        for values, looks in made:
            styles = [style if not looks or c not in looks else looks[c].over(style)
                      for c in range(len(headers))]
            yield values, looks, row_height(values, styles, widths)

    def rows() -> Iterator[StreamRow]:
        return heights(make())

    # The most common height of some rows: only rows of another height then carry one.
    # (Which height is chosen changes no row's height, only how many are written down.)
    sampled = itertools.islice(heights((sample or make)()), USUAL_HEIGHT_SAMPLE)
    common = Counter(height for _, _, height in sampled).most_common(1)
    usual = common[0][0] if common else None
    return RowStream(anchor="A1", headers=headers, count=count, rows=rows, style=style,
                     header_style=HEADER, overflow_note=overflow_note,
                     header_height=row_height(headers, header_styles, widths),
                     usual_height=usual)


def league_layout(ranked: list[Outcome], report_dir: Path) -> SheetLayout:
    first_driver = LEAGUE_HEADERS.index(DRIVERS[0])

    def rows() -> Iterator[_Row]:
        for rank, outcome in enumerate(ranked, start=1):
            result = outcome.summary or {}
            driver_rags = result.get("driver_rag", {})
            feedback = (str(outcome.feedback.relative_to(report_dir))
                        if outcome.feedback and outcome.feedback.is_relative_to(report_dir)
                        else None)
            looks = {4: Style(number_format=DATE), 6: Style(number_format=SCORE),
                     7: _look(result["rag"], bold=True)}
            for offset, driver in enumerate(DRIVERS):
                looks[first_driver + offset] = (
                    NOT_COVERED_LOOK if result["drivers"][driver] is None
                    else _look(driver_rags.get(driver), number_format=SCORE))
            yield [
                rank, result["trust"], result["nation"], result.get("region"),
                _as_date(result.get("as_at")), outcome.period,
                result["score"], result["rag"],
                *[_driver_score(result, d) for d in DRIVERS],
                *[result["flag_counts"][s] for s in SEVERITIES],
                outcome.source, feedback, "; ".join(outcome.notes) or None,
            ], looks

    # Headers wrap, so each column fits its values; the note wraps within its limit.
    # ("not covered" takes two lines of a driver's column.)
    limits = [(6, 6), (12, 34), (8, 9), (10, 18), (11, 11), (11, 11), (7, 7), (7, 7),
              *[(6, 6)] * len(DRIVERS), *[(8, 8)] * len(SEVERITIES), (14, 36), (14, 30),
              (10, 36)]
    fitted = _FittedWidths(limits)
    for values, _ in rows():
        fitted.add(values)
    widths = fitted.widths()
    # Every cell wraps (and so reads from the top of its row): a path longer than its column
    # goes on to a second line instead of being cut by the cell beside it.
    # Printed landscape, shrunk to two pages across with the rank and trust repeated on both
    # (score and RAG always on the first), and the header row on every page down.
    return SheetLayout(name="League table", blocks=[],
                       stream=_streamed(LEAGUE_HEADERS, len(ranked), rows, widths),
                       column_widths=_widths(widths),
                       freeze="C2", landscape=True, fit_to_width=True, pages_wide=2,
                       print_title_rows="1:1", print_title_columns="A:B")


def _driver_score(result: dict[str, Any], driver: str) -> float | str:
    score = result["drivers"][driver]
    return NOT_COVERED if score is None else score


def heatmap_layout(ranked: list[Outcome]) -> SheetLayout:
    by_trust = sorted(ranked, key=lambda o: o.summary["trust"].casefold())  # type: ignore

    def rows() -> Iterator[_Row]:
        for outcome in by_trust:
            result = outcome.summary or {}
            rags = result.get("driver_rag", {})
            looks = {1: Style(number_format=DATE),
                     2 + len(DRIVERS): _look(result["rag"], bold=True, number_format=SCORE)}
            for offset, driver in enumerate(DRIVERS):
                looks[2 + offset] = (NOT_COVERED_LOOK if result["drivers"][driver] is None
                                     else _look(rags.get(driver), number_format=SCORE))
            yield [
                result["trust"], _as_date(result.get("as_at")),
                *[_driver_score(result, d) for d in DRIVERS],
                result["score"],
            ], looks

    widths = [30, 11, *[10] * 5, 10]
    stream = _streamed(["Trust", "As at", *DRIVERS, "Overall"], len(by_trust), rows, widths,
                       style=Style())
    return SheetLayout(name="Heatmap", blocks=[], stream=stream, column_widths=_widths(widths),
                       freeze="B2", landscape=False, fit_to_width=True,
                       print_title_rows="1:1")


class _FlagStore:
    """The flag rows of a batch in a temporary SQLite database beside the report, given back
    in the Flags sheet's order: a batch's flags can be many times its files, and none is kept
    in memory.

    Rows are stored as JSON (any text a flag can hold, lone surrogates included, survives);
    trusts and codes are ordered by their positions in Python's own sort of them, whatever
    SQLite's collation would make of the text.
    """

    def __init__(self, folder: Path) -> None:
        # Hidden and ending in .tmp: a killed run's is removed by the next
        # (runner.remove_stray_temporaries), and a full disk is the output folder's.
        self.path = folder / f".flags.{secrets.token_hex(8)}.tmp"
        self.codes: dict[str, int] = {}
        self.database = sqlite3.connect(self.path)
        with self._as_oserror():
            # Sorting space only: nothing to recover after a crash.
            self.database.execute("PRAGMA journal_mode = OFF")
            self.database.execute("PRAGMA synchronous = OFF")
            self.database.execute("CREATE TABLE flag (severity INTEGER, trust INTEGER, "
                                  "code INTEGER, position INTEGER, row TEXT)")
            self.database.execute("CREATE TABLE code (id INTEGER, rank INTEGER)")

    def add(self, rows: list[tuple[int, int, str, int, list[Any]]]) -> None:
        """(severity, trust, code, position, row) each: severity and trust as their ranks."""
        stored = [(severity, trust, self.codes.setdefault(code, len(self.codes)), position,
                   json.dumps(row)) for severity, trust, code, position, row in rows]
        with self._as_oserror():
            self.database.executemany("INSERT INTO flag VALUES (?, ?, ?, ?, ?)", stored)

    def rows(self, limit: int | None = None) -> Iterator[list[Any]]:
        """The rows in order; with ``limit``, that many in no particular order (a sample)."""
        if limit is not None:
            query, arguments = "SELECT row FROM flag LIMIT ?", (limit,)
        else:
            ranks = {code: rank for rank, code in enumerate(sorted(self.codes))}
            with self._as_oserror():
                self.database.execute("DELETE FROM code")
                self.database.executemany("INSERT INTO code VALUES (?, ?)",
                                          [(i, ranks[c]) for c, i in self.codes.items()])
            query = ("SELECT flag.row FROM flag JOIN code ON code.id = flag.code "
                     "ORDER BY flag.severity, flag.trust, code.rank, flag.position")
            arguments = ()
        with self._as_oserror():
            for (row,) in self.database.execute(query, arguments):
                yield json.loads(row)

    @staticmethod
    @contextlib.contextmanager
    def _as_oserror() -> Iterator[None]:
        # A full temporary folder is a failure to write the report, as a full output folder
        # is: the batch says so and keeps the previous report (never a traceback).
        try:
            yield
        except sqlite3.Error as error:
            raise OSError(f"the flags could not be sorted in a temporary file ({error})"
                          ) from error

    def close(self) -> None:
        self.database.close()
        self.path.unlink(missing_ok=True)


def flags_layout(ranked: list[Outcome], store: _FlagStore) -> SheetLayout:
    """Every flag row, most severe first, then by trust and code, ties in ranked order.

    Each submission's flags come from its result (for a batch, read back from its cache entry
    once, here) into ``store``, which gives them back in order as the sheet is written.
    """
    trusts = {t: i for i, t in enumerate(sorted({(o.summary or {})["trust"].casefold()
                                                 for o in ranked}))}
    severities = {s: i for i, s in enumerate(SEVERITIES)}
    # Message and Suggested action wrap within their widths, so nothing runs off or is cut.
    limits = [(12, 28), (14, 30), (9, 10), (12, 24), (10, 14), (8, 12), (30, 60), (30, 50)]
    fitted = _FittedWidths(limits)
    position = count = 0
    for outcome in ranked:
        summary = outcome.summary or {}
        trust = trusts[summary["trust"].casefold()]
        stored = []
        for flag in (outcome.result or {}).get("flags", []):
            row = [summary["trust"], outcome.source, *flag_row(flag)]
            fitted.add(row)
            stored.append((severities.get(row[2], len(SEVERITIES)), trust, row[3], position,
                           row))
            position += 1
        store.add(stored)
        count += len(stored)
    widths = fitted.widths()
    stream = _streamed(FLAG_HEADERS, count, lambda: ((row, None) for row in store.rows()),
                       widths, overflow_note=("Each trust's feedback workbook (League table, "
                                              "Feedback workbook column) lists all of its "
                                              "flags."),
                       # Unsorted: sorting every flag only to sample a few would sort twice.
                       sample=lambda: ((row, None)
                                       for row in store.rows(limit=USUAL_HEIGHT_SAMPLE)))
    # Printed landscape, one page wide, the header on every page.
    return SheetLayout(name="Flags", blocks=[], stream=stream, column_widths=_widths(widths),
                       freeze="A2", landscape=True, fit_to_width=True, print_title_rows="1:1")


def rejected_layout(rejected: list[Outcome], skipped: int = 0) -> SheetLayout:
    table = _Table(["File", "Reason"])
    for outcome in sorted(rejected, key=lambda o: o.source):
        table.add([outcome.source, outcome.rejected])
        table.looks[(len(table.rows) - 1, 1)] = WRAP
    blocks = [table.block(table_name="Rejected")]
    if skipped:
        # Every file in the folder is accounted for: these are the ones no one submitted.
        blocks.append(Block(anchor=f"A{blocks[0].height + 2}", values=[[
            f"{skipped} file(s) skipped by rule: Office lock files (~$...), hidden files and "
            "folders, and system files (Thumbs.db, desktop.ini)."]],
            style=Style(italic=True)))
    sheet = SheetLayout(name="Rejected", blocks=blocks,
                        column_widths=_fitted(table.rows[1:], [(14, 50), (20, 90)]),
                        landscape=True, fit_to_width=True, print_title_rows="1:1")
    return sheet.fit_row_heights()


def _modified(outcome: Outcome) -> datetime | None:
    # Local wall-clock time, as the file manager shows it to whoever compares the files.
    return datetime.fromtimestamp(outcome.modified) if outcome.modified else None


def superseded_layout(superseded: list[Outcome]) -> SheetLayout:
    """Each file a newer file of the same return (trust and period) superseded: listed, never
    ranked or counted."""
    table = _Table(SUPERSEDED_HEADERS)
    for outcome in sorted(superseded, key=lambda o: o.source):
        newer = outcome.superseded_by
        assert newer is not None
        result = outcome.summary or {}
        table.add([outcome.source, newer.source, result.get("trust"), outcome.period,
                   _as_date(result.get("as_at")), _modified(outcome), _modified(newer)],
                  {4: Style(number_format=DATE), 5: Style(number_format=DATE_TIME),
                   6: Style(number_format=DATE_TIME)})
    limits = [(16, 50), (16, 50), (12, 30), (10, 11), (11, 11), (19, 19), (19, 19)]
    return SheetLayout(name="Superseded", blocks=[table.block(table_name="Superseded")],
                       column_widths=_fitted(table.rows[1:], limits), landscape=True,
                       fit_to_width=True, print_title_rows="1:1")


CHART_PAGE_ROWS = 18  # a 7.5 cm chart's 15 rows, and the blank rows around it


def charts_layout(ranked: list[Outcome]) -> SheetLayout:
    bands = Counter(min(int(o.summary["score"] // 10), 9) for o in ranked)  # type: ignore
    histogram = _Table(["Score band", "Trusts"])
    for band in range(10):
        histogram.add([f"{band * 10}–{band * 10 + 9 if band < 9 else 100}", bands.get(band, 0)])
    drivers = _Table(["Driver", "Green", "Amber", "Red", "Not covered"])
    for driver in DRIVERS:
        rags = Counter((o.summary or {}).get("driver_rag", {}).get(driver) for o in ranked)
        drivers.add([driver, rags.get("Green", 0), rags.get("Amber", 0), rags.get("Red", 0),
                     rags.get(None, 0)])
    # Printed portrait, a page each: a table with its chart under it, so no chart is cut by
    # a page break (a 7.5 cm chart covers 15 rows of the default height).
    first = histogram.block()
    first_chart = first.height + 2
    start = first_chart + CHART_PAGE_ROWS
    by_driver = drivers.block(anchor=f"A{start}")
    end = start + len(DRIVERS)
    charts = [
        ChartSpec(kind="bar", title="Readiness score distribution", anchor=f"A{first_chart}",
                  categories_ref="A2:A11", values_ref="B1:B11", titles_in_first_row=True,
                  y_axis_title="Trusts", show_values=False, width_cm=15, height_cm=7.5),
        ChartSpec(kind="stacked bar", title="Driver RAG across trusts",
                  anchor=f"A{end + 2}",
                  categories_ref=f"A{start + 1}:A{end}", values_ref=f"B{start}:E{end}",
                  titles_in_first_row=True, y_axis_title="Trusts", show_values=False,
                  series_colours=DRIVER_RAG_COLOURS, legend=True, width_cm=15,
                  height_cm=7.5),
    ]
    return SheetLayout(name="Charts", blocks=[first, by_driver], charts=charts,
                       column_widths=_widths([14, 10, 10, 10, 12]), landscape=False,
                       fit_to_width=True, page_breaks=[start])


def _trend_value(row: dict[str, Any], key: str) -> float | None:
    """A score or a driver (the history stores drivers under their lower-case codes)."""
    return row.get(key, row.get(key.lower()))


def _period(row: dict[str, Any]) -> str:
    return row.get("period") or period_of(row.get("as_at"))


def _by_period(rows: Sequence[dict[str, Any]], series: list[str], key: Any,
               value: Any) -> tuple[_Table, int]:
    """Periods as rows (with the quarter's last day as a real date), ``series`` as columns."""
    periods = sorted({_period(r) for r in rows}, key=period_sort_key)
    cells = {(_period(r), key(r)): value(r) for r in rows}
    table = _Table(["Period", "Quarter ends", *series])
    for period in periods:
        table.add([period, period_end(period), *[cells.get((period, s)) for s in series]],
                  {1: Style(number_format=DATE),
                   **{2 + i: Style(number_format=SCORE) for i in range(len(series))}})
    return table, len(periods)


def _series_chart(title: str, table: _Table, rows: int, first_row: int, anchor: str,
                  y_title: str, legend: bool) -> ChartSpec:
    """A line per column with a marker at every point, so a result between two gaps still
    shows; one period cannot make a line, so it is a bar per column instead."""
    last = column_letter(len(table.rows[0]))
    values = f"C{first_row}:{last}{first_row + rows}"
    if rows == 1:
        return ChartSpec(kind="bar", title=title, anchor=anchor,
                         categories_ref=f"A{first_row + 1}:A{first_row + 1}", values_ref=values,
                         titles_in_first_row=True, y_axis_title=y_title, y_min=0, y_max=100,
                         show_values=False, legend=legend, width_cm=16, height_cm=11)
    return ChartSpec(kind="line", title=title, anchor=anchor,
                     categories_ref=f"A{first_row + 1}:A{first_row + rows}", values_ref=values,
                     titles_in_first_row=True, y_axis_title=y_title, y_min=0, y_max=100,
                     show_values=False, legend=legend, markers=True, width_cm=16, height_cm=11)


CHART_ROWS = 25  # rows a 12 cm chart covers at the default row height, and a blank one


def trend_layouts(trend: Sequence[dict[str, Any]], *, with_results: bool
                  ) -> list[SheetLayout]:
    """The Trend sheet (and, for ``trend --report``, every result as a Results sheet).

    One category per reporting period, oldest first. Results without an As at date belong to
    no period: they are listed under the chart, never plotted. With one trust, its drivers get
    a chart of their own; with one period, the scores are bars, since a line needs two points.
    """
    dated = [r for r in trend if _period(r) != UNDATED]
    undated = [r for r in trend if _period(r) == UNDATED]
    trusts = sorted({r["trust"] for r in trend}, key=str.casefold)
    blocks: list[Block] = [Block(anchor="A1", values=[["Readiness over time"]],
                                 style=layout.TITLE)]
    charts: list[ChartSpec] = []
    row = 3
    if dated:
        dated_trusts = sorted({r["trust"] for r in dated}, key=str.casefold)
        periods = {_period(r) for r in dated}
        if len(periods) == 1:
            # One quarter: a bar per trust, highest first, is the picture there is.
            table = _Table(["Trust", "Score"])
            for r in sorted(dated, key=lambda r: (-r["score"], r["trust"].casefold())):
                table.add([r["trust"], r["score"]], {1: Style(number_format=SCORE)})
            first = row + CHART_ROWS
            charts.append(ChartSpec(
                kind="bar", title=f"Readiness, {next(iter(periods))}: the only quarter recorded",
                anchor=f"A{row}", categories_ref=f"A{first + 1}:A{first + len(dated)}",
                values_ref=f"B{first + 1}:B{first + len(dated)}", y_axis_title="Score",
                y_min=0, y_max=100, show_values=len(dated) <= 12, width_cm=16, height_cm=11))
            blocks.append(table.block(anchor=f"A{first}"))
            row = first + len(table.rows) + 1
        else:
            table, count = _by_period(dated, dated_trusts, lambda r: r["trust"],
                                      lambda r: r["score"])
            first = row + CHART_ROWS
            charts.append(_series_chart("Readiness score by quarter", table, count, first,
                                        f"A{row}", "Score", legend=True))
            blocks.append(table.block(anchor=f"A{first}"))
            row = first + len(table.rows) + 1
        if len(trusts) == 1:
            drivers = _Table(["Period", "Quarter ends", *DRIVERS])
            for r in sorted(dated, key=lambda r: period_sort_key(_period(r))):
                drivers.add([_period(r), period_end(_period(r)),
                             *[_trend_value(r, d) for d in DRIVERS]],
                            {1: Style(number_format=DATE),
                             **{2 + i: Style(number_format=SCORE) for i in range(len(DRIVERS))}})
            row += 1
            blocks.append(Block(anchor=f"A{row}", values=[[f"{trusts[0]}: each driver"]],
                                style=layout.SECTION, text_cells={(0, 0)}))
            first = row + 1 + CHART_ROWS
            charts.append(_series_chart("Driver scores by quarter", drivers,
                                        len(drivers.rows) - 1, first, f"A{row + 1}",
                                        "Driver score", legend=True))
            blocks.append(drivers.block(anchor=f"A{first}"))
            row = first + len(drivers.rows) + 1
    if undated:
        row += 1
        blocks.append(Block(anchor=f"A{row}", values=[[
            "Undated results: no As at date, so no quarter; listed, not plotted"]],
            style=layout.SECTION))
        table = _Table(["Trust", "Score", "RAG", "Source file"])
        for r in sorted(undated, key=lambda r: r["trust"].casefold()):
            table.add([r["trust"], r["score"], r["rag"], r.get("source")],
                      {1: Style(number_format=SCORE), 2: _look(r["rag"], bold=True)})
        blocks.append(table.block(anchor=f"A{row + 1}"))
    widest = max([len(t) for t in trusts] + [12])
    sheets = [SheetLayout(name="Trend", blocks=blocks, charts=charts,
                          column_widths={"A": min(40, widest + 2), "B": 12,
                                         **{column_letter(c): 12 for c in range(3, 3 +
                                                                                 len(trusts))}},
                          landscape=True, fit_to_width=False)]
    if with_results:
        sheets.append(results_layout(trend))
    return sheets


def results_layout(trend: Sequence[dict[str, Any]]) -> SheetLayout:
    """Every current result in the history, one row each, with real dates."""
    table = _Table(["Trust", "Period", "As at", "Score", "RAG", *DRIVERS, "Source file",
                    "Recorded"])
    for r in sorted(trend, key=lambda r: (r["trust"].casefold(),
                                          period_sort_key(_period(r)))):
        recorded = r.get("recorded_at")
        table.add([r["trust"], _period(r), _as_date(r.get("as_at")), r["score"], r["rag"],
                   *[_trend_value(r, d) for d in DRIVERS], r.get("source"),
                   recorded.replace(tzinfo=None) if isinstance(recorded, datetime) else None],
                  {2: Style(number_format=DATE), 3: Style(number_format=SCORE),
                   4: _look(r["rag"], bold=True),
                   **{5 + i: Style(number_format=SCORE) for i in range(len(DRIVERS))},
                   6 + len(DRIVERS): Style(number_format=DATE_TIME)})
    limits = [(12, 34), (11, 11), (11, 11), (7, 7), (7, 7), *[(6, 6)] * len(DRIVERS),
              (14, 50), (19, 19)]
    return SheetLayout(name="Results", blocks=[table.block(table_name="Results")],
                       column_widths=_fitted(table.rows[1:], limits), freeze="B2",
                       landscape=True, fit_to_width=True)
