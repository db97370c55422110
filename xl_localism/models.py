"""The domain models: what a trust's workbook says (inputs) and what the engine concludes (results).

Inputs validate their own fields with the parsers in :mod:`xl_localism.vocab`, so a bad value is a
``pydantic.ValidationError`` naming the field, what was expected and what was found. Each input row
may carry a :class:`Source` so that results and flags can point back at the sheet and cell.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from xl_localism import vocab
from xl_localism.vocab import (
    Driver,
    Nation,
    Polarity,
    Rag,
    Role,
    Severity,
    Status,
    TargetStatus,
)

NiCode = Annotated[str, BeforeValidator(vocab.parse_ni)]
NiList = Annotated[list[str], BeforeValidator(vocab.parse_ni_list)]
DriverList = Annotated[list[Driver], BeforeValidator(vocab.parse_driver_list)]
OptionalDriver = Annotated[
    Driver | None, BeforeValidator(lambda v: None if vocab.is_blank(v) else vocab.parse_driver(v))
]
OptionalPolarity = Annotated[
    Polarity | None,
    BeforeValidator(lambda v: None if vocab.is_blank(v) else vocab.parse_polarity(v)),
]
StatusValue = Annotated[Status, BeforeValidator(vocab.parse_status)]
RoleValue = Annotated[Role, BeforeValidator(vocab.parse_role)]
NationValue = Annotated[Nation, BeforeValidator(vocab.parse_nation)]
Number = Annotated[float | None, BeforeValidator(vocab.parse_number)]
OptionalDate = Annotated[date | None, BeforeValidator(vocab.parse_date)]
Text = Annotated[str | None, BeforeValidator(vocab.clean_text)]
RequiredText = Annotated[str, BeforeValidator(vocab.clean_text), Field(min_length=1)]


class Source(BaseModel):
    """Where a row came from: its sheet, its row number and the cell of each field."""

    model_config = ConfigDict(frozen=True)

    sheet: str
    row: int | None = None
    cells: dict[str, str] = Field(default_factory=dict)
    # Fields whose cell could not be read, with the text found: the row was scored with that
    # field's default, and messages about the row must say so rather than quote the default.
    unread: dict[str, str] = Field(default_factory=dict)

    def cell(self, field: str | None = None) -> str | None:
        if field and field in self.cells:
            return self.cells[field]
        # A row-level pointer: the first cell of the row we know about.
        return next(iter(self.cells.values()), None)


class _Input(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid", frozen=True)

    source: Source | None = Field(default=None, repr=False)


class TrustInfo(_Input):
    trust: RequiredText
    # False when the About sheet gives no name and the file's name stands in for it.
    trust_named: bool = True
    nation: NationValue = Nation.ENGLAND
    as_at: OptionalDate = None
    prepared_by: Text = None
    region: Text = None


def is_wales_only(item_id: str) -> bool:
    """SPEC §2.3: W items apply only when Nation is Wales."""
    return item_id.strip().upper().startswith("W")


class ChecklistItem(_Input):
    id: RequiredText
    domain: Text = None
    item: Text = None
    weight: Annotated[float, BeforeValidator(lambda v: 1.0 if vocab.is_blank(v) else v)] = Field(
        default=1.0, ge=0
    )
    status: StatusValue = Status.NOT_STARTED
    evidence: Text = None
    owner: Text = None
    due: OptionalDate = None

    @property
    def is_wales_only(self) -> bool:
        return is_wales_only(self.id)


class LaaTarget(_Input):
    laa: RequiredText
    ni: NiCode
    indicator: Text = None
    baseline: Number = None
    target: Number = None
    latest: Number = None
    role: RoleValue = Role.NONE
    plan_ref: Text = None


class IppfMeasure(_Input):
    code: RequiredText
    measure: Text = None
    driver: OptionalDriver = None
    polarity: OptionalPolarity = None
    target: Number = None
    actual: Number = None
    linked_ni: NiList = Field(default_factory=list)


class Objective(_Input):
    ref: RequiredText
    objective: Text = None
    drivers: DriverList = Field(min_length=1)
    linked_ni: NiList = Field(default_factory=list)


class IndicatorOverride(_Input):
    """A workbook's own catalogue entry for a National Indicator (SPEC §2, overridable)."""

    ni: NiCode
    title: Text = None
    polarity: Annotated[Polarity, BeforeValidator(vocab.parse_polarity)]
    drivers: DriverList = Field(default_factory=list)


LAA_ROUND_START = date(2008, 4, 1)
LAA_ROUND_END = date(2011, 3, 31)


class Settings(BaseModel):
    """SPEC §4.6. Ranges are enforced here; the workbook reader turns a violation into a flag."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    weight_self_assessment: float = Field(default=0.4, ge=0, le=1)
    weight_alignment: float = Field(default=0.4, ge=0, le=1)
    weight_performance: float = Field(default=0.2, ge=0, le=1)
    green_threshold: float = Field(default=70, ge=0, le=100)
    amber_threshold: float = Field(default=40, ge=0, le=100)
    # None: worked out from the As at date and the LAA period (SPEC §4.2).
    progress: float | None = Field(default=None, ge=0, le=1)
    tolerance: float = Field(default=0.10, ge=0, le=1)
    laa_start: date = LAA_ROUND_START
    laa_end: date = LAA_ROUND_END

    @staticmethod
    def conflicts(values: dict[str, Any]) -> list[tuple[tuple[str, ...], str]]:
        """Rules across settings: (the settings involved, what is wrong), defaults filling gaps.

        The Config reader uses this to blame the cells involved and keep every other setting.
        """
        merged = {name: field.default for name, field in Settings.model_fields.items()}
        merged.update(values)
        found = []
        if merged["amber_threshold"] > merged["green_threshold"]:
            found.append((("amber_threshold", "green_threshold"),
                          f"amber_threshold ({merged['amber_threshold']:g}) must not exceed "
                          f"green_threshold ({merged['green_threshold']:g})"))
        weights = ("weight_self_assessment", "weight_alignment", "weight_performance")
        if sum(merged[w] for w in weights) <= 0:
            found.append((weights, "at least one component weight must be above 0"))
        if merged["laa_end"] <= merged["laa_start"]:
            found.append((("laa_start", "laa_end"),
                          f"laa_end ({merged['laa_end']:%d/%m/%Y}) must be after laa_start "
                          f"({merged['laa_start']:%d/%m/%Y})"))
        return found

    @model_validator(mode="after")
    def _consistent(self) -> Settings:
        for _, message in Settings.conflicts(self.model_dump()):
            raise ValueError(message)
        return self


class Submission(BaseModel):
    """Everything one trust's workbook says, already validated, plus problems found reading it."""

    model_config = ConfigDict(frozen=True)

    about: TrustInfo
    checklist: list[ChecklistItem] = Field(default_factory=list)
    targets: list[LaaTarget] = Field(default_factory=list)
    measures: list[IppfMeasure] = Field(default_factory=list)
    objectives: list[Objective] = Field(default_factory=list)
    settings: Settings = Field(default_factory=Settings)
    indicators: list[IndicatorOverride] = Field(default_factory=list)
    # Problems the reader found (DATA_INVALID, NI_INVALID, missing columns ...): reported with
    # the engine's own flags so every door shows the same list.
    problems: list[Flag] = Field(default_factory=list)
    source_name: str | None = None


# ---------------------------------------------------------------------------------------------
# Results


class Flag(BaseModel):
    model_config = ConfigDict(frozen=True)

    code: str
    severity: Severity
    message: str
    action: str = ""
    sheet: str | None = None
    cell: str | None = None
    row: int | None = None

    def sort_key(self) -> tuple[Any, ...]:
        return (self.severity.rank, self.code, self.sheet or "", self.row or 0, self.cell or "")


class TargetResult(BaseModel):
    """One Targets row as the engine sees it."""

    model_config = ConfigDict(frozen=True)

    laa: str
    ni: str
    title: str | None
    role: Role
    drivers: list[Driver]
    relevant: bool
    linked: bool | None  # None in Wales, where linkage is not assessed
    status: TargetStatus | None  # None when the NI has no known polarity
    baseline: float | None = None
    target: float | None = None
    latest: float | None = None
    expected: float | None = None
    shortfall: float | None = None
    explanation: str = ""
    sheet: str | None = None
    row: int | None = None


class MeasureResult(BaseModel):
    """One IPPF Measures row as the engine sees it: defaults filled in, status judged (§4.2b)."""

    model_config = ConfigDict(frozen=True)

    code: str
    measure: str | None
    driver: Driver | None
    polarity: Polarity | None
    target: float | None
    actual: float | None
    linked_ni: list[str]
    # Whether a Linked NI of the measure is on the Targets sheet (the horizontal line).
    aligned: bool
    # Left out of A3 when its driver has no National Indicator to link to.
    counts_for_alignment: bool
    status: TargetStatus
    shortfall: float | None = None
    explanation: str = ""
    sheet: str | None = None
    row: int | None = None


class Component(BaseModel):
    """A fraction 0-1 and how it was reached, or ``value=None`` with the reason it was left out."""

    model_config = ConfigDict(frozen=True)

    name: str
    value: float | None
    numerator: float | None = None
    denominator: float | None = None
    weight: float | None = None
    note: str = ""
    # For performance components: how many Green, Amber, Red and No data it pooled.
    counts: dict[str, int] = Field(default_factory=dict)

    @property
    def exists(self) -> bool:
        return self.value is not None


class DriverResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    driver: Driver
    name: str
    score: float | None  # None: "not covered"
    rag: Rag | None
    covered: bool
    ni_measurable: bool
    relevant_targets: int
    measures: int
    linkage: Component
    measure_alignment: Component
    performance: Component
    explanation: str = ""


class Assessment(BaseModel):
    model_config = ConfigDict(frozen=True)

    trust: str
    trust_named: bool = True
    nation: Nation
    as_at: date | None
    region: str | None
    score: float
    rag: Rag
    rag_before_cap: Rag
    capped_by: list[str] = Field(default_factory=list)
    self_assessment: Component
    alignment: Component
    performance: Component
    linkage: Component
    driver_coverage: Component
    measure_alignment: Component
    # P on each axis alone: horizontal (LAA targets) and vertical (IPPF measures).
    performance_targets: Component
    performance_measures: Component
    progress: float
    progress_note: str
    ni_measurable: list[Driver]
    drivers: list[DriverResult]
    targets: list[TargetResult]
    measures: list[MeasureResult]
    flags: list[Flag]
    settings: Settings
    notes: list[str] = Field(default_factory=list)
    source_name: str | None = None

    @property
    def components(self) -> tuple[Component, ...]:
        """S, A1, A2, A3, A and P, then P on each axis: in the order every door shows them."""
        return (self.self_assessment, self.linkage, self.driver_coverage,
                self.measure_alignment, self.alignment, self.performance,
                self.performance_targets, self.performance_measures)

    def driver(self, key: Driver | str) -> DriverResult:
        wanted = vocab.parse_driver(key)
        return next(d for d in self.drivers if d.driver == wanted)

    def flag_codes(self) -> list[str]:
        return [f.code for f in self.flags]

    def flag_counts(self) -> dict[Severity, int]:
        counts = dict.fromkeys(Severity, 0)
        for flag in self.flags:
            counts[flag.severity] += 1
        return counts


Submission.model_rebuild()
