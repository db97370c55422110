"""Finding submissions on a shared drive: what is picked up and what is passed over."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from xl_localism.batch.discover import (
    OTHER_EXCEL_SUFFIXES,
    WORKBOOK_HINT,
    WORKBOOK_SUFFIXES,
    find_submissions,
)


def _by_rglob(root: Path, exclude: Path | None) -> tuple[list[Path], list[Path]]:
    """The rule, spelled out the slow way: every file under root by Path.rglob, less hidden
    ones, Office lock files and anything that really lives in the output folder."""
    excluded = exclude.resolve() if exclude else None
    found = [p for p in sorted(root.rglob("*")) if p.is_file() and not p.name.startswith("~$")
             and not any(part.startswith(".") for part in p.relative_to(root).parts)
             and not (excluded and p.resolve().is_relative_to(excluded))]
    # Every other file is listed with a reason (issue 14 item 6), and so is a link that leads
    # to no file.
    links = [p for p in sorted(root.rglob("*")) if p.is_symlink() and not p.is_file()
             and not any(part.startswith(".") for part in p.relative_to(root).parts)
             and not (excluded and Path(os.path.realpath(p)).is_relative_to(excluded))]
    return ([p for p in found if p.suffix.lower() in WORKBOOK_SUFFIXES],
            sorted([p for p in found if p.suffix.lower() not in WORKBOOK_SUFFIXES] + links))


@pytest.fixture
def drive(tmp_path: Path) -> Path:
    root = tmp_path / "drive"
    for folder in ["North/.archive", "South/2010", "out/feedback", "Weird.xlsx"]:
        (root / folder).mkdir(parents=True)
    for name in ["North/a.xlsx", "North/~$a.xlsx", "North/.b.xlsx", "North/.archive/c.xlsx",
                 "South/2010/D.XLSM", "South/old.xls", "South/e.ods", "South/notes.txt",
                 "out/national_summary.xlsx", "out/feedback/f.xlsx", "top.xlsx"]:
        (root / name).write_bytes(b"x")
    os.symlink(root / "out" / "feedback", root / "South" / "link-to-feedback")
    os.symlink(root / "out" / "feedback" / "f.xlsx", root / "South" / "f-link.xlsx")
    os.symlink(root / "North", root / "South" / "link-to-north")
    os.symlink(root / "missing.xlsx", root / "broken.xlsx")
    os.symlink("loop.xlsx", root / "loop.xlsx")  # a link to itself
    return root


@pytest.mark.parametrize("exclude", ["out", "out/feedback", None])
def test_the_same_files_as_the_rule_spelled_out(drive, exclude):
    excluded = drive / exclude if exclude else None
    found = find_submissions(drive, excluded)
    assert (found.submissions, [p for p, _ in found.unsupported]) == _by_rglob(drive, excluded)


def test_what_is_found_and_what_is_passed_over(drive):
    found = find_submissions(drive, drive / "out")
    assert [p.relative_to(drive).as_posix() for p in found.submissions] == [
        "North/a.xlsx", "South/2010/D.XLSM", "top.xlsx"]
    reasons = {p.name: reason for p, reason in found.unsupported}
    assert reasons["e.ods"] == OTHER_EXCEL_SUFFIXES[".ods"]
    assert reasons["old.xls"] == OTHER_EXCEL_SUFFIXES[".xls"]
    assert reasons["notes.txt"] == "not a workbook (.txt file); " + WORKBOOK_HINT
    assert "link to a folder" in reasons["link-to-north"]
    assert "not there" in reasons["broken.xlsx"] and "not there" in reasons["loop.xlsx"]
    # ~$a.xlsx, .b.xlsx and the .archive folder: skipped by rule, and counted.
    assert found.skipped == 3


def test_a_folder_it_may_not_read_is_listed_with_the_reason(drive, monkeypatch):
    real_scandir = os.scandir

    def refused(path):
        if Path(path).name == "North":  # as a folder without read permission refuses
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", refused)
    found = find_submissions(drive, drive / "out")
    assert [p.name for p in found.submissions] == ["D.XLSM", "top.xlsx"]
    reasons = dict(found.unsupported)
    assert "cannot read (Permission denied)" in reasons[drive / "North"]
