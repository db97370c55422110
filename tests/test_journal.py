"""batch.journal: the cache entries a batch's workers append, one journal per process."""

from __future__ import annotations

import errno
import multiprocessing
import os
import sys

import pytest

from xl_localism.batch import journal
from xl_localism.batch.journal import Journal, journal_for, read_index

FINGERPRINT = "0fe90941fdd8f569"


def _key(number: int, fingerprint: str = FINGERPRINT) -> str:
    return f"{number:040x}-{fingerprint}"


def test_entries_are_found_where_they_were_appended(tmp_path):
    writer = Journal(tmp_path)
    entries = {_key(1): {"result": {"trust": "Avon", "score": 71.5, "flags": []}},
               _key(2): {"rejected": "not an Excel workbook: \t tab and\nnewline, ü, 😀"}}
    locations = {key: writer.append(key, entry) for key, entry in entries.items()}
    writer.close()
    index = read_index(tmp_path, suffix=f"-{FINGERPRINT}")
    assert index == locations
    assert {key: location.read() for key, location in index.items()} == entries
    assert [p.name.startswith("journal-") for p in tmp_path.iterdir()] == [True]


def test_another_versions_entries_are_left_out(tmp_path):
    writer = Journal(tmp_path)
    writer.append(_key(1), {"rejected": "old"})
    writer.append(_key(1, "ffffffffffffffff"), {"rejected": "other version"})
    assert list(read_index(tmp_path, suffix=f"-{FINGERPRINT}")) == [_key(1)]
    assert len(read_index(tmp_path)) == 2


def test_a_line_cut_short_by_a_kill_is_skipped(tmp_path):
    writer = Journal(tmp_path)
    writer.append(_key(1), {"rejected": "kept"})
    writer.close()
    (path,) = tmp_path.glob("journal-*.jsonl")
    with path.open("ab") as handle:  # a worker killed half-way through its write
        handle.write(f'{_key(2)}\t{{"result": {{"trust": "Av'.encode())
    index = read_index(tmp_path)
    assert list(index) == [_key(1)]
    assert index[_key(1)].read() == {"rejected": "kept"}


def test_damaged_bytes_fail_to_read_rather_than_mislead(tmp_path):
    location = Journal(tmp_path).append(_key(1), {"rejected": "kept"})
    data = location.path.read_bytes()
    location.path.write_bytes(data[:-5] + b"\x00\x00\x00\x00\n")  # zeros after a power cut
    with pytest.raises(ValueError):
        read_index(tmp_path)[_key(1)].read()
    location.path.write_bytes(data[: location.offset + 3])
    with pytest.raises(ValueError):
        location.read()  # the index was read before the file was cut


def test_a_full_disk_takes_the_partial_line_back(tmp_path, monkeypatch):
    writer = Journal(tmp_path)
    writer.append(_key(1), {"rejected": "before"})
    real_write = os.write

    def half_then_full(fd: int, data: bytes) -> int:
        return real_write(fd, data[: len(data) // 2])  # a short write: the disk filled

    monkeypatch.setattr(journal.os, "write", half_then_full)
    with pytest.raises(OSError) as raised:
        writer.append(_key(2), {"rejected": "lost"})
    assert raised.value.errno == errno.ENOSPC
    monkeypatch.setattr(journal.os, "write", real_write)
    writer.append(_key(3), {"rejected": "after"})
    index = read_index(tmp_path)
    assert {key: location.read() for key, location in index.items()} == {
        _key(1): {"rejected": "before"}, _key(3): {"rejected": "after"}}
    assert len(list(tmp_path.glob("journal-*.jsonl"))) == 1


def test_when_the_partial_line_cannot_be_taken_back_a_new_journal_starts(tmp_path, monkeypatch):
    writer = Journal(tmp_path)
    writer.append(_key(1), {"rejected": "before"})

    def no_space(fd: int, data: bytes) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def cannot_truncate(fd: int, length: int) -> None:
        raise OSError(errno.EIO, os.strerror(errno.EIO))

    real_write, real_truncate = os.write, os.ftruncate
    monkeypatch.setattr(journal.os, "write", no_space)
    monkeypatch.setattr(journal.os, "ftruncate", cannot_truncate)
    with pytest.raises(OSError):
        writer.append(_key(2), {"rejected": "lost"})
    monkeypatch.setattr(journal.os, "write", real_write)
    monkeypatch.setattr(journal.os, "ftruncate", real_truncate)
    writer.append(_key(3), {"rejected": "after"})
    assert len(list(tmp_path.glob("journal-*.jsonl"))) == 2
    assert sorted(read_index(tmp_path)) == [_key(1), _key(3)]


def _append_in_child(folder: str) -> None:
    journal_for(folder).append(_key(2), {"rejected": "from the child"})


@pytest.mark.skipif(sys.platform == "win32", reason="fork")
def test_a_forked_worker_writes_a_journal_of_its_own(tmp_path):
    parent = journal_for(str(tmp_path))
    parent.append(_key(1), {"rejected": "from the parent"})
    child = multiprocessing.get_context("fork").Process(target=_append_in_child,
                                                          args=(str(tmp_path),))
    child.start()
    child.join(30)
    parent.append(_key(3), {"rejected": "from the parent again"})
    parent.close()
    assert child.exitcode == 0
    assert len(list(tmp_path.glob("journal-*.jsonl"))) == 2
    assert {key: location.read()["rejected"] for key, location in read_index(tmp_path).items()} \
        == {_key(1): "from the parent", _key(2): "from the child",
            _key(3): "from the parent again"}


def test_a_missing_cache_folder_has_no_entries(tmp_path):
    assert read_index(tmp_path / "nowhere") == {}


def test_locations_unpickled_in_the_parent_share_their_journals_path(tmp_path):
    import pickle

    writer = Journal(tmp_path)
    first, second = (writer.append(_key(n), {"rejected": "x"}) for n in (1, 2))
    again = [pickle.loads(pickle.dumps(location)) for location in (first, second)]
    assert again == [first, second]
    assert again[0].path is again[1].path  # one path object for a whole journal
