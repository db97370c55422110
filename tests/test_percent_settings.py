"""SPEC §4.6's percent rule for Config values Excel stores as a number with a percent format."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from xl_localism import schema
from xl_localism.workbook.reader import read_workbook

TEMPLATE = Path(__file__).parent.parent / "workbooks" / "localism_template.xlsx"


def _config_with(tmp_path: Path, values: dict[str, tuple[object, str | None]]) -> Path:
    """The template with Config values set, each with its own number format (or none)."""
    book = openpyxl.load_workbook(TEMPLATE)
    sheet = book[schema.SETTINGS.sheet]
    for row in sheet.iter_rows(min_row=2):
        name = row[0].value
        if name in values:
            value, number_format = values[name]
            row[1].value = value
            if number_format:
                row[1].number_format = number_format
    path = tmp_path / "config.xlsx"
    book.save(path)
    return path


@pytest.mark.parametrize("engine", ["calamine", "openpyxl"])
def test_a_percent_typed_in_excel_is_per_cent_of_the_settings_scale(tmp_path, engine):
    # What Excel stores when a manager types 75%, 20%, 35% and 0.5: numbers, three of them
    # shown through a percent format.
    path = _config_with(tmp_path, {
        "green_threshold": (0.75, "0%"),
        "tolerance": (0.2, "0.00%"),
        "weight_performance": (0.35, '0.0%;[Red]-0.0%'),
        "weight_alignment": (0.5, None),
    })
    settings = read_workbook(path, engine=engine).settings  # type: ignore[arg-type]
    assert settings.green_threshold == pytest.approx(75)  # a threshold's scale is 100
    assert settings.tolerance == pytest.approx(0.2)  # a fraction's scale is 1
    assert settings.weight_performance == pytest.approx(0.35)
    assert settings.weight_alignment == pytest.approx(0.5)


def test_a_percent_sign_inside_quotes_is_text_not_a_percent(tmp_path):
    path = _config_with(tmp_path, {"amber_threshold": (45, '0" %pts"')})
    assert read_workbook(path).settings.amber_threshold == 45


def test_an_out_of_range_percent_names_what_was_typed(tmp_path):
    path = _config_with(tmp_path, {"tolerance": (1.5, "0%")})
    submission = read_workbook(path)
    assert submission.settings.tolerance == pytest.approx(0.10)
    (problem,) = [f for f in submission.problems if f.sheet == schema.SETTINGS.sheet]
    assert "'150%'" in problem.message and "the default 0.1 was used" in problem.message
