"""The faster cell writer writes exactly the bytes openpyxl's own writer would."""

from __future__ import annotations

import io
import math
import zipfile
from collections.abc import Callable
from datetime import date, datetime, time
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.styles.cell_style import StyleArray
from openpyxl.worksheet.hyperlink import Hyperlink

from xl_localism.batch.national import write_national_report
from xl_localism.batch.runner import Outcome, run_batch
from xl_localism.demo import write_sample
from xl_localism.workbook import fastsave

TEXTS = ["plain", " leading", "trailing ", "  ", "", "a & b < c > d", 'quote " and \' ',
         "=1+1", "+SUM(1)", "-2", "@x", "\tTab", "line\nbreak", "cr\r\nlf", "ünïcödé ✓ 中文",
         "x" * 2000, "]]>", "&amp;"]
VALUES = [*TEXTS, 0, 1, -7, 10**15, 2**63, 0.1, 1 / 3, -2.5e-12, 1e300, 43.4, True, False,
          None, date(2010, 9, 30), datetime(2010, 9, 30, 12, 30), time(8, 15),
          datetime(1899, 12, 31), float("nan"), float("inf"), "#N/A"]


def _parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {n: archive.read(n) for n in archive.namelist() if n != "docProps/core.xml"}


def _both(make, monkeypatch) -> tuple[dict[str, bytes], dict[str, bytes]]:
    fast = io.BytesIO()
    fastsave.save_workbook(make(), fast)
    monkeypatch.setattr(fastsave, "ENABLED", False)  # openpyxl's own writer, cell by cell
    plain = io.BytesIO()
    make().save(plain)
    monkeypatch.setattr(fastsave, "ENABLED", True)
    return _parts(fast.getvalue()), _parts(plain.getvalue())


def _written_both_ways(make: Callable[[bool], Workbook],
                       ) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """``make(True)`` saved by the fast writer, ``make(False)`` by openpyxl's own (for
    hypothesis tests, which cannot take the monkeypatch fixture)."""
    fast, plain = io.BytesIO(), io.BytesIO()
    fastsave.save_workbook(make(True), fast)
    fastsave.ENABLED = False
    try:
        make(False).save(plain)
    finally:
        fastsave.ENABLED = True
    return _parts(fast.getvalue()), _parts(plain.getvalue())


def _sheet_of_values(values: list, styled: bool = True) -> Workbook:
    workbook = Workbook()
    sheet = workbook.active
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="FFEB9C")
    for index, value in enumerate(values, start=1):
        for column, style in enumerate((None, bold, fill) if styled else (None,), start=1):
            cell = sheet.cell(row=index, column=column)
            cell.value = value
            if isinstance(value, str) and value.startswith(("=", "+", "-", "@")):
                cell.data_type = "s"  # as files.write_text does
                cell.quotePrefix = column == 2
            if style is bold:
                cell.font = bold
            elif style is fill:
                cell.fill = fill
                cell.number_format = "0.0"
    sheet.cell(row=1, column=5).hyperlink = Hyperlink(ref="E1", location="'Flags'!A1")
    sheet.cell(row=2, column=5).comment = Comment("a note", "xl-localism")
    sheet.cell(row=3, column=5).value = "=SUM(1,2)"  # a real formula goes through openpyxl
    sheet.row_dimensions[4].height = 30
    sheet.cell(row=len(values) + 5, column=9).font = bold  # a styled blank, far away
    return workbook


def test_every_kind_of_cell_is_written_as_openpyxl_writes_it(monkeypatch):
    fast, plain = _both(lambda: _sheet_of_values(VALUES), monkeypatch)
    assert fast.keys() == plain.keys()
    for name in plain:
        assert fast[name] == plain[name], name


@settings(max_examples=40, deadline=None)
@given(st.lists(st.one_of(st.text(max_size=40), st.integers(-10**20, 10**20),
                          st.floats(allow_nan=False, allow_infinity=False), st.booleans(),
                          st.none(), st.dates(min_value=date(1900, 3, 1))), max_size=30))
def test_random_values_too(values):
    values = [v for v in values if not (isinstance(v, str) and (
        v.startswith("=") or ILLEGAL_CHARACTERS_RE.search(v)))]
    fast, plain = _written_both_ways(lambda _: _sheet_of_values(values, styled=False))
    assert fast == plain


def test_write_only_rows_are_written_as_openpyxl_writes_them(monkeypatch):
    def make() -> Workbook:
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("Rows")
        sheet.column_dimensions["A"].width = 30
        sheet.freeze_panes = "B2"
        fastsave.stream_rows(sheet)
        for index, value in enumerate(VALUES):
            styled = WriteOnlyCell(sheet, value=value)
            styled.font = Font(bold=bool(index % 2))
            sheet.append([value, styled, None, value])
            sheet.append([None, value, value])  # plain values only: written as one string
        sheet.append(VALUES)  # a wide row of every kind; "=..." and "#N/A" need cells
        sheet.append([v for v in VALUES if isinstance(v, str) and not v.startswith("=")
                      and v != "#N/A"])
        sheet.append([])
        # Generators are read once: a row that needs a cell half-way must lose nothing.
        sheet.append(v for v in ["a", 1, "=SUM(1,2)", "b"])
        sheet.append(v for v in (date(2024, 1, 2), "x"))
        sheet.append(v for v in ["plain", 2.5, True])
        return workbook

    fast, plain = _both(make, monkeypatch)
    assert fast == plain


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(st.one_of(st.text(max_size=40), st.integers(-10**20, 10**20),
                                   st.floats(allow_nan=False, allow_infinity=False),
                                   st.booleans(), st.none()), max_size=12), max_size=8))
def test_random_write_only_rows_too(rows):
    # openpyxl refuses control characters either way; "=..." would be a formula either way.
    rows = [[v for v in row if not (isinstance(v, str) and ILLEGAL_CHARACTERS_RE.search(v))]
            for row in rows]

    def make() -> Workbook:
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("Rows")
        fastsave.stream_rows(sheet)
        for row in rows:
            sheet.append(row)
        return workbook

    fast, plain = _written_both_ways(lambda _: make())
    assert fast == plain


def test_the_national_report_is_byte_identical(samples, tmp_path, monkeypatch):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for sample in samples:
        write_sample(sample, inbox / f"{sample.slug}.xlsx")
    (inbox / "broken.xlsx").write_bytes(b"not a workbook")
    result = run_batch(inbox, tmp_path / "out", jobs=1)
    fast = write_national_report(result.outcomes, tmp_path / "fast.xlsx")
    monkeypatch.setattr(fastsave, "ENABLED", False)
    plain = write_national_report(result.outcomes, tmp_path / "plain.xlsx")
    assert _parts(Path(fast).read_bytes()) == _parts(Path(plain).read_bytes())


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.lists(st.one_of(st.text(max_size=40),
                                             st.integers(-10**20, 10**20),
                                             st.floats(allow_nan=False, allow_infinity=False),
                                             st.booleans(), st.none()), max_size=12),
                          st.integers(0, 12)), max_size=8))
def test_rows_made_ahead_as_xml_are_the_rows_openpyxl_writes(rows):
    """A row made in two runs before its number is known (as a batch worker makes a Flags
    row) is written as openpyxl writes those values; a row it cannot make goes in as values."""
    rows = [([v for v in row if not (isinstance(v, str) and ILLEGAL_CHARACTERS_RE.search(v))],
             cut) for row, cut in rows]

    def make(ahead: bool) -> Workbook:
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("Rows")
        fastsave.stream_rows(sheet)
        for row, cut in rows:
            cut = min(cut, len(row))
            runs = (fastsave.cells_template(row[:cut]),
                    fastsave.cells_template(row[cut:], first_column=cut + 1))
            if ahead and None not in runs:
                sheet.append(fastsave.row_xml(*runs))  # type: ignore[arg-type]
            else:
                sheet.append(row)
        return workbook

    ahead, plain = _written_both_ways(lambda fast: make(ahead=fast))
    assert ahead == plain


def test_a_row_made_as_xml_cannot_take_a_height():
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Rows")
    sheet.row_dimensions[1].height = 30
    fastsave.stream_rows(sheet)
    with pytest.raises(ValueError, match="row 1 has a height"):
        sheet.append(fastsave.row_xml(fastsave.cells_template(["a", 1]) or ""))


def test_the_report_from_the_workers_flag_rows_is_the_report_from_the_cache(
        samples, tmp_path, monkeypatch):
    """The batch writes the Flags sheet from rows its workers made; a report written later
    makes them again from the cache entries: the same bytes. A source file whose name would
    read as a formula is written as a cell of its own either way."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for sample in samples:
        write_sample(sample, inbox / f"{sample.slug}.xlsx")
    write_sample(samples[0], inbox / "-draft.xlsx")
    entries_read: list[str] = []
    real_result = Outcome.result

    def counted(outcome: Outcome) -> dict | None:
        entries_read.append(outcome.source)
        return real_result.fget(outcome)  # type: ignore[attr-defined]

    monkeypatch.setattr(Outcome, "result", property(counted))
    result = run_batch(inbox, tmp_path / "out", jobs=2, write_report=write_national_report)
    assert result.report is not None and len(result.scored) == len(samples) + 1
    # Only the file whose rows could not be made ahead was read back for the report.
    assert entries_read == ["-draft.xlsx"]
    again = write_national_report(result.outcomes, tmp_path / "out" / "again.xlsx")
    assert len(entries_read) == 2 + len(samples)
    assert _parts(result.report.read_bytes()) == _parts(Path(again).read_bytes())
    # A rerun finds every file cached: the rows are made from the entries it reads anyway.
    entries_read.clear()
    rerun = run_batch(inbox, tmp_path / "out", jobs=2, write_report=write_national_report)
    assert all(o.cached for o in rerun.scored) and entries_read == ["-draft.xlsx"]
    assert _parts(rerun.report.read_bytes()) == _parts(Path(again).read_bytes())
    flags = openpyxl.load_workbook(again, read_only=True)["Flags"]
    draft = [row for row in flags.iter_rows(values_only=True) if row[1] == "-draft.xlsx"]
    assert draft and all(row[2] for row in draft)


def test_styled_values_are_written_as_openpyxl_writes_styled_cells():
    """A value and its style (the report's scores, RAG and dates) written without a cell
    object: the bytes of a cell of that value and style, the style numbered in the same order;
    in a row that must be written cell by cell (a formula in it) too."""
    def make(styled: bool) -> Workbook:
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("Rows")
        fastsave.stream_rows(sheet) if styled else None
        looks = []
        for fill, bold, number_format in [("63BE7B", True, "0.0"), ("F8696B", False, None),
                                          (None, True, "dd/mm/yyyy"), (None, False, "0%")]:
            probe = WriteOnlyCell(sheet)
            if fill:
                probe.fill = PatternFill("solid", fgColor=fill)
            probe.font = Font(bold=bold)
            if number_format:
                probe.number_format = number_format
            looks.append(probe._style)
        looks.append(StyleArray())  # the default style: openpyxl writes no s="0"

        def value(v, look):
            if styled:
                return fastsave.Styled(v, looks[look])
            cell = WriteOnlyCell(sheet)
            cell._style = StyleArray(looks[look])
            cell.value = v
            return cell

        for index, v in enumerate([*VALUES[:-2], None, "=SUM(1,2)"]):
            if isinstance(v, float) and not math.isfinite(v):
                continue  # openpyxl writes these cell by cell either way
            row = [value(v, (index + k) % len(looks)) for k in range(3)]
            sheet.append([index, *row, value(date(2010, 9, 30), 2), "text"])
        sheet.append([value("=SUM(1,2)", 0), value(1.5, 1), value(None, 3), value(None, 4),
                      value("plain", 4)])
        sheet.append([value(None, 4), value(2, 4), value(date(2010, 9, 30), 2)])
        return workbook

    fast, plain = _written_both_ways(lambda fast: make(styled=fast))
    assert fast == plain
