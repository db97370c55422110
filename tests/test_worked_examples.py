"""Worked examples: small submissions scored by hand from the SPEC (§4 scoring, §5 flags).

Every expected number below was worked out on paper from the SPEC, not copied from the engine.
The arithmetic is in the comments so a reader can check it line by line. Fractions are kept
exact (e.g. 11/12) and compared with ``pytest.approx``; the score is compared to one decimal.

Catalogue facts used (SPEC §2.1, §2.2):
    NI 15 lower PP · NI 16 lower RR · NI 18 lower RR · NI 19 lower RR · NI 26 higher VS
    NI 29 lower PP · NI 30 lower RR,PP · NI 32 lower VS,PP · NI 40 higher RR
    NI 143 higher RR · NI 144 higher RR · NI 152 not probation relevant (no drivers)
    AP  RR higher linked NI 18           · EMP RR higher linked NI 144, same outcome NI 144
    PSR CS higher (no linked NI)          · ACC RR higher linked NI 143, same outcome NI 143
    ENF PP higher (no linked NI)          · SICK VM lower (no linked NI)
    BS  RR higher linked NI 144           · DRR RR higher linked NI 38 · VC VS higher
"""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from xl_localism.engine import assess
from xl_localism.models import (
    Assessment,
    ChecklistItem,
    IppfMeasure,
    LaaTarget,
    Objective,
    Settings,
    Submission,
    TrustInfo,
)
from xl_localism.vocab import Rag, TargetStatus

CRIT, ERR, WARN, INFO = "critical", "error", "warning", "info"


def item(
    id_: str, status: str, evidence: str | None = None, weight: float = 1.0,
    due: date | None = None,
) -> ChecklistItem:
    return ChecklistItem(id=id_, status=status, evidence=evidence, weight=weight, due=due)


def flag_multiset(assessment: Assessment) -> Counter[tuple[str, str]]:
    return Counter((f.code, str(f.severity)) for f in assessment.flags)


def driver_scores(assessment: Assessment) -> dict[str, float | None]:
    return {key: assessment.driver(key).score for key in ("RR", "PP", "VS", "VM", "CS")}


# ---------------------------------------------------------------------------------------------
# (a) England: Green on the numbers, capped to Amber by a critical flag (RA_DUTY_UNMET)


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
            IppfMeasure(code="AP"),   # defaults: RR, higher, linked NI 18
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

    # Target status (§4.2), default f = 1, tau = 0.10, so e = t:
    #   Kent NI 18 (lower):    e = 10 + 1*(8-10) = 8;  d = a - e = 7.9 - 8 = -0.1 <= 0 -> Green
    #   Kent NI 144 (higher):  e = 50;                 d = e - a = 50 - 51 = -1   <= 0 -> Green
    #   Medway NI 32 (lower):  e = 90; d = 90.5 - 90 = 0.5; g = |90-100| = 10;
    #                          tau*g = 1.0; 0 < 0.5 <= 1.0                          -> Amber
    assert [t.status for t in a.targets] == [
        TargetStatus.GREEN, TargetStatus.GREEN, TargetStatus.AMBER,
    ]
    assert all(t.relevant for t in a.targets)  # every NI has drivers and role Lead/Contributor

    # S = (1*1 + 1*1 + 2*1 + 1*0.5 + 1*1) / (1+1+2+1+1) = 5.5/6 = 11/12
    assert a.self_assessment.value == pytest.approx(11 / 12)
    # A1: plan refs BP1, BP1, "bp 2" all match an Objectives Ref (case/space-insensitive) = 3/3
    assert a.linkage.value == pytest.approx(1.0)
    # A2: targets carry RR (NI 18, 144), VS+PP (NI 32); objectives add CS -> {RR,PP,VS,CS}
    #     = 4/5 = 0.8  (VM not covered)
    assert a.driver_coverage.value == pytest.approx(0.8)
    # A3: AP -> NI 18 on Targets (yes); EMP -> NI 144 (yes); PSR -> none (no) = 2/3
    assert a.measure_alignment.value == pytest.approx(2 / 3)
    # A = (1 + 0.8 + 2/3) / 3 = (15/15 + 12/15 + 10/15) / 3 = 37/45 = 0.8222...
    assert a.alignment.value == pytest.approx(37 / 45)
    # P = (Green 2 + 0.5*Amber 1) / 3 with data = 2.5/3 = 5/6
    assert a.performance.value == pytest.approx(5 / 6)

    # Score = 100*(0.4*11/12 + 0.4*37/45 + 0.2*5/6) / 1.0
    #       = 100*(165/450 + 148/450 + 75/450) = 100*388/450 = 86.222... -> 86.2
    assert a.score == pytest.approx(86.2)
    # 86.2 >= 70 -> Green; critical RA_DUTY_UNMET caps it at Amber (§4.4)
    assert a.rag_before_cap is Rag.GREEN
    assert a.rag is Rag.AMBER
    assert a.capped_by == ["RA_DUTY_UNMET"]

    # Drivers (§4.5): 100*(0.5*A1_D + 0.25*A3_D + 0.25*P_D) / (weights that exist)
    #   RR: targets NI 18, NI 144 both linked -> A1 = 1; measures AP, EMP both aligned -> A3 = 1;
    #       P = (1 + 1)/2 = 1                           -> 100*(0.5 + 0.25 + 0.25)/1 = 100.0
    #   PP: target NI 32 linked -> A1 = 1; no PP measure -> A3 left out; P = 0.5/1
    #                                                   -> 100*(0.5 + 0.125)/0.75 = 83.3
    #   VS: same as PP (NI 32 carries VS too)           -> 83.3
    #   VM: no target, no measure                        -> None
    #   CS: no relevant target (A1, P left out); PSR not aligned -> A3 = 0
    #                                                   -> 100*(0.25*0)/0.25 = 0.0
    assert driver_scores(a) == {
        "RR": pytest.approx(100.0), "PP": pytest.approx(83.3), "VS": pytest.approx(83.3),
        "VM": None, "CS": pytest.approx(0.0),
    }
    assert a.driver("RR").linkage.value == pytest.approx(1.0)
    assert a.driver("PP").measure_alignment.value is None
    assert a.driver("CS").measure_alignment.value == pytest.approx(0.0)

    # Flags (§5):
    #   RA_DUTY_UNMET critical (D1 In progress, As at 2010-06-30)
    #   CHECKLIST_UNEVIDENCED warning (E1 Complete, no Evidence)
    #   NI_NOT_TRACKED warning (NI 32: no measure links it, BP2 links no NI)
    #   IPPF_VERTICAL_ONLY warning (PSR)
    #   COUNT_DUPLICATE info (EMP's same-outcome NI 144 is on the Targets sheet)
    #   DRIVER_UNCOVERED info (VM)
    #   no POLARITY_CONFLICT (EMP higher = NI 144 higher), no LAA_UNLINKED, no TARGET_* flags
    assert flag_multiset(a) == Counter({
        ("RA_DUTY_UNMET", CRIT): 1,
        ("CHECKLIST_UNEVIDENCED", WARN): 1,
        ("NI_NOT_TRACKED", WARN): 1,
        ("IPPF_VERTICAL_ONLY", WARN): 1,
        ("COUNT_DUPLICATE", INFO): 1,
        ("DRIVER_UNCOVERED", INFO): 1,
    })


# ---------------------------------------------------------------------------------------------
# (b) Wales: A1 left out, W1 counted, NI_IN_WALES


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
            # ACC: RR, linked NI 143 (not on Targets), same outcome NI 143 (higher).
            IppfMeasure(code="ACC", polarity="lower"),
            # ENF has no default Linked NI; this trust links it to NI 15 (on Targets).
            IppfMeasure(code="ENF", linked_ni="NI 15"),
        ],
        objectives=[
            Objective(ref="WAG1", drivers=["RR"], linked_ni="NI 18"),
            Objective(ref="WAG2", drivers=["Victims Services"]),
        ],
    )


def test_example_b_wales_leaves_out_linkage_and_counts_w1() -> None:
    a = assess(example_b())

    # Target status, f = 1, tau = 0.10:
    #   Cardiff NI 18 (lower):  e = 18; d = 21 - 18 = 3; g = |18-20| = 2; tau*g = 0.2; 3 > 0.2
    #                           -> Red
    #   Swansea NI 15 (lower):  e = 4;  d = 3.5 - 4 = -0.5 <= 0 -> Green
    #   Cardiff NI 152: not in the probation catalogue -> no status, not relevant
    assert [t.status for t in a.targets] == [TargetStatus.RED, TargetStatus.GREEN, None]
    assert [t.relevant for t in a.targets] == [True, True, False]
    assert [t.linked for t in a.targets] == [None, None, None]  # linkage not assessed in Wales

    # S (W1 counts in Wales) = (1 + 1 + 1 + 0.5 + 0) / 5 = 3.5/5 = 0.7
    assert a.self_assessment.value == pytest.approx(0.7)
    # A1 left out in Wales
    assert a.linkage.value is None
    # A2: targets RR (NI 18), PP (NI 15); objectives RR, VS -> {RR, PP, VS} = 3/5 = 0.6
    assert a.driver_coverage.value == pytest.approx(0.6)
    # A3: ACC -> NI 143 not on Targets (no); ENF -> NI 15 (yes) = 1/2
    assert a.measure_alignment.value == pytest.approx(0.5)
    # A = mean(A2, A3) = (0.6 + 0.5) / 2 = 0.55
    assert a.alignment.value == pytest.approx(0.55)
    # P = (1 Green + 0.5*0 Amber) / 2 with data = 0.5
    assert a.performance.value == pytest.approx(0.5)

    # Score = 100*(0.4*0.7 + 0.4*0.55 + 0.2*0.5) / 1.0 = 100*(0.28 + 0.22 + 0.10) = 60.0
    assert a.score == pytest.approx(60.0)
    assert a.rag_before_cap is Rag.AMBER  # 40 <= 60 < 70
    assert a.rag is Rag.AMBER
    assert a.capped_by == []

    # Drivers (A1_D left out in Wales):
    #   RR: NI 18 Red -> P = 0/1 = 0; measures with driver RR: ACC not aligned -> A3 = 0
    #       -> 100*(0.25*0 + 0.25*0)/0.5 = 0.0
    #   PP: NI 15 Green -> P = 1; ENF aligned -> A3 = 1 -> 100*(0.25 + 0.25)/0.5 = 100.0
    #   VS: covered by WAG2 but no target or measure -> None; VM, CS -> None
    assert driver_scores(a) == {
        "RR": pytest.approx(0.0), "PP": pytest.approx(100.0),
        "VS": None, "VM": None, "CS": None,
    }
    assert a.driver("RR").linkage.value is None
    assert a.driver("VS").covered is True

    # Flags:
    #   CHECKLIST_OVERDUE warning (G1 due 2011-03-31 < As at 2011-05-01)
    #   TARGET_OFF_TRACK warning (Cardiff NI 18 Red)
    #   NI_IN_WALES info (one flag for the Targets sheet)
    #   POLARITY_CONFLICT error (ACC 'lower' vs NI 143 'higher')
    #   IPPF_VERTICAL_ONLY warning (ACC)
    #   DRIVER_UNCOVERED info x2 (VM, CS)
    #   no LAA_UNLINKED (Wales), no NI_NOT_TRACKED (NI 18 via WAG1, NI 15 via ENF),
    #   no COUNT_DUPLICATE (NI 143 not on Targets), no criticals (B1, D1 Complete)
    assert flag_multiset(a) == Counter({
        ("POLARITY_CONFLICT", ERR): 1,
        ("CHECKLIST_OVERDUE", WARN): 1,
        ("TARGET_OFF_TRACK", WARN): 1,
        ("IPPF_VERTICAL_ONLY", WARN): 1,
        ("NI_IN_WALES", INFO): 1,
        ("DRIVER_UNCOVERED", INFO): 2,
    })


def test_example_b_same_workbook_in_england_drops_w1_and_assesses_linkage() -> None:
    # Contrast: only Nation changes.
    sub = example_b()
    a = assess(sub.model_copy(update={"about": sub.about.model_copy(update={"nation": "England"})}))
    # S without W1 = (1 + 1 + 1 + 0) / 4 = 0.75
    assert a.self_assessment.value == pytest.approx(0.75)
    # A1: relevant NI 18 (no Plan ref), NI 15 ("XX" matches no Ref) -> 0/2 = 0
    assert a.linkage.value == pytest.approx(0.0)
    # A = (0 + 0.6 + 0.5)/3 = 11/30; score = 100*(0.4*0.75 + 0.4*11/30 + 0.2*0.5)
    #   = 100*(0.3 + 0.14666.. + 0.1) = 54.666.. -> 54.7
    assert a.score == pytest.approx(54.7)
    codes = Counter(a.flag_codes())
    assert codes["LAA_UNLINKED"] == 2
    assert "NI_IN_WALES" not in codes


# ---------------------------------------------------------------------------------------------
# (c) England, no relevant targets: A1 = 0, P left out; zero-gap and No data targets,
#     Not applicable items, custom Settings (progress 0.5, tolerance 0.2)


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
            IppfMeasure(code="SICK"),  # VM, lower, no linked NI
            IppfMeasure(code="BS"),    # RR, linked NI 144 (not on Targets)
            IppfMeasure(code="ACC"),   # RR, linked NI 143 (on Targets), same outcome NI 143
        ],
        objectives=[Objective(ref="BP1", drivers="PP; Services to Courts", linked_ni="NI 143")],
        settings=Settings(progress=0.5, tolerance=0.2),
    )


def test_example_c_england_without_relevant_targets_and_custom_settings() -> None:
    a = assess(example_c())

    # Target status with f = 0.5, tau = 0.2:
    #   Leeds NI 19 (lower), zero gap: e = 12 + 0.5*0 = 12; d = 12.5 - 12 = 0.5;
    #       g = |12-12| = 0 -> |t| = 12; tau*g = 2.4; 0 < 0.5 <= 2.4          -> Amber
    #   Leeds NI 40: Latest missing                                          -> No data
    #   Bradford NI 143 (higher): e = 60 + 0.5*(80-60) = 70; d = 70 - 67 = 3;
    #       g = 20; tau*g = 4; 0 < 3 <= 4                                    -> Amber
    #       (with the defaults e = 80, d = 13 > 2 -> it would be Red)
    #   Bradford NI 29 (lower), b = t = 0: e = 0; d = 0.3; g = 1 (both 0); tau*g = 0.2
    #       0.3 > 0.2                                                        -> Red
    assert [t.status for t in a.targets] == [
        TargetStatus.AMBER, TargetStatus.NO_DATA, TargetStatus.AMBER, TargetStatus.RED,
    ]
    assert [t.expected for t in a.targets] == [
        pytest.approx(12), None, pytest.approx(70), pytest.approx(0),
    ]
    assert not any(t.relevant for t in a.targets)

    # S: A2, B1 Not applicable and W1 (England) left out:
    #    (1*1 [A1] + 3*0.5 [C1]) / (1 + 3) = 2.5/4 = 0.625
    assert a.self_assessment.value == pytest.approx(0.625)
    # A1: England with no relevant targets -> 0
    assert a.linkage.value == pytest.approx(0.0)
    # A2: no relevant targets; BP1 carries PP, CS -> 2/5 = 0.4
    assert a.driver_coverage.value == pytest.approx(0.4)
    # A3: SICK (no NI) no; BS (NI 144) no; ACC (NI 143 is on Targets, role None or not) yes
    #     -> 1/3
    assert a.measure_alignment.value == pytest.approx(1 / 3)
    # A = (0 + 0.4 + 1/3)/3 = (11/15)/3 = 11/45
    assert a.alignment.value == pytest.approx(11 / 45)
    # P left out: no relevant target at all
    assert a.performance.value is None

    # Score = 100*(0.4*0.625 + 0.4*11/45) / (0.4 + 0.4)
    #       = 100*(5/8 + 11/45)/2 = 100*(225/360 + 88/360)/2 = 100*313/720 = 43.47 -> 43.5
    assert a.score == pytest.approx(43.5)
    assert a.rag_before_cap is Rag.AMBER
    assert a.rag is Rag.AMBER  # the critical flag caps Green only; it was Amber anyway
    assert a.capped_by == ["POSITION_STATEMENT_MISSING"]

    # Drivers: no relevant targets, so A1_D and P_D are left out everywhere; A3_D only.
    #   RR: measures BS (no), ACC (yes) -> A3 = 1/2 -> 100*(0.25*0.5)/0.25 = 50.0
    #   VM: SICK (no) -> A3 = 0 -> 0.0
    #   PP, VS, CS: no target and no measure -> None (CS and PP are covered by BP1 all the same)
    assert driver_scores(a) == {
        "RR": pytest.approx(50.0), "PP": None, "VS": None,
        "VM": pytest.approx(0.0), "CS": None,
    }
    assert a.driver("RR").linkage.value is None
    assert a.driver("RR").performance.value is None

    # Flags:
    #   POSITION_STATEMENT_MISSING critical (B1 Not applicable)
    #   IPPF_VERTICAL_ONLY warning x2 (SICK, BS)
    #   COUNT_DUPLICATE info (ACC: NI 143 on Targets)
    #   DRIVER_UNCOVERED: RR warning, VS warning, VM info
    #   none for the Red/No data targets: they are not relevant; no RA_DUTY_UNMET (before
    #   April 2010, and D1 absent does not matter then)
    assert flag_multiset(a) == Counter({
        ("POSITION_STATEMENT_MISSING", CRIT): 1,
        ("IPPF_VERTICAL_ONLY", WARN): 2,
        ("DRIVER_UNCOVERED", WARN): 2,
        ("COUNT_DUPLICATE", INFO): 1,
        ("DRIVER_UNCOVERED", INFO): 1,
    })
    uncovered = {f.message.split("carries ")[1][:2]: f.severity for f in a.flags
                 if f.code == "DRIVER_UNCOVERED"}
    assert uncovered == {"RR": WARN, "VS": WARN, "VM": INFO}


# ---------------------------------------------------------------------------------------------
# (d) England, Red: relevant zero-gap targets, a relevant No data target left out of P,
#     B1 and D1 absent from the checklist


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
            IppfMeasure(code="VC", linked_ni="26"),  # VS; links NI 26 (on Targets)
            IppfMeasure(code="DRR"),                 # RR; NI 38 not on Targets
        ],
        objectives=[Objective(ref="BP1", drivers=["RR"], linked_ni="NI 30, NI 16")],
    )


def test_example_d_england_red_with_zero_gap_and_no_data_targets() -> None:
    a = assess(example_d())

    # Target status, f = 1, tau = 0.10:
    #   Hull NI 30 (lower), zero gap: e = 50; d = 52 - 50 = 2; g = |50| = 50; tau*g = 5 -> Amber
    #   Hull NI 26: Latest missing                                               -> No data
    #   East Riding NI 16 (lower), b = t = 0: e = 0; d = 0.05; g = 1; tau*g = 0.1 -> Amber
    assert [t.status for t in a.targets] == [
        TargetStatus.AMBER, TargetStatus.NO_DATA, TargetStatus.AMBER,
    ]
    assert [t.linked for t in a.targets] == [True, False, False]

    # S: F1 left out -> (0 + 0.5 + 0)/3 = 1/6
    assert a.self_assessment.value == pytest.approx(1 / 6)
    # A1: 3 relevant targets, only Hull NI 30 (BP1) matches a Ref -> 1/3
    assert a.linkage.value == pytest.approx(1 / 3)
    # A2: NI 30 -> RR, PP; NI 26 -> VS; NI 16 -> RR; BP1 -> RR: {RR, PP, VS} = 3/5
    assert a.driver_coverage.value == pytest.approx(0.6)
    # A3: VC (NI 26 on Targets) yes; DRR (NI 38) no -> 1/2
    assert a.measure_alignment.value == pytest.approx(0.5)
    # A = (1/3 + 3/5 + 1/2)/3 = (10/30 + 18/30 + 15/30)/3 = 43/90
    assert a.alignment.value == pytest.approx(43 / 90)
    # P: No data target left out; (0 Green + 0.5*2 Amber) / 2 = 0.5
    assert a.performance.value == pytest.approx(0.5)

    # Score = 100*(0.4/6 + 0.4*43/90 + 0.2*0.5)
    #       = 100*(30/450 + 86/450 + 45/450) = 100*161/450 = 35.78 -> 35.8 -> Red
    assert a.score == pytest.approx(35.8)
    assert a.rag_before_cap is Rag.RED
    assert a.rag is Rag.RED
    assert a.capped_by == ["POSITION_STATEMENT_MISSING", "RA_DUTY_UNMET"]

    # Drivers:
    #   RR: NI 30 (linked, Amber), NI 16 (unlinked, Amber) -> A1 = 1/2, P = 1/2;
    #       DRR not aligned -> A3 = 0 -> 100*(0.5*0.5 + 0.25*0 + 0.25*0.5) = 37.5
    #   PP: NI 30 -> A1 = 1, P = 0.5; no PP measure -> 100*(0.5 + 0.125)/0.75 = 83.3
    #   VS: NI 26 unlinked -> A1 = 0; no data -> P left out; VC aligned -> A3 = 1
    #       -> 100*(0 + 0.25)/0.75 = 33.3
    #   VM, CS: nothing -> None
    assert driver_scores(a) == {
        "RR": pytest.approx(37.5), "PP": pytest.approx(83.3), "VS": pytest.approx(33.3),
        "VM": None, "CS": None,
    }
    assert a.driver("VS").performance.value is None

    # Flags:
    #   POSITION_STATEMENT_MISSING critical (no B1 row), RA_DUTY_UNMET critical (no D1 row,
    #   As at 2011-01-31 >= 2010-04-01)
    #   CHECKLIST_OVERDUE warning (A1)
    #   LAA_UNLINKED warning x2 (Hull NI 26 'BP9', East Riding NI 16 no ref)
    #   IPPF_VERTICAL_ONLY warning (DRR)
    #   TARGET_NO_DATA info (Hull NI 26)
    #   DRIVER_UNCOVERED info x2 (VM, CS)
    #   no NI_NOT_TRACKED: NI 30, NI 16 via BP1, NI 26 via VC
    assert flag_multiset(a) == Counter({
        ("POSITION_STATEMENT_MISSING", CRIT): 1,
        ("RA_DUTY_UNMET", CRIT): 1,
        ("CHECKLIST_OVERDUE", WARN): 1,
        ("LAA_UNLINKED", WARN): 2,
        ("IPPF_VERTICAL_ONLY", WARN): 1,
        ("TARGET_NO_DATA", INFO): 1,
        ("DRIVER_UNCOVERED", INFO): 2,
    })
