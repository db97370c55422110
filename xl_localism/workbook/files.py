"""Writing files so that an interrupted run never leaves a half-written one in place."""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any


def _temporary_name(target: Path) -> Path:
    """A hidden name beside ``target`` that nothing uses: 64 random bits, as unlikely to be
    taken as mkstemp's, and ending in .tmp so a killed run's leftovers are recognised."""
    return target.with_name(f".{target.stem}.{secrets.token_hex(8)}{target.suffix}.tmp")


@contextlib.contextmanager
def atomic_path(target: Path | str) -> Iterator[Path]:
    """Yield a fresh temporary path beside ``target``; on success it is renamed over ``target``.

    The caller makes the file there (a save, ``write_bytes``, a hard link), so it gets the
    permissions any new file in that folder gets. It is in the same folder so the rename is
    atomic on one filesystem; on any error it is removed and ``target`` is untouched.
    """
    target = Path(target)
    if not target.parent.is_dir():  # a stat; mkdir(exist_ok=True) raises and catches each time
        target.parent.mkdir(parents=True, exist_ok=True)
    temporary = _temporary_name(target)
    try:
        yield temporary
        os.replace(temporary, target)
    finally:
        # Also after a successful rename: renaming a hard link over another link to the same
        # file does nothing (POSIX), which leaves the temporary name behind. Looked for first:
        # a removal locks the folder, which the other workers are writing in, and a look
        # does not.
        if os.path.lexists(temporary):
            temporary.unlink(missing_ok=True)


def remove_if_untouched(path: Path | str, seconds: float) -> None:
    """Delete ``path`` if it was last written more than ``seconds`` ago; quietly keep it when
    it cannot be looked at or removed (another process may be using it)."""
    with contextlib.suppress(OSError):
        if time.time() - os.stat(path).st_mtime > seconds:
            os.unlink(path)


def save_atomically(workbook: Any, target: Path | str) -> Path:
    """Save an openpyxl workbook to ``target`` via a temporary file and a rename."""
    with atomic_path(target) as temporary:
        workbook.save(temporary)
    return Path(target)


CELL_INJECTION_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
EXCEL_CELL_LIMIT = 32767
# The control characters XML 1.0 cannot carry (openpyxl's ILLEGAL_CHARACTERS_RE).
ILLEGAL_CHARACTERS_RE = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")


def cell_text(value: str) -> str:
    """``value`` as a cell can hold it: without XML-illegal control characters, within Excel's
    limit. A message that quotes a damaged cell must still be written, by any renderer."""
    text = ILLEGAL_CHARACTERS_RE.sub("", value)
    if len(text) <= EXCEL_CELL_LIMIT // 2:
        return text  # within the limit however many characters need two UTF-16 units
    # Excel counts UTF-16 code units: a character outside the BMP (an emoji) counts twice.
    units = text.encode("utf-16-le")[: 2 * EXCEL_CELL_LIMIT]
    return units.decode("utf-16-le", errors="ignore")


def write_text(cell: Any, value: Any) -> None:
    """Set a cell's value; strings that look like formulas are stored as plain text."""
    cell.value = value
    if isinstance(value, str) and value.startswith(CELL_INJECTION_PREFIXES):
        cell.data_type = "s"
