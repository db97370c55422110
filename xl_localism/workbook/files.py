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
# Everything XML 1.0 cannot carry: C0 controls other than tab, newline and carriage return,
# lone surrogates (a file name Python decoded with surrogateescape) and the non-characters
# U+FFFE and U+FFFF. A parser refuses a part holding any of them, and so does Excel.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# Vertical tab (Word's Shift+Enter, Excel's _x000B_) and form feed separate words: a space reads
# better than two words run together.
_SOFT_BREAKS = re.compile("[\x0b\x0c]")


def xml_text(value: str) -> str:
    """``value`` with what XML 1.0 cannot hold replaced or removed: the one function every
    writer (workbooks, Word, the history) passes text through, so that a character pasted into
    a submission can never make an output unreadable. Soft breaks become spaces, a lone
    surrogate becomes U+FFFD (something was there), the other characters are dropped."""
    if value.isascii() and value.isprintable():
        return value  # the common case, checked at C speed
    text = _SOFT_BREAKS.sub(" ", value)
    return _NOT_XML.sub(lambda m: "\ufffd" if "\ud800" <= m.group() <= "\udfff" else "", text)


def display_name(name: str | Path) -> str:
    """A file name or relative path as a person can read it and any writer can store it.

    A name that is not UTF-8 arrives from the file system with surrogate escapes; its bytes are
    shown as \\xNN. Control characters (a BEL) are shown the same way rather than dropped, so
    two files whose names differ only there stay apart."""
    text = str(name)
    if text.isascii() and text.isprintable():
        return text
    # Only U+DC80-U+DCFF are escaped bytes; any other lone surrogate is no character at all.
    text = _NOT_ESCAPED_BYTE.sub("\ufffd", text)
    raw = text.encode("utf-8", "surrogateescape")
    shown = raw.decode("utf-8", "backslashreplace")
    return "".join(f"\\x{ord(c):02x}" if ord(c) < 0x20 or ord(c) == 0x7f else c
                   for c in shown).translate(_NONCHARACTERS)


_NOT_ESCAPED_BYTE = re.compile("[\ud800-\udc7f\udd00-\udfff]")
# U+FFFE and U+FFFF are valid UTF-8 but not XML: shown by their code.
_NONCHARACTERS = {0xFFFE: "\\ufffe", 0xFFFF: "\\uffff"}


def cell_text(value: str) -> str:
    """``value`` as a cell can hold it: XML-safe (:func:`xml_text`), within Excel's limit. A
    message that quotes a damaged cell must still be written, by any renderer."""
    text = xml_text(value)
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
