"""Find the submissions in a folder, the way an administrator's shared drive really looks."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

WORKBOOK_SUFFIXES = {".xlsx", ".xlsm"}
# Excel files we cannot read; listing them as rejected tells the sender what to do.
OTHER_EXCEL_SUFFIXES = {
    ".xls": "an old binary Excel 97-2003 workbook (.xls); save it as .xlsx",
    ".xlsb": "a binary workbook (.xlsb); save it as .xlsx",
    ".ods": "an OpenDocument spreadsheet (.ods); save it as .xlsx",
}


@dataclass(frozen=True)
class Found:
    submissions: list[Path]
    unsupported: list[tuple[Path, str]]


def _hidden(path: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(root).parts)


def find_submissions(root: Path, exclude: Path | None = None) -> Found:
    """Every .xlsx/.xlsm under ``root``, skipping Office lock files (~$*) and hidden files.

    ``exclude`` is the batch's own output folder: when it sits inside the submissions folder,
    its report and feedback workbooks must not come back as submissions on the next run.
    """
    submissions: list[Path] = []
    unsupported: list[tuple[Path, str]] = []
    excluded = exclude.resolve() if exclude is not None else None
    for path in sorted(root.rglob("*")):
        if not path.is_file() or path.name.startswith("~$") or _hidden(path, root):
            continue
        if excluded is not None and path.resolve().is_relative_to(excluded):
            continue
        suffix = path.suffix.lower()
        if suffix in WORKBOOK_SUFFIXES:
            submissions.append(path)
        elif suffix in OTHER_EXCEL_SUFFIXES:
            unsupported.append((path, OTHER_EXCEL_SUFFIXES[suffix]))
    return Found(submissions, unsupported)
