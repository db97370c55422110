"""The simplest script an analyst could write for a folder of submissions: no scoring at all.

Each workbook is read whole with ``pandas.read_excel(path, sheet_name=None)`` and a small
openpyxl workbook is written for its trust: the trust's name, each sheet's row count and the
checklist's statuses counted. A file pandas cannot read is logged and skipped. It does far less
than ``xl-localism batch`` (no validation, no score, no flags, no national report), so the batch
must beat it with everything it does, start-up included.

    python benchmarks/analyst_baseline.py SUBMISSIONS OUT
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font


def trust_name(sheets: dict[str, pd.DataFrame], fallback: str) -> str:
    about = sheets.get("About")
    if about is not None and about.shape[1] >= 2:
        for field, value in zip(about.iloc[:, 0], about.iloc[:, 1], strict=False):
            if str(field).strip().casefold() == "trust" and isinstance(value, str):
                return value.strip()
    return fallback


def summarise(path: Path, out: Path) -> Path:
    sheets = pd.read_excel(path, sheet_name=None)
    trust = trust_name(sheets, path.stem)
    workbook = Workbook()
    summary = workbook.active
    summary.title = "Summary"
    summary.append(["Trust", trust])
    summary.append(["Source file", path.name])
    summary["A1"].font = summary["A2"].font = Font(bold=True)
    summary.append([])
    summary.append(["Sheet", "Rows"])
    for name, frame in sheets.items():
        summary.append([name, len(frame)])
    checklist = sheets.get("Checklist")
    if checklist is not None and "Status" in checklist.columns:
        summary.append([])
        summary.append(["Checklist status", "Items"])
        for status, count in checklist["Status"].fillna("(blank)").value_counts().items():
            summary.append([str(status), int(count)])
    target = out / f"{path.stem}.xlsx"
    workbook.save(target)
    return target


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    folder, out = Path(argv[0]), Path(argv[1])
    out.mkdir(parents=True, exist_ok=True)
    paths = sorted(p for p in folder.rglob("*") if p.suffix.lower() in (".xlsx", ".xlsm")
                   and not p.name.startswith(("~$", ".")))
    written = failed = 0
    for path in paths:
        try:
            summarise(path, out)
            written += 1
        except Exception as error:  # the analyst's script logs and carries on
            print(f"skipped {path.name}: {error}", file=sys.stderr)
            failed += 1
    print(f"{written} summaries written, {failed} files skipped")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
