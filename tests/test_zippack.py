"""The zip container feedback workbooks are written in: any zip reader must read it back."""

from __future__ import annotations

import io
import time
import zipfile
import zlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xl_localism.workbook import zippack

_NAMES = st.from_regex(r"[A-Za-z0-9_\[\]/.]{1,40}", fullmatch=True)
_PARTS = st.lists(st.tuples(_NAMES, st.binary(max_size=5000)), max_size=12,
                  unique_by=lambda part: part[0])


@given(parts=_PARTS)
def test_zipfile_reads_back_every_part_in_order(parts) -> None:
    data = zippack.zip_package(parts)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None  # every CRC checks
        assert [(i.filename, i.compress_type) for i in archive.infolist()] == \
            [(name, zipfile.ZIP_DEFLATED) for name, _ in parts]
        assert [archive.read(name) for name, _ in parts] == [content for _, content in parts]


def test_xml_is_deflated_and_dated() -> None:
    xml = b"<row>" + b"<c><v>1</v></c>" * 2000 + b"</row>"
    modified = time.struct_time((2011, 4, 1, 9, 30, 12, 0, 0, -1))
    data = zippack.zip_package([("xl/worksheets/sheet1.xml", xml)], modified=modified)
    assert len(data) < len(xml) // 10
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo("xl/worksheets/sheet1.xml")
    assert info.date_time == (2011, 4, 1, 9, 30, 12)
    assert info.file_size == len(xml)


def test_the_standard_library_fallback_writes_the_same_parts(monkeypatch) -> None:
    parts = [("[Content_Types].xml", b"<Types/>" * 50), ("xl/workbook.xml", b"<workbook/>")]
    monkeypatch.setattr(zippack, "_deflate", zlib)
    with zipfile.ZipFile(io.BytesIO(zippack.zip_package(parts))) as archive:
        assert archive.testzip() is None
        assert [(n, archive.read(n)) for n in archive.namelist()] == parts


def test_non_ascii_part_names_are_refused() -> None:
    with pytest.raises(ValueError):
        zippack.zip_package([("xl/fiché.xml", b"")])
