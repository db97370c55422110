"""The workbook a trust fills in (SPEC §3), blank or filled from rows for the sample submissions.

Sheet, table and header names, input hints, vocabularies, checklist items, NIs and setting
defaults all come from :mod:`xl_localism.schema`, :mod:`xl_localism.vocab`, the catalogue and the
``Settings`` model, so the template cannot drift from what the reader expects.

Written by XlsxWriter, like every new workbook: tables, data validation, defined names and the
Indicator lookup formula are all its own features. Text is written with ``write_string`` (with a
quote prefix when it starts like a formula); the one formula is the template's own lookup.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import annotated_types
import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from xl_localism import schema
from xl_localism.a1 import column_letter, sheet_location, split_range
from xl_localism.catalogue import default_catalogue
from xl_localism.models import Settings, is_wales_only
from xl_localism.schema import Column, TableSpec, header_key
from xl_localism.vocab import DRIVER_NAMES, Driver, Nation, Polarity, Role, Status, parse_nation
from xl_localism.workbook.files import CELL_INJECTION_PREFIXES, atomic_path, cell_text

INSTRUCTIONS_SHEET = "Instructions"
LISTS_SHEET = "Lists"

# Blank input rows of a new workbook: enough for a trust spanning ten LAAs, yet short to print.
BLANK_ROWS: dict[str, int] = {"targets": 60, "measures": 20, "objectives": 20, "indicators": 5}
# Validations reach this many rows past a table, so rows a user adds below it keep them.
EXTRA_ROWS = 500

# A fixed timestamp makes the same call write byte-identical files (no churn in git); XlsxWriter
# stamps the zip's entries with a fixed date of its own.
PINNED_TIME = datetime(2010, 4, 1)

DATE_FORMAT = "dd/mm/yyyy"
_DATE_RANGE = (date(2000, 1, 1), date(2099, 12, 31))

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

# Prompts for columns the schema gives no hint for.
_EXTRA_HINTS: dict[tuple[str, str], str] = {
    ("checklist", "evidence"): "Where the evidence is, e.g. 'Board minutes 3/2010'. "
                               "Needed for every Complete item.",
    ("checklist", "owner"): "Who is responsible for the item",
    ("targets", "indicator"): "Filled in from the NI code. Type over it only for an NI that is "
                              "not on the probation list.",
    ("measures", "measure"): "The measure's name; blank is fine for a standard IPPF code",
    ("measures", "target"): "A number",
    ("measures", "actual"): "A number",
    ("objectives", "objective"): "What the business plan objective is",
}
_ABOUT_HINTS: dict[str, str] = {
    "trust": "Your probation trust or area, e.g. Thames Valley",
    "nation": "England or Wales",
    "as_at": "The date this workbook describes, e.g. 30/09/2010",
    "prepared_by": "Who prepared the workbook",
    "region": "Your region, e.g. South East",
}


@dataclass(frozen=True)
class _List:
    header: str
    values: tuple[str, ...]
    name: str | None = None  # the defined name validations refer to


def _lists() -> list[_List]:
    indicators = list(default_catalogue().indicators.values())
    return [
        _List("Status", tuple(s.value for s in Status), "ListStatus"),
        _List("Probation role", tuple(r.value for r in Role), "ListRole"),
        _List("Driver", tuple(d.value for d in Driver), "ListDriver"),
        _List("Driver name", tuple(DRIVER_NAMES[d] for d in Driver)),
        _List("Polarity", tuple(p.value for p in Polarity), "ListPolarity"),
        _List("Nation", tuple(n.value for n in Nation), "ListNation"),
        _List("NI", tuple(i.code for i in indicators), "ListNI"),
        _List("Indicator", tuple(i.title for i in indicators)),
        _List("NI polarity", tuple(i.polarity.value for i in indicators)),
        _List("NI drivers", tuple(", ".join(d.value for d in i.drivers) for i in indicators)),
    ]


NI_TITLES_NAME = "NITitles"  # the NI and Indicator columns of the Lists sheet, for VLOOKUP


def indicator_formula(ni_cell: str) -> str:
    """Excel formula giving the probation NI title for the code in ``ni_cell``, or "".

    Users type ``NI18``, ``ni-18``, ``18`` or ``NI 018``; the Lists sheet holds ``NI 18``, so the
    code is normalised the way :func:`vocab.parse_ni` does before the lookup.
    """
    number = (f'VALUE(SUBSTITUTE(SUBSTITUTE(SUBSTITUTE(UPPER({ni_cell}),"NI",""),"-","")," ",""))')
    return f'=IFERROR(VLOOKUP("NI "&{number},{NI_TITLES_NAME},2,FALSE),"")'


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
        dated_row = spec.key == "about" and _about_field(padded[0]) == "as_at"
        for col, (column, value) in enumerate(zip(spec.columns, padded, strict=True)):
            key = (spec.key, column.field)
            look = {**_BORDER, **_alignment(key)}
            if key in _COMPUTED:
                look.update(_COMPUTED_LOOK)
            elif key not in _GIVEN:
                look.update(_INPUT)
            if isinstance(value, date) or key in _DATE_FIELDS or (col == 1 and dated_row):
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
        _about_rules(ws, data)
    elif spec.key == "settings":
        _settings_rules(ws, data)
    else:
        _column_rules(ws, spec, last_row)


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


# --- data validation -------------------------------------------------------------------------

def _prompt(title: str, text: str) -> dict[str, Any]:
    # Excel rejects the whole file ("repair") when a title passes 32 or a message 255 characters.
    return {"input_title": title[:32], "input_message": text[:255], "show_input": True}


def _error(text: str, style: str = "stop") -> dict[str, Any]:
    return {"error_title": "Not a valid entry", "error_message": text[:255],
            "error_type": style, "show_error": True}


# A rule is XlsxWriter's data_validation() options.
_Rule = dict[str, Any]


def _list_rule(list_name: str, header: str, hint: str, style: str = "stop",
               message: str = "") -> _Rule:
    values = next(x.values for x in _lists() if x.name == list_name)
    if not message:
        message = f"Choose one of: {', '.join(values)}."
    return {"validate": "list", "source": f"={list_name}", "ignore_blank": True,
            **_prompt(header, hint), **_error(message, style)}


def _number_rule(header: str, hint: str, top_left: str) -> _Rule:
    return {"validate": "custom", "value": f"=ISNUMBER({top_left})", "ignore_blank": True,
            **_prompt(header, hint or "A number"),
            **_error("Enter a number, e.g. 42.5 (no words or units).")}


def _date_rule(header: str, hint: str) -> _Rule:
    low, high = _DATE_RANGE
    return {"validate": "date", "criteria": "between", "minimum": low, "maximum": high,
            "ignore_blank": True, **_prompt(header, hint or "A date"),
            **_error("Enter a date such as 01/04/2010.")}


def _any_rule(header: str, hint: str) -> _Rule:
    # A validation of type "any" only shows the input message: a hint with no restriction.
    return {"validate": "any", "ignore_blank": True, **_prompt(header, hint)}


def _validate(ws: Worksheet, ref: str, rule: _Rule) -> None:
    first_column, first_row, last_column, last_row = split_range(ref)
    ws.data_validation(first_row - 1, first_column - 1, last_row - 1, last_column - 1, rule)


_DRIVER_WARNING = ("Not one of RR, PP, VS, VM or CS. A driver's full name, or several drivers "
                   "separated by commas, is fine: click Yes to keep it.")
# (table key, field) -> (list name, error style, error message or "" for "Choose one of ...").
_LIST_RULES: dict[tuple[str, str], tuple[str, str, str]] = {
    ("checklist", "status"): ("ListStatus", "stop", ""),
    ("targets", "role"): ("ListRole", "stop", ""),
    # Any NI 1-198 is valid (SPEC §2.1): the list offers the probation NIs but allows others.
    ("targets", "ni"): ("ListNI", "warning",
                        "Not one of the probation NIs. Any NI from NI 1 to NI 198 is accepted but "
                        "only the listed ones count towards a driver: click Yes to keep it."),
    # Driver cells also take a driver's name, and objectives several drivers ("RR, PP").
    ("measures", "driver"): ("ListDriver", "warning", _DRIVER_WARNING),
    ("objectives", "drivers"): ("ListDriver", "warning", _DRIVER_WARNING),
    ("measures", "polarity"): ("ListPolarity", "stop", ""),
    ("indicators", "polarity"): ("ListPolarity", "stop", ""),
    ("indicators", "drivers"): ("ListDriver", "warning", _DRIVER_WARNING),
}
_NUMBER_FIELDS = {("targets", "baseline"), ("targets", "target"), ("targets", "latest"),
                  ("measures", "target"), ("measures", "actual")}
_DATE_FIELDS = {("checklist", "due")}
_WEIGHT_FIELDS = {("checklist", "weight")}


def _column_rules(ws: Worksheet, spec: TableSpec, last_row: int) -> None:
    end = last_row + EXTRA_ROWS
    for col, column in enumerate(spec.columns, start=1):
        letter = column_letter(col)
        key = (spec.key, column.field)
        hint = column.hint or _EXTRA_HINTS.get(key, "")
        rule = _rule_for(key, column, hint, f"{letter}2")
        if rule is not None:
            _validate(ws, f"{letter}2:{letter}{end}", rule)


def _rule_for(key: tuple[str, str], column: Column, hint: str, top_left: str) -> _Rule | None:
    if key in _LIST_RULES:
        name, style, message = _LIST_RULES[key]
        return _list_rule(name, column.header, hint, style, message)
    if key in _NUMBER_FIELDS:
        return _number_rule(column.header, hint, top_left)
    if key in _DATE_FIELDS:
        return _date_rule(column.header, hint)
    if key in _WEIGHT_FIELDS:
        return {"validate": "decimal", "criteria": ">=", "value": 0, "ignore_blank": True,
                **_prompt(column.header, hint),
                **_error("Enter a number, 0 or more (blank counts as 1).")}
    return _any_rule(column.header, hint) if hint else None


def _about_field(label: Any) -> str | None:
    """The About field a row's label names, e.g. "As at" -> "as_at"."""
    by_key = {header_key(name): field for name, (field, _) in schema.ABOUT_FIELDS.items()}
    return by_key.get(header_key(label)) if label is not None else None


def _about_rules(ws: Worksheet, data: list[list[Any]]) -> None:
    for index, values in enumerate(data):
        field = _about_field(values[0]) if values else None
        if field is None:
            continue
        row = 2 + index
        label = str(values[0])
        hint = _ABOUT_HINTS.get(field, "")
        if field == "nation":
            rule = _list_rule("ListNation", label, hint)
        elif field == "as_at":
            rule = _date_rule(label, hint)
        else:
            rule = _any_rule(label, hint)
        _validate(ws, f"B{row}", rule)


_SETTING_HINTS: dict[str, str] = {
    "weight_self_assessment": "Weight of the self-assessment (checklist) in the score",
    "weight_alignment": "Weight of alignment (targets linked to the plan, drivers covered, "
                        "measures linked to NIs) in the score",
    "weight_performance": "Weight of performance (LAA targets and IPPF measures on track) in "
                          "the score",
    "green_threshold": "Lowest score rated Green",
    "amber_threshold": "Lowest score rated Amber",
    "progress": "Leave blank to judge targets where they should be at the As at date (worked "
                "out from laa_start and laa_end); or give how far through the LAA period "
                "targets should be (1 means they should be met now)",
    "tolerance": "How far short of the expected value a target or measure may be and still be "
                 "Amber, as a share of the planned change (of the target, for an IPPF measure)",
    "laa_start": "The date the LAA period began (a date); targets run from their Baseline here",
    "laa_end": "The date the LAA period ends (a date, after laa_start); targets are due here",
}


def _setting_range(name: str) -> tuple[float | None, float | None]:
    field = Settings.model_fields[name]
    low = next((m.ge for m in field.metadata if isinstance(m, annotated_types.Ge)), None)
    high = next((m.le for m in field.metadata if isinstance(m, annotated_types.Le)), None)
    return (float(low) if low is not None else None,  # type: ignore[arg-type]
            float(high) if high is not None else None)  # type: ignore[arg-type]


def _settings_rules(ws: Worksheet, data: list[list[Any]]) -> None:
    for index, values in enumerate(data):
        name = str(values[0]).strip() if values and values[0] is not None else ""
        if name not in Settings.model_fields:
            continue
        low, high = _setting_range(name)
        default = Settings.model_fields[name].default
        if low is None or high is None:
            continue
        span = f"a number from {_number(low)} to {_number(high)}"
        hint = (f"{_SETTING_HINTS.get(name, name)}: {span}."
                + ("" if default is None else f" Default {_number(default)}."))
        _validate(ws, f"B{2 + index}", {
            "validate": "decimal", "criteria": "between", "minimum": _plain_number(low),
            "maximum": _plain_number(high), "ignore_blank": True, **_prompt(name, hint),
            **_error(f"Enter {span}; out-of-range values are ignored.")})


def _number(value: float) -> str:
    return f"{value:g}"


def _plain_number(value: float) -> float | int:
    # 1, not 1.0, in the validation's formula, as a person would type it.
    return int(value) if float(value).is_integer() else value


# --- Lists -----------------------------------------------------------------------------------

def _write_lists(workbook: Workbook, formats: _Formats) -> None:
    ws = workbook.add_worksheet(LISTS_SHEET)
    ni_column = 0
    bold = formats.get({"bold": True})
    for col, item in enumerate(_lists(), start=1):
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


# --- Instructions ----------------------------------------------------------------------------

_SHEET_NOTES: dict[str, str] = {
    "about": "Your trust's name, the nation (England or Wales), the date the workbook describes "
             "(As at), who prepared it and your region.",
    "checklist": "The readiness checklist. Set each item's Status; give the Evidence for each "
                 "Complete item, and an Owner and Due date for the rest. Weight is 1 unless an "
                 "item should count more (or 0 to leave it out).",
    "targets": "One row for each LAA improvement target your trust leads on or contributes to: "
               "the LAA, the NI code, the baseline, the target, the latest value, your role and "
               "the Plan ref of the business plan objective that delivers it. The Indicator "
               "title fills in by itself.",
    "measures": "Your IPPF performance measures with their target and actual values. For the "
                "standard codes listed below, Driver, Polarity and Linked NI may be left blank.",
    "objectives": "Your 2010/11 business plan objectives, each with its outcome driver(s) and "
                  "the NIs it addresses. A target is linked when its Plan ref equals an "
                  "objective's Ref.",
    "settings": "Optional. The weights and thresholds of the score. Leave the defaults unless "
                "they have been agreed otherwise.",
    "indicators": "Optional, usually empty. A National Indicator your partnership counts that "
                  "the shipped probation list does not (or maps to other drivers): its NI, "
                  "title, polarity and drivers. Each row is shown as a flag when scored.",
}

_PURPOSE = (
    "From April 2010 probation trusts are Responsible Authorities in their local Crime and "
    "Disorder Reduction Partnerships (CDRPs; Community Safety Partnerships in Wales).",
    "From April 2011 their performance is also measured against the outcome National Indicators "
    "(NIs) that councils and partners report through Local Area Agreements (LAAs), as well as "
    "against the Integrated Probation Performance Framework (IPPF).",
    "The Probation Association asks every trust to raise awareness of these duties, to publish a "
    "Position Statement, and to link every relevant LAA improvement target to its 2010/11 "
    "business plan and performance management.",
    "This workbook records your readiness checklist, the LAA targets you lead on or contribute "
    "to, your IPPF measures and your business plan objectives.",
    "xl-localism reads it and gives a readiness score with a red / amber / green rating, overall "
    "and for each of the five IPPF outcome drivers, and a list of things to put right.",
    "Use one workbook per trust per reporting period. In Wales the NIs do not apply; Welsh "
    "trusts align with Welsh Assembly Government frameworks instead.",
)

_HOW_TO = (
    "Fill in the yellow cells. Grey cells are worked out for you; white cells are given.",
    "Click a cell to see what it expects. Cells with a drop-down arrow offer a list to choose "
    "from.",
    "To add a row, type in the row just below a table: the table grows and keeps its drop-downs.",
    "Do not rename the sheets, the tables or the column headings: xl-localism finds your data "
    "by them.",
)

_Line = tuple[str, str, str]  # (style, column A, column B)


def _instruction_lines(trust: str | None) -> list[_Line]:
    catalogue = default_catalogue()
    defaults = Settings()
    lines: list[_Line] = [("title", "Localism readiness workbook", "")]
    if trust:
        label = next(k for k, (field, _) in schema.ABOUT_FIELDS.items() if field == "trust")
        lines.append(("label", label, trust))
    lines.append(("heading", "What it is for", ""))
    lines += [("text", "", text) for text in _PURPOSE]
    lines.append(("heading", "How to fill it in", ""))
    lines += [("text", "", text) for text in _HOW_TO]

    lines.append(("heading", "The sheets", ""))
    for spec in schema.TABLES:
        required = ", ".join(c.header for c in spec.columns if c.required)
        lines.append(("label", spec.sheet, f"{_SHEET_NOTES[spec.key]} Required columns: "
                                           f"{required}."))
    lines.append(("label", f"{schema.SUMMARY_SHEET}, {schema.FLAGS_SHEET}",
                  "Written by xl-localism each time the workbook is scored: the score, rating and "
                  "driver breakdown (Summary) and the problems found with suggested actions "
                  "(Flags). Do not type in them; they are replaced."))

    lines.append(("heading", "The lists", ""))
    lines.append(("label", "Status", ", ".join(s.value for s in Status)
                  + ". Blank means Not started; N/A means Not applicable."))
    lines.append(("label", "Probation role", ", ".join(r.value for r in Role)
                  + ". Only Lead and Contributor targets count; blank means None."))
    lines.append(("label", "Driver", "; ".join(f"{d.value} {DRIVER_NAMES[d]}" for d in Driver)
                  + ". Type the key or the name; several drivers may be separated by commas."))
    lines.append(("label", "Polarity", f"{Polarity.HIGHER.value} or {Polarity.LOWER.value}: "
                  "whether a higher or a lower value is better."))
    lines.append(("label", "Nation", " or ".join(n.value for n in Nation) + "."))
    lines.append(("label", "NI", "A National Indicator code, e.g. NI 18 (NI18 and 18 also "
                  "work). Linked NI cells may hold several codes separated by commas."))

    weights = (f"{_number(defaults.weight_self_assessment)}, "
               f"{_number(defaults.weight_alignment)} and {_number(defaults.weight_performance)}")
    lines.append(("heading", "How the score works", ""))
    lines += [("text", "", text) for text in (
        "A target is relevant when its NI is one of the probation NIs below and your Probation "
        "role is Lead or Contributor.",
        "Self-assessment: the share of applicable checklist items that are Complete (In progress "
        "counts half; Not applicable items, and the Wales item outside Wales, are left out).",
        "Alignment: the share of relevant targets linked to a business plan objective, the share "
        "of the five drivers covered by a target or an objective, and the share of IPPF measures "
        "linked to an NI on the LAA Targets sheet.",
        "Performance: relevant targets on track, comparing the latest value with where the "
        "trajectory from Baseline to Target should be at the As at date, and IPPF measures "
        "against their own Target. Green counts 1, Amber a half, Red nothing.",
        "Courts work (CS) has no National Indicator, so it is judged on its IPPF measures alone "
        "and never marked down for what no NI can show.",
        f"The score is 100 times the weighted mean of the three (weights {weights}). "
        f"{_number(defaults.green_threshold)} or more is Green, "
        f"{_number(defaults.amber_threshold)} or more Amber, otherwise Red.",
        "Without a Position Statement (checklist B1), or from April 2010 without a seat on every "
        "CDRP (D1), the rating is at best Amber. The Config sheet can change weights, "
        "thresholds and the LAA period.",
        "Every formula, with a worked example, is in the method published with xl-localism "
        "(docs/method.md).",
    )]

    lines.append(("heading", "Settings (Config sheet)", ""))
    for name in Settings.model_fields:
        default = Settings.model_fields[name].default
        shown = ("blank" if default is None else f"{default:%d/%m/%Y}"
                 if isinstance(default, date) else _number(default))
        lines.append(("label", name, f"{_SETTING_HINTS[name]}. Default: {shown}."))
    lines.append(("text", "", "A value typed with a percent sign is per cent of the setting's "
                  "own scale: 75% is 75 for a threshold and 0.75 for a weight, progress or "
                  "tolerance. A value out of range is flagged and the default is used."))

    lines.append(("heading", "Probation NIs", ""))
    for ni in catalogue.indicators.values():
        drivers = ", ".join(d.value for d in ni.drivers)
        lines.append(("label", ni.code, f"{ni.title} ({ni.polarity.value} is better; {drivers})"))

    lines.append(("heading", "Standard IPPF codes", ""))
    for measure in catalogue.measures.values():
        linked = f"; linked to {', '.join(measure.linked_ni)}" if measure.linked_ni else ""
        lines.append(("label", measure.code, f"{measure.measure} ({measure.driver.value}, "
                                             f"{measure.polarity.value} is better{linked})"))
    return lines


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
    for row, (style, label, text) in enumerate(_instruction_lines(trust), start=1):
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
