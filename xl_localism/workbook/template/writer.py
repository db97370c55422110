"""The workbook a trust fills in, written: its sheets, tables, looks and hidden Lists sheet.

Sheet, table and header names, input hints, vocabularies, checklist items, NIs and setting
defaults all come from :mod:`xl_localism.schema`, :mod:`xl_localism.vocab`, the catalogue and the
``Settings`` model, so the template cannot drift from what the reader expects. The input rules
are in :mod:`.rules`, the Instructions text in :mod:`.instructions`.

Written by XlsxWriter, like every new workbook: tables, data validation, defined names and the
Indicator lookup formula are all its own features. Text is written with ``write_string`` (with a
quote prefix when it starts like a formula); the one formula is the template's own lookup.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from xl_localism import schema
from xl_localism.a1 import column_letter, sheet_location
from xl_localism.catalogue import default_catalogue
from xl_localism.models import Settings, is_wales_only
from xl_localism.schema import TableSpec
from xl_localism.vocab import Nation, Status, parse_nation
from xl_localism.workbook.files import CELL_INJECTION_PREFIXES, atomic_path, cell_text
from xl_localism.workbook.template.instructions import instruction_lines
from xl_localism.workbook.template.rules import (
    DATE_FIELDS,
    NI_TITLES_NAME,
    about_field,
    about_rules,
    column_rules,
    indicator_formula,
    picklists,
    settings_rules,
)

INSTRUCTIONS_SHEET = "Instructions"
LISTS_SHEET = "Lists"

# Blank input rows of a new workbook: enough for a trust spanning ten LAAs, yet short to print.
BLANK_ROWS: dict[str, int] = {"targets": 60, "measures": 20, "objectives": 20, "indicators": 5}

# A fixed timestamp makes the same call write byte-identical files (no churn in git); XlsxWriter
# stamps the zip's entries with a fixed date of its own.
PINNED_TIME = datetime(2010, 4, 1)

DATE_FORMAT = "dd/mm/yyyy"

_ACCENT = "#1F4E78"
_HEADER = {"bold": True, "font_color": "#FFFFFF", "pattern": 1, "bg_color": _ACCENT,
           "text_wrap": True, "valign": "top"}
_INPUT = {"pattern": 1, "bg_color": "#FFF2CC"}
_COMPUTED_LOOK = {"pattern": 1, "bg_color": "#D9D9D9"}
_BORDER = {"border": 1, "border_color": "#BFBFBF"}
_TOP = {"valign": "top"}
_CENTRE = {"valign": "top", "align": "center"}
_WRAP = {"valign": "top", "text_wrap": True}

# Column widths by model field; anything unlisted gets room for its header.
_WIDTHS: dict[tuple[str, str], float] = {
    ("about", "field"): 16, ("about", "value"): 40,
    ("checklist", "id"): 7, ("checklist", "domain"): 18, ("checklist", "item"): 70,
    ("checklist", "weight"): 10, ("checklist", "status"): 16, ("checklist", "evidence"): 32,
    ("checklist", "owner"): 22, ("checklist", "due"): 12,
    ("targets", "laa"): 24, ("targets", "ni"): 10, ("targets", "indicator"): 50,
    ("targets", "baseline"): 12, ("targets", "target"): 11, ("targets", "latest"): 11,
    ("targets", "role"): 17, ("targets", "plan_ref"): 12,
    ("measures", "code"): 10, ("measures", "measure"): 50, ("measures", "driver"): 10,
    ("measures", "polarity"): 12, ("measures", "target"): 11, ("measures", "actual"): 11,
    ("measures", "linked_ni"): 16,
    ("objectives", "ref"): 10, ("objectives", "objective"): 60, ("objectives", "drivers"): 12,
    ("objectives", "linked_ni"): 16,
    ("settings", "setting"): 26, ("settings", "value"): 12,
    ("indicators", "ni"): 10, ("indicators", "title"): 60, ("indicators", "polarity"): 12,
    ("indicators", "drivers"): 14,
}
_WRAPPED = {("checklist", "item"), ("checklist", "evidence"), ("targets", "indicator"),
            ("measures", "measure"), ("objectives", "objective"), ("about", "value"),
            ("indicators", "title")}
# Columns the user reads rather than fills in; every other column is input (yellow).
_GIVEN = {("about", "field"), ("settings", "setting"), ("checklist", "id"),
          ("checklist", "domain"), ("checklist", "item")}
_COMPUTED = {("targets", "indicator")}
# Short codes and numbers beside text read better centred.
_CENTRED = {("checklist", "id"), ("checklist", "weight"), ("targets", "ni"),
            ("targets", "role"), ("measures", "code"), ("measures", "driver"),
            ("measures", "polarity"), ("measures", "linked_ni"), ("objectives", "ref"),
            ("objectives", "drivers"), ("objectives", "linked_ni"), ("indicators", "ni"),
            ("indicators", "polarity"), ("indicators", "drivers")}


class _Formats:
    """One XlsxWriter format per distinct set of properties: thousands of cells share a few."""

    def __init__(self, workbook: Workbook) -> None:
        self.workbook = workbook
        self._made: dict[tuple[tuple[str, Any], ...], Format] = {}

    def get(self, *parts: Mapping[str, Any], **extra: Any) -> Format:
        properties: dict[str, Any] = {}
        for part in parts:
            properties.update(part)
        properties.update(extra)
        key = tuple(sorted(properties.items()))
        if key not in self._made:
            self._made[key] = self.workbook.add_format(properties)
        return self._made[key]


def write_template(
    path: Path | str,
    trust: str | None = None,
    nation: str = "England",
    as_at: date | None = None,
    rows: Mapping[str, Sequence[Sequence[Any]]] | None = None,
) -> Path:
    """A workbook for one trust and period at ``path``: Instructions, one sheet per SPEC §3
    table, Lists. Written atomically, byte-identical for the same arguments.

    ``rows`` maps table keys (``schema.TABLES_BY_KEY``) to row values in header order. A key
    that is absent gets the template default: About from ``trust``/``nation``/``as_at``, the
    catalogue checklist, the default settings, and blank input rows for the other tables.
    """
    chosen = parse_nation(nation)
    rows = dict(rows or {})
    unknown = set(rows) - set(schema.TABLES_BY_KEY)
    if unknown:
        raise ValueError(f"unknown table keys {sorted(unknown)}; expected some of "
                         f"{list(schema.TABLES_BY_KEY)}")
    tables = []
    for spec in schema.TABLES:
        supplied = rows.get(spec.key)
        data = ([list(r) for r in supplied] if supplied is not None
                else _default_rows(spec, trust, chosen, as_at))
        _check_width(spec, data)
        tables.append((spec, data))

    with atomic_path(path) as temporary:
        workbook = xlsxwriter.Workbook(str(temporary), {
            "strings_to_formulas": False, "strings_to_numbers": False,
            "strings_to_urls": False, "in_memory": True})
        try:
            workbook.set_properties({"title": "Localism readiness workbook",
                                     "author": "xl-localism", "created": PINNED_TIME})
            formats = _Formats(workbook)
            _write_instructions(workbook.add_worksheet(INSTRUCTIONS_SHEET), formats, trust)
            for spec, data in tables:
                _write_table(workbook.add_worksheet(spec.sheet), formats, spec, data)
            _write_lists(workbook, formats)
            workbook.close()
        except BaseException:
            workbook.fileclosed = True  # given up on purpose: atomic_path removes the file
            raise
    return Path(path)


def _write_value(ws: Worksheet, row: int, col: int, value: Any, cell_format: Format,
                 formats: _Formats, look: Mapping[str, Any]) -> None:
    """One cell, 0-based: text always as text, never a formula."""
    if isinstance(value, str):
        text = cell_text(value)
        if text.startswith(CELL_INJECTION_PREFIXES):
            cell_format = formats.get(look, quote_prefix=True)
        ws.write_string(row, col, text, cell_format)
    elif value is None:
        ws.write_blank(row, col, None, cell_format)
    elif isinstance(value, bool):
        ws.write_boolean(row, col, value, cell_format)
    elif isinstance(value, (int, float)):
        ws.write_number(row, col, value, cell_format)
    elif isinstance(value, (date, time)):
        ws.write_datetime(row, col, value, cell_format)
    else:
        ws.write_string(row, col, cell_text(str(value)), cell_format)


# --- default content -------------------------------------------------------------------------

def _default_rows(spec: TableSpec, trust: str | None, nation: Nation,
                  as_at: date | None) -> list[list[Any]]:
    if spec.key == "about":
        given: dict[str, Any] = {"trust": trust, "nation": nation.value, "as_at": as_at}
        return [[label, given.get(field)] for label, (field, _) in schema.ABOUT_FIELDS.items()]
    if spec.key == "checklist":
        rows = []
        for item in default_catalogue().checklist:
            # W items only apply in Wales (SPEC §2.3); say so rather than leave them to look undone.
            status = (Status.NOT_APPLICABLE if is_wales_only(item.id)
                      and nation is not Nation.WALES else Status.NOT_STARTED)
            rows.append([item.id, item.domain, item.item, item.weight, status.value,
                         None, None, None])
        return rows
    if spec.key == "settings":
        return [[name, field.default] for name, field in Settings.model_fields.items()]
    return [[None] * len(spec.columns) for _ in range(BLANK_ROWS.get(spec.key, 1))]


# --- the table sheets ------------------------------------------------------------------------

def _check_width(spec: TableSpec, data: list[list[Any]]) -> None:
    width = len(spec.columns)
    for values in data:
        if len(values) > width:
            raise ValueError(f"a {spec.sheet} row has {len(values)} values but the table has "
                             f"{width} columns ({', '.join(spec.headers)}): {values!r}")


def _write_table(ws: Worksheet, formats: _Formats, spec: TableSpec,
                 data: list[list[Any]]) -> None:
    width = len(spec.columns)
    if not data:
        data = [[None] * width]  # a table needs a data row to be a valid ListObject
    last_row = 1 + len(data)
    letters = {c.field: column_letter(i) for i, c in enumerate(spec.columns, start=1)}

    # The table first: add_table writes its header cells, which are then written over with
    # the template's look.
    ws.add_table(0, 0, last_row - 1, width - 1, {
        "name": spec.table, "style": "Table Style Light 9", "banded_rows": False,
        "columns": [{"header": column.header} for column in spec.columns]})
    header = formats.get(_HEADER, _BORDER)
    for col, column in enumerate(spec.columns):
        ws.write_string(0, col, column.header, header)
        key = (spec.key, column.field)
        ws.set_column(col, col, max(_WIDTHS.get(key, 0), len(column.header) + 4))

    for index, values in enumerate(data):
        row = 2 + index
        padded = [*values, *([None] * (width - len(values)))]
        # About's As at shows a date typed into it as a date, even when it starts blank.
        dated_row = spec.key == "about" and about_field(padded[0]) == "as_at"
        for col, (column, value) in enumerate(zip(spec.columns, padded, strict=True)):
            key = (spec.key, column.field)
            look = {**_BORDER, **_alignment(key)}
            if key in _COMPUTED:
                look.update(_COMPUTED_LOOK)
            elif key not in _GIVEN:
                look.update(_INPUT)
            if isinstance(value, date) or key in DATE_FIELDS or (col == 1 and dated_row):
                look["num_format"] = DATE_FORMAT
            if key in _COMPUTED and (value is None or value == ""):
                # "" as its value until Excel calculates, as a blank cell reads: not 0.
                ws.write_formula(row - 1, col, indicator_formula(f"{letters['ni']}{row}"),
                                 formats.get(look), "")
            else:
                _write_value(ws, row - 1, col, value, formats.get(look), formats, look)
        _fit_height(ws, spec, row, padded)

    ws.freeze_panes(1, 0)
    ws.repeat_rows(0)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)

    if spec.key == "about":
        about_rules(ws, data)
    elif spec.key == "settings":
        settings_rules(ws, data)
    else:
        column_rules(ws, spec, last_row)


def _alignment(key: tuple[str, str]) -> dict[str, Any]:
    if key == ("about", "value"):
        # One column holds names and a date; left-aligned they read as one list.
        return {"valign": "top", "align": "left", "text_wrap": True}
    if key in _WRAPPED:
        return _WRAP
    return _CENTRE if key in _CENTRED else _TOP


def _fit_height(ws: Worksheet, spec: TableSpec, row: int, values: Sequence[Any]) -> None:
    """Give wrapped text room: Excel does not fit a row's height to wrapped text on open."""
    lines = 1
    for column, value in zip(spec.columns, values, strict=True):
        key = (spec.key, column.field)
        if key in _WRAPPED and isinstance(value, str):
            lines = max(lines, _line_count(value, _WIDTHS.get(key, 10)))
    if lines > 1:
        ws.set_row(row - 1, 15 * lines)


def _line_count(text: str, width: float) -> int:
    # A unit of column width is one digit of Calibri 11; text runs a little narrower, but erring
    # towards an extra line beats clipping the last one.
    per_line = max(1, int(width * 1.2) - 2)
    return sum(max(1, math.ceil(len(part) / per_line)) for part in text.split("\n"))


# --- Lists -----------------------------------------------------------------------------------

def _write_lists(workbook: Workbook, formats: _Formats) -> None:
    ws = workbook.add_worksheet(LISTS_SHEET)
    ni_column = 0
    bold = formats.get({"bold": True})
    for col, item in enumerate(picklists(), start=1):
        letter = column_letter(col)
        ws.write_string(0, col - 1, item.header, bold)
        for row, value in enumerate(item.values, start=1):
            ws.write_string(row, col - 1, cell_text(value))
        ws.set_column(col - 1, col - 1, max(12, min(60, max(map(len, item.values)) + 2)))
        if item.name:
            workbook.define_name(item.name, "=" + sheet_location(
                LISTS_SHEET, f"${letter}$2:${letter}${1 + len(item.values)}"))
        if item.header == "NI":
            ni_column = col
    count = len(default_catalogue().indicators)
    first, second = column_letter(ni_column), column_letter(ni_column + 1)
    workbook.define_name(NI_TITLES_NAME, "=" + sheet_location(
        LISTS_SHEET, f"${first}$2:${second}${1 + count}"))
    ws.hide()


_INSTRUCTION_WIDTHS = (22, 100)


def _write_instructions(ws: Worksheet, formats: _Formats, trust: str | None) -> None:
    ws.set_column(0, 0, _INSTRUCTION_WIDTHS[0])
    ws.set_column(1, 1, _INSTRUCTION_WIDTHS[1])
    ws.hide_gridlines(2)
    ws.set_portrait()
    ws.fit_to_pages(1, 0)
    title = {"bold": True, "font_size": 16, "font_color": _ACCENT, "valign": "bottom"}
    heading = {"bold": True, "font_size": 12, "font_color": _ACCENT, "valign": "bottom",
               "bottom": 1, "bottom_color": _ACCENT}
    for row, (style, label, text) in enumerate(instruction_lines(trust), start=1):
        if style in ("title", "heading"):
            look = title if style == "title" else heading
            for col, value in ((0, label), (1, text)):
                _write_value(ws, row - 1, col, value or None, formats.get(look), formats, look)
            # A heading gets room above it, as a gap from the section before.
            ws.set_row(row - 1, 24 if style == "title" else 21 + 9)
            continue
        first = {**_WRAP, "bold": True} if style == "label" else _WRAP
        _write_value(ws, row - 1, 0, label or None, formats.get(first), formats, first)
        _write_value(ws, row - 1, 1, text or None, formats.get(_WRAP), formats, _WRAP)
        lines = max(_line_count(text, _INSTRUCTION_WIDTHS[1]),
                    _line_count(label, _INSTRUCTION_WIDTHS[0]))
        if lines > 1:
            ws.set_row(row - 1, 15 * lines)
