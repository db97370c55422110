"""The scoring engine: SPEC §4 (score, RAG, drivers) and §5 (flags) over validated models.

Pure Python: no files, no Excel. Every door (workbook, batch, Excel functions) calls :func:`assess`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from xl_localism.catalogue import Catalogue, NationalIndicator, default_catalogue
from xl_localism.flags import make_flag
from xl_localism.models import (
    Assessment,
    ChecklistItem,
    Component,
    DriverResult,
    Flag,
    IppfMeasure,
    LaaTarget,
    MeasureResult,
    Settings,
    Submission,
    TargetResult,
)
from xl_localism.status import (
    Progress,
    measure_status,
    progress_through_period,
    target_status,
)
from xl_localism.vocab import (
    DRIVER_NAMES,
    Driver,
    Nation,
    Polarity,
    Rag,
    Role,
    Severity,
    Status,
    TargetStatus,
    ref_key,
    round_half_up,
)

RA_DUTY_START = date(2010, 4, 1)
STATUS_VALUE = {Status.COMPLETE: 1.0, Status.IN_PROGRESS: 0.5, Status.NOT_STARTED: 0.0}
DRIVER_WEIGHTS = {"linkage": 0.5, "measure_alignment": 0.25, "performance": 0.25}
# VM and CS have few National Indicators, so an uncovered one is worth knowing, not a warning.
QUIET_DRIVERS = frozenset({Driver.VM, Driver.CS})


@dataclass(frozen=True)
class ResolvedMeasure:
    """A Measures row with the catalogue's defaults filled into its blank cells."""

    row: IppfMeasure
    driver: Driver | None
    polarity: Polarity | None
    linked_ni: list[str]
    same_outcome_as: str | None
    default_name: str | None = None


@dataclass(frozen=True)
class _Facts:
    """What every rule needs, worked out once."""

    submission: Submission
    catalogue: Catalogue
    wales: bool
    targets: list[TargetResult]
    target_rows: list[LaaTarget]
    measures: list[ResolvedMeasure]
    objective_refs: frozenset[str]
    targets_sheet_nis: frozenset[str]
    progress: Progress
    ni_measurable: frozenset[Driver]
    measure_results: list[MeasureResult]

    def relevant(self) -> list[tuple[TargetResult, LaaTarget]]:
        pairs = zip(self.targets, self.target_rows, strict=True)
        return [(result, row) for result, row in pairs if result.relevant]


def assess(submission: Submission, catalogue: Catalogue | None = None) -> Assessment:
    """Score a trust's readiness, per driver and overall, and list every flag."""
    facts = _facts(submission, workbook_catalogue(submission, catalogue))
    settings = submission.settings

    self_assessment = _self_assessment(submission.checklist, facts.wales, settings)
    linkage = _linkage([r for r, _ in facts.relevant()], facts.wales)
    coverage = _driver_coverage(facts)
    measure_alignment = _measure_alignment(
        [m for m in facts.measure_results if m.counts_for_alignment], "A3")
    alignment = _mean_of("A", [linkage, coverage, measure_alignment], settings.weight_alignment)
    relevant = [r for r, _ in facts.relevant()]
    performance = _performance(relevant, facts.measure_results, settings.weight_performance)
    performance_targets = _performance(relevant, [], name="P horizontal")
    performance_measures = _performance([], facts.measure_results,
                                        name="P vertical")

    score, score_note = _weighted_score(
        [(self_assessment, settings.weight_self_assessment),
         (alignment, settings.weight_alignment),
         (performance, settings.weight_performance)]
    )
    flags = sorted(
        [*submission.problems, *_flags(facts)], key=Flag.sort_key
    )
    rag_before_cap = _rag(score, settings)
    capped_by = sorted({f.code for f in flags if f.severity == "critical"})
    rag = Rag.AMBER if rag_before_cap is Rag.GREEN and capped_by else rag_before_cap

    about = submission.about
    notes = [score_note]
    if about.as_at is None:
        notes.append("There is no As at date, so the Responsible Authority check (checklist "
                     "D1, due from 1 April 2010) was not run.")
    if capped_by:
        notes.append(
            f"Critical flags ({', '.join(capped_by)}) cap the RAG at Amber"
            + (" and did so here." if rag is not rag_before_cap else "; it was not Green anyway.")
        )
    return Assessment(
        trust=about.trust,
        trust_named=about.trust_named,
        nation=about.nation,
        as_at=about.as_at,
        region=about.region,
        score=score,
        rag=rag,
        rag_before_cap=rag_before_cap,
        capped_by=capped_by,
        self_assessment=self_assessment,
        alignment=alignment,
        performance=performance,
        linkage=linkage,
        driver_coverage=coverage,
        measure_alignment=measure_alignment,
        performance_targets=performance_targets,
        performance_measures=performance_measures,
        progress=facts.progress.fraction,
        progress_note=facts.progress.note,
        ni_measurable=[d for d in Driver if d in facts.ni_measurable],
        drivers=[_driver_result(d, facts, settings) for d in Driver],
        targets=facts.targets,
        measures=facts.measure_results,
        flags=flags,
        settings=settings,
        notes=notes,
        source_name=submission.source_name,
    )


# ---------------------------------------------------------------------------------------------
# Facts


def workbook_catalogue(submission: Submission, catalogue: Catalogue | None = None) -> Catalogue:
    """The shipped catalogue with the workbook's own Indicators rows laid over it."""
    base = catalogue or default_catalogue()
    if not submission.indicators:
        return base
    return base.with_overrides(indicators=[
        NationalIndicator(code=row.ni, polarity=row.polarity, drivers=row.drivers,
                          title=row.title or (base.indicators[row.ni].title
                                              if row.ni in base.indicators else row.ni))
        for row in submission.indicators
    ])


def resolve_measure(row: IppfMeasure, catalogue: Catalogue) -> ResolvedMeasure:
    default = catalogue.measure(row.code)
    return ResolvedMeasure(
        row=row,
        driver=row.driver or (default.driver if default else None),
        polarity=row.polarity or (default.polarity if default else None),
        linked_ni=row.linked_ni or (list(default.linked_ni) if default else []),
        same_outcome_as=default.same_outcome_as if default else None,
        default_name=default.measure if default else None,
    )


def evaluate_target(
    row: LaaTarget, catalogue: Catalogue, settings: Settings, wales: bool,
    objective_refs: frozenset[str], progress: Progress,
) -> TargetResult:
    indicator = catalogue.indicators.get(row.ni)
    drivers = list(indicator.drivers) if indicator else []
    relevant = bool(drivers) and row.role in (Role.LEAD, Role.CONTRIBUTOR)
    status = expected = shortfall = None
    explanation = (f"{row.ni} is not in the catalogue of National Indicators relevant to "
                   "probation, so it is not judged")
    if indicator is not None:
        status, expected, shortfall, explanation = target_status(
            row.baseline, row.target, row.latest, indicator.polarity,
            progress.fraction, settings.tolerance, progress.as_at,
        )
    return TargetResult(
        laa=row.laa,
        ni=row.ni,
        title=row.indicator or (indicator.title if indicator else None),
        role=row.role,
        drivers=drivers,
        relevant=relevant,
        linked=None if wales else _plan_ref_matches(row.plan_ref, objective_refs),
        status=status,
        baseline=row.baseline,
        target=row.target,
        latest=row.latest,
        expected=expected,
        shortfall=shortfall,
        explanation=explanation,
        sheet=row.source.sheet if row.source else None,
        row=row.source.row if row.source else None,
    )


def evaluate_measure(
    measure: ResolvedMeasure, settings: Settings, ni_measurable: frozenset[Driver],
    targets_sheet_nis: frozenset[str],
) -> MeasureResult:
    row = measure.row
    status, _, shortfall, explanation = measure_status(
        row.target, row.actual, measure.polarity, settings.tolerance)
    return MeasureResult(
        code=row.code,
        measure=row.measure or measure.default_name,
        driver=measure.driver,
        polarity=measure.polarity,
        target=row.target,
        actual=row.actual,
        linked_ni=measure.linked_ni,
        aligned=bool(set(measure.linked_ni) & targets_sheet_nis),
        counts_for_alignment=measure.driver is None or measure.driver in ni_measurable,
        status=status,
        shortfall=shortfall,
        explanation=explanation,
        sheet=row.source.sheet if row.source else None,
        row=row.source.row if row.source else None,
    )


def _plan_ref_matches(plan_ref: str | None, objective_refs: frozenset[str]) -> bool:
    # A target may serve several objectives: "BP2.1; BP3".
    if not plan_ref:
        return False
    return any(ref_key(part) in objective_refs for part in plan_ref.replace(";", ",").split(","))


def _facts(submission: Submission, catalogue: Catalogue) -> _Facts:
    wales = submission.about.nation is Nation.WALES
    settings = submission.settings
    objective_refs = frozenset(ref_key(o.ref) for o in submission.objectives)
    progress = progress_through_period(submission.about.as_at, settings.laa_start,
                                       settings.laa_end, settings.progress)
    targets = [
        evaluate_target(row, catalogue, settings, wales, objective_refs, progress)
        for row in submission.targets
    ]
    targets_sheet_nis = frozenset(t.ni for t in submission.targets)
    ni_measurable = catalogue.ni_measurable_drivers()
    measures = [resolve_measure(m, catalogue) for m in submission.measures]
    return _Facts(
        submission=submission,
        catalogue=catalogue,
        wales=wales,
        targets=targets,
        target_rows=list(submission.targets),
        measures=measures,
        objective_refs=objective_refs,
        targets_sheet_nis=targets_sheet_nis,
        progress=progress,
        ni_measurable=ni_measurable,
        measure_results=[evaluate_measure(m, settings, ni_measurable, targets_sheet_nis)
                         for m in measures],
    )


# ---------------------------------------------------------------------------------------------
# Components (SPEC §4.3)


def applicable_items(checklist: list[ChecklistItem], wales: bool) -> list[ChecklistItem]:
    return [
        item for item in checklist
        if item.status is not Status.NOT_APPLICABLE and (wales or not item.is_wales_only)
    ]


def _self_assessment(checklist: list[ChecklistItem], wales: bool, settings: Settings) -> Component:
    items = applicable_items(checklist, wales)
    total_weight = sum(i.weight for i in items)
    achieved = sum(i.weight * STATUS_VALUE[i.status] for i in items)
    not_applicable = [i.id for i in checklist if i.status is Status.NOT_APPLICABLE]
    wales_only = [i.id for i in checklist if not wales and i.is_wales_only
                  and i.status is not Status.NOT_APPLICABLE]
    reasons = [f"{', '.join(ids)} {why}" for ids, why in (
        (not_applicable, "Not applicable"), (wales_only, "Wales-only, outside Wales")) if ids]
    note = f"{len(items)} applicable checklist item(s)"
    if reasons:
        note += f"; left out: {'; '.join(reasons)}"
    if total_weight == 0:
        return Component(name="S", value=0.0, numerator=0, denominator=0,
                         weight=settings.weight_self_assessment,
                         note=note + "; no applicable weight, so S = 0")
    return Component(name="S", value=achieved / total_weight, numerator=achieved,
                     denominator=total_weight, weight=settings.weight_self_assessment, note=note)


def _linkage(relevant: list[TargetResult], wales: bool, name: str = "A1") -> Component:
    if wales:
        return Component(name=name, value=None, note="left out in Wales: LAAs and NIs do not apply")
    if not relevant:
        # England with nothing linked to the NIs probation is measured on: nothing is ready.
        return Component(name=name, value=0.0, numerator=0, denominator=0,
                         note="no relevant LAA targets, so 0 in England")
    linked = sum(1 for r in relevant if r.linked)
    return Component(name=name, value=linked / len(relevant), numerator=linked,
                     denominator=len(relevant),
                     note="relevant targets whose Plan ref matches an Objectives Ref")


def covered_drivers(facts: _Facts) -> set[Driver]:
    covered = {d for r, _ in facts.relevant() for d in r.drivers}
    covered.update(d for o in facts.submission.objectives for d in o.drivers)
    return covered


def _driver_coverage(facts: _Facts) -> Component:
    covered = covered_drivers(facts)
    names = ", ".join(d.value for d in Driver if d in covered) or "none"
    return Component(name="A2", value=len(covered) / len(Driver), numerator=len(covered),
                     denominator=len(Driver), note=f"drivers covered: {names}")


def _measure_alignment(measures: list[MeasureResult], name: str, why_none: str = "") -> Component:
    """Measures with a Linked NI on the Targets sheet, over the measures given (SPEC §4.3 A3)."""
    if not measures:
        return Component(name=name, value=None,
                         note=why_none or "left out: no IPPF measure of a driver that a "
                         "National Indicator can show")
    aligned = sum(1 for m in measures if m.aligned)
    return Component(name=name, value=aligned / len(measures), numerator=aligned,
                     denominator=len(measures),
                     note="measures with a Linked NI that appears on the Targets sheet")


def _performance(targets: list[TargetResult], measures: list[MeasureResult],
                 weight: float | None = None, name: str = "P") -> Component:
    """(Green + 0.5·Amber) ÷ n over the targets' and measures' statuses that have data."""
    statuses = [t.status for t in targets if t.status is not None]
    statuses += [m.status for m in measures]
    counts = {str(s): statuses.count(s) for s in TargetStatus}
    with_data = len(statuses) - counts[TargetStatus.NO_DATA]
    what = " and ".join(part for part, present in (
        (f"{len(targets)} relevant LAA target(s)", targets),
        (f"{len(measures)} IPPF measure(s)", measures)) if present) or "nothing to judge"
    if not with_data:
        return Component(name=name, value=None, weight=weight, counts=counts,
                         note=f"left out: no status with data ({what})")
    green, amber = counts[TargetStatus.GREEN], counts[TargetStatus.AMBER]
    points = green + 0.5 * amber
    return Component(name=name, value=points / with_data, numerator=points,
                     denominator=with_data, weight=weight, counts=counts,
                     note=f"{green} Green + 0.5 × {amber} Amber over {with_data} with data, "
                     f"of {what}")


def _mean_of(name: str, parts: list[Component], weight: float) -> Component:
    present = [p for p in parts if p.exists]
    values = [p.value for p in present if p.value is not None]
    return Component(
        name=name, value=sum(values) / len(values), numerator=sum(values),
        denominator=len(values), weight=weight,
        note="mean of " + ", ".join(p.name for p in present),
    )


def _weighted_score(parts: list[tuple[Component, float]]) -> tuple[float, str]:
    present = [(c, w) for c, w in parts if c.value is not None]
    total_weight = sum(w for _, w in present)
    if total_weight == 0:
        return 0.0, "Every component that exists has weight 0, so the score is 0."
    raw = 100 * sum(w * (c.value or 0.0) for c, w in present) / total_weight
    terms = " + ".join(f"{w:g}×{c.name}" for c, w in present)
    return round_half_up(raw), f"Score = 100 × ({terms}) ÷ {total_weight:g} = {raw:.2f}"


def _rag(score: float, settings: Settings) -> Rag:
    # The RAG follows the score as reported (one decimal) so a shown 70.0 is never Amber.
    if score >= settings.green_threshold:
        return Rag.GREEN
    if score >= settings.amber_threshold:
        return Rag.AMBER
    return Rag.RED


# ---------------------------------------------------------------------------------------------
# Per driver (SPEC §4.5)


def _driver_result(driver: Driver, facts: _Facts, settings: Settings) -> DriverResult:
    relevant = [r for r, _ in facts.relevant() if driver in r.drivers]
    if facts.wales:
        linkage = _linkage(relevant, True, "A1")
    elif relevant:
        linkage = _linkage(relevant, False, "A1")
    else:
        linkage = Component(name="A1", value=None, note=f"left out: no relevant {driver} targets")
    measures = [m for m in facts.measure_results if m.driver is driver]
    ni_measurable = driver in facts.ni_measurable
    if ni_measurable:
        alignment = _measure_alignment(measures, "A3", f"left out: no {driver} measures")
    else:
        alignment = Component(name="A3", value=None,
                              note=f"left out: no National Indicator carries {driver}, so its "
                              "measures have none to link to")
    performance = _performance(relevant, measures, name="P")
    parts = [(linkage, DRIVER_WEIGHTS["linkage"]),
             (alignment, DRIVER_WEIGHTS["measure_alignment"]),
             (performance, DRIVER_WEIGHTS["performance"])]
    present = [(c, w) for c, w in parts if c.value is not None]
    score = None
    if present:
        total = sum(w for _, w in present)
        raw = 100 * sum(w * (c.value or 0.0) for c, w in present) / total
        score = round_half_up(raw)
        terms = " + ".join(f"{w:g}×{c.name} {100 * (c.value or 0.0):.1f}%" for c, w in present)
        explanation = f"100 × ({terms}) ÷ {total:g} = {raw:.2f}"
        left_out = [c for c, _ in parts if c.value is None]
        if left_out:
            explanation += "; " + "; ".join(f"{c.name} {c.note}" for c in left_out)
    else:
        explanation = "not covered: " + "; ".join(f"{c.name} {c.note}" for c, _ in parts)
    return DriverResult(
        driver=driver,
        name=DRIVER_NAMES[driver],
        score=score,
        rag=_rag(score, settings) if score is not None else None,
        covered=driver in covered_drivers(facts),
        ni_measurable=ni_measurable,
        relevant_targets=len(relevant),
        measures=len(measures),
        linkage=linkage,
        measure_alignment=alignment,
        performance=performance,
        explanation=explanation,
    )


# ---------------------------------------------------------------------------------------------
# Flags (SPEC §5)


def _flags(facts: _Facts) -> list[Flag]:
    return [
        *_override_flags(facts),
        *_checklist_flags(facts),
        *_target_flags(facts),
        *_measure_flags(facts),
        *_coverage_flags(facts),
    ]


def _override_flags(facts: _Facts) -> list[Flag]:
    """Say where a workbook's own catalogue changed the rules, so a reviewer can see it."""
    shipped = default_catalogue().indicators
    flags = []
    for row in facts.submission.indicators:
        before = shipped.get(row.ni)
        was = (f"'{before.polarity}' is better, drivers {', '.join(before.drivers) or 'none'}"
               if before else "not in the shipped catalogue")
        now = f"'{row.polarity}' is better, drivers {', '.join(row.drivers) or 'none'}"
        flags.append(make_flag("CATALOGUE_OVERRIDDEN",
                               f"This workbook defines {row.ni} as {now} (shipped: {was}).",
                               row.source, "ni"))
    return flags


def _checklist_flags(facts: _Facts) -> list[Flag]:
    submission = facts.submission
    about = submission.about
    by_id = {item.id.upper(): item for item in reversed(submission.checklist)}
    flags: list[Flag] = []

    def not_complete(item_id: str, code: str, what: str) -> None:
        item = by_id.get(item_id)
        if item is None:
            flags.append(make_flag(code, f"Checklist item {item_id} ({what}) is missing.",
                                   sheet="Checklist"))
        elif item.status is not Status.COMPLETE:
            flags.append(make_flag(code, f"Checklist item {item_id} ({what}) "
                                   f"{_status_text(item)}, not Complete.", item.source, "status"))

    not_complete("B1", "POSITION_STATEMENT_MISSING", "Position Statement produced")
    if about.as_at is not None and about.as_at >= RA_DUTY_START:
        not_complete("D1", "RA_DUTY_UNMET", "CDRP representation as a Responsible Authority")

    for item in applicable_items(submission.checklist, facts.wales):
        if item.status is Status.COMPLETE and not item.evidence:
            flags.append(make_flag("CHECKLIST_UNEVIDENCED",
                                   f"{item.id} is Complete but has no Evidence.",
                                   item.source, "evidence"))
        if (item.status is not Status.COMPLETE and item.due and about.as_at
                and item.due < about.as_at):
            flags.append(make_flag("CHECKLIST_OVERDUE",
                                   f"{item.id} was due {item.due:%d %b %Y} and "
                                   f"{_status_text(item)} at {about.as_at:%d %b %Y}.",
                                   item.source, "due"))
    return flags


def _status_text(item: ChecklistItem) -> str:
    """'is 'In progress'', or what an unreadable Status cell held and how it was counted."""
    found = item.source.unread.get("status") if item.source else None
    if found is not None:
        return f"has an unreadable Status ({found}), counted as '{item.status}'"
    return f"is '{item.status}'"


def _target_flags(facts: _Facts) -> list[Flag]:
    tracked = {ni for m in facts.measures for ni in m.linked_ni}
    tracked.update(ni for o in facts.submission.objectives for ni in o.linked_ni)
    flags: list[Flag] = []
    if facts.wales and facts.target_rows:
        flags.append(make_flag(
            "NI_IN_WALES",
            f"{len(facts.target_rows)} target(s) use National Indicators, which do not apply "
            "in Wales. They still count as local partnership targets towards driver coverage "
            "(A2) and performance (P); linkage (A1) is not assessed in Wales.",
            facts.target_rows[0].source, "ni",
        ))
    for result, row in facts.relevant():
        label = f"{result.ni} ({result.laa})"
        if result.linked is False:
            flags.append(make_flag("LAA_UNLINKED",
                                   f"{label} has no Plan ref matching a Business Plan objective.",
                                   row.source, "plan_ref"))
        if result.ni not in tracked:
            flags.append(make_flag("NI_NOT_TRACKED",
                                   f"{label}: no IPPF measure or objective links to {result.ni}.",
                                   row.source, "ni"))
        if result.status is TargetStatus.RED:
            flags.append(make_flag("TARGET_OFF_TRACK", f"{label} is Red: {result.explanation}.",
                                   row.source, "latest"))
        elif result.status is TargetStatus.NO_DATA:
            missing = [f for f in ("baseline", "target", "latest") if getattr(row, f) is None]
            flags.append(make_flag("TARGET_NO_DATA", f"{label} has {_missing_text(row, missing)}, "
                                   "so its status is No data and it is left out of P.",
                                   row.source, missing[0]))
    return flags


def _missing_text(row: LaaTarget | IppfMeasure, fields: list[str]) -> str:
    """'no Latest' or, for a cell that could not be read, what it held."""
    parts = []
    for name in fields:
        header = name.replace("_", " ").capitalize()
        found = row.source.unread.get(name) if row.source else None
        parts.append(f"an unreadable {header} ({found})" if found else f"no {header}")
    return " or ".join(parts)


def _measure_flags(facts: _Facts) -> list[Flag]:
    flags: list[Flag] = []
    for m, result in zip(facts.measures, facts.measure_results, strict=True):
        code = m.row.code
        if not result.aligned:
            linked = (f"links to {', '.join(m.linked_ni)}, which is not on the Targets sheet"
                       if m.linked_ni else "has no Linked NI")
            if result.counts_for_alignment:
                message = f"Measure {code} {linked}: it answers to IPPF only."
                severity = action = None
            else:
                driver = m.driver.title if m.driver else ""
                message = (f"Measure {code} {linked}; no National Indicator carries {m.driver} "
                           f"({driver}), so it answers to IPPF only, as expected.")
                severity = Severity.INFO
                action = ("Nothing to link: report this measure through IPPF and describe the "
                          "work in the Position Statement.")
            flags.append(make_flag("IPPF_VERTICAL_ONLY", message, m.row.source, "linked_ni",
                                   severity=severity, action=action))
        if result.status is TargetStatus.RED:
            flags.append(make_flag("MEASURE_OFF_TRACK",
                                   f"Measure {code} is Red: {result.explanation}.",
                                   m.row.source, "actual"))
        elif result.status is TargetStatus.NO_DATA:
            missing = [f for f in ("target", "actual") if getattr(m.row, f) is None]
            what = _missing_text(m.row, missing) if missing else ""
            if m.polarity is None:
                what = " or ".join(p for p in (what, "no Polarity (none given and no default "
                                                     f"for the code {code})") if p)
                missing.append("polarity")
            flags.append(make_flag("MEASURE_NO_DATA", f"Measure {code} has {what}, so its "
                                   "status is No data and it is left out of P.",
                                   m.row.source, missing[0]))
        if m.same_outcome_as is None:
            continue
        if m.same_outcome_as in facts.targets_sheet_nis:
            flags.append(make_flag(
                "COUNT_DUPLICATE",
                f"Measure {code} measures the same outcome as {m.same_outcome_as}, which is also "
                "an LAA target.", m.row.source, "code"))
        indicator = facts.catalogue.indicators.get(m.same_outcome_as)
        if indicator and m.polarity and m.polarity is not indicator.polarity:
            flags.append(make_flag(
                "POLARITY_CONFLICT",
                f"Measure {code} counts '{m.polarity} is better' but {m.same_outcome_as}, which "
                f"measures the same outcome, counts '{indicator.polarity} is better'.",
                m.row.source, "polarity"))
    return flags


def _coverage_flags(facts: _Facts) -> list[Flag]:
    covered = covered_drivers(facts)
    return [
        make_flag(
            "DRIVER_UNCOVERED",
            f"No relevant LAA target or business plan objective carries {d} ({d.title}).",
            sheet="Business Plan",
            severity=Severity.INFO if d in QUIET_DRIVERS else None,
        )
        for d in Driver if d not in covered
    ]
