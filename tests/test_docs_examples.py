"""Every runnable example in docs/examples runs from the repository root and prints a result."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
EXAMPLES = sorted((ROOT / "docs" / "examples").glob("*.py"))


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_example_runs(example: Path):
    completed = subprocess.run([sys.executable, str(example)], cwd=ROOT, capture_output=True,
                               text=True, timeout=300)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip(), "the example printed nothing"
