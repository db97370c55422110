"""Dump what the workbooks in a folder hold, as JSON, so two runs can be compared by content.

Used to show that a change of writer (issue 18: every new workbook by XlsxWriter) left what the
outputs say unchanged: cell values and their types, sheets, tables, links, data validations and
defined names, read back with openpyxl. Bytes are not compared: two writers never agree on them.

    python benchmarks/dump_workbooks.py DEMO_OUT > before.json
    python benchmarks/dump_workbooks.py DEMO_OUT --looks > looks.json   # number formats, fonts

Paths in the dump are relative to the folder given, so runs in two folders compare equal.
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
import warnings
from pathlib import Path
from typing import Any

import openpyxl


def _value(value: Any) -> Any:
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        # 71.0 and 71 are the same number in a cell; writers differ in how they spell it.
        return int(value)
    return value


def _looks(cell: Any) -> dict[str, Any]:
    font, fill = cell.font, cell.fill
    return {
        "number_format": cell.number_format,
        "bold": bool(font.b), "italic": bool(font.i),
        # RRGGBB only: writers disagree on the alpha byte Excel ignores ("00" or "FF").
        "font_colour": (font.color.rgb[-6:] if font.color is not None
                        and font.color.type == "rgb" else None),
        "fill": (fill.fgColor.rgb[-6:] if fill is not None and fill.fill_type == "solid"
                 else None),
        "wrap": bool(cell.alignment.wrap_text),
        "quote_prefix": bool(cell.quotePrefix),
    }


def dump_workbook(path: Path, looks: bool = False) -> dict[str, Any]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        workbook = openpyxl.load_workbook(path, rich_text=False)
    sheets: dict[str, Any] = {}
    for sheet in workbook.worksheets:
        cells = {}
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value is None:
                    continue
                entry: dict[str, Any] = {"type": cell.data_type, "value": _value(cell.value)}
                if looks:
                    entry.update(_looks(cell))
                cells[cell.coordinate] = entry
        sheets[sheet.title] = {
            "state": sheet.sheet_state,
            "freeze": sheet.freeze_panes,
            "cells": cells,
            "tables": {t.displayName: {"ref": t.ref,
                                       "columns": [c.name for c in t.tableColumns]}
                       for t in sheet.tables.values()},
            "links": {cell.coordinate: cell.hyperlink.location or cell.hyperlink.target
                      for row in sheet.iter_rows() for cell in row if cell.hyperlink},
            "validations": sorted(
                [{"sqref": str(dv.sqref), "type": dv.type,
                  # Absent means "between" (ECMA-376); XlsxWriter leaves the default out.
                  "operator": dv.operator or ("between" if dv.formula2 else None),
                  "formula1": dv.formula1, "formula2": dv.formula2,
                  "allow_blank": bool(dv.allow_blank), "prompt_title": dv.promptTitle,
                  "prompt": dv.prompt, "error_title": dv.errorTitle, "error": dv.error,
                  "error_style": dv.errorStyle or "stop"}
                 for dv in sheet.data_validations.dataValidation],
                key=lambda d: d["sqref"]),
            "charts": len(sheet._charts),
            "print_titles": sheet.print_title_rows,
        }
    return {
        "sheets": list(workbook.sheetnames),
        "active": workbook.active.title if workbook.active is not None else None,
        "defined_names": {name: d.attr_text for name, d in workbook.defined_names.items()},
        "content": sheets,
    }


def dump_folder(folder: Path, looks: bool = False) -> dict[str, Any]:
    found = {}
    for path in sorted(folder.rglob("*.xlsx")):
        relative = path.relative_to(folder)
        if any(part.startswith(".") for part in relative.parts):
            continue  # hidden: the batch's cache (no workbooks since schema 2), temporaries
        try:
            found[str(relative)] = dump_workbook(path, looks)
        except Exception as error:  # the demo's deliberately broken uploads
            found[str(relative)] = {"unreadable": type(error).__name__}
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--looks", action="store_true", help="also dump formats and fonts")
    arguments = parser.parse_args()
    json.dump(dump_folder(arguments.folder, arguments.looks), sys.stdout, indent=1,
              sort_keys=True, default=str)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
