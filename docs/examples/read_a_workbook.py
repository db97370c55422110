"""Read a trust workbook into models, see every problem with its cell, then score it.

Run: .venv/bin/python docs/examples/read_a_workbook.py [WORKBOOK]
"""

import sys
from pathlib import Path

from xl_localism.engine import assess
from xl_localism.workbook.reader import WorkbookError, read_workbook

path = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("workbooks/samples/lancashire.xlsx")
try:
    submission = read_workbook(path)
except WorkbookError as error:  # not a workbook at all: a one-line reason
    sys.exit(f"error: {error}")

print(f"{submission.about.trust}: {len(submission.targets)} LAA targets, "
      f"{len(submission.problems)} problems found while reading")
for problem in submission.problems:
    print(f"  {problem.severity:8} {problem.code:14} {problem.message}")
print(f"Readiness {assess(submission).score}")
