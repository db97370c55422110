"""One batch at a time per output folder: an OS file lock on OUT/.xl-localism.lock.

Two batches writing one folder would each take the other's temporary files for a killed run's
leftovers and delete them, and the one that lost its file would report a full disk. The lock is
the operating system's, so it is released however the holder ends (even SIGKILL), and the file
says which process holds it.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import IO

LOCK_NAME = ".xl-localism.lock"


class OutputBusy(Exception):
    """Another batch holds the output folder (the message names its process), or the folder
    cannot hold a lock file at all (it is not writable)."""


def _try_lock(handle: IO[str]) -> bool:
    try:
        import fcntl
    except ImportError:  # Windows
        import msvcrt

        try:
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
        except OSError:
            return False
        return True
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


@contextlib.contextmanager
def output_lock(out_dir: Path) -> Iterator[None]:
    """Hold ``out_dir``'s lock for the ``with`` block; OutputBusy at once if another has it."""
    path = out_dir / LOCK_NAME
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        handle = open(path, "a+", encoding="ascii")  # noqa: SIM115 - held for the block
    except OSError as error:
        raise OutputBusy(f"cannot write to the output folder {out_dir}: "
                         f"{error.strerror or error}") from error
    try:
        if not _try_lock(handle):
            handle.seek(0)
            holder = handle.read(20).strip() or "unknown"
            raise OutputBusy(f"another batch is writing to {out_dir} (pid {holder}); wait for "
                             "it to finish, or give this one another --out folder")
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        yield
    finally:
        handle.close()  # closing releases the lock; the file stays (removing it would race)
