"""SPEC §3, the workbook contract, as data: sheets, table names, headers and the model fields.

The template writer, the readers and the Excel functions all take their names from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from xl_localism.vocab import squash


@dataclass(frozen=True)
class Column:
    header: str
    field: str
    required: bool = False
    # What a user sees in an error and in the template's input message.
    hint: str = ""
    # Words for people only; the method never reads them (SPEC §3: an uncalculated formula
    # in such a column is just blank, not flagged).
    descriptive: bool = False


@dataclass(frozen=True)
class TableSpec:
    key: str
    sheet: str
    table: str
    columns: tuple[Column, ...]
    optional: bool = False

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]

    def column_for(self, header: object) -> Column | None:
        return self._by_header_key.get(header_key(header))

    @cached_property
    def _by_header_key(self) -> dict[str, Column]:
        by_key: dict[str, Column] = {}
        for column in self.columns:
            by_key.setdefault(header_key(column.header), column)  # the first, as before
        return by_key


def header_key(header: object) -> str:
    """Headers match case- and space-insensitively: 'Plan Ref', 'plan ref' and 'PlanRef' agree."""
    return squash(str(header)) if header is not None else ""


ABOUT = TableSpec("about", "About", "TrustInfo", (
    Column("Field", "field", True),
    Column("Value", "value", True),
))
CHECKLIST = TableSpec("checklist", "Checklist", "Checklist", (
    Column("ID", "id", True, "A checklist ID such as B1"),
    Column("Domain", "domain", descriptive=True),
    Column("Item", "item", descriptive=True),
    Column("Weight", "weight", hint="A number, 0 or more; blank means 1"),
    Column("Status", "status", True, "Complete, In progress, Not started or Not applicable"),
    Column("Evidence", "evidence"),
    Column("Owner", "owner"),
    Column("Due", "due", hint="A date"),
))
TARGETS = TableSpec("targets", "LAA Targets", "Targets", (
    Column("LAA", "laa", True, "The Local Area Agreement, e.g. the local authority's name"),
    Column("NI", "ni", True, "A National Indicator code such as NI 18"),
    Column("Indicator", "indicator", descriptive=True),
    Column("Baseline", "baseline", True, "A number"),
    Column("Target", "target", True, "A number"),
    Column("Latest", "latest", True, "A number"),
    Column("Probation role", "role", True, "Lead, Contributor or None"),
    Column("Plan ref", "plan_ref", hint="The Ref of a Business Plan objective"),
))
MEASURES = TableSpec("measures", "IPPF", "Measures", (
    Column("Code", "code", True, "An IPPF measure code such as ACC"),
    Column("Measure", "measure", descriptive=True),
    Column("Driver", "driver", hint="RR, PP, VS, VM or CS"),
    Column("Polarity", "polarity", hint="higher or lower (is better)"),
    Column("Target", "target"),
    Column("Actual", "actual"),
    Column("Linked NI", "linked_ni", hint="NI codes separated by commas"),
))
OBJECTIVES = TableSpec("objectives", "Business Plan", "Objectives", (
    Column("Ref", "ref", True, "A unique reference such as BP1"),
    Column("Objective", "objective", descriptive=True),
    Column("Driver", "drivers", True, "RR, PP, VS, VM or CS"),
    Column("Linked NI", "linked_ni", hint="NI codes separated by commas"),
))
SETTINGS = TableSpec("settings", "Config", "Settings", (
    Column("Setting", "setting", True),
    Column("Value", "value", True),
), optional=True)

# SPEC §2: the catalogue is "overridable per workbook". A trust whose LAA counts a National
# Indicator the shipped catalogue does not (or maps one to other drivers) says so here.
INDICATORS = TableSpec("indicators", "Catalogue", "Indicators", (
    Column("NI", "ni", True, "The National Indicator to add or redefine, e.g. NI 152"),
    Column("Title", "title", descriptive=True),
    Column("Polarity", "polarity", True, "higher or lower (is better)"),
    Column("Drivers", "drivers", hint="RR, PP, VS, VM or CS, primary first; blank means not "
           "probation relevant"),
), optional=True)

TABLES: tuple[TableSpec, ...] = (ABOUT, CHECKLIST, TARGETS, MEASURES, OBJECTIVES, SETTINGS,
                                 INDICATORS)
TABLES_BY_KEY = {t.key: t for t in TABLES}

# The rows of the About table: label in the workbook -> TrustInfo field.
ABOUT_FIELDS: dict[str, tuple[str, bool]] = {
    "Trust": ("trust", True),
    "Nation": ("nation", True),
    "As at": ("as_at", True),
    "Prepared by": ("prepared_by", False),
    "Region": ("region", False),
}

SUMMARY_SHEET = "Summary"
FLAGS_SHEET = "Flags"
