"""Faults during a batch: each leaves the previous outputs intact, says what happened, and a rerun
completes.

A worker killed mid-file is covered in test_batch.py
(test_a_killed_worker_rejects_one_file_and_the_rerun_completes, and the whole batch killed with
SIGKILL in test_killing_the_whole_batch_then_rerunning).
"""

from __future__ import annotations

import builtins
import errno
import hashlib
import io
import multiprocessing
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from typer.testing import CliRunner

from tests.conftest import cached_entries, sample_tables, write_tables
from xl_localism.batch import cache as cache_module
from xl_localism.batch import runner
from xl_localism.batch.lock import LOCK_NAME
from xl_localism.cli import app


def _trust_tables(samples, index: int) -> dict:
    tables = sample_tables(samples[index % len(samples)])
    headers, rows = tables["about"]
    tables["about"] = (headers, [[r[0], f"Trust {index:02}"] if r[0] == "Trust" else r
                                 for r in rows])
    return tables


def _inbox(folder: Path, samples, count: int, start: int = 0) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for index in range(start, start + count):
        write_tables(folder / f"trust-{index:02}.xlsx", _trust_tables(samples, index))
    return folder


def _digests(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and runner.CACHE_DIR not in p.parts
            and p.name != LOCK_NAME}  # the lock file names the batch holding it


def _strays(folder: Path) -> list[Path]:
    return list(folder.rglob(".*.tmp"))


def _league_rows(out: Path) -> int:
    league = openpyxl.load_workbook(out / runner.REPORT_NAME)["League table"]
    return sum(1 for _ in league.iter_rows(min_row=2, values_only=True))


def _batch(inbox: Path, out: Path) -> tuple[int, str]:
    outcome = CliRunner().invoke(app, ["batch", str(inbox), "--out", str(out), "--jobs", "2"])
    return outcome.exit_code, outcome.output


@pytest.fixture
def previous_run(tmp_path, samples) -> tuple[Path, Path, dict[str, str]]:
    """A folder already batched once, then one more submission arrives."""
    inbox = _inbox(tmp_path / "inbox", samples, 4)
    out = tmp_path / "out"
    code, output = _batch(inbox, out)
    assert code == 0, output
    before = _digests(out)
    _inbox(inbox, samples, 1, start=4)
    return inbox, out, before


def test_disk_full_while_writing_the_report(previous_run, monkeypatch):
    inbox, out, before = previous_run
    real_close = xlsxwriter.Workbook.close

    def disk_full(workbook):
        real_close(workbook)
        filename = workbook.filename
        if runner.REPORT_NAME.removesuffix(".xlsx") in str(filename):
            # The disk filled up as the report was being finished: half of it is on disk.
            with open(filename, "r+b") as written:
                written.truncate(os.path.getsize(filename) // 2)
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(filename))

    monkeypatch.setattr(xlsxwriter.Workbook, "close", disk_full)
    code, output = _batch(inbox, out)
    assert code == 2, output
    assert "No space left on device" in output and "unchanged" in output
    after = _digests(out)
    assert {name: after.get(name) for name in before} == before, "a previous output changed"
    assert not _strays(out)

    monkeypatch.setattr(xlsxwriter.Workbook, "close", real_close)
    code, output = _batch(inbox, out)
    assert code == 0, output
    assert _league_rows(out) == 5


def test_disk_full_while_a_feedback_workbook_is_written(previous_run, monkeypatch):
    """The workers write the feedback workbooks (the pool is running: the new file was scored
    in it). A full disk there leaves the previous outputs, and what was scored is kept."""
    inbox, out, before = previous_run
    real_close = xlsxwriter.Workbook.close

    def disk_full(workbook):
        filename = str(workbook.filename)
        real_close(workbook)
        if "Trust 04" in Path(filename).name:  # the new return's feedback, in the staged folder
            with open(filename, "r+b") as written:
                written.truncate(os.path.getsize(filename) // 2)
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), filename)

    # Workers are forked from this process, so they inherit the failing write.
    monkeypatch.setattr(xlsxwriter.Workbook, "close", disk_full)
    code, output = _batch(inbox, out)
    assert code == 2, output
    assert "No space left on device" in output and "unchanged" in output
    after = _digests(out)
    assert {name: after.get(name) for name in before} == before, "a previous output changed"
    assert not _strays(out)
    # What was scored is kept: the rerun scores nothing again.
    assert cached_entries(out / runner.CACHE_DIR) == 5
    monkeypatch.undo()
    _a_rerun_completes(inbox, out)


def _a_rerun_completes(inbox: Path, out: Path) -> None:
    code, output = _batch(inbox, out)
    assert code == 0, output
    assert _league_rows(out) == 5


def test_disk_full_while_the_cache_database_is_written(previous_run, monkeypatch):
    """SQLite reports a full disk as SQLITE_FULL; a database that may not grow by a page gives
    the same error on the same path. The batch's results are complete and correct, the
    database keeps what it held, and the file is scored again on the rerun."""
    inbox, out, _ = previous_run
    cache = out / runner.CACHE_DIR
    real_connect = cache_module.ResultCache._connect

    def no_room_to_grow(self):
        db = real_connect(self)
        pages = db.execute("PRAGMA page_count").fetchall()[0][0]
        db.execute(f"PRAGMA max_page_count = {pages}").fetchall()
        return db

    monkeypatch.setattr(cache_module.ResultCache, "_connect", no_room_to_grow)
    code, output = _batch(inbox, out)
    assert code == 0, output
    assert _league_rows(out) == 5
    note = " ".join(output.split())
    assert (f"The batch cache (.xl-localism-cache/{cache_module.DB_NAME}) could not be used "
            "(the disk is full): the results are complete, but 1 file(s) will be scored "
            "again") in note
    assert str(out) not in note.split("Report:")[0], "a server path in the message"
    assert not _strays(out)
    monkeypatch.undo()
    with sqlite3.connect(cache / cache_module.DB_NAME) as db:
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    db.close()
    assert cached_entries(cache) == 4  # what it held before, nothing half-written
    fresh = runner.run_batch(inbox, out, jobs=2)
    assert [o.cached for o in fresh.scored] == [True] * 4 + [False]
    assert cached_entries(cache) == 5


@pytest.mark.parametrize("damage", ["one entry", "the whole file"])
def test_a_cache_entry_damaged_before_the_report_fails_it_rather_than_lose_flags(
        previous_run, monkeypatch, damage):
    """The report reads each entry again for its flags; one damaged meanwhile must not give a
    Flags sheet that looks complete without its rows."""
    inbox, out, before = previous_run
    database = out / runner.CACHE_DIR / cache_module.DB_NAME
    real_finish = runner._finish

    def damage_then_finish(outcomes, pending, *args):
        if damage == "one entry":
            # A byte of one result's JSON changed, as a bad sector would: still a valid
            # database, still valid JSON, a different score.
            with sqlite3.connect(database) as db:
                db.execute("UPDATE entries SET outcome = replace(outcome, '\"score\": ', "
                           "'\"score\": 1') WHERE rowid = (SELECT max(rowid) FROM entries "
                           "WHERE outcome LIKE '{\"result\"%')")
            db.close()
        else:
            database.write_bytes(b"garbage " * 512)
        return real_finish(outcomes, pending, *args)

    monkeypatch.setattr(runner, "_finish", damage_then_finish)
    code, output = _batch(inbox, out)
    assert code == 2, output
    assert "could not be read again" in " ".join(output.split())
    after = _digests(out)
    assert {name: after.get(name) for name in before} == before, \
        "a report without some flags replaced the previous one"
    monkeypatch.undo()
    _a_rerun_completes(inbox, out)


def test_output_folder_made_read_only_during_the_batch(previous_run, monkeypatch):
    inbox, out, before = previous_run

    # The folder turns read-only once the batch has checked it can write there.
    checked: list[bool] = []
    real_check = runner._check_output_folder

    def check_then_turn_read_only(out_dir):
        real_check(out_dir)
        checked.append(True)

    monkeypatch.setattr(runner, "_check_output_folder", check_then_turn_read_only)

    def refused_outside_the_cache(real, folder_of):
        """``real``, refused in the report and feedback folders as a read-only folder would
        (the cache and other folders, such as the temporary one, stay writable)."""
        def call(*args, **kwargs):
            folder = Path(folder_of(*args, **kwargs))
            if checked and folder.is_relative_to(out) and runner.CACHE_DIR not in folder.parts:
                raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(folder))
            return real(*args, **kwargs)
        return call

    real_open = io.open

    def opened_outside_the_cache(file, mode="r", *args, **kwargs):
        # Reading is allowed anywhere; a new file is refused where the folder is read-only.
        writing = isinstance(file, (str, os.PathLike)) and any(m in mode for m in "wax+")
        return Path(file).parent if writing else out / runner.CACHE_DIR

    # Every way an output file is made: a file opened for writing (the report and each
    # feedback workbook, by XlsxWriter's zipfile).
    refused_open = refused_outside_the_cache(real_open, opened_outside_the_cache)
    monkeypatch.setattr(io, "open", refused_open)
    monkeypatch.setattr(builtins, "open", refused_open)
    outcome = CliRunner().invoke(app, ["batch", str(inbox), "--out", str(out), "--jobs", "2"])
    code, output = outcome.exit_code, outcome.output
    assert code == 2, (output, outcome.exception)
    assert "Permission denied" in output and "unchanged" in output
    assert _digests(out) == before
    assert not _strays(out)

    monkeypatch.undo()
    code, output = _batch(inbox, out)
    assert code == 0, output
    assert _league_rows(out) == 5


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() == 0,
                    reason="file permissions do not stop root (or Windows ACLs work otherwise); "
                    "the injected PermissionError test above covers the same path")
def test_output_folder_read_only_from_the_start(previous_run):
    inbox, out, before = previous_run
    modes = {p: p.stat().st_mode for p in [out, *out.rglob("*")] if p.is_dir()}
    try:
        for folder in modes:
            folder.chmod(0o555)
        code, output = _batch(inbox, out)
        assert code == 2, output
        assert "cannot write to the output folder" in output
        assert _digests(out) == before
    finally:
        for folder, mode in modes.items():
            folder.chmod(mode)
    code, output = _batch(inbox, out)
    assert code == 0, output


CTRL_C_FILES = 40


def _ctrl_c_heard() -> None:
    """In the batch's process: Ctrl-C as a terminal delivers it. A shell's background job (a
    CI runner's, say) starts with SIGINT ignored, and Python then leaves it ignored."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.skipif(sys.platform == "win32", reason="process groups and SIGINT")
@pytest.mark.slow
def test_ctrl_c_during_a_batch_then_rerunning(tmp_path, samples):
    inbox = _inbox(tmp_path / "inbox", samples, 3)
    out = tmp_path / "out"
    command = [sys.executable, "-m", "xl_localism.cli", "batch", str(inbox), "--out", str(out),
               "--jobs", "1"]
    assert subprocess.run(command, capture_output=True, timeout=300).returncode == 0
    before = _digests(out)
    _inbox(inbox, samples, CTRL_C_FILES - 3, start=3)

    cache = out / runner.CACHE_DIR
    done_before = cached_entries(cache)
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, start_new_session=True, preexec_fn=_ctrl_c_heard)
    deadline = time.monotonic() + 120
    # The first result is committed at once, later ones every half second.
    while time.monotonic() < deadline and cached_entries(cache) < done_before + 1:
        time.sleep(0.02)
    os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C in a terminal sends: the whole group
    output, _ = process.communicate(timeout=120)
    done = cached_entries(cache)
    assert done_before + 1 <= done < CTRL_C_FILES, "the batch was not interrupted part-way"
    assert process.returncode == 130, output
    assert "Interrupted" in output and "Run the same command again" in output
    assert _digests(out) == before, "the previous report or feedback was changed"
    assert not _strays(out)

    finished = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert finished.returncode == 0, finished.stdout + finished.stderr
    assert _league_rows(out) == CTRL_C_FILES
    assert not _strays(out)


def _slow_feedback_job(job) -> None:
    time.sleep(0.2)  # still writing when the report is interrupted
    FEEDBACK_JOB(job)


FEEDBACK_JOB = runner._write_feedback_job


def test_ctrl_c_while_the_report_is_written_beside_the_feedback(previous_run, samples,
                                                                monkeypatch):
    """The workers write the feedback while the report is written: Ctrl-C in the report waits
    for the workbooks in hand, starts no more, and leaves nothing half-placed or running."""
    inbox, out, before = previous_run
    _inbox(inbox, samples, 12, start=5)
    written: list[Path] = []

    def interrupted_report(outcomes, path):
        written.extend(path.parent.glob(".feedback.*.tmp/*.xlsx"))
        raise KeyboardInterrupt

    # Workers are forked from this process: they run the slow job by its name here.
    monkeypatch.setattr(runner, "_write_feedback_job", _slow_feedback_job)
    result = runner.run_batch(inbox, out, write_report=interrupted_report, jobs=2)
    assert result.interrupted and result.report is None
    assert len(written) < 17, "the feedback was not being written beside the report"
    assert all(o.feedback is None for o in result.outcomes)
    assert multiprocessing.active_children() == []
    assert _digests(out) == before and not _strays(out)
    monkeypatch.undo()
    code, output = _batch(inbox, out)
    assert code == 0, output
    assert _league_rows(out) == 17


def test_a_report_written_later_from_the_outcomes_is_the_batchs_report(tmp_path, samples):
    """The report takes each trust's flags from its result (its cache entry), whenever it is
    written: no rows are made ahead of it."""
    from xl_localism.batch.national import write_national_report

    inbox = _inbox(tmp_path / "inbox", samples, 6)
    batch = runner.run_batch(inbox, tmp_path / "out", jobs=2, write_report=write_national_report)
    again = write_national_report(batch.outcomes, tmp_path / "out" / "again.xlsx")
    assert batch.report is not None
    for sheet in ("League table", "Flags", "Rejected"):
        expected = openpyxl.load_workbook(batch.report, read_only=True)[sheet]
        written = openpyxl.load_workbook(again, read_only=True)[sheet]
        assert list(written.values) == list(expected.values), sheet
    flags = list(openpyxl.load_workbook(again, read_only=True)["Flags"].values)
    assert len(flags) > 6
