"""Reading one workbook in a child process with the limits of a batch worker.

The reader's checks (``reader.inspect_package``) refuse the hostile files we know of, but a
file they miss must still cost one rejected file, not the user's terminal: calamine aborts the
whole process (SIGABRT) when an allocation fails, and a sheet can ask for gigabytes. So
``xl-localism score`` and ``statement`` read as a batch worker does: in a process of its own,
under the same memory limit and timeout, and a child that dies is a one-line reason.
"""

from __future__ import annotations

import contextlib
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path

from xl_localism.models import Submission
from xl_localism.workbook.reader import Engine, WorkbookError, read_workbook

# What one reader process may take. Trust data is a few MB; the guards let a workbook inflate
# to 512 MB, and the grids of that are a few times its size.
READER_MEMORY_BYTES = 6 << 30
READ_TIMEOUT_SECONDS = 300.0


def limit_memory(limit: int = READER_MEMORY_BYTES) -> None:
    """Cap this process's address space (the initializer of every reader process): past it an
    allocation fails here, in the one process reading the one file."""
    with contextlib.suppress(ImportError, ValueError, OSError):
        import resource  # POSIX only; Windows readers run without the cap

        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        if soft == resource.RLIM_INFINITY or soft > limit:
            resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _read(path: str, engine: Engine) -> Submission:
    try:
        return read_workbook(path, engine)
    except MemoryError as error:
        raise WorkbookError(path, "refused: reading it needs more memory than a reader may "
                            f"use ({READER_MEMORY_BYTES >> 30} GB)") from error


def read_isolated(path: Path | str, engine: Engine = "auto",
                  timeout: float = READ_TIMEOUT_SECONDS) -> Submission:
    """:func:`read_workbook` in a child process under the batch worker's limits. Raises
    WorkbookError with a one-line reason when the file cannot be read, the child died or ran
    out of time."""
    from pebble import ProcessExpired, ProcessPool  # only when reading: start-up stays light

    path = Path(path)
    pool = ProcessPool(max_workers=1, initializer=limit_memory)
    try:
        future = pool.schedule(_read, args=(str(path), engine), timeout=timeout)
        try:
            return future.result()
        except FutureTimeout:
            raise WorkbookError(path, f"took longer than {timeout:g} s to read and was "
                                "stopped") from None
        except ProcessExpired as error:
            raise WorkbookError(path, f"the reader process stopped unexpectedly (exit code "
                                f"{error.exitcode}): the file is damaged or too big to "
                                "read") from None
    finally:
        pool.stop()
        pool.join()
