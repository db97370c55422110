"""What a batch concluded about each file, and the batch as a whole: plain data.

The runner makes these; the national report, the statements and the command line read them,
without depending on how files were scored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xl_localism.batch.cache import CacheEntry
from xl_localism.batch.naming import unique_stems
from xl_localism.returns import period_of

# What a batch keeps in memory of every file's result at once: what the League, the Peers
# sheet, the history and the terminal read. The rest (flags, explanation, targets, measures,
# components ...) stays in the file's cache entry, where Outcome.result reads it back.
SUMMARY_KEYS = ("trust", "trust_named", "nation", "region", "as_at", "score", "rag", "drivers",
                "driver_rag", "flag_counts")


def summary_of(result: dict[str, Any]) -> dict[str, Any]:
    return {k: result[k] for k in SUMMARY_KEYS if k in result}


@dataclass
class Outcome:
    """What happened to one submission file."""

    # Path relative to the submissions folder, as shown in the report: a name that is not
    # UTF-8, or holds a control character, is shown with \xNN escapes (files.display_name).
    source: str
    path: Path
    key: str | None = None  # the cache entry: content hash and scoring fingerprint
    content_hash: str | None = None  # the file's own identity, whatever version scored it
    # The result without its flags and explanation (those stay in the cache entry).
    summary: dict[str, Any] | None = None
    rejected: str | None = None
    cached: bool = False
    feedback: Path | None = None
    notes: list[str] = field(default_factory=list)
    entry: CacheEntry | None = None  # the cache entry holding the full result
    # Returns and revisions (xl_localism.returns): the file's modification time and the newer
    # file of the same return that supersedes it, if any.
    modified: float | None = None
    superseded_by: Outcome | None = None

    @property
    def period(self) -> str | None:
        """The reporting period of a scored file (xl_localism.returns), from its As at."""
        return None if self.summary is None else period_of(self.summary.get("as_at"))

    @property
    def result(self) -> dict[str, Any] | None:
        """The same JSON as `xl-localism score --json`, read from the cache entry when asked.

        Read each time rather than kept, so memory stays flat however many files a batch has.
        """
        if self.summary is None:
            return None
        try:
            full = self.entry.read()["result"] if self.entry else {}
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise self._unreadable(error) from error
        return {**full, **self.summary}

    def assessment(self) -> str:
        """The engine's Assessment as JSON text (for the feedback workbook, which parses it),
        from the cache entry; OSError when it cannot be read, as for :attr:`result`."""
        if self.entry is None:
            raise self._unreadable(KeyError("no cache entry"))
        try:
            return self.entry.assessment()
        except (OSError, ValueError) as error:
            raise self._unreadable(error) from error

    def _unreadable(self, error: BaseException) -> OSError:
        # Damaged or removed since it was read: a report without this file's flags, or a
        # feedback folder without its workbook, would look complete. It fails instead, and
        # the next run scores the file afresh.
        return OSError(f"the cache entry of {self.source} could not be read again ({error}); "
                       "run the batch again to score it afresh")

    @property
    def flagged(self) -> bool:
        counts = (self.summary or {}).get("flag_counts", {})
        return bool(counts.get("critical") or counts.get("error"))

    @property
    def critical(self) -> bool:
        """Has a critical flag: the ones that cap a Green score at Amber."""
        return bool((self.summary or {}).get("flag_counts", {}).get("critical"))

    @property
    def current(self) -> bool:
        """Scored, and the current file of its return (see xl_localism.returns)."""
        return self.summary is not None and self.superseded_by is None


@dataclass
class BatchResult:
    outcomes: list[Outcome]
    report: Path | None
    interrupted: bool = False
    # Why the report or the feedback could not be written (disk full, folder made read-only);
    # whatever was there before is untouched, and the scored files are kept for a rerun.
    write_error: str | None = None
    # One line when the cache database could not be used as it should (see batch.cache).
    cache_note: str | None = None
    # Lock files, hidden and system files in the submissions folder, skipped by rule.
    skipped: int = 0

    @property
    def scored(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.summary is not None]

    @property
    def rejected(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.rejected is not None]

    @property
    def current(self) -> list[Outcome]:
        """One scored file per return: what is ranked, counted and recorded as current."""
        return [o for o in self.outcomes if o.current]

    @property
    def superseded(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.superseded_by is not None]

    @property
    def exit_code(self) -> int:
        if self.write_error:
            return 2
        return 1 if self.rejected else 0


def league_order(outcomes: list[Outcome]) -> list[Outcome]:
    """The current returns as the League ranks them: score, then trust, then file."""
    return sorted((o for o in outcomes if o.current),
                  key=lambda o: (-o.summary["score"], o.summary["trust"].casefold(),  # type: ignore[index]
                                 o.source))


def named_by_trust(outcomes: list[Outcome]) -> list[tuple[Outcome, str]]:
    """The scored outcomes, each with the file name stem its feedback and statement take:
    the trust's name, numbered where trusts share one, in one order (trust, As at, file)
    so ``feedback/Kent.xlsx`` and ``statements/Kent.docx`` are always the same return."""
    scored = sorted((o for o in outcomes if o.summary is not None),
                    key=lambda o: (o.summary["trust"].casefold(),  # type: ignore[index]
                                   o.summary.get("as_at") or "", o.source))  # type: ignore[union-attr]
    stems = unique_stems([o.summary["trust"] for o in scored])  # type: ignore[index]
    return list(zip(scored, stems, strict=True))
