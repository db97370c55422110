"""Edge cases found in review: each once broke a promise the README makes."""

from __future__ import annotations

import openpyxl
import pytest
from typer.testing import CliRunner

from tests.conftest import sample_tables, write_tables
from xl_localism.batch import runner
from xl_localism.batch.national import write_national_report
from xl_localism.cli import app
from xl_localism.engine import assess
from xl_localism.explanation import to_json
from xl_localism.tables import RawTable, build_submission
from xl_localism.workbook.reader import WorkbookError, read_workbook

cli = CliRunner()


def _with_totals_row(path, sheet_name: str, table_name: str, totals: list) -> None:
    workbook = openpyxl.load_workbook(path)
    sheet = workbook[sheet_name]
    sheet.append(totals)
    table = sheet.tables[table_name]
    first, last = table.ref.split(":")
    column = "".join(ch for ch in last if ch.isalpha())
    table.ref = f"{first}:{column}{sheet.max_row}"
    table.totalsRowCount = 1
    workbook.save(path)


def test_a_totals_row_is_not_data_for_either_engine(tmp_path, samples):
    path = write_tables(tmp_path / "totals.xlsx", sample_tables(samples[0]))
    plain = to_json(assess(read_workbook(path)))
    _with_totals_row(path, "Checklist", "Checklist", ["Total", None, None, 18])
    _with_totals_row(path, "LAA Targets", "Targets", ["Total", None, None, 1000])
    calamine = to_json(assess(read_workbook(path, engine="calamine")))
    openpyxl_result = to_json(assess(read_workbook(path, engine="openpyxl")))
    for result in (calamine, openpyxl_result):
        assert (result["score"], result["rag"], result["drivers"]) == (
            plain["score"], plain["rag"], plain["drivers"])
    assert [f["code"] for f in calamine["flags"]] == [f["code"] for f in openpyxl_result["flags"]]


def test_a_conflicting_setting_is_blamed_in_its_own_cell_and_the_rest_kept():
    raw = RawTable("Config", ["Setting", "Value"],
                   [["tolerance", 0.2], ["green_threshold", 30], ["weight_alignment", -1]])
    submission = build_submission({"settings": raw})
    assert submission.settings.tolerance == 0.2  # the good setting stands
    assert submission.settings.green_threshold == 70
    assert submission.settings.weight_alignment == 0.4
    config = {p.cell: p.message for p in submission.problems if p.sheet == "Config"}
    assert set(config) == {"B3", "B4"}
    assert "amber_threshold (40) must not exceed green_threshold (30)" in config["B3"]


def test_submission_text_is_never_read_as_terminal_markup(tmp_path, samples):
    tables = sample_tables(samples[0])
    headers, rows = tables["about"]
    tables["about"] = (headers, [[r[0], "Kent [/] v2"] if r[0] == "Trust" else r for r in rows])
    headers, rows = tables["checklist"]
    tables["checklist"] = (headers, [[*r[:4], "Done [/b]", *r[5:]] if r[0] == "A1" else r
                                     for r in rows])
    path = write_tables(tmp_path / "markup.xlsx", tables)
    result = cli.invoke(app, ["score", str(path)])
    assert result.exit_code == 0, result.output
    assert "Kent [/] v2" in result.output and "Done [/b]" in result.output


def test_a_workbook_that_is_not_a_localism_return_is_rejected(tmp_path):
    minutes = tmp_path / "minutes.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active.append(["Item", "Decision"])
    workbook.save(minutes)
    with pytest.raises(WorkbookError, match="not a localism workbook"):
        read_workbook(minutes)


def test_outputs_inside_the_submissions_folder_are_not_resubmitted(tmp_path, samples):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    write_tables(inbox / "a.xlsx", sample_tables(samples[0]))
    out = inbox / "results"
    runner.run_batch(inbox, out, jobs=1, write_report=write_national_report)
    again = runner.run_batch(inbox, out, jobs=1, write_report=write_national_report)
    assert [o.source for o in again.outcomes] == ["a.xlsx"]


def test_an_unusable_history_stops_the_batch_before_scoring(tmp_path, samples):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    write_tables(inbox / "a.xlsx", sample_tables(samples[0]))
    folder = tmp_path / "a-folder"
    folder.mkdir()
    result = cli.invoke(app, ["batch", str(inbox), "--out", str(tmp_path / "out"),
                              "--history", str(folder)])
    assert result.exit_code == 2 and "cannot open the history" in result.output
    assert not (tmp_path / "out" / "national_summary.xlsx").exists()


def test_trend_without_a_history_says_so_and_creates_nothing(tmp_path):
    missing = tmp_path / "none.sqlite"
    result = cli.invoke(app, ["trend", "--history", str(missing)])
    assert result.exit_code == 1 and "No history" in result.output
    assert not missing.exists()


def test_history_records_a_workbook_once_across_scoring_versions(tmp_path, samples, monkeypatch):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    write_tables(inbox / "a.xlsx", sample_tables(samples[0]))
    history = str(tmp_path / "h.sqlite")
    args = ["batch", str(inbox), "--out", str(tmp_path / "out"), "--history", history]
    assert cli.invoke(app, args).exit_code == 0
    monkeypatch.setattr(runner, "scoring_fingerprint", lambda: "a-newer-release")
    assert cli.invoke(app, args).exit_code == 0
    from sqlalchemy import func, select

    from xl_localism import history as store

    engine = store.connect(history)
    with engine.connect() as connection:
        rows = connection.execute(select(func.count()).select_from(store.submissions)).scalar()
    engine.dispose()
    assert rows == 1  # trend() would hide duplicates; count the table itself


@pytest.mark.parametrize(
    "args",
    [["score", "{sample}", "--write-summary", "{sample}"],
     ["score", "{sample}", "--write-summary", "{tmp}/out.csv"],
     ["template", "{tmp}/t.xlsx", "--nation", "Scotland"],
     ["score", "{sample}", "--engine", "fast"]],
)
def test_user_mistakes_get_one_line_not_a_traceback(tmp_path, samples, args):
    sample = write_tables(tmp_path / "s.xlsx", sample_tables(samples[0]))
    filled = [a.format(sample=sample, tmp=tmp_path) for a in args]
    result = cli.invoke(app, filled)
    assert result.exit_code == 2
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output


@pytest.mark.parametrize("engine", ["calamine", "openpyxl"])
def test_a_workbook_can_override_the_catalogue(tmp_path, samples, engine):
    tables = sample_tables(samples[0])
    headers, rows = tables["targets"]
    extra = ["Kent", "NI 152", "Working age people on out of work benefits", 12.0, 10.0, 10.5,
             "Lead", None]
    tables["targets"] = (headers, [*rows, extra])
    plain = read_workbook(write_tables(tmp_path / "plain.xlsx", tables), engine=engine)
    tables["indicators"] = (["NI", "Title", "Polarity", "Drivers"],
                            [["NI152", None, "lower", "RR"]])
    overridden = read_workbook(write_tables(tmp_path / "own.xlsx", tables), engine=engine)
    before, after = assess(plain), assess(overridden)
    assert before.driver("RR").relevant_targets + 1 == after.driver("RR").relevant_targets
    flag = next(f for f in after.flags if f.code == "CATALOGUE_OVERRIDDEN")
    assert flag.sheet == "Catalogue" and flag.cell == "A2" and "NI 152" in flag.message
    assert not [f for f in before.flags if f.code == "CATALOGUE_OVERRIDDEN"]


def test_trend_headers_from_trust_names_stay_text(tmp_path):
    import zipfile

    trend = [{"trust": '=HYPERLINK("http://evil.example","x")', "as_at": "2010-09-30",
              "score": 50.0}, {"trust": "Kent", "as_at": "2010-09-30", "score": 60.0}]
    path = write_national_report([], tmp_path / "r.xlsx", trend=trend)
    with zipfile.ZipFile(path) as archive:
        sheets = [archive.read(n).decode() for n in archive.namelist()
                  if n.startswith("xl/worksheets/sheet")]
    assert not any("<f>" in xml and "HYPERLINK" in xml for xml in sheets)


def test_an_existing_summary_sheet_in_another_case_is_replaced(tmp_path, samples):
    from xl_localism.workbook.results import write_summary

    path = write_tables(tmp_path / "s.xlsx", sample_tables(samples[0]))
    workbook = openpyxl.load_workbook(path)
    workbook.create_sheet("summary")
    workbook.create_sheet("FLAGS")
    workbook.save(path)
    out, _ = write_summary(path, assess(read_workbook(path)), tmp_path / "out.xlsx")
    names = openpyxl.load_workbook(out).sheetnames
    assert [n.casefold() for n in names].count("summary") == 1
    assert [n.casefold() for n in names].count("flags") == 1
