"""Load the reference catalogue once, and let a caller override parts of it.

The CSV files are the single source of the SPEC §2 tables; the code only knows their columns.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from functools import cache
from importlib import resources
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from xl_localism import vocab
from xl_localism.vocab import Driver, Polarity

_Drivers = Annotated[list[Driver], BeforeValidator(vocab.parse_driver_list)]
_Ni = Annotated[str, BeforeValidator(vocab.parse_ni)]
_NiList = Annotated[list[str], BeforeValidator(vocab.parse_ni_list)]
_OptionalNi = Annotated[
    str | None, BeforeValidator(lambda v: None if vocab.is_blank(v) else vocab.parse_ni(v))
]
_Polarity = Annotated[Polarity, BeforeValidator(vocab.parse_polarity)]


class NationalIndicator(BaseModel):
    model_config = ConfigDict(frozen=True)

    code: _Ni
    title: str
    polarity: _Polarity
    drivers: _Drivers = Field(default_factory=list)

    @property
    def probation_relevant(self) -> bool:
        return bool(self.drivers)


class MeasureDefault(BaseModel):
    model_config = ConfigDict(frozen=True)

    code: str
    measure: str
    driver: Annotated[Driver, BeforeValidator(vocab.parse_driver)]
    polarity: _Polarity
    linked_ni: _NiList = Field(default_factory=list)
    same_outcome_as: _OptionalNi = None


class ChecklistDefault(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    domain: str
    item: str
    weight: float = 1.0


class Catalogue(BaseModel):
    """National Indicators, default IPPF measures and the default readiness checklist."""

    model_config = ConfigDict(frozen=True)

    indicators: dict[str, NationalIndicator]
    measures: dict[str, MeasureDefault]
    checklist: list[ChecklistDefault]

    def indicator(self, code: str) -> NationalIndicator | None:
        """The catalogue entry of an NI code (any spelling), or None for a non-probation NI."""
        return self.indicators.get(vocab.parse_ni(code))

    def drivers_of_ni(self, code: str) -> list[Driver]:
        entry = self.indicator(code)
        return list(entry.drivers) if entry else []

    def ni_measurable_drivers(self) -> frozenset[Driver]:
        """SPEC §4.3: the drivers at least one National Indicator carries. A driver outside
        this set (courts, with the shipped catalogue) cannot be shown by any NI."""
        return frozenset(d for indicator in self.indicators.values() for d in indicator.drivers)

    def measure(self, code: str) -> MeasureDefault | None:
        return self.measures.get(code.strip().upper())

    def with_overrides(
        self,
        indicators: Iterable[NationalIndicator] = (),
        measures: Iterable[MeasureDefault] = (),
    ) -> Catalogue:
        """A copy in which the given entries replace or add to the shipped ones."""
        return Catalogue(
            indicators={**self.indicators, **{i.code: i for i in indicators}},
            measures={**self.measures, **{m.code.upper(): m for m in measures}},
            checklist=self.checklist,
        )


def _rows(name: str) -> list[dict[str, str]]:
    text = resources.files("xl_localism.catalogue").joinpath(name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


@cache
def default_catalogue() -> Catalogue:
    indicators = [NationalIndicator(**row) for row in _rows("national_indicators.csv")]
    measures = [MeasureDefault(**row) for row in _rows("ippf_measures.csv")]
    checklist = [ChecklistDefault(**row) for row in _rows("checklist.csv")]
    return Catalogue(
        indicators={i.code: i for i in indicators},
        measures={m.code.upper(): m for m in measures},
        checklist=checklist,
    )
