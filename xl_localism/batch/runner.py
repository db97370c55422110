"""Score a folder of submissions in worker processes and write the national report.

Submissions are only ever opened for reading. Every output goes through a temporary file and a
rename, and each scored file leaves a cache entry (a row of the cache database, see batch.cache)
keyed by its content hash and the fingerprint of the code, so an interrupted batch resumes
where it stopped and a rerun skips unchanged files.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, wait
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path
from typing import Any

from pebble import ProcessExpired, ProcessPool

from xl_localism.batch.cache import ResultCache, code_fingerprint, file_sha256
from xl_localism.batch.discover import Found, find_submissions
from xl_localism.batch.lock import OutputBusy, output_lock
from xl_localism.batch.outcome import (
    BatchResult,
    Outcome,
    league_order,
    named_by_trust,
    summary_of,
)
from xl_localism.workbook.files import display_name, xml_text

CACHE_DIR = ".xl-localism-cache"
FEEDBACK_DIR = "feedback"
REPORT_NAME = "national_summary.xlsx"
DEFAULT_TIMEOUT_SECONDS = 300.0
# Fewer feedback workbooks than this are written in the parent: a pool costs more to start.
MIN_PARALLEL_JOBS = 8
# Files queued for each worker at once: enough that none waits for the next file.
IN_FLIGHT_PER_WORKER = 4


class BatchSetupError(Exception):
    """Nothing could be done: bad arguments or an output folder we cannot write."""


def scoring_fingerprint() -> str:
    """Changes whenever a result could change: any source or data file of the package (see
    batch.cache.code_fingerprint)."""
    return code_fingerprint()


def file_hash(path: Path) -> str:
    return file_sha256(path)


def _identity(path: Path) -> tuple[int, int, int]:
    st = os.stat(path)
    return st.st_size, st.st_mtime_ns, st.st_ino


def _unchanged(path: Path, content_hash: str, before: tuple[int, int, int] | None) -> bool:
    """The file still holds the bytes the parent hashed, and was not rewritten while it was
    read: then what was read is a fact about those bytes. OSError if it is gone."""
    return (file_hash(path) == content_hash and before is not None and
            _identity(path) == before)


def _caused_by_the_machine(error: BaseException) -> bool:
    """A failure that says nothing about the bytes (a read error, no memory): never cached."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, (OSError, MemoryError)):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


CHANGED_WHILE_READ = ("changed while it was being read (is it still being copied or saved?); "
                      "it will be scored on the next run")


def process_submission(path: str, content_hash: str | None = None) -> dict[str, Any]:
    """Worker: read and score one file. Never raises.

    It writes nothing: what the parent should remember comes back as ``stored`` (the outcome
    as JSON, made here on all cores) and, for a result, ``assessment`` (JSON too), only when
    it was computed from the bytes the parent hashed as ``content_hash``. The feedback
    workbook is written from that assessment once every return is scored (its Peers sheet
    needs them all).
    """
    # Imported here so a worker process pays for them once, not the parent at import time.
    from xl_localism.engine import assess
    from xl_localism.explanation import to_json
    from xl_localism.workbook.reader import WorkbookError, read_workbook

    source = Path(path)
    before: tuple[int, int, int] | None = None
    with contextlib.suppress(OSError):
        before = _identity(source)
    cacheable = True
    try:
        assessment = assess(read_workbook(path))
    except WorkbookError as error:
        outcome: dict[str, Any] = {"rejected": error.reason}
        cacheable = not _caused_by_the_machine(error)
    except OSError as error:  # a share gone away, a file locked: nothing about the bytes
        outcome = {"rejected": f"could not be read ({error.strerror or error}); it will be "
                               "tried again on the next run"}
        cacheable = False
    except Exception as error:  # one bad file must never stop the batch
        outcome = {"rejected": f"could not be scored ({type(error).__name__}: "
                               f"{str(error)[:200]})"}
        cacheable = False  # a bug, or the machine (no memory): try again next time
    else:
        outcome = {"result": to_json(assessment)}
    try:
        if content_hash is not None and not _unchanged(source, content_hash, before):
            # Read from other bytes than were hashed: neither the result nor a rejection
            # belongs to this content hash.
            return {"rejected": CHANGED_WHILE_READ}
    except OSError as error:
        return {"rejected": f"could not be read again ({error.strerror or error}); was it "
                            "moved? It will be scored on the next run"}
    if "result" not in outcome:
        return {**outcome, "stored": json.dumps(outcome, ensure_ascii=False) if cacheable
                else None}
    # The parent reads flags, explanation and assessment from the cache when it needs them:
    # the feedback workbook is written from the assessment once the peers are known
    # (batch.peers), without reading the file again.
    return {"result": summary_of(outcome["result"]),
            "stored": json.dumps(outcome, ensure_ascii=False),
            "assessment": json.dumps(assessment.model_dump(mode="json"), ensure_ascii=False)}


def _check_output_folder(out_dir: Path) -> None:
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        probe = out_dir / f".write-test-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as error:
        raise BatchSetupError(f"cannot write to the output folder {out_dir}: "
                              f"{error.strerror or error}") from error


def remove_stray_temporaries(*folders: Path) -> int:
    """Temporary files a killed run left behind (ours are hidden and end in .tmp), and the
    feedback folders it had staged or set aside."""
    removed = 0
    for folder in folders:
        if folder.is_dir():
            for stray in folder.glob(".*.tmp"):
                if stray.is_dir() and not stray.is_symlink():
                    shutil.rmtree(stray, ignore_errors=True)
                else:
                    stray.unlink(missing_ok=True)
                removed += 1
    return removed


def _load_cached(results: ResultCache, content_hash: str) -> dict[str, Any] | None:
    data = results.lookup(content_hash)
    if data is not None and "result" in data:
        data["entry"] = results.entry(content_hash)
    return data


def run_batch(submissions_dir: Path, out_dir: Path, **options: Any) -> BatchResult:
    """Score every submission under ``submissions_dir``; write feedback and the report.

    One batch at a time writes ``out_dir`` (batch.lock): another one finds it taken and stops
    before touching anything (BatchSetupError, exit 2), rather than delete this one's
    temporary files as a killed run's and fail as if the disk were full.
    """
    if not submissions_dir.is_dir():
        raise BatchSetupError(f"{submissions_dir} is not a folder of submissions")
    try:
        with output_lock(out_dir):
            _check_output_folder(out_dir)
            return _run_batch(submissions_dir, out_dir, **options)
    except OutputBusy as error:
        raise BatchSetupError(str(error)) from None


def _run_batch(
    submissions_dir: Path,
    out_dir: Path,
    *,
    jobs: int | None = None,
    force: bool = False,
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
    on_progress: Callable[[Outcome], None] | None = None,
    on_start: Callable[[int], None] | None = None,
    write_report: Callable[[list[Outcome], Path], None] | None = None,
    on_found: Callable[[Found], None] | None = None,
) -> BatchResult:
    cache = out_dir / CACHE_DIR
    cache.mkdir(exist_ok=True)
    remove_stray_temporaries(out_dir, cache, out_dir / FEEDBACK_DIR)

    found = find_submissions(submissions_dir, exclude=out_dir)
    if on_found:
        on_found(found)
    if not found.submissions and not found.unsupported:
        raise BatchSetupError(f"no workbooks found in {display_name(submissions_dir)}")
    fingerprint = scoring_fingerprint()
    # Prunes other versions' entries as it opens; never raises for the database's sake.
    results = ResultCache.open(cache, fingerprint)
    if on_start:
        on_start(len(found.unsupported) + len(found.submissions))
    outcomes: list[Outcome] = []

    def settled(outcome: Outcome) -> None:
        if outcome.rejected is not None:
            outcome.rejected = plain_reason(outcome.rejected)
        outcomes.append(outcome)
        if on_progress:
            on_progress(outcome)

    for path, reason in found.unsupported:
        settled(Outcome(display_name(path.relative_to(submissions_dir)), path, rejected=reason))
    scorer = _Scorer(max(1, min(jobs or os.cpu_count() or 1, len(found.submissions))),
                     timeout, results)
    pending: list[Outcome] = []
    interrupted = False
    try:
        # Each file is handed to the workers as soon as it is hashed, so they start on the
        # first while the rest are hashed.
        for path in found.submissions:
            outcome = Outcome(display_name(path.relative_to(submissions_dir)), path)
            try:
                outcome.content_hash = file_hash(path)
                outcome.key = f"{outcome.content_hash[:40]}-{fingerprint}"
            except OSError as error:
                outcome.rejected = f"could not be read ({error.strerror or error}); was it moved?"
                settled(outcome)
                continue
            cached = None if force else _load_cached(results, outcome.content_hash)
            if cached is not None:
                _apply(outcome, cached)
                outcome.cached = True
                settled(outcome)
            else:
                pending.append(outcome)
                scorer.schedule(outcome)
                # A few files a worker in flight, not the whole folder: each one queued holds
                # its task and future, and a batch's memory would grow with its size.
                while len(scorer.scheduled) > IN_FLIGHT_PER_WORKER * scorer.workers:
                    scorer.collect_finished(on_progress)
        scorer.collect(on_progress)
    except KeyboardInterrupt:
        scorer.stop()
        interrupted = True
    except BaseException:
        scorer.stop()
        raise
    closing: list[threading.Thread | None] = []

    def workers_done() -> None:
        # The pool winds down while the report is written: nothing waits for it by then.
        closing.append(scorer.close_in_background())

    try:
        try:
            results.flush()  # before the report: what was scored is kept whatever happens to it
        except KeyboardInterrupt:
            interrupted = True  # nothing was committed; close() tries once more
        batch = _finish(outcomes, pending, out_dir, cache, write_report, interrupted,
                        scorer, workers_done)
    except BaseException:
        scorer.stop()
        raise
    finally:
        results.close()  # entries stay readable for a report written later
        if not closing:
            workers_done()
        for thread in closing:
            if thread is not None:
                thread.join()
    batch.cache_note = results.note()
    batch.skipped = found.skipped
    return batch


def _finish(outcomes: list[Outcome], pending: list[Outcome], out_dir: Path, cache: Path,
            write_report: Callable[[list[Outcome], Path], None] | None,
            interrupted: bool, scorer: _Scorer, workers_done: Callable[[], None]) -> BatchResult:
    outcomes.extend(o for o in pending if o.summary is not None or o.rejected is not None)
    outcomes.sort(key=lambda o: o.source)
    if interrupted:
        # Workers stopped mid-write leave their temporary files; the pool is gone, so these
        # can only be ours.
        remove_stray_temporaries(cache)
        return BatchResult(outcomes, None, interrupted=True)

    report = out_dir / REPORT_NAME
    # The new feedback folder and report are written under temporary names and swapped in
    # together at the end: a report is never left linking feedback files of another run
    # ("Lincolnshire (2).xlsx" names a different trust's return once a submission is added),
    # and feedback, which says each trust's rank, always agrees with the report beside it.
    token = secrets.token_hex(8)
    staged_feedback = out_dir / f".{FEEDBACK_DIR}.{token}.tmp"
    staged_report = out_dir / f".{Path(REPORT_NAME).stem}.{token}.xlsx.tmp"
    try:
        try:
            _settle_returns(outcomes)
            placing = _place_feedback(outcomes, staged_feedback, out_dir / FEEDBACK_DIR,
                                      scorer, workers_done)
            try:
                # Written here while the workers write the feedback: the report needs only
                # where each workbook will be, which is known already.
                if write_report is not None:
                    write_report(outcomes, staged_report)
            except BaseException:
                placing.wait(cancel=True)  # its own failure, if any, says less than this one
                raise
            placing.wait()
            _swap_in(staged_feedback, out_dir / FEEDBACK_DIR, staged_report, report, token)
        finally:
            remove_stray_temporaries(out_dir)  # what was staged and not swapped in
    except OSError as error:
        # Nothing is swapped in until everything is written, so a failure leaves the
        # previous report and feedback as they were, and true together.
        return BatchResult(outcomes, None, write_error=f"the outputs could not be written in "
                           f"{out_dir} ({error.strerror or error})")
    except KeyboardInterrupt:
        return BatchResult(outcomes, None, interrupted=True)
    return BatchResult(outcomes, report if write_report else None)


def _swap_in(staged_feedback: Path, feedback: Path, staged_report: Path, report: Path,
             token: str) -> None:
    """Put the staged feedback folder and report in place of the old ones: three renames,
    which need no space, so a full disk cannot stop them halfway; any other failure puts the
    old feedback folder back."""
    aside = feedback.with_name(f".{FEEDBACK_DIR}.{token}.old.tmp")
    had_feedback = feedback.exists()
    if had_feedback:
        os.rename(feedback, aside)
    try:
        os.rename(staged_feedback, feedback)
        if staged_report.exists():
            os.replace(staged_report, report)
    except BaseException:
        if had_feedback:
            if feedback.exists():
                os.rename(feedback, staged_feedback)
            os.rename(aside, feedback)
        raise


# Text of the submission's own (and its file name) is not shared: interned strings can outlive
# the batch, and these are new with every file.
_OWN_TEXT = frozenset({"trust", "source", "as_at", "region"})


def _compact(value: Any, key: str = "") -> Any:
    """``value`` with its keys and vocabulary ("Green", "Wales") shared with every other
    summary's.

    Each result arrives unpickled with strings of its own: the same ~40 keys ("drivers",
    "flag_counts" ...) were half of the memory a batch keeps for each file.
    """
    if isinstance(value, dict):
        return {sys.intern(k): _compact(item, k) for k, item in value.items()}
    if isinstance(value, list):
        return [_compact(item, key) for item in value]
    if isinstance(value, str) and len(value) <= 16 and key not in _OWN_TEXT:
        return sys.intern(value)
    return value


def _apply(outcome: Outcome, data: dict[str, Any]) -> None:
    if "result" in data:
        # Identical files share a cache entry; the source is this file, whatever the entry says.
        outcome.summary = _compact({**summary_of(data["result"]), "source": outcome.source})
        outcome.entry = data.get("entry")
    else:
        outcome.rejected = plain_reason(data.get("rejected") or "could not be scored")


# An absolute path of two or more parts (POSIX, a drive or a UNC share): a server's layout is
# nobody's business in a report sent round the trusts; the file's own name says enough.
_ABSOLUTE_PATH = re.compile(r"""(?<![\w.])(?:[A-Za-z]:[\\/]|\\\\|/)"""
                            r"""(?:[^\s'"()\[\]<>,;:/\\]+[/\\])+([^\s'"()\[\]<>,;:/\\]*)""")


def plain_reason(reason: str) -> str:
    """A rejection reason as one line for the report: no absolute paths, no line breaks, only
    text any writer can hold."""
    one_line = " ".join(xml_text(reason).split())
    return _ABSOLUTE_PATH.sub(lambda m: m.group(1) or "…", one_line)


class _Scorer:
    """Files scored in a pool of worker processes, started with the first file scheduled.

    pebble gives each task its own timeout and survives a worker that dies: the one file is
    rejected and the pool replaces the worker.
    """

    def __init__(self, workers: int, timeout: float, results: ResultCache) -> None:
        self.workers, self.timeout = workers, timeout
        self.results = results
        self.pool: ProcessPool | None = None
        # Each file's future, in the order scheduled (dicts keep it).
        self.scheduled: dict[Any, Outcome] = {}

    def _start(self) -> None:
        _import_worker_modules()
        from xl_localism.workbook.isolated import limit_memory

        # The memory cap `score` reads under too: one file cannot exhaust the machine.
        self.pool = ProcessPool(max_workers=self.workers, initializer=limit_memory)

    def start(self) -> None:
        if self.pool is None:
            self._start()

    def parallel(self, count: int) -> bool:
        """Whether :meth:`map` of ``count`` jobs runs them in the workers."""
        return self.pool is not None or count >= MIN_PARALLEL_JOBS

    def schedule(self, outcome: Outcome) -> None:
        if self.pool is None:
            self._start()
        assert self.pool is not None
        self.scheduled[self.pool.schedule(
            process_submission, args=(str(outcome.path), outcome.content_hash),
            timeout=self.timeout)] = outcome

    def collect(self, on_progress: Callable[[Outcome], None] | None) -> None:
        """Wait for every file scheduled and apply its result."""
        while self.scheduled:
            self.collect_finished(on_progress)

    def collect_finished(self, on_progress: Callable[[Outcome], None] | None) -> None:
        """Wait for any file to finish; apply the results of every file finished by then.

        Whichever finishes first, not the oldest: a file that takes minutes must not leave
        the other workers idle behind it (outcomes are put in order at the end).
        """
        done, _ = wait(self.scheduled, return_when=FIRST_COMPLETED)
        for future in [f for f in self.scheduled if f in done]:  # in the order scheduled
            # Let go of each future once its result is applied: it holds the result and a lock.
            self._take_result(self.scheduled.pop(future), future, on_progress)

    def _take_result(self, outcome: Outcome, future: Any,
                     on_progress: Callable[[Outcome], None] | None) -> None:
        try:
            data = future.result()
        except FutureTimeout:
            data = {"rejected": f"took longer than {self.timeout:g} s to read and was "
                                "stopped"}
        except ProcessExpired as error:
            data = {"rejected": f"the reader process stopped unexpectedly "
                                f"(exit code {error.exitcode}); it will be retried on "
                                "the next run"}
        except Exception as error:
            data = {"rejected": f"could not be scored ({type(error).__name__})"}
        stored, assessment = data.pop("stored", None), data.pop("assessment", None)
        if stored is not None and outcome.content_hash is not None:
            # The parent is the cache's only writer; workers only hand results back.
            self.results.store(outcome.content_hash, stored, assessment)
            if "result" in data:
                data["entry"] = self.results.entry(outcome.content_hash)
        _apply(outcome, data)
        if on_progress:
            on_progress(outcome)

    def map(self, function: Callable[[Any], Any], jobs: Iterable[Any], count: int) -> None:
        """Run ``function`` on each of the ``count`` jobs in the workers, all cores busy, and
        wait for them all; a job's exception (a full disk) is raised here. Few jobs run here:
        starting a pool for them would cost more than it saves.

        ``jobs`` is drawn from only as workers free up (a few jobs a worker in flight): a job
        can be large (a feedback workbook's whole assessment), and holding every one at once
        would make the parent's memory grow with the batch.
        """
        if not self.parallel(count):
            for job in jobs:
                function(job)
            return
        self.start()
        assert self.pool is not None
        # Every job is waited for, even after one fails: none may still be writing into a
        # folder the caller removes once this returns.
        failure: BaseException | None = None
        in_flight: deque[Any] = deque()

        def wait_oldest() -> None:
            nonlocal failure
            try:
                in_flight.popleft().result()
            except BaseException as error:
                failure = failure or error

        try:
            for job in jobs:
                if len(in_flight) >= 2 * self.workers:
                    wait_oldest()
                in_flight.append(self.pool.schedule(function, args=(job,)))
        finally:  # a job that could not be made (an unreadable entry) still waits for the rest
            while in_flight:
                wait_oldest()
        if failure is not None:
            raise failure

    def stop(self) -> None:
        """Stop the workers now, mid-file if need be (Ctrl-C, an error)."""
        if self.pool is not None:
            self.pool.stop()
            self.pool.join()
            self.pool = None

    def close_in_background(self) -> threading.Thread | None:
        """Let the idle pool wind down while the caller goes on; returns the thread to join.

        pebble takes ~0.1 s to join a pool after its last result (its manager threads poll),
        and nothing waits for the workers by then: the report is written meanwhile.
        """
        if self.pool is None:
            return None
        self.pool.close()
        closing = threading.Thread(target=self.pool.join, name="xl-localism-pool-join",
                                   daemon=True)
        closing.start()
        self.pool = None
        return closing


def _import_worker_modules() -> None:
    """Import what a worker needs before the pool starts: forked workers then share the
    parent's modules instead of each importing its own copy."""
    from xl_localism.batch.peers import write_feedback  # noqa: F401
    from xl_localism.engine import assess  # noqa: F401
    from xl_localism.explanation import to_json  # noqa: F401
    from xl_localism.workbook.reader import read_workbook  # noqa: F401
    from xl_localism.workbook.results import feedback_layouts  # noqa: F401  (write_feedback's)


class _Placing:
    """The feedback workbooks being written, in a thread that hands them to the workers."""

    def __init__(self, outcomes: list[Outcome], thread: threading.Thread | None) -> None:
        self.outcomes, self.thread = outcomes, thread
        self.stopping = threading.Event()
        self.failure: BaseException | None = None

    def wait(self, cancel: bool = False) -> None:
        """Wait until no workbook is being written (``cancel``: start no more); raise the
        first failure. The outcomes' feedback paths are cleared if any workbook is missing."""
        interrupted = False
        if cancel:
            self.stopping.set()
        while self.thread is not None and self.thread.is_alive():
            try:
                self.thread.join()
            except KeyboardInterrupt:
                # Still wait: the caller removes the folder the workers are writing into.
                self.stopping.set()
                interrupted = True
        if self.failure is not None or cancel or interrupted:
            for outcome in self.outcomes:
                outcome.feedback = None
        if interrupted:
            raise KeyboardInterrupt
        if self.failure is not None and not cancel:
            raise self.failure


def _place_feedback(outcomes: list[Outcome], staged: Path, feedback_dir: Path,
                    scorer: _Scorer, workers_done: Callable[[], None]) -> _Placing:
    """Start writing one feedback workbook per current return, with its Peers sheet
    (batch.peers), in the new folder ``staged``, which becomes ``feedback_dir``; each
    outcome's feedback is its path there at once. Wait with the returned ``wait()``.

    With the pool running (or worth starting), the workers write them while the caller writes
    the national report: on two cores the report and the feedback took turns otherwise. The
    pool is let go (``workers_done``) as soon as the last one is written.
    """
    from xl_localism.batch.peers import standings

    league = league_order(outcomes)
    standing = dict(zip((id(o) for o in league),
                        standings([o.summary for o in league]), strict=True))  # type: ignore[misc]
    outcomes = [o for o in outcomes if o.current]
    staged.mkdir()
    written = [(outcome, staged / f"{stem}.xlsx") for outcome, stem in named_by_trust(outcomes)
               if outcome.entry is not None]
    for outcome, path in written:
        outcome.feedback = feedback_dir / path.name
    placing = _Placing([outcome for outcome, _ in written], None)

    def jobs() -> Iterator[tuple[str, Any, Path]]:
        # Each assessment is read from the cache entry only as a worker is ready for it.
        # Peers change whenever any return does, so every workbook is written afresh each
        # run, by the workers: one workbook each, every core busy.
        for outcome, path in written:
            if placing.stopping.is_set():
                return
            yield outcome.assessment(), standing[id(outcome)], path

    if not scorer.parallel(len(written)):
        try:
            scorer.map(_write_feedback_job, jobs(), len(written))
        except BaseException:
            placing.wait(cancel=True)
            raise
        workers_done()
        return placing

    def place() -> None:
        try:
            scorer.map(_write_feedback_job, jobs(), len(written))
        except BaseException as error:
            placing.failure = error
        finally:
            workers_done()  # every job was waited for: the pool is idle

    # The pool is made here, not in the feedback thread. pebble forks its workers from its own
    # manager thread when the first job is scheduled, as it does whenever it replaces one.
    scorer.start()
    placing.thread = threading.Thread(target=place, name="xl-localism-feedback", daemon=True)
    placing.thread.start()
    return placing


def _write_feedback_job(job: tuple[str, Any, Path]) -> None:
    from xl_localism.batch.peers import write_feedback

    write_feedback(*job)


def _settle_returns(outcomes: list[Outcome]) -> None:
    """Which scored file is current for each trust and period, and which it superseded."""
    from xl_localism.returns import Submission, group_returns

    scored = [o for o in outcomes if o.summary is not None]
    for outcome in scored:
        try:
            outcome.modified = os.stat(outcome.path).st_mtime_ns / 1e9
        except OSError:
            outcome.modified = 0.0  # gone since it was scored: never newer than one still there
    by_id = {id(o): o for o in scored}
    for found in group_returns(
            Submission(o.summary["trust"], o.summary.get("as_at"),  # type: ignore[index]
                       o.modified or 0.0, o.source, id(o),
                       named=o.summary.get("trust_named", True))  # type: ignore[union-attr]
            for o in scored):
        current = by_id[found.current.ref]  # type: ignore[index]
        for older in found.superseded:
            by_id[older.ref].superseded_by = current  # type: ignore[index]
        if found.superseded:
            names = ", ".join(s.file for s in found.superseded)
            current.notes.append(f"Revision: supersedes {names}")
