"""``xl-localism batch --statements``: each scored trust's draft Position Statement as Word.

Run in the parent after the batch, from the batch's scored outcomes. The statement needs the
Submission itself (checklist owners and due dates, objectives, measure names, who prepared it),
which the results the workers return (the JSON of each assessment) do not carry; so each scored
file is read again here and put through the same code as ``xl-localism statement``, and the two
give the same document. A file changed since it was scored (its content hash differs) is skipped
and said so, rather than given a statement that does not match its score.

File names follow the feedback workbooks': the same safe, unique stems in the same order, so
``feedback/Kent.xlsx`` and ``statements/Kent.docx`` are the same return.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from xl_localism.batch.cache import file_sha256
from xl_localism.batch.outcome import Outcome, named_by_trust

STATEMENTS_DIR = "statements"


@dataclass
class StatementsResult:
    written: list[Path] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (source, why)


def write_statements(outcomes: list[Outcome], out_dir: Path,
                     on_written: Callable[[Path], None] | None = None) -> StatementsResult:
    """Write ``OUT/statements/<Trust>.docx`` for each scored outcome.

    Raises OSError when the folder or a file cannot be written (each file is written to a
    temporary name and renamed, so none is left half-written).
    """
    from xl_localism.engine import assess
    from xl_localism.render.docx import write_statement_docx
    from xl_localism.workbook.reader import WorkbookError, read_workbook

    folder = out_dir / STATEMENTS_DIR
    folder.mkdir(parents=True, exist_ok=True)
    result = StatementsResult()
    for outcome, stem in named_by_trust(outcomes):
        try:
            if outcome.content_hash and file_sha256(outcome.path) != outcome.content_hash:
                result.skipped.append((outcome.source, "changed since it was scored; run the "
                                       "batch again"))
                continue
            submission = read_workbook(outcome.path)
        except (OSError, WorkbookError) as error:
            reason = error.reason if isinstance(error, WorkbookError) else \
                (error.strerror or str(error))
            result.skipped.append((outcome.source, f"could not be read again ({reason})"))
            continue
        target = write_statement_docx(submission, assess(submission), folder / f"{stem}.docx")
        result.written.append(target)
        if on_written:
            on_written(target)
    return result
