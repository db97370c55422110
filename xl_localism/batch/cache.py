"""The batch's memory of what it scored: one SQLite database in the output's cache folder.

An entry is keyed by a submission's content hash and the fingerprint of the code that scored it
(:func:`code_fingerprint`), so a result is reused only for the same bytes scored by the same
code. Only the batch's parent process opens the database: workers hand their results back
through the pool, so there is one writer and no lock contention between workers. An entry is
its row and nothing else: the result and the engine's assessment, from which each run writes
the feedback workbook afresh (its Peers sheet changes whenever any return does, so a workbook
kept from the scoring could never be placed as it was). The two are separate columns: the
summary and the report read the result, the feedback workbook the assessment, and each read
parses only its own half (the assessment is parsed by the worker writing the workbook).

Anything wrong with the database (damaged, locked by another program, a full disk) costs the
reuse, never a result: the batch scores afresh, keeps this run's results in memory instead, and
says so in one line (:meth:`ResultCache.note`).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import sqlite3
import threading
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import xl_localism
from xl_localism.workbook.files import remove_if_untouched

# Part of the file name, so a program with another schema uses its own file and two versions
# of the program on one folder never read each other's tables; also kept as the database's
# user_version, so a file that is not ours at this name is noticed and set aside.
# 2: an entry is its row alone (version 1 also named a feedback workbook in this folder).
SCHEMA_VERSION = 2
DB_NAME = f"results-v{SCHEMA_VERSION}.sqlite"
# Another batch on the same folder holds the lock for one short commit at a time; a lock held
# longer than this is someone else's (a DB browser, a backup) and the batch goes on without.
BUSY_TIMEOUT_SECONDS = 5.0
# Results wait in memory this long (or this many) before one commit: each commit syncs the
# disk, and a kill loses at most these, which are scored again on the rerun.
FLUSH_SECONDS = 0.5
FLUSH_ROWS = 256
# Entries of other code versions, and older schemas' files, are deleted once unused this long:
# longer than any batch, so another version still running on this folder (or one rolled back
# to tomorrow) does not lose entries and feedback workbooks under it. Deleting them at once
# would make two versions used on one folder rescore everything each time either ran.
STALE_SECONDS = 24 * 3600.0

# Libraries whose upgrades change what is read from a workbook or how a result is written.
_LIBRARIES = ("python-calamine", "openpyxl", "XlsxWriter", "python-docx")

_CREATE = (
    """CREATE TABLE entries (
        content_hash TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        outcome TEXT NOT NULL,   -- JSON: {"result": ...} or {"rejected": reason}
        assessment TEXT,         -- JSON: the engine's Assessment of a result; NULL otherwise
        checksum INTEGER NOT NULL,
        used_at REAL NOT NULL,   -- seconds since the epoch, for pruning other versions
        PRIMARY KEY (content_hash, fingerprint))""",
    f"PRAGMA user_version = {SCHEMA_VERSION}",
)


def _package_files(root: Path) -> list[tuple[str, Path]]:
    found = []
    for folder, subfolders, names in os.walk(root):
        subfolders[:] = [s for s in subfolders if s != "__pycache__"]
        for name in names:
            if not name.endswith((".pyc", ".pyo")):
                path = Path(folder, name)
                found.append((path.relative_to(root).as_posix(), path))
    return sorted(found)


@functools.cache
def code_fingerprint(root: Path | None = None) -> str:
    """A hash of every source and data file of the ``xl_localism`` package at ``root`` (the
    running one by default), paths included, and of the reading libraries' versions.

    Any change to the code that scores or renders (a rule, a layout, a catalogue row) gives a
    new fingerprint, so results cached by other code are never reused: a version number alone
    stays the same across edits and unreleased builds. Computed once per process (~5 ms).
    """
    root = Path(xl_localism.__file__).parent if root is None else root
    digest = hashlib.sha256()
    for relative, path in _package_files(root):
        data = path.read_bytes()
        digest.update(f"{relative}\0{len(data)}\0".encode())
        digest.update(data)
    for library in _LIBRARIES:
        with contextlib.suppress(metadata.PackageNotFoundError):
            digest.update(f"{library}=={metadata.version(library)}\0".encode())
    return digest.hexdigest()[:16]


def file_sha256(path: Path | str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _checksum(content_hash: str, fingerprint: str, outcome: str, assessment: str | None
              ) -> int:
    """SQLite checks its structure, not the bytes of a value: a flipped bit in a result would
    read back as a wrong score. The row's own fields are included so a row that moved is
    caught too, and the outcome's length, so no bytes move between the two texts unseen."""
    head = f"{content_hash}\t{fingerprint}\t{len(outcome)}\t{assessment is None:d}\t"
    crc = zlib.crc32(outcome.encode("utf-8"), zlib.crc32(head.encode()))
    return crc if assessment is None else zlib.crc32(assessment.encode("utf-8"), crc)


def _parsed(text: str) -> dict[str, Any]:
    """An outcome's JSON; a ValueError when it is not an object (json's own errors are
    ValueErrors too)."""
    outcome = json.loads(text)
    if not isinstance(outcome, dict):
        raise ValueError("its entry in the batch cache is damaged")
    return outcome


class _Damaged(sqlite3.DatabaseError):
    """A database at our name without our schema, or failing SQLite's own check."""


def _code(error: BaseException) -> int:
    return (getattr(error, "sqlite_errorcode", None) or 0) & 0xFF  # the primary code


def _is_damage(error: BaseException) -> bool:
    return isinstance(error, _Damaged) or _code(error) in (sqlite3.SQLITE_CORRUPT,
                                                           sqlite3.SQLITE_NOTADB)


def _why(error: BaseException) -> str:
    """A few words for a person; SQLite's own messages name no paths (an OSError's do)."""
    if isinstance(error, OSError):
        return error.strerror or type(error).__name__
    code = _code(error)
    if code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
        return "it is locked by another program"
    if code == sqlite3.SQLITE_FULL:
        return "the disk is full"
    if _is_damage(error):
        return "it is damaged"
    if code == sqlite3.SQLITE_CANTOPEN:
        return "it cannot be opened"
    if code in (sqlite3.SQLITE_READONLY, sqlite3.SQLITE_PERM):
        return "it cannot be written"
    return str(error)[:120] or type(error).__name__


@dataclass(frozen=True, slots=True)
class CacheEntry:
    """Where a scored file's full result is: read when asked, never kept (see Outcome)."""

    cache: ResultCache
    content_hash: str

    def read(self) -> dict[str, Any]:
        return self.cache.read(self.content_hash)

    def assessment(self) -> str:
        return self.cache.read_assessment(self.content_hash)


@contextlib.contextmanager
def _transaction(db: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """A write transaction taken at once (BEGIN IMMEDIATE), committed, or rolled back."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
        db.execute("COMMIT")
    except BaseException:
        # SQLite may have rolled back already (a full disk does): nothing to undo then.
        with contextlib.suppress(sqlite3.Error):
            db.execute("ROLLBACK")
        raise


# One entry: what lookup and read both fetch.
_ENTRY = ("SELECT outcome, assessment, checksum FROM entries "
          "WHERE content_hash = ? AND fingerprint = ?")


class ResultCache:
    """The cache database of one output folder, for one code fingerprint.

    Journal mode: a plain rollback journal, not WAL. Output folders are often network shares,
    where WAL's shared-memory index does not work across machines; there is one writer (this
    process), so WAL's readers-beside-a-writer buys nothing; and a rollback journal exists
    only during a commit, so the database is one self-contained file otherwise. A kill
    mid-commit leaves a hot journal, which the next connection rolls back before reading.

    Workers are forked after it is opened: they inherit the connection but never use it, and
    leave by os._exit (multiprocessing), so no connection is used or closed across a fork.
    """

    def __init__(self, folder: Path, fingerprint: str) -> None:
        self.folder, self.fingerprint = folder, fingerprint
        self.path = folder / DB_NAME
        self._db: sqlite3.Connection | None = None
        # Results not yet committed, or that could not be: read from here until then.
        # content hash -> (outcome JSON, assessment JSON)
        self._unsaved: dict[str, tuple[str, str | None]] = {}
        self._touched: list[str] = []  # reused entries, whose used_at is updated at a flush
        # The first result is committed at once, and after that every FLUSH_SECONDS: a problem
        # with the database shows at the first file, not after a while.
        self._last_flush = -FLUSH_SECONDS
        self._restarted = False  # found damaged, set aside and started afresh
        self._failure: str | None = None  # why the database stopped being used
        self._damaged = False
        # Entries are read from two threads while the report and the feedback are written
        # together (batch.runner): one read at a time on the connection (_row).
        self._reading = threading.Lock()

    @classmethod
    def open(cls, folder: Path, fingerprint: str) -> ResultCache:
        """Open (or create) the database and prune it; never raises for the database's sake."""
        cache = cls(folder, fingerprint)
        try:
            cache._db = cache._connect()
        except sqlite3.Error as error:
            if not _is_damage(error):
                cache._failure = _why(error)
                return cache
            try:
                cache._set_aside()
                cache._db = cache._connect()
                cache._restarted = True
            except (OSError, sqlite3.Error) as again:
                cache._failure = _why(again)
                return cache
        cache._prune()
        return cache

    def _connect(self) -> sqlite3.Connection:
        # Autocommit (isolation_level=None): transactions are begun and ended explicitly, so no
        # lock is held between them.
        # Shared with the thread placing feedback (see _row); only one uses it at a time.
        db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None,
                             check_same_thread=False)
        try:
            db.execute("PRAGMA journal_mode = DELETE").fetchall()  # why: see the class
            if db.execute("PRAGMA user_version").fetchall()[0][0] == 0:
                db.execute("BEGIN IMMEDIATE")
                # Checked again under the lock: another batch may have just created it.
                if db.execute("PRAGMA user_version").fetchall()[0][0] == 0:
                    if db.execute("SELECT count(*) FROM sqlite_master").fetchall()[0][0]:
                        db.execute("ROLLBACK")
                        raise _Damaged("another program's database")
                    for statement in _CREATE:
                        db.execute(statement)
                db.execute("COMMIT")
            if db.execute("PRAGMA user_version").fetchall()[0][0] != SCHEMA_VERSION:
                raise _Damaged("not this program's cache database")
            db.execute("SELECT content_hash, fingerprint, outcome, assessment, checksum, "
                       "used_at FROM entries LIMIT 0").fetchall()
            # Damage found now is set aside and the run's results are still remembered;
            # found at the first lookup, it would cost this run's too. Reads every page: ~50 ms
            # for 60 MB, and a quarter's database is a small fraction of that.
            if db.execute("PRAGMA quick_check").fetchall() != [("ok",)]:
                raise _Damaged("the database fails SQLite's quick_check")
        except BaseException as error:
            db.close()
            if isinstance(error, sqlite3.OperationalError) and "no such" in str(error):
                raise _Damaged(str(error)) from error
            raise
        return db

    def _set_aside(self) -> None:
        """Move a damaged database (and any journal of its) out of the way, kept for a day for
        whoever wants to look. Its journal must go too: beside a new database it would be
        rolled back into it."""
        for suffix in ("", "-journal"):
            source = Path(f"{self.path}{suffix}")
            if source.exists():
                os.replace(source, Path(f"{self.path}.damaged{suffix}"))

    def lookup(self, content_hash: str) -> dict[str, Any] | None:
        """The stored outcome of these bytes scored by this code, if it is there and
        undamaged; None means score the file."""
        if self._db is None or self._failure:
            return None
        try:
            # fetchall: a half-read query holds a lock
            rows = self._db.execute(_ENTRY, (content_hash, self.fingerprint)).fetchall()
        except sqlite3.Error as error:
            self._fail(error)
            return None
        if not rows:
            return None
        try:
            text, assessment = self._verified(content_hash, rows[0])
            outcome = _parsed(text)
        except ValueError:
            return None  # scored again, and the new row replaces it
        # A result without its assessment could not give the trust its feedback workbook.
        if not (("result" in outcome and assessment is not None) or "rejected" in outcome):
            return None
        self._touched.append(content_hash)
        return outcome

    def store(self, content_hash: str, outcome: str, assessment: str | None = None) -> None:
        """Remember an outcome and a result's assessment (JSON texts); readable at once,
        committed with the next flush. The same bytes submitted twice store one entry."""
        self._unsaved[content_hash] = (outcome, assessment)
        if (len(self._unsaved) >= FLUSH_ROWS or
                time.monotonic() - self._last_flush >= FLUSH_SECONDS):
            self.flush()

    def entry(self, content_hash: str) -> CacheEntry:
        return CacheEntry(self, content_hash)

    def flush(self) -> None:
        """Commit what is waiting. On failure (a full disk, a lock) the database is left as it
        was and no longer written this run; what is waiting stays in memory."""
        self._last_flush = time.monotonic()
        if self._db is None or self._failure or not (self._unsaved or self._touched):
            return
        now = time.time()
        rows = [(key, self.fingerprint, text, assessment,
                 _checksum(key, self.fingerprint, text, assessment), now)
                for key, (text, assessment) in self._unsaved.items()]
        try:
            with _transaction(self._db) as db:
                db.executemany(
                    "INSERT OR REPLACE INTO entries (content_hash, fingerprint, outcome, "
                    "assessment, checksum, used_at) VALUES (?, ?, ?, ?, ?, ?)", rows)
                db.executemany(
                    "UPDATE entries SET used_at = ? WHERE content_hash = ? AND fingerprint = ?",
                    [(now, key, self.fingerprint) for key in self._touched])
        except sqlite3.Error as error:
            self._fail(error)
            return
        self._unsaved.clear()
        self._touched.clear()

    def read(self, content_hash: str) -> dict[str, Any]:
        """The full outcome stored for ``content_hash``: OSError if it cannot be read (gone,
        locked), ValueError if what is there is damaged."""
        return _parsed(self._row(content_hash)[0])

    def read_assessment(self, content_hash: str) -> str:
        """The assessment stored with a result, as JSON text, unparsed (the worker writing
        the feedback workbook parses it); OSError and ValueError as :meth:`read`."""
        assessment = self._row(content_hash)[1]
        if assessment is None:
            raise ValueError("its entry in the batch cache holds no assessment")
        return assessment

    def _row(self, content_hash: str) -> tuple[str, str | None]:
        if content_hash in self._unsaved:
            return self._unsaved[content_hash]
        if self._damaged:
            raise OSError("the batch cache is damaged")
        try:
            with self._reading:
                db = self._db or sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro",
                                                 uri=True, timeout=BUSY_TIMEOUT_SECONDS)
                try:
                    rows = db.execute(_ENTRY, (content_hash, self.fingerprint)).fetchall()
                finally:
                    if db is not self._db:
                        db.close()
        except sqlite3.Error as error:
            raise OSError(f"the batch cache could not be read: {_why(error)}") from error
        if not rows:
            raise OSError("its entry is no longer in the batch cache")
        return self._verified(content_hash, rows[0])

    def _verified(self, content_hash: str, row: tuple[Any, ...]) -> tuple[str, str | None]:
        """A row's outcome and assessment texts once its checksum holds; a ValueError when the
        row is damaged."""
        text, assessment, checksum = row
        if checksum != _checksum(content_hash, self.fingerprint, text, assessment):
            raise ValueError("its entry in the batch cache is damaged")
        return text, assessment

    def _fail(self, error: sqlite3.Error) -> None:
        # Stop at the first error rather than wait out a lock on every file.
        self._failure = self._failure or _why(error)
        if _is_damage(error):
            self._damaged = True
            if self._db is not None:
                self._db.close()
                self._db = None

    def close(self) -> None:
        """Commit what is waiting and close. Entries stay readable (a connection per read);
        a database found damaged is set aside, so the next run starts afresh."""
        self.flush()
        if self._db is not None:
            self._db.close()
            self._db = None
        if self._damaged:
            with contextlib.suppress(OSError):
                self._set_aside()
            self._damaged = False  # a new database may be there by now; read what it says

    def note(self) -> str | None:
        """One line on what went wrong with the database this run, if anything did."""
        name = f"{self.folder.name}/{DB_NAME}"
        if self._failure is not None:
            unsaved = len(self._unsaved)
            later = (f"{unsaved} file(s) will be scored again on the next run" if unsaved
                     else "the next run may score files again")
            return (f"The batch cache ({name}) could not be used ({self._failure}): the "
                    f"results are complete, but {later}.")
        if self._restarted:
            return (f"The batch cache ({name}) was damaged: it was set aside and started "
                    "afresh, so every file was scored again.")
        return None

    def _prune(self) -> None:
        """Delete other versions' entries unused for a day, and what older schemas left in the
        cache folder once untouched for a day: their databases and journals, the feedback
        workbooks schema 1 kept beside its database, the files of versions before any
        database."""
        assert self._db is not None
        cutoff = time.time() - STALE_SECONDS
        try:
            with _transaction(self._db) as db:
                db.execute("DELETE FROM entries WHERE fingerprint != ? AND used_at < ?",
                           (self.fingerprint, cutoff))
        except sqlite3.Error as error:
            self._fail(error)
            return
        entries: list[os.DirEntry[str]] = []
        with contextlib.suppress(OSError), os.scandir(self.folder) as listing:
            entries = list(listing)
        # A program of an older schema that wrote its database within the day may still be
        # used on this folder: its workbooks stay while it does, however old each one is (a
        # reuse does not touch the file), or it would score its files again each time.
        older_in_use = any(
            e.name.startswith("results-v") and e.name.endswith(".sqlite") and e.name != DB_NAME
            and _written_since(e, cutoff) for e in entries)
        for entry in entries:
            name = entry.name
            if name.startswith(DB_NAME):
                # This database and its journal; a copy set aside goes after a day.
                if name.startswith(f"{DB_NAME}.damaged"):
                    remove_if_untouched(entry.path, STALE_SECONDS)
            elif name.startswith("."):
                continue  # a temporary file being written (see workbook.files)
            elif name.endswith(".xlsx") and older_in_use:
                continue
            elif name.endswith((".xlsx", ".json", ".jsonl", ".sqlite", ".sqlite-journal")):
                remove_if_untouched(entry.path, STALE_SECONDS)


def _written_since(entry: os.DirEntry[str], cutoff: float) -> bool:
    try:
        return entry.stat().st_mtime >= cutoff
    except OSError:
        return True  # it cannot be looked at: as good as in use
