"""Excel's limits, enforced on every layout before a renderer draws it.

A sheet holds at most 1,048,576 rows and 16,384 columns, a row is at most 409 points high, a
column at most 255 characters wide, a chart at most 255 series, a cell at most 32,767
characters (``files.cell_text``, applied by each renderer as it writes a string). A file past
any of these is one Excel offers to "repair" (and then drops the sheet's contents), so a
layout that would pass one is cut to fit here, in one place for every renderer, and the last
row or column kept says how much more there was and where to find it.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import replace

from xl_localism.a1 import column_letter, split_range, split_ref
from xl_localism.layout import Block, ChartSpec, RowStream, SheetLayout, StreamRow, Style

MAX_ROWS = 1_048_576
MAX_COLUMNS = 16_384
MAX_ROW_HEIGHT = 409.0  # points
MAX_COLUMN_WIDTH = 255.0  # characters
MAX_CHART_SERIES = 255
NOTE = Style(italic=True, bold=True)
_RANGE = re.compile(r"^\$?[A-Za-z]{1,3}\$?\d+(?::\$?[A-Za-z]{1,3}\$?\d+)?$")


def within_excel(layout: SheetLayout) -> SheetLayout:
    """``layout`` itself when Excel can hold it; else a copy cut to Excel's limits, saying so."""
    fitted = [_fit_block(block) for block in layout.blocks]
    blocks = [block for block in fitted if block is not None]
    heights = {row: min(height, MAX_ROW_HEIGHT) for row, height in layout.row_heights.items()
               if 1 <= row <= MAX_ROWS and height > 0}
    widths = {letters: min(width, MAX_COLUMN_WIDTH)
              for letters, width in layout.column_widths.items()
              if split_ref(f"{letters}1")[0] <= MAX_COLUMNS}
    charts = [kept for chart in layout.charts if (kept := _fit_chart(chart)) is not None]
    # A stream is always fitted afresh: its rows' heights are only known as they are made.
    stream = None if layout.stream is None else _fit_stream(layout.stream)
    if (all(new is old for new, old in zip(fitted, layout.blocks, strict=True))
            and heights == layout.row_heights and widths == layout.column_widths
            and charts == layout.charts and layout.stream is None):
        return layout
    return replace(layout, blocks=blocks, row_heights=heights, column_widths=widths,
                   charts=charts, stream=stream)


def _fit_stream(stream: RowStream) -> RowStream | None:
    """The rows cut to the sheet as a block's are, the last kept saying how many more there
    were, and every height cut to a row's most; None when the header itself is past the last
    row."""
    room = MAX_ROWS - stream.first_row  # rows below the header
    if room < 0:
        return None
    if split_ref(stream.anchor)[0] + stream.width - 1 > MAX_COLUMNS:
        # Its columns are fixed by the code that made it, never by a submission.
        raise ValueError(f"rows at {stream.anchor} are wider than a sheet")
    made, count = stream.rows, stream.count
    note: StreamRow | None = None
    if count > room:
        more = count - room + 1  # the last row kept becomes the note
        note = ([f"… and {more:,} more rows not shown: Excel holds at most {MAX_ROWS:,} rows "
                 "a sheet." + (f" {stream.overflow_note}" if stream.overflow_note else "")],
                {0: NOTE}, None)
        count = room
    kept = max(0, count - (note is not None))

    def rows() -> Iterator[StreamRow]:
        # Uncut, every row made goes on: the renderer checks there are as many as said.
        rows = made() if note is None else itertools.islice(made(), kept)
        # A message as long as a cell holds wraps to thousands of points; Excel's most is 409.
        for values, looks, height in rows:
            yield values, looks, _row_height(height)
        if note is not None and count:
            yield note

    return replace(stream, count=count, rows=rows,
                   header_height=_row_height(stream.header_height),
                   usual_height=_row_height(stream.usual_height))


def _row_height(height: float | None) -> float | None:
    return None if height is None else min(height, MAX_ROW_HEIGHT)


def _fit_block(block: Block) -> Block | None:
    """``block`` cut to the sheet; None when it starts outside it."""
    first_column, first_row = split_ref(block.anchor)
    room_rows = MAX_ROWS - first_row + 1
    room_columns = MAX_COLUMNS - first_column + 1
    if block.height <= room_rows and block.width <= room_columns:
        return block
    if room_rows < 1 or room_columns < 1:
        return None
    values = block.values
    keep_columns = min(block.width, room_columns)
    if block.width > room_columns:
        more = block.width - room_columns + 1  # the last column kept becomes the note
        values = [list(row[:keep_columns]) for row in values]
        # The last column kept says what is missing (in the header row when there is one).
        values[0][keep_columns - 1] = (f"… and {more:,} more columns not shown: Excel holds at "
                                       f"most {MAX_COLUMNS:,} columns a sheet")
    keep_rows = block.height
    if block.height > room_rows:
        keep_rows = room_rows
        more = block.height - room_rows + 1  # the last row kept becomes the note
        note = (f"… and {more:,} more rows not shown: Excel holds at most {MAX_ROWS:,} rows a "
                "sheet." + (f" {block.overflow_note}" if block.overflow_note else ""))
        values = [*values[:keep_rows - 1], [note] + [None] * (keep_columns - 1)]

    def inside(cell: tuple[int, int]) -> bool:
        return cell[0] < keep_rows and cell[1] < keep_columns

    fitted = replace(
        block, values=values,
        column_styles={c: s for c, s in block.column_styles.items() if c < keep_columns},
        row_styles={r: s for r, s in block.row_styles.items() if r < keep_rows},
        cell_styles={cell: s for cell, s in block.cell_styles.items() if inside(cell)},
        text_cells={cell for cell in block.text_cells if inside(cell)},
        links={cell: link for cell, link in block.links.items() if inside(cell)},
    )
    if block.height > room_rows:
        fitted.row_styles[keep_rows - 1] = NOTE
        fitted.cell_styles = {cell: s for cell, s in fitted.cell_styles.items()
                              if cell[0] != keep_rows - 1}
        fitted.links = {cell: link for cell, link in fitted.links.items()
                        if cell[0] != keep_rows - 1}
    return fitted


def _fit_chart(chart: ChartSpec) -> ChartSpec | None:
    """The chart with its ranges inside the sheet and at most 255 series; None when its
    anchor or data lie wholly outside the sheet."""
    column, row = split_ref(chart.anchor)
    if column > MAX_COLUMNS or row > MAX_ROWS:
        return None
    values = _clip(chart.values_ref)
    categories = _clip(chart.categories_ref)
    if values is None or categories is None:
        return None
    if (values, categories) == (chart.values_ref, chart.categories_ref):
        return chart
    return replace(chart, values_ref=values, categories_ref=categories)


def _clip(ref: str) -> str | None:
    if not _RANGE.match(ref):
        return ref  # not a plain range (another sheet's): left as the layout made it
    first_column, first_row, last_column, last_row = split_range(ref)
    if first_column > MAX_COLUMNS or first_row > MAX_ROWS:
        return None
    # Each column of a chart's values is one series.
    last_column = min(last_column, MAX_COLUMNS, first_column + MAX_CHART_SERIES - 1)
    last_row = min(last_row, MAX_ROWS)
    start = f"{column_letter(first_column)}{first_row}"
    return f"{start}:{column_letter(last_column)}{last_row}"
