"""Scored submissions over time, in SQLite by default or any database SQLAlchemy reaches."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
    create_engine,
    inspect,
    select,
    text,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from xl_localism.returns import (
    Submission,
    group_returns,
    period_of,
    period_sort_key,
    return_key,
    trust_key,
)
from xl_localism.vocab import Driver, Severity
from xl_localism.workbook.files import xml_text

metadata = MetaData()
submissions = Table(
    "submissions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("trust", String(200), nullable=False, index=True),
    Column("nation", String(20)),
    Column("region", String(100)),
    Column("as_at", String(10)),
    Column("score", Float, nullable=False),
    Column("rag", String(10), nullable=False),
    *[Column(d.value.lower(), Float) for d in Driver],
    *[Column(f"{s.value}_flags", Integer, nullable=False) for s in Severity],
    Column("file_hash", String(64), nullable=False),
    Column("source", String(500)),
    Column("recorded_at", DateTime, nullable=False),
    # Returns and revisions (docs/method.md §10). Nullable because a database written before
    # they existed gains them by ALTER TABLE (see _migrate), and SQLite cannot add a NOT NULL
    # column to rows already there.
    Column("trust_key", String(200)),
    Column("period", String(12)),
    Column("modified", DateTime),  # the file's modification time: which revision is newer
    # One current result per trust and period; the others are superseded revisions, kept.
    Column("current", Boolean),
    Column("superseded_by", String(500)),
    # The same workbook submitted again is the same fact, not a new one.
    UniqueConstraint("file_hash", name="one_row_per_workbook"),
)
returns_index = Index("ix_submissions_return", submissions.c.trust_key, submissions.c.period)
NEW_COLUMNS = ("trust_key", "period", "modified", "current", "superseded_by")


def database_url(history: str) -> str:
    """A plain path means a SQLite file; anything with '://' is an SQLAlchemy URL already."""
    if "://" in history:
        return history
    return f"sqlite:///{Path(history).expanduser().resolve()}"


class HistoryError(Exception):
    """The history database cannot be opened or written; the message is one line."""


def connect(history: str) -> Engine:
    try:
        if "://" not in history:
            # A new history in a new folder: the folder is made, as for the batch's --out.
            Path(history).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(database_url(history))
        metadata.create_all(engine)
        _migrate(engine)
    except (SQLAlchemyError, ImportError, OSError, ValueError) as error:
        # A driver not installed (postgresql:// without psycopg), a folder given as the file...
        raise HistoryError(f"cannot open the history {history!r}: "
                           f"{str(error).splitlines()[0][:200]}") from error
    return engine


def _migrate(engine: Engine) -> None:
    """Bring a history written before returns and revisions up to date, in place.

    The new columns are added, and each old row is given its trust key and period. Of old rows
    for one trust and period the one recorded last is current (what ``trend`` showed before);
    the others become superseded revisions. Nothing is deleted.
    """
    present = {c["name"] for c in inspect(engine).get_columns("submissions")}
    missing = [name for name in NEW_COLUMNS if name not in present]
    with engine.begin() as connection:
        for name in missing:
            kind = submissions.c[name].type.compile(engine.dialect)
            connection.execute(text(f'ALTER TABLE submissions ADD COLUMN "{name}" {kind}'))
        old = [dict(r._mapping) for r in connection.execute(
            select(submissions).where(submissions.c.current.is_(None)))]
        for row in old:
            connection.execute(submissions.update().where(submissions.c.id == row["id"]).values(
                trust_key=trust_key(row["trust"]), period=period_of(row["as_at"]),
                current=False))
        _settle(connection, {(trust_key(r["trust"]), period_of(r["as_at"])) for r in old},
                by_recording=True)
    if missing:
        returns_index.create(engine, checkfirst=True)


def _settle(connection: Any, keys: set[tuple[str, str]], *, by_recording: bool = False
            ) -> None:
    """Mark the current row of each (trust key, period) in ``keys`` and the rows it
    supersedes, by the rule of xl_localism.returns (newest file; ties by file name).

    ``by_recording`` orders rows by when they were recorded instead, for rows from before
    modification times were kept.
    """
    for key, period in keys:
        rows = [dict(r._mapping) for r in connection.execute(select(submissions).where(
            (submissions.c.trust_key == key) & (submissions.c.period == period)))]
        if not rows:
            continue
        found = group_returns(
            Submission(r["trust"], r["as_at"], _when(r, by_recording), r["source"] or "",
                       r["id"]) for r in rows)
        for one in found:  # one trust key and period, so one return
            newest = next(r for r in rows if r["id"] == one.current.ref)
            connection.execute(submissions.update().where(submissions.c.id == newest["id"])
                               .values(current=True, superseded_by=None))
            for older in one.superseded:
                connection.execute(submissions.update().where(submissions.c.id == older.ref)
                                   .values(current=False, superseded_by=newest["source"]))


def _when(row: dict[str, Any], by_recording: bool) -> float:
    moment = row["recorded_at"] if by_recording else row["modified"]
    if moment is None:
        return 0.0  # recorded before modification times were kept: older than any new file
    return moment.replace(tzinfo=moment.tzinfo or UTC).timestamp()


def exists(history: str) -> bool:
    """False for a SQLite file that is not there yet (a URL is assumed to exist)."""
    return "://" in history or Path(history).expanduser().is_file()


def record(history: str,
           scored: Iterable[tuple[str, str, dict[str, Any], float | None]]) -> int:
    """Record (file hash, source, result JSON, modification time) rows; returns how many were
    new. Give the current files of a batch first: a copy of one (the same bytes) is then
    recorded under the current file's name.

    Each trust and period keeps one current result, the newest file's, whether it came in this
    batch or an earlier one; the others stay, marked as superseded revisions.
    """
    engine = connect(history)
    added = 0
    with _reported(history), engine.begin() as connection:
        known = set(connection.execute(select(submissions.c.file_hash)).scalars())
        touched: set[tuple[str, str]] = set()
        for file_hash, source, result, modified in scored:
            if file_hash in known:
                continue
            known.add(file_hash)
            # The batch's rule (returns.return_key), so the trend never disagrees with the League.
            key = return_key(result["trust"], result.get("as_at"),
                             result.get("trust_named", True), source)
            touched.add(key)
            connection.execute(submissions.insert().values(
                trust_key=key[0], period=key[1], current=False,
                modified=(datetime.fromtimestamp(modified, UTC) if modified else None),
                trust=_text(result["trust"]), nation=_text(result["nation"]),
                region=_text(result.get("region")), as_at=_text(result.get("as_at")),
                score=result["score"], rag=result["rag"],
                **{d.value.lower(): result["drivers"][d.value] for d in Driver},
                **{f"{s.value}_flags": result["flag_counts"][s.value] for s in Severity},
                file_hash=file_hash, source=_text(source), recorded_at=datetime.now(UTC),
            ))
            added += 1
        _settle(connection, touched)
    engine.dispose()
    return added


def _text(value: str | None) -> str | None:
    """Text any writer can take: a name pasted with a control character (or a file name that
    is not UTF-8) is stored as it will be shown, and SQLite cannot store a lone surrogate."""
    return xml_text(value) if value is not None else None


@contextlib.contextmanager
def _reported(history: str) -> Iterator[None]:
    try:
        yield
    except SQLAlchemyError as error:
        raise HistoryError(f"cannot write to the history {history!r}: "
                           f"{str(error).splitlines()[0][:200]}") from error


def trend(history: str, trust: str | None = None) -> list[dict[str, Any]]:
    """The current result of each trust and period, by trust and then oldest period first
    (undated last). ``trust`` is matched as returns are: ignoring case, spaces, punctuation."""
    engine = connect(history)
    query = select(submissions).where(submissions.c.current.is_(True))
    with _reported(history), engine.connect() as connection:
        # Cleaned as read too: a value stored by an earlier version (a control character in a
        # trust's name) must not stop every later report that draws the trend.
        rows = [{key: _text(value) if isinstance(value, str) else value
                 for key, value in r._mapping.items()} for r in connection.execute(query)]
    engine.dispose()
    if trust:
        rows = [r for r in rows if r["trust_key"] == trust_key(trust)]
    return sorted(rows, key=lambda r: (r["trust"].casefold(), period_sort_key(r["period"])))


def revisions(history: str) -> list[dict[str, Any]]:
    """Every recorded row, current and superseded, for audit: nothing recorded is lost."""
    engine = connect(history)
    with _reported(history), engine.connect() as connection:
        rows = [dict(r._mapping) for r in connection.execute(
            select(submissions).order_by(submissions.c.id))]
    engine.dispose()
    return rows
