"""Find the submissions in a folder, the way an administrator's shared drive really looks."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from xl_localism.workbook.package import OLD_XLS_REASON

WORKBOOK_SUFFIXES = {".xlsx", ".xlsm"}
# Excel files we cannot read; listing them as rejected tells the sender what to do.
OTHER_EXCEL_SUFFIXES = {
    ".xls": OLD_XLS_REASON,
    ".xlsb": "a binary workbook (.xlsb); save it as .xlsx",
    ".ods": "an OpenDocument spreadsheet (.ods); save it as .xlsx",
}


# Files a folder holds that nobody submitted: skipped by rule and counted, never rejected.
SYSTEM_FILES = {"thumbs.db", "desktop.ini", "ehthumbs.db"}
WORKBOOK_HINT = "save it as an Excel Workbook (.xlsx) and submit that"


def not_a_workbook(name: str) -> str:
    """Why a file that is not an .xlsx/.xlsm is rejected, and what the sender should do."""
    suffix = Path(name).suffix.lower()
    if suffix in OTHER_EXCEL_SUFFIXES:
        return OTHER_EXCEL_SUFFIXES[suffix]
    if suffix == ".csv":
        return f"a CSV file (.csv) holds one sheet and no tables; {WORKBOOK_HINT}"
    if not suffix:
        return f"not a workbook (the file name has no extension); {WORKBOOK_HINT}"
    return f"not a workbook ({suffix} file); {WORKBOOK_HINT}"


@dataclass(frozen=True)
class Found:
    submissions: list[Path]
    # Files that are not workbooks, and folders that could not be read: each with its reason.
    unsupported: list[tuple[Path, str]]
    # Office lock files (~$*), hidden files and folders and system files, skipped by rule.
    skipped: int = 0


def find_submissions(root: Path, exclude: Path | None = None) -> Found:
    """Every file under ``root``: .xlsx/.xlsm as submissions, anything else as unsupported with
    a reason; Office lock files (~$*), hidden files and folders and system files skipped and
    counted. In path order, so that every file is accounted for.

    ``exclude`` is the batch's own output folder: when it sits inside the submissions folder,
    its report and feedback workbooks must not come back as submissions on the next run, and
    it is not even walked (it holds a feedback workbook per trust).
    """
    submissions: list[Path] = []
    unsupported: list[tuple[Path, str]] = []
    skipped = [0]
    excluded = exclude.resolve() if exclude is not None else None
    for entry in _files(root, root.resolve(), excluded, unsupported, skipped):
        suffix = Path(entry.name).suffix.lower()
        if suffix in WORKBOOK_SUFFIXES:
            submissions.append(Path(entry.path))
        else:
            unsupported.append((Path(entry.path), not_a_workbook(entry.name)))
    submissions.sort()
    unsupported.sort()
    return Found(submissions, unsupported, skipped[0])


def _files(folder: Path | str, resolved: Path, excluded: Path | None,
           unreadable: list[tuple[Path, str]], skipped: list[int]
           ) -> Iterator[os.DirEntry[str]]:
    """The files below ``folder`` (whose real path is ``resolved``), from directory entries:
    no stat or path resolution per file on most systems, only for links. Linked folders are
    not followed (as ``Path.rglob`` does not); linked files are. A folder that cannot be read
    goes to ``unreadable`` with the reason; what is skipped by rule is counted in
    ``skipped``."""
    try:
        listing = os.scandir(folder)
    except OSError as error:
        # Submissions may be in there: say so rather than pass over them in silence.
        unreadable.append((Path(folder), f"a folder the batch cannot read "
                           f"({error.strerror or type(error).__name__}); its files were not "
                           "looked at: give the batch's account read access and run it again"))
        return
    with listing as entries:
        for entry in entries:
            if entry.name.startswith((".", "~$")) or entry.name.lower() in SYSTEM_FILES:
                skipped[0] += 1
                continue
            real = resolved / entry.name
            if excluded is not None:
                if entry.is_symlink():
                    # realpath, not Path.resolve: a link loop is then a path, not an error.
                    real = Path(os.path.realpath(entry.path))
                if real.is_relative_to(excluded):
                    continue  # the output folder, or a link into it
            if entry.is_dir(follow_symlinks=False):
                yield from _files(entry.path, real, excluded, unreadable, skipped)
            elif _is_file(entry):
                yield entry
            elif entry.is_symlink():
                unreadable.append((Path(entry.path), _link_reason(entry.path)))


def _link_reason(path: str) -> str:
    if os.path.isdir(path):
        return ("a link to a folder, which the batch does not follow; put the workbooks in "
                "the submissions folder itself")
    return "a link to a file that is not there (or to itself); submit the workbook itself"


def _is_file(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_file()
    except OSError:
        return False  # a link loop, or a link it may not follow: not a submission it can read
