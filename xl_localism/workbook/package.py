"""The checks made on a workbook's zip package before any engine opens it.

What is refused (not a workbook, an old .xls, encrypted, a zip bomb, a DOCTYPE, a sheet that
claims a far cell), what is noted for the engines (macros, error cells, parts calamine or
openpyxl would misread, formulas without a calculated value) and the tables it declares.
Parts are read as XML is: names normalised as calamine normalises them, encodings decoded.
"""

from __future__ import annotations

import codecs
import io
import mmap
import posixpath
import re
import struct
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.parsers import expat

from xl_localism.workbook.sheets import TableRef, WorkbookError, sheets_needed

# Parts are inflated by the standard library's zlib (ISA-L left with the SpreadsheetML writer).

# Refuse before inflating: a workbook of trust data is a few MB; these leave room for big ones.
MAX_UNCOMPRESSED_BYTES = 512 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200
RATIO_CHECK_MIN_BYTES = 8 * 1024 * 1024

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Why an .xls is refused, and what to do: said the same by `score` and by a batch.
OLD_XLS_REASON = ("an old binary Excel 97-2003 workbook (.xls); "
                  "save it as an Excel Workbook (.xlsx)")
_ZIP_MAGIC = b"PK\x03\x04"
_ENCRYPTION_MARK = "EncryptionInfo".encode("utf-16-le")


@dataclass
class Package:
    """What the zip says before any engine opens it."""

    has_macros: bool = False
    has_error_cells: bool = False
    # Sheet name -> its cells (row, column) with a formula and no calculated value.
    uncalculated: dict[str, frozenset[tuple[int, int]]] = field(default_factory=dict)
    # The Excel tables the package declares, read from its parts while they are checked:
    # calamine would otherwise read each table's sheet twice to give the same addresses.
    tables: list[TableRef] = field(default_factory=list)
    # What calamine would misread, so openpyxl reads the file instead (see read_workbook): a
    # part not in UTF-8 (calamine reads UTF-16 as if it were), and text whose leading or
    # trailing spaces a <t> without xml:space holds (calamine trims them, openpyxl and Excel
    # keep them: "Thames" + " " + "Valley" in rich-text runs).
    other_encoding: bool = False
    edge_space_text: bool = False
    # What openpyxl would misread, so it is given a normalised copy (normalised_copy): Strict
    # OOXML namespaces, part names with backslashes, parts not in UTF-8.
    strict: bool = False
    odd_names: bool = False

    @property
    def calamine_misreads(self) -> bool:
        return self.has_error_cells or self.other_encoding or self.edge_space_text

    @property
    def openpyxl_misreads(self) -> bool:
        return self.strict or self.odd_names or self.other_encoding


def inspect_package(path: Path) -> Package:
    """Reject what is not an Excel 2007+ workbook, or is unsafe to open, with a reason."""
    if not path.exists():
        raise WorkbookError(path, "file not found")
    if path.is_dir():
        raise WorkbookError(path, "is a folder, not a workbook")
    with path.open("rb") as handle:
        head = handle.read(8)
        if head.startswith(_OLE_MAGIC):
            rest = handle.read(4 * 1024 * 1024)
            if _ENCRYPTION_MARK in rest:
                raise WorkbookError(path, "the workbook is password-protected (encrypted); "
                                    "save an unprotected copy to submit")
            raise WorkbookError(path, OLD_XLS_REASON)
    if not head.startswith(_ZIP_MAGIC):
        raise WorkbookError(path, "not an Excel workbook (.xlsx/.xlsm): the file is not a zip "
                            "package")
    try:
        with path.open("rb") as handle, zipfile.ZipFile(handle) as archive, \
                mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
            members = archive.infolist()
            # Part names as a reader resolves them: calamine (and Excel) read "xl\\x.xml" as
            # "xl/x.xml", so every check below does too, or a part hidden behind a backslash
            # would go unchecked. OPC part names are case-insensitive.
            parts = {id(m): _part_name(m.filename) for m in members}
            names = {parts[id(m)] for m in members}
            if "xl/workbook.xml" not in {n.lower() for n in names}:
                raise WorkbookError(path, "a zip file, but not an Excel workbook "
                                    "(no xl/workbook.xml)")
            if len({n.lower() for n in names}) != len(members):
                # Two parts of one name: each reader may pick a different one. Excel refuses
                # such a package as corrupt, and so do we.
                seen: set[str] = set()
                twice = next(parts[id(m)] for m in members
                             if parts[id(m)].lower() in seen or seen.add(parts[id(m)].lower()))
                raise WorkbookError(path, f"damaged zip package: it holds two parts named "
                                    f"{twice}")
            total = sum(m.file_size for m in members)
            if total > MAX_UNCOMPRESSED_BYTES:
                raise WorkbookError(path, f"refused: it would inflate to {total / 2**20:.0f} MB "
                                    f"(limit {MAX_UNCOMPRESSED_BYTES / 2**20:.0f} MB)")
            for member in members:
                ratio = member.file_size / max(member.compress_size, 1)
                if member.file_size > RATIO_CHECK_MIN_BYTES and ratio > MAX_COMPRESSION_RATIO:
                    raise WorkbookError(path, f"refused: {parts[id(member)]} is compressed "
                                        f"{ratio:.0f}:1, a zip bomb pattern")
            package = Package(has_macros="xl/vbaproject.bin" in {n.lower() for n in names},
                              odd_names=any("\\" in m.filename for m in members))
            table_parts: dict[str, bytes] = {}
            for member in members:
                part_name = parts[id(member)]
                if _SHEET_PART.match(part_name):
                    continue  # checked below, with any other part the workbook calls a sheet
                if _TABLE_PART.match(part_name):
                    with _open_part(archive, mapped, member) as part:
                        table_xml = _utf8(package, part.read(MAX_TABLE_MAP_BYTES))
                    if _DOCTYPE.search(table_xml[:XML_HEAD_BYTES]):
                        raise WorkbookError(path, _doctype_reason(part_name))
                    table_parts[part_name.lower()] = table_xml
                elif part_name.endswith((".xml", ".rels")):
                    with _open_part(archive, mapped, member) as part:
                        wanted = _TABLE_MAP_PART.match(part_name)
                        strings = _SHARED_STRINGS.match(part_name)
                        # The parts that say where tables are are read whole, and the shared
                        # strings (for text whose spaces the engines read differently); the
                        # rest only for a DOCTYPE.
                        head = part.read(MAX_TABLE_MAP_BYTES if wanted else
                                         MAX_UNCOMPRESSED_BYTES if strings else XML_HEAD_BYTES)
                        if _DOCTYPE.search(head[:XML_HEAD_BYTES]):
                            raise WorkbookError(path, _doctype_reason(part_name))
                        if wanted or strings:
                            head = _utf8(package, head)
                        else:
                            _utf8(package, head, convert=False)
                        if strings and _EDGE_SPACE_TEXT.search(head):
                            package.edge_space_text = True
                        if wanted:
                            table_parts[part_name.lower()] = head
            package.strict = _STRICT_NAMESPACE in table_parts.get(_WORKBOOK, b"")
            relationships = _elements(path, _WORKBOOK_RELS, table_parts[_WORKBOOK_RELS],
                                      "Relationship") if _WORKBOOK_RELS in table_parts else []
            if relationships is None:
                raise WorkbookError(path, f"damaged zip package: {_WORKBOOK_RELS} is not "
                                    "well-formed XML")
            sheets = _elements(path, _WORKBOOK, table_parts.get(_WORKBOOK, b""), "sheet")
            package.tables = _declared_tables(path, table_parts, relationships, sheets or [])
            # calamine parses whatever part a sheet's relationship points at, whatever its
            # folder: those parts are checked as sheets too.
            also_sheets = _sheet_targets(relationships, sheets)
            # The sheets the contract's tables are on, by part: only their formulas matter.
            read_sheets: dict[str, list[str]] | None = None
            for member in members:
                name = parts[id(member)].lower()
                named_sheet = name in also_sheets
                if named_sheet or _SHEET_PART.match(parts[id(member)]):
                    with _open_part(archive, mapped, member) as opened:
                        sheet_xml = opened
                        head = sheet_xml.read(XML_HEAD_BYTES)
                        sheet_xml.seek(0)
                        if _encoding(head) is not None:
                            # Scanned as a parser reads it: the byte patterns below are UTF-8.
                            if _DOCTYPE.search(head):
                                raise WorkbookError(path, _doctype_reason(parts[id(member)]))
                            sheet_xml = io.BytesIO(_utf8(package, sheet_xml.read()))
                        scan = _scan_sheet(sheet_xml)
                        _refuse_crafted(path, parts[id(member)], scan)
                        package.edge_space_text |= scan.has_edge_space_text
                        if scan.has_formula:
                            if read_sheets is None:
                                read_sheets = _sheets_by_part(relationships, sheets or [],
                                                              package.tables)
                            if name in read_sheets:
                                sheet_xml.seek(0)
                                cells = _uncalculated_cells(sheet_xml)
                                for sheet_name in read_sheets[name]:
                                    package.uncalculated[sheet_name] = cells
                    if named_sheet or name.startswith("xl/worksheets/"):
                        # calamine reads Excel error values as blanks; such files go to openpyxl.
                        package.has_error_cells |= scan.has_error_cell
            return package
    except zipfile.BadZipFile as error:
        raise WorkbookError(path, f"damaged zip package ({error})") from error
    except (EOFError, zlib.error, NotImplementedError) as error:
        # A truncated or mislabelled member fails while inflating, not while listing.
        raise WorkbookError(path, f"damaged zip package ({type(error).__name__}: "
                            f"{str(error)[:120]})") from error


def _part_name(filename: str) -> str:
    """A zip member's name as a part name: backslashes read as slashes, as calamine reads them."""
    return filename.replace("\\", "/").lstrip("/")


_SHARED_STRINGS = re.compile(r"xl/sharedStrings\.xml$", re.IGNORECASE)
_STRICT_NAMESPACE = b"http://purl.oclc.org/ooxml/spreadsheetml/main"
# Strict OOXML's namespaces and the Transitional ones openpyxl knows (ISO/IEC 29500-1 §A):
# the same vocabulary under other names.
_STRICT_TO_TRANSITIONAL = (
    (b"http://purl.oclc.org/ooxml/spreadsheetml/main",
     b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"),
    (b"http://purl.oclc.org/ooxml/officeDocument/relationships",
     b"http://schemas.openxmlformats.org/officeDocument/2006/relationships"),
    (b"http://purl.oclc.org/ooxml/drawingml/main",
     b"http://schemas.openxmlformats.org/drawingml/2006/main"),
    (b"http://purl.oclc.org/ooxml/officeDocument/extendedProperties",
     b"http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"),
)
# A text element (<t>, <x:t>) without xml:space whose text starts or ends with white space.
_EDGE_SPACE_TEXT = re.compile(
    rb"<(?:[\w.-]+:)?t(?:\s(?:(?!xml:space)[^>])*)?>(?:[ \t\r\n][^<]*|[^<]*[ \t\r\n])</")
_DECLARED_ENCODING = re.compile(rb"""^<\?xml[^>]*?\sencoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_BOMS = ((b"\xff\xfe\x00\x00", "utf-32-le"), (b"\x00\x00\xfe\xff", "utf-32-be"),
         (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"), (b"<\x00", "utf-16-le"),
         (b"\x00<", "utf-16-be"))


def _encoding(head: bytes) -> str | None:
    """The encoding an XML parser reads a part in, from its first bytes; None for UTF-8 (and
    for what no parser would read: that is left to fail as damaged XML)."""
    for mark, encoding in _BOMS:
        if head.startswith(mark):
            return encoding
    declared = _DECLARED_ENCODING.match(head.removeprefix(b"\xef\xbb\xbf"))
    if declared is None:
        return None
    name = declared.group(1).decode("ascii").lower()
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        return None
    return None if codec == "utf-8" else codec


_DECLARATION = re.compile(r"^\ufeff?<\?xml[^>]*\?>")


def _utf8(package: Package, data: bytes, *, convert: bool = True) -> bytes:
    """``data`` (an XML part) in UTF-8, as a parser would read it, noting on ``package`` that it
    was not UTF-8. Undecodable bytes are left as they are: the parsers will call it damaged."""
    encoding = _encoding(data[:XML_HEAD_BYTES])
    if encoding is None:
        return data
    package.other_encoding = True
    if not convert:
        return data
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        return data
    return _DECLARATION.sub('<?xml version="1.0" encoding="UTF-8"?>', text, 1).encode("utf-8")


def normalised_copy(path: Path, package: Package) -> io.BytesIO:
    """The workbook as openpyxl can read it, in memory: parts named with slashes, in UTF-8,
    Strict OOXML's namespaces as Transitional ones. The content is otherwise the same."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as copy:
        for member in source.infolist():
            data = source.read(member)
            name = _part_name(member.filename)
            if name.endswith((".xml", ".rels")):
                data = _utf8(Package(), data)
                if package.strict:
                    for strict, transitional in _STRICT_TO_TRANSITIONAL:
                        data = data.replace(strict, transitional)
            copy.writestr(name, data)
    buffer.seek(0)
    return buffer


# A part this size or smaller is inflated in one call; larger ones are streamed by zipfile.
SMALL_PART_BYTES = 1 << 20
_LOCAL_HEADER = struct.Struct("<4s22xHH")  # signature ... file name length, extra field length
_ENCRYPTED_FLAG = 0x1


def _open_part(archive: zipfile.ZipFile, package: Any, member: zipfile.ZipInfo) -> Any:
    """A readable stream of one part.

    zipfile.open costs ~15 µs a part (a stream object, the local header read again, a CRC on each
    read) and a workbook has ~30 small parts, so those are inflated from the package's mapped
    bytes in one call instead, with zipfile's checks: the local header, the declared size, the
    CRC. Parts bigger than SMALL_PART_BYTES (or stored unusually) are left to zipfile.
    """
    if (member.file_size > SMALL_PART_BYTES or member.flag_bits & _ENCRYPTED_FLAG
            or member.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)):
        return archive.open(member)
    try:
        signature, name_length, extra_length = _LOCAL_HEADER.unpack_from(package,
                                                                         member.header_offset)
    except struct.error:
        signature = b""  # the header would lie past the end of the file
    if signature != b"PK\x03\x04":
        raise zipfile.BadZipFile(f"bad local header for {member.filename}")
    start = member.header_offset + _LOCAL_HEADER.size + name_length + extra_length
    raw = package[start:start + member.compress_size]
    if len(raw) != member.compress_size:
        raise EOFError(f"{member.filename} is cut short")
    if member.compress_type == zipfile.ZIP_DEFLATED:
        # Never more than the declared size (and one byte to tell a lie).
        content = zlib.decompressobj(-15).decompress(raw, member.file_size + 1)
    else:
        content = raw
    if len(content) != member.file_size or zlib.crc32(content) != member.CRC:
        raise zipfile.BadZipFile(f"bad CRC or size for {member.filename}")
    return io.BytesIO(content)


# Macro and dialog sheets are grids too, and calamine may read them.
_SHEET_PART = re.compile(r"xl/(worksheets|macrosheets|dialogsheets)/[^/]+\.xml$")
# Only cells carry t="e": the bare attribute will do, and a literal start is fast to search for.
_ERROR_CELL = re.compile(rb"""t=["']e["']""")
# A DOCTYPE is how XML declares entities (billion laughs, external files). Excel never writes
# one, so any part that has one was crafted; it is refused before a parser sees it. UTF-16
# parts spell it with a zero byte after each character. Only a part's head is searched: one
# that hides a DOCTYPE behind kilobytes of comment still meets parsers that expand nothing
# (calamine) or refuse entities (openpyxl, through defusedxml).
_DOCTYPE = re.compile(rb"<!(?:DOCTYPE|ENTITY)|<\x00!\x00(?:D\x00O\x00C\x00T|E\x00N\x00T)")
XML_HEAD_BYTES = 4096
# A sheet is read as a full grid from A1 to its last used cell, so one cell at XFD1048576
# would ask for 17 billion cells (calamine aborts the process trying). Trust data is tiny.
MAX_SHEET_CELLS = 20_000_000
# In sheet XML only <row> has r="<digits>" and only <c> has r="<letters><digits>"; matching the
# bare attribute is several times faster than matching the elements, and anything else it
# happens to match (footer="1") only loosens the bound.
_ROW_REF = re.compile(rb"""r=["'](\d{1,12})["']""")
_CELL_REF = re.compile(rb"""r=["']([A-Za-z]{1,8})(\d{1,12})["']""")
_LONGER_ROW = [re.compile(rb"r=[\"'][A-Za-z]{1,8}\d{%d,}" % (digits + 1)) for digits in range(13)]
_WIDE_COLUMN = re.compile(rb"r=[\"'][A-Za-z]{3,}\d")
_TABLE_PART = re.compile(r"xl/tables/[^/]+\.xml$")


@dataclass
class _SheetScan:
    has_error_cell: bool = False
    has_formula: bool = False
    has_doctype: bool = False
    has_edge_space_text: bool = False
    rows: int = 0  # an upper bound of the last row a reader will place a cell in
    columns: int = 0


def _scan_sheet(stream: Any, chunk_size: int = 1 << 20) -> _SheetScan:
    """One pass over a worksheet part: error cells, formulas, a DOCTYPE, and how far its cells
    reach."""
    scan = _SheetScan()
    tail = b""
    max_row = 0
    long_rows = wide_columns = False
    row_elements = row_refs = cell_elements = 0
    first = True
    while chunk := stream.read(chunk_size):
        window = tail + chunk
        if first:
            scan.has_doctype = bool(_DOCTYPE.search(window[:XML_HEAD_BYTES]))
            first = False
        if not scan.has_error_cell and _ERROR_CELL.search(window):
            scan.has_error_cell = True
        if not scan.has_edge_space_text and _EDGE_SPACE_TEXT.search(window):
            scan.has_edge_space_text = True
        if not scan.has_formula and (_PLAIN_FORMULA.search(window) or
                                     _PREFIXED_FORMULA.search(window)):
            scan.has_formula = True
        rows = _ROW_REF.findall(window)
        if rows:
            max_row = max(max_row, max(map(int, set(rows))))
        # Cells normally sit in their row; only look at them one by one when some cell's row
        # number is longer than the rows' (or its column has three letters or more).
        long_rows = long_rows or bool(_LONGER_ROW[min(len(str(max_row)), 12)].search(window))
        wide_columns = wide_columns or bool(_WIDE_COLUMN.search(window))
        # Elements without an r attribute take the next row or column: count them too ("<c"
        # also counts <col> and <cfRule>, which only loosens the bound a little).
        row_elements += chunk.count(b"<row")
        cell_elements += chunk.count(b"<c")
        row_refs += len(rows)
        tail = chunk[-256:]
    positional_rows = max(0, row_elements - row_refs)
    # Without longer row numbers or three-letter columns, no cell lies past the largest number
    # of the rows' digit count, or past column ZZ (702).
    scan.rows = max(max_row, 10 ** len(str(max_row)) - 1) + positional_rows
    scan.columns = 702 + cell_elements
    if long_rows or wide_columns or scan.rows * scan.columns > MAX_SHEET_CELLS:
        stream.seek(0)
        scan.rows, scan.columns = _exact_extent(stream.read(), positional_rows)
    return scan


def _exact_extent(data: bytes, positional_rows: int) -> tuple[int, int]:
    """The last row and column any cell can land in, from every reference in the sheet."""
    max_row = max(map(int, set(_ROW_REF.findall(data))), default=0)
    cells = set(_CELL_REF.findall(data))
    max_row = max([max_row, *(int(row) for _, row in cells)])
    max_column = max((_column_number(letters) for letters, _ in cells), default=0)
    # Cells without r follow the previous cell of their row; bound them by all such cells.
    positional_cells = max(0, data.count(b"<c") - len(_CELL_REF.findall(data)))
    return max_row + positional_rows, max_column + positional_cells


# A formula element ("<f>", "<f t=\"shared\" si=\"0\"/>"), or a prefixed one ("<x:f>"; also
# the "<xm:f>" of an extension list, which only costs the closer look below). Two searches
# that each start with a literal are several times faster than one for both.
_PLAIN_FORMULA = re.compile(rb"<f[\s/>]")
_PREFIXED_FORMULA = re.compile(rb":f[\s/>]")
# A cell whose first child is a formula (CT_Cell's order is f, v, is, extLst), as Excel,
# LibreOffice and openpyxl write it: its attributes, the formula's attributes, what follows it.
# (An optional group after "<c" would cost the search its speed: a cell with no attributes
# has no address either, and is left to the parse.)
_FORMULA_CELL = re.compile(rb"<c\s([^>]*+)>\s*+<f(\s[^>]*?)?(?:/>|>[^<]*+</f>)(.*?)</c>",
                           re.S)
_CELL_ADDRESS = re.compile(rb"""(?:^|\s)r\s*=\s*["']([A-Za-z]{1,3})(\d{1,7})["']""")
_CELL_TYPE = re.compile(rb"""(?:^|\s)t\s*=\s*["']([^"']*)["']""")
_ARRAY_RANGE = re.compile(rb"""\sref\s*=\s*["']([^"']*)["']""")
_CACHED_VALUE = re.compile(rb"<v(?:\s[^>]*)?(?<!/)>[^<]|<is[\s/>]")
_ANY_VALUE = re.compile(rb"<v[\s/>]")
# What the quick reading cannot follow: prefixed cells; comments, CDATA (and a DOCTYPE).
_PREFIXED_CELL = re.compile(rb":c[\s/>]")
# An array formula's other cells hold nothing until it is calculated; a range bigger than this
# is marked at its first cell only. Past MAX_UNCALCULATED_CELLS a sheet's are not all kept.
MAX_ARRAY_CELLS = 10_000
MAX_UNCALCULATED_CELLS = 1_000_000


class _Uncalculated:
    """Collects the cells holding a formula with no calculated value (SPEC §3)."""

    def __init__(self) -> None:
        self.cells: set[tuple[int, int]] = set()

    def add(self, row: int, column: int, cell_type: str, has_value: bool, has_any_value: bool,
            array_range: str | None) -> None:
        # A text result may be empty: Excel writes ="" as t="str" with an empty <v>.
        if has_value or (cell_type == "str" and has_any_value):
            return
        if len(self.cells) >= MAX_UNCALCULATED_CELLS:
            return
        self.cells.add((row, column))
        bounds = _TABLE_RANGE.fullmatch(array_range or "")
        if bounds is None or bounds.group(3) is None:
            return
        c1, r1, c2, r2 = bounds.groups()
        first_column, last_column = sorted((_column_number(c1.encode()),
                                            _column_number(c2.encode())))
        first_row, last_row = sorted((int(r1), int(r2)))
        if (last_row - first_row + 1) * (last_column - first_column + 1) <= MAX_ARRAY_CELLS:
            self.cells.update((r, c) for r in range(first_row, last_row + 1)
                              for c in range(first_column, last_column + 1))


def _uncalculated_cells(stream: Any) -> frozenset[tuple[int, int]]:
    """The (row, column) of each cell of a sheet part whose formula has no calculated value: an
    ``<f>`` with no ``<v>``, or an empty one (as openpyxl and other programs that do not
    calculate write it). Neither engine can tell such a cell from a blank one.

    Cells written as Excel writes them are read with a regular expression, and only those with a
    formula; a sheet it cannot follow entirely (prefixed elements, comments, cells without an
    address) is parsed with expat instead."""
    if isinstance(stream, io.BytesIO):
        data = stream.getvalue()
        found = _quick_uncalculated(data)
        if found is not None:
            return found
        stream = io.BytesIO(data)
    return _parsed_uncalculated(stream)


def _quick_uncalculated(data: bytes) -> frozenset[tuple[int, int]] | None:
    """:func:`_uncalculated_cells` by regular expressions; None where they cannot be sure."""
    if b"<!" in data or _PREFIXED_CELL.search(data):
        return None
    found = _Uncalculated()
    formulas = 0
    for match in _FORMULA_CELL.finditer(data):
        formulas += 1
        attributes, formula, rest = match.groups(b"")
        if b"<c" in rest:
            return None  # a cell that does not close
        if _CACHED_VALUE.search(rest):
            continue  # calculated: most formula cells, wherever they are
        address = _CELL_ADDRESS.search(attributes)
        if address is None:
            return None  # a cell placed by its order
        cell_type = _CELL_TYPE.search(attributes)
        array_range = _ARRAY_RANGE.search(formula) if b"array" in formula else None
        found.add(int(address.group(2)), _column_number(address.group(1)),
                  cell_type.group(1).decode() if cell_type else "n", False,
                  _ANY_VALUE.search(rest) is not None,
                  array_range.group(1).decode() if array_range else None)
    # Every formula element must have been one of those cells' (a self-closing <c/> or a
    # formula after a value would not be).
    if formulas != len(_PLAIN_FORMULA.findall(data)):
        return None
    return frozenset(found.cells)


def _parsed_uncalculated(stream: Any, chunk_size: int = 1 << 20) -> frozenset[tuple[int, int]]:
    """:func:`_uncalculated_cells` by parsing the part, placing cells as calamine and openpyxl
    do: by their address, else after the previous cell of their row."""
    found = _Uncalculated()
    depth = cell_depth = 0
    row = column = 0
    cell: dict[str, Any] | None = None
    in_value = False

    def start(name: str, attributes: dict[str, str]) -> None:
        nonlocal depth, cell_depth, row, column, cell, in_value
        depth += 1
        local = name.rpartition(":")[2]
        if cell is None:
            if local == "row":
                number = attributes.get("r", "")
                row = int(number) if number.isdigit() else row + 1
                column = 0
            elif local == "c":
                address = _TABLE_RANGE.fullmatch(attributes.get("r", ""))
                if address is not None and address.group(3) is None:
                    row = int(address.group(2))
                    column = _column_number(address.group(1).encode())
                else:
                    column += 1
                cell = {"type": attributes.get("t", "n"), "formula": False, "value": False,
                        "any_value": False, "array": None}
                cell_depth = depth
        elif depth == cell_depth + 1:
            if local == "f":
                cell["formula"] = True
                if attributes.get("t") == "array":
                    cell["array"] = attributes.get("ref")
            elif local == "v":
                cell["any_value"] = in_value = True
            elif local == "is":
                cell["value"] = True

    def end(name: str) -> None:
        nonlocal depth, cell, in_value
        if cell is not None and depth == cell_depth:
            if cell["formula"]:
                found.add(row, column, cell["type"], cell["value"], cell["any_value"],
                          cell["array"])
            cell = None
        in_value = False
        depth -= 1

    def text(data: str) -> None:
        if in_value and cell is not None and data:
            cell["value"] = True

    def refuse(*_: object) -> None:
        raise expat.ExpatError("a DOCTYPE")

    parser = expat.ParserCreate()
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    try:
        while chunk := stream.read(chunk_size):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except expat.ExpatError:
        pass  # damaged XML: the cells before the damage are all the engines could read too
    return frozenset(found.cells)


# The parts that say which tables a sheet has: the workbook (sheet names), its relationships
# (sheet parts) and each sheet's relationships (table parts). Read whole up to this size (a
# workbook part with thousands of defined names runs to a few MB); a bigger one, cut short,
# declares no tables and the contract's tables are then found by their sheets' names.
MAX_TABLE_MAP_BYTES = 64 << 20
_TABLE_MAP_PART = re.compile(r"xl/(?:workbook\.xml|_rels/workbook\.xml\.rels|"
                             r"(?:worksheets|macrosheets|dialogsheets)/_rels/[^/]+\.rels)$",
                             re.IGNORECASE)


def _elements(path: Path, part: str, xml: bytes, element: str) -> list[dict[str, str]] | None:
    """The attributes (names as written) of each ``element`` (by local name) in a small XML
    part, in order; None if the part does not parse.

    expat, with any DTD refused as defusedxml refuses it: the DOCTYPE check above reads only a
    part's head. Element names are matched without their prefix ("x:table"): expat's namespace
    mode costs half as much again."""
    found: list[dict[str, str]] = []

    def start(name: str, attributes: dict[str, str]) -> None:
        if name.rpartition(":")[2] == element:
            found.append(attributes)

    def refuse(*_: object) -> None:
        raise WorkbookError(path, _doctype_reason(part))

    parser = expat.ParserCreate()
    parser.StartElementHandler = start
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    try:
        parser.Parse(xml, True)
    except expat.ExpatError:
        return None
    return found


def _local(attributes: dict[str, str]) -> dict[str, str]:
    """Attributes by local name ("r:id" as "id")."""
    return {key.rpartition(":")[2]: value for key, value in attributes.items()}


def _attributes(path: Path, part: str, xml: bytes, element: str) -> list[dict[str, str]]:
    """:func:`_elements` by local name. A part that does not parse declares nothing (calamine
    would not read it either; the workbook is then read by sheet names)."""
    return [_local(attributes) for attributes in _elements(path, part, xml, element) or []]


_WORKBOOK = "xl/workbook.xml"
_WORKBOOK_RELS = "xl/_rels/workbook.xml.rels"
_SHEET_TYPES = ("/worksheet", "/chartsheet", "/dialogsheet", "/xlMacrosheet",
                "/xlIntlMacrosheet", "/macrosheet")


def _sheet_targets(relationships: list[dict[str, str]],
                   sheets: list[dict[str, str]] | None) -> set[str]:
    """Every part calamine may parse as a sheet (lower case): each target of the workbook's
    ``relationships`` that one of its ``sheets`` names in any attribute, or whose type is a
    sheet's, resolved as this reader and as calamine resolve a target. Every target when the
    workbook part did not parse (``sheets`` None)."""
    named = None if sheets is None else {value for sheet in sheets for value in sheet.values()}
    targets = set()
    for relationship in relationships:
        target = relationship.get("Target", "")
        if named is None or relationship.get("Id") in named or \
                relationship.get("Type", "").endswith(_SHEET_TYPES):
            targets.add(_part_target("xl", target))
            # calamine: "/xl/..." and "xl/..." as they are, anything else under "xl/".
            as_calamine = target[1:] if target.startswith("/xl/") else (
                target if target.startswith("xl/") else f"xl/{target}")
            targets.add(as_calamine.lower())
    return targets


def _sheets_by_part(relationships: list[dict[str, str]], sheets: list[dict[str, str]],
                    tables: Sequence[TableRef]) -> dict[str, list[str]]:
    """The names of the sheets :func:`sheets_needed` will read, by part (lower case, resolved
    as this reader and as calamine resolve a target)."""
    targets = {r.get("Id"): r.get("Target", "") for r in map(_local, relationships)}
    named = [(s.get("name"), targets.get(s.get("id"))) for s in map(_local, sheets)]
    needed = sheets_needed([name for name, _ in named if name is not None], tables)
    parts: dict[str, list[str]] = {}
    for name, target in named:
        if name not in needed or target is None:
            continue
        as_calamine = target[1:] if target.startswith("/xl/") else (
            target if target.startswith("xl/") else f"xl/{target}")
        for part in {_part_target("xl", target), as_calamine.lower()}:
            parts.setdefault(part, []).append(name)
    return parts


def _part_target(folder: str, target: str) -> str:
    """A relationship's target as a part name (lower case, as parts are looked up)."""
    name = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
    return posixpath.normpath(name).lower()


def _declared_tables(path: Path, parts: dict[str, bytes], workbook_relationships:
                     list[dict[str, str]], sheets: list[dict[str, str]]) -> list[TableRef]:
    """Each Excel table of each sheet, in workbook order, as the package declares it (the
    workbook's relationships and sheets as :func:`_elements` gives them)."""
    def relationships(rels: str) -> list[dict[str, str]]:
        return _attributes(path, rels, parts[rels], "Relationship") if rels in parts else []

    sheet_parts = {r.get("Id"): _part_target("xl", r.get("Target", ""))
                   for r in map(_local, workbook_relationships)}
    tables: list[TableRef] = []
    for sheet in map(_local, sheets):
        sheet_part = sheet_parts.get(sheet.get("id"))
        name = sheet.get("name")
        if sheet_part is None or name is None:
            continue
        folder, file_name = posixpath.split(sheet_part)
        for rel in relationships(f"{folder}/_rels/{file_name}.rels"):
            if not rel.get("Type", "").endswith("/table") or rel.get("TargetMode"):
                continue
            table_part = _part_target(folder, rel.get("Target", ""))
            for table in _attributes(path, table_part, parts.get(table_part, b""), "table")[:1]:
                ref = _TABLE_RANGE.fullmatch(table.get("ref", ""))
                title = table.get("displayName") or table.get("name")
                if ref is None or not title:
                    continue  # no address: the table is found by its sheet's name instead
                c1, r1, c2, r2 = ref.groups(default="")
                first_column, first_row = _column_number(c1.encode()), int(r1)
                last_column = _column_number((c2 or c1).encode())
                last_row = int(r2 or r1)
                # A Totals row is not data; openpyxl's reading leaves it out too.
                totals = table.get("totalsRowCount", "0")
                last_row -= int(totals) if totals.isdigit() else 0
                if table.get("headerRowCount") == "0":
                    first_row -= 1  # no header row in the table: its headers sit above it
                tables.append(TableRef(title, name, first_row, first_column, last_row,
                                       last_column))
    return tables


_TABLE_RANGE = re.compile(r"\$?([A-Za-z]{1,3})\$?(\d{1,7})(?::\$?([A-Za-z]{1,3})\$?(\d{1,7}))?")


def _column_number(letters: bytes) -> int:
    number = 0
    for char in letters.upper():
        number = number * 26 + char - 64
    return number


def _refuse_crafted(path: Path, part: str, scan: _SheetScan) -> None:
    if scan.has_doctype:
        raise WorkbookError(path, _doctype_reason(part))
    if scan.rows * scan.columns > MAX_SHEET_CELLS:
        raise WorkbookError(path, f"refused: the sheet in {part} reaches row {scan.rows:,} and "
                            f"column {scan.columns:,} ({scan.rows * scan.columns:,} cells; the "
                            f"limit is {MAX_SHEET_CELLS:,}). Delete the far-away cells and "
                            "resubmit.")


def _doctype_reason(part: str) -> str:
    return (f"refused: {part} declares XML entities (a DOCTYPE), which Excel never writes; the "
            "file was crafted or damaged")
