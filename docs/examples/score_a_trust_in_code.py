"""Score a trust built in Python, with no workbook: the engine on its own.

Run: .venv/bin/python docs/examples/score_a_trust_in_code.py
"""

from datetime import date

from xl_localism.engine import assess
from xl_localism.explanation import explain
from xl_localism.models import (
    ChecklistItem,
    IppfMeasure,
    LaaTarget,
    Objective,
    Submission,
    TrustInfo,
)

submission = Submission(
    about=TrustInfo(trust="Kent", nation="England", as_at=date(2010, 9, 30)),
    checklist=[
        ChecklistItem(id="B1", status="Complete", evidence="Statement of Intent, June 2010"),
        ChecklistItem(id="D1", status="Complete", evidence="CDRP membership list"),
        ChecklistItem(id="C1", status="In progress", due=date(2010, 12, 31)),
    ],
    targets=[
        # NI 18 is adult re-offending: lower is better, driver RR.
        LaaTarget(laa="Kent", ni="NI18", baseline=10.2, target=9.5, latest=9.6, role="Lead",
                  plan_ref="BP1"),
        LaaTarget(laa="Medway", ni=30, baseline=42, target=38, latest=45, role="Contributor"),
    ],
    measures=[IppfMeasure(code="AP"), IppfMeasure(code="VC")],
    objectives=[Objective(ref="BP1", objective="Reduce reoffending", drivers="RR")],
)

assessment = assess(submission)
print(f"{assessment.trust}: {assessment.score} ({assessment.rag})")
for driver in assessment.drivers:
    shown = "not covered" if driver.score is None else driver.score
    print(f"  {driver.driver} {driver.name}: {shown}")
for flag in assessment.flags:
    print(f"  {flag.severity:8} {flag.code}: {flag.message}")
print("\n".join(explain(assessment)))
