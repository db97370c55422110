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
    Settings,
    Submission,
    TargetResult,
)
from xl_localism.status import target_status
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
    measure_alignment = _measure_alignment(facts.measures, facts.targets_sheet_nis)
    alignment = _mean_of("A", [linkage, coverage, measure_alignment], settings.weight_alignment)
    performance = _performance([r for r, _ in facts.relevant()], settings.weight_performance)

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
    if capped_by:
        notes.append(
            f"Critical flags ({', '.join(capped_by)}) cap the RAG at Amber"
            + (" and did so here." if rag is not rag_before_cap else "; it was not Green anyway.")
        )
    return Assessment(
        trust=about.trust,
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
        drivers=[_driver_result(d, facts, settings) for d in Driver],
        targets=facts.targets,
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
    )


def evaluate_target(
    row: LaaTarget, catalogue: Catalogue, settings: Settings, wales: bool,
    objective_refs: frozenset[str],
) -> TargetResult:
    indicator = catalogue.indicators.get(row.ni)
    drivers = list(indicator.drivers) if indicator else []
    relevant = bool(drivers) and row.role in (Role.LEAD, Role.CONTRIBUTOR)
    status = expected = shortfall = None
    if indicator is not None:
        result = target_status(
            row.baseline, row.target, row.latest, indicator.polarity,
            settings.progress, settings.tolerance,
        )
        status, expected, shortfall = result
    return TargetResult(
        laa=row.laa,
        ni=row.ni,
        title=row.indicator or (indicator.title if indicator else None),
        role=row.role,
        drivers=drivers,
        relevant=relevant,
        linked=None if wales else _plan_ref_matches(row.plan_ref, objective_refs),
        status=status,
        expected=expected,
        shortfall=shortfall,
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
    objective_refs = frozenset(ref_key(o.ref) for o in submission.objectives)
    targets = [
        evaluate_target(row, catalogue, submission.settings, wales, objective_refs)
        for row in submission.targets
    ]
    return _Facts(
        submission=submission,
        catalogue=catalogue,
        wales=wales,
        targets=targets,
        target_rows=list(submission.targets),
        measures=[resolve_measure(m, catalogue) for m in submission.measures],
        objective_refs=objective_refs,
        targets_sheet_nis=frozenset(t.ni for t in submission.targets),
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
    left_out = len(checklist) - len(items)
    total_weight = sum(i.weight for i in items)
    achieved = sum(i.weight * STATUS_VALUE[i.status] for i in items)
    why_left_out = f"; {left_out} item(s) left out (Not applicable, or Wales-only outside Wales)"
    note = f"{len(items)} applicable checklist item(s){why_left_out if left_out else ''}"
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


def _measure_alignment(
    measures: list[ResolvedMeasure], targets_sheet_nis: frozenset[str], name: str = "A3"
) -> Component:
    if not measures:
        return Component(name=name, value=None, note="left out: no IPPF measures")
    aligned = sum(1 for m in measures if set(m.linked_ni) & targets_sheet_nis)
    return Component(name=name, value=aligned / len(measures), numerator=aligned,
                     denominator=len(measures),
                     note="measures with a Linked NI that appears on the Targets sheet")


def _performance(relevant: list[TargetResult], weight: float | None = None,
                 name: str = "P") -> Component:
    with_data = [r for r in relevant if r.status not in (None, TargetStatus.NO_DATA)]
    if not with_data:
        return Component(name=name, value=None, weight=weight,
                         note="left out: no relevant target has Baseline, Target and Latest")
    green = sum(1 for r in with_data if r.status is TargetStatus.GREEN)
    amber = sum(1 for r in with_data if r.status is TargetStatus.AMBER)
    points = green + 0.5 * amber
    return Component(name=name, value=points / len(with_data), numerator=points,
                     denominator=len(with_data), weight=weight,
                     note=f"{green} Green + 0.5 × {amber} Amber over {len(with_data)} with data")


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
    measures = [m for m in facts.measures if m.driver is driver]
    alignment = _measure_alignment(measures, facts.targets_sheet_nis, "A3")
    performance = _performance(relevant, name="P")
    parts = [(linkage, DRIVER_WEIGHTS["linkage"]),
             (alignment, DRIVER_WEIGHTS["measure_alignment"]),
             (performance, DRIVER_WEIGHTS["performance"])]
    present = [(c, w) for c, w in parts if c.value is not None]
    score = None
    if present:
        score = round_half_up(100 * sum(w * (c.value or 0.0) for c, w in present)
                              / sum(w for _, w in present))
    return DriverResult(
        driver=driver,
        name=DRIVER_NAMES[driver],
        score=score,
        rag=_rag(score, settings) if score is not None else None,
        covered=driver in covered_drivers(facts),
        relevant_targets=len(relevant),
        linkage=linkage,
        measure_alignment=alignment,
        performance=performance,
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
            flags.append(make_flag(code, f"Checklist item {item_id} ({what}) is "
                                   f"'{item.status}', not Complete.", item.source, "status"))

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
                                   f"{item.id} was due {item.due:%d %b %Y} and is "
                                   f"'{item.status}' at {about.as_at:%d %b %Y}.",
                                   item.source, "due"))
    return flags


def _target_flags(facts: _Facts) -> list[Flag]:
    tracked = {ni for m in facts.measures for ni in m.linked_ni}
    tracked.update(ni for o in facts.submission.objectives for ni in o.linked_ni)
    flags: list[Flag] = []
    if facts.wales and facts.target_rows:
        flags.append(make_flag(
            "NI_IN_WALES",
            f"{len(facts.target_rows)} target(s) use National Indicators, which do not apply "
            "in Wales; they are scored for information.",
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
            flags.append(make_flag(
                "TARGET_OFF_TRACK",
                f"{label} is Red: latest {row.latest:g} against an expected "
                f"{result.expected:g} (target {row.target:g}).",
                row.source, "latest"))
        elif result.status is TargetStatus.NO_DATA:
            missing = [n for n, v in (("Baseline", row.baseline), ("Target", row.target),
                                      ("Latest", row.latest)) if v is None]
            field = {"Baseline": "baseline", "Target": "target", "Latest": "latest"}[missing[0]]
            flags.append(make_flag("TARGET_NO_DATA",
                                   f"{label} has no {', '.join(missing)}.", row.source, field))
    return flags


def _measure_flags(facts: _Facts) -> list[Flag]:
    flags: list[Flag] = []
    for m in facts.measures:
        code = m.row.code
        if not set(m.linked_ni) & facts.targets_sheet_nis:
            linked = ", ".join(m.linked_ni) or "no National Indicator"
            flags.append(make_flag(
                "IPPF_VERTICAL_ONLY",
                f"Measure {code} links to {linked}, which is not on the Targets sheet: "
                "it answers to IPPF only.", m.row.source, "linked_ni"))
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
                f"Measure {code} is '{m.polarity}' is better but {m.same_outcome_as} is "
                f"'{indicator.polarity}' is better.", m.row.source, "polarity"))
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
