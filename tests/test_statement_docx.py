"""The Position Statement as a Word document: content, Word styles, the CLI and the batch."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import docx
import pytest
from typer.testing import CliRunner

from xl_localism.cli import app
from xl_localism.engine import assess
from xl_localism.position_statement import build_statement, statement_layout
from xl_localism.render.docx import TABLE_STYLE, statement_docx_bytes, write_statement_docx
from xl_localism.vocab import DRIVER_NAMES, Driver, Severity
from xl_localism.workbook.reader import read_workbook

SAMPLES = Path(__file__).resolve().parent.parent / "workbooks" / "samples"
ENGLAND, WALES = SAMPLES / "thames-valley.xlsx", SAMPLES / "south-wales.xlsx"


def _scored(path: Path):
    submission = read_workbook(path)
    return submission, assess(submission)


def _open(data: bytes):
    return docx.Document(io.BytesIO(data))


def _paragraphs(document) -> list[str]:
    return [p.text for p in document.paragraphs]


def _table_rows(document) -> list[list[str]]:
    return [[c.text for c in row.cells] for t in document.tables for row in t.rows]


def _all_text(document) -> str:
    cells = ["\t".join(row) for row in _table_rows(document)]
    return "\n".join([*_paragraphs(document), *cells])


@pytest.fixture(scope="module")
def england():
    submission, assessment = _scored(ENGLAND)
    return submission, assessment, _open(statement_docx_bytes(submission, assessment))


@pytest.fixture(scope="module")
def wales():
    submission, assessment = _scored(WALES)
    return submission, assessment, _open(statement_docx_bytes(submission, assessment))


@pytest.mark.parametrize("case", ["england", "wales"])
def test_title_block_drivers_and_laas(case, request):
    _, assessment, document = request.getfixturevalue(case)
    paragraphs = document.paragraphs
    assert paragraphs[0].style.name == "Title" and assessment.trust in paragraphs[0].text
    assert paragraphs[1].style.name == "Subtitle"
    assert "Position Statement" in paragraphs[1].text
    as_at = assessment.as_at
    assert f"As at {as_at.day} {as_at:%B %Y}" in _paragraphs(document)
    assert any("Draft for the Board to edit" in p.text for p in paragraphs)

    headings = {p.text for p in paragraphs if p.style.name == "Heading 2"}
    # Each outcome driver named in full, as a heading of its own.
    assert set(DRIVER_NAMES.values()) <= headings
    text = _all_text(document)
    assert f"{assessment.score:.1f} out of 100" in text and assessment.rag.value in text
    assert "as defined in the xl-localism method" in text
    for laa in {t.laa for t in assessment.targets}:
        assert f"[Name], Chief Executive, {laa}" in text
    for item in ("E1", "E2"):
        assert f"({item})" in text


@pytest.mark.parametrize("case", ["england", "wales"])
def test_each_target_row_shows_its_trajectory_status(case, request):
    _, assessment, document = request.getfixturevalue(case)
    rows = _table_rows(document)
    relevant = [t for t in assessment.targets if t.relevant]
    assert relevant
    for t in relevant:
        row = next(r for r in rows if r[0] == t.laa and r[1].startswith(f"{t.ni} "))
        assert row[3] == t.status.value
        if t.expected is not None and t.latest is not None:
            assert f"against {round(t.expected, 2):g}" in row[4]


def test_courts_are_accounted_for_through_ippf(england, wales):
    for (_, assessment, document), what in ((england, "National Indicator"),
                                            (wales, "local partnership target")):
        courts = assessment.driver(Driver.CS)
        assert courts.ni_measurable is False
        paragraphs = _paragraphs(document)
        start = paragraphs.index(courts.name)
        section = paragraphs[start:start + 8]
        assert (f"No {what} measures Effective Delivery of Services to Courts, so we account "
                "for it through our IPPF measures:") in section
        for m in assessment.measures:
            if m.driver is Driver.CS:
                assert any(p.startswith(f"{m.code} ") and m.status.value in p for p in section)


def test_england_and_wales_wording(england, wales):
    english, welsh = _all_text(england[2]), _all_text(wales[2])
    assert "Made in Wales" in welsh and "Made in Wales" not in english
    assert "Welsh Assembly Government" in welsh
    assert "Community Safety Partnership" in welsh
    assert "Crime and Disorder Reduction Partnership" not in welsh
    assert "do not apply in Wales" in welsh
    assert "Crime and Disorder Reduction Partnership" in english
    assert "have regard to" in english and "Local Area Agreements" in english
    assert "Recommendation 3" in english and "Recommendation 3" not in welsh
    assert "from April 2010" in english.replace("From 1 April 2010", "from April 2010")
    assert "Responsible Authority" in english and "Responsible Authority" in welsh


@pytest.mark.parametrize("case", ["england", "wales"])
def test_count_measures_and_commitments(case, request):
    _, assessment, document = request.getfixturevalue(case)
    text = _all_text(document)
    for flag in assessment.flags:
        if flag.code == "COUNT_DUPLICATE":
            code = flag.message.split()[1]
            assert f"Collect once, use numerous times: {code}" in text
    table = next(t for t in document.tables if t.rows[0].cells[0].text == "Commitment")
    assert [c.text for c in table.rows[0].cells] == ["Commitment", "Owner", "Due"]
    assert len(table.rows) > 1
    for d in assessment.drivers:
        if not d.covered:
            assert any(d.name in row.cells[0].text for row in table.rows[1:])


def test_critical_flags_become_commitments_with_checklist_owners(tmp_path):
    humberside = SAMPLES / "humberside.xlsx"
    submission, assessment = _scored(humberside)
    critical = [f for f in assessment.flags if f.severity is Severity.CRITICAL]
    rows = _table_rows(_open(statement_docx_bytes(submission, assessment)))
    items = {(i.source.sheet, i.source.row): i for i in submission.checklist if i.source}
    for flag in critical:
        row = next(r for r in rows if r[0].startswith(flag.message))
        item = items.get((flag.sheet, flag.row))
        if item is not None and item.owner:
            assert row[1] == item.owner


@pytest.mark.parametrize("case", ["england", "wales"])
def test_built_with_word_styles_not_direct_formatting(case, request):
    _, _, document = request.getfixturevalue(case)
    used = {p.style.name for p in document.paragraphs}
    assert {"Title", "Subtitle", "Heading 1", "Heading 2", "List Bullet", "Quote"} <= used
    assert document.tables and all(t.style.name == TABLE_STYLE for t in document.tables)
    for paragraph in document.paragraphs:
        for run in paragraph.runs:
            assert run.bold is None and run.italic is None and run.font.size is None
            assert run.font.name is None and run.font.color.rgb is None


def test_footer_numbers_the_pages(england):
    footer = england[2].sections[0].footer
    xml = footer._element.xml
    assert "<w:instrText" in xml and " PAGE " in xml and " NUMPAGES " in xml
    assert footer.paragraphs[0].style.name == "Footer"


def test_a4_and_document_properties(england):
    _, assessment, document = england
    section = document.sections[0]
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297
    assert assessment.trust in document.core_properties.title
    assert document.core_properties.author != "python-docx"


def test_control_characters_are_stripped():
    submission, _ = _scored(ENGLAND)
    about = submission.about.model_copy(update={"trust": "Thames\x01 Valley\x0bNorth",
                                                "prepared_by": "Head\x02 of Performance"})
    targets = [t.model_copy(update={"laa": f"{t.laa}\x0b\x1f"}) for t in submission.targets]
    hostile = submission.model_copy(update={"about": about, "targets": targets})
    document = _open(statement_docx_bytes(hostile, assess(hostile)))
    text = _all_text(document)
    assert "Thames Valley North Probation Trust" in document.paragraphs[0].text
    assert not any(ch in text for ch in "\x01\x02\x0b\x1f")
    assert "Oxfordshire" in text


def test_the_worksheet_draft_renders_the_same_model(england):
    submission, assessment, _ = england
    layout = statement_layout(build_statement(assessment, submission))
    text = "\n".join(b.values[0][0] for b in layout.blocks)
    assert "Thames Valley: Position Statement / Statement of Intent" in text
    assert "Distribution" in text and "[Name], Chief Executive, Oxfordshire" in text


def test_cli_writes_the_document(tmp_path):
    out = tmp_path / "tv.docx"
    result = CliRunner().invoke(app, ["statement", str(ENGLAND), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert docx.Document(str(out)).paragraphs[0].text == "Thames Valley Probation Trust"
    assert [p.name for p in tmp_path.iterdir()] == ["tv.docx"]


def test_cli_exit_2_on_a_non_workbook_and_no_file(tmp_path):
    bad = tmp_path / "not-a-workbook.xlsx"
    bad.write_text("hello")
    out = tmp_path / "out" / "statement.docx"
    result = CliRunner().invoke(app, ["statement", str(bad), "--out", str(out)])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: not-a-workbook.xlsx")
    assert not out.exists() and not (tmp_path / "out").exists()


def test_a_failed_write_leaves_no_file(tmp_path, monkeypatch):
    submission, assessment = _scored(ENGLAND)
    target = tmp_path / "s.docx"

    def full_disk(self, data):
        Path.write_text(self, "partial")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Path, "write_bytes", full_disk)
    with pytest.raises(OSError):
        write_statement_docx(submission, assessment, target)
    assert list(tmp_path.iterdir()) == []


def test_batch_statements_one_per_scored_return(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for path in (ENGLAND, WALES):
        shutil.copy(path, inbox / path.name)
    (inbox / "not-a-workbook.xlsx").write_text("hello")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["batch", str(inbox), "--out", str(out), "--jobs", "1",
                                      "--statements"])
    assert result.exit_code == 1, result.output  # one rejected file
    written = sorted(p.name for p in (out / "statements").iterdir())
    assert written == ["South Wales.docx", "Thames Valley.docx"]
    assert sorted(p.name for p in (out / "feedback").iterdir()) == [
        "South Wales.xlsx", "Thames Valley.xlsx"]
    title = docx.Document(str(out / "statements" / "South Wales.docx")).paragraphs[0].text
    assert title == "South Wales Probation Trust"
    assert "2 draft Position Statement(s)" in result.output
    # Without the flag, no statements folder.
    plain = tmp_path / "plain"
    CliRunner().invoke(app, ["batch", str(inbox), "--out", str(plain), "--jobs", "1"])
    assert not (plain / "statements").exists()


@pytest.mark.slow
def test_renders_in_libreoffice_to_a_page_image(tmp_path):
    """Word document -> PDF (LibreOffice) -> page 1 as PNG (poppler): it lays out as pages."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        pytest.skip("pdftoppm is not installed (apt-get install poppler-utils)")
    submission, assessment = _scored(ENGLAND)
    source = write_statement_docx(submission, assessment, tmp_path / "thames-valley.docx")
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
                   check=True, capture_output=True, timeout=180)
    pdf = tmp_path / "thames-valley.pdf"
    assert pdf.stat().st_size > 10_000
    subprocess.run([pdftoppm, "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf),
                    str(tmp_path / "page")], check=True, capture_output=True, timeout=60)
    pages = list(tmp_path.glob("page*.png"))
    assert len(pages) == 1 and pages[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# ---------------------------------------------------------------------------------------------
# QA review of the generated letters


def _driver_section(document, name: str) -> list[str]:
    paragraphs = document.paragraphs
    start = next(i for i, p in enumerate(paragraphs) if p.text == name
                 and p.style.name == "Heading 2")
    section = []
    for p in paragraphs[start + 1:]:
        if p.style.name.startswith("Heading"):
            break
        section.append(p.text)
    return section


@pytest.mark.parametrize("case", ["england", "wales"])
def test_every_driver_gives_its_score_and_rag_and_coverage_separately(case, request):
    _, assessment, document = request.getfixturevalue(case)
    uncovered = [d for d in assessment.drivers if not d.covered]
    assert uncovered, "the samples leave Victims Services uncovered"
    for d in assessment.drivers:
        text = " ".join(_driver_section(document, d.name))
        assert d.score is not None and d.rag is not None
        assert f"{d.score:.1f} ({d.rag.value})" in text, d.name
        carries = "business plan objective carries it yet" in text
        assert carries is (not d.covered), d.name
    victims = assessment.driver(Driver.VS)
    text = " ".join(_driver_section(document, victims.name))
    assert f"{victims.score:.1f} ({victims.rag.value})" in text
    assert "from our IPPF measures alone" in text


def test_wales_says_once_that_ni_coded_targets_are_local_partnership_targets(wales):
    _, assessment, document = wales
    paragraphs = _paragraphs(document)
    explained = [i for i, p in enumerate(paragraphs) if "(NI-coded)" in p
                 and "not a line of accountability" in p]
    assert len(explained) == 1
    first_table = next(i for i, p in enumerate(document.element.body.iterchildren())
                       if p.tag.endswith("}tbl"))
    body = list(document.element.body.iterchildren())
    # The explanation comes before the first table that lists an NI code.
    assert body.index(document.paragraphs[explained[0]]._p) < first_table
    codes = [t.ni for t in assessment.targets if t.relevant]
    assert any(code in paragraphs[explained[0]] for code in codes)
    headers = {t.rows[0].cells[1].text for t in document.tables if len(t.columns) == 5}
    assert headers == {"Partnership target"}


def test_recommendation_3_does_not_call_unlinked_targets_done(england):
    _, assessment, document = england
    relevant = [t for t in assessment.targets if t.relevant]
    unlinked = [t for t in relevant if not t.linked]
    assert unlinked and any(f.code == "LAA_UNLINKED" for f in assessment.flags)
    line = next(p for p in _paragraphs(document) if p.startswith("Recommendation 3"))
    assert "business plan linkage: done" not in line
    assert f"{len(relevant) - len(unlinked)} of {len(relevant)} linked today" in line
    assert "checklist C1 is marked Complete, but" in line
    for t in unlinked:
        assert f"{t.ni} ({t.laa})" in line


@pytest.mark.parametrize("case", ["england", "wales"])
def test_measures_are_judged_against_annual_targets_not_a_trajectory(case, request):
    _, _, document = request.getfixturevalue(case)
    readiness = next(p for p in _paragraphs(document) if p.startswith("Our readiness for"))
    assert "targets and measures are performing against their trajectory" not in readiness
    assert "IPPF measures against their annual targets" in readiness
    bullets = [p.text for p in document.paragraphs if p.style.name == "List Bullet"]
    assert any("against an annual target of" in b for b in bullets)


def _longest_word_mm(texts, points: float, bold: bool) -> float:
    """An estimate of the longest single word's width in DejaVu, LibreOffice's wide stand-in for
    Calibri and Cambria: "Buckinghamshire" in 9 pt DejaVu Sans Bold measures 87.6 pt in the PDF,
    0.65 em a character (Calibri is narrower, so Word has room to spare)."""
    longest = max((len(word) for text in texts for word in text.split()), default=0)
    return longest * (0.66 if bold else 0.60) * points * 25.4 / 72


@pytest.mark.parametrize("case", ["england", "wales"])
def test_table_columns_have_fixed_widths_that_fit_the_laa_names(case, request):
    from docx.shared import Length

    from xl_localism.render.docx import TABLE_TEXT, TABLE_TEXT_SIZE

    _, _, document = request.getfixturevalue(case)
    section = document.sections[0]
    usable = Length(section.page_width - section.left_margin - section.right_margin)
    assert abs(usable.cm - 16.0) < 0.01
    points = document.styles[TABLE_TEXT].font.size.pt
    assert points == TABLE_TEXT_SIZE.pt
    padding_mm = 2 * 1.9 + 1  # Word's default cell margins (0.19 cm a side), and some room
    for table in document.tables:
        assert table.autofit is False
        assert "w:tblLayout" in table._tbl.xml and 'w:type="fixed"' in table._tbl.xml
        widths = []
        for column in table.columns:
            cells = {cell.width for cell in column.cells}
            assert len(cells) == 1 and None not in cells, "every cell of a column has its width"
            widths.append(cells.pop())
        assert abs(sum(w.cm for w in widths) - 16.0) < 0.05
        for row in table.rows:
            for cell in row.cells:
                assert all(p.style.name == TABLE_TEXT for p in cell.paragraphs)
        if table.rows[0].cells[0].text in ("LAA", "Local authority"):
            labels = [row.cells[0].text for row in table.rows]
            needed = _longest_word_mm(labels, points, bold=True) + padding_mm
            assert widths[0].mm >= needed, (labels, widths[0].mm, needed)
            # The longest LAA name in England's shipped tables fits as well.
            assert widths[0].mm >= _longest_word_mm(["Northamptonshire"], points, True) \
                + padding_mm


def test_a_blank_trust_cell_heads_the_letter_with_a_placeholder(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.load_workbook(ENGLAND)
    cell = read_workbook(ENGLAND).about.source.cells["trust"]
    book["About"][cell].value = None
    path = tmp_path / "all.xlsx"
    book.save(path)
    submission, assessment = _scored(path)
    assert assessment.trust in ("all", "all.xlsx")  # the engine's stand-in: the file's name
    document = _open(statement_docx_bytes(submission, assessment))
    text = _all_text(document)
    assert document.paragraphs[0].text == "[Trust name]"
    assert "all.xlsx Probation Trust" not in text and "all Probation Trust" not in text
    assert "From 1 April 2010 [Trust name] is a Responsible Authority" in text
    assert "Board of [Trust name]" in text
    note = next(p.text for p in document.paragraphs if p.style.name == "Quote")
    assert "the workbook gives no trust name" in note.casefold()
    footer = document.sections[0].footer.paragraphs[0].text
    assert footer.startswith("[Trust name] ·")
    layout = statement_layout(build_statement(assessment, submission))
    assert layout.blocks[0].values[0][0].startswith("[Trust name]: Position Statement")
    # A named trust keeps its name.
    named, scored = _scored(ENGLAND)
    assert build_statement(scored, named).trust == "Thames Valley"
