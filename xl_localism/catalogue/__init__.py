"""The reference catalogue of SPEC §2, shipped as CSV data beside this module."""

from xl_localism.catalogue.catalogue import (
    Catalogue,
    ChecklistDefault,
    MeasureDefault,
    NationalIndicator,
    default_catalogue,
)

__all__ = [
    "Catalogue",
    "ChecklistDefault",
    "MeasureDefault",
    "NationalIndicator",
    "default_catalogue",
]
