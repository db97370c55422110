"""The floor: unzip each workbook and parse its input sheets' XML, with nothing else.

No validation, no scoring, no output: the least any reader must do to see the cells. Standard
library only (zipfile and ElementTree's C parser), as the fastest thing an analyst could write.
"""

from __future__ import annotations

import posixpath
import zipfile
from collections.abc import Iterable
from pathlib import Path
from xml.etree.ElementTree import fromstring, iterparse

from xl_localism import schema

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
INPUT_SHEETS = {spec.sheet for spec in schema.TABLES}


def _part(target: str) -> str:
    if target.startswith("/"):
        return target[1:]
    return posixpath.normpath(posixpath.join("xl", target))


def read_cells(path: Path) -> dict[str, list[str | None]]:
    """Sheet name -> every cell's raw text (shared strings resolved), input sheets only."""
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        workbook = fromstring(archive.read("xl/workbook.xml"))
        relations = fromstring(archive.read("xl/_rels/workbook.xml.rels"))
        targets = {r.get("Id"): r.get("Target", "") for r in relations}
        shared: list[str] = []
        if "xl/sharedStrings.xml" in names:
            with archive.open("xl/sharedStrings.xml") as stream:
                for _, element in iterparse(stream):
                    if element.tag == MAIN + "si":
                        shared.append("".join(element.itertext()))
                        element.clear()
        cells: dict[str, list[str | None]] = {}
        for sheet in workbook.iter(MAIN + "sheet"):
            name = sheet.get("name", "")
            if name not in INPUT_SHEETS:
                continue
            values: list[str | None] = []
            with archive.open(_part(targets[sheet.get(REL_ID)])) as stream:
                for _, element in iterparse(stream):
                    if element.tag != MAIN + "c":
                        continue
                    kind = element.get("t")
                    if kind == "inlineStr":
                        values.append("".join(element.itertext()))
                    else:
                        value = element.findtext(MAIN + "v")
                        values.append(shared[int(value)] if kind == "s" and value else value)
                    element.clear()
            cells[name] = values
        return cells


def run(paths: Iterable[Path]) -> int:
    """Parse every workbook; the number of cells seen (so the work cannot be skipped)."""
    return sum(len(v) for path in paths for v in read_cells(path).values())
