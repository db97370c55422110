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
        # The cache entry is appended by os.write, which is not counted as writing a file.
        f"{TASK};Journal.append (journal.py:66);posix.write (<built-in>:0) 10\n",
        f"{TASK};write_feedback_workbook (results.py:62);write_layouts (xlsxwriter.py:60);"
        "atomic_path (files.py:33) 20\n",
        f"{TASK};write_feedback_workbook (results.py:62);write_layouts (xlsxwriter.py:60);"
        "close (xlsxwriter/workbook.py:339) 5\n",
        "<module> (loop.py:3);_find_and_load (<frozen importlib._bootstrap>:1176) 40\n",
        f"{TASK};something_else (elsewhere.py:1) 40\n",
    ]
    assert profile_worker.summarise(raw) == pytest.approx({
        "other": 40 / 1.05, "read: package safety checks": 30 / 1.05,
        "feedback: writing the file": 20 / 1.05, "cache entry (a journal line)": 10 / 1.05,
        "feedback: XML, deflate and zip": 5 / 1.05})


def test_it_runs_the_worker_task_over_a_folder(samples, tmp_path, capsys):
    for sample in samples[:2]:
        write_sample(sample, tmp_path / f"{sample.slug}.xlsx")
    profile_worker.run(tmp_path, repeat=1)
    assert capsys.readouterr().out.startswith("2 tasks: ")
