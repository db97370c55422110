"""The batch: a folder of good, flagged and broken submissions in, a national report out."""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from msoffcrypto.format.ooxml import OOXMLFile
from typer.testing import CliRunner

from tests.conftest import cached_entries, replace_part, sample_tables, write_tables
from xl_localism.batch import cache as cache_module
from xl_localism.batch import runner
from xl_localism.batch.naming import safe_stem, unique_stems
from xl_localism.batch.national import LEAGUE_HEADERS, write_national_report
from xl_localism.cli import app
from xl_localism.engine import assess
from xl_localism.explanation import to_json
from xl_localism.workbook.reader import read_workbook


def _hashes(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _renamed(tables: dict, trust: str) -> dict:
    headers, rows = tables["about"]
    tables = dict(tables)
    tables["about"] = (headers, [[r[0], trust] if r[0] == "Trust" else r for r in rows])
    return tables


@pytest.fixture
def inbox(tmp_path: Path, samples) -> Path:
    folder = tmp_path / "inbox"
    (folder / "North").mkdir(parents=True)
    good = write_tables(folder / "thames.xlsx", sample_tables(samples[0]))
    write_tables(folder / "North" / "cumbria.xlsx", sample_tables(samples[1]))
    write_tables(folder / "wales.xlsx", sample_tables(samples[2]))
    write_tables(folder / "lancashire-problems.xlsx", sample_tables(samples[3]))
    # Hostile trust names: must never escape the feedback folder or hit a device name.
    write_tables(folder / "evil.xlsx", _renamed(sample_tables(samples[1]), "../../etc/passwd"))
    write_tables(folder / "con.xlsx", _renamed(sample_tables(samples[1]), "CON"))
    # The same trust and quarter twice: the newer file is the return, the older superseded.
    write_tables(folder / "thames-revised.xlsx", sample_tables(samples[0]))
    os.utime(folder / "thames.xlsx", (1_285_000_000, 1_285_000_000))
    (folder / "truncated.xlsx").write_bytes(good.read_bytes()[:2000])
    (folder / "not-a-workbook.xlsx").write_text("hello")
    with good.open("rb") as plain, (folder / "locked.xlsx").open("wb") as out:
        OOXMLFile(plain).encrypt("secret", out)
    (folder / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)
    replace_part(good, "xl/bomb.bin", lambda _: b"\0" * (16 * 1024 * 1024),
                 out=folder / "bomb.xlsx")
    (folder / "~$thames.xlsx").write_bytes(b"lock")
    (folder / ".hidden.xlsx").write_bytes(b"hidden")
    return folder


def _run(inbox: Path, out: Path, **kwargs) -> runner.BatchResult:
    return runner.run_batch(inbox, out, write_report=write_national_report, jobs=2, **kwargs)


def test_batch_report_matches_the_engine_cell_by_cell(inbox, tmp_path):
    before = _hashes(inbox)
    out = tmp_path / "out"
    result = _run(inbox, out)

    assert _hashes(inbox) == before, "a submission was modified"
    assert result.exit_code == 1
    rejected = {o.source: o.rejected for o in result.rejected}
    assert set(rejected) == {"truncated.xlsx", "not-a-workbook.xlsx", "locked.xlsx", "old.xls",
                             "bomb.xlsx"}
    assert "password-protected" in rejected["locked.xlsx"]
    assert "zip bomb" in rejected["bomb.xlsx"]

    report = openpyxl.load_workbook(out / "national_summary.xlsx")
    assert report.sheetnames == ["League table", "Heatmap", "Flags", "Rejected", "Superseded",
                                 "Charts"]
    league = list(report["League table"].iter_rows(values_only=True))
    assert list(league[0]) == LEAGUE_HEADERS
    column = {h: i for i, h in enumerate(LEAGUE_HEADERS)}
    assert len(result.scored) == 7
    assert len(league) - 1 == len(result.current) == 6
    scores = []
    for row in league[1:]:
        expected = to_json(assess(read_workbook(inbox / row[column["Source file"]])))
        assert row[column["Trust"]] == expected["trust"]
        assert row[column["Score"]] == expected["score"]
        assert row[column["RAG"]] == expected["rag"]
        for driver, value in expected["drivers"].items():
            # A driver with no score reads as the Summary's driver table says it.
            assert row[column[driver]] == ("not covered" if value is None else value)
        for severity, count in expected["flag_counts"].items():
            assert row[column[severity.capitalize()]] == count
        scores.append(row[column["Score"]])
    assert scores == sorted(scores, reverse=True)

    flags = list(report["Flags"].iter_rows(values_only=True))[1:]
    assert len(flags) == sum(len(o.result["flags"]) for o in result.current)
    severities = [f[2] for f in flags]
    order = ["critical", "error", "warning", "info"]
    assert severities == sorted(severities, key=order.index)
    # Within a severity, by trust and then code.
    keys = [(order.index(f[2]), f[0].casefold(), f[3]) for f in flags]
    assert keys == sorted(keys)
    rejected_rows = {r[0]: r[1] for r in report["Rejected"].iter_rows(min_row=2,
                                                                      values_only=True)}
    assert rejected_rows == rejected
    assert report["Charts"]._charts, "the charts sheet has no chart"

    assert [(o.source, o.superseded_by.source) for o in result.superseded] == \
        [("thames.xlsx", "thames-revised.xlsx")]
    superseded = list(report["Superseded"].iter_rows(min_row=2, values_only=True))
    assert [row[:4] for row in superseded] == [("thames.xlsx", "thames-revised.xlsx",
                                                "Thames Valley", "2010/11 Q2")]
    notes = {o.source: o.notes for o in result.current}
    assert notes["thames-revised.xlsx"] == ["Revision: supersedes thames.xlsx"]


def test_the_summaries_a_batch_keeps_are_the_engines(inbox, tmp_path):
    """What the batch keeps of each file in memory: the engine's summary of it."""
    first, second = _run(inbox, tmp_path / "out").scored[:2]
    for outcome in (first, second):
        expected = runner.summary_of(to_json(assess(read_workbook(inbox / outcome.source))))
        assert outcome.summary == {**expected, "source": outcome.source}


def test_every_report_sheet_prints_readably(inbox, tmp_path):
    """Landscape where wide, shrunk across (never to a sliver), headers on every page, and each
    chart on a page of its own so no page break cuts one."""
    result = _run(inbox, tmp_path / "out")
    report = openpyxl.load_workbook(tmp_path / "out" / "national_summary.xlsx")
    league = report["League table"]
    assert league.page_setup.orientation == "landscape"
    assert league.sheet_properties.pageSetUpPr.fitToPage
    # Two pages across, the rank and trust on both; score and RAG sit beside them on the first.
    assert (league.page_setup.fitToWidth, league.page_setup.fitToHeight) == (2, 0)
    assert league.print_title_rows == "$1:$1" and league.print_title_cols == "$A:$B"
    for name in ("Heatmap", "Flags", "Rejected", "Superseded", "Charts"):
        sheet = report[name]
        assert sheet.sheet_properties.pageSetUpPr.fitToPage, name
        # One page wide (1 is the default, and so may be left unwritten), as many down.
        assert sheet.page_setup.fitToWidth in (None, 1) and sheet.page_setup.fitToHeight == 0
    charts = report["Charts"]
    breaks = [b.id + 1 for b in charts.row_breaks.brk]  # a break below row id
    assert len(breaks) == 1 and len(charts._charts) == 2
    tops = [chart.anchor._from.row + 1 for chart in charts._charts]
    chart_rows = 15  # 7.5 cm at the default row height
    assert tops[0] + chart_rows < breaks[0] + 1 <= tops[1]
    # A driver with no score says so in the League and the Heatmap, as on the Summary sheet.
    column = {h: i for i, h in enumerate(LEAGUE_HEADERS)}
    uncovered = [(o.summary["trust"], d) for o in result.current
                 for d, score in o.summary["drivers"].items() if score is None]
    assert uncovered, "the inbox should hold a trust with a driver not covered"
    rows = {r[1]: r for r in league.iter_rows(min_row=2, values_only=True)}
    heatmap = {r[0]: r for r in report["Heatmap"].iter_rows(min_row=2, values_only=True)}
    for trust, driver in uncovered:
        assert rows[trust][column[driver]] == "not covered"
        assert heatmap[trust][2 + list(column).index(driver) - column["RR"]] == "not covered"


def test_formula_like_text_stays_text_in_the_report_and_feedback(tmp_path, samples):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    formula = '=HYPERLINK("http://example.invalid","x")'
    evil = write_tables(inbox / "evil.xlsx", _renamed(sample_tables(samples[3]), "placeholder"))
    submission = openpyxl.load_workbook(evil)
    cell = next(c for ws in submission for row in ws.iter_rows() for c in row
                if c.value == "placeholder")
    cell.value, cell.data_type = formula, "s"  # text in the submission, as a trust might type
    submission.save(evil)
    out = tmp_path / "out"
    result = _run(inbox, out)
    assert [o.summary["trust"] for o in result.scored] == [formula]
    for path in (out / "national_summary.xlsx", result.scored[0].feedback):
        with zipfile.ZipFile(path) as archive:
            for name in archive.namelist():
                if name.startswith("xl/worksheets/sheet"):
                    assert b"<f>" not in archive.read(name), (path.name, name)
        cells = [c for ws in openpyxl.load_workbook(path) for row in ws.iter_rows()
                 for c in row if c.value == formula]
        # League table, Heatmap and every flag row of the report; Summary in the feedback.
        assert cells and all(c.data_type == "s" for c in cells), path.name
        # Excel's quote prefix: the text stays text even after a user edits the cell.
        assert all(c.quotePrefix for c in cells), path.name


@pytest.mark.slow
def test_libreoffice_opens_the_national_and_trend_reports(inbox, tmp_path):
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    history = tmp_path / "history.sqlite"
    out = tmp_path / "out"
    cli = CliRunner()
    cli.invoke(app, ["batch", str(inbox), "--out", str(out), "--history", str(history),
                     "--jobs", "2"])
    trend = tmp_path / "trend.xlsx"
    assert cli.invoke(app, ["trend", "--history", str(history), "--report",
                            str(trend)]).exit_code == 0
    converted = tmp_path / "converted"
    profile = (tmp_path / "profile").as_uri()
    for source in (out / "national_summary.xlsx", trend):
        for target in ("pdf", "xlsx:Calc MS Excel 2007 XML"):
            subprocess.run([soffice, f"-env:UserInstallation={profile}", "--headless",
                            "--convert-to", target, "--outdir", str(converted), str(source)],
                           check=True, capture_output=True, timeout=300)
        assert (converted / f"{source.stem}.pdf").stat().st_size > 10_000
    ours = openpyxl.load_workbook(out / "national_summary.xlsx")
    theirs = openpyxl.load_workbook(converted / "national_summary.xlsx")
    assert theirs.sheetnames == ours.sheetnames
    for name in ("League table", "Flags", "Rejected"):
        assert [[c.value for c in row] for row in theirs[name].iter_rows()] == \
            [[c.value for c in row] for row in ours[name].iter_rows()], name
    assert "Trend" in openpyxl.load_workbook(converted / "trend.xlsx").sheetnames


def test_feedback_names_are_safe_and_unique(inbox, tmp_path):
    out = tmp_path / "out"
    _run(inbox, out)
    names = sorted(p.name for p in (out / "feedback").iterdir())
    assert "etc_passwd.xlsx" in names and "_CON.xlsx" in names
    # One feedback workbook per current return: the superseded file gets none.
    assert "Thames Valley.xlsx" in names and "Thames Valley (2).xlsx" not in names
    assert all(p.parent == out / "feedback" for p in (out / "feedback").iterdir())
    assert not (tmp_path / "etc").exists()
    feedback = openpyxl.load_workbook(out / "feedback" / "Humberside.xlsx")
    assert feedback.sheetnames == ["Summary", "Peers", "Flags"]


@pytest.mark.parametrize(
    ("name", "stem"),
    [("../../etc/passwd", "etc_passwd"), ("CON", "_CON"), ("con.txt", "_con.txt"),
     ("a/b\\c:d", "a_b_c_d"), ("...", "trust"), ("", "trust"), ("LPT1", "_LPT1"),
     ("Avon and Somerset", "Avon and Somerset")],
)
def test_safe_stem(name, stem):
    assert safe_stem(name) == stem


def test_unique_stems_are_case_insensitive():
    assert unique_stems(["Kent", "kent", "Kent"]) == ["Kent", "kent (2)", "Kent (3)"]


def _old_unique_stems(names: list[str]) -> list[str]:
    """The first, plainly quadratic version: the reference for the faster one."""
    taken: set[str] = set()
    stems = []
    for name in names:
        base = safe_stem(name)
        stem, n = base, 2
        while stem.lower() in taken:
            stem = f"{base} ({n})"
            n += 1
        taken.add(stem.lower())
        stems.append(stem)
    return stems


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["Kent", "kent", "KENT", "Kent (2)", "Kent (3)", "kent (2) (2)",
                                 "Avon", "Avon (2)", "", "..", "CON"]), max_size=40))
def test_unique_stems_number_as_the_first_version_did(names):
    assert unique_stems(names) == _old_unique_stems(names)


def test_second_run_skips_everything_unchanged(inbox, tmp_path, monkeypatch):
    out = tmp_path / "out"
    first = _run(inbox, out)
    placed = sorted(p.name for p in (out / "feedback").iterdir())
    second = _run(inbox, out)
    assert all(o.cached for o in second.scored)
    assert [o.result for o in second.scored] == [o.result for o in first.scored]
    # Feedback is written afresh (its Peers sheet depends on every return) from the cached
    # results: the same workbooks under the same names, nothing scored again.
    assert sorted(p.name for p in (out / "feedback").iterdir()) == placed
    forced = _run(inbox, out, force=True)
    assert not any(o.cached for o in forced.scored)


def test_other_versions_entries_are_pruned_once_unused_for_a_day(inbox, tmp_path, monkeypatch):
    out = tmp_path / "out"
    cache = out / runner.CACHE_DIR
    monkeypatch.setattr(runner, "scoring_fingerprint", lambda: "0ld0ld0ld0ld0ld0")
    _run(inbox, out)  # an older version of the program
    old_workbooks = sorted(cache.glob("*-0ld0ld0ld0ld0ld0-*.xlsx"))
    monkeypatch.undo()
    _run(inbox, out)
    current = sorted(cache.glob(f"*-{runner.scoring_fingerprint()}-*.xlsx"))
    # The journals and files of versions before the database, and an orphaned workbook.
    before_database = [cache / "journal-00000000000000000001-1-abcd.jsonl",
                       cache / f"{'b' * 40}-{runner.scoring_fingerprint()}.json",
                       cache / f"{'a' * 40}-ffffffffffffffff.xlsx"]
    recent_orphan = cache / f"{'c' * 40}-eeeeeeeeeeeeeeee.xlsx"
    for path in (*before_database, recent_orphan):
        path.write_bytes(b"x")
    two_days_ago = time.time() - 2 * 86400
    for path in (*before_database, *current, *old_workbooks):
        os.utime(path, (two_days_ago, two_days_ago))
    entries = cached_entries(cache, "0ld0ld0ld0ld0ld0")
    assert entries == cached_entries(cache, runner.scoring_fingerprint()) > len(old_workbooks)
    # Still used today by the old version: kept, though its files are old.
    _run(inbox, out)
    assert cached_entries(cache, "0ld0ld0ld0ld0ld0") == entries
    assert all(p.exists() for p in old_workbooks)
    with sqlite3.connect(cache / cache_module.DB_NAME) as db:
        db.execute("UPDATE entries SET used_at = ? WHERE fingerprint = ?",
                   (two_days_ago, "0ld0ld0ld0ld0ld0"))
    db.close()
    rerun = _run(inbox, out)
    assert all(o.cached for o in rerun.scored)
    assert cached_entries(cache, "0ld0ld0ld0ld0ld0") == 0
    assert not any(p.exists() for p in (*old_workbooks, *before_database))
    # Entries of this version are never pruned, however old their files; a recent orphan may
    # be a running batch's workbook whose row is not committed yet.
    assert recent_orphan.exists() and all(path.exists() for path in current)
    assert cached_entries(cache, runner.scoring_fingerprint()) == entries


def test_no_worker_outlives_the_batch(inbox, tmp_path):
    """The pool winds down while the report is written, but is gone when run_batch returns,
    whether the report was written or failed."""
    assert multiprocessing.active_children() == []
    _run(inbox, tmp_path / "out", force=True)
    assert multiprocessing.active_children() == []

    def failing_report(outcomes, path):
        raise OSError(28, "No space left on device")

    result = runner.run_batch(inbox, tmp_path / "out2", write_report=failing_report, jobs=2)
    assert "No space left" in (result.write_error or "")
    assert multiprocessing.active_children() == []
    assert not [t for t in threading.enumerate() if t.name == "xl-localism-pool-join"]


def test_empty_folder_and_bad_output_folder(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(runner.BatchSetupError, match="no workbooks found in"):
        _run(empty, tmp_path / "out")
    assert not (tmp_path / "out" / "national_summary.xlsx").exists()
    cli = CliRunner()
    outcome = cli.invoke(app, ["batch", str(empty), "--out", str(tmp_path / "o")])
    assert outcome.exit_code == 2 and f"no workbooks found in {empty}" in \
        " ".join(outcome.output.split())
    assert "Scoring" not in outcome.output  # no empty progress bar after the error
    # A missing folder is blamed as such, even with a history in a folder not made yet.
    outcome = cli.invoke(app, ["batch", str(tmp_path / "missing"), "--out", str(tmp_path / "o"),
                               "--history", str(tmp_path / "new" / "history.sqlite")])
    assert outcome.exit_code == 2 and "does not exist" in outcome.output
    assert "history" not in outcome.output and "Scoring" not in outcome.output
    blocker = tmp_path / "file"
    blocker.write_text("x")
    outcome = cli.invoke(app, ["batch", str(empty), "--out", str(blocker / "sub")])
    assert outcome.exit_code == 2 and "cannot write" in outcome.output


def test_a_file_that_disappears_is_rejected_not_fatal(inbox, tmp_path, monkeypatch):
    real = runner.find_submissions

    def vanishing(root: Path, exclude: Path | None = None):
        found = real(root, exclude)
        return type(found)([*found.submissions, root / "gone.xlsx"], found.unsupported)

    monkeypatch.setattr(runner, "find_submissions", vanishing)
    result = _run(inbox, tmp_path / "out")
    assert "moved" in {o.source: o.rejected for o in result.rejected}["gone.xlsx"]


def _crash_on_cumbria(path: str, content_hash: str) -> dict:
    if "cumbria" in path:
        os._exit(3)  # a worker dying mid-file, as an out-of-memory kill would
    return ORIGINAL_PROCESS(path, content_hash)


ORIGINAL_PROCESS = runner.process_submission


@pytest.mark.slow  # subprocesses
def test_a_killed_worker_rejects_one_file_and_the_rerun_completes(inbox, tmp_path, monkeypatch):
    out = tmp_path / "out"
    monkeypatch.setattr(runner, "process_submission", _crash_on_cumbria)
    crashed = _run(inbox, out)
    reasons = {o.source: o.rejected for o in crashed.rejected}
    assert "stopped unexpectedly" in reasons[str(Path("North") / "cumbria.xlsx")]
    assert len(crashed.scored) == 6  # every other file still scored

    monkeypatch.setattr(runner, "process_submission", ORIGINAL_PROCESS)
    rerun = _run(inbox, out)
    assert len(rerun.scored) == 7
    fresh = _run(inbox, tmp_path / "fresh")
    assert [o.result for o in rerun.scored] == [o.result for o in fresh.scored]


def _slow_first_file(path: str, content_hash: str) -> dict:
    if path.endswith("000.xlsx"):
        time.sleep(3)  # a file that takes a worker far longer than the rest
    return ORIGINAL_PROCESS(path, content_hash)


@pytest.mark.slow  # subprocesses, and a file that takes seconds
def test_a_slow_file_does_not_hold_back_the_files_after_it(samples, tmp_path, monkeypatch):
    folder = tmp_path / "many"
    folder.mkdir()
    for n in range(12):  # more than the few a worker has queued at once
        write_tables(folder / f"{n:03d}.xlsx", sample_tables(samples[n % len(samples)]))
    monkeypatch.setattr(runner, "process_submission", _slow_first_file)
    settled: list[str] = []
    result = runner.run_batch(folder, tmp_path / "out", jobs=2,
                              on_progress=lambda outcome: settled.append(outcome.source))
    assert len(result.scored) == 12
    # The other worker went on with the files after it, and their results were taken as they
    # came: the slow file, scheduled first, is settled last.
    assert settled[-1] == "000.xlsx"


@pytest.mark.skipif(sys.platform == "win32", reason="process groups and SIGKILL")
@pytest.mark.slow
def test_killing_the_whole_batch_then_rerunning(tmp_path, samples):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for index in range(24):
        write_tables(inbox / f"trust-{index:02}.xlsx",
                     _renamed(sample_tables(samples[index % 4]), f"Trust {index:02}"))
    out = tmp_path / "out"
    command = [sys.executable, "-m", "xl_localism.cli", "batch", str(inbox), "--out", str(out),
               "--jobs", "1"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    cache = out / runner.CACHE_DIR
    deadline = time.monotonic() + 120
    # Results are committed together every half second: killed after the first commit.
    while time.monotonic() < deadline and cached_entries(cache) < 1:
        time.sleep(0.02)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    done_before = cached_entries(cache)
    assert 1 <= done_before < 24, "the batch was not killed part-way"

    finished = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert finished.returncode == 0, finished.stdout + finished.stderr
    assert not list(out.rglob(".*.tmp")), "temporary files left behind"
    league = list(openpyxl.load_workbook(out / "national_summary.xlsx")["League table"]
                  .iter_rows(min_row=2, values_only=True))
    assert len(league) == 24
    fresh = _run(inbox, tmp_path / "fresh")
    expected = {o.result["trust"]: o.result["score"] for o in fresh.scored}
    assert {row[1]: row[LEAGUE_HEADERS.index("Score")] for row in league} == expected


def test_history_records_once_and_the_trend_command(inbox, tmp_path):
    history = tmp_path / "history.sqlite"
    cli = CliRunner()
    args = ["batch", str(inbox), "--out", str(tmp_path / "out"), "--history", str(history),
            "--jobs", "2"]
    assert cli.invoke(app, args).exit_code == 1  # some files are rejected
    assert cli.invoke(app, [*args, "--force"]).exit_code == 1
    from xl_localism import history as store

    rows = store.trend(str(history))
    thames = [r for r in rows if r["trust"] == "Thames Valley"]
    assert len(thames) == 1  # two identical workbooks, one trust and quarter, recorded once
    outcome = cli.invoke(app, ["trend", "--history", str(history), "--trust", "Humberside",
                               "--report", str(tmp_path / "trend.xlsx")])
    assert outcome.exit_code == 0 and "Humberside" in outcome.output
    trend_sheet = openpyxl.load_workbook(tmp_path / "trend.xlsx")["Trend"]
    assert trend_sheet._charts


def test_an_xls_is_refused_in_the_same_words_by_score_and_by_a_batch(tmp_path):
    from xl_localism.batch.discover import not_a_workbook
    from xl_localism.workbook.package import OLD_XLS_REASON, inspect_package
    from xl_localism.workbook.reader import WorkbookError

    old = tmp_path / "old.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)
    with pytest.raises(WorkbookError) as refused:
        inspect_package(old)
    assert OLD_XLS_REASON in str(refused.value)
    assert not_a_workbook("return.XLS") == OLD_XLS_REASON
    assert "save it as an Excel Workbook (.xlsx)" in OLD_XLS_REASON
