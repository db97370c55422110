"""A flag as a row of cells: the one function every door uses to show flags as a table.

The Flags sheet (feedback workbook, copy, ribbon), the national report's Flags sheet, the
``LOCALISM_FLAGS`` spill and the terminal all show the same columns made the same way here, so
a flag cannot read one way in Excel and another in the report. Doors differ only in how they
show a blank (a spilled ``None`` would read as 0 in Excel) and in their headers' wording.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from xl_localism.models import Flag
from xl_localism.vocab import Severity

FLAG_COLUMNS = ("Severity", "Code", "Sheet", "Cell", "Message", "Suggested action")
NO_FLAGS = "No flags were raised."
SEVERITIES = [s.value for s in Severity]


def flag_row(flag: Flag | Mapping[str, Any]) -> list[Any]:
    """[severity, code, sheet, where, message, action] of a flag, or of a flag in the JSON of
    ``xl-localism score --json`` (a batch's cached results), which carries no row number.

    ``where`` is the flag's cell, else "row N" when it points at a whole row.
    """
    if isinstance(flag, Flag):
        severity: str = flag.severity.value
        code, sheet, cell, row = flag.code, flag.sheet, flag.cell, flag.row
        message, action = flag.message, flag.action
    else:
        severity, code, sheet, cell = (flag["severity"], flag["code"], flag.get("sheet"),
                                       flag.get("cell"))
        row, message, action = flag.get("row"), flag["message"], flag.get("action")
    where = cell or (f"row {row}" if row else None)
    return [severity, code, sheet, where, message, action]
