"""Workbooks written row by row (the national report): the same cells and looks as a workbook
built whole, rows made only as they are written, and nothing lost without an error."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from types import SimpleNamespace
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.test_render import blocks, column_widths, look
from xl_localism.batch.national import FLAG_HEADERS, _FlagStore, flags_layout
from xl_localism.layout import (
    HEADER,
    Block,
    RowStream,
    SheetLayout,
    StreamRow,
    Style,
    row_height,
)
from xl_localism.render import limits
from xl_localism.render.openpyxl import render_sheet
from xl_localism.render.xlsxwriter import write_layouts

WRAP = Style(wrap=True)


def cells(sheet: Any) -> dict[str, tuple[Any, str, dict[str, Any]]]:
    return {cell.coordinate: (cell.value, cell.data_type, look(cell))
            for row in sheet.iter_rows() for cell in row if cell.value is not None
            or cell.has_style}


def heights(sheet: Any) -> dict[int, float]:
    return {r: d.height for r, d in sheet.row_dimensions.items() if d.height}


def row_heights_shown(sheet: Any) -> dict[int, float]:
    """Every row's height as an application shows it: its own, else the sheet's default."""
    default = sheet.sheet_format.defaultRowHeight if sheet.sheet_format.customHeight else 15
    return {r: sheet.row_dimensions[r].height or default for r in range(1, sheet.max_row + 1)}


# A random number under a date format is outside Excel's dates; openpyxl warns as it reads it.
@pytest.mark.filterwarnings("ignore:Cell .* is marked as a date")
@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(layout_blocks=st.lists(blocks(), min_size=1, max_size=3),
       row_heights=st.dictionaries(st.integers(1, 30), st.sampled_from([30.0, 45.0])))
def test_any_layout_written_row_by_row_holds_what_it_holds_written_whole(
        tmp_path_factory, layout_blocks, row_heights) -> None:
    stacked, row = [], 1
    for block in layout_blocks:
        column = block.anchor.rstrip("1")
        stacked.append(replace(block, anchor=f"{column}{row}"))
        row += block.height + 1
    layout = SheetLayout(name="S", blocks=stacked, freeze="A2", row_heights=row_heights,
                         column_widths={"A": 12, "C": 30.5})
    folder = tmp_path_factory.mktemp("rows")
    whole = openpyxl.load_workbook(write_layouts([layout], folder / "whole.xlsx"))["S"]
    by_row = openpyxl.load_workbook(
        write_layouts([layout], folder / "rows.xlsx", row_by_row=True))["S"]
    assert cells(by_row) == cells(whole)
    # Row by row, a row is sure to be written out only when it holds a cell; so is its
    # height. No other height is made up.
    held = {int("".join(filter(str.isdigit, ref))) for ref in cells(whole)}
    assert {r: h for r, h in heights(by_row).items() if r in held} == \
        {r: h for r, h in heights(whole).items() if r in held}
    assert heights(by_row).items() <= heights(whole).items()
    assert column_widths(by_row) == column_widths(whole)
    assert by_row.freeze_panes == whole.freeze_panes


def _stream(count: int, made: list[int] | None = None, anchor: str = "A1") -> RowStream:
    widths = [10.0, 30.0]

    def rows() -> Iterator[StreamRow]:
        for n in range(count):
            if made is not None:
                made.append(n)
            values = [n, "a long message " * (n % 4)]
            looks = {0: Style(bold=True)} if n % 2 else None
            yield values, looks, row_height(values, [WRAP, WRAP], widths)

    return RowStream(anchor=anchor, headers=["Number", "Message"], count=count, rows=rows,
                     style=WRAP, header_style=HEADER, overflow_note="See each file.")


def test_a_stream_is_a_filtered_range_of_the_rows_it_makes(tmp_path) -> None:
    made: list[int] = []
    layout = SheetLayout(name="Rows", blocks=[], stream=_stream(50, made),
                         column_widths={"A": 10, "B": 30})
    path = write_layouts([layout], tmp_path / "r.xlsx", row_by_row=True)
    assert made == list(range(50))  # made once, as written
    sheet = openpyxl.load_workbook(path)["Rows"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Number", "Message")
    assert [r[0] for r in rows[1:]] == list(range(50))
    # An empty string is a blank cell, as in every workbook written.
    assert [r[1] for r in rows[1:]] == ["a long message " * (n % 4) or None for n in range(50)]
    assert sheet.auto_filter.ref == "A1:B51"
    assert sheet["A1"].font.b and sheet["A1"].fill.fgColor.rgb.endswith(HEADER.fill)
    assert sheet["A3"].font.b and not sheet["A2"].font.b  # a row's own look over the stream's
    assert sheet["B4"].alignment.wrap_text
    # Each row as high as its wrapped text, set before the row was written out.
    expected = {n + 2: h for n in range(50)
                if (h := row_height(["", "a long message " * (n % 4)], [WRAP, WRAP],
                                    [10.0, 30.0]))}
    assert expected and heights(sheet) == expected


@pytest.mark.parametrize("usual", [None, 30.0, 45.0])
def test_a_usual_row_height_changes_no_rows_height(tmp_path, usual) -> None:
    stream = replace(_stream(40), usual_height=usual, header_height=30.0)
    sheet = openpyxl.load_workbook(write_layouts(
        [SheetLayout(name="Rows", blocks=[], stream=stream, column_widths={"A": 10, "B": 30})],
        tmp_path / "r.xlsx", row_by_row=True))["Rows"]
    shown = {1: 30.0, **{n + 2: row_height(["", "a long message " * (n % 4)], [WRAP, WRAP],
                                           [10.0, 30.0]) or 15.0 for n in range(40)}}
    assert row_heights_shown(sheet) == shown


def test_a_stream_longer_than_a_sheet_is_cut_and_says_so(tmp_path) -> None:
    anchor_row = limits.MAX_ROWS - 5  # room for the header and five rows
    layout = SheetLayout(name="Rows", blocks=[], stream=_stream(9, anchor=f"A{anchor_row}"))
    sheet = openpyxl.load_workbook(
        write_layouts([layout], tmp_path / "r.xlsx", row_by_row=True))["Rows"]
    kept = [sheet.cell(r, 1).value for r in range(anchor_row + 1, limits.MAX_ROWS + 1)]
    assert kept[:4] == [0, 1, 2, 3]
    assert kept[4] == ("… and 5 more rows not shown: Excel holds at most 1,048,576 rows a "
                       "sheet. See each file.")
    assert sheet.auto_filter.ref == f"A{anchor_row}:B{limits.MAX_ROWS}"


def test_heights_are_cut_to_excels_most_and_a_header_on_the_last_row_stands_alone(
        tmp_path) -> None:
    def tall() -> Iterator[StreamRow]:
        yield ["word " * 20_000], None, 23_100.0  # a message as long as a cell holds
        yield ["short"], None, None

    stream = RowStream(anchor="A1", headers=["Message"], count=2, rows=tall,
                       header_height=500.0, usual_height=600.0)
    sheet = openpyxl.load_workbook(write_layouts(
        [SheetLayout(name="Rows", blocks=[], stream=stream)], tmp_path / "tall.xlsx",
        row_by_row=True))["Rows"]
    # XlsxWriter keeps heights in whole pixels: 409 points is 408.75.
    assert 408 < max(row_heights_shown(sheet).values()) <= limits.MAX_ROW_HEIGHT
    last = SheetLayout(name="Rows", blocks=[], stream=_stream(3, anchor=f"A{limits.MAX_ROWS}"))
    sheet = openpyxl.load_workbook(
        write_layouts([last], tmp_path / "last.xlsx", row_by_row=True))["Rows"]
    assert sheet.cell(limits.MAX_ROWS, 1).value == "Number"
    assert sheet.auto_filter.ref == f"A{limits.MAX_ROWS}:B{limits.MAX_ROWS}"


@pytest.mark.parametrize("count, made", [(5, 4), (5, 6)])
def test_a_stream_that_makes_more_or_fewer_rows_than_it_said_leaves_no_file(
        tmp_path, count, made) -> None:
    stream = replace(_stream(count), rows=_stream(made).rows)
    with pytest.raises(ValueError, match="rows came"):
        write_layouts([SheetLayout(name="S", blocks=[], stream=stream)],
                      tmp_path / "r.xlsx", row_by_row=True)
    assert not list(tmp_path.iterdir())


def test_what_cannot_be_written_row_by_row_is_refused_not_dropped(tmp_path) -> None:
    # Side by side: the second block's rows are written out before it begins.
    beside = SheetLayout(name="S", blocks=[Block("A1", [[1], [2], [3]]),
                                           Block("C2", [[4]])])
    with pytest.raises(ValueError, match="share rows"):
        write_layouts([beside], tmp_path / "a.xlsx", row_by_row=True)
    above = SheetLayout(name="S", blocks=[Block("A1", [[1], [2], [3]])],
                        stream=_stream(2, anchor="A2"))
    with pytest.raises(ValueError, match="begin among"):
        write_layouts([above], tmp_path / "b.xlsx", row_by_row=True)
    two = SheetLayout(name="S", blocks=[Block("A1", [["h"], [1]], header=True, table_name="T")],
                      stream=_stream(2, anchor="A4"))
    with pytest.raises(ValueError, match="one filtered range"):
        write_layouts([two], tmp_path / "c.xlsx", row_by_row=True)
    usual = SheetLayout(name="S", blocks=[Block("A1", [["title"]])],
                        stream=replace(_stream(2, anchor="A3"), usual_height=30.0))
    with pytest.raises(ValueError, match="usual row height"):
        write_layouts([usual], tmp_path / "e.xlsx", row_by_row=True)
    # A stream is written row by row or not at all: never silently left out.
    streamed = SheetLayout(name="S", blocks=[], stream=_stream(2))
    with pytest.raises(ValueError, match="row by row"):
        write_layouts([streamed], tmp_path / "d.xlsx")
    with pytest.raises(ValueError, match="XlsxWriter"):
        render_sheet(openpyxl.Workbook(), streamed)
    assert not list(tmp_path.iterdir())


def _scored(trust: str, source: str, flags: list[dict[str, Any]]) -> Any:
    """What flags_layout reads of a batch's outcome: its summary, file and flags."""
    return SimpleNamespace(summary={"trust": trust}, source=source, result={"flags": flags})


def _flag(severity: str, code: str, message: str) -> dict[str, Any]:
    return {"severity": severity, "code": code, "message": message, "sheet": "LAA Targets",
            "cell": "B7", "action": None}


def test_the_national_flags_come_back_by_severity_trust_code_then_rank(tmp_path) -> None:
    odd = "lone \ud800 surrogate, =formula and ünïcödé"
    ranked = [  # the League's order
        _scored("kent", "k.xlsx", [_flag("warning", "B_CODE", "k1"), _flag("error", "Z", "k2"),
                                   _flag("warning", "A_CODE", odd)]),
        _scored("Devon", "d.xlsx", [_flag("warning", "B_CODE", "d1"),
                                    _flag("critical", "Q", "d2")]),
        _scored("Kent", "k2.xlsx", [_flag("warning", "B_CODE", "k3")]),
        # Codes sort as Python sorts them, whatever SQLite would make of their text.
        _scored("Wales", "w.xlsx", [_flag("info", "A!", "w1"), _flag("info", "é", "w2"),
                                    _flag("info", "A B", "w3"), _flag("info", "z", "w4"),
                                    _flag("info", "A", "w5")]),
    ]
    store = _FlagStore(tmp_path)
    try:
        layout = flags_layout(ranked, store)
        stream = layout.stream
        assert stream is not None and stream.headers == FLAG_HEADERS and stream.count == 11
        rows = [values for values, _, _ in stream.rows()]
        assert [(r[0], r[2], r[3], r[6]) for r in rows] == [
            ("Devon", "critical", "Q", "d2"),
            ("kent", "error", "Z", "k2"),
            ("Devon", "warning", "B_CODE", "d1"),
            ("kent", "warning", "A_CODE", odd),  # any text survives the database
            ("kent", "warning", "B_CODE", "k1"),  # Kent's ties in ranked order
            ("Kent", "warning", "B_CODE", "k3"),
            *[("Wales", "info", code, message) for code, message in
              sorted([("A!", "w1"), ("é", "w2"), ("A B", "w3"), ("z", "w4"), ("A", "w5")])],
        ]
        assert rows == [values for values, _, _ in stream.rows()]  # made afresh each time
    finally:
        store.close()
    assert not list(tmp_path.iterdir())  # its sorting space is gone with it


def test_a_folder_that_fails_the_flags_is_a_failure_to_write(tmp_path) -> None:
    # The batch turns an OSError into "the outputs could not be written" and keeps the
    # previous report; a database error would have been a traceback.
    store = _FlagStore(tmp_path)
    store.database.close()
    with pytest.raises(OSError, match="flags could not be sorted"):
        store.add([(0, 0, "X", 0, [])])
    with pytest.raises(OSError, match="flags could not be sorted"):
        list(store.rows())
