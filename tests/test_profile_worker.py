"""benchmarks/profile_worker.py: the tool that says where a batch worker's time goes."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from xl_localism.demo import write_sample

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import profile_worker

TASK = "<module> (loop.py:8);process_submission (xl_localism/batch/runner.py:141)"


def test_samples_are_summed_by_stage_inner_first():
    raw = [
        f"{TASK};read_workbook (reader.py:515);inspect_package (reader.py:118) 30\n",
        # Validating rows happens inside reading the workbook: the inner stage counts.
        f"{TASK};read_workbook (reader.py:515);build_submission (tables.py:40) 20\n",
        f"{TASK};to_json (explanation.py:60) 10\n",
        f"{TASK};dumps (json/__init__.py:231) 5\n",
        "<module> (loop.py:3);_find_and_load (<frozen importlib._bootstrap>:1176) 40\n",
        f"{TASK};something_else (elsewhere.py:1) 40\n",
    ]
    assert profile_worker.summarise(raw) == pytest.approx({
        "other": 40 / 1.05, "read: package safety checks": 30 / 1.05,
        "read: validating rows into models": 20 / 1.05, "result as JSON": 10 / 1.05,
        "cache entry as JSON": 5 / 1.05})


def test_it_runs_the_worker_task_over_a_folder(samples, tmp_path, capsys):
    for sample in samples[:2]:
        write_sample(sample, tmp_path / f"{sample.slug}.xlsx")
    profile_worker.run(tmp_path, repeat=1)
    assert capsys.readouterr().out.startswith("2 tasks: ")
