"""The batch's cache of results: entries appended to one journal file per worker process.

A file per entry cost a file creation, a rename and a removal each, all under the cache
folder's lock that the other workers wait on; on ext4 without a journal a new file also walks
the inode table past every file deleted in the last ~30 s. A worker now opens its own journal
once and appends a line per submission::

    <key>\\t<CRC-32 of key, tab and entry, 8 hex digits>\\t<the entry as JSON>\\n

A line counts only if its newline is there and its CRC matches, so a worker killed mid-write, a
disk that filled, a power cut or bytes damaged later never yield an entry, only a file scored
again. A journal that failed a write is never written again (the next entry starts a new one),
so no line is ever built on top of a broken one. Journals are named by the time they were
opened, so when one key has several lines (``--force``, a result that changed without a
version change), the newest that reads wins.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import secrets
import time
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from xl_localism.workbook.files import remove_if_untouched

JOURNAL_PATTERN = "journal-*.jsonl"
_STAMP = re.compile(r"journal-(\d{20})-")
# Keys are the batch's own: a content hash and a fingerprint. Anything else could not be found.
_KEY = re.compile(r"[0-9A-Za-z_.-]+\Z")
# A line longer than this is read in pieces that never parse (an entry is a few KB; one of a
# workbook with a hundred thousand flags is still far smaller), so a long stretch of damage
# does not have to fit in memory.
MAX_LINE_BYTES = 64 << 20
# The C runtime on Windows would write "\n" as "\r\n" and every later offset would be wrong.
_OPEN_FLAGS = (os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND | getattr(os, "O_BINARY", 0))


def _line(key: bytes, body: bytes) -> bytes:
    head = key + b"\t"
    return b"%s%08x\t%s\n" % (head, zlib.crc32(body, zlib.crc32(head)), body)


def _parse(line: bytes) -> tuple[bytes, bytes] | None:
    """(key, JSON body) of a complete, undamaged line; None otherwise."""
    key, tab, rest = line.partition(b"\t")
    crc, tab2, body = rest.partition(b"\t")
    if not (tab and tab2 and len(crc) == 8 and body.endswith(b"\n")):
        return None
    body = body[:-1]
    try:
        expected = int(crc, 16)
    except ValueError:
        return None
    if zlib.crc32(body, zlib.crc32(key + b"\t")) != expected:
        return None
    return key, body


@dataclass(frozen=True, slots=True)
class EntryLocation:
    """Where one entry's line is: a journal file, the line's offset and length in bytes."""

    path: Path
    key: str
    offset: int
    length: int

    def __reduce__(self) -> tuple[Any, ...]:
        return (_location, (str(self.path), self.key, self.offset, self.length))

    def read(self) -> dict[str, Any]:
        """The entry; OSError if the journal is gone, ValueError if the line there is not this
        key's undamaged entry."""
        with self.path.open("rb") as handle:
            handle.seek(self.offset)
            line = handle.read(self.length)
        parsed = _parse(line) if len(line) == self.length else None
        if parsed is None or parsed[0] != self.key.encode("ascii"):
            raise ValueError(f"{self.path} does not hold the entry of {self.key} at "
                             f"{self.offset}")
        entry = json.loads(parsed[1])
        if not isinstance(entry, dict):
            raise ValueError(f"{self.path} holds something else at {self.offset}")
        return entry


# A worker's entries all name its journal: the parent, which keeps an entry's location for each
# file of a batch, shares one path object between them rather than unpickling one each.
_JOURNAL_PATHS: dict[str, Path] = {}


def _location(path: str, key: str, offset: int, length: int) -> EntryLocation:
    shared = _JOURNAL_PATHS.get(path)
    if shared is None:
        if len(_JOURNAL_PATHS) > 4096:  # a long-lived process: only this batch's matter
            _JOURNAL_PATHS.clear()
        shared = _JOURNAL_PATHS[path] = Path(path)
    return EntryLocation(shared, key, offset, length)


class Journal:
    """This process's journal in a cache folder, opened at the first entry it appends."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._fd: int | None = None
        self._path: Path | None = None
        self._size = 0

    def append(self, key: str, entry: dict[str, Any]) -> EntryLocation:
        """Add one entry; on OSError (disk full) nothing of it can be read, and the journal is
        left as it is for a new one."""
        if not _KEY.match(key):
            raise ValueError(f"not a cache key: {key!r}")
        line = _line(key.encode("ascii"),
                     json.dumps(entry, ensure_ascii=False).encode("utf-8"))
        fd, path = self._open()
        start = self._size
        try:
            view = memoryview(line)
            while view:
                written = os.write(fd, view)  # a short write is not an error by itself...
                if not written:  # ...but one that writes nothing is a full disk
                    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
                view = view[written:]
        except BaseException:  # whatever stopped the write, never write after a broken line
            self.close()
            raise
        self._size = start + len(line)
        return EntryLocation(path, key, start, len(line))

    def _open(self) -> tuple[int, Path]:
        if self._fd is None or self._path is None:
            self.folder.mkdir(parents=True, exist_ok=True)
            # Named so that it sorts after every journal already there: its lines win.
            path = self.folder / (f"journal-{_next_stamp(self.folder):020d}-{os.getpid()}-"
                                  f"{secrets.token_hex(4)}.jsonl")
            self._fd = os.open(path, _OPEN_FLAGS, 0o666)
            self._path, self._size = path, 0
        return self._fd, self._path

    def close(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._fd)
        self._fd = self._path = None


def _next_stamp(folder: Path) -> int:
    """The time now, or just after the newest journal's stamp if the clock was set back."""
    newest = 0
    with contextlib.suppress(OSError), os.scandir(folder) as entries:
        for entry in entries:
            if stamp := _STAMP.match(entry.name):
                newest = max(newest, int(stamp.group(1)))
    return max(time.time_ns(), newest + 1)


_journals: dict[str, Journal] = {}


def journal_for(folder: Path | str) -> Journal:
    """The calling process's journal in ``folder`` (one per process and folder)."""
    writer = _journals.get(str(folder))
    if writer is None:
        writer = _journals[str(folder)] = Journal(Path(folder))
    return writer


def _forget_inherited_journals() -> None:
    # A forked child must not append to its parent's journal: its offsets would be wrong.
    _journals.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_inherited_journals)


def read_index(folder: Path, suffix: str = "", *,
               prune_after: float | None = None) -> dict[str, EntryLocation]:
    """The newest undamaged entry of each key in ``folder``'s journals that ends with
    ``suffix``. Read line by line, so memory grows with the number of entries, not their size.

    A journal holds one process's entries, so one version's: its first undamaged line tells
    whether the rest is worth reading. With ``prune_after`` (seconds), journals untouched for
    that long that hold nothing of this version (empty, another version's, or all damaged) are
    deleted, so the cache does not grow with every upgrade.
    """
    index: dict[str, EntryLocation] = {}
    wanted = suffix.encode("ascii")
    try:
        journals = sorted(folder.glob(JOURNAL_PATTERN))  # oldest first: the newest line wins
    except OSError:
        return index
    for path in journals:
        found = False
        with contextlib.suppress(OSError), path.open("rb") as handle:
            offset = 0
            while line := handle.readline(MAX_LINE_BYTES):
                parsed = _parse(line)
                offset += len(line)
                if parsed is None:
                    continue  # cut short by a kill or a full disk, or damaged since
                if not parsed[0].endswith(wanted):
                    break  # another version's journal
                found = True
                with contextlib.suppress(UnicodeDecodeError):
                    key = parsed[0].decode("ascii")
                    index[key] = _location(str(path), key, offset - len(line), len(line))
        if prune_after is not None and not found:
            remove_if_untouched(path, prune_after)
    return index
