"""Raw table cells -> validated models, collecting every problem instead of stopping at the first.

A :class:`RawTable` is what any door hands over: the openpyxl and calamine readers build one per
sheet, the Excel functions build one from a range passed with its headers. Everything after that
(header matching, type checks, vocabularies, duplicates, defaults) happens once, here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
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
    for index, values in enumerate(raw.rows):
        picked = {f: values[c] if c < len(values) else None for f, c in columns.items()}
        if all(vocab.is_blank(v) for v in picked.values()):
            continue  # blank (often just formatted) rows under a table are not data
        cells = {f: raw.cell(index, c) for f, c in columns.items()}
        for name, value in picked.items():
            if _is_error_value(value):
                header = next(c.header for c in spec.columns if c.field == name)
                reading.problem("DATA_INVALID", f"{raw.sheet}!{cells[name]} ({header}) holds the "
                                f"Excel error {value.strip()}; it was read as blank.",
                                raw.sheet, cells[name], raw.row_number(index))
                picked[name] = None
        records.append((picked, Source(sheet=raw.sheet, row=raw.row_number(index), cells=cells)))
    return records


def _header_of(spec: TableSpec, field_name: str) -> str:
    column: Column | None = next((c for c in spec.columns if c.field == field_name), None)
    return column.header if column else field_name


def _build(
    model: type[M], spec: TableSpec, values: dict[str, Any], source: Source, reading: _Reading
) -> M | None:
    """Validate one row; report each bad cell, then score the row without them if it can be."""
    try:
        return model(**values, source=source)
    except ValidationError as error:
        bad_fields = set()
        for detail in error.errors():
            field_name = str(detail["loc"][0]) if detail["loc"] else ""
            bad_fields.add(field_name)
            found = values.get(field_name)
            code = "NI_INVALID" if field_name in ("ni", "linked_ni") and not vocab.is_blank(
                found) else "DATA_INVALID"
            expected = str(detail["msg"]).removeprefix("Value error, ")
            if vocab.is_blank(found) and detail["type"] in ("missing", "string_too_short",
                                                             "too_short", "value_error"):
                expected = "a value is required here, found a blank cell"
            cell = source.cells.get(field_name)
            reading.problem(code, f"{source.sheet}!{cell or source.row} "
                            f"({_header_of(spec, field_name)}): {expected}.",
                            source.sheet, cell, source.row)
        try:
            return model(**{k: v for k, v in values.items() if k not in bad_fields}, source=source)
        except ValidationError as second:
            required = sorted({_header_of(spec, str(d["loc"][0])) for d in second.errors()
                               if d["loc"]})
            reading.problem("DATA_INVALID", f"{source.sheet} row {source.row} was left out of "
                            f"the score: it needs a valid {' and '.join(required)}.",
                            source.sheet, source.cell(), source.row)
            return None


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
            reading.problem("DATA_INVALID", f"The About sheet has no '{label}' value.",
                            source.sheet, cells.get(field_name))
    good: dict[str, Any] = {}
    for field_name, value in pairs.items():
        try:
            TrustInfo.model_validate({"trust": "x", field_name: value})
            good[field_name] = value
        except ValidationError as error:
            message = str(error.errors()[0]["msg"]).removeprefix("Value error, ")
            label = next(k for k, (f, _) in schema.ABOUT_FIELDS.items() if f == field_name)
            reading.problem("DATA_INVALID", f"{source.sheet}!{cells[field_name]} ({label}): "
                            f"{message}.", source.sheet, cells[field_name])
    if vocab.is_blank(good.get("trust")):
        good["trust"] = fallback_name
    return TrustInfo(**good, source=source)


@cache
def _setting_range(name: str) -> TypeAdapter[float]:
    """A setting's own range (ge/le) as a validator; built once, as pydantic builds its
    schema anew each time an adapter is made."""
    return TypeAdapter(Annotated[float, *Settings.model_fields[name].metadata])


def _settings(raw: RawTable | None, reading: _Reading) -> Settings:
    """SPEC §4.6: a bad value is an error in its cell and its default is used; the rest stand."""
    chosen: dict[str, float] = {}
    cells: dict[str, str] = {}
    known = set(Settings.model_fields)
    for values, source in _records(schema.SETTINGS, raw, reading):
        name = (vocab.clean_text(values.get("setting")) or "").lower().replace(" ", "_")
        cell = source.cells["value"]
        if name not in known:
            reading.problem("DATA_INVALID", f"{source.sheet}!{source.cells['setting']}: unknown "
                            f"setting '{values.get('setting')}' (expected one of "
                            f"{', '.join(sorted(known))}); it was ignored.", source.sheet,
                            source.cells["setting"])
            continue
        field = Settings.model_fields[name]
        try:
            number = vocab.parse_number(values.get("value"))
            if number is None:
                continue
            # The field's own range (ge/le) alone; rules across settings come after.
            _setting_range(name).validate_python(number)
        except (ValueError, ValidationError) as error:
            message = (str(error.errors()[0]["msg"]) if isinstance(error, ValidationError)
                       else str(error)).removeprefix("Value error, ")
            reading.problem("DATA_INVALID", f"{source.sheet}!{cell} ({name}): {message}; the "
                            f"default {field.default:g} was used.", source.sheet, cell)
            continue
        chosen[name] = number
        cells[name] = cell
    for involved, message in Settings.conflicts(chosen):
        given = [name for name in involved if name in chosen]
        for name in given:
            reading.problem("DATA_INVALID", f"{schema.SETTINGS.sheet}!{cells[name]} ({name}): "
                            f"{message}; the default {Settings.model_fields[name].default:g} "
                            "was used.", schema.SETTINGS.sheet, cells[name])
        for name in given:
            del chosen[name]
    return Settings(**chosen)


def build_submission(
    tables: Mapping[str, RawTable | None], source_name: str | None = None,
    extra_problems: Sequence[Flag] = (),
) -> Submission:
    """Validate raw tables (keyed as in :data:`schema.TABLES_BY_KEY`) into a Submission."""
    reading = _Reading(problems=list(extra_problems))
    about = _about(tables.get("about"), reading, fallback_name=source_name or "Unknown trust")
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
