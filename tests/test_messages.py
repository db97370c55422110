"""What a message says is what the engine did: missing names and dates, unreadable cells."""

from __future__ import annotations

from pathlib import Path

from conftest import sample_tables, write_tables

from xl_localism.engine import assess
from xl_localism.models import IppfMeasure, Submission, TrustInfo
from xl_localism.returns import Submission as Filed
from xl_localism.returns import group_returns
from xl_localism.workbook.reader import read_workbook


def _about_without(tables, field: str):
    about = tables["about"][1]
    next(row for row in about if row[0] == field)[1] = None
    return tables


def test_a_blank_trust_name_takes_the_files_name_and_says_so(samples, tmp_path: Path) -> None:
    path = tmp_path / "return.xlsx"
    write_tables(path, _about_without(sample_tables(samples[0]), "Trust"))
    assessment = assess(read_workbook(path))
    assert (assessment.trust, assessment.trust_named) == ("return", False)
    (message,) = [f.message for f in assessment.flags if f.sheet == "About"]
    assert "the file's name 'return' is used as the trust's name" in message


def test_files_without_a_trust_name_are_never_one_return() -> None:
    # Kent's and Surrey's returns both left the Trust blank and are both called return.xlsx.
    found = group_returns([Filed("return", "2010-09-30", 1.0, "Kent/return.xlsx", named=False),
                           Filed("return", "2010-09-30", 2.0, "Surrey/return.xlsx", named=False)])
    assert [r.superseded for r in found] == [(), ()]
    named = group_returns([Filed("Kent", "2010-09-30", 1.0, "a.xlsx"),
                           Filed("KENT", "2010-09-30", 2.0, "b.xlsx")])
    assert [s.file for s in named[0].superseded] == ["a.xlsx"]


def test_without_an_as_at_date_the_duty_check_is_said_not_to_run(samples, tmp_path) -> None:
    path = tmp_path / "undated.xlsx"
    tables = _about_without(sample_tables(samples[0]), "As at")
    checklist = tables["checklist"][1]
    next(row for row in checklist if row[0] == "D1")[4] = "Not started"
    write_tables(path, tables)
    assessment = assess(read_workbook(path))
    assert "RA_DUTY_UNMET" not in assessment.flag_codes()  # As at >= 1 April 2010 is unknown
    (message,) = [f.message for f in assessment.flags if f.sheet == "About"]
    assert "Responsible Authority check (checklist D1" in message and "cannot run" in message
    assert any("was not run" in note for note in assessment.notes)


def test_a_status_holding_a_formula_is_quoted_as_such_not_as_its_default(samples, tmp_path):
    path = tmp_path / "formula.xlsx"
    tables = sample_tables(samples[0])
    checklist = tables["checklist"][1]
    next(row for row in checklist if row[0] == "B1")[4] = '=IF(1>0,"Complete","")'
    write_tables(path, tables)  # openpyxl saves the formula with no calculated value
    assessment = assess(read_workbook(path))
    (missing,) = [f for f in assessment.flags if f.code == "POSITION_STATEMENT_MISSING"]
    assert "unreadable Status (a formula with no calculated value)" in missing.message
    assert "counted as 'Not started'" in missing.message


def test_an_unreadable_ippf_polarity_says_the_standard_value_is_used() -> None:
    from xl_localism.schema import MEASURES
    from xl_localism.tables import RawTable, build_submission

    raw = RawTable(sheet="IPPF", headers=MEASURES.headers,
                   rows=[["ENF", None, None, "up", 90, 95, None]])
    submission = build_submission({"measures": raw}, "x.xlsx")
    (problem,) = [f for f in submission.problems if f.sheet == "IPPF"]
    assert "the standard IPPF value is used" in problem.message
    result = assess(submission).measures[0]
    assert (result.polarity, result.status) == ("higher", "Green")


def test_a_polarity_conflict_reads_as_a_sentence() -> None:
    submission = Submission(about=TrustInfo(trust="Kent"),
                            measures=[IppfMeasure(code="ACC", polarity="lower")])
    (flag,) = [f for f in assess(submission).flags if f.code == "POLARITY_CONFLICT"]
    assert flag.message == ("Measure ACC counts 'lower is better' but NI 143, which measures the "
                            "same outcome, counts 'higher is better'.")
