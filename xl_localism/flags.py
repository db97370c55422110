"""The flag vocabulary of SPEC §5: each code's severity and the action we suggest to a manager."""

from __future__ import annotations

from typing import NamedTuple

from xl_localism.models import Flag, Source
from xl_localism.vocab import Severity


class FlagRule(NamedTuple):
    severity: Severity
    action: str


FLAG_RULES: dict[str, FlagRule] = {
    "POSITION_STATEMENT_MISSING": FlagRule(
        Severity.CRITICAL,
        "Produce the Position Statement / Statement of Intent (Recommendation 2) and mark "
        "checklist item B1 Complete.",
    ),
    "RA_DUTY_UNMET": FlagRule(
        Severity.CRITICAL,
        "Secure strategic-level representation on every CDRP in the area (Responsible Authority "
        "duty from April 2010) and mark D1 Complete.",
    ),
    "LAA_UNLINKED": FlagRule(
        Severity.WARNING,
        "Give the target a Plan ref that matches a Business Plan objective (Recommendation 3).",
    ),
    "NI_NOT_TRACKED": FlagRule(
        Severity.WARNING,
        "Link an IPPF measure or a business plan objective to this NI so progress is managed.",
    ),
    "IPPF_VERTICAL_ONLY": FlagRule(
        Severity.WARNING,
        "Record the National Indicator this measure contributes to, or add that NI's LAA target.",
    ),
    "DRIVER_UNCOVERED": FlagRule(
        Severity.WARNING,
        "Add a business plan objective or a relevant LAA target for this outcome driver.",
    ),
    "COUNT_DUPLICATE": FlagRule(
        Severity.INFO,
        "Collect once, use numerous times: report this measure and the NI from the same data.",
    ),
    "POLARITY_CONFLICT": FlagRule(
        Severity.ERROR,
        "Check the measure's Polarity: it should match the National Indicator of the same outcome.",
    ),
    "TARGET_OFF_TRACK": FlagRule(
        Severity.WARNING,
        "Agree a recovery plan with the partnership and record it against the Plan ref.",
    ),
    "TARGET_NO_DATA": FlagRule(
        Severity.INFO,
        "Enter the Baseline, Target and Latest values so progress can be assessed.",
    ),
    "MEASURE_OFF_TRACK": FlagRule(
        Severity.WARNING,
        "Agree how the measure will be brought back to its IPPF target and record it in the "
        "business plan.",
    ),
    "MEASURE_NO_DATA": FlagRule(
        Severity.INFO,
        "Enter the measure's Target and Actual (and its Polarity where the code has no default) "
        "so its performance can be assessed.",
    ),
    "CHECKLIST_UNEVIDENCED": FlagRule(
        Severity.WARNING, "Record the evidence (document, minute or link) for this item."
    ),
    "CHECKLIST_OVERDUE": FlagRule(
        Severity.WARNING, "Complete the item or agree a new due date with its owner."
    ),
    "NI_INVALID": FlagRule(
        Severity.ERROR, "Use a National Indicator code from NI 1 to NI 198, such as 'NI 18'."
    ),
    "NI_IN_WALES": FlagRule(
        Severity.INFO,
        "National Indicators do not apply in Wales: align these targets with Welsh Assembly "
        "Government frameworks ('Made in Wales'); keep them only where they are your local "
        "partnership targets.",
    ),
    "DATA_INVALID": FlagRule(
        Severity.ERROR, "Correct the cell to what its column expects; the message says how it was "
        "scored meanwhile."),
    "FORMULA_NOT_CALCULATED": FlagRule(
        Severity.ERROR,
        "Open the workbook in Excel (or LibreOffice), let it calculate, and save it again; or "
        "type the value.",
    ),
    "DUPLICATE_ROW": FlagRule(
        Severity.WARNING, "Remove or merge the repeated row; only the first one was scored."
    ),
    "TABLE_MISSING": FlagRule(
        Severity.ERROR, "Add the sheet and its table, as in the xl-localism template."
    ),
    "COLUMN_MISSING": FlagRule(
        Severity.ERROR, "Add the column with this header, as in the xl-localism template."
    ),
    "COLUMN_IGNORED": FlagRule(
        Severity.WARNING, "Nothing to do if the column is yours; xl-localism does not read it."
    ),
    "CATALOGUE_OVERRIDDEN": FlagRule(
        Severity.INFO,
        "Check the Catalogue sheet's definition is agreed with the partnership; it changes "
        "which targets count and for which drivers.",
    ),
    "MACROS_PRESENT": FlagRule(
        Severity.INFO, "Macros were not run. Submit an .xlsx workbook if they are not needed."
    ),
}


def make_flag(
    code: str,
    message: str,
    source: Source | None = None,
    field: str | None = None,
    *,
    sheet: str | None = None,
    cell: str | None = None,
    severity: Severity | None = None,
    action: str | None = None,
) -> Flag:
    """A flag of a known code, located at ``field``'s cell of ``source`` when it has one.

    ``severity`` and ``action`` replace the code's own where the method says a case differs
    (an IPPF-only courts measure is information, and there is no NI to record for it).
    """
    rule = FLAG_RULES[code]
    return Flag(
        code=code,
        severity=severity or rule.severity,
        message=message,
        action=action or rule.action,
        sheet=sheet or (source.sheet if source else None),
        cell=cell or (source.cell(field) if source else None),
        row=source.row if source else None,
    )
