"""Returns and revisions: which submissions are the same return, and which of them counts.

The specification (docs/method.md §10): a submission's period is the quarter of the financial
year that holds its As at date; two submissions are the same return when their Trust names match
case-, space- and punctuation-insensitively and their periods are equal (no As at is its own
"undated" period). Of one return the most recently modified file is current and the others are
superseded.

Pure: no file is opened or stat'ed here. The batch and the history both call it with what they
already know, so the two can never disagree about which file is current.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from datetime import date

UNDATED = "undated"


def period_of(as_at: date | str | None) -> str:
    """The financial-year quarter holding ``as_at``: 30/09/2010 is "2010/11 Q2".

    April–June is Q1 and January–March is Q4 (of the year that began the April before).
    """
    if as_at is None or as_at == "":
        return UNDATED
    if isinstance(as_at, str):
        as_at = date.fromisoformat(as_at[:10])
    first_year = as_at.year if as_at.month >= 4 else as_at.year - 1
    quarter = (as_at.month - 4) % 12 // 3 + 1
    return f"{first_year}/{(first_year + 1) % 100:02d} Q{quarter}"


def period_end(period: str) -> date | None:
    """The last day of a period ("2010/11 Q2" -> 30/09/2010); None for "undated"."""
    if period == UNDATED:
        return None
    year, quarter = int(period[:4]), int(period[-1])
    month = 3 * quarter + 3  # Q1 ends in June (6), Q4 in March of the next year (15)
    if month > 12:
        year, month = year + 1, month - 12
    following = date(year + (month == 12), month % 12 + 1, 1)
    return date.fromordinal(following.toordinal() - 1)


def period_sort_key(period: str) -> tuple[int, str]:
    """Periods in time order ("2009/10 Q4" before "2010/11 Q1"); undated last."""
    return (1, "") if period == UNDATED else (0, period)


def trust_key(name: str) -> str:
    """A Trust name as the specification compares it, ignoring case, spaces and punctuation:
    "Thames Valley", "thames-valley" and "Thames  Valley." are one trust."""
    text = unicodedata.normalize("NFKC", name or "").casefold()
    return "".join(ch for ch in text if ch.isalnum())


@dataclass(frozen=True)
class Submission:
    """What the rule needs to know about one scored file; ``ref`` is the caller's handle."""

    trust: str
    as_at: date | str | None
    modified: float  # seconds since the epoch (any clock, as long as all use the same)
    file: str  # shown to people, and the tie-break
    ref: Hashable = None
    # False when the workbook gave no trust name (its file's name stood in): such a file is
    # its own return, never matched with another trust's unnamed file.
    named: bool = True


@dataclass(frozen=True)
class Return:
    """One trust's return for one period: the current file and the files it superseded."""

    trust_key: str
    period: str
    current: Submission
    superseded: tuple[Submission, ...] = field(default_factory=tuple)


def newest_first_key(submission: Submission) -> tuple[float, str]:
    """Which file is current: the latest modification time; when two are equal to the
    nanosecond (a copy that kept its time), the one whose path sorts last, so the answer does
    not depend on the order the files were found in."""
    return (submission.modified, submission.file)


def return_key(trust: str, as_at: date | str | None, named: bool, file: str) -> tuple[str, str]:
    """(trust key, period): files with equal keys are the same return. A file whose workbook
    gives no trust name is keyed by the file itself: it is never matched with another."""
    return (trust_key(trust) if named else f"file:{file}"), period_of(as_at)


def group_returns(submissions: Iterable[Submission]) -> list[Return]:
    """The returns among ``submissions``, ordered by trust and period."""
    groups: dict[tuple[str, str], list[Submission]] = {}
    for s in submissions:
        groups.setdefault(return_key(s.trust, s.as_at, s.named, s.file), []).append(s)
    returns = []
    for (trust, period), members in sorted(groups.items(),
                                           key=lambda kv: (kv[0][0], period_sort_key(kv[0][1]))):
        ordered = sorted(members, key=newest_first_key, reverse=True)
        returns.append(Return(trust, period, ordered[0], tuple(ordered[1:])))
    return returns
