"""Batch-score a folder of submissions from Python and read the outcomes.

Run: .venv/bin/python docs/examples/batch_a_folder.py
"""

import tempfile
from pathlib import Path

from xl_localism.batch.national import write_national_report
from xl_localism.batch.runner import run_batch

out = Path(tempfile.mkdtemp(prefix="xl-localism-"))
result = run_batch(Path("workbooks/samples"), out, jobs=2, write_report=write_national_report)
for outcome in result.scored:
    print(f"{outcome.result['trust']:20} {outcome.result['score']:5.1f} {outcome.result['rag']}")
print(f"Report: {result.report} (exit code {result.exit_code})")
