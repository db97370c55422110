"""The command line as a user runs it: exit codes, the JSON interface, written files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from xl_localism.cli import app

SAMPLES = Path(__file__).parent.parent / "workbooks" / "samples"
runner = CliRunner()


def test_help_lists_every_command():
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("score", "template", "batch", "trend", "demo", "samples"):
        assert command in result.output


def test_score_json_is_the_stable_interface():
    result = runner.invoke(app, ["score", str(SAMPLES / "thames-valley.xlsx"), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert {"trust", "nation", "score", "rag", "components", "drivers", "flags"} <= set(data)
    assert data["trust"] == "Thames Valley" and data["nation"] == "England"
    assert data["rag"] in ("Green", "Amber", "Red")
    assert 0 <= data["score"] <= 100 and round(data["score"], 1) == data["score"]
    assert set(data["components"]) == {"S", "A", "P"}
    assert all(v is None or 0 <= v <= 1 for v in data["components"].values())
    assert set(data["drivers"]) == {"RR", "PP", "VS", "VM", "CS"}
    for flag in data["flags"]:
        assert {"code", "severity", "sheet", "cell", "message"} <= set(flag)


def test_score_prints_tables_and_exits_zero_with_flags():
    result = runner.invoke(app, ["score", str(SAMPLES / "lancashire.xlsx")])
    assert result.exit_code == 0
    assert "Readiness score" in result.output and "NI_INVALID" in result.output


def test_score_unreadable_file_one_line_and_non_zero(tmp_path):
    bad = tmp_path / "bad.xlsx"
    bad.write_text("not a workbook")
    completed = subprocess.run([sys.executable, "-m", "xl_localism.cli", "score", str(bad)],
                               capture_output=True, text=True)
    assert completed.returncode == 2
    assert completed.stderr.strip().count("\n") == 0
    assert "bad.xlsx" in completed.stderr and "Traceback" not in completed.stderr


def test_score_write_summary_keeps_the_submission(tmp_path):
    source = SAMPLES / "humberside.xlsx"
    before = source.read_bytes()
    out = tmp_path / "humberside-scored.xlsx"
    result = runner.invoke(app, ["score", str(source), "--write-summary", str(out)])
    assert result.exit_code == 0, result.output
    assert source.read_bytes() == before
    sheets = openpyxl.load_workbook(out).sheetnames
    assert {"Summary", "Flags", "LAA Targets", "Checklist"} <= set(sheets)


def test_template_command(tmp_path):
    out = tmp_path / "kent.xlsx"
    result = runner.invoke(app, ["template", str(out), "--trust", "Kent", "--nation", "England"])
    assert result.exit_code == 0
    about = openpyxl.load_workbook(out)["About"]
    assert [c.value for c in about["B"]][1] == "Kent"


def test_sample_command_scores_trusts_built_in_code():
    result = runner.invoke(app, ["sample", "--json"])
    assert result.exit_code == 0
    assert {d["trust"] for d in json.loads(result.output)} == {
        "Thames Valley", "Humberside", "South Wales", "Lancashire"}


@pytest.mark.slow
def test_demo_runs_the_main_job(tmp_path):
    result = runner.invoke(app, ["demo", str(tmp_path / "demo"), "--jobs", "2"])
    assert result.exit_code == 0, result.output
    report = tmp_path / "demo" / "report" / "national_summary.xlsx"
    assert report.exists()
    # The report's path is on one line, whole, however narrow the terminal: it can be copied.
    assert f"Report: {report}" in result.output.splitlines()
    league = openpyxl.load_workbook(report)["League table"]
    # 42 areas; London's original return is superseded by its revision, not ranked.
    assert league.max_row - 1 == 42
    assert len(list((tmp_path / "demo" / "report" / "feedback").glob("*.xlsx"))) == 42
    superseded = list(openpyxl.load_workbook(report)["Superseded"].iter_rows(
        min_row=2, values_only=True))
    assert [row[:2] for row in superseded] == [("London/london-2010-q2.xlsx",
                                                "London/london-2010-q2-revised.xlsx")]


# What each door must not load: the command line imports these only in the commands that use
# them (the batch, the Excel door, the server, writing workbooks).
HEAVY = ("pandas", "xlwings", "sqlalchemy", "openpyxl", "xlsxwriter")


def _imported_after(code: str) -> set[str]:
    """The top-level packages a fresh interpreter has imported after running ``code``."""
    probe = (f"{code}\nimport sys\n"
             "print(' '.join(sorted({m.partition('.')[0] for m in sys.modules})))")
    completed = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                               cwd=SAMPLES.parent.parent)
    assert completed.returncode == 0, completed.stderr
    return set(completed.stdout.split())


def test_the_command_line_imports_no_heavy_library():
    assert not _imported_after("import xl_localism.cli") & set(HEAVY)


@pytest.mark.slow  # subprocesses
def test_help_and_score_import_no_heavy_library():
    for args in (["--help"], ["score", str(SAMPLES / "thames-valley.xlsx")],
                 ["score", str(SAMPLES / "thames-valley.xlsx"), "--json"]):
        imported = _imported_after(
            "from xl_localism.cli import app\n"
            f"try:\n    app({args!r})\nexcept SystemExit as done:\n    assert not done.code")
        assert not imported & set(HEAVY), (args, imported & set(HEAVY))


def _league_rows(count: int) -> list[dict]:
    return [{"trust": f"Trust {i:05d}", "nation": "England", "as_at": "2010-09-30",
             "score": float(i % 1000) / 10, "rag": "Amber",
             "drivers": {d: 50.0 for d in ("RR", "PP", "VS", "VM", "CS")},
             "flag_counts": {"critical": 0, "error": 0, "warning": 1, "info": 0}}
            for i in range(count)]


def _render_league(results: list[dict]) -> str:
    from io import StringIO

    from rich.console import Console

    from xl_localism.report import render_league

    out = StringIO()
    render_league(Console(file=out, width=200), results, "League table")
    return out.getvalue()


def test_league_table_past_a_screenful_shows_top_bottom_and_a_count():
    results = _league_rows(10_000)
    text = _render_league(results)
    ranked = sorted(results, key=lambda r: (-r["score"], r["trust"].casefold()))
    shown = [r["trust"] for r in ranked if r["trust"] in text]
    assert shown == [r["trust"] for r in ranked[:25]] + [r["trust"] for r in ranked[-25:]]
    assert "9,950 more in the report" in text
    # the bottom keeps its true ranks
    assert any(line.split("│")[1].strip() == "10000" for line in text.splitlines()
               if line.count("│") > 2)


def test_league_table_within_a_screenful_shows_every_trust():
    results = _league_rows(50)
    text = _render_league(results)
    assert all(r["trust"] in text for r in results) and "more in the report" not in text
