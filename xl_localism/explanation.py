"""What an assessment says as the stable JSON interface and as lines of plain words.

Every door shows the same explanation: the terminal, the Summary sheet, the Excel functions and
the JSON all take it from here. Plain data only: no terminal, no workbook library.
"""

from __future__ import annotations

from typing import Any

from xl_localism.models import Assessment, Component

JSON_VERSION = 1
# The scoring method the numbers follow (docs/method.md); JSON_VERSION is the shape of the keys.
METHOD_VERSION = 2


def _fraction(component: Component) -> float | None:
    return None if component.value is None else round(component.value, 4)


def to_json(assessment: Assessment) -> dict[str, Any]:
    """The stable machine interface: other tools read these keys, so they keep their meaning."""
    return {
        "version": JSON_VERSION,
        "method": METHOD_VERSION,
        "trust": assessment.trust,
        "trust_named": assessment.trust_named,
        "nation": assessment.nation.value,
        "region": assessment.region,
        "as_at": assessment.as_at.isoformat() if assessment.as_at else None,
        "source": assessment.source_name,
        "score": assessment.score,
        "rag": assessment.rag.value,
        "rag_before_cap": assessment.rag_before_cap.value,
        "capped_by": assessment.capped_by,
        "components": {
            "S": _fraction(assessment.self_assessment),
            "A": _fraction(assessment.alignment),
            "P": _fraction(assessment.performance),
        },
        "alignment": {
            "A1": _fraction(assessment.linkage),
            "A2": _fraction(assessment.driver_coverage),
            "A3": _fraction(assessment.measure_alignment),
        },
        "drivers": {d.driver.value: d.score for d in assessment.drivers},
        "driver_rag": {d.driver.value: d.rag.value if d.rag else None
                       for d in assessment.drivers},
        "driver_explanation": {d.driver.value: d.explanation for d in assessment.drivers},
        "ni_measurable": [d.value for d in assessment.ni_measurable],
        "progress": round(assessment.progress, 4),
        "performance": {
            "horizontal": _axis(assessment.performance_targets),
            "vertical": _axis(assessment.performance_measures),
        },
        "targets": [
            {"laa": t.laa, "ni": t.ni, "title": t.title, "role": t.role.value,
             "drivers": [d.value for d in t.drivers], "relevant": t.relevant, "linked": t.linked,
             "baseline": t.baseline, "target": t.target, "latest": t.latest,
             "expected": _rounded(t.expected), "status": t.status.value if t.status else None,
             "explanation": t.explanation, "sheet": t.sheet, "row": t.row}
            for t in assessment.targets
        ],
        "measures": [
            {"code": m.code, "measure": m.measure, "driver": m.driver.value if m.driver else None,
             "polarity": m.polarity.value if m.polarity else None, "target": m.target,
             "actual": m.actual, "linked_ni": m.linked_ni, "aligned": m.aligned,
             "counts_for_alignment": m.counts_for_alignment, "status": m.status.value,
             "explanation": m.explanation, "sheet": m.sheet, "row": m.row}
            for m in assessment.measures
        ],
        "flag_counts": {s.value: n for s, n in assessment.flag_counts().items()},
        "flags": [
            {"code": f.code, "severity": f.severity.value, "sheet": f.sheet, "cell": f.cell,
             "message": f.message, "action": f.action}
            for f in assessment.flags
        ],
        "explanation": explain(assessment),
    }


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _axis(component: Component) -> dict[str, Any]:
    """One axis of P: its value and how many of each status it pooled."""
    counts = component.counts
    return {"value": _fraction(component), "green": counts.get("Green", 0),
            "amber": counts.get("Amber", 0), "red": counts.get("Red", 0),
            "no_data": counts.get("No data", 0)}


def as_percent(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.1f}%"


def explain(assessment: Assessment) -> list[str]:
    """How the score was reached, line by line, for a manager to defend it to a board."""
    lines = [f"Progress: {assessment.progress_note}."]
    for component in assessment.components:
        if component.value is None:
            lines.append(f"{component.name}: {component.note}.")
        elif component is assessment.alignment:
            parts = [c for c in (assessment.linkage, assessment.driver_coverage,
                                 assessment.measure_alignment) if c.value is not None]
            lines.append(f"A = ({' + '.join(as_percent(c.value) for c in parts)}) / {len(parts)} = "
                         f"{as_percent(component.value)} ({component.note}).")
        else:
            lines.append(f"{component.name} = {component.numerator:g} / "
                         f"{component.denominator:g} = {as_percent(component.value)} "
                         f"({component.note}).")
    measurable = ", ".join(d.value for d in assessment.ni_measurable) or "none"
    lines.append(f"Drivers a National Indicator can show: {measurable}; A3 counts only measures "
                 "of these drivers (or with no driver), and a driver outside them has no A3.")
    settings = assessment.settings
    lines.append(f"Weights: S {settings.weight_self_assessment:g}, A "
                 f"{settings.weight_alignment:g}, P {settings.weight_performance:g}; "
                 f"Green ≥ {settings.green_threshold:g}, Amber ≥ {settings.amber_threshold:g}.")
    lines.append("Driver scores = 100 × (0.5×A1 + 0.25×A3 + 0.25×P) ÷ the sum of the weights of "
                 "the parts that exist:")
    lines.extend(f"{d.driver.value}: {d.explanation}." for d in assessment.drivers)
    lines.extend(assessment.notes)
    lines.append(f"Readiness {assessment.score:.1f} → {assessment.rag.value}.")
    return lines
