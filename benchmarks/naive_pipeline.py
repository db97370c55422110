"""The pipeline an analyst would write: pandas per sheet, the same engine, openpyxl per trust.

Deliberately ordinary code, as found in a team's shared scripts: ``pandas.read_excel`` with the
openpyxl engine once per input sheet, the rows handed to xl-localism's own validation and scoring
(so the scores are the same and only the plumbing differs), then one openpyxl workbook of results
per trust and a national workbook written with ``DataFrame.to_excel``. It writes less than
xl-localism does (no chart, no tables, no row heights, no links), which favours it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import datetime, time
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from xl_localism import schema
from xl_localism.engine import assess
from xl_localism.explanation import to_json
from xl_localism.models import Assessment
from xl_localism.tables import RawTable, build_submission

RAG_FILLS = {"Green": "C6EFCE", "Amber": "FFEB9C", "Red": "FFC7CE"}


def _plain(value: Any) -> Any:
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, datetime) and value.time() == time(0):
        return value.date()
    return value


def read_submission(path: Path) -> Assessment:
    tables: dict[str, RawTable | None] = {}
    for spec in schema.TABLES:
        try:
            frame = pd.read_excel(path, sheet_name=spec.sheet, engine="openpyxl")
        except ValueError:  # no such sheet
            tables[spec.key] = None
            continue
        headers = [None if str(h).startswith("Unnamed:") else h for h in frame.columns]
        rows = [[_plain(v) for v in row] for row in frame.itertuples(index=False)]
        tables[spec.key] = RawTable(sheet=spec.sheet, headers=headers, rows=rows)
    return assess(build_submission(tables, source_name=path.name))


def write_feedback(assessment: Assessment, path: Path) -> None:
    workbook = Workbook()
    summary = workbook.active
    summary.title = "Summary"
    summary.append(["Trust", assessment.trust])
    summary.append(["Score", assessment.score])
    summary.append(["RAG", assessment.rag.value])
    summary["B3"].fill = PatternFill("solid", fgColor=RAG_FILLS[assessment.rag.value])
    summary.append([])
    summary.append(["Driver", "Score", "RAG"])
    for cell in summary[5]:
        cell.font = Font(bold=True)
    for driver in assessment.drivers:
        summary.append([driver.driver.value, driver.score, driver.rag.value if driver.rag
                        else None])
        if driver.rag:
            summary.cell(summary.max_row, 3).fill = PatternFill(
                "solid", fgColor=RAG_FILLS[driver.rag.value])
    summary.append([])
    summary.append(["LAA", "NI", "Indicator", "Status", "Expected", "Shortfall"])
    for cell in summary[summary.max_row]:
        cell.font = Font(bold=True)
    for target in assessment.targets:
        summary.append([target.laa, target.ni, target.title,
                        target.status.value if target.status else None, target.expected,
                        target.shortfall])
    flags = workbook.create_sheet("Flags")
    flags.append(["Severity", "Code", "Sheet", "Cell", "Message", "Suggested action"])
    for cell in flags[1]:
        cell.font = Font(bold=True)
    for flag in assessment.flags:
        flags.append([flag.severity.value, flag.code, flag.sheet, flag.cell, flag.message,
                      flag.action])
    workbook.save(path)


def run(paths: Iterable[Path], out: Path) -> list[dict[str, Any]]:
    """Score every workbook, write a feedback workbook each and the national workbook."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "feedback").mkdir(exist_ok=True)
    results, rejected = [], []
    for index, path in enumerate(paths):
        try:
            assessment = read_submission(path)
        except Exception as error:  # the analyst's script logs and carries on
            rejected.append({"File": path.name, "Reason": str(error)})
            continue
        write_feedback(assessment, out / "feedback" / f"{index:05d}.xlsx")
        results.append(to_json(assessment) | {"source": str(path)})
    league = pd.DataFrame([{"Trust": r["trust"], "As at": r["as_at"], "Score": r["score"],
                            "RAG": r["rag"], **r["drivers"], **r["flag_counts"],
                            "Source file": r["source"]} for r in results])
    flags = pd.DataFrame([{"Trust": r["trust"], **f} for r in results for f in r["flags"]])
    with pd.ExcelWriter(out / "national_summary.xlsx", engine="openpyxl") as writer:
        league.sort_values("Score", ascending=False).to_excel(writer, sheet_name="League table",
                                                              index=False)
        flags.to_excel(writer, sheet_name="Flags", index=False)
        pd.DataFrame(rejected, columns=["File", "Reason"]).to_excel(writer, sheet_name="Rejected",
                                                                     index=False)
    return results
