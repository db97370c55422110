"""Issue 14: no text a person can paste and no odd file breaks a batch.

One test (or more) per class of the issue, each on a generated input, through the batch and
through `score`.
"""

from __future__ import annotations

import copy
import os
import shutil
import tempfile
import zipfile
from datetime import date
from pathlib import Path

import docx
import hostile_ordinary
import openpyxl
import pytest
from hostile import INJECTIONS
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from tests.conftest import sample_tables, write_tables
from xl_localism import history
from xl_localism.batch import runner
from xl_localism.batch.lock import LOCK_NAME, output_lock
from xl_localism.batch.national import write_national_report
from xl_localism.batch.runner import Outcome, plain_reason
from xl_localism.cli import app
from xl_localism.demo import write_sample
from xl_localism.engine import assess
from xl_localism.explanation import to_json
from xl_localism.layout import Block, SheetLayout
from xl_localism.render import limits
from xl_localism.render.docx import write_statement_docx
from xl_localism.render.xlsxwriter import write_layouts
from xl_localism.tables import build_submission
from xl_localism.workbook.files import display_name, xml_text
from xl_localism.workbook.reader import read_workbook
from xl_localism.workbook.results import write_feedback_workbook, write_summary
from xl_localism.workbook.template import write_template

cli = CliRunner()


@pytest.fixture(scope="module")
def base(tmp_path_factory, samples) -> Path:
    return write_sample(samples[0], tmp_path_factory.mktemp("base") / "thames.xlsx")


def _mutated(base: Path, folder: Path, name: str) -> Path:
    mutation = next(m for m in hostile_ordinary.ordinary_mutations() if m.name == name)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.xlsx"
    path.write_bytes(mutation.make(base.read_bytes()))
    return path


def _score(path: Path) -> tuple[int, str]:
    result = cli.invoke(app, ["score", str(path), "--json"])
    return result.exit_code, result.output


def _batch(inbox: Path, out: Path, *extra: str) -> tuple[int, str]:
    result = cli.invoke(app, ["batch", str(inbox), "--out", str(out), "--jobs", "2", *extra])
    return result.exit_code, result.output


# --- 1. Characters XML cannot carry ----------------------------------------------------------

any_text = st.text(st.characters(exclude_categories=()), max_size=40)


@pytest.mark.slow
@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(text=any_text)
@example(text="\ud800\x01\x0b\uffff=1+1")  # a lone surrogate, controls, a noncharacter
def test_any_text_through_every_writer_gives_well_formed_files(text, samples, tmp_path):
    folder = Path(tempfile.mkdtemp(dir=tmp_path))
    tables = copy.deepcopy(samples[0].tables)
    tables["about"].rows[0][1] = f"Kent{text}"  # the trust's name
    tables["targets"].rows[0][0] = text or "Anytown"  # an LAA name, quoted in the Summary
    submission = build_submission(tables, f"{text}.xlsx")
    assessment = assess(submission)
    written = [
        write_layouts([SheetLayout(name="Sheet", blocks=[Block("A1", [[text, text]])])],
                      folder / "layouts.xlsx", title=text, creator=text),
        write_feedback_workbook(assessment, folder / "feedback.xlsx"),
        write_template(folder / "template.xlsx", trust=text or None),
    ]
    # The openpyxl copy renderer: the results drawn into a copy of a workbook.
    source = folder / "source.xlsx"
    openpyxl.Workbook().save(source)
    written.append(write_summary(source, assessment, folder / "copy.xlsx")[0])
    # The history, then the national report and the trend from what it stored.
    summary = {**to_json(assessment), "source": text}
    store = str(folder / "history.sqlite")
    history.record(store, [("h" * 64, text, summary, None)])
    trend = history.trend(store)
    outcomes = [Outcome(display_name(text), folder / "x.xlsx", summary=summary),
                Outcome(display_name(f"r{text}"), folder / "y.xlsx", rejected=text or "x")]
    written.append(write_national_report(outcomes, folder / "report.xlsx", trend=trend))
    for path in written:
        assert hostile_ordinary.xml_problems(path) == [], (text, path.name)
        openpyxl.load_workbook(path).close()
    statement = write_statement_docx(submission, assessment, folder / "statement.docx")
    assert hostile_ordinary.xml_problems(statement) == []
    docx.Document(str(statement))


def test_xml_text_is_the_identity_on_what_xml_holds():
    assert xml_text("Thames Valley\tKent\n") == "Thames Valley\tKent\n"
    assert xml_text("A\x01B\x0bC\ufffeD\ud800") == "AB CD\ufffd"
    assert display_name("bad\udcff na\x07me.xlsx") == "bad\\xff na\\x07me.xlsx"


def test_a_control_character_in_a_name_stored_in_the_history_never_stops_a_later_run(
        base, tmp_path):
    inbox = tmp_path / "inbox"
    for name in hostile_ordinary.NAME_CHARACTERS:
        _mutated(base, inbox, name)
    store = str(tmp_path / "history.sqlite")
    for run in (1, 2):  # the second run draws the trend from the stored names
        code, output = _batch(inbox, tmp_path / "out", "--history", store)
        assert code == 0, (run, output)
        assert hostile_ordinary.xml_problems(tmp_path / "out" / runner.REPORT_NAME) == []
    # A value stored by an earlier version, uncleaned, must not stop the trend either.
    engine = history.connect(store)
    with engine.begin() as connection:
        connection.execute(history.submissions.update().values(trust="Kent\x01\x0b\uffff"))
    engine.dispose()
    trend = cli.invoke(app, ["trend", "--history", store, "--report",
                             str(tmp_path / "trend.xlsx")])
    assert trend.exit_code == 0, trend.output
    assert hostile_ordinary.xml_problems(tmp_path / "trend.xlsx") == []
    code, output = _score(inbox / "excel-escaped-control.xlsx")
    assert code == 0, output


def test_file_names_with_a_bel_or_not_in_utf8_are_scored_and_shown_readably(base, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for raw in (b"Kent\x07.xlsx", b"Cumbria \xe9t\xe9.xlsx"):
        with open(os.fsencode(inbox) + b"/" + raw, "wb") as handle:
            handle.write(base.read_bytes())
    code, output = _batch(inbox, tmp_path / "out")
    assert code == 0, output
    report = tmp_path / "out" / runner.REPORT_NAME
    assert hostile_ordinary.xml_problems(report) == []
    book = openpyxl.load_workbook(report)
    # Two copies of one return: one is ranked, the other listed as superseded by it.
    sources = {row[-3] for row in book["League table"].iter_rows(min_row=2, values_only=True)}
    sources |= {row[0] for row in book["Superseded"].iter_rows(min_row=2, values_only=True)}
    assert sources == {"Kent\\x07.xlsx", "Cumbria \\xe9t\\xe9.xlsx"}
    code, output = _score(Path(os.fsdecode(os.fsencode(inbox) + b"/Cumbria \xe9t\xe9.xlsx")))
    assert code == 0, output


def test_template_takes_any_trust_name(tmp_path):
    result = cli.invoke(app, ["template", str(tmp_path / "t.xlsx"), "--trust", "K\x01e\x0bnt"])
    assert result.exit_code == 0, result.output
    assert hostile_ordinary.xml_problems(tmp_path / "t.xlsx") == []


# --- 2. Guards that read XML as XML ------------------------------------------------------------

@pytest.mark.parametrize("name", ["utf16-targets-sheet", "utf16-about-sheet",
                                  "utf16-shared-strings", "backslashed-sheet"])
def test_utf16_and_backslashed_parts_score_as_the_original(name, base, tmp_path):
    path = _mutated(base, tmp_path, name)
    expected = assess(read_workbook(base)).score
    assert assess(read_workbook(path)).score == expected
    assert assess(read_workbook(path, "openpyxl")).score == expected
    code, output = _score(path)
    assert code == 0 and f'"score": {expected}' in output, output


@pytest.mark.parametrize("name", ["utf16-far-cell", "backslashed-far-cell"])
def test_a_far_cell_hidden_in_utf16_or_a_backslashed_name_is_refused(name, base, tmp_path):
    inbox = tmp_path / "inbox"
    path = _mutated(base, inbox, name)
    code, output = _score(path)
    assert code == 2 and "reaches row 100,000" in output, output
    code, output = _batch(inbox, tmp_path / "out")
    assert code == 1 and "reaches row 100,000" in " ".join(output.split()), output


# --- 3. Excel's limits on output -------------------------------------------------------------

def test_a_layout_past_excels_limits_is_cut_and_says_so(tmp_path):
    rows = [["Trust", "Code"], *[[f"row {i}", i] for i in range(40)]]
    layout = SheetLayout(
        name="Flags",
        blocks=[Block("A1048560", rows, header=True, table_name="T",
                      overflow_note="Each trust's feedback lists them all."),
                Block("XEZ1", [[f"c{i}" for i in range(20)], list(range(20))])],
        row_heights={3: 10_065.0}, column_widths={"A": 1000.0})
    path = write_layouts([layout], tmp_path / "big.xlsx")
    assert hostile_ordinary.xml_problems(path) == []
    sheet = openpyxl.load_workbook(path)["Flags"]
    last = sheet.cell(limits.MAX_ROWS, 1).value
    assert last.startswith("… and 25 more rows not shown") and "feedback" in last
    assert sheet.cell(1, limits.MAX_COLUMNS).value.startswith("… and 16 more columns")
    assert sheet.row_dimensions[3].height <= limits.MAX_ROW_HEIGHT
    assert sheet.tables["T"].ref == f"A1048560:B{limits.MAX_ROWS}"


def test_more_flags_than_a_sheet_holds_through_the_batch_and_score(samples, tmp_path,
                                                                   monkeypatch):
    # A sheet limit of 60 rows stands in for 1,048,576: the same code, a small input.
    monkeypatch.setattr(limits, "MAX_ROWS", 60)
    tables = sample_tables(samples[0])
    headers, rows = tables["checklist"]
    tables["checklist"] = (headers, rows + [[f"X{i}", "", "", 1, "Done-ish"] +
                                            [None] * (len(headers) - 5) for i in range(200)])
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    write_tables(inbox / "many-flags.xlsx", tables)
    code, output = _batch(inbox, tmp_path / "out")
    assert code == 0, output
    report = tmp_path / "out" / runner.REPORT_NAME
    flags = openpyxl.load_workbook(report)["Flags"]
    assert flags.max_row == 60
    assert "more rows not shown" in flags.cell(60, 1).value
    feedback = next((tmp_path / "out" / "feedback").iterdir())
    sheet = openpyxl.load_workbook(feedback)["Flags"]
    assert sheet.max_row == 60 and "more rows not shown" in sheet.cell(60, 1).value
    result = cli.invoke(app, ["score", str(inbox / "many-flags.xlsx"), "--write-summary",
                              str(tmp_path / "copy.xlsx")])
    assert result.exit_code == 0, result.output
    copied = openpyxl.load_workbook(tmp_path / "copy.xlsx")["Flags"]
    assert copied.max_row == 60 and "more rows not shown" in copied.cell(60, 1).value


# --- 5. Disk full keeps the previous report true ---------------------------------------------

# Returns of one trust for different quarters: each is current, so each has feedback.
_QUARTER_ENDS = {"a.xlsx": date(2010, 5, 31), "b.xlsx": date(2010, 8, 31),
                 "c.xlsx": date(2010, 11, 30)}


def _same_trust(samples, folder: Path, names: list[str]) -> None:
    for name in names:
        write_tables(folder / name, _dated(sample_tables(samples[0]), _QUARTER_ENDS[name]))


def _dated(tables, as_at: date):
    about = tables["about"][1]
    next(row for row in about if row[0] == "As at")[1] = as_at
    return tables


def test_disk_full_keeps_the_report_and_the_feedback_it_links_together(samples, tmp_path,
                                                                       monkeypatch):
    import errno

    import xlsxwriter

    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    _same_trust(samples, inbox, ["a.xlsx", "c.xlsx"])
    code, output = _batch(inbox, out)
    assert code == 0, output
    before = {p.name: p.read_bytes() for p in (out / "feedback").iterdir()}
    report_before = (out / runner.REPORT_NAME).read_bytes()
    # b.xlsx sorts between them: its feedback takes the name c.xlsx's feedback had.
    tables = _dated(sample_tables(samples[0]), _QUARTER_ENDS["b.xlsx"])
    tables["checklist"][1][0][4] = "Not started"  # a different score, so different feedback
    write_tables(inbox / "b.xlsx", tables)
    real_close = xlsxwriter.Workbook.close

    def disk_full(workbook):
        real_close(workbook)
        if "national_summary" in str(workbook.filename):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(workbook.filename))

    monkeypatch.setattr(xlsxwriter.Workbook, "close", disk_full)
    code, output = _batch(inbox, out)
    assert code == 2 and "unchanged" in output, output
    assert {p.name: p.read_bytes() for p in (out / "feedback").iterdir()} == before
    assert (out / runner.REPORT_NAME).read_bytes() == report_before
    assert not list(out.rglob(".*.tmp"))
    monkeypatch.undo()
    code, output = _batch(inbox, out)
    assert code == 0, output
    assert len(list((out / "feedback").iterdir())) == 3


# --- 6. Nothing is silently missing ----------------------------------------------------------

def test_every_file_in_the_folder_is_accounted_for(base, tmp_path, monkeypatch):
    inbox = tmp_path / "inbox"
    (inbox / "locked").mkdir(parents=True)
    shutil.copy(base, inbox / "locked" / "kent.xlsx")
    shutil.copy(base, inbox / "thames.xlsx")
    for name in ("returns.csv", "old.xls", "calc.ods", "notes.txt", "~$thames.xlsx",
                 ".hidden.xlsx", "Thumbs.db"):
        (inbox / name).write_bytes(b"x")
    real_scandir = os.scandir

    def refused(path):
        # Root reads any folder: refuse it as a share would. (shutil.rmtree scans by fd.)
        if isinstance(path, (str, os.PathLike)) and Path(path).name == "locked":
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", refused)
    code, output = _batch(inbox, tmp_path / "out")
    assert code == 1, output
    assert "3 skipped by rule" in output
    rejected = openpyxl.load_workbook(tmp_path / "out" / runner.REPORT_NAME)["Rejected"]
    reasons = {row[0]: row[1] for row in rejected.iter_rows(min_row=2, values_only=True)
               if row[0] and row[1]}
    assert set(reasons) == {"locked", "returns.csv", "old.xls", "calc.ods", "notes.txt"}
    assert "cannot read (Permission denied)" in reasons["locked"]
    assert ".xlsx" in reasons["returns.csv"] and ".xlsx" in reasons["notes.txt"]
    assert any("3 file(s) skipped by rule" in str(row[0])
               for row in rejected.iter_rows(values_only=True))


def test_the_ordinary_corpus_through_the_batch(base, tmp_path):
    expected = hostile_ordinary.write_folder(tmp_path / "inbox", base)
    checked = hostile_ordinary.check_folder(tmp_path / "inbox", tmp_path / "out", expected)
    assert checked["problems"] == []
    assert checked["exit"] in (0, 1)


# --- 7. Formula-like text is quote-prefixed in every output ----------------------------------

def _formula_like_cells(path: Path) -> list[tuple[str, str, bool]]:
    workbook = openpyxl.load_workbook(path)
    found = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith(("=", "+", "-", "@")):
                    found.append((cell.coordinate, cell.data_type, bool(cell.quotePrefix)))
    return found


def test_formula_like_text_is_quote_prefixed_text_in_every_output(samples, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for index, payload in enumerate(p for p in INJECTIONS if p[0] in "=+-@"):
        trust = copy.deepcopy(samples[index % len(samples)])
        trust.tables["about"].rows[0][1] = payload  # the trust's name, written as text
        trust.tables["targets"].rows[0][0] = payload  # an LAA name, quoted in the Summary
        write_sample(trust, inbox / f"injection-{index}.xlsx")
    store = str(tmp_path / "history.sqlite")
    code, output = _batch(inbox, tmp_path / "out", "--history", store)
    assert code == 0, output
    trend = cli.invoke(app, ["trend", "--history", store, "--report",
                             str(tmp_path / "trend.xlsx")])
    assert trend.exit_code == 0, trend.output
    outputs = [tmp_path / "out" / runner.REPORT_NAME, tmp_path / "trend.xlsx",
               *(tmp_path / "out" / "feedback").iterdir()]
    for path in outputs:
        cells = _formula_like_cells(path)
        assert cells, path.name  # the injected names are there ...
        assert all(kind == "s" and quoted for _, kind, quoted in cells), (path.name, cells)
        assert hostile_ordinary.xml_problems(path) == []  # ... and never as a formula:
        assert not any(b"<f>" in zipfile.ZipFile(path).read(n)
                       for n in zipfile.ZipFile(path).namelist() if n.startswith("xl/work"))


# --- 8. Right reasons ------------------------------------------------------------------------

def test_strict_ooxml_with_an_error_cell_is_read_as_the_workbook_it_is(base, tmp_path):
    inbox = tmp_path / "inbox"
    path = _mutated(base, inbox, "strict-with-error-cell")
    assert read_workbook(path).about.trust == "Thames Valley"
    assert read_workbook(path, "openpyxl").about.trust == "Thames Valley"
    code, output = _score(path)
    assert code == 0, output
    code, output = _batch(inbox, tmp_path / "out")
    assert code == 0, output


def test_rich_text_runs_without_xml_space_read_the_same_by_both_engines(base, tmp_path):
    path = _mutated(base, tmp_path, "runs-without-xml-space")
    auto, fallback = read_workbook(path), read_workbook(path, "openpyxl")
    assert auto.about.trust == fallback.about.trust == "Thames Valley"
    assert to_json(assess(auto)) == to_json(assess(fallback))


def test_a_second_batch_on_the_same_output_folder_is_refused_with_the_pid(base, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(base, inbox / "thames.xlsx")
    out = tmp_path / "out"
    out.mkdir()
    with output_lock(out):
        code, output = _batch(inbox, out)
    assert code == 2, output
    assert f"another batch is writing to {out} (pid {os.getpid()})" in " ".join(
        output.replace("\n", "").split()) or "another batch is writing" in output
    assert not (out / runner.REPORT_NAME).exists()
    code, output = _batch(inbox, out)
    assert code == 0, output
    assert (out / LOCK_NAME).exists()


def test_rejection_reasons_are_one_line_without_server_paths():
    reason = plain_reason("could not be read ([Errno 5] I/O error: '/srv/share/2010-q2/Kent/"
                          "kent.xlsx')\nTraceback follows\r\n  at C:\\Users\\bob\\k.xlsx")
    assert "\n" not in reason and "\r" not in reason
    assert "/srv" not in reason and "Users" not in reason
    assert "kent.xlsx" in reason and "k.xlsx" in reason
    assert plain_reason("NI 1/0 in a/b") == "NI 1/0 in a/b"


# --- 9. score has the batch's guards ---------------------------------------------------------

@pytest.mark.slow
def test_score_survives_a_reader_that_aborts_or_exhausts_memory(base, monkeypatch):
    from xl_localism.workbook import isolated

    monkeypatch.setattr(isolated, "read_workbook", lambda path, engine: os.abort())
    code, output = _score(base)
    assert code == 2 and "stopped unexpectedly" in output, output

    def greedy(path, engine):
        hoard = [bytearray(1 << 30) for _ in range(64)]  # 64 GB, past the reader's cap
        return hoard

    monkeypatch.setattr(isolated, "read_workbook", greedy)
    code, output = _score(base)
    assert code == 2 and ("more memory" in output or "stopped unexpectedly" in output), output


@pytest.mark.slow  # subprocesses
def test_score_and_batch_agree_on_the_ordinary_corpus(base, tmp_path):
    for mutation in hostile_ordinary.ordinary_mutations():
        path = tmp_path / f"{mutation.name}.xlsx"
        path.write_bytes(mutation.make(base.read_bytes()))
        code, output = _score(path)
        assert code == (2 if mutation.expect == "rejected" else 0), (mutation.name, output)


@pytest.mark.slow
def test_the_whole_corpus_with_the_ordinary_inputs_finishes_bounded(tmp_path):
    import hostile

    entries = hostile.write_corpus(tmp_path / "corpus", seed=14, sample=120)
    checked = hostile.check_batch(tmp_path / "corpus", tmp_path / "out", jobs=2,
                                  timeout=60.0, entries=entries)
    assert checked["problems"] == []
    assert hostile_ordinary.xml_problems(tmp_path / "out" / runner.REPORT_NAME) == []
    assert not list((tmp_path / "out").rglob(".*.tmp"))

