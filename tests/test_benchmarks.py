"""The benchmark scripts start, and the start-up floor stays comparable (benchmarks/README.md).

The benchmarks themselves are never run by the tests.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest
import typer

from xl_localism.cli import app

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
SAMPLES = BENCHMARKS.parent / "workbooks" / "samples"

def _load(name: str):
    spec = importlib.util.spec_from_file_location(name, BENCHMARKS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _interface(application: typer.Typer) -> dict[str, list[str]]:
    group = typer.main.get_command(application)
    return {name: sorted(opt for param in command.params for opt in param.opts)
            for name, command in group.commands.items()}


def test_the_minimal_typer_app_has_our_commands_and_options():
    """It is the floor of `xl-localism --help` only while it offers the same commands."""
    assert _interface(_load("minimal_typer_app").app) == _interface(app)


@pytest.mark.slow
@pytest.mark.parametrize(("script", "status"), [("run.py", 0), ("startup.py", 0),
                                                ("analyst_baseline.py", 2)])
def test_a_benchmark_script_starts_and_says_how_to_run_it(script, status):
    completed = subprocess.run([sys.executable, str(BENCHMARKS / script), "--help"],
                               capture_output=True, text=True)
    assert completed.returncode == status, completed.stderr
    assert f"benchmarks/{script}" in completed.stdout + completed.stderr


@pytest.mark.slow
def test_the_analysts_script_summarises_each_workbook(tmp_path):
    completed = subprocess.run([sys.executable, "-W", "ignore",
                                str(BENCHMARKS / "analyst_baseline.py"), str(SAMPLES),
                                str(tmp_path)], capture_output=True, text=True)
    assert completed.returncode == 0, completed.stderr
    assert len(list(tmp_path.glob("*.xlsx"))) == len(list(SAMPLES.glob("*.xlsx")))
