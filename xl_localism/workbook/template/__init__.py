"""The workbook a trust fills in (one per trust per reporting period), blank or filled with rows.

:mod:`.writer` writes it; :mod:`.rules` holds its drop-down lists and input rules;
:mod:`.instructions` the text of its Instructions sheet.
"""

from xl_localism.workbook.template.rules import EXTRA_ROWS, NI_TITLES_NAME, indicator_formula
from xl_localism.workbook.template.writer import (
    BLANK_ROWS,
    DATE_FORMAT,
    INSTRUCTIONS_SHEET,
    LISTS_SHEET,
    PINNED_TIME,
    write_template,
)

__all__ = ["BLANK_ROWS", "DATE_FORMAT", "EXTRA_ROWS", "INSTRUCTIONS_SHEET", "LISTS_SHEET",
           "NI_TITLES_NAME", "PINNED_TIME", "indicator_formula", "write_template"]
