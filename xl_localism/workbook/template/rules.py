"""The template's aids to input: drop-down lists, data validation and the hint on every cell.

Hints and rules are keyed by model field, so a renamed field cannot lose its rule unnoticed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import annotated_types
from xlsxwriter.worksheet import Worksheet

from xl_localism import schema
from xl_localism.a1 import column_letter, split_range
from xl_localism.catalogue import default_catalogue
from xl_localism.models import Settings
from xl_localism.schema import Column, TableSpec, header_key
from xl_localism.vocab import DRIVER_NAMES, Driver, Nation, Polarity, Role, Status

# Validations reach this many rows past a table, so rows a user adds below it keep them.
EXTRA_ROWS = 500
_DATE_RANGE = (date(2000, 1, 1), date(2099, 12, 31))

# Prompts for columns the schema gives no hint for.
EXTRA_HINTS: dict[tuple[str, str], str] = {
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
ABOUT_HINTS: dict[str, str] = {
    "trust": "Your probation trust or area, e.g. Thames Valley",
    "nation": "England or Wales",
    "as_at": "The date this workbook describes, e.g. 30/09/2010",
    "prepared_by": "Who prepared the workbook",
    "region": "Your region, e.g. South East",
}


@dataclass(frozen=True)
class Picklist:
    header: str
    values: tuple[str, ...]
    name: str | None = None  # the defined name validations refer to


def picklists() -> list[Picklist]:
    indicators = list(default_catalogue().indicators.values())
    return [
        Picklist("Status", tuple(s.value for s in Status), "ListStatus"),
        Picklist("Probation role", tuple(r.value for r in Role), "ListRole"),
        Picklist("Driver", tuple(d.value for d in Driver), "ListDriver"),
        Picklist("Driver name", tuple(DRIVER_NAMES[d] for d in Driver)),
        Picklist("Polarity", tuple(p.value for p in Polarity), "ListPolarity"),
        Picklist("Nation", tuple(n.value for n in Nation), "ListNation"),
        Picklist("NI", tuple(i.code for i in indicators), "ListNI"),
        Picklist("Indicator", tuple(i.title for i in indicators)),
        Picklist("NI polarity", tuple(i.polarity.value for i in indicators)),
        Picklist("NI drivers", tuple(", ".join(d.value for d in i.drivers) for i in indicators)),
    ]


NI_TITLES_NAME = "NITitles"  # the NI and Indicator columns of the Lists sheet, for VLOOKUP


def indicator_formula(ni_cell: str) -> str:
    """Excel formula giving the probation NI title for the code in ``ni_cell``, or "".

    Users type ``NI18``, ``ni-18``, ``18`` or ``NI 018``; the Lists sheet holds ``NI 18``, so the
    code is normalised the way :func:`vocab.parse_ni` does before the lookup.
    """
    number = (f'VALUE(SUBSTITUTE(SUBSTITUTE(SUBSTITUTE(UPPER({ni_cell}),"NI",""),"-","")," ",""))')
    return f'=IFERROR(VLOOKUP("NI "&{number},{NI_TITLES_NAME},2,FALSE),"")'


# --- data validation -------------------------------------------------------------------------

def prompt(title: str, text: str) -> dict[str, Any]:
    # Excel rejects the whole file ("repair") when a title passes 32 or a message 255 characters.
    return {"input_title": title[:32], "input_message": text[:255], "show_input": True}


def error_message(text: str, style: str = "stop") -> dict[str, Any]:
    return {"error_title": "Not a valid entry", "error_message": text[:255],
            "error_type": style, "show_error": True}


# A rule is XlsxWriter's data_validation() options.
_Rule = dict[str, Any]


def _list_rule(list_name: str, header: str, hint: str, style: str = "stop",
               message: str = "") -> _Rule:
    values = next(x.values for x in picklists() if x.name == list_name)
    if not message:
        message = f"Choose one of: {', '.join(values)}."
    return {"validate": "list", "source": f"={list_name}", "ignore_blank": True,
            **prompt(header, hint), **error_message(message, style)}


def _number_rule(header: str, hint: str, top_left: str) -> _Rule:
    return {"validate": "custom", "value": f"=ISNUMBER({top_left})", "ignore_blank": True,
            **prompt(header, hint or "A number"),
            **error_message("Enter a number, e.g. 42.5 (no words or units).")}


def date_rule(header: str, hint: str) -> _Rule:
    low, high = _DATE_RANGE
    return {"validate": "date", "criteria": "between", "minimum": low, "maximum": high,
            "ignore_blank": True, **prompt(header, hint or "A date"),
            **error_message("Enter a date such as 01/04/2010.")}


def _any_rule(header: str, hint: str) -> _Rule:
    # A validation of type "any" only shows the input message: a hint with no restriction.
    return {"validate": "any", "ignore_blank": True, **prompt(header, hint)}


def validate(ws: Worksheet, ref: str, rule: _Rule) -> None:
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
DATE_FIELDS = {("checklist", "due")}
_WEIGHT_FIELDS = {("checklist", "weight")}


def column_rules(ws: Worksheet, spec: TableSpec, last_row: int) -> None:
    end = last_row + EXTRA_ROWS
    for col, column in enumerate(spec.columns, start=1):
        letter = column_letter(col)
        key = (spec.key, column.field)
        hint = column.hint or EXTRA_HINTS.get(key, "")
        rule = _rule_for(key, column, hint, f"{letter}2")
        if rule is not None:
            validate(ws, f"{letter}2:{letter}{end}", rule)


def _rule_for(key: tuple[str, str], column: Column, hint: str, top_left: str) -> _Rule | None:
    if key in _LIST_RULES:
        name, style, message = _LIST_RULES[key]
        return _list_rule(name, column.header, hint, style, message)
    if key in _NUMBER_FIELDS:
        return _number_rule(column.header, hint, top_left)
    if key in DATE_FIELDS:
        return date_rule(column.header, hint)
    if key in _WEIGHT_FIELDS:
        return {"validate": "decimal", "criteria": ">=", "value": 0, "ignore_blank": True,
                **prompt(column.header, hint),
                **error_message("Enter a number, 0 or more (blank counts as 1).")}
    return _any_rule(column.header, hint) if hint else None


def about_field(label: Any) -> str | None:
    """The About field a row's label names, e.g. "As at" -> "as_at"."""
    by_key = {header_key(name): field for name, (field, _) in schema.ABOUT_FIELDS.items()}
    return by_key.get(header_key(label)) if label is not None else None


def about_rules(ws: Worksheet, data: list[list[Any]]) -> None:
    for index, values in enumerate(data):
        field = about_field(values[0]) if values else None
        if field is None:
            continue
        row = 2 + index
        label = str(values[0])
        hint = ABOUT_HINTS.get(field, "")
        if field == "nation":
            rule = _list_rule("ListNation", label, hint)
        elif field == "as_at":
            rule = date_rule(label, hint)
        else:
            rule = _any_rule(label, hint)
        validate(ws, f"B{row}", rule)


SETTING_HINTS: dict[str, str] = {
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


def settings_rules(ws: Worksheet, data: list[list[Any]]) -> None:
    for index, values in enumerate(data):
        name = str(values[0]).strip() if values and values[0] is not None else ""
        if name not in Settings.model_fields:
            continue
        low, high = _setting_range(name)
        default = Settings.model_fields[name].default
        if isinstance(default, date):
            validate(ws, f"B{2 + index}", date_rule(name, f"{SETTING_HINTS[name]}. Default "
                                                           f"{default:%d/%m/%Y}."))
            continue
        if low is None or high is None:
            continue
        span = f"a number from {figure(low)} to {figure(high)}"
        hint = (f"{SETTING_HINTS.get(name, name)}: {span}."
                + ("" if default is None else f" Default {figure(default)}."))
        validate(ws, f"B{2 + index}", {
            "validate": "decimal", "criteria": "between", "minimum": _plain_number(low),
            "maximum": _plain_number(high), "ignore_blank": True, **prompt(name, hint),
            **error_message(f"Enter {span}; out-of-range values are ignored.")})


def figure(value: float) -> str:
    return f"{value:g}"


def _plain_number(value: float) -> float | int:
    # 1, not 1.0, in the validation's formula, as a person would type it.
    return int(value) if float(value).is_integer() else value

