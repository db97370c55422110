"""Hostile and malformed workbooks: the batch never crashes, hangs or writes a formula."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import hostile
import openpyxl.xml
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import replace_part
from xl_localism.demo import write_sample
from xl_localism.engine import assess
from xl_localism.explanation import to_json
from xl_localism.models import Submission
from xl_localism.workbook.reader import WorkbookError, inspect_package, read_workbook


@pytest.fixture(scope="module")
def base_workbook(tmp_path_factory, samples) -> Path:
    return write_sample(samples[0], tmp_path_factory.mktemp("base") / "thames.xlsx")


def test_a_seeded_sample_of_the_corpus_through_the_batch(tmp_path):
    corpus = tmp_path / "corpus"
    entries = hostile.write_corpus(corpus, seed=6, sample=40)
    assert len(entries) >= 40
    assert {e.family for e in entries} >= {"truncated", "entities", "enormous", "injection",
                                           "outside-package", "zip-bomb", "duplicates"}
    checked = hostile.check_batch(corpus, tmp_path / "out", jobs=2, timeout=30.0,
                                  entries=entries)
    assert checked["problems"] == []
    assert checked["outcomes"] == len(entries)
    assert checked["scored"] and checked["rejected"]


def test_the_corpus_has_hundreds_of_files():
    assert len(hostile.MUTATIONS) * 4 + len(hostile.INJECTIONS) >= 300


def test_openpyxl_parses_with_defusedxml():
    # openpyxl switches to defusedxml by itself when it is installed; the fallback reader and
    # the copy writer rely on that to refuse entity declarations.
    assert openpyxl.xml.DEFUSEDXML is True


@pytest.mark.parametrize("mutation", [m for m in hostile.MUTATIONS if m.family == "entities"],
                         ids=lambda m: m.name)
def test_entity_declarations_are_refused_before_parsing(mutation, base_workbook, tmp_path):
    path = tmp_path / "hostile.xlsx"
    path.write_bytes(mutation.make(base_workbook.read_bytes()))
    with pytest.raises(WorkbookError, match="DOCTYPE"):
        inspect_package(path)


@pytest.mark.parametrize("cells", [
    b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>',
    b'<row r="100"><c r="XFD1048576"><v>1</v></c></row>',  # a cell far outside its own row
    b"<row/>" * 30_000 + b'<row><c r="ZZZZ1"><v>1</v></c></row>',
])
def test_a_cell_a_world_away_is_refused_not_allocated(cells, base_workbook, tmp_path):
    # calamine would allocate the whole grid up to that cell, and abort the process.
    path = replace_part(base_workbook, hostile.TARGETS_SHEET,
                        hostile._before_sheet_data(cells), out=tmp_path / "far.xlsx")
    with pytest.raises(WorkbookError, match="limit is"):
        read_workbook(path)


def test_a_table_claiming_the_whole_sheet_scores_like_the_original(base_workbook, tmp_path):
    claim = next(m for m in hostile.MUTATIONS if m.name == "table-claim")
    path = tmp_path / "claim.xlsx"
    path.write_bytes(claim.make(base_workbook.read_bytes()))
    expected = to_json(assess(read_workbook(base_workbook)))
    found = to_json(assess(read_workbook(path)))
    assert (found["score"], found["flag_counts"]) == (expected["score"], expected["flag_counts"])


def _part_names(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as archive:
        return [n for n in archive.namelist() if n.endswith((".xml", ".rels"))]


@pytest.mark.slow
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_fuzz_the_reader_returns_a_submission_or_a_reason(data, base_workbook, tmp_path):
    """Corrupt one part's XML (or the zip's own bytes): a Submission or a WorkbookError."""
    original = base_workbook.read_bytes()
    if data.draw(st.booleans(), label="corrupt the zip itself"):
        at = data.draw(st.integers(0, len(original) - 1), label="offset")
        junk = data.draw(st.binary(min_size=1, max_size=16), label="bytes")
        mutated = original[:at] + junk + original[at + len(junk):]
    else:
        members = hostile.read_members(original)
        index = data.draw(st.integers(0, len(members) - 1), label="part")
        name, content = members[index]
        at = data.draw(st.integers(0, max(len(content) - 1, 0)), label="offset")
        cut = data.draw(st.integers(0, 64), label="bytes removed")
        junk = data.draw(st.one_of(
            st.binary(max_size=32),
            st.sampled_from([b"<", b">", b"&", b'"', b"<c r=\"A1\" t=\"s\"><v>9", b"</row>",
                             b"&lol;", b"\xff\xfe", b"<!DOCTYPE x>", b'r="XFD1048576"',
                             b'<row r="99999999">', b"t=\"e\"", b"\x00"])), label="inserted")
        members[index] = (name, content[:at] + junk + content[at + cut:])
        mutated = hostile.write_members(members)
    path = tmp_path / "fuzzed.xlsx"
    path.write_bytes(mutated)
    try:
        submission = read_workbook(path)
    except WorkbookError as error:
        assert error.reason.strip()
    else:
        assert isinstance(submission, Submission)
        assess(submission)  # whatever was read can be scored


def test_writing_members_round_trips(base_workbook):
    members = hostile.read_members(base_workbook.read_bytes())
    again = hostile.read_members(hostile.write_members(members))
    assert again == members
    assert zipfile.ZipFile(io.BytesIO(hostile.write_members(members))).testzip() is None
