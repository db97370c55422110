"""The national report's Flags rows of each submission, made where the submission is scored.

The Flags sheet is most of the national report (a few dozen rows a trust), and the report is
written on one core after every file is scored. So each batch worker makes its submission's
rows as it scores it, as XML waiting for its row number (``fastsave.cells_template``), and the
batch keeps them in a temporary file as they arrive: the report then only orders them and
puts in the trust, the source file and the row number. A submission whose rows were not made
so (a cached result, text that must be written as a cell of its own) has them made from its
cache entry when the report is written, by the same functions.
"""

from __future__ import annotations

import contextlib
import pickle
import tempfile
from collections.abc import Iterable
from typing import IO, Any

from xl_localism.vocab import Severity
from xl_localism.workbook.files import CELL_INJECTION_PREFIXES

SEVERITIES = [s.value for s in Severity]
FLAG_HEADERS = ["Trust", "Source file", "Severity", "Code", "Sheet", "Cell", "Message",
                "Suggested action"]
# Columns C onwards come from the flag; A and B (trust, source file) from the submission.
FLAG_FIRST_COLUMN = 3

# (code, the XML of columns C onwards, else their values): one of the two, not both, as
# pickling the rows is much of what the report then costs.
FlagRow = tuple[str, str | None, list[Any] | None]


def flag_values(flag: dict[str, Any]) -> list[Any]:
    """A flag (as JSON) as the Flags sheet shows it, from column C on."""
    return [flag["severity"], flag["code"], flag["sheet"], flag["cell"], flag["message"],
            flag.get("action")]


def plain_cells(values: list[Any], first_column: int) -> str | None:
    """``fastsave.cells_template``, or None when some text looks like a formula: the report
    writes that as a cell of its own, kept as text."""
    # Imported here: the batch's parent imports this module, and openpyxl only when it must.
    from xl_localism.workbook.fastsave import cells_template

    if any(isinstance(v, str) and v.startswith(CELL_INJECTION_PREFIXES) for v in values):
        return None
    return cells_template(values, first_column)


def rows_by_severity(flags: Iterable[dict[str, Any]], *,
                     as_values: bool = False) -> dict[str, list[FlagRow]]:
    """One submission's Flags rows, by severity, in the order the flags were raised; as
    values only when the trust or source file must be written as a cell of its own."""
    rows: dict[str, list[FlagRow]] = {}
    for flag in flags:
        values = flag_values(flag)
        template = None if as_values else plain_cells(values, FLAG_FIRST_COLUMN)
        rows.setdefault(flag["severity"], []).append(
            (flag["code"], template, values if template is None else None))
    return rows


class FlagSpill:
    """Flag rows in a temporary file until the report is written, so memory stays flat
    however many submissions a batch has."""

    def __init__(self) -> None:
        # Open as long as the spill is (closed by close() or the with block).
        self._file: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115

    def add(self, rows: dict[str, list[FlagRow]]) -> SpilledRows:
        """Keep one submission's rows; a full temporary folder raises OSError here, not later
        when the rows are read back."""
        self._file.seek(0, 2)
        offsets = {}
        for severity, found in rows.items():
            offsets[severity] = self._file.tell()
            pickle.dump(found, self._file)
        self._file.flush()
        return SpilledRows(self, offsets)

    def load(self, offset: int) -> list[FlagRow]:
        self._file.seek(offset)
        rows: list[FlagRow] = pickle.load(self._file)
        return rows

    @property
    def closed(self) -> bool:
        return self._file.closed

    def close(self) -> None:
        # Closing flushes what is buffered; with the folder full that fails again, and the
        # rows are given up either way.
        with contextlib.suppress(OSError):
            self._file.close()

    def __enter__(self) -> FlagSpill:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class SpilledRows:
    """Where one submission's rows are in a :class:`FlagSpill`."""

    __slots__ = ("offsets", "spill")

    def __init__(self, spill: FlagSpill, offsets: dict[str, int]) -> None:
        self.spill, self.offsets = spill, offsets

    @property
    def readable(self) -> bool:
        return not self.spill.closed

    def rows(self, severity: str) -> list[FlagRow]:
        offset = self.offsets.get(severity)
        return [] if offset is None else self.spill.load(offset)
