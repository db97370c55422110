"""The batch's cache of results: entries appended to one journal file per worker process.

A file per entry cost a file creation, a rename and a removal each, all under the cache
folder's lock that the other workers wait on; on ext4 a new file also searches the inode table
past every file deleted in the last seconds. That was ~15 % of a batch's time. A worker now
opens its own journal once and appends a line per submission::

    <key>\\t<the entry as JSON>\\n

Each line is written in one call, and a line only counts once its newline is there, so a worker
killed mid-write (or a disk that filled) leaves a partial line that is skipped, never a
half-entry that is read. Journals are named for their process, so no two writers share one; a
key found twice (a file scored again with ``--force``) has the same result either way.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

JOURNAL_PATTERN = "journal-*.jsonl"


@dataclass(frozen=True, slots=True)
class EntryLocation:
    """Where one entry's JSON is: a journal file, its offset and length in bytes."""

    path: Path
    offset: int
    length: int

    def __reduce__(self) -> tuple[Any, ...]:
        return (_location, (str(self.path), self.offset, self.length))

    def read(self) -> dict[str, Any]:
        """The entry; OSError if the journal is gone, ValueError if the bytes are not one."""
        with self.path.open("rb") as handle:
            handle.seek(self.offset)
            data = handle.read(self.length)
        if len(data) != self.length:
            raise ValueError(f"{self.path} is shorter than its index says")
        entry = json.loads(data)
        if not isinstance(entry, dict):
            raise ValueError(f"{self.path} holds something else at {self.offset}")
        return entry


# A worker's entries all name its journal: the parent, which keeps an entry's location for each
# file of a batch, shares one path object between them rather than unpickling one each.
_JOURNAL_PATHS: dict[str, Path] = {}


def _location(path: str, offset: int, length: int) -> EntryLocation:
    shared = _JOURNAL_PATHS.get(path)
    if shared is None:
        shared = _JOURNAL_PATHS[path] = Path(path)
    return EntryLocation(shared, offset, length)


class Journal:
    """This process's journal in a cache folder, opened at the first entry it appends."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._fd: int | None = None
        self._path: Path | None = None
        self._size = 0
        self._pid = 0

    def append(self, key: str, entry: dict[str, Any]) -> EntryLocation:
        """Add one entry; on OSError (disk full) nothing of it is left to be read."""
        body = json.dumps(entry, ensure_ascii=False).encode("utf-8")
        line = b"%s\t%s\n" % (key.encode("ascii"), body)
        fd, path = self._open()
        start = self._size
        try:
            written = os.write(fd, line)
            if written != len(line):
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        except OSError:
            # Take the partial line back so the next entry starts a line of its own; if even
            # that fails, the next entry goes to a new journal.
            try:
                os.ftruncate(fd, start)
            except OSError:
                self.close()
            raise
        self._size = start + len(line)
        return EntryLocation(path, start + len(key) + 1, len(body))

    def _open(self) -> tuple[int, Path]:
        # A forked worker inherits its parent's journal: it must write one of its own.
        if self._fd is None or self._pid != os.getpid():
            self._fd = None
            self.folder.mkdir(parents=True, exist_ok=True)
            path = self.folder / f"journal-{os.getpid()}-{secrets.token_hex(4)}.jsonl"
            self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND, 0o666)
            self._path, self._size, self._pid = path, 0, os.getpid()
        assert self._path is not None
        return self._fd, self._path

    def close(self) -> None:
        if self._fd is not None and self._pid == os.getpid():
            with contextlib.suppress(OSError):
                os.close(self._fd)
        self._fd = None


_journals: dict[str, Journal] = {}


def journal_for(folder: Path | str) -> Journal:
    """The calling process's journal in ``folder`` (one per process and folder)."""
    writer = _journals.get(str(folder))
    if writer is None:
        writer = _journals[str(folder)] = Journal(Path(folder))
    return writer


def _lines(path: Path) -> Iterator[tuple[int, bytes]]:
    offset = 0
    with path.open("rb") as handle:
        for line in handle:
            yield offset, line
            offset += len(line)


def read_index(folder: Path, suffix: str = "") -> dict[str, EntryLocation]:
    """Every complete entry in ``folder``'s journals whose key ends with ``suffix``.

    Read line by line, so memory grows with the number of entries, not their size.
    """
    index: dict[str, EntryLocation] = {}
    wanted = suffix.encode("ascii")
    with contextlib.suppress(OSError):
        journals = sorted(folder.glob(JOURNAL_PATTERN))
        for path in journals:
            with contextlib.suppress(OSError):
                for offset, line in _lines(path):
                    key, tab, body = line.partition(b"\t")
                    if not tab or not line.endswith(b"\n") or not key.endswith(wanted):
                        continue  # cut short by a kill or a full disk, or another version's
                    with contextlib.suppress(UnicodeDecodeError):
                        index[key.decode("ascii")] = EntryLocation(
                            path, offset + len(key) + 1, len(body) - 1)
    return index
