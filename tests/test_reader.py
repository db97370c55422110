"""Reading submitted workbooks: the contract of SPEC §3 and every kind of bad input."""

from __future__ import annotations

import hashlib
import mmap
import re
import struct
import zipfile
from pathlib import Path

import openpyxl
import pytest
from msoffcrypto.format.ooxml import OOXMLFile

from tests.conftest import replace_part, sample_tables, write_tables
from xl_localism.engine import assess
from xl_localism.tables import build_submission
from xl_localism.workbook import engines, package, reader
from xl_localism.workbook.reader import WorkbookError, read_workbook

ENGINES = ["calamine", "openpyxl"]


def codes(submission) -> list[str]:
    return [p.code for p in submission.problems]


def problem(submission, code: str):
    return next(p for p in submission.problems if p.code == code)


@pytest.fixture
def good_file(tmp_path: Path, samples) -> Path:
    return write_tables(tmp_path / "good.xlsx", sample_tables(samples[0]))


@pytest.mark.parametrize("engine", ENGINES)
def test_each_sample_reads_to_the_models_it_was_made_from(tmp_path, samples, engine):
    for trust in samples:
        path = write_tables(tmp_path / f"{trust.slug}.xlsx", sample_tables(trust))
        read = read_workbook(path, engine=engine)
        expected = build_submission(trust.tables, source_name=path.name)
        assert read == expected
        assert assess(read).score == assess(expected).score


def test_both_engines_give_identical_models(tmp_path, samples):
    for trust in samples:
        path = write_tables(tmp_path / f"{trust.slug}.xlsx", sample_tables(trust))
        assert read_workbook(path, "calamine") == read_workbook(path, "openpyxl")


def test_every_value_keeps_its_sheet_and_cell(good_file):
    submission = read_workbook(good_file)
    target = submission.targets[0]
    assert target.source.sheet == "LAA Targets"
    assert target.source.row == 2
    assert target.source.cells["ni"] == "B2"
    assert target.source.cells["plan_ref"] == "H2"
    assert submission.about.source.cells["as_at"] == "B4"


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"Trust,Nation\nKent,England\n", "not a zip package"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600 + "Workbook".encode("utf-16-le"),
         "old binary Excel 97-2003"),
        (b"PK\x03\x04 truncated", "damaged zip"),
        (b"", "not a zip package"),
    ],
)
def test_unreadable_files_raise_one_line_reasons(tmp_path, content, reason):
    path = tmp_path / "submission.xlsx"
    path.write_bytes(content)
    with pytest.raises(WorkbookError, match=reason) as caught:
        read_workbook(path)
    assert "\n" not in str(caught.value)
    assert str(caught.value).startswith("submission.xlsx: ")


def test_a_zip_that_is_not_a_workbook(tmp_path):
    import zipfile

    path = tmp_path / "photos.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("holiday.txt", "not a workbook")
    with pytest.raises(WorkbookError, match=r"no xl/workbook.xml"):
        read_workbook(path)


def test_password_protected_workbook(tmp_path, good_file):
    encrypted = tmp_path / "locked.xlsx"
    with good_file.open("rb") as plain, encrypted.open("wb") as out:
        OOXMLFile(plain).encrypt("secret", out)
    with pytest.raises(WorkbookError, match="password-protected"):
        read_workbook(encrypted)


def test_small_parts_inflate_from_the_mapped_file_as_zipfile_reads_them(good_file):
    with good_file.open("rb") as handle, zipfile.ZipFile(handle) as archive, \
            mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
        for member in archive.infolist():
            with package._open_part(archive, mapped, member) as part:
                assert part.read() == archive.read(member), member.filename


@pytest.mark.parametrize("method", [zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED])
def test_a_corrupted_part_is_a_damaged_package(tmp_path, good_file, method):
    """One byte changed inside a part's data: a deflate error or a CRC that does not match."""
    repacked = tmp_path / "repacked.xlsx"
    with zipfile.ZipFile(good_file) as source, zipfile.ZipFile(repacked, "w", method) as target:
        for info in source.infolist():
            target.writestr(info.filename, source.read(info))
    data = bytearray(repacked.read_bytes())
    with zipfile.ZipFile(repacked) as archive:
        member = archive.getinfo("xl/workbook.xml")
    name_length, extra_length = struct.unpack_from("<HH", data, member.header_offset + 26)
    start = member.header_offset + 30 + name_length + extra_length
    data[start + member.compress_size // 2] ^= 0xFF
    damaged = tmp_path / "damaged.xlsx"
    damaged.write_bytes(bytes(data))
    with pytest.raises(WorkbookError, match="damaged zip package"):
        reader.inspect_package(damaged)


def test_zip_bomb_refused_before_inflating(tmp_path, good_file, monkeypatch):

    bomb = replace_part(good_file, "xl/padding.bin", lambda _: b"\0" * (12 * 1024 * 1024),
                        out=tmp_path / "bomb.xlsx")
    with pytest.raises(WorkbookError, match="zip bomb"):
        read_workbook(bomb)
    monkeypatch.setattr(package, "MAX_UNCOMPRESSED_BYTES", 1024)
    with pytest.raises(WorkbookError, match="would inflate"):
        read_workbook(good_file)


@pytest.mark.parametrize("engine", ["auto", *ENGINES])
def test_macro_workbook_is_read_never_run(tmp_path, good_file, engine):
    macro = replace_part(good_file, "xl/vbaProject.bin", lambda _: b"Attribute VB_Name",
                         out=tmp_path / "trust.xlsm")
    before = hashlib.sha256(macro.read_bytes()).hexdigest()
    submission = read_workbook(macro, engine=engine)
    assert "MACROS_PRESENT" in codes(submission)
    assert submission.about.trust == "Thames Valley"
    assert hashlib.sha256(macro.read_bytes()).hexdigest() == before


@pytest.mark.parametrize("engine", ENGINES)
def test_missing_sheet_is_reported_and_the_rest_scored(tmp_path, samples, engine):
    tables = sample_tables(samples[0])
    del tables["measures"]
    submission = read_workbook(write_tables(tmp_path / "t.xlsx", tables), engine=engine)
    missing = problem(submission, "TABLE_MISSING")
    assert "IPPF" in missing.message and "Measures" in missing.message
    assert submission.targets and submission.checklist
    assert assess(submission).measure_alignment.value is None


@pytest.mark.parametrize("engine", ENGINES)
def test_missing_required_columns_are_all_named(tmp_path, samples, engine):
    tables = sample_tables(samples[0])
    headers, rows = tables["targets"]
    keep = [i for i, h in enumerate(headers) if h not in ("Latest", "Probation role")]
    tables["targets"] = ([headers[i] for i in keep], [[r[i] for i in keep] for r in rows])
    submission = read_workbook(write_tables(tmp_path / "t.xlsx", tables), engine=engine)
    messages = [p.message for p in submission.problems if p.code == "COLUMN_MISSING"]
    assert len(messages) == 2
    assert any("'Latest'" in m and "LAA Targets" in m for m in messages)
    assert any("'Probation role'" in m for m in messages)


@pytest.mark.parametrize("engine", ENGINES)
def test_headers_match_case_and_space_insensitively_and_extras_are_ignored(
        tmp_path, samples, engine):
    tables = sample_tables(samples[0])
    _headers, rows = tables["targets"]
    odd = [" laa ", "ni", "INDICATOR", "base line", "Target", "latest", "probation  ROLE",
           "PlanRef"]
    tables["targets"] = ([*odd, "My notes"], [[*r, "note"] for r in rows])
    submission = read_workbook(write_tables(tmp_path / "t.xlsx", tables), engine=engine)
    expected = read_workbook(write_tables(tmp_path / "e.xlsx", sample_tables(samples[0])))
    assert [t.model_dump(exclude={"source"}) for t in submission.targets] == [
        t.model_dump(exclude={"source"}) for t in expected.targets]
    ignored = problem(submission, "COLUMN_IGNORED")
    assert ignored.severity == "warning" and "My notes" in ignored.message


@pytest.mark.parametrize("engine", ENGINES)
def test_pasted_data_without_tables_renamed_sheets_and_a_title_row(tmp_path, samples, engine):
    names = {"targets": "laa targets", "checklist": "CHECKLIST"}
    plain = write_tables(tmp_path / "plain.xlsx", sample_tables(samples[1]), as_tables=False,
                         sheet_names=names, header_row=3)
    tabled = write_tables(tmp_path / "tabled.xlsx", sample_tables(samples[1]))
    got, expected = assess(read_workbook(plain, engine)), assess(read_workbook(tabled, engine))
    assert got.score == expected.score
    assert got.flag_codes() == expected.flag_codes()
    first = read_workbook(plain, engine).targets[0]
    assert first.source.sheet == "laa targets" and first.source.cells["ni"] == "B4"


@pytest.mark.parametrize("engine", ENGINES)
def test_empty_tables_are_scored(tmp_path, samples, engine):
    tables = sample_tables(samples[0])
    for key in ("targets", "measures", "objectives"):
        tables[key] = (tables[key][0], [])
    submission = read_workbook(write_tables(tmp_path / "t.xlsx", tables), engine=engine)
    assessment = assess(submission)
    assert submission.targets == [] and assessment.linkage.value == 0.0
    assert "DRIVER_UNCOVERED" in assessment.flag_codes()


@pytest.mark.parametrize("engine", ENGINES)
def test_merged_cells_inside_a_table_are_reported(tmp_path, good_file, engine):
    workbook = openpyxl.load_workbook(good_file)
    workbook["LAA Targets"].merge_cells("A2:A4")
    workbook.save(good_file)
    submission = read_workbook(good_file, engine=engine)
    merged = [p for p in submission.problems if "Merged cells A2:A4" in p.message]
    assert len(merged) == 1 and merged[0].sheet == "LAA Targets"
    # The rows under the merge lost their LAA: reported, not silently dropped.
    assert any(p.code == "DATA_INVALID" and p.cell == "A3" for p in submission.problems)


def _error_cell(data: bytes, cell: str, error: str) -> bytes:
    text = data.decode()
    pattern = re.compile(rf'<c r="{cell}"[^>]*>.*?</c>', re.S)
    return pattern.sub(f'<c r="{cell}" t="e"><f>1/0</f><v>{error}</v></c>', text, 1).encode()


@pytest.mark.parametrize("engine", ["auto", "openpyxl"])
def test_excel_error_values_and_formulas_in_input_cells(tmp_path, good_file, engine):
    workbook = openpyxl.load_workbook(good_file)
    sheet_index = workbook.sheetnames.index("LAA Targets") + 1
    part = f"xl/worksheets/sheet{sheet_index}.xml"
    broken = replace_part(good_file, part, lambda d: _error_cell(_error_cell(d, "D2", "#DIV/0!"),
                                                                  "E3", "#N/A"),
                          out=tmp_path / "errors.xlsx")
    submission = read_workbook(broken, engine=engine)
    cells = {p.cell: p.message for p in submission.problems if p.code == "DATA_INVALID"}
    assert "#DIV/0!" in cells["D2"] and "#N/A" in cells["E3"]
    assert submission.targets[0].baseline is None
    assert "TARGET_NO_DATA" in assess(submission).flag_codes()


@pytest.mark.parametrize("engine", ENGINES)
def test_text_dates_text_numbers_and_percentages(tmp_path, samples, engine):
    tables = sample_tables(samples[0])
    about_headers, about = tables["about"]
    about = [["As at", "30/09/2010"] if r[0] == "As at" else r for r in about]
    tables["about"] = (about_headers, about)
    headers, rows = tables["targets"]
    rows = [list(r) for r in rows[:3]]
    rows[0][3:6] = ["1,200", " 1000 ", "1100"]
    rows[1][3:6] = [0.45, "50%", "48 %"]
    tables["targets"] = (headers, rows)
    submission = read_workbook(write_tables(tmp_path / "t.xlsx", tables), engine=engine)
    assert str(submission.about.as_at) == "2010-09-30"
    first, second = submission.targets[:2]
    assert (first.baseline, first.target, first.latest) == (1200, 1000, 1100)
    assert (second.baseline, second.target, second.latest) == (0.45, 0.5, 0.48)
    assert not [p for p in submission.problems if p.code == "DATA_INVALID"]


@pytest.mark.parametrize("engine", ENGINES)
def test_every_bad_cell_reported_at_once(tmp_path, samples, engine):
    submission = read_workbook(
        write_tables(tmp_path / "bad.xlsx", sample_tables(samples[3])), engine=engine)
    found = {(p.code, p.sheet, p.cell) for p in submission.problems}
    assert ("NI_INVALID", "LAA Targets", "B2") in found
    assert ("DATA_INVALID", "LAA Targets", "D3") in found
    assert ("DATA_INVALID", "Checklist", "E5") in found
    assert ("DATA_INVALID", "About", "B4") in found
    assert ("DATA_INVALID", "Config", "B2") in found
    invalid_ni = problem(submission, "NI_INVALID")
    assert "NI 999" in invalid_ni.message and "NI 1 to NI 198" in invalid_ni.message
    status = next(p for p in submission.problems if p.cell == "E5")
    assert "Done-ish" in status.message and "Complete" in status.message


@pytest.mark.parametrize("engine", ENGINES)
def test_duplicate_checklist_ids_and_duplicate_ni_on_one_laa(tmp_path, samples, engine):
    tables = sample_tables(samples[0])
    headers, rows = tables["checklist"]
    tables["checklist"] = (headers, [*rows, [rows[0][0].lower(), *rows[0][1:]]])
    headers, rows = tables["targets"]
    tables["targets"] = (headers, [*rows, rows[0]])
    submission = read_workbook(write_tables(tmp_path / "t.xlsx", tables), engine=engine)
    duplicates = [p for p in submission.problems if p.code == "DUPLICATE_ROW"]
    assert {d.sheet for d in duplicates} == {"Checklist", "LAA Targets"}
    assert len(submission.checklist) == 18  # the repeat of A1 (as 'a1') is not scored twice
    assert len(submission.targets) == len(rows)


@pytest.mark.parametrize("engine", ENGINES)
def test_thousands_of_blank_formatted_rows(tmp_path, good_file, engine):
    workbook = openpyxl.load_workbook(good_file)
    sheet = workbook["LAA Targets"]
    for row in range(sheet.max_row + 1, 5001):
        sheet.cell(row=row, column=4).number_format = "0.0"
        sheet.cell(row=row, column=1).value = None
    sheet.tables["Targets"].ref = "A1:H5000"
    workbook.save(good_file)
    original = read_workbook(good_file, engine=engine)
    assert len(original.targets) < 60
    assert not [p for p in original.problems if p.code == "DATA_INVALID"]


def _calamine_tables(path: Path) -> list[reader.TableRef]:
    """The tables as calamine's own table loading gives them (the reader no longer asks)."""
    import python_calamine

    workbook = python_calamine.CalamineWorkbook.from_path(str(path), load_tables=True)
    found = []
    for name in workbook.table_names:
        table = workbook.get_table_by_name(name)
        (r1, c1), (r2, c2) = table.start, table.end
        # calamine's start is the first data row; the header row sits just above it.
        found.append(reader.TableRef(table.name, table.sheet, r1, c1 + 1, r2 + 1, c2 + 1))
    return found


def test_tables_are_read_from_the_package_as_calamine_reads_them(tmp_path, samples):
    template = Path(__file__).parent.parent / "workbooks"
    paths = [write_tables(tmp_path / f"{i}.xlsx", sample_tables(s))
             for i, s in enumerate(samples)] + sorted(template.glob("*.xlsx"))
    for path in paths:
        tables = reader.inspect_package(path).tables
        assert tables and tables == _calamine_tables(path), path.name


def test_tables_written_with_prefixes_absolute_targets_and_a_totals_row(tmp_path, good_file):
    path = replace_part(good_file, "xl/worksheets/_rels/sheet3.xml.rels",
                        lambda xml: re.sub(rb'Target="\.\./tables/', b'Target="/xl/tables/', xml),
                        tmp_path / "absolute.xlsx")
    table_part = next(n for n in zipfile.ZipFile(path).namelist() if n.startswith("xl/tables/"))
    prefixed = replace_part(path, table_part, lambda xml: re.sub(
        rb"<(/?)(\w+)", rb"<\1x:\2", xml).replace(b"xmlns=", b"xmlns:x=").replace(
        b"<x:table ", b'<x:table totalsRowCount="1" ', 1), tmp_path / "prefixed.xlsx")
    before = {t.name: t for t in reader.inspect_package(good_file).tables}
    after = {t.name: t for t in reader.inspect_package(prefixed).tables}
    assert after.keys() == before.keys()
    changed = [name for name in before if before[name] != after[name]]
    assert len(changed) == 1  # the table with a totals row ends a row earlier
    assert after[changed[0]].last_row == before[changed[0]].last_row - 1


def test_a_dtd_deep_in_the_workbook_part_is_refused(tmp_path, good_file):
    def deep(xml: bytes) -> bytes:
        declaration, _, rest = xml.rpartition(b"?>")
        head = declaration + b"?>" if declaration else b""
        return head + b"<!--" + b"x" * 8192 + b'--><!DOCTYPE w [<!ENTITY e "boom">]>' + rest

    crafted = replace_part(good_file, "xl/workbook.xml", deep, tmp_path / "deep.xlsx")
    with pytest.raises(WorkbookError, match="DOCTYPE"):
        reader.inspect_package(crafted)


def test_a_workbook_part_over_a_megabyte_still_declares_its_tables(tmp_path, good_file):
    """workbook.xml runs to megabytes with thousands of defined names; it is read whole."""
    big = replace_part(good_file, "xl/workbook.xml", lambda xml: xml.replace(
        b"</workbook>", b"<!--" + b"n" * (3 << 20) + b"--></workbook>"), tmp_path / "big.xlsx")
    assert reader.inspect_package(big).tables == reader.inspect_package(good_file).tables


def test_a_table_without_a_header_row_is_read_alike_by_both_engines(tmp_path, good_file):
    """No header row in the table (headerRowCount="0"): its headers are taken from the row
    above it, by the package reading (as calamine did) and by openpyxl alike."""
    table_part = next(n for n in zipfile.ZipFile(good_file).namelist()
                      if n.startswith("xl/tables/"))

    def no_header_row(xml: bytes) -> bytes:
        xml = re.sub(rb'\sheaderRowCount="\d+"', b"", xml)
        return xml.replace(b"<table ", b'<table headerRowCount="0" ', 1)

    headless = replace_part(good_file, table_part, no_header_row, tmp_path / "headless.xlsx")
    declared = {t.name: t for t in reader.inspect_package(headless).tables}
    by_openpyxl = {t.name: t for t in engines.read_openpyxl(headless)[1]}
    assert declared == by_openpyxl
    before = {t.name: t for t in reader.inspect_package(good_file).tables}
    moved = [name for name in before if before[name] != declared[name]]
    assert len(moved) == 1 and declared[moved[0]].first_row == before[moved[0]].first_row - 1


@pytest.mark.parametrize(("target", "part"), [("evil.xml", "xl/evil.xml"),
                                             ("/xl/Worksheets/evil.xml", "xl/Worksheets/evil.xml"),
                                             ("worksheets/evil.XML", "xl/worksheets/evil.XML")])
def test_a_sheet_outside_the_sheet_folders_is_checked_too(tmp_path, good_file, target, part):
    """calamine parses whatever part a sheet's relationship points at; a far-away cell there
    would abort the process, so it is checked like any sheet."""
    first = re.compile(rb'Target="/?(?:xl/)?worksheets/sheet1\.xml"')
    repointed = replace_part(good_file, "xl/_rels/workbook.xml.rels", lambda xml: first.sub(
        b'Target="' + target.encode() + b'"', xml), tmp_path / "repointed.xlsx")
    far = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' \
          b'<sheetData><row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>' \
          b'</worksheet>'
    crafted = replace_part(repointed, part, lambda _: far, tmp_path / "crafted.xlsx")
    with pytest.raises(WorkbookError, match="reaches row 1,048,576"):
        reader.inspect_package(crafted)


def test_workbook_relationships_that_are_not_xml_are_a_damaged_package(tmp_path, good_file):
    broken = replace_part(good_file, "xl/_rels/workbook.xml.rels", lambda xml: xml[:-20],
                          tmp_path / "broken.xlsx")
    with pytest.raises(WorkbookError, match="not well-formed"):
        reader.inspect_package(broken)
