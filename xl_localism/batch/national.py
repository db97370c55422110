"""The national summary workbook: league table, heatmap, every flag, rejections, charts, trend.

Each sheet is a layout (plain data, :class:`xl_localism.layout.SheetLayout`) made here from the
batch's outcomes, and written by the XlsxWriter renderer like every other new workbook. Text
that came from a submission is written as text, never as a formula.

XlsxWriter's ``constant_memory`` mode is not used: it cannot write Excel tables, and the
League, Flags and Rejected sheets are tables so that managers can sort and filter them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from xl_localism import layout
from xl_localism.a1 import column_letter
from xl_localism.batch.runner import Outcome
from xl_localism.flag_rows import FLAG_COLUMNS, SEVERITIES, flag_row
from xl_localism.layout import RAG_COLOURS, Block, ChartSpec, SheetLayout, Style
from xl_localism.render.xlsxwriter import write_layouts
from xl_localism.vocab import Driver

DRIVERS = [d.value for d in Driver]
RAG_FILL = RAG_COLOURS  # the same palette as the Summary sheet
LEAGUE_HEADERS = ["Rank", "Trust", "Nation", "Region", "As at", "Score", "RAG", *DRIVERS,
                  *[s.capitalize() for s in SEVERITIES], "Source file", "Feedback workbook",
                  "Note"]
FLAG_HEADERS = ["Trust", "Source file", *FLAG_COLUMNS]
REPORT_TITLE = "Localism readiness: national summary"

HEADER = Style(bold=True, fill=layout.HEADER_FILL, font_colour=layout.HEADER_FONT, wrap=True)
SCORE = "0.0"
DATE = "dd/mm/yyyy"
# Stacked bars per driver: green, amber, red and not covered, as the heatmap reads them.
DRIVER_RAG_COLOURS = ("63BE7B", "FFD966", "F8696B", "BFBFBF")


def write_national_report(outcomes: Sequence[Outcome], path: Path,
                          trend: Sequence[dict[str, Any]] | None = None, *,
                          skipped: int = 0) -> Path:
    """The report at ``path``, written atomically: an earlier report stays until it is done."""
    ranked = _ranked(outcomes)
    layouts = [
        league_layout(ranked, path.parent),
        heatmap_layout(ranked),
        flags_layout(ranked),
        rejected_layout([o for o in outcomes if o.rejected is not None], skipped),
        charts_layout(ranked),
    ]
    if trend:
        layouts.append(trend_layout(trend))
    return write_layouts(layouts, path, title=REPORT_TITLE)


def _ranked(outcomes: Sequence[Outcome]) -> list[Outcome]:
    scored = [o for o in outcomes if o.summary is not None]
    return sorted(scored, key=lambda o: (-o.summary["score"], o.summary["trust"].casefold(),
                                         o.source))  # type: ignore[index]


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


def league_layout(ranked: list[Outcome], report_dir: Path) -> SheetLayout:
    table = _Table(LEAGUE_HEADERS)
    first_driver = LEAGUE_HEADERS.index(DRIVERS[0])
    for rank, outcome in enumerate(ranked, start=1):
        result = outcome.summary or {}
        driver_rags = result.get("driver_rag", {})
        feedback = (str(outcome.feedback.relative_to(report_dir))
                    if outcome.feedback and outcome.feedback.is_relative_to(report_dir) else None)
        looks = {4: Style(number_format=DATE), 5: Style(number_format=SCORE),
                 6: _look(result["rag"], bold=True)}
        for offset, driver in enumerate(DRIVERS):
            looks[first_driver + offset] = _look(driver_rags.get(driver), number_format=SCORE)
        table.add([
            rank, result["trust"], result["nation"], result.get("region"),
            _as_date(result.get("as_at")), result["score"], result["rag"],
            *[result["drivers"][d] for d in DRIVERS],
            *[result["flag_counts"][s] for s in SEVERITIES],
            outcome.source, feedback, "; ".join(outcome.notes) or None,
        ], looks)
    return SheetLayout(name="League table", blocks=[table.block(table_name="League")],
                       column_widths=_widths([6, 30, 9, 22, 11, 8, 8, *[6] * 5, 8, 8, 9, 7,
                                              34, 34, 40]),
                       freeze="C2", landscape=False, fit_to_width=False)


def heatmap_layout(ranked: list[Outcome]) -> SheetLayout:
    table = _Table(["Trust", "As at", *DRIVERS, "Overall"])
    for outcome in sorted(ranked, key=lambda o: o.summary["trust"].casefold()):  # type: ignore
        result = outcome.summary or {}
        rags = result.get("driver_rag", {})
        looks = {1: Style(number_format=DATE),
                 2 + len(DRIVERS): _look(result["rag"], bold=True, number_format=SCORE)}
        for offset, driver in enumerate(DRIVERS):
            looks[2 + offset] = _look(rags.get(driver), number_format=SCORE)
        table.add([
            result["trust"], _as_date(result.get("as_at")),
            *[result["drivers"][d] if result["drivers"][d] is not None else "not covered"
              for d in DRIVERS],
            result["score"],
        ], looks)
    return SheetLayout(name="Heatmap", blocks=[table.block()],
                       column_widths=_widths([30, 11, *[10] * 5, 10]), freeze="B2",
                       landscape=False, fit_to_width=False)


def flags_layout(ranked: list[Outcome]) -> SheetLayout:
    """Every flag row, most severe first, then by trust and code, ties in ranked order.

    Each submission's flags come from its result (for a batch, read back from its cache entry
    once, here).
    """
    by_trust: dict[str, list[tuple[Outcome, list[dict[str, Any]]]]] = {}
    for outcome in ranked:
        summary = outcome.summary or {}
        flags = (outcome.result or {}).get("flags", [])
        by_trust.setdefault(summary["trust"].casefold(), []).append((outcome, flags))
    table = _Table(FLAG_HEADERS)
    for severity in SEVERITIES:
        for trust in sorted(by_trust):
            found = [(outcome, flag) for outcome, flags in by_trust[trust] for flag in flags
                     if flag["severity"] == severity]
            found.sort(key=lambda pair: pair[1]["code"])  # stable: ties keep the ranked order
            for outcome, flag in found:
                table.add([(outcome.summary or {})["trust"], outcome.source, *flag_row(flag)])
    block = table.block(table_name="AllFlags")
    block.overflow_note = ("Each trust's feedback workbook (League table, Feedback workbook "
                           "column) lists all of its flags.")
    return SheetLayout(name="Flags", blocks=[block],
                       column_widths=_widths([28, 30, 10, 26, 14, 10, 80, 60]), freeze="A2",
                       landscape=False, fit_to_width=False)


def rejected_layout(rejected: list[Outcome], skipped: int = 0) -> SheetLayout:
    table = _Table(["File", "Reason"])
    for outcome in sorted(rejected, key=lambda o: o.source):
        table.add([outcome.source, outcome.rejected])
    blocks = [table.block(table_name="Rejected")]
    if skipped:
        # Every file in the folder is accounted for: these are the ones no one submitted.
        blocks.append(Block(anchor=f"A{blocks[0].height + 2}", values=[[
            f"{skipped} file(s) skipped by rule: Office lock files (~$...), hidden files and "
            "folders, and system files (Thumbs.db, desktop.ini)."]],
            style=Style(italic=True)))
    return SheetLayout(name="Rejected", blocks=blocks,
                       column_widths=_widths([40, 100]), landscape=False, fit_to_width=False)


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
    # One blank row between the two tables.
    second = histogram.block()
    start = second.height + 2
    by_driver = drivers.block(anchor=f"A{start}")
    end = start + len(DRIVERS)
    charts = [
        ChartSpec(kind="bar", title="Readiness score distribution", anchor="G2",
                  categories_ref="A2:A11", values_ref="B1:B11", titles_in_first_row=True,
                  y_axis_title="Trusts", show_values=False, width_cm=15, height_cm=7.5),
        ChartSpec(kind="stacked bar", title="Driver RAG across trusts", anchor="G20",
                  categories_ref=f"A{start + 1}:A{end}", values_ref=f"B{start}:E{end}",
                  titles_in_first_row=True, y_axis_title="Trusts", show_values=False,
                  series_colours=DRIVER_RAG_COLOURS, legend=True, width_cm=15,
                  height_cm=7.5),
    ]
    return SheetLayout(name="Charts", blocks=[second, by_driver], charts=charts,
                       column_widths=_widths([14, 10, 10, 10, 12]), landscape=False,
                       fit_to_width=False)


def trend_layout(trend: Sequence[dict[str, Any]]) -> SheetLayout:
    """Trusts as columns, reporting dates as rows: one line per trust."""
    dates = sorted({row["as_at"] or "" for row in trend})
    trusts = sorted({row["trust"] for row in trend}, key=str.casefold)
    scores = {(row["trust"], row["as_at"] or ""): row["score"] for row in trend}
    table = _Table(["As at", *trusts])
    for as_at in dates:
        table.add([as_at, *[scores.get((t, as_at)) for t in trusts]])
    last = column_letter(1 + len(trusts))
    chart = ChartSpec(kind="line", title="Readiness over time",
                      anchor=f"{column_letter(len(trusts) + 3)}2",
                      categories_ref=f"A2:A{1 + len(dates)}",
                      values_ref=f"B1:{last}{1 + len(dates)}", titles_in_first_row=True,
                      y_axis_title="Score", y_min=0, y_max=100, show_values=False,
                      legend=True, width_cm=24, height_cm=12)
    return SheetLayout(name="Trend", blocks=[table.block()], charts=[chart],
                       column_widths=_widths([12, *[14] * len(trusts)]), landscape=False,
                       fit_to_width=False)
