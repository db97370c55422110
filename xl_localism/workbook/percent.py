"""Config values typed with a percent sign, as Excel stores them.

A manager who types ``75%`` into a Config cell gets the number 0.75 shown through a percent
number format; neither reader engine reports the format. The method reads a percent as per cent
of the setting's own scale (75 for a threshold, 0.75 for a weight), so the Settings table's
percent-formatted numbers are handed on as the text the manager typed, ``75%``, and the Config
reader applies that rule to them as to any other percent it is given.
"""

from __future__ import annotations

import contextlib
import re
import zipfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any
from xml.parsers import expat

from xl_localism.tables import RawTable

_WORKBOOK = "xl/workbook.xml"
_WORKBOOK_RELS = "xl/_rels/workbook.xml.rels"
_STYLES = "xl/styles.xml"
# ECMA-376 §18.8.30: the built-in formats 9 (0%) and 10 (0.00%).
_BUILT_IN_PERCENT = frozenset({9, 10})
# A '%' inside quotes or brackets is literal text or a colour/condition, not a percent.
_LITERALS = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.')
_CELL_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d{1,7})$")
# Text cell types: a percent format on them changes nothing that was typed.
_TEXT_TYPES = frozenset({"s", "str", "inlineStr"})


def _local(name: str) -> str:
    return name.rsplit(" ", 1)[-1]


def _parse(data: bytes, start: Callable[[str, dict[str, str]], None]) -> None:
    """Stream ``data`` through expat with namespaces resolved and DOCTYPEs refused."""
    parser = expat.ParserCreate(namespace_separator=" ")

    def refuse(*_: object) -> None:
        raise ValueError("DOCTYPE")

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.StartElementHandler = lambda name, attributes: start(
        _local(name), {_local(k): v for k, v in attributes.items()})
    parser.Parse(data, True)


def _is_percent_code(code: str) -> bool:
    return "%" in _LITERALS.sub("", code)


def _percent_styles(styles: bytes) -> frozenset[int]:
    """Indexes of the cell formats (cellXfs) whose number format shows a percent."""
    custom: dict[int, str] = {}
    formats: list[int] = []
    # cellStyleXfs comes before cellXfs and holds xf elements too; only cellXfs' count.
    inside_cell_xfs = False

    def start(name: str, attributes: dict[str, str]) -> None:
        nonlocal inside_cell_xfs
        if name == "numFmt":
            with contextlib.suppress(ValueError):
                custom[int(attributes.get("numFmtId", ""))] = attributes.get("formatCode", "")
        elif name == "cellXfs":
            inside_cell_xfs = True
        elif name in ("cellStyles", "dxfs"):
            inside_cell_xfs = False
        elif inside_cell_xfs and name == "xf":
            try:
                formats.append(int(attributes.get("numFmtId", "0")))
            except ValueError:
                formats.append(0)

    _parse(styles, start)
    return frozenset(index for index, number_format in enumerate(formats)
                     if number_format in _BUILT_IN_PERCENT
                     or _is_percent_code(custom.get(number_format, "")))


def _sheet_part(archive: zipfile.ZipFile, sheet_name: str) -> str | None:
    sheet_ids: dict[str, str] = {}
    targets: dict[str, str] = {}

    def on_sheet(name: str, attributes: dict[str, str]) -> None:
        if name == "sheet" and "name" in attributes:
            sheet_ids[attributes["name"]] = attributes.get("id", "")

    def on_relationship(name: str, attributes: dict[str, str]) -> None:
        if name == "Relationship":
            targets[attributes.get("Id", "")] = attributes.get("Target", "")

    _parse(archive.read(_WORKBOOK), on_sheet)
    _parse(archive.read(_WORKBOOK_RELS), on_relationship)
    target = targets.get(sheet_ids.get(sheet_name, ""))
    if not target:
        return None
    return target.lstrip("/") if target.startswith("/") else f"xl/{target}"


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - 64
    return number


def percent_cells(path: Path | str, sheet_name: str) -> frozenset[tuple[int, int]]:
    """(row, column) of the numeric cells of ``sheet_name`` shown as a percent.

    Called on a package :func:`~xl_localism.workbook.reader.inspect_package` has already
    checked; anything unexpected here only means no cell is known to be a percent.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if _STYLES not in names or _WORKBOOK_RELS not in names:
                return frozenset()
            styles = _percent_styles(archive.read(_STYLES))
            if not styles:
                return frozenset()
            part = _sheet_part(archive, sheet_name)
            if part is None or part not in names:
                return frozenset()
            found: set[tuple[int, int]] = set()

            def on_cell(name: str, attributes: dict[str, str]) -> None:
                if name != "c" or attributes.get("t") in _TEXT_TYPES:
                    return
                try:
                    style = int(attributes.get("s", "0"))
                except ValueError:
                    return
                match = _CELL_REF.match(attributes.get("r", ""))
                if style in styles and match:
                    found.add((int(match.group(2)), _column_number(match.group(1))))

            _parse(archive.read(part), on_cell)
            return frozenset(found)
    except (OSError, KeyError, ValueError, zipfile.BadZipFile, expat.ExpatError):
        return frozenset()


def _typed(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    return f"{value * 100:.12g}%"


def with_percents_as_typed(raw: RawTable, cells: frozenset[tuple[int, int]]) -> RawTable:
    """``raw`` with each number shown as a percent given as the text typed (0.75 -> '75%')."""
    if not cells:
        return raw
    rows = [
        [_typed(value) if (raw.row_number(index), raw.first_column + column) in cells else value
         for column, value in enumerate(values)]
        for index, values in enumerate(raw.rows)
    ]
    return replace(raw, rows=rows)
