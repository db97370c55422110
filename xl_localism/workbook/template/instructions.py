"""The text of the template's Instructions sheet: what the workbook is for, how to fill it in,
each sheet, the lists, how the score works, the settings, the NIs and the IPPF codes.

Lines of text only (style, column A, column B); the writer lays them out.
"""

from __future__ import annotations

from datetime import date

from xl_localism import schema
from xl_localism.catalogue import default_catalogue
from xl_localism.models import Settings
from xl_localism.vocab import DRIVER_NAMES, Driver, Nation, Polarity, Role, Status
from xl_localism.workbook.template.rules import SETTING_HINTS, figure

# --- Instructions ----------------------------------------------------------------------------

_SHEET_NOTES: dict[str, str] = {
    "about": "Your trust's name, the nation (England or Wales), the date the workbook describes "
             "(As at), who prepared it and your region.",
    "checklist": "The readiness checklist. Set each item's Status; give the Evidence for each "
                 "Complete item, and an Owner and Due date for the rest. Weight is 1 unless an "
                 "item should count more (or 0 to leave it out).",
    "targets": "One row for each LAA improvement target your trust leads on or contributes to: "
               "the LAA, the NI code, the baseline, the target, the latest value, your role and "
               "the Plan ref of the business plan objective that delivers it. The Indicator "
               "title fills in by itself.",
    "measures": "Your IPPF performance measures with their target and actual values. For the "
                "standard codes listed below, Driver, Polarity and Linked NI may be left blank.",
    "objectives": "Your 2010/11 business plan objectives, each with its outcome driver(s) and "
                  "the NIs it addresses. A target is linked when its Plan ref equals an "
                  "objective's Ref.",
    "settings": "Optional. The weights and thresholds of the score, the LAA period the targets "
                "run over and the tolerance. Leave the defaults unless they have been agreed "
                "otherwise.",
    "indicators": "Optional, usually empty. A National Indicator your partnership counts that "
                  "the shipped probation list does not (or maps to other drivers): its NI, "
                  "title, polarity and drivers. Each row is shown as a flag when scored.",
}

_PURPOSE = (
    "From April 2010 probation trusts are Responsible Authorities in their local Crime and "
    "Disorder Reduction Partnerships (CDRPs; Community Safety Partnerships in Wales).",
    "From April 2011 their performance is also measured against the outcome National Indicators "
    "(NIs) that councils and partners report through Local Area Agreements (LAAs), as well as "
    "against the Integrated Probation Performance Framework (IPPF).",
    "The Probation Association asks every trust to raise awareness of these duties, to publish a "
    "Position Statement, and to link every relevant LAA improvement target to its 2010/11 "
    "business plan and performance management.",
    "This workbook records your readiness checklist, the LAA targets you lead on or contribute "
    "to, your IPPF measures and your business plan objectives.",
    "xl-localism reads it and gives a readiness score with a red / amber / green rating, overall "
    "and for each of the five IPPF outcome drivers, and a list of things to put right.",
    "Use one workbook per trust per reporting period. In Wales the NIs do not apply; Welsh "
    "trusts align with Welsh Assembly Government frameworks instead.",
)

_HOW_TO = (
    "Fill in the yellow cells. Grey cells are worked out for you; white cells are given.",
    "Click a cell to see what it expects. Cells with a drop-down arrow offer a list to choose "
    "from.",
    "To add a row, type in the row just below a table: the table grows and keeps its drop-downs.",
    "Do not rename the sheets, the tables or the column headings: xl-localism finds your data "
    "by them.",
)

Line = tuple[str, str, str]  # (style, column A, column B)


def instruction_lines(trust: str | None) -> list[Line]:
    catalogue = default_catalogue()
    defaults = Settings()
    lines: list[Line] = [("title", "Localism readiness workbook", "")]
    if trust:
        label = next(k for k, (field, _) in schema.ABOUT_FIELDS.items() if field == "trust")
        lines.append(("label", label, trust))
    lines.append(("heading", "What it is for", ""))
    lines += [("text", "", text) for text in _PURPOSE]
    lines.append(("heading", "How to fill it in", ""))
    lines += [("text", "", text) for text in _HOW_TO]

    lines.append(("heading", "The sheets", ""))
    for spec in schema.TABLES:
        required = ", ".join(c.header for c in spec.columns if c.required)
        lines.append(("label", spec.sheet, f"{_SHEET_NOTES[spec.key]} Required columns: "
                                           f"{required}."))
    lines.append(("label", f"{schema.SUMMARY_SHEET}, {schema.FLAGS_SHEET}",
                  "Written by xl-localism each time the workbook is scored: the score, rating and "
                  "driver breakdown (Summary) and the problems found with suggested actions "
                  "(Flags). Do not type in them; they are replaced."))

    lines.append(("heading", "The lists", ""))
    lines.append(("label", "Status", ", ".join(s.value for s in Status)
                  + ". Blank means Not started; N/A means Not applicable."))
    lines.append(("label", "Probation role", ", ".join(r.value for r in Role)
                  + ". Only Lead and Contributor targets count; blank means None."))
    lines.append(("label", "Driver", "; ".join(f"{d.value} {DRIVER_NAMES[d]}" for d in Driver)
                  + ". Type the key or the name; several drivers may be separated by commas."))
    lines.append(("label", "Polarity", f"{Polarity.HIGHER.value} or {Polarity.LOWER.value}: "
                  "whether a higher or a lower value is better."))
    lines.append(("label", "Nation", " or ".join(n.value for n in Nation) + "."))
    lines.append(("label", "NI", "A National Indicator code, e.g. NI 18 (NI18 and 18 also "
                  "work). Linked NI cells may hold several codes separated by commas."))

    weights = (f"{figure(defaults.weight_self_assessment)}, "
               f"{figure(defaults.weight_alignment)} and {figure(defaults.weight_performance)}")
    lines.append(("heading", "How the score works", ""))
    lines += [("text", "", text) for text in (
        "A target is relevant when its NI is one of the probation NIs below and your Probation "
        "role is Lead or Contributor.",
        "Self-assessment: the share of applicable checklist items that are Complete (In progress "
        "counts half; Not applicable items, and the Wales item outside Wales, are left out).",
        "Alignment: the share of relevant targets linked to a business plan objective, the share "
        "of the five drivers covered by a target or an objective, and the share of IPPF measures "
        "linked to an NI on the LAA Targets sheet.",
        "Performance: relevant targets on track, comparing the latest value with where the "
        "trajectory from Baseline to Target should be at the As at date, and IPPF measures "
        "against their own Target. Green counts 1, Amber a half, Red nothing.",
        "Courts work (CS) has no National Indicator, so it is judged on its IPPF measures alone "
        "and never marked down for what no NI can show.",
        f"The score is 100 times the weighted mean of the three (weights {weights}). "
        f"{figure(defaults.green_threshold)} or more is Green, "
        f"{figure(defaults.amber_threshold)} or more Amber, otherwise Red.",
        "Without a Position Statement (checklist B1), or from April 2010 without a seat on every "
        "CDRP (D1), the rating is at best Amber. The Config sheet can change weights, "
        "thresholds and the LAA period.",
        "Every formula, with a worked example, is in the method published with xl-localism "
        "(docs/method.md).",
    )]

    lines.append(("heading", "Settings (Config sheet)", ""))
    for name in Settings.model_fields:
        default = Settings.model_fields[name].default
        shown = ("blank" if default is None else f"{default:%d/%m/%Y}"
                 if isinstance(default, date) else figure(default))
        lines.append(("label", name, f"{SETTING_HINTS[name]}. Default: {shown}."))
    lines.append(("text", "", "A value typed with a percent sign is per cent of the setting's "
                  "own scale: 75% is 75 for a threshold and 0.75 for a weight, progress or "
                  "tolerance. A value out of range is flagged and the default is used."))

    lines.append(("heading", "Probation NIs", ""))
    for ni in catalogue.indicators.values():
        drivers = ", ".join(d.value for d in ni.drivers)
        lines.append(("label", ni.code, f"{ni.title} ({ni.polarity.value} is better; {drivers})"))

    lines.append(("heading", "Standard IPPF codes", ""))
    for measure in catalogue.measures.values():
        linked = f"; linked to {', '.join(measure.linked_ni)}" if measure.linked_ni else ""
        lines.append(("label", measure.code, f"{measure.measure} ({measure.driver.value}, "
                                             f"{measure.polarity.value} is better{linked})"))
    return lines

