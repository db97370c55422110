"""Writing files so that an interrupted run never leaves a half-written one in place."""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_path(target: Path | str, *, create: bool = True) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; on success it is renamed over ``target``.

    The temporary file lives in the same folder so the final rename is atomic on one filesystem;
    on any error it is removed and ``target`` is untouched. With ``create=False`` the path is a
    fresh name that does not exist yet, for a caller that makes the file itself (a hard link).
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    if create:
        handle, temporary = tempfile.mkstemp(prefix=f".{target.stem}.",
                                             suffix=f"{target.suffix}.tmp", dir=target.parent)
        os.close(handle)
        temporary_path = Path(temporary)
        # mkstemp makes the file private (0600); outputs go to shared folders: use the umask.
        os.chmod(temporary_path, 0o666 & ~_current_umask())
    else:
        # 64 random bits, as unlikely to be taken as mkstemp's names.
        temporary_path = target.with_name(f".{target.stem}.{secrets.token_hex(8)}"
                                          f"{target.suffix}.tmp")
    try:
        yield temporary_path
        os.replace(temporary_path, target)
    finally:
        temporary_path.unlink(missing_ok=True)


def save_atomically(workbook: Any, target: Path | str) -> Path:
    """Save an openpyxl workbook to ``target`` via a temporary file and a rename."""
    with atomic_path(target) as temporary:
        workbook.save(temporary)
    return Path(target)


def write_atomically(target: Path | str, write: Callable[[Path], None]) -> Path:
    with atomic_path(target) as temporary:
        write(temporary)
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
