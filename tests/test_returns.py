"""One return per trust per quarter (docs/method.md §10): periods, revisions, the Superseded
sheet, the history's one current result per trust and period, peers in the feedback, trend."""

from __future__ import annotations

import os
import shutil
import sqlite3
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from tests.conftest import sample_tables, write_tables
from xl_localism import history as store
from xl_localism.batch import runner
from xl_localism.batch.national import LEAGUE_HEADERS, write_national_report
from xl_localism.batch.peers import quartiles
from xl_localism.cli import app
from xl_localism.returns import (
    Submission,
    group_returns,
    period_end,
    period_of,
    trust_key,
)

cli = CliRunner()
SCORE = LEAGUE_HEADERS.index("Score")


UNDATED = "no date"


def _tables(trust, *, name: str | None = None, as_at: date | str | None = None,
            checklist_undone: int = 0) -> dict:
    """A sample's tables with another name, As at date, or fewer checklist items Complete
    (which changes the score, as a revision would)."""
    tables = sample_tables(trust)
    headers, rows = tables["about"]
    fixed = []
    for row in rows:
        if row[0] == "Trust" and name:
            row = [row[0], name]
        if row[0] == "As at" and as_at is not None:
            row = [row[0], None if as_at == UNDATED else as_at]
        fixed.append(row)
    tables["about"] = (headers, fixed)
    if checklist_undone:
        headers, rows = tables["checklist"]
        status = [h.casefold() for h in headers].index("status")
        rows = [list(r) for r in rows]
        for row in rows[:checklist_undone]:
            row[status] = "Not started"
        tables["checklist"] = (headers, rows)
    return tables


def _at(path: Path, seconds: int) -> Path:
    os.utime(path, (seconds, seconds))
    return path


# ---------------------------------------------------------------------------------------------
# The pure rule


@pytest.mark.parametrize(("as_at", "period"), [
    ("2010-09-30", "2010/11 Q2"), ("2010-04-01", "2010/11 Q1"), ("2010-06-30", "2010/11 Q1"),
    ("2010-12-31", "2010/11 Q3"), ("2011-01-01", "2010/11 Q4"), ("2011-03-31", "2010/11 Q4"),
    ("2009-12-31", "2009/10 Q3"), ("1999-05-01", "1999/00 Q1"), (None, "undated"),
    (date(2010, 9, 30), "2010/11 Q2")])
def test_the_period_is_the_financial_year_quarter(as_at, period):
    assert period_of(as_at) == period
    if as_at is not None:
        end = period_end(period)
        assert end is not None and period_of(end) == period


def test_names_match_ignoring_case_spaces_and_punctuation():
    assert trust_key("Thames Valley") == trust_key("thames-valley.") == trust_key("THAMES  VALLEY")
    assert trust_key("Devon and Cornwall") != trust_key("Devon & Cornwall")


def test_the_newest_file_is_current_and_ties_go_to_the_later_path():
    subs = [Submission("Kent", "2010-09-30", 10.0, "b.xlsx"),
            Submission("kent", "2010-08-01", 20.0, "a.xlsx"),
            Submission("KENT", "2010-09-30", 20.0, "c.xlsx"),
            Submission("Kent", None, 5.0, "undated.xlsx"),
            Submission("Kent", "2010-12-31", 1.0, "q3.xlsx")]
    found = {r.period: r for r in group_returns(subs)}
    assert set(found) == {"2010/11 Q2", "2010/11 Q3", "undated"}
    q2 = found["2010/11 Q2"]
    assert q2.current.file == "c.xlsx"  # a.xlsx has the same time; c sorts later
    assert [s.file for s in q2.superseded] == ["a.xlsx", "b.xlsx"]
    # Order of arrival does not matter.
    again = {r.period: r for r in group_returns(reversed(subs))}
    assert again["2010/11 Q2"].current.file == "c.xlsx"


def test_quartiles_are_excels_quartile_inc():
    # QUARTILE.INC({1,2,3,4}, 1) = 1.75, median 2.5, QUARTILE.INC(..., 3) = 3.25
    assert quartiles([1, 2, 3, 4]) == (1.8, 2.5, 3.2) or quartiles([1, 2, 3, 4]) == (1.75, 2.5,
                                                                                     3.25)
    assert quartiles([None, 7.0]) == (7.0, 7.0, 7.0)
    assert quartiles([None]) is None


# ---------------------------------------------------------------------------------------------
# The acceptance test: a return, its revision and a copy of a file


@pytest.fixture
def quarter(tmp_path, samples) -> Path:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    _at(write_tables(inbox / "thames-original.xlsx", _tables(samples[0])), 1_285_000_000)
    _at(write_tables(inbox / "thames-revised.xlsx", _tables(samples[0], checklist_undone=12)),
        1_286_000_000)
    # The same file submitted again (its bytes and its modification time copied).
    shutil.copy2(inbox / "thames-revised.xlsx", inbox / "thames-revised-copy.xlsx")
    _at(write_tables(inbox / "cumbria.xlsx", _tables(samples[1], as_at=date(2010, 9, 30))),
        1_285_500_000)
    _at(write_tables(inbox / "wales.xlsx", _tables(samples[2], as_at=date(2010, 9, 30))),
        1_285_500_000)
    return inbox


def test_one_league_row_per_return_and_one_current_result_in_the_history(quarter, tmp_path):
    out, history = tmp_path / "out", tmp_path / "h" / "history.sqlite"
    result = cli.invoke(app, ["batch", str(quarter), "--out", str(out), "--history",
                              str(history), "--jobs", "2"])
    assert result.exit_code == 0, result.output  # superseded is not rejected
    said = " ".join(result.output.split())
    assert "superseded thames-original.xlsx by thames-revised.xlsx" in said
    assert "superseded thames-revised-copy.xlsx by thames-revised.xlsx" in said
    assert "2 superseded" in said

    report = openpyxl.load_workbook(out / "national_summary.xlsx")
    league = list(report["League table"].iter_rows(min_row=2, values_only=True))
    trusts = [row[1] for row in league]
    assert sorted(trusts) == sorted(set(trusts)) and len(trusts) == 3
    thames = next(row for row in league if row[1] == "Thames Valley")
    revised = runner.run_batch(quarter, tmp_path / "again", jobs=1)
    newest = next(o for o in revised.scored if o.source == "thames-revised.xlsx")
    original = next(o for o in revised.scored if o.source == "thames-original.xlsx")
    assert thames[SCORE] == newest.summary["score"] != original.summary["score"]
    assert thames[LEAGUE_HEADERS.index("Source file")] == "thames-revised.xlsx"
    assert [row[0] for row in report["League table"].iter_rows(min_row=2, values_only=True)] \
        == [1, 2, 3]

    superseded = list(report["Superseded"].iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[1], r[2], r[3]) for r in superseded] == [
        ("thames-original.xlsx", "thames-revised.xlsx", "Thames Valley", "2010/11 Q2"),
        ("thames-revised-copy.xlsx", "thames-revised.xlsx", "Thames Valley", "2010/11 Q2")]
    # As at and both modification times are real dates.
    assert all(hasattr(r[4], "year") and hasattr(r[5], "year") and hasattr(r[6], "year")
               for r in superseded)
    heatmap = list(report["Heatmap"].iter_rows(min_row=2, values_only=True))
    assert len(heatmap) == 3
    assert {row[0] for row in report["Flags"].iter_rows(min_row=2, values_only=True)} <= \
        set(trusts)
    # One feedback workbook per current return.
    assert sorted(p.name for p in (out / "feedback").glob("*.xlsx")) == [
        "Humberside.xlsx", "South Wales.xlsx", "Thames Valley.xlsx"]

    current = store.trend(str(history))
    assert sorted(r["trust"] for r in current) == sorted(trusts)
    row = next(r for r in current if r["trust"] == "Thames Valley")
    assert row["score"] == thames[SCORE] and row["source"] == "thames-revised.xlsx"
    every = store.revisions(str(history))
    # The copy is the same bytes as the revision: one row. The original is kept, superseded.
    assert len(every) == 4
    kept = next(r for r in every if r["source"] == "thames-original.xlsx")
    assert kept["current"] is False and kept["superseded_by"] == "thames-revised.xlsx"


def test_a_later_revision_replaces_the_current_result_in_the_history(quarter, tmp_path,
                                                                     samples):
    history = str(tmp_path / "history.sqlite")
    first = tmp_path / "q2-first"
    first.mkdir()
    shutil.copy2(quarter / "thames-original.xlsx", first)
    assert cli.invoke(app, ["batch", str(first), "--out", str(tmp_path / "o1"),
                            "--history", history]).exit_code == 0
    [before] = store.trend(history, "thames valley")
    assert before["source"] == "thames-original.xlsx"
    second = tmp_path / "q2-second"
    second.mkdir()
    shutil.copy2(quarter / "thames-revised.xlsx", second)
    assert cli.invoke(app, ["batch", str(second), "--out", str(tmp_path / "o2"),
                            "--history", history]).exit_code == 0
    [after] = store.trend(history, "Thames-Valley")
    assert after["source"] == "thames-revised.xlsx" and after["score"] != before["score"]
    # An older file batched later does not replace the newer one.
    third = tmp_path / "q2-late"
    third.mkdir()
    _at(write_tables(third / "thames-older.xlsx", _tables(samples[0], checklist_undone=3)),
        1_000_000_000)
    assert cli.invoke(app, ["batch", str(third), "--out", str(tmp_path / "o3"),
                            "--history", history]).exit_code == 0
    [still] = store.trend(history, "Thames Valley")
    assert still["source"] == "thames-revised.xlsx"
    assert len(store.revisions(history)) == 3


def test_an_old_history_is_migrated_without_losing_a_row(tmp_path):
    path = tmp_path / "old.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("""CREATE TABLE submissions (id INTEGER PRIMARY KEY, trust VARCHAR(200) NOT
            NULL, nation VARCHAR(20), region VARCHAR(100), as_at VARCHAR(10), score FLOAT NOT
            NULL, rag VARCHAR(10) NOT NULL, rr FLOAT, pp FLOAT, vs FLOAT, vm FLOAT, cs FLOAT,
            critical_flags INTEGER NOT NULL, error_flags INTEGER NOT NULL, warning_flags
            INTEGER NOT NULL, info_flags INTEGER NOT NULL, file_hash VARCHAR(64) NOT NULL,
            source VARCHAR(500), recorded_at DATETIME NOT NULL,
            CONSTRAINT one_row_per_workbook UNIQUE (file_hash))""")
        for i, (trust, as_at, score, when) in enumerate([
                ("Kent", "2010-09-30", 40.0, "2010-10-01 09:00:00"),
                ("Kent", "2010-09-30", 45.0, "2010-10-05 09:00:00"),
                ("Kent", "2010-06-30", 30.0, "2010-07-01 09:00:00"),
                ("Kent", None, 20.0, "2010-07-02 09:00:00")]):
            db.execute("INSERT INTO submissions VALUES (?, ?, 'England', 'South East', ?, ?, "
                       "'Amber', 1, 1, 1, 1, 1, 0, 0, 0, 0, ?, ?, ?)",
                       (i + 1, trust, as_at, score, f"h{i}", f"kent{i}.xlsx", when))
    db.close()
    rows = store.trend(str(path))
    assert [(r["period"], r["score"]) for r in rows] == [
        ("2010/11 Q1", 30.0), ("2010/11 Q2", 45.0), ("undated", 20.0)]
    assert len(store.revisions(str(path))) == 4
    # Opening it again changes nothing.
    assert store.trend(str(path)) == rows


# ---------------------------------------------------------------------------------------------
# Peers in the feedback


def test_the_feedback_says_where_the_trust_stands(quarter, tmp_path):
    out = tmp_path / "out"
    result = runner.run_batch(quarter, out, jobs=2, write_report=write_national_report)
    league = [row for row in openpyxl.load_workbook(out / "national_summary.xlsx")[
        "League table"].iter_rows(min_row=2, values_only=True)]
    for rank, row in enumerate(league, start=1):
        feedback = openpyxl.load_workbook(out / row[LEAGUE_HEADERS.index("Feedback workbook")])
        assert feedback.sheetnames == ["Summary", "Peers", "Flags"]
        peers = feedback["Peers"]
        cells = [c.value for r in peers.iter_rows() for c in r if c.value is not None]
        assert f"Rank {rank} of {len(league)}" in cells
        table = {r[0]: r for r in peers.iter_rows(min_row=7, max_row=12, values_only=True)}
        assert table["Readiness score"][1] == row[SCORE]
        scores = [r[SCORE] for r in league]
        q1, median, q3 = quartiles(scores)  # type: ignore[misc]
        assert table["Readiness score"][2:5] == (q1, median, q3)
    assert len(result.current) == 3


# ---------------------------------------------------------------------------------------------
# Trend


def _trend_history(tmp_path, samples, quarters: list[date | str]) -> str:
    history = str(tmp_path / "history.sqlite")
    for index, as_at in enumerate(quarters):
        folder = tmp_path / f"in{index}"
        folder.mkdir()
        write_tables(folder / "thames.xlsx", _tables(samples[0], as_at=as_at,
                                                     checklist_undone=index * 3))
        write_tables(folder / "wales.xlsx", _tables(samples[2], as_at=as_at,
                                                    checklist_undone=index))
        assert cli.invoke(app, ["batch", str(folder), "--out", str(tmp_path / f"o{index}"),
                                "--history", history]).exit_code == 0
    return history


def test_trend_report_has_periods_dates_markers_and_undated_apart(tmp_path, samples):
    history = _trend_history(tmp_path, samples, [date(2010, 6, 30), date(2010, 9, 30),
                                                     UNDATED])
    report = tmp_path / "trend.xlsx"
    result = cli.invoke(app, ["trend", "--history", history, "--report", str(report)])
    assert result.exit_code == 0, result.output
    assert "undated" in result.output
    book = openpyxl.load_workbook(report)
    assert book.sheetnames == ["Trend", "Results"] and book.active.title == "Trend"
    sheet = book["Trend"]
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    header = next(i for i, row in enumerate(values) if row[0] == "Period")
    assert [values[header + 1][0], values[header + 2][0]] == ["2010/11 Q1", "2010/11 Q2"]
    assert sheet.cell(header + 2, 2).is_date and sheet.cell(header + 2, 2).number_format
    assert any(row[0] and str(row[0]).startswith("Undated") for row in values)
    [chart] = sheet._charts
    assert chart.tagname == "lineChart"
    results = list(book["Results"].iter_rows(min_row=2))
    assert all(r[2].is_date for r in results if r[2].value is not None)
    import zipfile

    with zipfile.ZipFile(report) as archive:
        xml = archive.read("xl/charts/chart1.xml").decode()
    assert "<c:marker><c:symbol val=\"none\"/>" not in xml and xml.count("<c:ser>") == 2
    assert xml.count("<c:marker>") >= 2


def test_one_quarter_gives_a_bar_chart_and_one_trust_its_drivers(tmp_path, samples):
    history = _trend_history(tmp_path, samples, [date(2010, 9, 30)])
    report = tmp_path / "trend.xlsx"
    assert cli.invoke(app, ["trend", "--history", history, "--report",
                            str(report)]).exit_code == 0
    [chart] = openpyxl.load_workbook(report)["Trend"]._charts
    assert chart.tagname == "barChart"
    one = cli.invoke(app, ["trend", "--history", history, "--trust", "thames valley",
                           "--report", str(tmp_path / "one.xlsx")])
    assert one.exit_code == 0 and all(d in one.output for d in ("RR", "PP", "VS", "VM", "CS"))
    assert len(openpyxl.load_workbook(tmp_path / "one.xlsx")["Trend"]._charts) == 2


# ---------------------------------------------------------------------------------------------
# The command line a person meets


def test_help_shows_no_bool_placeholders_or_braces():
    for command in ("batch", "demo", "template", "score"):
        text = cli.invoke(app, [command, "--help"]).output
        assert "<bool>" not in text and "{" not in text, command
    assert "42" in cli.invoke(app, ["demo", "--help"]).output


def test_template_adds_xlsx_and_will_not_overwrite_without_force(tmp_path):
    assert cli.invoke(app, ["template", str(tmp_path / "kent")]).exit_code == 0
    made = tmp_path / "kent.xlsx"
    assert made.exists()
    before = made.read_bytes()
    refused = cli.invoke(app, ["template", str(made)])
    assert refused.exit_code == 2 and "--force" in refused.output
    assert made.read_bytes() == before
    assert cli.invoke(app, ["template", str(made), "--force"]).exit_code == 0


def test_the_history_never_matches_two_files_without_a_trust_name(tmp_path, samples):
    """The batch's rule in the history too: Kent's and Surrey's returns both left the Trust
    blank and are both called return.xlsx; both stay current, as the League shows them."""
    from xl_localism.engine import assess
    from xl_localism.explanation import to_json
    from xl_localism.tables import build_submission

    tables = dict(samples[0].tables)
    about = tables["about"]
    rows = [[field, None if field == "Trust" else value] for field, value in about.rows]
    tables["about"] = type(about)(sheet=about.sheet, headers=about.headers, rows=rows)
    summary = to_json(assess(build_submission(tables, "return.xlsx")))
    assert (summary["trust"], summary["trust_named"]) == ("return", False)
    history = str(tmp_path / "history.sqlite")
    store.record(history, [("a" * 64, "Kent/return.xlsx", summary, 1.0),
                           ("b" * 64, "Surrey/return.xlsx", summary, 2.0)])
    assert sorted(r["source"] for r in store.trend(history)) == [
        "Kent/return.xlsx", "Surrey/return.xlsx"]
