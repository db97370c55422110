"""Shared test helpers: build small trust workbooks exactly as a test needs them."""

from __future__ import annotations

import os
import sqlite3
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.table import Table

from xl_localism import schema
from xl_localism.samples import SampleTrust, sample_trusts

os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")


def write_tables(
    path: Path,
    tables: Mapping[str, tuple[Sequence[Any], Sequence[Sequence[Any]]]],
    *,
    as_tables: bool = True,
    sheet_names: Mapping[str, str] | None = None,
    header_row: int = 1,
) -> Path:
    """Write {table key: (headers, rows)} to a workbook, as Excel tables or as plain ranges."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for key, (headers, rows) in tables.items():
        spec = schema.TABLES_BY_KEY[key]
        sheet = workbook.create_sheet((sheet_names or {}).get(key, spec.sheet))
        for _ in range(header_row - 1):
            sheet.append([])
        sheet.append(list(headers))
        for row in rows:
            sheet.append(list(row))
        if as_tables:
            last = get_column_letter(len(headers))
            end = header_row + max(1, len(rows))
            sheet.add_table(Table(displayName=spec.table, ref=f"A{header_row}:{last}{end}"))
    workbook.save(path)
    return path


def sample_tables(trust: SampleTrust) -> dict[str, tuple[list[Any], list[list[Any]]]]:
    return {key: (list(raw.headers), [list(r) for r in raw.rows])
            for key, raw in trust.tables.items()}


def replace_part(path: Path, part: str, transform: Any, out: Path | None = None) -> Path:
    """Rewrite one zip member (bytes -> bytes) to make a workbook openpyxl could not write."""
    out = out or path
    with zipfile.ZipFile(path) as source:
        items = [(info, source.read(info.filename)) for info in source.infolist()]
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        names = set()
        for info, data in items:
            names.add(info.filename)
            target.writestr(info.filename, transform(data) if info.filename == part else data)
        if part not in names:
            target.writestr(part, transform(b""))
    return out


def cached_entries(cache_dir: Path, fingerprint: str | None = None) -> int:
    """How many entries the batch cache in ``cache_dir`` holds (of one fingerprint); 0 when
    there is no database yet or it is busy. Read-only, and closed at once: a batch writing
    it meanwhile waits for nothing."""
    from xl_localism.batch.cache import DB_NAME

    path = cache_dir / DB_NAME
    if not path.exists():
        return 0
    try:
        db = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=1)
        try:
            query, args = "SELECT count(*) FROM entries", ()
            if fingerprint is not None:
                query, args = f"{query} WHERE fingerprint = ?", (fingerprint,)
            return db.execute(query, args).fetchall()[0][0]
        finally:
            db.close()
    except sqlite3.Error:
        return 0


@pytest.fixture(scope="session")
def samples() -> list[SampleTrust]:
    return sample_trusts()
