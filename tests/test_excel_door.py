"""The Excel door without Excel: what the functions and scripts turn Excel's values into."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd
import pytest

from xl_localism import excel, schema
from xl_localism.engine import assess
from xl_localism.excel import LocalismArgumentError
from xl_localism.explanation import to_json
from xl_localism.layout import RAG_COLOURS, SEVERITY_COLOURS
from xl_localism.models import Flag
from xl_localism.position_statement import STATEMENT_SHEET, draft_statement, statement_layout
from xl_localism.samples import SampleTrust
from xl_localism.tables import build_submission
from xl_localism.vocab import Severity

EXCEL_EPOCH = date(1899, 12, 30)


def excel_cell(value: Any) -> Any:
    """A cell as Excel passes it to a function: "" for empty, dates as serial numbers."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return float((value - EXCEL_EPOCH).days)
    return value


def excel_range(trust: SampleTrust, key: str) -> list[list[Any]]:
    """A sample table as ``Table[#All]`` arrives: the header row, then the data rows."""
    raw = trust.tables[key]
    return [list(raw.headers), *[[excel_cell(v) for v in row] for row in raw.rows]]


def arguments(trust: SampleTrust) -> list[Any]:
    return [excel_range(trust, k) if k in trust.tables else None for k in excel.TABLE_ARGUMENTS]


def as_frame(grid: list[list[Any]]) -> pd.DataFrame:
    """What xlwings' ``@arg(pd.DataFrame, index=False, header=True)`` makes of a range."""
    frame = pd.DataFrame(grid[1:], columns=grid[0])
    return frame.replace("", np.nan)


def error_text(call: Any) -> str:
    with pytest.raises(LocalismArgumentError) as caught:
        call()
    text = str(caught.value)
    assert text.startswith("#LOCALISM: ") and "Traceback" not in text
    return text


# ---------------------------------------------------------------------------------------------
# Conversions


def test_cell_values_read_as_the_file_readers_read_them():
    assert excel.plain_value("") is None
    assert excel.plain_value(float("nan")) is None
    assert excel.plain_value(np.float64(2.5)) == 2.5 and type(excel.plain_value(np.int64(3))) is int
    assert excel.plain_value(pd.Timestamp("2010-09-30")) == date(2010, 9, 30)
    assert excel.plain_value(pd.NaT) is None
    assert excel.plain_value(datetime(2010, 9, 30, 0, 0)) == date(2010, 9, 30)
    assert excel.plain_value({"type": "Error", "errorType": "NotAvailable"}) == "#N/A"
    assert excel.plain_value("NI 18") == "NI 18"


@pytest.mark.parametrize("as_dataframe", [False, True], ids=["2-D array", "DataFrame"])
def test_the_tables_passed_to_the_functions_score_as_the_tables_themselves(samples, as_dataframe):
    for trust in samples:
        given = [as_frame(a) if as_dataframe and a is not None else a for a in arguments(trust)]
        from_excel = assess(excel.submission_from_arguments(*given))
        from_tables = assess(build_submission(trust.tables))
        assert to_json(from_excel) == to_json(from_tables), trust.name


def test_a_table_keeps_its_template_sheet_and_cells_for_the_flags(samples):
    raw = excel.raw_table("targets", excel_range(samples[0], "targets"))
    assert (raw.sheet, raw.header_row, raw.first_column) == ("LAA Targets", 1, 1)
    assert raw.cell(0, 1) == "B2"


def test_optional_tables_may_be_left_out(samples):
    trust = samples[0]
    checklist, targets, measures, objectives, _, _ = arguments(trust)
    submission = excel.submission_from_arguments(checklist, targets, measures, objectives, "",
                                                 None)
    # Still scored (as England, no date); the flags say the About table was not given.
    assert submission.about.trust == "Unknown trust"
    assert [p.sheet for p in submission.problems if p.code == "TABLE_MISSING"] == ["About"]
    assert assess(submission).score > 0


def test_headers_only_is_an_empty_table_not_an_error(samples):
    trust = samples[0]
    checklist, _, measures, objectives, about, _ = arguments(trust)
    assessment = excel.assess_arguments(checklist, [schema.TARGETS.headers], measures,
                                        objectives, about)
    assert assessment.targets == [] and assessment.linkage.value == 0.0


# ---------------------------------------------------------------------------------------------
# Bad arguments: a short readable text for the cell


def test_a_range_without_its_header_row(samples):
    body = excel_range(samples[0], "targets")[1:]
    assert error_text(lambda: excel.raw_table("targets", body)) == (
        "#LOCALISM: targets has no header row: pass the table with its headers "
        "(e.g. Targets[#All], not Targets)")


@pytest.mark.parametrize("value", ["NI 18", 42, [["NI 18"]], ["NI 18"],
                                   pd.DataFrame(columns=["NI 18"])],
                         ids=["text", "number", "1x1 range", "flattened", "DataFrame"])
def test_a_single_cell(value):
    assert error_text(lambda: excel.raw_table("targets", value)) == (
        "#LOCALISM: targets needs a table with its header row (e.g. Targets[#All]), got a "
        "single cell")


@pytest.mark.parametrize("value", [[["", ""], ["", ""]],
                                   pd.DataFrame([[None, None]], columns=[None, None]), []],
                         ids=["blank range", "blank DataFrame", "empty"])
def test_a_blank_table(value):
    assert error_text(lambda: excel.raw_table("measures", value)) == (
        "#LOCALISM: measures is blank: pass the Measures table with its header row "
        "(e.g. Measures[#All])")


def test_a_required_table_that_is_missing():
    assert "checklist is missing" in error_text(lambda: excel.raw_table("checklist", None))


@pytest.mark.parametrize(("slot", "table", "looks_like"), [
    ("measures", "targets", "Targets"),
    ("targets", "checklist", "Checklist"),
    ("checklist", "objectives", "Objectives"),
    ("about", "settings", "Settings"),
    ("settings", "about", "TrustInfo"),
])
def test_a_table_in_the_wrong_slot(samples, slot, table, looks_like):
    trust = next(t for t in samples if table in t.tables)
    text = error_text(lambda: excel.raw_table(slot, excel_range(trust, table)))
    assert text == (f"#LOCALISM: the {slot} argument looks like the {looks_like} table "
                    f"(pass {schema.TABLES_BY_KEY[slot].table}[#All] here)")


def test_a_missing_column_is_named(samples):
    grid = [[c for c in row[:1] + row[2:]] for row in excel_range(samples[0], "targets")]
    assert error_text(lambda: excel.raw_table("targets", grid)) == (
        "#LOCALISM: Targets table has no 'NI' column")
    grid = [row[:3] for row in excel_range(samples[0], "targets")]
    assert error_text(lambda: excel.raw_table("targets", grid)) == (
        "#LOCALISM: Targets table has no 'Baseline', 'Target', 'Latest' or 'Probation role' "
        "column")


def test_numbers_typed_as_text_score_the_same(samples):
    trust = samples[0]
    given = arguments(trust)
    as_text = [[f"{v:,}" if isinstance(v, float) and i and c in (3, 4, 5) else v
                for c, v in enumerate(row)] for i, row in enumerate(given[1])]
    assert any(isinstance(v, str) and v[:1].isdigit() for row in as_text[1:] for v in row)
    assert excel.assess_arguments(given[0], as_text, *given[2:]).score == \
        excel.assess_arguments(*given).score


def test_a_bad_cell_is_a_flag_not_a_cell_error(samples):
    given = arguments(samples[0])
    given[1][1][3] = "n/a"
    flags = excel.assess_arguments(*given).flags
    assert any(f.code == "DATA_INVALID" and f.cell == "D2" and f.sheet == "LAA Targets"
               for f in flags)


# ---------------------------------------------------------------------------------------------
# Spilled arrays


def test_breakdown_has_the_score_a_row_per_driver_and_the_components(samples):
    assessment = excel.assess_arguments(*arguments(samples[0]))
    rows = excel.breakdown_rows(assessment)
    assert rows[0] == excel.BREAKDOWN_HEADERS
    assert rows[1][:4] == ["Readiness", "Readiness score", assessment.score,
                           assessment.rag.value]
    drivers = {r[0]: r[2] for r in rows[2:7]}
    expected = to_json(assessment)["drivers"]
    assert drivers == {d: ("not covered" if s is None else s) for d, s in expected.items()}
    assert [r[0] for r in rows[7:]] == ["S", "A1", "A2", "A3", "A", "P", "P horizontal",
                                        "P vertical"]
    assert rows[7][2] == round(100 * to_json(assessment)["components"]["S"], 1)
    # Both axes of accountability, each as score --json gives it.
    axes = to_json(assessment)["performance"]
    assert rows[13][2] == round(100 * axes["horizontal"]["value"], 1)
    assert rows[14][2] == round(100 * axes["vertical"]["value"], 1)
    assert all(len(r) == len(rows[0]) for r in rows)


def test_flags_array_matches_the_json_flags(samples):
    assessment = excel.assess_arguments(*arguments(samples[3]))
    rows = excel.flag_rows(assessment.flags)
    assert rows[0] == ["Severity", "Code", "Sheet", "Cell", "Message", "Action"]
    expected = [[f["severity"], f["code"], f["sheet"] or "", f["cell"] or "", f["message"],
                 f["action"]] for f in to_json(assessment)["flags"]]
    assert rows[1:] == expected
    assert excel.flag_rows([])[1][4] == "No flags were raised."


# ---------------------------------------------------------------------------------------------
# Scalar functions


@pytest.mark.parametrize(("code", "names"), [
    ("NI 30", "Reducing Reoffending, Public Protection"),
    ("ni-31", "Public Protection, Reducing Reoffending"),
    (18, "Reducing Reoffending"),
    ("ACC", "Reducing Reoffending"),
    ("vc", "Victims Services"),
    ("NI 100", ""),
])
def test_driver_names(code, names):
    assert excel.driver_names(code) == names


def test_driver_of_an_unknown_code():
    assert error_text(lambda: excel.driver_names("XYZ")) == (
        "#LOCALISM: 'XYZ' is neither a National Indicator nor an IPPF measure code")
    assert "code is blank" in error_text(lambda: excel.driver_names(""))


def test_ni_title():
    assert excel.ni_title("NI018") == "Adult re-offending rates for those under probation " \
                                      "supervision"
    assert excel.ni_title(100) == ""
    assert "NI 1 to NI 198" in error_text(lambda: excel.ni_title("NI 999"))


def test_a_column_of_codes_spills_a_column_of_answers():
    assert excel.each_cell([["NI 18"], ["bad"], ["ACC"]], excel.driver_names) == [
        ["Reducing Reoffending"],
        ["#LOCALISM: 'bad' is neither a National Indicator nor an IPPF measure code"],
        ["Reducing Reoffending"]]
    assert excel.each_cell("NI 15", excel.ni_title) == "Serious violent crime rate"


@pytest.mark.parametrize(("given", "status"), [
    # Expected 80, gap 20: Amber within 10% of the gap (2) of the expected value.
    ((100, 80, 81.5, "lower"), "Amber"),
    ((100, 80, 79, "lower"), "Green"),
    ((100, 80, 85, "lower"), "Red"),
    (("100", "80", "81.5", "lower is better"), "Amber"),
    (("1,000", "1,200", "1,190", "higher"), "Amber"),
    ((100, 80, 81.5, "NI 18"), "Amber"),
    ((100, 80, "", "lower"), "No data"),
    ((100, 80, 90, "lower", 0.5), "Green"),
    ((100, 80, 92, "lower", 1, 0.7), "Amber"),
])
def test_target_status(given, status):
    assert excel.target_status_text(*given) == status


@pytest.mark.parametrize(("given", "message"), [
    ((100, 80, "abc", "lower"), "#LOCALISM: latest must be a number, found 'abc'"),
    ((100, 80, 85, "up"), "#LOCALISM: polarity must be 'higher' or 'lower' (is better), or a "
                          "probation NI code, found 'up'"),
    ((100, 80, 85, "lower", 1.5), "#LOCALISM: progress and tolerance must be between 0 and 1 "
                                  "(found progress 1.5)"),
    (([1, 2], 80, 85, "lower"), "#LOCALISM: baseline must be a single cell, not a range"),
])
def test_target_status_bad_arguments(given, message):
    assert error_text(lambda: excel.target_status_text(*given)) == message


# ---------------------------------------------------------------------------------------------
# What the scripts add


def _flag(code: str, severity: Severity, sheet: str | None, cell: str | None) -> Flag:
    return Flag(code=code, severity=severity, message="m", sheet=sheet, cell=cell)


def test_highlights_one_colour_per_cell_the_most_severe():
    flags = [_flag("A", Severity.WARNING, "LAA Targets", "F7"),
             _flag("B", Severity.CRITICAL, "Checklist", "E5"),
             _flag("C", Severity.ERROR, "LAA Targets", "F7"),
             _flag("D", Severity.INFO, "LAA Targets", "3:3"),
             _flag("E", Severity.ERROR, "Nowhere", "A1"),
             _flag("F", Severity.INFO, "laa targets", "B2")]
    marks = excel.highlights(flags, ["Checklist", "LAA Targets"])
    assert [(m.sheet, m.cell, m.fill) for m in marks] == [
        ("Checklist", "E5", RAG_COLOURS["Red"][0]),
        ("LAA Targets", "F7", RAG_COLOURS["Red"][0]),
        ("LAA Targets", "B2", SEVERITY_COLOURS[Severity.INFO][0])]


def test_the_data_problems_sheet_lists_only_reading_problems(samples):
    trust = samples[3]
    submission = excel.submission_from_arguments(*arguments(trust))
    layout = excel.problems_layout(assess(submission), submission.problems)
    assert layout.name == excel.PROBLEMS_SHEET
    table = layout.blocks[0]
    assert table.table_name == excel.PROBLEMS_TABLE
    codes = {row[1] for row in table.values[1:]}
    assert codes and codes <= {"DATA_INVALID", "NI_INVALID", "DUPLICATE_ROW", "COLUMN_IGNORED",
                               "COLUMN_MISSING", "TABLE_MISSING"}
    assert table.links, "each problem links to its cell"
    clean = excel.submission_from_arguments(*arguments(samples[0]))
    empty = excel.problems_layout(assess(clean), clean.problems)
    assert empty.blocks[0].values[1][4].startswith("No data problems")


def test_position_statement_for_england_and_wales(samples):
    by_name = {t.name: t for t in samples}
    for name, wales in (("Thames Valley", False), ("South Wales", True)):
        submission = build_submission(by_name[name].tables)
        assessment = assess(submission)
        text = "\n".join(p.text for p in draft_statement(assessment, submission))
        assert f"{name}: Position Statement / Statement of Intent" in text
        assert "DRAFT" in text and "Recommendation 2" in text
        assert ("Made in Wales" in text) is wales
        assert ("Recommendation 3" in text) is not wales
        for t in assessment.targets:
            if t.relevant:
                assert t.laa in text and t.ni in text
        for d in assessment.drivers:
            assert d.name in text
        layout = statement_layout(draft_statement(assessment, submission))
        assert layout.name == STATEMENT_SHEET
        assert all(b.text_cells == {(0, 0)} for b in layout.blocks)


def test_position_statement_names_the_gaps(samples):
    trust = next(t for t in samples if t.name == "Humberside")
    submission = build_submission(trust.tables)
    assessment = assess(submission)
    paragraphs = draft_statement(assessment, submission)
    gaps = paragraphs[[p.text for p in paragraphs].index("Gaps we will close") + 1:]
    gap_text = " ".join(p.text for p in gaps)
    for flag in assessment.flags:
        if flag.severity is Severity.CRITICAL:
            assert flag.message in gap_text
    for d in assessment.drivers:
        if not d.covered:
            assert d.name in gap_text


def test_unexpected_errors_become_one_line():
    text = excel.unexpected_error_text(ValueError("bad\n  thing"))
    assert text == "#LOCALISM: could not work this out (ValueError: bad thing)"
    assert excel.unexpected_error_text(KeyboardInterrupt()).endswith("(KeyboardInterrupt)")
