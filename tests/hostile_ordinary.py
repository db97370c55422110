"""Ordinary inputs that broke batches (issue 14): the hostile corpus's second half.

Nothing here was crafted by an attacker. Each generator makes what a person, Word, another
program or a shared drive produces every day: a control character pasted into a trust's name,
a sheet saved as UTF-16, part names with backslashes, Strict OOXML, rich-text runs without
xml:space, a folder of submissions holding CSV files, lock files, a BEL or a byte that is not
UTF-8 in a file name. :func:`ordinary_mutations` join the corpus of :mod:`hostile`;
:func:`write_folder` lays out a submissions folder of the file-level cases and
:func:`check_folder` runs the batch over it and lists every broken promise.
"""

from __future__ import annotations

import hashlib
import os
import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.parsers import expat

if TYPE_CHECKING:
    from hostile import Members, Mutation

# The hostile module's helpers are imported where they are used: it adds these mutations to
# its corpus as it is imported, so it cannot be imported from here at the top.
ABOUT_SHEET = "xl/worksheets/sheet2.xml"
TARGETS_SHEET = "xl/worksheets/sheet4.xml"
WORKBOOK = "xl/workbook.xml"
SHARED_STRINGS = "xl/sharedStrings.xml"
STRICT_NAMESPACES = (
    (b"http://schemas.openxmlformats.org/spreadsheetml/2006/main",
     b"http://purl.oclc.org/ooxml/spreadsheetml/main"),
    (b"http://schemas.openxmlformats.org/officeDocument/2006/relationships",
     b"http://purl.oclc.org/ooxml/officeDocument/relationships"),
    (b"http://schemas.openxmlformats.org/drawingml/2006/main",
     b"http://purl.oclc.org/ooxml/drawingml/main"),
)
# Each way Excel, Word or a paste puts a character XML 1.0 cannot carry into a name.
NAME_CHARACTERS = {
    "excel-escaped-control": b"_x0001_",
    "word-soft-break": b"_x000B_",
    "escape-character": b"_x001B_",
    "noncharacter-fffe": b"&#xFFFE;",
    "noncharacter-ffff": b"&#xFFFF;",
}


def _members_change(change: Callable[[Members], Members]) -> Callable[[bytes], bytes]:
    from hostile import read_members, write_members

    return lambda data: write_members(change(read_members(data)))


def _edit(part: str, change: Callable[[bytes], bytes]) -> Callable[[Members], Members]:
    from hostile import _edit as edit

    return edit(part, change)


def _before_sheet_data(cells: bytes) -> Callable[[bytes], bytes]:
    return lambda xml: xml.replace(b"</sheetData>", cells + b"</sheetData>", 1)


def _in_first_data_cell(new_cell: bytes) -> Callable[[bytes], bytes]:
    from hostile import _in_first_data_cell as in_first

    return in_first(new_cell)


def _trust_name(insert: bytes) -> Callable[[Members], Members]:
    """The trust's name (the About sheet's B2, a shared string) with ``insert`` in its middle."""
    def change(members: Members) -> Members:
        about = dict(members)[ABOUT_SHEET]
        index = re.search(rb'<c r="B2"[^>]*t="s"[^>]*><v>(\d+)</v>', about)
        if index is None:
            return members
        wanted = int(index.group(1))

        def edit_strings(xml: bytes) -> bytes:
            items = re.split(rb"(?=<si>)", xml)
            # items[0] is the part before the first <si>.
            item = items[wanted + 1]
            items[wanted + 1] = re.sub(rb"<t>([^<]{2})", lambda m: b"<t>" + m.group(1) + insert,
                                       item, count=1)
            return b"".join(items)
        return _edit(SHARED_STRINGS, edit_strings)(members)
    return change


def utf16(xml: bytes) -> bytes:
    """An XML part as the same document in UTF-16 (with its byte order mark): legal XML."""
    body = xml.split(b"?>", 1)[1] if xml.startswith(b"<?xml") else xml
    return ('<?xml version="1.0" encoding="UTF-16"?>' + body.decode("utf-8")).encode("utf-16")


def strict(members: Members) -> Members:
    """The package in Strict OOXML (ISO/IEC 29500 Strict) namespaces, as Excel's "Strict Open
    XML Spreadsheet" saves it."""
    changed = []
    for name, content in members:
        if name.endswith((".xml", ".rels")):
            for transitional, strict_ns in STRICT_NAMESPACES:
                content = content.replace(transitional, strict_ns)
            if name == WORKBOOK:
                content = content.replace(b"<workbook ", b'<workbook conformance="strict" ', 1)
        changed.append((name, content))
    return changed


def backslashed(part: str) -> Callable[[Members], Members]:
    """``part`` stored under a name with backslashes, as some Windows zip tools write it."""
    return lambda members: [(name.replace("/", "\\") if name == part else name, content)
                            for name, content in members]


FAR_CELL = b'<row r="100000"><c r="KZ100000"><v>1</v></c></row>'  # 32 million cells
ERROR_CELL = b'<c r="A2" t="e"><v>#N/A</v></c>'
RUNS = b"<si><r><t>Thames</t></r><r><t> </t></r><r><t>Valley</t></r></si>"


def ordinary_mutations() -> list[Mutation]:
    from hostile import Mutation

    m: list[Mutation] = []

    def members(family: str, name: str, change: Callable[[Members], Members],
                expect: str = "either") -> None:
        m.append(Mutation(family, name, _members_change(change), expect))

    for name, insert in NAME_CHARACTERS.items():
        members("xml-characters", name, _trust_name(insert), "scored")
    members("xml-characters", "sheet-name-control", _edit(WORKBOOK, lambda x: x.replace(
        b'name="Instructions"', b'name="Instr_x0007_uctions"', 1)), "scored")

    members("encodings", "utf16-targets-sheet", _edit(TARGETS_SHEET, utf16), "scored")
    members("encodings", "utf16-about-sheet", _edit(ABOUT_SHEET, utf16), "scored")
    members("encodings", "utf16-shared-strings", _edit(SHARED_STRINGS, utf16), "scored")
    members("encodings", "utf16-far-cell", _edit(TARGETS_SHEET, lambda x: utf16(
        _before_sheet_data(FAR_CELL)(x))), "rejected")
    members("encodings", "backslashed-sheet", backslashed(TARGETS_SHEET), "scored")
    members("encodings", "backslashed-far-cell", lambda ms: backslashed(TARGETS_SHEET)(
        _edit(TARGETS_SHEET, _before_sheet_data(FAR_CELL))(ms)), "rejected")

    members("right-reasons", "strict", strict, "scored")
    members("right-reasons", "strict-with-error-cell", lambda ms: strict(_edit(
        TARGETS_SHEET, _in_first_data_cell(ERROR_CELL))(ms)), "scored")
    members("right-reasons", "runs-without-xml-space", _edit(SHARED_STRINGS, lambda x: re.sub(
        rb"<si><t>[^<]*Valley</t></si>", RUNS, x, count=1)), "scored")
    return m


# ---------------------------------------------------------------------------------------------
# A submissions folder as a shared drive holds it


def write_folder(folder: Path, base: Path) -> dict[str, str]:
    """Lay out the file-level cases under ``folder`` from the workbook ``base``; returns
    {relative path as the report shows it: what must become of it} ("scored", "rejected",
    "skipped"), every mutation above included."""
    folder.mkdir(parents=True, exist_ok=True)
    data = base.read_bytes()
    expected: dict[str, str] = {}
    for mutation in ordinary_mutations():
        name = f"{mutation.family}-{mutation.name}.xlsx"
        (folder / name).write_bytes(mutation.make(data))
        expected[name] = mutation.expect
    for name, content, fate in (
            ("returns.csv", b"Trust,Score\nKent,70\n", "rejected"),
            ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512, "rejected"),
            ("calc.ods", b"PK\x03\x04 not really", "rejected"),
            ("notes.txt", b"minutes", "rejected"),
            ("no-extension", b"?", "rejected"),
            ("~$Kent.xlsx", b"owner", "skipped"),
            (".DS_Store", b"\0", "skipped"),
            ("Thumbs.db", b"\0", "skipped")):
        (folder / name).write_bytes(content)
        expected[name] = fate
    # A BEL and a byte that is not UTF-8 in file names (a copy from an old share).
    bel = os.fsencode(folder) + b"/Kent\x07.xlsx"
    latin = os.fsencode(folder) + b"/Cumbria \xe9t\xe9.xlsx"
    for raw in (bel, latin):
        with open(raw, "wb") as handle:
            handle.write(data)
    expected["Kent\\x07.xlsx"] = "scored"
    expected["Cumbria \\xe9t\\xe9.xlsx"] = "scored"
    return expected


def xml_problems(path: Path) -> list[str]:
    """Every part of the package at ``path`` that is not well-formed XML 1.0: the standard
    library's parser must take it, and no character XML 1.0 excludes may be in it (expat lets
    U+FFFE and U+FFFF through)."""
    problems = []
    not_xml = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if not name.endswith((".xml", ".rels")):
                continue
            content = archive.read(name)
            try:
                parser = expat.ParserCreate()
                parser.Parse(content, True)
                text = content.decode("utf-8")
            except (expat.ExpatError, UnicodeDecodeError) as error:
                problems.append(f"{path.name}:{name}: {error}")
                continue
            if not_xml.search(text):
                problems.append(f"{path.name}:{name}: a character XML 1.0 cannot hold")
    return problems


def _digest(folder: Path) -> dict[bytes, str]:
    return {os.fsencode(p): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def check_folder(folder: Path, out: Path, expected: dict[str, str], *,
                 jobs: int | None = 2) -> dict[str, Any]:
    """Batch ``folder`` into ``out``; list every broken promise (empty is a pass)."""
    from xl_localism.batch.national import write_national_report
    from xl_localism.batch.runner import run_batch

    before = _digest(folder)
    skipped_by_rule = [0]
    result = run_batch(folder, out, jobs=jobs, timeout=60.0,
                       write_report=lambda outcomes, path: write_national_report(
                           outcomes, path, skipped=skipped_by_rule[0]),
                       on_found=lambda found: skipped_by_rule.__setitem__(0, found.skipped))
    problems: list[str] = []
    if _digest(folder) != before:
        problems.append("a submission was modified, or a file written among them")
    fates = {o.source: ("scored" if o.summary is not None else "rejected")
             for o in result.outcomes}
    for name, fate in expected.items():
        if fate == "skipped":
            continue
        if name not in fates:
            problems.append(f"{name}: not accounted for")
        elif fate != "either" and fates[name] != fate:
            problems.append(f"{name}: {fates[name]}, expected {fate}")
    skipped = sum(1 for fate in expected.values() if fate == "skipped")
    if result.skipped != skipped:
        problems.append(f"{result.skipped} skipped by rule, expected {skipped}")
    for outcome in result.rejected:
        reason = outcome.rejected or ""
        if "\n" in reason or str(folder) in reason or not reason.strip():
            problems.append(f"{outcome.source}: reason not one plain line: {reason!r}")
        if "stopped unexpectedly" in reason or "took longer" in reason:
            problems.append(f"{outcome.source}: {reason}")
    report = out / "national_summary.xlsx"
    if result.report is None or not report.exists():
        problems.append(f"no report (exit {result.exit_code}: {result.write_error})")
    else:
        problems += xml_problems(report)
        for outcome in result.current:  # a superseded file gets no feedback of its own
            if outcome.feedback is None or not outcome.feedback.exists():
                problems.append(f"{outcome.source}: no feedback workbook")
            else:
                problems += xml_problems(outcome.feedback)
    strays = list(out.rglob(".*.tmp"))
    if strays:
        problems.append(f"temporary files left: {strays}")
    return {"problems": problems, "exit": result.exit_code, "result": result}

