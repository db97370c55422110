"""The batch cache database: results follow the code and the bytes, and no fault with the
database ever gives a wrong result or stops a batch.

Faults covered elsewhere: kill -9 of the whole batch (test_batch.py), Ctrl-C, a full disk while
the database is written and an entry damaged before the report (test_faults.py).
"""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
import zlib
from pathlib import Path

import pytest
from typer.testing import CliRunner

import xl_localism
from tests.conftest import cached_entries, sample_tables, write_tables
from xl_localism.batch import cache as cache_module
from xl_localism.batch import runner
from xl_localism.batch.national import write_national_report
from xl_localism.cli import app
from xl_localism.workbook import reader

PACKAGE = Path(xl_localism.__file__).parent


def _inbox(folder: Path, samples, count: int = 4) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for index in range(count):
        tables = sample_tables(samples[index % len(samples)])
        headers, rows = tables["about"]
        tables["about"] = (headers, [[r[0], f"Trust {index:02}"] if r[0] == "Trust" else r
                                     for r in rows])
        write_tables(folder / f"trust-{index:02}.xlsx", tables)
    return folder


def _run(inbox: Path, out: Path, **kwargs) -> runner.BatchResult:
    return runner.run_batch(inbox, out, write_report=write_national_report, jobs=2, **kwargs)


def _results(batch: runner.BatchResult) -> dict[str, dict]:
    return {o.source: o.result for o in batch.scored}


def _database(out: Path) -> Path:
    return out / runner.CACHE_DIR / cache_module.DB_NAME


def _copy_of_the_package(target: Path) -> Path:
    shutil.copytree(PACKAGE, target / "xl_localism",
                    ignore=shutil.ignore_patterns("__pycache__"))
    return target / "xl_localism"


def _change_a_scoring_rule(package: Path) -> None:
    """An item in progress counts 0.75 instead of 0.5 (engine.STATUS_VALUE)."""
    engine = package / "engine.py"
    text, changed = re.subn(r"(Status\.IN_PROGRESS: )[0-9.]+", r"\g<1>0.75",
                            engine.read_text(encoding="utf-8"), count=1)
    assert changed == 1, "engine.STATUS_VALUE has moved: change another rule here"
    engine.write_text(text, encoding="utf-8")


# --- results follow the code ---------------------------------------------------------------

def test_the_fingerprint_is_of_every_file_of_the_package(tmp_path):
    copy = _copy_of_the_package(tmp_path)
    assert cache_module.code_fingerprint(copy) == cache_module.code_fingerprint() \
        == runner.scoring_fingerprint()
    _change_a_scoring_rule(copy)
    changed_rule = cache_module.code_fingerprint.__wrapped__(copy)
    assert changed_rule != cache_module.code_fingerprint()

    # A layout, a catalogue row and a file's place all count too, not only the engine.
    for change in ("layout.py", "catalogue/national_indicators.csv", "moved"):
        other = _copy_of_the_package(tmp_path / change.replace("/", "-"))
        if change == "moved":
            (other / "engine.py").rename(other / "workbook" / "engine.py")
        else:
            with (other / change).open("a", encoding="utf-8") as file:
                file.write("\n")
        assert cache_module.code_fingerprint(other) != cache_module.code_fingerprint()

    # Cached bytecode is not the code: the same source gives the same fingerprint.
    (copy / "__pycache__").mkdir(exist_ok=True)
    (copy / "__pycache__" / "engine.cpython-311.pyc").write_bytes(b"stale")
    assert cache_module.code_fingerprint.__wrapped__(copy) == changed_rule


def test_the_running_package_is_the_one_fingerprinted(tmp_path):
    copy = _copy_of_the_package(tmp_path)
    _change_a_scoring_rule(copy)
    printed = subprocess.run(
        [sys.executable, "-c", "from xl_localism.batch.runner import scoring_fingerprint; "
                               "import xl_localism; print(scoring_fingerprint(), "
                               "xl_localism.__file__)"],
        env={**os.environ, "PYTHONPATH": str(tmp_path)}, cwd=tmp_path, capture_output=True,
        text=True, check=True).stdout.split()
    assert Path(printed[1]).parent == copy  # the copy ran, not the installed package
    assert printed[0] == cache_module.code_fingerprint(copy) != runner.scoring_fingerprint()


@pytest.mark.slow  # subprocesses
def test_changing_a_scoring_rule_rescores_every_file(tmp_path, samples):
    """The same folder batched by this code, then by code with one rule changed, then by this
    code again: the changed code reuses nothing (its scores differ), and this code's entries
    are still there for it."""
    inbox, out = _inbox(tmp_path / "inbox", samples), tmp_path / "out"
    first = _run(inbox, out)
    assert len(first.scored) == 4 and not any(o.cached for o in first.scored)

    copy = _copy_of_the_package(tmp_path / "upgraded")
    _change_a_scoring_rule(copy)
    upgraded = subprocess.run(
        [sys.executable, "-m", "xl_localism.cli", "batch", str(inbox), "--out", str(out),
         "--jobs", "2"],
        env={**os.environ, "PYTHONPATH": str(tmp_path / "upgraded"), "COLUMNS": "200"},
        cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert upgraded.returncode == 0, upgraded.stdout + upgraded.stderr
    assert "unchanged 0" in upgraded.stdout  # the progress line: nothing was reused

    new_fingerprint = cache_module.code_fingerprint(copy)
    cache = out / runner.CACHE_DIR
    assert cached_entries(cache, new_fingerprint) == cached_entries(
        cache, runner.scoring_fingerprint()) == 4
    with sqlite3.connect(_database(out)) as db:
        scores = {fingerprint: sorted(json.loads(outcome)["result"]["score"]
                                      for fingerprint, outcome in rows)
                  for fingerprint, rows in [
                      (f, db.execute("SELECT fingerprint, outcome FROM entries WHERE "
                                     "fingerprint = ?", (f,)).fetchall())
                      for f in (new_fingerprint, runner.scoring_fingerprint())]}
    db.close()
    assert scores[new_fingerprint] != scores[runner.scoring_fingerprint()], \
        "the changed rule changed no score: the old results would have been wrong to reuse"

    again = _run(inbox, out)
    assert all(o.cached for o in again.scored)
    assert _results(again) == _results(first)


def test_two_fingerprints_never_reuse_each_others_entries(tmp_path, samples, monkeypatch):
    inbox, out = _inbox(tmp_path / "inbox", samples), tmp_path / "out"
    first = _run(inbox, out)
    monkeypatch.setattr(runner, "scoring_fingerprint", lambda: "another-version0")
    other = _run(inbox, out)
    assert not any(o.cached for o in other.scored)
    assert _results(other) == _results(first)
    monkeypatch.undo()
    assert all(o.cached for o in _run(inbox, out).scored)


# --- only what was computed from the hashed bytes is cached ---------------------------------

def test_a_file_rewritten_during_the_run_is_not_remembered_as_rejected(tmp_path, samples,
                                                                      monkeypatch):
    """A file being saved as the batch reads it: cut short while it is read, it fails as a
    damaged zip. That says nothing about the complete file the parent hashed: once the file
    is whole again, it must be scored, not rejected from the cache."""
    inbox, out = _inbox(tmp_path / "inbox", samples, 3), tmp_path / "out"
    late = inbox / "trust-01.xlsx"
    whole = late.read_bytes()
    real_read = reader.read_workbook

    def saved_meanwhile(path, *args, **kwargs):
        if Path(path) == late:
            late.write_bytes(whole[: len(whole) // 2])  # another program rewriting it
        return real_read(path, *args, **kwargs)

    # Workers are forked from this process, so they read through this.
    monkeypatch.setattr(reader, "read_workbook", saved_meanwhile)
    during = _run(inbox, out)
    monkeypatch.undo()
    assert {o.source: o.rejected for o in during.rejected} == {
        "trust-01.xlsx": runner.CHANGED_WHILE_READ}
    assert cached_entries(out / runner.CACHE_DIR) == 2  # nothing about either version of it

    late.write_bytes(whole)
    after = _run(inbox, out)
    assert not after.rejected and len(after.scored) == 3
    assert {o.source: o.cached for o in after.scored} == {
        "trust-00.xlsx": True, "trust-01.xlsx": False, "trust-02.xlsx": True}


@pytest.mark.parametrize("change", ["replaced", "removed"])
def test_a_file_changed_between_hashing_and_reading_is_not_cached_either(tmp_path, samples,
                                                                        monkeypatch, change):
    inbox, out = _inbox(tmp_path / "inbox", samples, 2), tmp_path / "out"
    late = inbox / "trust-01.xlsx"
    real_hash, parent = runner.file_hash, os.getpid()

    def changed_after_hashing(path):
        digest = real_hash(path)
        if os.getpid() == parent and Path(path) == late:
            if change == "replaced":
                late.write_bytes(b"not a workbook any more")
            else:
                late.unlink()
        return digest

    monkeypatch.setattr(runner, "file_hash", changed_after_hashing)
    during = _run(inbox, out)
    monkeypatch.undo()
    expected = (runner.CHANGED_WHILE_READ if change == "replaced" else
                "could not be read again (No such file or directory); was it moved? It will "
                "be scored on the next run")
    assert [o.rejected for o in during.rejected] == [expected]
    assert cached_entries(out / runner.CACHE_DIR) == 1


def test_a_read_error_is_not_remembered_as_a_fact_about_the_file(tmp_path, samples,
                                                                 monkeypatch):
    inbox, out = _inbox(tmp_path / "inbox", samples, 2), tmp_path / "out"
    real_read = reader.read_workbook

    def flaky_share(path, *args, **kwargs):
        if Path(path).name == "trust-01.xlsx":
            raise OSError(errno.EIO, os.strerror(errno.EIO), str(path))
        return real_read(path, *args, **kwargs)

    monkeypatch.setattr(reader, "read_workbook", flaky_share)
    during = _run(inbox, out)
    monkeypatch.undo()
    assert "Input/output error" in during.rejected[0].rejected
    assert cached_entries(out / runner.CACHE_DIR) == 1
    after = _run(inbox, out)
    assert len(after.scored) == 2 and not after.rejected


def test_a_genuine_rejection_is_remembered(tmp_path, samples):
    inbox, out = _inbox(tmp_path / "inbox", samples, 1), tmp_path / "out"
    (inbox / "minutes.xlsx").write_text("board minutes")
    first = _run(inbox, out)
    assert [o.source for o in first.rejected] == ["minutes.xlsx"]
    assert cached_entries(out / runner.CACHE_DIR) == 2
    again = _run(inbox, out)
    assert [o.rejected for o in again.rejected] == [o.rejected for o in first.rejected]


def test_an_entry_without_its_assessment_is_scored_again(tmp_path, samples):
    """The feedback workbook is written from the entry's assessment each run: a result
    without one (its checksum right) could not give the trust its feedback."""
    inbox, out = _inbox(tmp_path / "inbox", samples, 2), tmp_path / "out"
    first = _run(inbox, out)
    entry = first.scored[0]
    cache = cache_module.ResultCache.open(out / runner.CACHE_DIR, runner.scoring_fingerprint())
    cache.store(entry.content_hash, json.dumps(cache.read(entry.content_hash)))  # no assessment
    cache.close()
    again = _run(inbox, out)
    assert {o.source: o.cached for o in again.scored} == {entry.source: False,
                                                         first.scored[1].source: True}
    assert _results(again) == _results(first)
    assert all(o.cached for o in _run(inbox, out).scored)


def _schema_1_database(path: Path, content_hash: str, fingerprint: str,
                       workbook: str) -> None:
    """A cache database as the previous schema wrote it: each result's row named a feedback
    workbook kept beside it. Its one row claims a wrong score for a file of this batch, with
    this code's fingerprint."""
    outcome = json.dumps({"result": {"score": 1.0, "trust": "Wrong"}})
    head = f"{content_hash}\t{fingerprint}\t{workbook}\t{'0' * 64}\t".encode()
    with sqlite3.connect(path) as db:
        db.execute("""CREATE TABLE entries (
            content_hash TEXT NOT NULL, fingerprint TEXT NOT NULL, outcome TEXT NOT NULL,
            feedback TEXT, feedback_sha256 TEXT, checksum INTEGER NOT NULL,
            used_at REAL NOT NULL, PRIMARY KEY (content_hash, fingerprint))""")
        db.execute("INSERT INTO entries VALUES (?, ?, ?, ?, ?, ?, ?)",
                   (content_hash, fingerprint, outcome, workbook, "0" * 64,
                    zlib.crc32(outcome.encode(), zlib.crc32(head)), time.time()))
        db.execute("PRAGMA user_version = 1")
    db.close()


@pytest.mark.parametrize("where", ["beside the new one", "at the new one's name"])
def test_a_cache_of_the_previous_schema_is_never_read(tmp_path, samples, where):
    """Its entries are not this schema's: the batch scores afresh and never crashes. Beside
    the new database it is left to the program that wrote it while that is used on the
    folder, with its workbooks, and pruned a day after; at the new one's name it is set
    aside."""
    inbox, out = _inbox(tmp_path / "inbox", samples, 2), tmp_path / "out"
    fresh = _results(_run(inbox, tmp_path / "fresh"))
    cache = out / runner.CACHE_DIR
    cache.mkdir(parents=True)
    content_hash = runner.file_hash(inbox / "trust-00.xlsx")
    workbook = f"{content_hash[:40]}-{runner.scoring_fingerprint()}-0123abcd.xlsx"
    (cache / workbook).write_bytes(b"a workbook of schema 1")
    old = cache / ("results-v1.sqlite" if where == "beside the new one" else
                   cache_module.DB_NAME)
    _schema_1_database(old, content_hash, runner.scoring_fingerprint(), workbook)
    code, output = _batch_cli(inbox, out)
    assert code == 0, output
    assert "Traceback" not in output
    again = _run(inbox, out)
    assert _results(again) == fresh
    assert all(o.cached for o in again.scored)
    if where == "at the new one's name":
        assert "was damaged: it was set aside and started afresh" in output
        assert _database(out).with_name(f"{cache_module.DB_NAME}.damaged").exists()
        return
    assert "batch cache" not in output
    # The older program may still be used on this folder today: its files stay.
    two_days_ago = time.time() - 2 * 86400
    os.utime(cache / workbook, (two_days_ago, two_days_ago))
    _run(inbox, out)
    assert old.exists() and (cache / workbook).exists()
    # Untouched for a day: gone, with its workbooks.
    os.utime(old, (two_days_ago, two_days_ago))
    assert all(o.cached for o in _run(inbox, out).scored)
    assert not old.exists() and not (cache / workbook).exists()


# --- faults of the database itself ----------------------------------------------------------

def _batch_cli(inbox: Path, out: Path) -> tuple[int, str]:
    outcome = CliRunner().invoke(app, ["batch", str(inbox), "--out", str(out), "--jobs", "2"],
                                 terminal_width=400)
    return outcome.exit_code, outcome.output


def _another_programs_database(path: Path) -> None:
    path.unlink()
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE notes (text)")
    db.close()


def _another_schema_version(path: Path) -> None:
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version = {cache_module.SCHEMA_VERSION + 1}")
    db.close()


DAMAGE = {
    "overwritten with garbage": lambda path: path.write_bytes(os.urandom(64 * 1024)),
    "cut short": lambda path: path.write_bytes(path.read_bytes()[:6000]),
    "emptied": lambda path: path.write_bytes(b""),
    "another program's database": _another_programs_database,
    "another schema version at this name": _another_schema_version,
}


# One kind of damage in the fast loop; every kind in the full run (three batches each).
@pytest.mark.parametrize("damage", [
    pytest.param(name, marks=() if index == 0 else pytest.mark.slow)
    for index, name in enumerate(DAMAGE)])
def test_a_damaged_database_is_set_aside_and_the_batch_scores_afresh(tmp_path, samples,
                                                                     damage):
    inbox, out = _inbox(tmp_path / "inbox", samples), tmp_path / "out"
    fresh = _run(inbox, tmp_path / "fresh")
    _run(inbox, out)
    DAMAGE[damage](_database(out))
    code, output = _batch_cli(inbox, out)
    assert code == 0, output
    assert "Traceback" not in output and str(tmp_path) not in output.split("Report:")[0]
    rerun = _run(inbox, out)
    assert _results(rerun) == _results(fresh)
    if damage != "emptied":  # an empty file is an empty database, not a damaged one
        assert "was damaged: it was set aside and started afresh" in output
        assert _database(out).with_name(f"{cache_module.DB_NAME}.damaged").exists()
    assert all(o.cached for o in rerun.scored)  # the new database is in use at once


def test_a_database_damaged_mid_run_costs_reuse_not_results(tmp_path, samples, monkeypatch):
    inbox, out = _inbox(tmp_path / "inbox", samples), tmp_path / "out"
    first = _results(_run(inbox, out))
    real_lookup = cache_module.ResultCache.lookup

    def damaged_under_it(self, content_hash):
        _database(out).write_bytes(b"garbage " * 1024)
        return real_lookup(self, content_hash)

    monkeypatch.setattr(cache_module.ResultCache, "lookup", damaged_under_it)
    during = _run(inbox, out)
    monkeypatch.undo()
    assert not any(o.cached for o in during.scored) and _results(during) == first
    assert "could not be used (it is damaged)" in (during.cache_note or "")
    # Set aside at the end of that run: the next starts afresh, then reuses.
    assert not any(o.cached for o in _run(inbox, out).scored)
    assert all(o.cached for o in _run(inbox, out).scored)


@pytest.mark.slow  # another process holds the lock
def test_a_database_locked_by_another_program(tmp_path, samples, monkeypatch):
    inbox, out = _inbox(tmp_path / "inbox", samples), tmp_path / "out"
    first = _run(inbox, out)
    monkeypatch.setattr(cache_module, "BUSY_TIMEOUT_SECONDS", 0.2)
    holder = sqlite3.connect(_database(out), isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # as a DB browser or a backup tool might
    try:
        code, output = _batch_cli(inbox, out)
        locked = _run(inbox, out)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert code == 0, output
    said = " ".join(output.split())
    assert said.count("batch cache") == 1
    assert (f"note: The batch cache (.xl-localism-cache/{cache_module.DB_NAME}) could not be "
            "used (it is locked by another program): the results are complete, but 4 file(s) "
            "will be scored again on the next run.") in said
    assert not any(o.cached for o in locked.scored) and _results(locked) == _results(first)
    assert not _database(out).with_name(f"{cache_module.DB_NAME}.damaged").exists()
    assert all(o.cached for o in _run(inbox, out).scored)


def test_a_batch_killed_mid_commit_leaves_a_journal_that_is_rolled_back(tmp_path, samples):
    """kill -9 while the database is half rewritten: the rollback journal holds the pages as
    they were, and the next connection puts them back before reading anything."""
    inbox, out = _inbox(tmp_path / "inbox", samples), tmp_path / "out"
    first = _run(inbox, out)
    cache = out / runner.CACHE_DIR
    script = textwrap.dedent("""
        import os, signal, sys
        from pathlib import Path
        from xl_localism.batch.cache import ResultCache

        cache = ResultCache.open(Path(sys.argv[1]), sys.argv[2])
        real = cache._db
        real.execute("PRAGMA cache_size = 1")  # spill changed pages to the file before COMMIT

        class DiesAtCommit:
            def __getattr__(self, name):
                return getattr(real, name)

            def execute(self, sql, *args):
                if sql == "COMMIT":
                    os.kill(os.getpid(), signal.SIGKILL)
                return real.execute(sql, *args)

        cache._db = DiesAtCommit()
        rows = real.execute("SELECT content_hash FROM entries").fetchall()
        for (content_hash,) in rows:
            cache._unsaved[content_hash] = ('{"rejected": "wrong"}', None)
        cache.flush()
    """)
    killed = subprocess.run([sys.executable, "-c", script, str(cache),
                             runner.scoring_fingerprint()], capture_output=True, timeout=60)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert Path(f"{_database(out)}-journal").exists(), "no hot journal: nothing was tested"
    rerun = _run(inbox, out)
    assert all(o.cached for o in rerun.scored) and _results(rerun) == _results(first)
    with sqlite3.connect(_database(out)) as db:
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert db.execute("SELECT count(*) FROM entries WHERE outcome LIKE '%wrong%'"
                          ).fetchall() == [(0,)]
    db.close()


@pytest.mark.parametrize("column", ["outcome", "assessment"])
def test_an_entry_whose_value_was_damaged_is_scored_again(tmp_path, samples, column):
    inbox, out = _inbox(tmp_path / "inbox", samples, 2), tmp_path / "out"
    first = _run(inbox, out)
    with sqlite3.connect(_database(out)) as db:
        # Still valid JSON, a different score: only the row's checksum can tell.
        changed = db.execute(f"UPDATE entries SET {column} = replace({column}, '\"score\": ', "
                             "'\"score\": 1') WHERE rowid = (SELECT min(rowid) FROM entries)")
        assert changed.rowcount == 1
    db.close()
    again = _run(inbox, out)
    assert sorted(o.cached for o in again.scored) == [False, True]
    assert _results(again) == _results(first)
