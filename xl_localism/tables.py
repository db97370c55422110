"""Raw table cells -> validated models, collecting every problem instead of stopping at the first.

A :class:`RawTable` is what any door hands over: the openpyxl and calamine readers build one per
sheet, the Excel functions build one from a range passed with its headers. Everything after that
(header matching, type checks, vocabularies, duplicates, defaults) happens once, here.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from functools import cache
from pathlib import PurePath
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, TypeAdapter, ValidationError

from xl_localism import schema, vocab
from xl_localism.a1 import column_letter
from xl_localism.flags import make_flag
from xl_localism.models import (
    ChecklistItem,
    Flag,
    IndicatorOverride,
    IppfMeasure,
    LaaTarget,
    Objective,
    Settings,
    Source,
    Submission,
    TrustInfo,
)
from xl_localism.schema import Column, TableSpec, header_key

# What Excel shows for a failed formula; readers hand these over as text.
EXCEL_ERRORS = frozenset(
    {"#N/A", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#CALC!",
     "#GETTING_DATA", "#FIELD!", "#BLOCKED!", "#UNKNOWN!", "#CONNECT!", "#BUSY!"}
)

M = TypeVar("M", bound=BaseModel)


@dataclass
class RawTable:
    """A header row and the data rows under it, with where they sit on the sheet."""

    sheet: str
    headers: Sequence[Any]
    rows: Sequence[Sequence[Any]]
    header_row: int = 1  # the sheet row number of the headers
    first_column: int = 1  # the sheet column number of the first header
    # Rows of data with their own sheet row numbers, when not consecutive under the header.
    row_numbers: Sequence[int] | None = None
    notes: list[Flag] = field(default_factory=list)
    # Sheet (row, column) of the cells holding a formula with no calculated value: read as
    # blank, and flagged where the method reads them (SPEC §3).
    uncalculated: Collection[tuple[int, int]] = frozenset()

    def row_number(self, index: int) -> int:
        if self.row_numbers is not None:
            return self.row_numbers[index]
        return self.header_row + 1 + index

    def cell(self, index: int, column: int) -> str:
        return f"{column_letter(self.first_column + column)}{self.row_number(index)}"


@dataclass
class _Reading:
    problems: list[Flag] = field(default_factory=list)

    def problem(self, code: str, message: str, sheet: str | None, cell: str | None = None,
                row: int | None = None) -> None:
        flag = make_flag(code, message, sheet=sheet, cell=cell)
        self.problems.append(flag.model_copy(update={"row": row}))


def _columns(spec: TableSpec, raw: RawTable, reading: _Reading) -> dict[str, int] | None:
    """Field -> column index, or None when a required header is missing (all reported)."""
    by_field: dict[str, int] = {}
    for index, header in enumerate(raw.headers):
        if vocab.is_blank(header):
            continue
        column = spec.column_for(header)
        letter = column_letter(raw.first_column + index)
        if column is None:
            reading.problem("COLUMN_IGNORED", f"Column '{header}' on sheet '{raw.sheet}' is not "
                            f"part of the {spec.table} table and was ignored.",
                            raw.sheet, f"{letter}{raw.header_row}")
        elif column.field not in by_field:
            by_field[column.field] = index
    missing = [c.header for c in spec.columns if c.required and c.field not in by_field]
    for header in missing:
        reading.problem("COLUMN_MISSING", f"Sheet '{raw.sheet}' has no '{header}' column "
                        f"(row {raw.header_row} should hold the {spec.table} headers: "
                        f"{', '.join(spec.headers)}).", raw.sheet, f"{raw.header_row}:"
                        f"{raw.header_row}")
    return None if missing else by_field


def _is_error_value(value: Any) -> bool:
    return isinstance(value, str) and value.strip().upper() in EXCEL_ERRORS


def _read_columns(spec: TableSpec, raw: RawTable, columns: Mapping[str, int]) -> dict[str, int]:
    """Field -> sheet column number of the columns the method reads (not the descriptive ones),
    when the table has cells with an uncalculated formula; else none."""
    if not raw.uncalculated:
        return {}
    descriptive = {c.field for c in spec.columns if c.descriptive}
    return {name: raw.first_column + index for name, index in columns.items()
            if name not in descriptive}


def _label(spec: TableSpec, name: str, picked: Mapping[str, Any]) -> str:
    """A column's header; for the Value of a Field/Value pair (About, Config), its label."""
    if name == "value":
        label = vocab.clean_text(picked.get("field", picked.get("setting")))
        if label:
            return label
    return _header_of(spec, name)


def _records(
    spec: TableSpec, raw: RawTable | None, reading: _Reading
) -> list[tuple[dict[str, Any], Source]]:
    """Non-blank rows as field -> value, with Excel error values reported and blanked."""
    if raw is None:
        if not spec.optional:
            reading.problem("TABLE_MISSING", f"No '{spec.sheet}' sheet or '{spec.table}' table "
                            "was found.", spec.sheet)
        return []
    reading.problems.extend(raw.notes)
    columns = _columns(spec, raw, reading)
    if columns is None:
        return []
    records = []
    read_columns = _read_columns(spec, raw, columns)
    for index, values in enumerate(raw.rows):
        picked = {f: values[c] if c < len(values) else None for f, c in columns.items()}
        unknown = [name for name, column in read_columns.items()
                   if (raw.row_number(index), column) in raw.uncalculated] if read_columns else ()
        if not unknown and all(vocab.is_blank(v) for v in picked.values()):
            continue  # blank (often just formatted) rows under a table are not data
        cells = {f: raw.cell(index, c) for f, c in columns.items()}
        # What a cell held that could not be read, for messages about its row.
        unread: dict[str, str] = {}
        for name in unknown:
            reading.problem("FORMULA_NOT_CALCULATED", f"{raw.sheet}!{cells[name]} "
                            f"({_label(spec, name, picked)}) holds a formula with no calculated "
                            "value (the file was saved by a program that does not calculate); "
                            "it was read as blank.", raw.sheet, cells[name],
                            raw.row_number(index))
            picked[name] = None
            unread[name] = "a formula with no calculated value"
        for name, value in picked.items():
            if _is_error_value(value):
                header = next(c.header for c in spec.columns if c.field == name)
                reading.problem("DATA_INVALID", f"{raw.sheet}!{cells[name]} ({header}) holds the "
                                f"Excel error {value.strip()}; it was read as blank.",
                                raw.sheet, cells[name], raw.row_number(index))
                picked[name] = None
                unread[name] = f"the Excel error {value.strip()}"
        records.append((picked, Source(sheet=raw.sheet, row=raw.row_number(index), cells=cells,
                                       unread=unread)))
    return records


def _header_of(spec: TableSpec, field_name: str) -> str:
    column: Column | None = next((c for c in spec.columns if c.field == field_name), None)
    return column.header if column else field_name


def shown(value: Any) -> str:
    """A found value as a message quotes it: text in quotes, numbers and dates plainly."""
    if isinstance(value, str):
        return f"'{value.strip()}'"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return f"{value:g}"
    if isinstance(value, datetime | date):
        return f"{value:%d/%m/%Y}"
    return f"'{value}'"


def expected_found(detail: Mapping[str, Any], found: Any, header: str) -> str:
    """A validation error in the project's words: what was expected and what was found.

    Our own parsers already say it (``ValueError``); pydantic's constraint errors do not, and
    their wording ("Input should be ...") never reaches a user.
    """
    kind = detail.get("type", "")
    context = detail.get("ctx") or {}
    if vocab.is_blank(found):
        # Optional fields accept a blank, so a blank that fails is a required one.
        return "a value is required here, found a blank cell"
    if kind == "value_error":
        return str(detail["msg"]).removeprefix("Value error, ")
    bounds = {"greater_than_equal": "at least", "greater_than": "above",
              "less_than_equal": "at most", "less_than": "below"}
    if kind in bounds:
        limit = next(iter(context.values()), None)
        limit_text = f"{limit:g}" if isinstance(limit, int | float) else str(limit)
        return f"expected a number {bounds[kind]} {limit_text}, found {shown(found)}"
    if kind in ("too_short", "string_too_short"):
        return f"expected at least one {header}, found {shown(found)}"
    if kind.startswith(("float", "int", "decimal", "finite")):
        return f"expected a number, found {shown(found)}"
    if kind.startswith(("date", "datetime")):
        return f"expected a date such as 2010-04-01 or 01/04/2010, found {shown(found)}"
    return f"expected a valid {header}, found {shown(found)}"


def _fallback(model: type[BaseModel], field_name: str) -> str:
    """What a field counts as when its cell is unreadable: its default, in words."""
    field_info = model.model_fields[field_name]
    if model is IppfMeasure and field_name in ("driver", "polarity", "linked_ni"):
        return ("it was read as blank, so the standard IPPF value is used where the code is a "
                "standard IPPF measure")
    if field_info.default_factory is not None or field_info.default is None:
        return "it was read as blank"
    default = field_info.default
    if isinstance(default, StrEnum):
        return f"it was counted as '{default}'"
    if isinstance(default, int | float):
        return f"the default {default:g} was used"
    return "it was read as blank"


def _build(
    model: type[M], spec: TableSpec, values: dict[str, Any], source: Source, reading: _Reading
) -> M | None:
    """Validate one row; report each bad cell, then score the row without them if it can be."""
    try:
        return model(**values, source=source)
    except ValidationError as error:
        bad: dict[str, str] = {}
        for detail in error.errors():
            field_name = str(detail["loc"][0]) if detail["loc"] else ""
            found = values.get(field_name)
            bad[field_name] = expected_found(detail, found, _header_of(spec, field_name))
        unread = {**source.unread, **{name: shown(values.get(name)) for name in bad
                                      if not vocab.is_blank(values.get(name))}}
        kept_source = source.model_copy(update={"unread": unread})
        try:
            row = model(**{k: v for k, v in values.items() if k not in bad}, source=kept_source)
        except ValidationError as second:
            row = None
            required = sorted({_header_of(spec, str(d["loc"][0])) for d in second.errors()
                               if d["loc"]})
            consequence = f"the row was left out: it needs a valid {' and '.join(required)}"
        for field_name, expected in bad.items():
            found = values.get(field_name)
            code = ("NI_INVALID" if field_name in ("ni", "linked_ni") and not vocab.is_blank(found)
                    else "DATA_INVALID")
            if row is not None:
                consequence = _fallback(model, field_name)
            cell = source.cells.get(field_name)
            reading.problem(code, f"{source.sheet}!{cell or source.row} "
                            f"({_header_of(spec, field_name)}): {expected}; {consequence}.",
                            source.sheet, cell, source.row)
        return row


def _rows_of(
    model: type[M], spec: TableSpec, raw: RawTable | None, reading: _Reading,
    identity: Callable[[M], Any] | None = None, describe: str = "",
) -> list[M]:
    built: list[M] = []
    seen: dict[Any, M] = {}
    for values, source in _records(spec, raw, reading):
        row = _build(model, spec, values, source, reading)
        if row is None:
            continue
        if identity is not None:
            key = identity(row)
            if key in seen:
                first = seen[key].source
                reading.problem("DUPLICATE_ROW", f"{describe.format(row=row)} appears again in "
                                f"row {source.row} (first in row {first.row if first else '?'}).",
                                source.sheet, source.cell(), source.row)
                continue
            seen[key] = row
        built.append(row)
    return built


def _about(raw: RawTable | None, reading: _Reading, fallback_name: str) -> TrustInfo:
    pairs: dict[str, Any] = {}
    cells: dict[str, str] = {}
    for values, source in _records(schema.ABOUT, raw, reading):
        label = vocab.clean_text(values.get("field"))
        target_field = next((f for name, (f, _) in schema.ABOUT_FIELDS.items()
                             if label and header_key(name) == header_key(label)), None)
        if target_field and target_field not in pairs:
            pairs[target_field] = values.get("value")
            cells[target_field] = source.cells["value"]
    source = Source(sheet=raw.sheet if raw else schema.ABOUT.sheet, cells=cells)
    for label, (field_name, required) in schema.ABOUT_FIELDS.items():
        if required and vocab.is_blank(pairs.get(field_name)) and raw is not None:
            consequence = _without(field_name, fallback_name)
            reading.problem("DATA_INVALID", f"The About sheet has no '{label}' value"
                            f"{consequence}.", source.sheet, cells.get(field_name))
    good: dict[str, Any] = {}
    for field_name, value in pairs.items():
        if vocab.is_blank(value):
            continue  # a blank required value is reported above; a blank optional one is fine
        try:
            TrustInfo.model_validate({"trust": "x", field_name: value})
            good[field_name] = value
        except ValidationError as error:
            label = next(k for k, (f, _) in schema.ABOUT_FIELDS.items() if f == field_name)
            message = expected_found(error.errors()[0], value, label)
            default = TrustInfo.model_fields[field_name].default
            consequence = (f"'{default}' was used" if isinstance(default, StrEnum)
                           else "it was read as blank" + _without(field_name, fallback_name))
            reading.problem("DATA_INVALID", f"{source.sheet}!{cells[field_name]} ({label}): "
                            f"{message}; {consequence}.", source.sheet, cells[field_name])
    if vocab.is_blank(good.get("trust")):
        good["trust"] = fallback_name
        good["trust_named"] = False
    return TrustInfo(**good, source=source)


# What the method does without an About value, said wherever the value is missing or unreadable.
_WITHOUT = {
    "trust": "the file's name '{name}' is used as the trust's name, and this return is not "
             "matched with any other file",
    "as_at": "every target is judged against its end point, the return has no reporting "
             "period, and the Responsible Authority check (checklist D1, due from 1 April "
             "2010) cannot run",
}


def _without(field_name: str, fallback_name: str) -> str:
    tail = _WITHOUT.get(field_name)
    return f", so {tail.format(name=fallback_name)}" if tail else ""


# SPEC §4.6: '75%' is per cent of the setting's own scale: 75 for a threshold, 0.75 otherwise.
_PERCENT_SCALE = {"green_threshold": 100.0, "amber_threshold": 100.0}
_DATE_SETTINGS = frozenset({"laa_start", "laa_end"})


@cache
def _setting_range(name: str) -> TypeAdapter[Any]:
    """A setting's own range (ge/le) as a validator; built once, as pydantic builds its
    schema anew each time an adapter is made."""
    kind = date if name in _DATE_SETTINGS else float
    metadata = Settings.model_fields[name].metadata
    return TypeAdapter(Annotated[kind, *metadata] if metadata else kind)


def setting_value(name: str, value: Any) -> float | date | None:
    """A Config cell as the setting's type: a date for the LAA period, else a number, with a
    percent sign read on the setting's own scale. Blank is None (the default stands)."""
    if name in _DATE_SETTINGS:
        return vocab.parse_date(value)
    if isinstance(value, str) and value.strip().endswith("%"):
        number = vocab.parse_number(value.strip().removesuffix("%").strip())
        if number is None:
            raise ValueError(f"expected a number, found {shown(value)}")
        return number * _PERCENT_SCALE.get(name, 1.0) / 100
    return vocab.parse_number(value)


def default_text(name: str) -> str:
    default = Settings.model_fields[name].default
    if default is None:
        return "(worked out from the As at date)" if name == "progress" else "(none)"
    if isinstance(default, date):
        return f"{default:%d/%m/%Y}"
    return f"{default:g}"


def _settings(raw: RawTable | None, reading: _Reading) -> Settings:
    """SPEC §4.6: a bad value is an error in its cell and its default is used; the rest stand."""
    chosen: dict[str, Any] = {}
    cells: dict[str, str] = {}
    known = set(Settings.model_fields)
    for values, source in _records(schema.SETTINGS, raw, reading):
        name = (vocab.clean_text(values.get("setting")) or "").lower().replace(" ", "_")
        cell = source.cells["value"]
        if name not in known:
            reading.problem("DATA_INVALID", f"{source.sheet}!{source.cells['setting']}: unknown "
                            f"setting {shown(values.get('setting'))} (expected one of "
                            f"{', '.join(sorted(known))}); it was ignored.", source.sheet,
                            source.cells["setting"])
            continue
        found = values.get("value")
        try:
            typed = setting_value(name, found)
            if typed is None:
                continue
            # The field's own range (ge/le) alone; rules across settings come after.
            _setting_range(name).validate_python(typed)
        except ValidationError as error:
            message = expected_found(error.errors()[0], found, name)
        except ValueError as error:
            message = str(error)
        else:
            chosen[name] = typed
            cells[name] = cell
            continue
        reading.problem("DATA_INVALID", f"{source.sheet}!{cell} ({name}): {message}; the "
                        f"default {default_text(name)} was used.", source.sheet, cell)
    for involved, message in Settings.conflicts(chosen):
        given = [name for name in involved if name in chosen]
        for name in given:
            reading.problem("DATA_INVALID", f"{schema.SETTINGS.sheet}!{cells[name]} ({name}): "
                            f"{message}; the default {default_text(name)} was used.",
                            schema.SETTINGS.sheet, cells[name])
        for name in given:
            del chosen[name]
    return Settings(**chosen)


def build_submission(
    tables: Mapping[str, RawTable | None], source_name: str | None = None,
    extra_problems: Sequence[Flag] = (),
) -> Submission:
    """Validate raw tables (keyed as in :data:`schema.TABLES_BY_KEY`) into a Submission."""
    reading = _Reading(problems=list(extra_problems))
    fallback = PurePath(source_name).stem if source_name else "Unknown trust"
    about = _about(tables.get("about"), reading, fallback_name=fallback or "Unknown trust")
    checklist = _rows_of(ChecklistItem, schema.CHECKLIST, tables.get("checklist"), reading,
                         identity=lambda r: r.id.upper(),
                         describe="Checklist ID {row.id}")
    targets = _rows_of(LaaTarget, schema.TARGETS, tables.get("targets"), reading,
                       identity=lambda r: (vocab.ref_key(r.laa), r.ni),
                       describe="{row.ni} for {row.laa}")
    measures = _rows_of(IppfMeasure, schema.MEASURES, tables.get("measures"), reading)
    objectives = _rows_of(Objective, schema.OBJECTIVES, tables.get("objectives"), reading)
    settings = _settings(tables.get("settings"), reading)
    indicators = _rows_of(IndicatorOverride, schema.INDICATORS, tables.get("indicators"),
                          reading, identity=lambda r: r.ni, describe="{row.ni}")
    return Submission(
        about=about, checklist=checklist, targets=targets, measures=measures,
        objectives=objectives, settings=settings, indicators=indicators,
        problems=reading.problems,
        source_name=source_name,
    )
