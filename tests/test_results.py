"""The Summary and Flags sheets: layouts as data, the openpyxl renderer, and the file modes."""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.chart import BarChart, Reference

from tests.conftest import replace_part, sample_tables, write_tables
from xl_localism import schema
from xl_localism.engine import assess
from xl_localism.explanation import explain
from xl_localism.layout import (
    FLAG_HEADERS,
    FLAGS_TABLE,
    MEASURES_TABLE,
    RAG_COLOURS,
    SEVERITY_COLOURS,
    TARGETS_TABLE,
    Block,
    SheetLayout,
    Style,
    column_index,
    column_letter,
    flags_layout,
    summary_layout,
    wrapped_lines,
)
from xl_localism.models import Assessment, Flag
from xl_localism.render.openpyxl import render_sheet, write_results
from xl_localism.tables import build_submission
from xl_localism.vocab import Rag, Severity
from xl_localism.workbook.reader import read_workbook
from xl_localism.workbook.results import unsafe_parts, write_feedback_workbook, write_summary

FORMULA = '=HYPERLINK("http://example.invalid","click")'


@pytest.fixture(scope="module")
def assessments(samples) -> list[Assessment]:
    return [assess(build_submission(t.tables, t.name)) for t in samples]


@pytest.fixture
def submission(tmp_path: Path, samples) -> Path:
    return write_tables(tmp_path / "submission.xlsx", sample_tables(samples[0]))


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def find(layout: SheetLayout, value: Any) -> tuple[Block, int, int]:
    """The first block cell holding ``value``."""
    for block in layout.blocks:
        for r, c, cell in block.cells():
            if cell == value:
                return block, r, c
    raise AssertionError(f"{value!r} is not on the {layout.name} layout")


def beside(layout: SheetLayout, label: str) -> Any:
    block, r, c = find(layout, label)
    return block.values[r][c + 1]


def table_rows(block: Block) -> list[dict[str, Any]]:
    headers = block.values[0]
    return [dict(zip(headers, row, strict=True)) for row in block.values[1:]]


def header_block(layout: SheetLayout, first_header: str) -> Block:
    return next(b for b in layout.blocks if b.header and b.values[0][0] == first_header)


def with_hostile_text(assessment: Assessment) -> Assessment:
    """The same results, but with submission text that Excel would run as formulas."""
    flags = [Flag(code="DATA_INVALID", severity=Severity.ERROR, message="=1+1",
                  action="Correct the cell.", sheet="LAA Targets", cell="B2"),
             *assessment.flags]
    targets = [assessment.targets[0].model_copy(update={"laa": "+cmd|' /C calc'!A0"}),
               *assessment.targets[1:]]
    return assessment.model_copy(update={"trust": FORMULA, "flags": flags, "targets": targets})


# ---------------------------------------------------------------------------------------------
# Layouts


def test_styles_are_equal_when_they_look_alike() -> None:
    import copy
    import pickle

    bold = Style(bold=True)
    assert bold == Style(bold=True) and hash(bold) == hash(Style(bold=True))
    assert bold != Style(bold=True, italic=True) and bold != "bold"
    assert Style(fill="FFC7CE").over(bold) == Style(bold=True, fill="FFC7CE")
    assert Style().is_empty and not bold.is_empty
    assert {bold, Style(bold=True), Style()} == {Style(), bold}
    # Copies and pickles are numbered afresh by what they look like.
    assert pickle.loads(pickle.dumps(bold)) == bold == copy.deepcopy(bold)

    class Boxed(Style):
        pass

    assert Boxed(bold=True) == Boxed(bold=True) and Boxed(bold=True) != bold
    assert type(copy.deepcopy(Boxed(bold=True))) is Boxed


def test_a1_helpers_round_trip() -> None:
    for index in (1, 26, 27, 52, 703, 16384):
        assert column_index(column_letter(index)) == index
    assert column_letter(28) == "AB"


def test_summary_headline_has_score_rag_and_its_colours(assessments) -> None:
    for assessment in assessments:
        layout = summary_layout(assessment)
        assert layout.name == schema.SUMMARY_SHEET
        assert beside(layout, "Trust") == assessment.trust
        assert beside(layout, "Nation") == assessment.nation.value
        assert beside(layout, "Readiness score") == assessment.score
        block, r, c = find(layout, "RAG")
        assert block.values[r][c + 1] == assessment.rag.value
        style = block.style_at(r, c + 1)
        assert (style.fill, style.font_colour) == RAG_COLOURS[assessment.rag.value]
        score_style = block.style_at(*find(layout, "Readiness score")[1:])
        assert score_style.bold
        assert block.style_at(r - 1, c + 1).number_format == "0.0"


def test_rag_palette_is_excels_conditional_format_palette() -> None:
    assert RAG_COLOURS == {"Green": ("C6EFCE", "006100"), "Amber": ("FFEB9C", "9C5700"),
                           "Red": ("FFC7CE", "9C0006")}


def test_capped_note_only_when_the_cap_changed_the_rag(assessments) -> None:
    plain = next(a for a in assessments if a.rag is a.rag_before_cap)
    assert not any(r[0] == "Capped by critical flags"
                   for b in summary_layout(plain).blocks for r in b.values)

    capped = plain.model_copy(update={"rag": Rag.AMBER, "rag_before_cap": Rag.GREEN,
                                      "capped_by": ["POSITION_STATEMENT_MISSING"]})
    note = beside(summary_layout(capped), "Capped by critical flags")
    assert "POSITION_STATEMENT_MISSING" in note and "Green" in note and "Amber" in note


def test_components_table(assessments) -> None:
    for assessment in assessments:
        rows = table_rows(header_block(summary_layout(assessment), "Component"))
        components = [assessment.self_assessment, assessment.linkage, assessment.driver_coverage,
                      assessment.measure_alignment, assessment.alignment, assessment.performance,
                      assessment.performance_targets, assessment.performance_measures]
        assert [r["Component"] for r in rows] == ["S", "A1", "A2", "A3", "A", "P",
                                                  "P horizontal", "P vertical"]
        for row, component in zip(rows, components, strict=True):
            expected = "left out" if component.value is None else component.value
            assert row["Value"] == expected
            assert row["Numerator"] == component.numerator
            assert row["Denominator"] == component.denominator
            assert row["Weight"] == component.weight
            assert component.note in row["What it is, and how it was reached"]
        block = header_block(summary_layout(assessment), "Component")
        present = next(i for i, c in enumerate(components, 1) if c.value is not None)
        assert block.style_at(present, 2).number_format == "0.0%"


def test_explanation_lines_are_reports_explain(assessments) -> None:
    for assessment in assessments:
        layout = summary_layout(assessment)
        block, _, _ = find(layout, explain(assessment)[0])
        assert [row[0] for row in block.values] == explain(assessment)


def test_every_driver_has_a_row_and_the_chart_covers_them(assessments) -> None:
    for assessment in assessments:
        layout = summary_layout(assessment)
        block = header_block(layout, "Driver")
        rows = table_rows(block)
        assert [r["Driver"] for r in rows] == [d.driver.value for d in assessment.drivers]
        for r, (row, driver) in enumerate(zip(rows, assessment.drivers, strict=True), start=1):
            assert row["Name"] == driver.name
            assert row["Score"] == ("not covered" if driver.score is None else driver.score)
            assert row["Relevant targets"] == driver.relevant_targets
            assert row["IPPF measures"] == driver.measures
            assert row["An NI can show it"] == ("Yes" if driver.ni_measurable else "No")
            # The weights are shown with the parts, and each driver's arithmetic under the table.
            assert "weight 0.5" in block.values[0][8] and "weight 0.25" in block.values[0][10]
            below, _, _ = find(layout, f"{driver.driver.value}: {driver.explanation}")
            assert below.anchor != block.anchor
            if driver.rag is not None:
                assert row["RAG"] == driver.rag.value
                style = block.style_at(r, 3)
                assert (style.fill, style.font_colour) == RAG_COLOURS[driver.rag.value]
        (chart,) = layout.charts
        assert chart.kind == "bar"
        assert chart.categories_ref == block.column_ref(0)
        assert chart.values_ref == block.column_ref(2)
        assert chart.categories_ref == f"{block.cell_ref(1, 0)}:{block.cell_ref(5, 0)}"
        assert len(chart.point_colours) == len(assessment.drivers)


def test_a_driver_without_any_component_is_not_covered(assessments) -> None:
    assessment = assessments[0]
    empty = assessment.drivers[0].model_copy(update={"score": None, "rag": None})
    changed = assessment.model_copy(update={"drivers": [empty, *assessment.drivers[1:]]})
    rows = table_rows(header_block(summary_layout(changed), "Driver"))
    assert rows[0]["Score"] == "not covered"
    assert rows[0]["RAG"] == "not covered"


def test_targets_table(assessments) -> None:
    for assessment in assessments:
        block = summary_layout(assessment).block_named(TARGETS_TABLE)
        rows = table_rows(block)
        assert len(rows) == len(assessment.targets)
        for r, (row, target) in enumerate(zip(rows, assessment.targets, strict=True), start=1):
            assert (row["LAA"], row["NI"], row["Indicator"]) == (target.laa, target.ni,
                                                                 target.title)
            assert row["Status"] == (target.status.value if target.status else "n/a")
            assert (row["Baseline"], row["Target"], row["Latest"]) == (
                target.baseline, target.target, target.latest)
            assert row["Expected now"] == target.expected
            # Never a negative shortfall: behind shows as Short by, ahead as Ahead by.
            short, ahead = row["Short by"], row["Ahead by"]
            if target.shortfall is None:
                assert short is None and ahead is None
            elif target.shortfall > 0:
                assert short == target.shortfall and ahead is None
            else:
                assert short is None and ahead == -target.shortfall
            assert row["Sheet row"] == target.row
            if target.status is not None and target.status.value in RAG_COLOURS:
                assert block.style_at(r, 13).fill == RAG_COLOURS[target.status.value][0]


def test_measures_table(assessments) -> None:
    for assessment in assessments:
        block = summary_layout(assessment).block_named(MEASURES_TABLE)
        rows = table_rows(block)
        assert len(rows) == len(assessment.measures)
        for r, (row, measure) in enumerate(zip(rows, assessment.measures, strict=True), start=1):
            assert (row["Code"], row["Target"], row["Actual"], row["Status"]) == (
                measure.code, measure.target, measure.actual, measure.status.value)
            assert all(v is None or v >= 0 for v in (row["Short by"], row["Ahead by"]))
            if measure.status.value in RAG_COLOURS:
                assert block.style_at(r, 10).fill == RAG_COLOURS[measure.status.value][0]


def test_flags_layout_keeps_the_engines_severity_order(assessments) -> None:
    for assessment in assessments:
        layout = flags_layout(assessment)
        block = layout.block_named(FLAGS_TABLE)
        assert block.anchor == "A1" and layout.freeze == "A2"
        assert block.values[0] == FLAG_HEADERS
        rows = block.values[1:]
        assert [(r[0], r[1], r[4]) for r in rows] == [
            (f.severity.value, f.code, f.message) for f in assessment.flags]
        ranks = [Severity(r[0]).rank for r in rows]
        assert ranks == sorted(ranks)
        for r, flag in enumerate(assessment.flags, start=1):
            style = block.style_at(r, 0)
            assert (style.fill, style.font_colour) == SEVERITY_COLOURS[flag.severity]


def test_no_flags_is_said_not_left_empty(assessments) -> None:
    layout = flags_layout(assessments[0].model_copy(update={"flags": []}))
    assert layout.blocks[0].values[1][4] == "No flags were raised."
    assert layout.blocks[0].table_name is None


def test_everything_from_the_submission_is_marked_text(assessments) -> None:
    assessment = with_hostile_text(assessments[0])
    summary = summary_layout(assessment)
    block, r, c = find(summary, FORMULA)
    assert block.is_text(r, c)
    targets = summary.block_named(TARGETS_TABLE)
    for r in range(1, targets.height):
        for c in (0, 1, 2):  # LAA, indicator title, NI
            assert targets.values[r][c] is None or targets.is_text(r, c)
    flags = flags_layout(assessment).block_named(FLAGS_TABLE)
    for r in range(1, flags.height):
        assert flags.is_text(r, 4)  # the message, which quotes cells


def test_row_heights_grow_with_wrapped_text(assessments) -> None:
    assert wrapped_lines("short", 20) == 1
    assert wrapped_lines("word " * 40, 20) > 5
    layout = flags_layout(assessments[3])
    block = layout.blocks[0]
    long_row = max(range(1, block.height), key=lambda r: len(block.values[r][4]))
    assert layout.row_heights[block.first_row + long_row] >= 30


# ---------------------------------------------------------------------------------------------
# Rendering


def test_rendering_replaces_summary_in_place(assessments) -> None:
    workbook = openpyxl.Workbook()
    workbook.active.title = "Data"
    old = workbook.create_sheet(schema.SUMMARY_SHEET)
    old["Z99"] = "left over from last time"
    workbook.create_sheet("Other")
    write_results(workbook, assessments[0])
    write_results(workbook, assessments[1])
    assert workbook.sheetnames == ["Data", "Summary", "Other", "Flags"]
    summary = workbook[schema.SUMMARY_SHEET]
    assert summary["Z99"].value is None
    assert workbook.active is summary
    # Rendered twice, yet one table of each name and one chart.
    assert set(summary.tables) == {TARGETS_TABLE, MEASURES_TABLE}
    assert set(workbook["Flags"].tables) == {FLAGS_TABLE}
    assert len(summary._charts) == 1


def test_table_names_stay_unique_in_the_workbook(assessments) -> None:
    workbook = openpyxl.Workbook()
    workbook.active.title = "Mine"
    workbook.active.append(["Severity", "Code"])
    workbook.active.append(["x", "y"])
    workbook.active.add_table(openpyxl.worksheet.table.Table(displayName=FLAGS_TABLE,
                                                             ref="A1:B2"))
    render_sheet(workbook, flags_layout(assessments[0]))
    assert set(workbook["Flags"].tables) == {f"{FLAGS_TABLE}2"}


def test_formula_like_submission_text_is_stored_as_text(tmp_path, assessments) -> None:
    out = write_feedback_workbook(with_hostile_text(assessments[0]), tmp_path / "fb.xlsx")
    workbook = openpyxl.load_workbook(out)
    trust = next(c for row in workbook["Summary"].iter_rows() for c in row
                 if c.value == FORMULA)
    assert trust.data_type == "s"
    message = next(c for row in workbook["Flags"].iter_rows() for c in row if c.value == "=1+1")
    assert message.data_type == "s" and message.quotePrefix
    with zipfile.ZipFile(out) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/sheet"):
                assert b"<f>" not in archive.read(name) and b"<f " not in archive.read(name)


def test_feedback_workbook_has_summary_flags_chart_and_tables(tmp_path, assessments) -> None:
    out = write_feedback_workbook(assessments[0], tmp_path / "fb.xlsx")
    with zipfile.ZipFile(out) as archive:
        assert any(re.fullmatch(r"xl/charts/chart\d+\.xml", n) for n in archive.namelist())
    workbook = openpyxl.load_workbook(out)
    assert workbook.sheetnames == [schema.SUMMARY_SHEET, schema.FLAGS_SHEET]
    assert len(workbook["Summary"]._charts) == 1
    flags = workbook["Flags"].tables[FLAGS_TABLE]
    assert flags.ref == f"A1:F{len(assessments[0].flags) + 1}" and flags.autoFilter is not None
    assert workbook["Summary"].tables[TARGETS_TABLE].autoFilter is not None
    assert workbook["Flags"].freeze_panes == "A2"
    # No submitted sheets here, so no links to them.
    assert not any(c.hyperlink for ws in workbook for row in ws.iter_rows() for c in row)


def test_feedback_reference_values(tmp_path, samples) -> None:
    """XlsxWriter-style reference check: every written cell read back from the saved file."""
    trust = samples[3]  # the one with data problems: every severity
    assessment = assess(build_submission(trust.tables, trust.name))
    out = write_feedback_workbook(assessment, tmp_path / f"{trust.slug}.xlsx")
    workbook = openpyxl.load_workbook(out)
    summary, flags = workbook["Summary"], workbook["Flags"]

    def right_of(label: str) -> Any:
        for row in summary.iter_rows(max_col=1):
            if row[0].value == label:
                return summary.cell(row=row[0].row, column=2)
        raise AssertionError(label)

    assert right_of("Trust").value == assessment.trust
    assert right_of("Readiness score").value == assessment.score
    rag = right_of("RAG")
    assert rag.value == assessment.rag.value
    assert rag.fill.fgColor.rgb.endswith(RAG_COLOURS[assessment.rag.value][0])
    assert rag.font.color.rgb.endswith(RAG_COLOURS[assessment.rag.value][1])

    def rows_under(first_header: str, count: int) -> list[list[Any]]:
        start = next(r[0].row for r in summary.iter_rows(max_col=1)
                     if r[0].value == first_header)
        return [[c.value for c in row] for row in summary.iter_rows(
            min_row=start + 1, max_row=start + count)]

    drivers = rows_under("Driver", len(assessment.drivers))
    for row, d in zip(drivers, assessment.drivers, strict=True):
        assert row[:3] == [d.driver.value, d.name, d.score]
        assert row[3] == (d.rag.value if d.rag else "not covered")
        assert row[6] == d.relevant_targets and row[7] == d.measures
    targets = rows_under("LAA", len(assessment.targets))
    for row, t in zip(targets, assessment.targets, strict=True):
        assert row[:3] == [t.laa, t.title, t.ni]
        assert row[13] == (t.status.value if t.status else "n/a")
        assert row[14] == t.row

    written = [[c.value for c in row] for row in flags.iter_rows(min_row=2, max_col=6)]
    assert written == [[f.severity.value, f.code, f.sheet,
                        f.cell or (f"row {f.row}" if f.row else None), f.message, f.action]
                       for f in assessment.flags]
    assert [c.value for c in flags[1]] == FLAG_HEADERS


# ---------------------------------------------------------------------------------------------
# What openpyxl would lose, and the two file modes


def with_chart(path: Path) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in (["a", 1], ["b", 2], ["c", 3]):
        sheet.append(row)
    chart = BarChart()
    chart.add_data(Reference(sheet, min_col=2, min_row=1, max_row=3))
    sheet.add_chart(chart, "D2")
    workbook.save(path)
    return path


def test_a_plain_workbook_is_safe(submission) -> None:
    assert unsafe_parts(submission) == []


def test_unsafe_parts_finds_a_chart(tmp_path) -> None:
    assert unsafe_parts(with_chart(tmp_path / "chart.xlsx")) == ["1 chart"]


def test_unsafe_parts_finds_macros(tmp_path, submission) -> None:
    macro = replace_part(submission, "xl/vbaProject.bin", lambda _: b"fake VBA",
                         out=tmp_path / "macro.xlsx")
    assert unsafe_parts(macro) == ["VBA macros (xl/vbaProject.bin)"]


def test_unsafe_parts_finds_sheet_extensions_and_shapes(tmp_path, submission) -> None:
    sparkline = (b'<extLst><ext uri="{05C60535-1F16-4fd2-B633-F4F36F0B64E0}" '
                 b'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main">'
                 b"<x14:sparklineGroups/></ext></extLst></worksheet>")
    changed = replace_part(submission, "xl/worksheets/sheet1.xml",
                           lambda data: data.replace(b"</worksheet>", sparkline),
                           out=tmp_path / "sparkline.xlsx")
    changed = replace_part(changed, "xl/drawings/drawing1.xml",
                           lambda _: b"<xdr:wsDr><xdr:sp></xdr:sp></xdr:wsDr>")
    assert unsafe_parts(changed) == ["1 sheet with shapes or text boxes",
                                     "sparklines on 1 sheet"]


def test_unsafe_parts_of_a_file_that_is_not_a_zip(tmp_path) -> None:
    path = tmp_path / "not.xlsx"
    path.write_text("hello")
    assert unsafe_parts(path)[0].startswith("not a readable Excel package")


def test_write_summary_copies_a_plain_submission(tmp_path, submission, samples) -> None:
    before = sha256(submission)
    original = openpyxl.load_workbook(submission)
    assessment = assess(read_workbook(submission))
    out, mode = write_summary(submission, assessment, tmp_path / "out" / "results.xlsx")
    assert mode == "copy" and out == tmp_path / "out" / "results.xlsx"
    assert sha256(submission) == before
    copied = openpyxl.load_workbook(out)
    assert copied.sheetnames == [*original.sheetnames, "Summary", "Flags"]
    for sheet in original.worksheets:
        assert [[c.value for c in r] for r in copied[sheet.title].iter_rows()] == [
            [c.value for c in r] for r in sheet.iter_rows()]
        assert set(copied[sheet.title].tables) == set(sheet.tables)
    # In a copy the submitted sheets are there, so flags link to the cell they are about.
    linked = [c for row in copied["Flags"].iter_rows(min_row=2) for c in row if c.hyperlink]
    assert linked and all(c.hyperlink.location for c in linked)
    assert read_workbook(out).targets == read_workbook(submission).targets


def test_write_summary_writes_feedback_beside_a_workbook_with_a_chart(tmp_path,
                                                                       assessments) -> None:
    submission = with_chart(tmp_path / "charted.xlsx")
    before = sha256(submission)
    out, mode = write_summary(submission, assessments[0], tmp_path / "results.xlsx")
    assert mode == "feedback: 1 chart"
    assert sha256(submission) == before
    assert openpyxl.load_workbook(out).sheetnames == ["Summary", "Flags"]


def test_write_summary_writes_feedback_for_macros(tmp_path, submission, assessments) -> None:
    macro = replace_part(submission, "xl/vbaProject.bin", lambda _: b"fake VBA",
                         out=tmp_path / "macro.xlsm")
    before = sha256(macro)
    _, mode = write_summary(macro, assessments[0], tmp_path / "results.xlsx")
    assert mode.startswith("feedback: ") and "VBA macros" in mode and ".xlsx" in mode
    assert sha256(macro) == before


def test_write_summary_falls_back_when_openpyxl_says_it_would_drop_something(
        tmp_path, submission, assessments) -> None:
    # An extension unsafe_parts has no rule for: openpyxl's own warning on load must catch it.
    unknown = (b'<extLst><ext uri="{00000000-0000-0000-0000-000000000001}">'
               b"<mine/></ext></extLst></worksheet>")
    changed = replace_part(submission, "xl/worksheets/sheet1.xml",
                           lambda data: data.replace(b"</worksheet>", unknown),
                           out=tmp_path / "extended.xlsx")
    assert unsafe_parts(changed) == []
    before = sha256(changed)
    _, mode = write_summary(changed, assessments[0], tmp_path / "results.xlsx")
    assert mode.startswith("feedback: ") and "will be removed" in mode
    assert sha256(changed) == before


def test_write_summary_never_writes_over_the_submission(tmp_path, submission,
                                                        assessments) -> None:
    before = sha256(submission)
    for same in (submission, tmp_path / "." / submission.name):
        with pytest.raises(ValueError, match="submission itself"):
            write_summary(submission, assessments[0], same)
    link = tmp_path / "link.xlsx"
    link.symlink_to(submission)
    with pytest.raises(ValueError, match="submission itself"):
        write_summary(submission, assessments[0], link)
    assert sha256(submission) == before


def test_write_summary_wants_an_xlsx_output(tmp_path, submission, assessments) -> None:
    with pytest.raises(ValueError, match=r"\.xlsx"):
        write_summary(submission, assessments[0], tmp_path / "results.xlsm")


# ---------------------------------------------------------------------------------------------
# A real spreadsheet application


@pytest.mark.slow
def test_libreoffice_opens_the_feedback_workbook(tmp_path, assessments) -> None:
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    assessment = assessments[0]
    source = write_feedback_workbook(assessment, tmp_path / "feedback.xlsx")
    out = tmp_path / "converted"
    subprocess.run(
        [soffice, f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
         "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out), str(source)],
        check=True, capture_output=True, timeout=180,
    )
    workbook = openpyxl.load_workbook(out / "feedback.xlsx")
    assert workbook.sheetnames == ["Summary", "Flags"]
    values = {c.value for row in workbook["Summary"].iter_rows() for c in row}
    assert {assessment.trust, assessment.score, assessment.rag.value} <= values
    assert workbook["Flags"].max_row == len(assessment.flags) + 1
