"""Find the submissions in a folder, the way an administrator's shared drive really looks."""

from __future__ import annotations

import os
from collections.abc import Iterator
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


def find_submissions(root: Path, exclude: Path | None = None) -> Found:
    """Every .xlsx/.xlsm under ``root``, skipping Office lock files (~$*) and hidden files and
    folders, in path order.

    ``exclude`` is the batch's own output folder: when it sits inside the submissions folder,
    its report and feedback workbooks must not come back as submissions on the next run, and
    it is not even walked (it holds a feedback workbook per trust).
    """
    submissions: list[Path] = []
    unsupported: list[tuple[Path, str]] = []
    excluded = exclude.resolve() if exclude is not None else None
    for entry in _files(root, root.resolve(), excluded):
        suffix = Path(entry.name).suffix.lower()
        if suffix in WORKBOOK_SUFFIXES:
            submissions.append(Path(entry.path))
        elif suffix in OTHER_EXCEL_SUFFIXES:
            unsupported.append((Path(entry.path), OTHER_EXCEL_SUFFIXES[suffix]))
    submissions.sort()
    unsupported.sort()
    return Found(submissions, unsupported)


def _files(folder: Path | str, resolved: Path,
           excluded: Path | None) -> Iterator[os.DirEntry[str]]:
    """The files below ``folder`` (whose real path is ``resolved``), from directory entries:
    no stat or path resolution per file on most systems, only for links. Linked folders are
    not followed (as ``Path.rglob`` does not); linked files are."""
    try:
        listing = os.scandir(folder)
    except PermissionError:
        return  # a folder the batch may not read is passed over, as Path.rglob passes it
    with listing as entries:
        for entry in entries:
            if entry.name.startswith("."):
                continue
            real = resolved / entry.name
            if excluded is not None:
                if entry.is_symlink():
                    # realpath, not Path.resolve: a link loop is then a path, not an error.
                    real = Path(os.path.realpath(entry.path))
                if real.is_relative_to(excluded):
                    continue  # the output folder, or a link into it
            if entry.is_dir(follow_symlinks=False):
                yield from _files(entry.path, real, excluded)
            elif not entry.name.startswith("~$") and _is_file(entry):
                yield entry


def _is_file(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_file()
    except OSError:
        return False  # a link loop, or a link it may not follow: not a submission it can read
