"""batch.journal: the cache entries a batch's workers append, one journal per process."""

from __future__ import annotations

import errno
import multiprocessing
import os
import pickle
import random
import sys
import time

import pytest

from xl_localism.batch import journal
from xl_localism.batch.journal import EntryLocation, Journal, journal_for, read_index

FINGERPRINT = "0fe90941fdd8f569"


def _key(number: int, fingerprint: str = FINGERPRINT) -> str:
    return f"{number:040x}-{fingerprint}"


def _entries(folder, suffix: str = "") -> dict[str, dict]:
    return {key: location.read() for key, location in read_index(folder, suffix).items()}


def _journals(folder) -> list:
    return sorted(folder.glob("journal-*.jsonl"))


def test_entries_are_found_where_they_were_appended(tmp_path):
    writer = Journal(tmp_path)
    entries = {_key(1): {"result": {"trust": "Avon", "score": 71.5, "flags": []}},
               _key(2): {"rejected": "not an Excel workbook: \t tab and\nnewline, ü, 😀"}}
    locations = {key: writer.append(key, entry) for key, entry in entries.items()}
    writer.close()
    assert read_index(tmp_path, suffix=f"-{FINGERPRINT}") == locations
    assert _entries(tmp_path) == entries
    assert len(_journals(tmp_path)) == 1


def test_another_versions_journal_is_not_read(tmp_path):
    Journal(tmp_path).append(_key(1), {"rejected": "this version"})
    Journal(tmp_path).append(_key(2, "ffffffffffffffff"), {"rejected": "another version"})
    assert list(read_index(tmp_path, suffix=f"-{FINGERPRINT}")) == [_key(1)]
    assert len(read_index(tmp_path)) == 2


def test_a_line_cut_short_by_a_kill_is_skipped(tmp_path):
    writer = Journal(tmp_path)
    writer.append(_key(1), {"rejected": "kept"})
    writer.close()
    (path,) = _journals(tmp_path)
    line = journal._line(_key(2).encode(), b'{"result": {"trust": "Avon"}}')
    with path.open("ab") as handle:  # a worker killed half-way through its write
        handle.write(line[: len(line) - 5])
    assert _entries(tmp_path) == {_key(1): {"rejected": "kept"}}


def test_damaged_bytes_are_never_read_as_an_entry(tmp_path):
    location = Journal(tmp_path).append(_key(1), {"rejected": "kept"})
    data = location.path.read_bytes()
    location.path.write_bytes(data[:-6] + b"\x00\x00\x00\x00\x00\n")  # zeros after a power cut
    assert read_index(tmp_path) == {}
    with pytest.raises(ValueError):
        location.read()  # found before the damage


@pytest.mark.parametrize("seed", range(40))
def test_no_damage_turns_into_a_wrong_entry(tmp_path, seed):
    """Bytes lost, zeroed, changed or spliced anywhere: every key found reads as its own entry."""
    rng = random.Random(seed)
    writer = Journal(tmp_path)
    entries = {_key(n): {"result": {"trust": f"Trust {n}", "score": n + 0.5, "flags": []}}
               for n in range(30)}
    for key, entry in entries.items():
        writer.append(key, entry)
    writer.close()
    (path,) = _journals(tmp_path)
    original = path.read_bytes()
    for _ in range(60):
        data = bytearray(original)
        start = rng.randrange(len(data))
        span = rng.choice([1, 2, 7, 60, 500, 3000])
        damage = rng.choice(["lose", "zero", "garbage", "duplicate"])
        if damage == "lose":
            del data[start:start + span]
        elif damage == "zero":
            data[start:start + span] = bytes(len(data[start:start + span]))
        elif damage == "garbage":
            data[start:start + span] = rng.randbytes(len(data[start:start + span]))
        else:
            data[start:start] = data[rng.randrange(len(data)):][:span]
        path.write_bytes(bytes(data))
        for key, location in read_index(tmp_path).items():
            assert location.read() == entries[key], damage


def test_a_location_reads_only_its_own_key(tmp_path):
    writer = Journal(tmp_path)
    first = writer.append(_key(1), {"rejected": "one"})
    second = writer.append(_key(2), {"rejected": "two"})
    # The same place and length under another key: what a splice of two lines would give.
    assert len(_key(1)) == len(_key(2))
    with pytest.raises(ValueError):
        EntryLocation(first.path, _key(1), second.offset, second.length).read()


def test_the_newest_undamaged_line_of_a_key_wins(tmp_path):
    Journal(tmp_path).append(_key(1), {"rejected": "could not be scored (MemoryError)"})
    time.sleep(0.001)
    newer = Journal(tmp_path).append(_key(1), {"result": {"trust": "Avon"}})
    assert _entries(tmp_path) == {_key(1): {"result": {"trust": "Avon"}}}
    # Damaged since: the older line stands in, rather than the file being scored every time.
    data = bytearray(newer.path.read_bytes())
    data[-3] ^= 0x20
    newer.path.write_bytes(bytes(data))
    assert _entries(tmp_path) == {_key(1): {"rejected": "could not be scored (MemoryError)"}}


def test_a_short_write_is_finished_not_failed(tmp_path, monkeypatch):
    real_write = os.write

    def a_little_at_a_time(fd: int, data) -> int:
        return real_write(fd, bytes(data[:7]))

    monkeypatch.setattr(journal.os, "write", a_little_at_a_time)
    Journal(tmp_path).append(_key(1), {"rejected": "whole"})
    monkeypatch.undo()
    assert _entries(tmp_path) == {_key(1): {"rejected": "whole"}}


def test_a_full_disk_leaves_that_journal_for_a_new_one(tmp_path, monkeypatch):
    writer = Journal(tmp_path)
    writer.append(_key(1), {"rejected": "before"})
    real_write = os.write
    calls = []

    def half_then_full(fd: int, data) -> int:
        calls.append(len(data))
        if len(calls) == 1:
            return real_write(fd, bytes(data[: len(data) // 2]))
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(journal.os, "write", half_then_full)
    with pytest.raises(OSError) as raised:
        writer.append(_key(2), {"rejected": "lost"})
    assert raised.value.errno == errno.ENOSPC
    monkeypatch.undo()
    writer.append(_key(3), {"rejected": "after"})
    assert len(_journals(tmp_path)) == 2  # nothing is ever written after a broken line
    assert _entries(tmp_path) == {_key(1): {"rejected": "before"},
                                  _key(3): {"rejected": "after"}}


def test_a_write_that_writes_nothing_is_a_full_disk(tmp_path, monkeypatch):
    monkeypatch.setattr(journal.os, "write", lambda fd, data: 0)
    with pytest.raises(OSError) as raised:
        Journal(tmp_path).append(_key(1), {"rejected": "lost"})
    assert raised.value.errno == errno.ENOSPC


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
    assert len(_journals(tmp_path)) == 2
    assert {key: entry["rejected"] for key, entry in _entries(tmp_path).items()} == {
        _key(1): "from the parent", _key(2): "from the child", _key(3): "from the parent again"}


def test_old_journals_of_other_versions_and_empty_ones_are_pruned(tmp_path):
    current = Journal(tmp_path).append(_key(1), {"rejected": "this version"}).path
    other = Journal(tmp_path).append(_key(2, "ffffffffffffffff"), {"rejected": "old"}).path
    recent_other = Journal(tmp_path).append(_key(3, "eeeeeeeeeeeeeeee"), {"rejected": "x"}).path
    empty = tmp_path / "journal-00000000000000000001-1-00000000.jsonl"
    empty.write_bytes(b"")
    a_day_ago = time.time() - 2 * 86400
    for path in (current, other, empty):
        os.utime(path, (a_day_ago, a_day_ago))
    index = read_index(tmp_path, suffix=f"-{FINGERPRINT}", prune_after=86400)
    assert list(index) == [_key(1)]
    assert _journals(tmp_path) == sorted([current, recent_other])


def test_locations_survive_the_trip_from_worker_to_parent(tmp_path):
    writer = Journal(tmp_path)
    first, second = (writer.append(_key(n), {"rejected": "x"}) for n in (1, 2))
    again = [pickle.loads(pickle.dumps(location)) for location in (first, second)]
    assert again == [first, second]
    assert [location.read() for location in again] == [{"rejected": "x"}] * 2


def test_a_missing_cache_folder_has_no_entries(tmp_path):
    assert read_index(tmp_path / "nowhere") == {}


def test_a_damaged_first_line_hides_nothing_else(tmp_path):
    writer = Journal(tmp_path)
    for n in range(5):
        writer.append(_key(n), {"rejected": f"entry {n}"})
    writer.close()
    (path,) = _journals(tmp_path)
    data = bytearray(path.read_bytes())
    data[45] ^= 0x01  # a bit of the first line's fingerprint
    path.write_bytes(bytes(data))
    a_day_ago = time.time() - 2 * 86400
    os.utime(path, (a_day_ago, a_day_ago))
    index = read_index(tmp_path, suffix=f"-{FINGERPRINT}", prune_after=86400)
    assert sorted(index) == [_key(n) for n in range(1, 5)]
    assert path.exists(), "a journal with entries of this version was pruned"


def test_a_clock_set_back_does_not_bring_an_older_line_back(tmp_path, monkeypatch):
    Journal(tmp_path).append(_key(1), {"rejected": "the first run's"})
    an_hour_ago = time.time_ns() - 3600 * 10**9
    monkeypatch.setattr(journal.time, "time_ns", lambda: an_hour_ago)
    Journal(tmp_path).append(_key(1), {"result": {"trust": "the --force run's"}})
    monkeypatch.undo()
    assert _entries(tmp_path) == {_key(1): {"result": {"trust": "the --force run's"}}}


def test_only_cache_keys_are_written(tmp_path):
    for key in ("a\tb", "a\nb", "clé", ""):
        with pytest.raises(ValueError):
            Journal(tmp_path).append(key, {"rejected": "x"})
    assert _journals(tmp_path) == []


def test_a_write_stopped_by_anything_leaves_that_journal(tmp_path, monkeypatch):
    writer = Journal(tmp_path)
    writer.append(_key(1), {"rejected": "before"})

    def interrupted(fd: int, data) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(journal.os, "write", interrupted)
    with pytest.raises(KeyboardInterrupt):
        writer.append(_key(2), {"rejected": "lost"})
    monkeypatch.undo()
    writer.append(_key(3), {"rejected": "after"})
    assert len(_journals(tmp_path)) == 2
    assert sorted(_entries(tmp_path)) == [_key(1), _key(3)]


def test_a_long_damaged_stretch_is_read_in_pieces(tmp_path, monkeypatch):
    monkeypatch.setattr(journal, "MAX_LINE_BYTES", 4096)
    writer = Journal(tmp_path)
    writer.append(_key(1), {"rejected": "before"})
    writer.close()
    (path,) = _journals(tmp_path)
    with path.open("ab") as handle:
        handle.write(bytes(100_000))  # zeros, no newline, then a good line
    line = journal._line(_key(2).encode(), b'{"rejected": "after"}')
    with path.open("ab") as handle:
        handle.write(b"\n" + line)
    assert _entries(tmp_path) == {_key(1): {"rejected": "before"}, _key(2): {"rejected": "after"}}


def test_an_old_journal_with_nothing_readable_is_pruned(tmp_path):
    path = Journal(tmp_path).append(_key(1), {"rejected": "x"}).path
    path.write_bytes(bytes(len(path.read_bytes())))
    a_day_ago = time.time() - 2 * 86400
    os.utime(path, (a_day_ago, a_day_ago))
    assert read_index(tmp_path, suffix=f"-{FINGERPRINT}", prune_after=86400) == {}
    assert not path.exists()
