"""Scored submissions over time, in SQLite by default or any database SQLAlchemy reaches."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Column,
    DateTime,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
    create_engine,
    select,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

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
    # The same workbook submitted again is the same fact, not a new one.
    UniqueConstraint("file_hash", name="one_row_per_workbook"),
)


def database_url(history: str) -> str:
    """A plain path means a SQLite file; anything with '://' is an SQLAlchemy URL already."""
    if "://" in history:
        return history
    return f"sqlite:///{Path(history).expanduser().resolve()}"


class HistoryError(Exception):
    """The history database cannot be opened or written; the message is one line."""


def connect(history: str) -> Engine:
    try:
        engine = create_engine(database_url(history))
        metadata.create_all(engine)
    except (SQLAlchemyError, ImportError, OSError, ValueError) as error:
        # A driver not installed (postgresql:// without psycopg), a folder given as the file...
        raise HistoryError(f"cannot open the history {history!r}: "
                           f"{str(error).splitlines()[0][:200]}") from error
    return engine


def exists(history: str) -> bool:
    """False for a SQLite file that is not there yet (a URL is assumed to exist)."""
    return "://" in history or Path(history).expanduser().is_file()


def record(history: str, scored: Iterable[tuple[str, str, dict[str, Any]]]) -> int:
    """Record (file hash, source, result JSON) rows; returns how many were new."""
    engine = connect(history)
    added = 0
    with _reported(history), engine.begin() as connection:
        known = set(connection.execute(select(submissions.c.file_hash)).scalars())
        for file_hash, source, result in scored:
            if file_hash in known:
                continue
            known.add(file_hash)
            connection.execute(submissions.insert().values(
                trust=_text(result["trust"]), nation=_text(result["nation"]),
                region=_text(result.get("region")), as_at=_text(result.get("as_at")),
                score=result["score"], rag=result["rag"],
                **{d.value.lower(): result["drivers"][d.value] for d in Driver},
                **{f"{s.value}_flags": result["flag_counts"][s.value] for s in Severity},
                file_hash=file_hash, source=_text(source), recorded_at=datetime.now(UTC),
            ))
            added += 1
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
    """Every recorded score, oldest first; the latest recording wins for a trust and date."""
    engine = connect(history)
    query = select(submissions).order_by(submissions.c.trust, submissions.c.as_at,
                                         submissions.c.recorded_at)
    with engine.connect() as connection:
        # Cleaned as read too: a value stored by an earlier version (a control character in a
        # trust's name) must not stop every later report that draws the trend.
        rows = [{key: _text(value) if isinstance(value, str) else value
                 for key, value in r._mapping.items()} for r in connection.execute(query)]
    engine.dispose()
    if trust:
        rows = [r for r in rows if r["trust"].casefold() == trust.casefold()]
    latest: dict[tuple[str, str | None], dict[str, Any]] = {}
    for row in rows:
        latest[(row["trust"], row["as_at"])] = row
    return list(latest.values())
