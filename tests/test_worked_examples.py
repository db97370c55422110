"""Worked examples: small submissions scored by hand from SPEC version 2 (§4 scoring, §5 flags).

Every expected number below was worked out on paper from the SPEC, not copied from the engine.
The arithmetic is in the comments so a reader can check it line by line. Fractions are kept
exact (e.g. 11/12) and compared with ``pytest.approx``; scores are rounded half up to one
decimal (SPEC §4.4) and compared to that decimal.

SPEC v2 rules used throughout (§4.2, §4.2b, §4.3, §4.5):
    f   = (As at − laa_start) ÷ (laa_end − laa_start) in days, clamped to 0–1 (defaults
          2008-04-01 and 2011-03-31: 1094 days); the `progress` setting overrides it; no As at
          gives f = 1.
    target:  e = b + f·(t − b); g = |t − b|, else |t|, else 1; d = e − a (higher) or a − e
             (lower); Green d ≤ 0, Amber d ≤ τ·g, else Red; No data if b, t or a missing.
    measure: no trajectory: g = |t|, else 1; d = t − a (higher) or a − t (lower); same bands;
             No data if t, a or polarity missing.
    A3  counts only measures whose driver is NI-measurable (or unknown); CS is not, with the
        shipped catalogue.
    P   = (Green + 0.5·Amber) ÷ n pooled over relevant targets and measures with data;
        horizontal = targets alone, vertical = measures alone.
    driver score = 100·(0.5·A1_D + 0.25·A3_D + 0.25·P_D) ÷ (weights that exist); A3_D left
        out for a driver that no NI carries; P_D pools D's targets and D's measures.

Day counts from 2008-04-01 (laa_end 2011-03-31 is day 1094):
    2010-03-31 → 729 · 2010-06-30 → 820 (730 + 30 + 31 + 29) · 2010-09-30 → 912 (730 + 182)
    2011-01-31 → 1035 (730 + 275 + 30)

Catalogue facts used (SPEC §2.1, §2.2):
    NI 14 lower VM (so VM *is* NI-measurable) · NI 15 lower PP · NI 16 lower RR
    NI 18 lower RR · NI 19 lower RR · NI 26 higher VS · NI 29 lower PP · NI 30 lower RR,PP
    NI 32 lower VS,PP · NI 40 higher RR · NI 143 higher RR · NI 144 higher RR
    NI 152, NI 198 not probation relevant (no drivers); no NI carries CS.
    AP  RR higher linked NI 18           · EMP RR higher linked NI 144, same outcome NI 144
    PSR CS higher (no linked NI)          · ACC RR higher linked NI 143, same outcome NI 143
    UPW CS higher (no linked NI)          · ENF PP higher (no linked NI)
    ROH PP higher (no linked NI)          · PPO RR higher linked NI 30
    SICK VM lower (no linked NI)          · BS RR higher linked NI 144
    DRR RR higher linked NI 38            · VC VS higher (no linked NI)
"""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from xl_localism.engine import assess
from xl_localism.models import (
    Assessment,
    ChecklistItem,
    Component,
    IndicatorOverride,
    IppfMeasure,
    LaaTarget,
    Objective,
    Settings,
    Submission,
    TrustInfo,
)
from xl_localism.vocab import Driver, Rag, TargetStatus

CRIT, ERR, WARN, INFO = "critical", "error", "warning", "info"
G, A, R, ND = TargetStatus.GREEN, TargetStatus.AMBER, TargetStatus.RED, TargetStatus.NO_DATA


def item(
    id_: str, status: str, evidence: str | None = None, weight: float = 1.0,
    due: date | None = None,
) -> ChecklistItem:
    return ChecklistItem(id=id_, status=status, evidence=evidence, weight=weight, due=due)


def flag_multiset(assessment: Assessment) -> Counter[tuple[str, str]]:
    return Counter((f.code, str(f.severity)) for f in assessment.flags)


def driver_scores(assessment: Assessment) -> dict[str, float | None]:
    return {key: assessment.driver(key).score for key in ("RR", "PP", "VS", "VM", "CS")}


def driver_parts(assessment: Assessment, key: str) -> tuple[float | None, ...]:
    d = assessment.driver(key)
    return (d.linkage.value, d.measure_alignment.value, d.performance.value)


def check(component: Component, value: float | None, numerator: float | None = None,
          denominator: float | None = None) -> None:
    """The component's value and, when given, the fraction it came from."""
    if value is None:
        assert component.value is None, component
        return
    assert component.value == pytest.approx(value), component
    if numerator is not None:
        assert component.numerator == pytest.approx(numerator), component
    if denominator is not None:
        assert component.denominator == pytest.approx(denominator), component


# ---------------------------------------------------------------------------------------------
# (a) England: Green on the numbers, capped to Amber by a critical flag (RA_DUTY_UNMET).
#     v2: the targets are judged on their trajectory (Medway NI 32 turns Amber -> Green), the
#     courts measure PSR leaves A3, and measures without Target/Actual are No data.


def example_a() -> Submission:
    return Submission(
        about=TrustInfo(trust="Kent Probation Trust", nation="England", as_at=date(2010, 6, 30)),
        checklist=[
            item("A1", "Complete", "Board minutes 12/05/2010"),
            item("B1", "Complete", "Statement of Intent v1.2"),
            item("C1", "Complete", "Business plan 2010/11", weight=2),
            # Not Complete and As at >= 2010-04-01 -> RA_DUTY_UNMET (critical).
            # Due after As at, so not overdue.
            item("D1", "In progress", due=date(2010, 9, 30)),
            item("E1", "Complete"),  # no Evidence -> CHECKLIST_UNEVIDENCED
        ],
        targets=[
            LaaTarget(laa="Kent", ni="NI18", baseline=10, target=8, latest=7.9,
                      role="Lead", plan_ref="BP1"),
            LaaTarget(laa="Kent", ni="ni-144", baseline=40, target=50, latest=51,
                      role="Contributor", plan_ref="BP1"),
            LaaTarget(laa="Medway", ni="32", baseline=100, target=90, latest=90.5,
                      role="Lead", plan_ref="bp 2"),
        ],
        measures=[
            IppfMeasure(code="AP"),   # defaults: RR, higher, linked NI 18; no Target/Actual
            IppfMeasure(code="EMP"),  # defaults: RR, higher, linked NI 144, same outcome NI 144
            IppfMeasure(code="PSR"),  # defaults: CS, higher, no linked NI
        ],
        objectives=[
            Objective(ref="BP1", drivers=["RR"], linked_ni="NI 18; NI 144"),
            Objective(ref="BP2", drivers=["VS", "PP"]),  # links no NI
            Objective(ref="BP3", drivers=["CS"]),
        ],
    )


def test_example_a_england_green_capped_to_amber_by_critical_flag() -> None:
    a = assess(example_a())

    # f = 820/1094 = 410/547 = 0.7495 (As at 2010-06-30), tau = 0.10:
    #   Kent NI 18 (lower):   e = 10 + f*(8-10) = 10 - 820/547 = 4650/547 = 8.5009
    #                         d = a - e = 7.9 - 8.5009 = -0.6009 <= 0           -> Green
    #   Kent NI 144 (higher): e = 40 + 10f = 25980/547 = 47.4954
    #                         d = e - a = 47.4954 - 51 = -3.5046 <= 0           -> Green
    #   Medway NI 32 (lower): e = 100 - 10f = 50600/547 = 92.5046
    #                         d = 90.5 - 92.5046 = -2.0046 <= 0                 -> Green
    #                         (v1, against the end point 90: d = 0.5 <= 1 -> Amber)
    assert a.progress == pytest.approx(410 / 547)
    assert [t.status for t in a.targets] == [G, G, G]
    assert [t.expected for t in a.targets] == [
        pytest.approx(4650 / 547), pytest.approx(25980 / 547), pytest.approx(50600 / 547),
    ]
    assert all(t.relevant for t in a.targets)  # every NI has drivers and role Lead/Contributor
    # Measures: no Target and no Actual -> No data (§4.2b), all three.
    assert [m.status for m in a.measures] == [ND, ND, ND]
    assert [m.counts_for_alignment for m in a.measures] == [True, True, False]  # PSR is CS

    # S = (1*1 + 1*1 + 2*1 + 1*0.5 + 1*1) / (1+1+2+1+1) = 5.5/6 = 11/12
    check(a.self_assessment, 11 / 12, 5.5, 6)
    # A1: plan refs BP1, BP1, "bp 2" all match an Objectives Ref (case/space-insensitive) = 3/3
    check(a.linkage, 1.0, 3, 3)
    # A2: targets carry RR (NI 18, 144), VS+PP (NI 32); objectives add CS -> {RR,PP,VS,CS}
    #     = 4/5 = 0.8  (VM not covered)
    check(a.driver_coverage, 0.8, 4, 5)
    # A3: PSR (CS, not NI-measurable) left out; AP -> NI 18 on Targets (yes);
    #     EMP -> NI 144 (yes) = 2/2 = 1   (v1: 2/3)
    check(a.measure_alignment, 1.0, 2, 2)
    # A = (1 + 0.8 + 1) / 3 = 2.8/3 = 14/15
    check(a.alignment, 14 / 15)
    # P: targets G, G, G; measures all No data -> n = 3; (3 + 0)/3 = 1
    check(a.performance, 1.0, 3, 3)
    check(a.performance_targets, 1.0, 3, 3)   # horizontal: 3 Green of 3
    check(a.performance_measures, None)       # vertical: no measure has data

    # Score = 100*(0.4*11/12 + 0.4*14/15 + 0.2*1) / 1.0
    #       = 100*(55/150 + 56/150 + 30/150) = 100*141/150 = 94.0
    assert a.score == pytest.approx(94.0)
    # 94.0 >= 70 -> Green; critical RA_DUTY_UNMET caps it at Amber (§4.4)
    assert a.rag_before_cap is Rag.GREEN
    assert a.rag is Rag.AMBER
    assert a.capped_by == ["RA_DUTY_UNMET"]

    # Drivers (§4.5): 100*(0.5*A1_D + 0.25*A3_D + 0.25*P_D) / (weights that exist)
    #   RR: NI 18, NI 144 linked -> A1 = 2/2; AP, EMP aligned -> A3 = 2/2;
    #       P = targets G, G (measures No data) = 2/2    -> 100*(0.5 + 0.25 + 0.25) = 100.0
    #   PP: NI 32 linked -> A1 = 1; no PP measure -> A3 left out; P = 1/1 (NI 32 Green)
    #                                                    -> 100*(0.5 + 0.25)/0.75 = 100.0
    #   VS: same as PP (NI 32 carries VS too)            -> 100.0
    #   VM: no target, no measure                         -> None
    #   CS: no relevant target (A1 left out); not NI-measurable (A3 left out, v1 gave 0);
    #       PSR No data (P left out)                      -> None   (v1: 0.0)
    assert driver_scores(a) == {
        "RR": pytest.approx(100.0), "PP": pytest.approx(100.0), "VS": pytest.approx(100.0),
        "VM": None, "CS": None,
    }
    assert driver_parts(a, "RR") == (pytest.approx(1.0), pytest.approx(1.0), pytest.approx(1.0))
    assert driver_parts(a, "PP") == (pytest.approx(1.0), None, pytest.approx(1.0))
    assert driver_parts(a, "CS") == (None, None, None)
    assert a.driver("CS").covered is True  # by BP3, though it has nothing to score

    # Flags (§5):
    #   RA_DUTY_UNMET critical (D1 In progress, As at 2010-06-30)
    #   CHECKLIST_UNEVIDENCED warning (E1 Complete, no Evidence)
    #   NI_NOT_TRACKED warning (NI 32: no measure links it, BP2 links no NI)
    #   IPPF_VERTICAL_ONLY info (PSR: CS is not NI-measurable; v1: warning)
    #   MEASURE_NO_DATA info x3 (AP, EMP, PSR)
    #   COUNT_DUPLICATE info (EMP's same-outcome NI 144 is on the Targets sheet)
    #   DRIVER_UNCOVERED info (VM)
    #   no POLARITY_CONFLICT (EMP higher = NI 144 higher), no LAA_UNLINKED, no TARGET_* flags
    assert flag_multiset(a) == Counter({
        ("RA_DUTY_UNMET", CRIT): 1,
        ("CHECKLIST_UNEVIDENCED", WARN): 1,
        ("NI_NOT_TRACKED", WARN): 1,
        ("IPPF_VERTICAL_ONLY", INFO): 1,
        ("MEASURE_NO_DATA", INFO): 3,
        ("COUNT_DUPLICATE", INFO): 1,
        ("DRIVER_UNCOVERED", INFO): 1,
    })


# ---------------------------------------------------------------------------------------------
# (b) Wales: A1 left out, W1 counted, NI_IN_WALES; As at after laa_end, so f is held at 1;
#     v2: ENF has a Target and an Actual, so P pools a target axis and a measure axis.


def example_b() -> Submission:
    return Submission(
        about=TrustInfo(trust="Wales Probation Trust", nation="Wales", as_at=date(2011, 5, 1)),
        checklist=[
            item("A1", "Complete", "Board briefing note"),
            item("B1", "Complete", "Statement of Intent"),
            item("D1", "Complete", "CSP membership list"),
            item("W1", "In progress"),  # counted in Wales
            item("G1", "Not started", due=date(2011, 3, 31)),  # due before As at -> overdue
        ],
        targets=[
            # No Plan ref: would be LAA_UNLINKED in England, not assessed in Wales.
            LaaTarget(laa="Cardiff", ni="NI 18", baseline=20, target=18, latest=21, role="Lead"),
            LaaTarget(laa="Swansea", ni="NI 15", baseline=5, target=4, latest=3.5,
                      role="Contributor", plan_ref="XX"),
            # NI 152 has no drivers: not relevant, no status, no TARGET_NO_DATA though blank.
            LaaTarget(laa="Cardiff", ni="NI 152", baseline=10, target=9, role="Lead"),
        ],
        measures=[
            # ACC: RR, linked NI 143 (not on Targets), same outcome NI 143 (higher); no data.
            IppfMeasure(code="ACC", polarity="lower"),
            # ENF has no default Linked NI; this trust links it to NI 15 (on Targets).
            IppfMeasure(code="ENF", linked_ni="NI 15", target=90, actual=85),
        ],
        objectives=[
            Objective(ref="WAG1", drivers=["RR"], linked_ni="NI 18"),
            Objective(ref="WAG2", drivers=["Victims Services"]),
        ],
    )


def test_example_b_wales_leaves_out_linkage_and_counts_w1() -> None:
    a = assess(example_b())

    # As at 2011-05-01 is after laa_end 2011-03-31: f = 1125/1094 clamped to 1, so e = t.
    #   Cardiff NI 18 (lower):  e = 18; d = 21 - 18 = 3; g = |18-20| = 2; tau*g = 0.2; 3 > 0.2
    #                           -> Red
    #   Swansea NI 15 (lower):  e = 4;  d = 3.5 - 4 = -0.5 <= 0 -> Green
    #   Cardiff NI 152: not in the probation catalogue -> no status, not relevant
    assert a.progress == pytest.approx(1.0)
    assert [t.status for t in a.targets] == [R, G, None]
    assert [t.expected for t in a.targets] == [pytest.approx(18), pytest.approx(4), None]
    assert [t.relevant for t in a.targets] == [True, True, False]
    assert [t.linked for t in a.targets] == [None, None, None]  # linkage not assessed in Wales
    # Measures (§4.2b), tau = 0.10:
    #   ACC: no Target/Actual -> No data
    #   ENF (higher): d = t - a = 90 - 85 = 5; g = |90| = 90; tau*g = 9; 0 < 5 <= 9 -> Amber
    assert [m.status for m in a.measures] == [ND, A]

    # S (W1 counts in Wales) = (1 + 1 + 1 + 0.5 + 0) / 5 = 3.5/5 = 0.7
    check(a.self_assessment, 0.7, 3.5, 5)
    # A1 left out in Wales
    check(a.linkage, None)
    # A2: targets RR (NI 18), PP (NI 15); objectives RR, VS -> {RR, PP, VS} = 3/5 = 0.6
    check(a.driver_coverage, 0.6, 3, 5)
    # A3: ACC (RR) -> NI 143 not on Targets (no); ENF (PP) -> NI 15 (yes) = 1/2
    check(a.measure_alignment, 0.5, 1, 2)
    # A = mean(A2, A3) = (0.6 + 0.5) / 2 = 0.55
    check(a.alignment, 0.55)
    # P pooled: targets Red, Green; measures ENF Amber (ACC No data)
    #   = (1 Green + 0.5*1 Amber) / 3 = 1.5/3 = 0.5
    #   horizontal = 1/2 = 0.5; vertical = 0.5/1 = 0.5
    check(a.performance, 0.5, 1.5, 3)
    check(a.performance_targets, 0.5, 1, 2)
    check(a.performance_measures, 0.5, 0.5, 1)

    # Score = 100*(0.4*0.7 + 0.4*0.55 + 0.2*0.5) / 1.0 = 100*(0.28 + 0.22 + 0.10) = 60.0
    assert a.score == pytest.approx(60.0)
    assert a.rag_before_cap is Rag.AMBER  # 40 <= 60 < 70
    assert a.rag is Rag.AMBER
    assert a.capped_by == []

    # Drivers (A1_D left out in Wales):
    #   RR: NI 18 Red, ACC No data -> P = 0/1 = 0; RR measures: ACC not aligned -> A3 = 0/1
    #       -> 100*(0.25*0 + 0.25*0)/0.5 = 0.0
    #   PP: NI 15 Green + ENF Amber -> P = 1.5/2 = 0.75; ENF aligned -> A3 = 1/1
    #       -> 100*(0.25*1 + 0.25*0.75)/0.5 = 100*0.4375/0.5 = 87.5
    #   VS: covered by WAG2 but no target or measure -> None; VM, CS -> None
    assert driver_scores(a) == {
        "RR": pytest.approx(0.0), "PP": pytest.approx(87.5),
        "VS": None, "VM": None, "CS": None,
    }
    assert driver_parts(a, "RR") == (None, pytest.approx(0.0), pytest.approx(0.0))
    assert driver_parts(a, "PP") == (None, pytest.approx(1.0), pytest.approx(0.75))
    assert a.driver("VS").covered is True

    # Flags:
    #   POLARITY_CONFLICT error (ACC 'lower' vs NI 143 'higher')
    #   CHECKLIST_OVERDUE warning (G1 due 2011-03-31 < As at 2011-05-01)
    #   TARGET_OFF_TRACK warning (Cardiff NI 18 Red)
    #   IPPF_VERTICAL_ONLY warning (ACC: RR is NI-measurable)
    #   MEASURE_NO_DATA info (ACC)
    #   NI_IN_WALES info (one flag for the Targets sheet)
    #   DRIVER_UNCOVERED info x2 (VM, CS)
    #   no MEASURE_OFF_TRACK (ENF Amber), no LAA_UNLINKED (Wales), no NI_NOT_TRACKED (NI 18
    #   via WAG1, NI 15 via ENF), no COUNT_DUPLICATE (NI 143 not on Targets), no criticals
    assert flag_multiset(a) == Counter({
        ("POLARITY_CONFLICT", ERR): 1,
        ("CHECKLIST_OVERDUE", WARN): 1,
        ("TARGET_OFF_TRACK", WARN): 1,
        ("IPPF_VERTICAL_ONLY", WARN): 1,
        ("MEASURE_NO_DATA", INFO): 1,
        ("NI_IN_WALES", INFO): 1,
        ("DRIVER_UNCOVERED", INFO): 2,
    })


def test_example_b_same_workbook_in_england_drops_w1_and_assesses_linkage() -> None:
    # Contrast: only Nation changes.
    sub = example_b()
    a = assess(sub.model_copy(update={"about": sub.about.model_copy(update={"nation": "England"})}))
    # S without W1 = (1 + 1 + 1 + 0) / 4 = 0.75
    check(a.self_assessment, 0.75, 3, 4)
    # A1: relevant NI 18 (no Plan ref), NI 15 ("XX" matches no Ref) -> 0/2 = 0
    check(a.linkage, 0.0, 0, 2)
    # A = (0 + 0.6 + 0.5)/3 = 11/30; P unchanged = 0.5
    check(a.alignment, 11 / 30)
    check(a.performance, 0.5, 1.5, 3)
    # score = 100*(0.4*0.75 + 0.4*11/30 + 0.2*0.5) = 100*(0.3 + 0.14666.. + 0.1)
    #       = 54.666.. -> 54.7
    assert a.score == pytest.approx(54.7)
    codes = Counter(a.flag_codes())
    assert codes["LAA_UNLINKED"] == 2
    assert "NI_IN_WALES" not in codes


# ---------------------------------------------------------------------------------------------
# (c) England, no relevant targets: A1 = 0, P left out; zero-gap and No data targets,
#     Not applicable items; Settings progress 0.5 overrides the As at, tolerance 0.2


def example_c() -> Submission:
    return Submission(
        about=TrustInfo(trust="West Yorkshire Probation Trust", nation="England",
                        as_at=date(2010, 3, 31)),  # before 2010-04-01: no RA_DUTY_UNMET check
        checklist=[
            item("A1", "Complete", "Training register"),
            item("A2", "N/A"),
            # B1 Not applicable is still "not Complete" -> POSITION_STATEMENT_MISSING.
            item("B1", "Not applicable"),
            item("C1", "In progress", weight=3),
            item("W1", "Complete"),  # England: left out (and so no CHECKLIST_UNEVIDENCED)
        ],
        targets=[
            # All role None: no target is relevant.
            LaaTarget(laa="Leeds", ni="NI 19", baseline=12, target=12, latest=12.5),
            LaaTarget(laa="Leeds", ni="NI 40", baseline=100, target=140, role="None"),
            LaaTarget(laa="Bradford", ni="NI 143", baseline=60, target=80, latest=67,
                      role="", plan_ref="BP1"),
            LaaTarget(laa="Bradford", ni="NI 29", baseline=0, target=0, latest=0.3),
        ],
        measures=[
            IppfMeasure(code="SICK"),  # VM, lower, no linked NI; no data
            IppfMeasure(code="BS"),    # RR, linked NI 144 (not on Targets); no data
            IppfMeasure(code="ACC"),   # RR, linked NI 143 (on Targets), same outcome NI 143
        ],
        objectives=[Objective(ref="BP1", drivers="PP; Services to Courts", linked_ni="NI 143")],
        settings=Settings(progress=0.5, tolerance=0.2),
    )


def test_example_c_england_without_relevant_targets_and_custom_settings() -> None:
    a = assess(example_c())

    # The progress setting wins over the As at: f = 0.5, not 729/1094 = 0.666 (§4.2).
    assert a.progress == pytest.approx(0.5)
    # Target status with f = 0.5, tau = 0.2:
    #   Leeds NI 19 (lower), zero gap: e = 12 + 0.5*0 = 12; d = 12.5 - 12 = 0.5;
    #       g = |12-12| = 0 -> |t| = 12; tau*g = 2.4; 0 < 0.5 <= 2.4          -> Amber
    #   Leeds NI 40: Latest missing                                          -> No data
    #   Bradford NI 143 (higher): e = 60 + 0.5*(80-60) = 70; d = 70 - 67 = 3;
    #       g = 20; tau*g = 4; 0 < 3 <= 4                                    -> Amber
    #       (with f = 729/1094: e = 60 + 20*0.666 = 73.33, d = 6.33 > 4 -> it would be Red)
    #   Bradford NI 29 (lower), b = t = 0: e = 0; d = 0.3; g = 1 (both 0); tau*g = 0.2
    #       0.3 > 0.2                                                        -> Red
    assert [t.status for t in a.targets] == [A, ND, A, R]
    assert [t.expected for t in a.targets] == [
        pytest.approx(12), None, pytest.approx(70), pytest.approx(0),
    ]
    assert not any(t.relevant for t in a.targets)
    assert [m.status for m in a.measures] == [ND, ND, ND]

    # S: A2, B1 Not applicable and W1 (England) left out:
    #    (1*1 [A1] + 3*0.5 [C1]) / (1 + 3) = 2.5/4 = 0.625
    check(a.self_assessment, 0.625, 2.5, 4)
    # A1: England with no relevant targets -> 0
    check(a.linkage, 0.0)
    # A2: no relevant targets; BP1 carries PP, CS -> 2/5 = 0.4
    check(a.driver_coverage, 0.4, 2, 5)
    # A3: all three drivers (VM, RR, RR) are NI-measurable (NI 14 carries VM), so all count:
    #     SICK (no NI) no; BS (NI 144) no; ACC (NI 143 is on Targets, role None or not) yes
    #     -> 1/3
    check(a.measure_alignment, 1 / 3, 1, 3)
    # A = (0 + 0.4 + 1/3)/3 = (11/15)/3 = 11/45
    check(a.alignment, 11 / 45)
    # P left out: no relevant target and no measure with data (both axes too)
    check(a.performance, None)
    check(a.performance_targets, None)
    check(a.performance_measures, None)

    # Score = 100*(0.4*0.625 + 0.4*11/45) / (0.4 + 0.4)
    #       = 100*(5/8 + 11/45)/2 = 100*(225/360 + 88/360)/2 = 100*313/720 = 43.47 -> 43.5
    assert a.score == pytest.approx(43.5)
    assert a.rag_before_cap is Rag.AMBER
    assert a.rag is Rag.AMBER  # the critical flag caps Green only; it was Amber anyway
    assert a.capped_by == ["POSITION_STATEMENT_MISSING"]

    # Drivers: no relevant targets, so A1_D left out; no measure has data, so P_D left out.
    #   RR: measures BS (no), ACC (yes) -> A3 = 1/2 -> 100*(0.25*0.5)/0.25 = 50.0
    #   VM: SICK (no) -> A3 = 0/1 -> 0.0
    #   PP, VS, CS: no target and no measure -> None (CS and PP are covered by BP1 all the same)
    assert driver_scores(a) == {
        "RR": pytest.approx(50.0), "PP": None, "VS": None,
        "VM": pytest.approx(0.0), "CS": None,
    }
    assert driver_parts(a, "RR") == (None, pytest.approx(0.5), None)
    assert driver_parts(a, "VM") == (None, pytest.approx(0.0), None)

    # Flags:
    #   POSITION_STATEMENT_MISSING critical (B1 Not applicable)
    #   IPPF_VERTICAL_ONLY warning x2 (SICK: VM is NI-measurable; BS)
    #   MEASURE_NO_DATA info x3
    #   COUNT_DUPLICATE info (ACC: NI 143 on Targets)
    #   DRIVER_UNCOVERED: RR warning, VS warning, VM info
    #   none for the Red/No data targets: they are not relevant; no RA_DUTY_UNMET (before
    #   April 2010, and D1 absent does not matter then)
    assert flag_multiset(a) == Counter({
        ("POSITION_STATEMENT_MISSING", CRIT): 1,
        ("IPPF_VERTICAL_ONLY", WARN): 2,
        ("DRIVER_UNCOVERED", WARN): 2,
        ("MEASURE_NO_DATA", INFO): 3,
        ("COUNT_DUPLICATE", INFO): 1,
        ("DRIVER_UNCOVERED", INFO): 1,
    })
    uncovered = {f.message.split("carries ")[1][:2]: f.severity for f in a.flags
                 if f.code == "DRIVER_UNCOVERED"}
    assert uncovered == {"RR": WARN, "VS": WARN, "VM": INFO}


# ---------------------------------------------------------------------------------------------
# (d) England, Red: relevant zero-gap targets (the trajectory cannot move them), a relevant
#     No data target left out of P, B1 and D1 absent from the checklist


def example_d() -> Submission:
    return Submission(
        about=TrustInfo(trust="Humberside Probation Trust", as_at=date(2011, 1, 31)),
        checklist=[
            item("A1", "Not started", due=date(2010, 12, 31)),  # overdue
            item("A2", "In progress", "Draft programme"),
            item("C1", "Not started"),
            item("F1", "Not applicable", due=date(2010, 6, 1)),  # not applicable: not overdue
        ],
        targets=[
            LaaTarget(laa="Hull", ni="NI 30", baseline=50, target=50, latest=52,
                      role="Lead", plan_ref="BP1"),
            LaaTarget(laa="Hull", ni="NI 26", baseline=10, target=20, role="Contributor",
                      plan_ref="BP9"),
            LaaTarget(laa="East Riding", ni="NI 16", baseline=0, target=0, latest=0.05,
                      role="Lead"),
        ],
        measures=[
            IppfMeasure(code="VC", linked_ni="26"),  # VS; links NI 26 (on Targets); no data
            IppfMeasure(code="DRR"),                 # RR; NI 38 not on Targets; no data
        ],
        objectives=[Objective(ref="BP1", drivers=["RR"], linked_ni="NI 30, NI 16")],
    )


def test_example_d_england_red_with_zero_gap_and_no_data_targets() -> None:
    a = assess(example_d())

    # f = 1035/1094 = 0.9461 (As at 2011-01-31), tau = 0.10; with b = t, e = b + f*0 = b:
    #   Hull NI 30 (lower), zero gap: e = 50; d = 52 - 50 = 2; g = |50| = 50; tau*g = 5 -> Amber
    #   Hull NI 26: Latest missing                                               -> No data
    #   East Riding NI 16 (lower), b = t = 0: e = 0; d = 0.05; g = 1; tau*g = 0.1 -> Amber
    assert a.progress == pytest.approx(1035 / 1094)
    assert [t.status for t in a.targets] == [A, ND, A]
    assert [t.expected for t in a.targets] == [pytest.approx(50), None, pytest.approx(0)]
    assert [t.linked for t in a.targets] == [True, False, False]
    assert [m.status for m in a.measures] == [ND, ND]

    # S: F1 left out -> (0 + 0.5 + 0)/3 = 1/6
    check(a.self_assessment, 1 / 6, 0.5, 3)
    # A1: 3 relevant targets, only Hull NI 30 (BP1) matches a Ref -> 1/3
    check(a.linkage, 1 / 3, 1, 3)
    # A2: NI 30 -> RR, PP; NI 26 -> VS; NI 16 -> RR; BP1 -> RR: {RR, PP, VS} = 3/5
    check(a.driver_coverage, 0.6, 3, 5)
    # A3: VC (VS, NI-measurable; NI 26 on Targets) yes; DRR (NI 38) no -> 1/2
    check(a.measure_alignment, 0.5, 1, 2)
    # A = (1/3 + 3/5 + 1/2)/3 = (10/30 + 18/30 + 15/30)/3 = 43/90
    check(a.alignment, 43 / 90)
    # P: No data target and measures left out; (0 Green + 0.5*2 Amber) / 2 = 0.5
    check(a.performance, 0.5, 1, 2)
    check(a.performance_targets, 0.5, 1, 2)
    check(a.performance_measures, None)

    # Score = 100*(0.4/6 + 0.4*43/90 + 0.2*0.5)
    #       = 100*(30/450 + 86/450 + 45/450) = 100*161/450 = 35.78 -> 35.8 -> Red
    assert a.score == pytest.approx(35.8)
    assert a.rag_before_cap is Rag.RED
    assert a.rag is Rag.RED
    assert a.capped_by == ["POSITION_STATEMENT_MISSING", "RA_DUTY_UNMET"]

    # Drivers:
    #   RR: NI 30 (linked, Amber), NI 16 (unlinked, Amber) -> A1 = 1/2, P = 1/2 (DRR No data);
    #       DRR not aligned -> A3 = 0 -> 100*(0.5*0.5 + 0.25*0 + 0.25*0.5) = 37.5
    #   PP: NI 30 -> A1 = 1, P = 0.5; no PP measure -> 100*(0.5 + 0.125)/0.75 = 83.33 -> 83.3
    #   VS: NI 26 unlinked -> A1 = 0; NI 26 and VC No data -> P left out; VC aligned -> A3 = 1
    #       -> 100*(0 + 0.25)/0.75 = 33.33 -> 33.3
    #   VM, CS: nothing -> None
    assert driver_scores(a) == {
        "RR": pytest.approx(37.5), "PP": pytest.approx(83.3), "VS": pytest.approx(33.3),
        "VM": None, "CS": None,
    }
    assert driver_parts(a, "RR") == (pytest.approx(0.5), pytest.approx(0.0), pytest.approx(0.5))
    assert driver_parts(a, "VS") == (pytest.approx(0.0), pytest.approx(1.0), None)

    # Flags:
    #   POSITION_STATEMENT_MISSING critical (no B1 row), RA_DUTY_UNMET critical (no D1 row,
    #   As at 2011-01-31 >= 2010-04-01)
    #   CHECKLIST_OVERDUE warning (A1)
    #   LAA_UNLINKED warning x2 (Hull NI 26 'BP9', East Riding NI 16 no ref)
    #   IPPF_VERTICAL_ONLY warning (DRR)
    #   TARGET_NO_DATA info (Hull NI 26)
    #   MEASURE_NO_DATA info x2 (VC, DRR)
    #   DRIVER_UNCOVERED info x2 (VM, CS)
    #   no NI_NOT_TRACKED: NI 30, NI 16 via BP1, NI 26 via VC
    assert flag_multiset(a) == Counter({
        ("POSITION_STATEMENT_MISSING", CRIT): 1,
        ("RA_DUTY_UNMET", CRIT): 1,
        ("CHECKLIST_OVERDUE", WARN): 1,
        ("LAA_UNLINKED", WARN): 2,
        ("IPPF_VERTICAL_ONLY", WARN): 1,
        ("TARGET_NO_DATA", INFO): 1,
        ("MEASURE_NO_DATA", INFO): 2,
        ("DRIVER_UNCOVERED", INFO): 2,
    })


# ---------------------------------------------------------------------------------------------
# (e) England with no As at: f = 1 (targets judged against their end point, and the note says
#     so); no As at also means no RA_DUTY_UNMET and no CHECKLIST_OVERDUE. Measures with data,
#     one with Target 0 (gap 1) and a lower-is-better local measure.


def example_e() -> Submission:
    return Submission(
        about=TrustInfo(trust="Durham Tees Valley Probation Trust", nation="England"),
        checklist=[
            item("A1", "In progress", due=date(2010, 1, 1)),  # no As at: cannot be overdue
            item("B1", "Complete", "Statement of Intent"),
            item("C1", "Complete", "Business plan 2010/11"),
            item("D1", "Not started"),  # no As at: RA_DUTY_UNMET not judged
        ],
        targets=[
            LaaTarget(laa="Durham", ni="NI 143", baseline=70, target=80, latest=78,
                      role="Lead", plan_ref="BP1"),
            LaaTarget(laa="Darlington", ni="NI 15", baseline=20, target=16, latest=16.2,
                      role="Contributor", plan_ref="BP2"),
            LaaTarget(laa="Stockton", ni="NI 40", baseline=300, target=350, latest=360,
                      role="Lead", plan_ref="BP1"),
        ],
        measures=[
            IppfMeasure(code="ROH", target=90, actual=92),        # PP, higher, no linked NI
            IppfMeasure(code="LOCAL1", driver="RR", polarity="lower", target=0, actual=0.05,
                        linked_ni="NI 40"),                       # a trust's own measure
            IppfMeasure(code="PPO", target=95, actual=80),        # RR, higher, NI 30
            IppfMeasure(code="ENF", target=85, actual=85),        # PP, higher, no linked NI
        ],
        objectives=[
            Objective(ref="BP1", drivers=["RR"], linked_ni="NI 143"),
            Objective(ref="BP2", drivers=["PP"], linked_ni="NI 15"),
        ],
    )


def test_example_e_england_without_as_at_judges_targets_at_their_end_point() -> None:
    a = assess(example_e())

    # No As at -> f = 1 and the explanation says so (§4.2); tau = 0.10:
    #   Durham NI 143 (higher):   e = 80; d = 80 - 78 = 2; g = 10; tau*g = 1; 2 > 1   -> Red
    #       (on the trajectory at 2010-09-30, e = 78.34 and d = 0.34 would be Amber)
    #   Darlington NI 15 (lower): e = 16; d = 16.2 - 16 = 0.2; g = 4; tau*g = 0.4     -> Amber
    #   Stockton NI 40 (higher):  e = 350; d = 350 - 360 = -10 <= 0                    -> Green
    assert a.progress == pytest.approx(1.0)
    assert "no As at" in a.progress_note
    assert [t.status for t in a.targets] == [R, A, G]
    assert [t.expected for t in a.targets] == [
        pytest.approx(80), pytest.approx(16), pytest.approx(350),
    ]
    # Measures (§4.2b), tau = 0.10:
    #   ROH (higher):   d = 90 - 92 = -2 <= 0                                          -> Green
    #   LOCAL1 (lower): t = 0 so g = 1; d = a - t = 0.05; tau*g = 0.1; 0 < 0.05 <= 0.1 -> Amber
    #   PPO (higher):   d = 95 - 80 = 15; g = 95; tau*g = 9.5; 15 > 9.5                -> Red
    #   ENF (higher):   d = 85 - 85 = 0 <= 0 (exactly on target)                       -> Green
    assert [m.status for m in a.measures] == [G, A, R, G]

    # S = (0.5 + 1 + 1 + 0)/4 = 2.5/4 = 0.625
    check(a.self_assessment, 0.625, 2.5, 4)
    # A1: BP1, BP2, BP1 all match -> 3/3
    check(a.linkage, 1.0, 3, 3)
    # A2: targets RR (NI 143, NI 40), PP (NI 15); objectives RR, PP -> {RR, PP} = 2/5
    check(a.driver_coverage, 0.4, 2, 5)
    # A3: ROH (PP) no; LOCAL1 (RR, NI 40 on Targets) yes; PPO (NI 30 not on Targets) no;
    #     ENF (PP) no -> 1/4
    check(a.measure_alignment, 0.25, 1, 4)
    # A = (1 + 0.4 + 0.25)/3 = 1.65/3 = 0.55
    check(a.alignment, 0.55)
    # horizontal: R, A, G -> (1 + 0.5)/3 = 1.5/3 = 0.5
    # vertical:   G, A, R, G -> (2 + 0.5)/4 = 2.5/4 = 0.625
    # P pooled:   (1.5 + 2.5)/(3 + 4) = 4/7
    check(a.performance_targets, 0.5, 1.5, 3)
    check(a.performance_measures, 0.625, 2.5, 4)
    check(a.performance, 4 / 7, 4, 7)

    # Score = 100*(0.4*0.625 + 0.4*0.55 + 0.2*4/7) = 100*(0.25 + 0.22 + 0.8/7)
    #       = 47 + 11.428571 = 58.428571 -> 58.4 -> Amber
    assert a.score == pytest.approx(58.4)
    assert a.rag_before_cap is Rag.AMBER
    assert a.rag is Rag.AMBER
    assert a.capped_by == []

    # Drivers:
    #   RR: NI 143 (Red, linked), NI 40 (Green, linked) -> A1 = 2/2 = 1;
    #       measures LOCAL1 (aligned, Amber), PPO (not aligned, Red) -> A3 = 1/2;
    #       P = (0 + 1 + 0.5 + 0)/4 = 1.5/4 = 0.375
    #       -> 100*(0.5*1 + 0.25*0.5 + 0.25*0.375) = 100*(0.5 + 0.125 + 0.09375) = 71.875
    #       -> 71.9
    #   PP: NI 15 (Amber, linked) -> A1 = 1; ROH, ENF not aligned -> A3 = 0/2 = 0;
    #       P = (0.5 + 1 + 1)/3 = 5/6 -> 100*(0.5 + 0 + 0.25*5/6) = 50 + 20.833 = 70.833 -> 70.8
    #   VS, VM, CS: nothing -> None
    assert driver_scores(a) == {
        "RR": pytest.approx(71.9), "PP": pytest.approx(70.8),
        "VS": None, "VM": None, "CS": None,
    }
    assert driver_parts(a, "RR") == (pytest.approx(1.0), pytest.approx(0.5), pytest.approx(0.375))
    assert driver_parts(a, "PP") == (pytest.approx(1.0), pytest.approx(0.0), pytest.approx(5 / 6))
    check(a.driver("RR").performance, 0.375, 1.5, 4)

    # Flags:
    #   TARGET_OFF_TRACK warning (Durham NI 143 Red)
    #   IPPF_VERTICAL_ONLY warning x3 (ROH, PPO, ENF: PP and RR are NI-measurable)
    #   MEASURE_OFF_TRACK warning (PPO Red)
    #   DRIVER_UNCOVERED warning (VS), info x2 (VM, CS)
    #   no RA_DUTY_UNMET / CHECKLIST_OVERDUE (no As at), no CHECKLIST_UNEVIDENCED (B1, C1 have
    #   Evidence), no NI_NOT_TRACKED (NI 143 BP1, NI 15 BP2, NI 40 LOCAL1), no LAA_UNLINKED
    assert flag_multiset(a) == Counter({
        ("TARGET_OFF_TRACK", WARN): 1,
        ("IPPF_VERTICAL_ONLY", WARN): 3,
        ("MEASURE_OFF_TRACK", WARN): 1,
        ("DRIVER_UNCOVERED", WARN): 1,
        ("DRIVER_UNCOVERED", INFO): 2,
    })


# ---------------------------------------------------------------------------------------------
# (f) England at 2010-09-30, courts measures and the trajectory. f = 912/1094 = 456/547.
#     Two targets are Green only thanks to the trajectory, one Amber, one Red; IPPF measures
#     with Target/Actual include two CS (courts) measures, UPW and PSR, and SICK (VM, lower).
#     Shows: CS gets no A3_D; A3 leaves out CS measures; P pools targets and measures;
#     IPPF_VERTICAL_ONLY is info for the CS measures, warning for SICK.


def example_f() -> Submission:
    return Submission(
        about=TrustInfo(trust="Lancashire Probation Trust", nation="England",
                        as_at=date(2010, 9, 30)),
        checklist=[
            item("A1", "Complete", "Board minutes 14/04/2010"),
            item("B1", "Complete", "Statement of Intent, May 2010"),
            item("C1", "Complete", "Business plan 2010/11"),
            item("D1", "Complete", "CDRP membership list"),
            item("E1", "In progress"),                          # no Due: not overdue
            item("F1", "Not started", due=date(2010, 6, 30)),   # due before As at: overdue
            item("G1", "Complete"),                             # no Evidence: unevidenced
        ],
        targets=[
            LaaTarget(laa="Lancashire", ni="NI 18", baseline=12, target=10, latest=10.3,
                      role="Lead", plan_ref="BP1"),
            LaaTarget(laa="Blackburn with Darwen", ni="NI 144", baseline=40, target=50,
                      latest=48, role="Contributor", plan_ref="BP1"),
            LaaTarget(laa="Blackpool", ni="NI 30", baseline=60, target=50, latest=51.5,
                      role="Lead", plan_ref="BP2"),
            LaaTarget(laa="Lancashire", ni="NI 143", baseline=70, target=80, latest=72,
                      role="Lead", plan_ref="BP7"),  # BP7 is no Ref: LAA_UNLINKED
        ],
        measures=[
            IppfMeasure(code="UPW", target=50000, actual=51000),  # CS, higher
            IppfMeasure(code="PSR", target=90, actual=75),        # CS, higher
            IppfMeasure(code="SICK", target=9, actual=9.5),       # VM, lower
            IppfMeasure(code="AP", target=800, actual=820),       # RR, higher, NI 18
            IppfMeasure(code="EMP"),                              # RR, NI 144; no data
            IppfMeasure(code="ENF", target=85, actual=80, linked_ni="NI 30"),  # PP, higher
        ],
        objectives=[
            Objective(ref="BP1", drivers=["RR"], linked_ni="NI 18; NI 144"),
            Objective(ref="BP2", drivers=["RR", "PP"], linked_ni="NI 143"),
            Objective(ref="BP3", drivers=["CS"]),  # courts: covered, though no NI can show it
        ],
    )


def test_example_f_courts_measures_and_the_trajectory() -> None:
    a = assess(example_f())

    # f = 912/1094 = 456/547 = 0.83364; tau = 0.10. 10f = 4560/547 = 8.33638, 2f = 1.66728.
    #   Lancashire NI 18 (lower): e = 12 - 2f = 5652/547 = 10.33272
    #       d = a - e = 10.3 - 10.33272 = -0.03272 <= 0                          -> Green
    #       (end point: d = 10.3 - 10 = 0.3 > tau*g = 0.2 -> Red; Green only on the trajectory)
    #   Blackburn NI 144 (higher): e = 40 + 10f = 26440/547 = 48.33638
    #       d = e - a = 0.33638; g = 10; tau*g = 1; 0 < 0.336 <= 1               -> Amber
    #   Blackpool NI 30 (lower): e = 60 - 10f = 28260/547 = 51.66362
    #       d = 51.5 - 51.66362 = -0.16362 <= 0                                  -> Green
    #       (end point: d = 1.5 > 1 -> Red; Green only on the trajectory)
    #   Lancashire NI 143 (higher): e = 70 + 10f = 42850/547 = 78.33638
    #       d = 78.33638 - 72 = 6.33638 > 1                                      -> Red
    assert a.progress == pytest.approx(912 / 1094)
    assert "30/09/2010" in a.progress_note
    assert [t.status for t in a.targets] == [G, A, G, R]
    assert [t.expected for t in a.targets] == [
        pytest.approx(5652 / 547), pytest.approx(26440 / 547),
        pytest.approx(28260 / 547), pytest.approx(42850 / 547),
    ]
    assert [t.linked for t in a.targets] == [True, True, True, False]

    # Measures (§4.2b: annual rates, no trajectory), tau = 0.10:
    #   UPW (higher):  d = 50000 - 51000 = -1000 <= 0                              -> Green
    #   PSR (higher):  d = 90 - 75 = 15; g = 90; tau*g = 9; 15 > 9                 -> Red
    #   SICK (lower):  d = a - t = 9.5 - 9 = 0.5; g = 9; tau*g = 0.9; 0.5 <= 0.9   -> Amber
    #   AP (higher):   d = 800 - 820 = -20                                         -> Green
    #   EMP: no Target or Actual                                                   -> No data
    #   ENF (higher):  d = 85 - 80 = 5; g = 85; tau*g = 8.5; 5 <= 8.5              -> Amber
    assert [m.status for m in a.measures] == [G, R, A, G, ND, A]
    assert [m.driver for m in a.measures] == [
        Driver.CS, Driver.CS, Driver.VM, Driver.RR, Driver.RR, Driver.PP,
    ]
    assert [m.counts_for_alignment for m in a.measures] == [False, False, True, True, True, True]
    assert [m.aligned for m in a.measures] == [False, False, False, True, True, True]
    assert a.ni_measurable == [Driver.RR, Driver.PP, Driver.VS, Driver.VM]

    # S = (1 + 1 + 1 + 1 + 0.5 + 0 + 1)/7 = 5.5/7 = 11/14
    check(a.self_assessment, 11 / 14, 5.5, 7)
    # A1: BP1, BP1, BP2 match; BP7 does not -> 3/4
    check(a.linkage, 0.75, 3, 4)
    # A2: targets RR (all four), PP (NI 30); objectives RR, PP, CS -> {RR, PP, CS} = 3/5
    check(a.driver_coverage, 0.6, 3, 5)
    # A3: UPW and PSR (CS) left out; SICK (no NI) no; AP (NI 18) yes; EMP (NI 144) yes;
    #     ENF (NI 30) yes -> 3/4       (v1 would have counted all six: 3/6)
    check(a.measure_alignment, 0.75, 3, 4)
    # A = (3/4 + 3/5 + 3/4)/3 = (15/20 + 12/20 + 15/20)/3 = (42/20)/3 = 0.7
    check(a.alignment, 0.7)
    # horizontal: G, A, G, R -> (2 + 0.5)/4 = 2.5/4 = 0.625
    # vertical:   G, R, A, G, (ND), A -> (2 + 0.5*2)/5 = 3/5 = 0.6
    # P pooled:   (2.5 + 3)/(4 + 5) = 5.5/9 = 11/18
    check(a.performance_targets, 0.625, 2.5, 4)
    check(a.performance_measures, 0.6, 3, 5)
    check(a.performance, 11 / 18, 5.5, 9)

    # Score = 100*(0.4*11/14 + 0.4*0.7 + 0.2*11/18) = 100*(11/35 + 7/25 + 11/90)
    #       = 100*(990 + 882 + 385)/3150 = 100*2257/3150 = 71.6508 -> 71.7 -> Green
    assert a.score == pytest.approx(71.7)
    assert a.rag_before_cap is Rag.GREEN
    assert a.rag is Rag.GREEN  # B1 and D1 Complete: no critical flag
    assert a.capped_by == []

    # Drivers:
    #   RR: NI 18 (G, linked), NI 144 (A, linked), NI 30 (G, linked), NI 143 (R, unlinked)
    #       -> A1 = 3/4; measures AP (aligned, G), EMP (aligned, ND) -> A3 = 2/2 = 1;
    #       P = (1 + 0.5 + 1 + 0 + AP 1)/5 = 3.5/5 = 0.7
    #       -> 100*(0.5*0.75 + 0.25*1 + 0.25*0.7) = 100*(0.375 + 0.25 + 0.175) = 80.0
    #   PP: NI 30 (G, linked) -> A1 = 1; ENF (aligned, A) -> A3 = 1; P = (1 + 0.5)/2 = 0.75
    #       -> 100*(0.5 + 0.25 + 0.1875) = 93.75 -> 93.8
    #   VS: nothing -> None
    #   VM: no target -> A1 left out; SICK not aligned -> A3 = 0/1; P = 0.5/1 (SICK Amber)
    #       -> 100*(0.25*0 + 0.25*0.5)/0.5 = 25.0
    #   CS: no target -> A1 left out; not NI-measurable -> A3 left out (v1: 0/2);
    #       P = (UPW 1 + PSR 0)/2 = 0.5 -> 100*(0.25*0.5)/0.25 = 50.0   (v1 would give 25.0)
    assert driver_scores(a) == {
        "RR": pytest.approx(80.0), "PP": pytest.approx(93.8), "VS": None,
        "VM": pytest.approx(25.0), "CS": pytest.approx(50.0),
    }
    assert driver_parts(a, "RR") == (pytest.approx(0.75), pytest.approx(1.0), pytest.approx(0.7))
    assert driver_parts(a, "PP") == (pytest.approx(1.0), pytest.approx(1.0), pytest.approx(0.75))
    assert driver_parts(a, "VM") == (None, pytest.approx(0.0), pytest.approx(0.5))
    assert driver_parts(a, "CS") == (None, None, pytest.approx(0.5))
    check(a.driver("RR").performance, 0.7, 3.5, 5)
    check(a.driver("CS").performance, 0.5, 1, 2)
    cs = a.driver("CS")
    assert cs.ni_measurable is False
    assert cs.measures == 2
    assert cs.covered is True
    assert a.driver("VM").ni_measurable is True

    # Flags:
    #   CHECKLIST_OVERDUE warning (F1), CHECKLIST_UNEVIDENCED warning (G1)
    #   LAA_UNLINKED warning (NI 143, BP7), TARGET_OFF_TRACK warning (NI 143 Red)
    #   IPPF_VERTICAL_ONLY: info x2 (UPW, PSR: CS not NI-measurable), warning x1 (SICK: VM is)
    #   MEASURE_OFF_TRACK warning (PSR Red), MEASURE_NO_DATA info (EMP)
    #   COUNT_DUPLICATE info (EMP: NI 144 on Targets); no POLARITY_CONFLICT (higher = higher)
    #   DRIVER_UNCOVERED warning (VS), info (VM)
    #   no NI_NOT_TRACKED (NI 18, 144 via AP/EMP/BP1; NI 30 via ENF; NI 143 via BP2),
    #   no criticals (B1, D1 Complete)
    assert flag_multiset(a) == Counter({
        ("CHECKLIST_OVERDUE", WARN): 1,
        ("CHECKLIST_UNEVIDENCED", WARN): 1,
        ("LAA_UNLINKED", WARN): 1,
        ("TARGET_OFF_TRACK", WARN): 1,
        ("IPPF_VERTICAL_ONLY", WARN): 1,
        ("IPPF_VERTICAL_ONLY", INFO): 2,
        ("MEASURE_OFF_TRACK", WARN): 1,
        ("MEASURE_NO_DATA", INFO): 1,
        ("COUNT_DUPLICATE", INFO): 1,
        ("DRIVER_UNCOVERED", WARN): 1,
        ("DRIVER_UNCOVERED", INFO): 1,
    })
    vertical_only = {code: str(f.severity) for f in a.flags if f.code == "IPPF_VERTICAL_ONLY"
                     for code in ("UPW", "PSR", "SICK") if f"Measure {code} " in f.message}
    assert vertical_only == {"UPW": INFO, "PSR": INFO, "SICK": WARN}
    off_track = [f.message for f in a.flags if f.code == "MEASURE_OFF_TRACK"]
    assert len(off_track) == 1 and "PSR" in off_track[0]


def test_example_f_progress_setting_overrides_the_as_at() -> None:
    # Same workbook, Config progress = 1 (100%): the As at no longer matters; e = t.
    sub = example_f()
    a = assess(sub.model_copy(update={"settings": Settings(progress=1.0)}))
    assert a.progress == pytest.approx(1.0)
    #   NI 18:  d = 10.3 - 10 = 0.3 > 0.2                    -> Red
    #   NI 144: d = 50 - 48 = 2 > 1                           -> Red
    #   NI 30:  d = 51.5 - 50 = 1.5 > 1                       -> Red
    #   NI 143: d = 80 - 72 = 8 > 1                           -> Red
    assert [t.status for t in a.targets] == [R, R, R, R]
    # Measures have no trajectory: unchanged.
    assert [m.status for m in a.measures] == [G, R, A, G, ND, A]
    # horizontal 0/4; vertical 3/5; P = (0 + 3)/(4 + 5) = 1/3
    check(a.performance_targets, 0.0, 0, 4)
    check(a.performance_measures, 0.6, 3, 5)
    check(a.performance, 1 / 3, 3, 9)
    # Score = 100*(11/35 + 7/25 + 0.2/3) = 100*(990 + 882 + 210)/3150 = 100*2082/3150
    #       = 66.095 -> 66.1 -> Amber
    assert a.score == pytest.approx(66.1)
    assert a.rag is Rag.AMBER
    # RR: A1 3/4, A3 1, P = (0+0+0+0 + AP 1)/5 = 0.2 -> 100*(0.375 + 0.25 + 0.05) = 67.5
    # PP: A1 1, A3 1, P = (0 + ENF 0.5)/2 = 0.25 -> 100*(0.5 + 0.25 + 0.0625) = 81.25
    #     -> 81.3 (half up; half to even would give 81.2)
    # VM, CS: no targets, unchanged: 25.0, 50.0
    assert driver_scores(a) == {
        "RR": pytest.approx(67.5), "PP": pytest.approx(81.3), "VS": None,
        "VM": pytest.approx(25.0), "CS": pytest.approx(50.0),
    }
    assert Counter(a.flag_codes())["TARGET_OFF_TRACK"] == 4


def test_example_f_catalogue_override_makes_courts_ni_measurable() -> None:
    # Same workbook with a Catalogue row giving NI 198 the CS driver (§2: overridable per
    # workbook; §4.3: NI-measurable "after the workbook's own Catalogue overrides").
    sub = example_f()
    override = IndicatorOverride(ni="NI 198", title="Court orders completed", polarity="higher",
                                 drivers=["CS"])
    a = assess(sub.model_copy(update={"indicators": [override]}))
    assert a.ni_measurable == [Driver.RR, Driver.PP, Driver.VS, Driver.VM, Driver.CS]
    # Targets and measures statuses unchanged (NI 198 is not on the Targets sheet).
    assert [t.status for t in a.targets] == [G, A, G, R]
    assert [m.counts_for_alignment for m in a.measures] == [True] * 6
    # A3 now counts UPW and PSR (neither links an NI on Targets): 3/6 = 0.5
    check(a.measure_alignment, 0.5, 3, 6)
    # A = (0.75 + 0.6 + 0.5)/3 = 1.85/3 = 37/60
    check(a.alignment, 37 / 60)
    check(a.performance, 11 / 18, 5.5, 9)
    # Score = 100*(11/35 + 0.4*37/60 + 11/90) = 100*(990 + 777 + 385)/3150 = 100*2152/3150
    #       = 68.317 -> 68.3 -> Amber
    assert a.score == pytest.approx(68.3)
    assert a.rag is Rag.AMBER
    # CS: A1 left out (no CS target on the sheet); A3 = 0/2; P = 0.5
    #     -> 100*(0.25*0 + 0.25*0.5)/0.5 = 25.0
    cs = a.driver("CS")
    assert cs.ni_measurable is True
    check(cs.measure_alignment, 0.0, 0, 2)
    assert cs.score == pytest.approx(25.0)
    # IPPF_VERTICAL_ONLY for UPW and PSR is now a warning, like SICK's.
    assert Counter((f.code, str(f.severity)) for f in a.flags
                   if f.code == "IPPF_VERTICAL_ONLY") == Counter({("IPPF_VERTICAL_ONLY", WARN): 3})


# ---------------------------------------------------------------------------------------------
# (g) Wales, an exact tie in the score: half up must give the upper decimal (SPEC §4.4;
#     "31.25 -> 31.3" in the engine's own rounding helper). No targets, no measures.


def example_g() -> Submission:
    return Submission(
        about=TrustInfo(trust="Dyfed-Powys Probation Trust", nation="Wales",
                        as_at=date(2010, 9, 30)),
        checklist=[
            item("A1", "In progress"),
            item("B1", "Not started"),  # -> POSITION_STATEMENT_MISSING
            item("C1", "Not started"),
            item("D1", "Not started"),  # As at >= 2010-04-01 -> RA_DUTY_UNMET
        ],
        objectives=[
            Objective(ref="WAG1", drivers=["RR"]),
            Objective(ref="WAG2", drivers=["PP", "VS"]),
        ],
    )


def test_example_g_exact_tie_rounds_half_up() -> None:
    a = assess(example_g())
    # S = (0.5 + 0 + 0 + 0)/4 = 1/8
    check(a.self_assessment, 1 / 8, 0.5, 4)
    # A1 left out (Wales); A2 = {RR, PP, VS} = 3/5; A3 left out (no measures) -> A = 3/5
    check(a.linkage, None)
    check(a.driver_coverage, 0.6, 3, 5)
    check(a.measure_alignment, None)
    check(a.alignment, 0.6)
    # P left out: no targets and no measures
    check(a.performance, None)
    # Drivers: no target, no measure anywhere -> every driver score None
    assert driver_scores(a) == dict.fromkeys(("RR", "PP", "VS", "VM", "CS"))
    # Flags: two criticals; DRIVER_UNCOVERED info for VM and CS
    assert flag_multiset(a) == Counter({
        ("POSITION_STATEMENT_MISSING", CRIT): 1,
        ("RA_DUTY_UNMET", CRIT): 1,
        ("DRIVER_UNCOVERED", INFO): 2,
    })
    assert a.rag is Rag.RED
    # Score = 100*(0.4*1/8 + 0.4*3/5)/(0.4 + 0.4) = 100*(0.05 + 0.24)/0.8 = 100*0.29/0.8
    #       = 36.25 exactly -> half up -> 36.3
    assert a.score == pytest.approx(36.3, abs=1e-9)
