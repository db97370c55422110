"""atomic_path: every output appears whole or not at all, with the folder's usual permissions."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest

from xl_localism.workbook.files import atomic_path


def test_the_target_appears_only_when_the_write_is_complete(tmp_path: Path) -> None:
    target = tmp_path / "report.xlsx"
    target.write_bytes(b"previous")
    with atomic_path(target) as temporary:
        assert temporary.parent == tmp_path and temporary.name.startswith(".report.")
        assert temporary.name.endswith(".xlsx.tmp")  # what remove_stray_temporaries looks for
        temporary.write_bytes(b"new")
        assert target.read_bytes() == b"previous"
    assert target.read_bytes() == b"new"
    assert [p.name for p in tmp_path.iterdir()] == ["report.xlsx"]


def test_an_error_leaves_the_previous_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "report.xlsx"
    target.write_bytes(b"previous")
    with pytest.raises(OSError), atomic_path(target) as temporary:
        temporary.write_bytes(b"half")
        raise OSError("disk full")
    assert target.read_bytes() == b"previous"
    assert [p.name for p in tmp_path.iterdir()] == ["report.xlsx"]


def test_linking_the_same_file_again_leaves_no_temporary(tmp_path: Path) -> None:
    # A rerun places a feedback workbook from the same cache entry: renaming a second link to
    # a file over the first does nothing, so the temporary name must still be removed.
    source, target = tmp_path / "entry.xlsx", tmp_path / "out" / "Trust.xlsx"
    source.write_bytes(b"feedback")
    for _ in range(2):
        with atomic_path(target) as temporary:
            os.link(source, temporary)
    assert target.read_bytes() == b"feedback"
    assert [p.name for p in target.parent.iterdir()] == ["Trust.xlsx"]


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permission bits")
def test_outputs_get_the_permissions_any_new_file_gets(tmp_path: Path) -> None:
    # Reports go to shared folders: a private (0600) file would lock colleagues out.
    previous = os.umask(0o022)
    try:
        with atomic_path(tmp_path / "report.xlsx") as temporary:
            temporary.write_bytes(b"x")
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "report.xlsx").stat().st_mode) == 0o644
