"""SPEC §3: a formula with no calculated value is flagged where the method reads it, never
silently read as blank (issue 13, item 2)."""

from __future__ import annotations

import io
import re
from pathlib import Path

import openpyxl
import pytest
from openpyxl.worksheet.formula import ArrayFormula

from tests.conftest import replace_part, sample_tables, write_tables
from xl_localism.engine import assess
from xl_localism.flags import FLAG_RULES
from xl_localism.tables import build_submission
from xl_localism.vocab import Severity
from xl_localism.workbook import package
from xl_localism.workbook.reader import read_workbook

ENGINES = ["calamine", "openpyxl"]
CODE = "FORMULA_NOT_CALCULATED"


def uncalculated(submission) -> dict[tuple[str, str], str]:
    return {(p.sheet, p.cell): p.message for p in submission.problems if p.code == CODE}


def sheet_part(path: Path, sheet: str) -> str:
    names = openpyxl.load_workbook(path, read_only=True).sheetnames
    return f"xl/worksheets/sheet{names.index(sheet) + 1}.xml"


def set_cell(data: bytes, cell: str, xml: str) -> bytes:
    """Replace one cell's element (self-closing or not) with ``xml``."""
    pattern = re.compile(rf'<c r="{cell}"(?:[^>]*/>|[^>]*>.*?</c>)', re.S)
    text, count = pattern.subn(xml, data.decode(), 1)
    assert count == 1, cell
    return text.encode()


@pytest.fixture
def humberside(samples):
    trust = next(t for t in samples if t.slug == "humberside")
    assert assess(build_submission(trust.tables)).rag == "Red"
    return trust


@pytest.fixture
def formulas_file(tmp_path, humberside) -> Path:
    """Humberside (Red) with uncalculated formulas in read columns and a descriptive one."""
    tables = sample_tables(humberside)
    tables["targets"][1][0][5] = "=E2+1"  # LAA Targets!F2, Latest
    tables["targets"][1][1][2] = '="Rate of proven re-offending"'  # C3, Indicator: descriptive
    tables["checklist"][1][0][4] = '="Complete"'  # Checklist!E2, Status
    about_rows = tables["about"][1]
    as_at = next(i for i, row in enumerate(about_rows) if row[0] == "As at")
    about_rows[as_at][1] = "=DATE(2010,9,30)"  # About!B{as_at + 2}, the As at value
    tables["settings"] = (["Setting", "Value"], [["green_threshold", "=70+5"]])  # Config!B2
    return write_tables(tmp_path / "formulas.xlsx", tables)


def test_the_rule_is_an_error_with_an_action():
    rule = FLAG_RULES[CODE]
    assert rule.severity == Severity.ERROR
    assert "calculate" in rule.action


@pytest.mark.parametrize("engine", ENGINES)
def test_uncalculated_formulas_in_read_columns_are_flagged_and_read_as_blank(
        formulas_file, humberside, engine):
    submission = read_workbook(formulas_file, engine=engine)
    about_row = next(i for i, row in enumerate(humberside.tables["about"].rows)
                     if row[0] == "As at") + 2
    found = uncalculated(submission)
    assert set(found) == {("LAA Targets", "F2"), ("Checklist", "E2"), ("About", f"B{about_row}"),
                          ("Config", "B2")}
    assert found[("LAA Targets", "F2")] == (
        "LAA Targets!F2 (Latest) holds a formula with no calculated value (the file was saved "
        "by a program that does not calculate); it was read as blank.")
    assert found[("About", f"B{about_row}")].startswith(f"About!B{about_row} (As at) holds")
    assert found[("Config", "B2")].startswith("Config!B2 (green_threshold) holds")
    flags = [p for p in submission.problems if p.code == CODE]
    assert {f.severity for f in flags} == {Severity.ERROR}
    assert next(f for f in flags if f.cell == "F2").row == 2
    # Read as blank: no Latest, a checklist item with no status, no As at, the default setting.
    target = submission.targets[0]
    assert target.latest is None and target.source.cells["latest"] == "F2"
    assert submission.about.as_at is None
    assert submission.settings.green_threshold == 70
    assessment = assess(submission)
    assert CODE in assessment.flag_codes()
    assert ("TARGET_NO_DATA", "F2") in {(f.code, f.cell) for f in assessment.flags}


def test_both_engines_read_uncalculated_formulas_alike(formulas_file):
    assert read_workbook(formulas_file, "calamine") == read_workbook(formulas_file, "openpyxl")
    assert read_workbook(formulas_file, "auto") == read_workbook(formulas_file, "calamine")


@pytest.mark.parametrize("engine", ENGINES)
def test_a_descriptive_column_is_just_blank(formulas_file, engine):
    submission = read_workbook(formulas_file, engine=engine)
    assert ("LAA Targets", "C3") not in uncalculated(submission)
    assert submission.targets[1].indicator is None


@pytest.mark.parametrize("engine", ENGINES)
def test_a_formula_with_a_calculated_value_is_read_as_that_value(formulas_file, tmp_path,
                                                                 engine):
    part = sheet_part(formulas_file, "LAA Targets")
    calculated = replace_part(formulas_file, part, lambda d: set_cell(
        d, "F2", '<c r="F2"><f>E2+1</f><v>37.5</v></c>'), out=tmp_path / "calculated.xlsx")
    submission = read_workbook(calculated, engine=engine)
    assert submission.targets[0].latest == 37.5
    assert ("LAA Targets", "F2") not in uncalculated(submission)
    assert ("Checklist", "E2") in uncalculated(submission)  # the others still are not
    assert read_workbook(calculated, "calamine") == read_workbook(calculated, "openpyxl")


@pytest.mark.parametrize("engine", ENGINES)
def test_a_formula_whose_text_result_is_empty_is_a_calculated_blank(formulas_file, tmp_path,
                                                                    engine):
    # Excel and LibreOffice write ="" as a text result with an empty value.
    part = sheet_part(formulas_file, "LAA Targets")
    empty = replace_part(formulas_file, part, lambda d: set_cell(
        d, "F2", '<c r="F2" t="str"><f>""</f><v></v></c>'), out=tmp_path / "empty.xlsx")
    submission = read_workbook(empty, engine=engine)
    assert ("LAA Targets", "F2") not in uncalculated(submission)
    assert submission.targets[0].latest is None


@pytest.mark.parametrize("value", ["", "<v/>", "<v></v>"])
def test_no_value_an_empty_value_and_a_self_closing_one_are_all_uncalculated(
        formulas_file, tmp_path, value):
    part = sheet_part(formulas_file, "LAA Targets")
    path = replace_part(formulas_file, part, lambda d: set_cell(
        d, "F2", f'<c r="F2" s="0"><f>E2+1</f>{value}</c>'), out=tmp_path / "v.xlsx")
    for engine in ENGINES:
        assert ("LAA Targets", "F2") in uncalculated(read_workbook(path, engine=engine))


def _shared(data: bytes, cached: bool) -> bytes:
    data = set_cell(data, "F2", '<c r="F2"><f t="shared" ref="F2:F4" si="0">E2+1</f></c>')
    data = set_cell(data, "F3", '<c r="F3"><f t="shared" si="0"/>'
                    + ('<v>21.5</v>' if cached else '') + '</c>')
    return set_cell(data, "F4", '<c r="F4"><f t="shared" si="0"/></c>')


@pytest.mark.parametrize("engine", ENGINES)
def test_shared_formulas_are_flagged_at_each_cell_without_a_value(formulas_file, tmp_path,
                                                                  engine):
    part = sheet_part(formulas_file, "LAA Targets")
    path = replace_part(formulas_file, part, lambda d: _shared(d, cached=False),
                        out=tmp_path / "shared.xlsx")
    submission = read_workbook(path, engine=engine)
    cells = {cell for sheet, cell in uncalculated(submission) if sheet == "LAA Targets"}
    assert cells == {"F2", "F3", "F4"}
    assert [t.latest for t in submission.targets[:3]] == [None, None, None]

    path = replace_part(formulas_file, part, lambda d: _shared(d, cached=True),
                        out=tmp_path / "shared-cached.xlsx")
    submission = read_workbook(path, engine=engine)
    cells = {cell for sheet, cell in uncalculated(submission) if sheet == "LAA Targets"}
    assert cells == {"F2", "F4"}
    assert submission.targets[1].latest == 21.5
    assert read_workbook(path, "calamine") == read_workbook(path, "openpyxl")


@pytest.mark.parametrize("engine", ENGINES)
def test_an_array_formula_is_flagged_over_its_range(tmp_path, humberside, engine):
    tables = sample_tables(humberside)
    rows = tables["targets"][1]
    rows[0][5] = ArrayFormula("F2:F4", "=E2:E4+1")
    rows[1][5] = rows[2][5] = None  # an array's other cells hold nothing until calculated
    path = write_tables(tmp_path / "array.xlsx", tables)
    submission = read_workbook(path, engine=engine)
    cells = {cell for sheet, cell in uncalculated(submission) if sheet == "LAA Targets"}
    assert cells == {"F2", "F3", "F4"}
    assert read_workbook(path, "calamine") == read_workbook(path, "openpyxl")


@pytest.mark.parametrize("engine", ENGINES)
def test_a_row_of_nothing_but_uncalculated_formulas_is_not_dropped(tmp_path, humberside,
                                                                    engine):
    tables = sample_tables(humberside)
    # A last row computed from elsewhere: calamine's used area stops above it.
    tables["objectives"][1].append(["=\"BP9\"", "Objective text", "=\"RR\"", None])
    tables["objectives"][1].append([None, '="descriptive only"', None, None])
    path = write_tables(tmp_path / "row.xlsx", tables)
    submission = read_workbook(path, engine=engine)
    row = len(humberside.tables["objectives"].rows) + 2
    cells = {cell for sheet, cell in uncalculated(submission) if sheet == "Business Plan"}
    assert cells == {f"A{row}", f"C{row}"}
    assert read_workbook(path, "calamine") == read_workbook(path, "openpyxl")


def test_the_template_has_descriptive_formulas_only(tmp_path):
    template = Path(__file__).parent.parent / "workbooks" / "localism_template.xlsx"
    for engine in ENGINES:
        assert not uncalculated(read_workbook(template, engine=engine))


def test_excel_error_values_still_go_to_openpyxl_with_formulas(formulas_file, tmp_path):
    part = sheet_part(formulas_file, "LAA Targets")
    path = replace_part(formulas_file, part, lambda d: set_cell(
        d, "D3", '<c r="D3" t="e"><f>1/0</f><v>#DIV/0!</v></c>'), out=tmp_path / "errors.xlsx")
    submission = read_workbook(path)
    assert ("LAA Targets", "F2") in uncalculated(submission)
    assert ("LAA Targets", "D3") not in uncalculated(submission)
    assert any(p.code == "DATA_INVALID" and p.cell == "D3" for p in submission.problems)


# --- The two ways of finding them agree -----------------------------------------------------

SHEET = (b'<?xml version="1.0" encoding="UTF-8"?>\n<worksheet xmlns="http://schemas.openxmlformats'
         b'.org/spreadsheetml/2006/main"><sheetData>{rows}</sheetData>{tail}</worksheet>')
CELLS = (b'<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1"><f>1+1</f></c>'
         b'<c r="C1"><f>1+1</f><v>2</v></c><c r="D1" t="str"><f>""</f><v></v></c></row>'
         b'<row r="2"><c r="A2"><f t="shared" ref="A2:A3" si="0">A1</f><v/></c>'
         b'<c r="B2" t="inlineStr"><f>X</f><is><t>x</t></is></c><c r="C2"/>'
         b'<c r="D2" t="b"><f>TRUE</f><v></v></c></row>'
         b'<row r="3"><c r="A3"><f t="shared" si="0"/></c>'
         b'<c r="B3"><f t="array" ref="B3:C4">A1:B2</f><v></v></c></row>')
EXPECTED = {(1, 2), (2, 1), (2, 4), (3, 1), (3, 2), (3, 3), (4, 2), (4, 3)}


def _quick(data: bytes):
    return package._quick_uncalculated(data)


def _parsed(data: bytes):
    return package._parsed_uncalculated(io.BytesIO(data), chunk_size=37)


def test_the_quick_reading_and_the_parse_agree():
    data = SHEET.replace(b"{rows}", CELLS).replace(b"{tail}", b"")
    assert _quick(data) == _parsed(data) == EXPECTED
    assert package._uncalculated_cells(io.BytesIO(data)) == EXPECTED


@pytest.mark.parametrize("variant", [
    # A prefixed main namespace, a comment, CDATA, a cell placed by its order, a value first,
    # and an extension list's own formulas.
    lambda d: d.replace(b"<worksheet xmlns=", b"<x:worksheet xmlns:x=").replace(
        b"</worksheet>", b"</x:worksheet>").replace(b"<c ", b"<x:c ").replace(
        b"</c>", b"</x:c>").replace(b"<f", b"<x:f").replace(b"</f>", b"</x:f>").replace(
        b"<v", b"<x:v").replace(b"</v>", b"</x:v>").replace(b"<row", b"<x:row").replace(
        b"</row>", b"</x:row>").replace(b"<is>", b"<x:is>").replace(b"</is>", b"</x:is>").replace(
        b"<t>", b"<x:t>").replace(b"</t>", b"</x:t>").replace(b"sheetData", b"x:sheetData"),
    lambda d: d.replace(b'<c r="C2"/>', b'<c r="C2"/><!-- <c r="Z9"><f>1</f></c> -->'),
    lambda d: d.replace(b"<f>1+1</f></c>", b"<f><![CDATA[1+1]]></f></c>", 1),
    lambda d: d.replace(b'<c r="D1" t="str">', b'<c t="str">'),
    lambda d: d.replace(b'<c r="C1"><f>1+1</f><v>2</v></c>', b'<c r="C1"><v>2</v><f>1+1</f></c>'),
])
def test_markup_the_quick_reading_cannot_follow_is_parsed(variant):
    data = variant(SHEET.replace(b"{rows}", CELLS).replace(b"{tail}", b""))
    assert _quick(data) is None
    assert _parsed(data) == EXPECTED
    assert package._uncalculated_cells(io.BytesIO(data)) == EXPECTED


def test_extension_list_formulas_are_not_cells():
    tail = (b'<extLst><ext uri="{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}" xmlns:x14="http://schemas'
            b'.microsoft.com/office/spreadsheetml/2009/9/main"><x14:dataValidations><x14:data'
            b'Validation type="list"><x14:formula1><xm:f xmlns:xm="http://schemas.microsoft.com'
            b'/office/excel/2006/main">Lists!$A$1:$A$4</xm:f></x14:formula1><xm:sqref xmlns:xm='
            b'"http://schemas.microsoft.com/office/excel/2006/main">E2:E9</xm:sqref></x14:data'
            b'Validation></x14:dataValidations></ext></extLst>')
    data = SHEET.replace(b"{rows}", CELLS).replace(b"{tail}", tail)
    assert _quick(data) == _parsed(data) == EXPECTED


def test_a_huge_array_range_is_marked_at_its_first_cell_only():
    rows = b'<row r="1"><c r="A1"><f t="array" ref="A1:Z100000">B1:AA100000</f></c></row>'
    data = SHEET.replace(b"{rows}", rows).replace(b"{tail}", b"")
    assert _quick(data) == _parsed(data) == {(1, 1)}


def test_damaged_xml_keeps_the_cells_before_the_damage():
    data = SHEET.replace(b"{rows}", CELLS + b"<row><c r='A9'><f>1</f></c><oops></row>").replace(
        b"{tail}", b"")
    assert _parsed(data) == EXPECTED | {(9, 1)}
