"""The XlsxWriter renderer draws the same workbook as the openpyxl one, from the same layouts.

There is no Excel here to make reference files, so the reference is the openpyxl renderer
(``render.openpyxl``, the copy door), drawn into a new workbook. Both files are read back with
openpyxl and compared cell by cell (values, types, looks, links), with their tables, charts,
panes and page setup; LibreOffice must open, convert and print the XlsxWriter one.
"""

from __future__ import annotations

import datetime
import errno
import math
import os
import shutil
import subprocess
import zipfile
from dataclasses import replace
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import openpyxl
import pytest
import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xl_localism import schema
from xl_localism.engine import assess
from xl_localism.layout import (
    FLAGS_TABLE,
    MEASURES_TABLE,
    TARGETS_TABLE,
    Block,
    SheetLayout,
    Style,
    sheet_location,
)
from xl_localism.models import Assessment, Flag
from xl_localism.render.openpyxl import render_sheet
from xl_localism.render.xlsxwriter import write_layouts
from xl_localism.tables import build_submission
from xl_localism.vocab import Severity
from xl_localism.workbook.files import cell_text
from xl_localism.workbook.results import (
    feedback_layouts,
    feedback_title,
    write_feedback_workbook,
)

FORMULA = '=HYPERLINK("http://example.invalid","click")'
# XlsxWriter takes a width in characters, as Excel's column-width box shows it, and stores it
# with Excel's cell padding (5 pixels of a 7-pixel digit); openpyxl stores the number as given.
PADDING = 5 / 7


@pytest.fixture(scope="module")
def assessments(samples) -> list[Assessment]:
    return [assess(build_submission(t.tables, t.name)) for t in samples]


def with_hostile_text(assessment: Assessment) -> Assessment:
    """Submission text Excel would run as formulas, in every text column that takes it."""
    flags = [Flag(code="DATA_INVALID", severity=Severity.ERROR, message="=1+1",
                  action="Correct the cell.", sheet="@SUM(1)", cell="-B2"),
             *assessment.flags]
    targets = [assessment.targets[0].model_copy(update={"laa": "+cmd|' /C calc'!A0",
                                                        "title": "=2+2"}),
               *assessment.targets[1:]]
    return assessment.model_copy(update={"trust": FORMULA, "flags": flags, "targets": targets,
                                         "source_name": "=evil.xlsx"})


def render_workbook(layouts: list[SheetLayout], title: str) -> openpyxl.Workbook:
    """The layouts drawn by the openpyxl renderer into a new workbook, opening on the first."""
    workbook = openpyxl.Workbook()
    blank = workbook.active
    sheets = [render_sheet(workbook, layout) for layout in layouts]
    workbook.remove(blank)
    workbook.active = sheets[0]
    for sheet in workbook.worksheets:
        sheet.sheet_view.tabSelected = sheet is sheets[0]
    workbook.properties.creator = "xl-localism"
    workbook.properties.title = title
    return workbook


def both(layouts: list[SheetLayout], folder: Path, title: str = "t") -> tuple[Any, Any]:
    """(XlsxWriter's file, openpyxl's file), each read back with openpyxl."""
    folder.mkdir(parents=True, exist_ok=True)
    fast = write_layouts(layouts, folder / "xlsxwriter.xlsx", title=title)
    reference = folder / "openpyxl.xlsx"
    render_workbook(layouts, title=title).save(reference)
    return openpyxl.load_workbook(fast), openpyxl.load_workbook(reference)


def rgb(colour: Any) -> str | None:
    """A colour as RRGGBB: openpyxl writes alpha 00, the fast door FF; both mean opaque."""
    if colour is None or colour.rgb is None or not isinstance(colour.rgb, str):
        return None
    return colour.rgb[-6:].upper()


def look(cell: Any) -> dict[str, Any]:
    font, fill, alignment, border = cell.font, cell.fill, cell.alignment, cell.border
    return {
        "font": font.name, "bold": bool(font.b), "italic": bool(font.i),
        "size": float(font.sz or 11),
        "font colour": rgb(font.color), "underline": font.u or None,
        "fill": rgb(fill.fgColor) if fill.fill_type == "solid" else None,
        "number format": cell.number_format,
        "horizontal": alignment.horizontal, "vertical": alignment.vertical,
        "wrap": bool(alignment.wrap_text),
        "border": tuple((getattr(border, side).style, rgb(getattr(border, side).color))
                        for side in ("left", "right", "top", "bottom")),
        "quote prefix": bool(cell.quotePrefix),
    }


def unquoted(ref: str | None) -> str | None:
    # openpyxl quotes every sheet name in a chart reference, the fast door only those that need it.
    return None if ref is None else ref.replace("'", "")


def rich_text(title: Any) -> str | None:
    if title is None or title.tx is None or title.tx.rich is None:
        return None
    return "".join(run.t for paragraph in title.tx.rich.p for run in (paragraph.r or []))


def chart_facts(chart: Any) -> dict[str, Any]:
    series = chart.series[0]
    category = series.cat.strRef or series.cat.numRef
    return {
        "kind": (chart.tagname, chart.type), "title": rich_text(chart.title),
        "series": len(chart.series), "values": unquoted(series.val.numRef.f),
        "categories": unquoted(category.f),
        "series title": series.tx.v if series.tx.v is not None else (
            series.tx.strRef.f if series.tx.strRef else None),
        "points": [(p.idx, p.graphicalProperties.solidFill.srgbClr,
                    p.graphicalProperties.line.solidFill.srgbClr)
                   for p in series.dPt],
        "values shown": bool(series.dLbls and series.dLbls.showVal),
        "y title": rich_text(chart.y_axis.title), "x title": rich_text(chart.x_axis.title),
        "y min": chart.y_axis.scaling.min, "y max": chart.y_axis.scaling.max,
        "y format": chart.y_axis.number_format.formatCode if chart.y_axis.number_format
        else None,
        "legend": chart.legend,
    }


def column_widths(sheet: Any) -> dict[int, float]:
    # openpyxl saves neighbouring columns of one width as one <col min max>; the fast door doesn't.
    return {column: d.width for d in sheet.column_dimensions.values() if d.customWidth
            for column in range(d.min, d.max + 1)}


def tables(sheet: Any) -> dict[str, Any]:
    return {t.displayName: (t.ref, t.autoFilter.ref if t.autoFilter else None,
                            t.tableStyleInfo.name, bool(t.tableStyleInfo.showRowStripes),
                            [c.name for c in t.tableColumns])
            for t in sheet.tables.values()}


def fit(sheet: Any) -> tuple[int, int]:
    # 1 is the default of both; the fast door leaves a default out, openpyxl writes it.
    setup = sheet.page_setup
    return (int(1 if setup.fitToWidth is None else setup.fitToWidth),
            int(1 if setup.fitToHeight is None else setup.fitToHeight))


def assert_same_workbook(fast: Any, reference: Any) -> None:
    assert fast.sheetnames == reference.sheetnames
    assert fast.active.title == reference.active.title == fast.sheetnames[0]
    assert [bool(ws.sheet_view.tabSelected) for ws in fast] == \
        [bool(ws.sheet_view.tabSelected) for ws in reference] == \
        [True] + [False] * (len(fast.sheetnames) - 1)
    for name in reference.sheetnames:
        ours, theirs = fast[name], reference[name]
        coordinates = set(ours._cells) | set(theirs._cells)
        assert coordinates, name
        for row, column in sorted(coordinates):
            a, b = ours.cell(row, column), theirs.cell(row, column)
            where = f"{name}!{a.coordinate}"
            assert a.value == b.value, where
            assert a.data_type == b.data_type, where
            assert look(a) == look(b), where
            assert (a.hyperlink.location if a.hyperlink else None) == \
                (b.hyperlink.location if b.hyperlink else None), where
        widths, our_widths = column_widths(theirs), column_widths(ours)
        assert set(our_widths) == set(widths)
        for column, width in widths.items():
            assert our_widths[column] == pytest.approx(width + PADDING, abs=1 / 7), column
        assert {r: d.height for r, d in ours.row_dimensions.items() if d.height} == \
            {r: d.height for r, d in theirs.row_dimensions.items() if d.height}
        assert ours.freeze_panes == theirs.freeze_panes
        assert rgb(ours.sheet_properties.tabColor) == rgb(theirs.sheet_properties.tabColor)
        assert ours.page_setup.orientation == theirs.page_setup.orientation
        assert bool(ours.sheet_properties.pageSetUpPr.fitToPage) == \
            bool(theirs.sheet_properties.pageSetUpPr.fitToPage)
        assert fit(ours) == fit(theirs)
        assert ours.print_title_rows == theirs.print_title_rows
        assert [b.id for b in ours.row_breaks.brk] == [b.id for b in theirs.row_breaks.brk]
        assert tables(ours) == tables(theirs)
        assert [chart_facts(c) for c in ours._charts] == \
            [chart_facts(c) for c in theirs._charts]
        assert [(c.anchor._from.row, c.anchor._from.col) for c in ours._charts] == \
            [(c.anchor._from.row, c.anchor._from.col) for c in theirs._charts]
        assert not ours.merged_cells.ranges and not ours.conditional_formatting
    assert fast.properties.title == reference.properties.title
    assert fast.properties.creator == reference.properties.creator == "xl-localism"


def test_every_sample_draws_the_same_as_openpyxl(assessments, tmp_path) -> None:
    for index, assessment in enumerate(assessments):
        folder = tmp_path / str(index)
        fast, reference = both(feedback_layouts(assessment), folder,
                               feedback_title(assessment))
        assert_same_workbook(fast, reference)
        assert fast.sheetnames == [schema.SUMMARY_SHEET, schema.FLAGS_SHEET]
        assert len(fast[schema.SUMMARY_SHEET]._charts) == 1
        assert set(fast[schema.FLAGS_SHEET].tables) == ({FLAGS_TABLE} if assessment.flags
                                                        else set())
        assert set(fast[schema.SUMMARY_SHEET].tables) == {TARGETS_TABLE, MEASURES_TABLE}


def test_no_flags_and_no_targets(assessments, tmp_path) -> None:
    bare = assessments[0].model_copy(update={"flags": [], "targets": []})
    assert_same_workbook(*both(feedback_layouts(bare), tmp_path))


def test_formula_like_text_is_drawn_the_same(assessments, tmp_path) -> None:
    hostile = with_hostile_text(assessments[3])
    fast, reference = both(feedback_layouts(hostile), tmp_path)
    assert_same_workbook(fast, reference)


def test_links_are_drawn_only_to_sheets_in_the_workbook(assessments, tmp_path) -> None:
    """A feedback workbook has none of the submitted sheets, so layouts' links are dropped;
    pointed at a sheet that is there, a link is drawn on text, numbers and blanks alike."""
    summary, flags = feedback_layouts(assessments[3])
    targets = summary.block_named(TARGETS_TABLE)
    assert targets.links  # "Sheet row" cells point at the submission's LAA Targets sheet
    table = flags.block_named(FLAGS_TABLE)
    table.links = {**table.links,
                   (1, 1): sheet_location(schema.SUMMARY_SHEET, "B5"),  # text
                   (2, 1): sheet_location("Not here", "A1")}
    extra = Block(anchor="H1", values=[[7, None, "it's"]],
                  links={(0, 0): "Summary!A1", (0, 1): "'Summary'!B2",
                         (0, 2): sheet_location(schema.FLAGS_SHEET, "A2")})
    flags = replace(flags, blocks=[*flags.blocks, extra])
    fast, reference = both([summary, flags], tmp_path)
    assert_same_workbook(fast, reference)
    links = {c.coordinate: c.hyperlink.location for row in fast[schema.FLAGS_SHEET].iter_rows()
             for c in row if c.hyperlink}
    assert links == {"B2": "'Summary'!B5", "H1": "Summary!A1", "I1": "'Summary'!B2",
                     "J1": "'Flags'!A2"}
    assert fast[schema.FLAGS_SHEET]["H1"].value == 7  # still a number under its link
    assert not any(c.hyperlink for row in fast[schema.SUMMARY_SHEET].iter_rows() for c in row)


def test_formula_like_submission_text_stays_text(assessments, tmp_path) -> None:
    out = write_feedback_workbook(with_hostile_text(assessments[0]), tmp_path / "fb.xlsx")
    with zipfile.ZipFile(out) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
        assert len(sheets) == 2
        for name in sheets:
            xml = archive.read(name)
            assert b"<f>" not in xml and b"<f " not in xml, name
    workbook = openpyxl.load_workbook(out)
    texts = {c.value: c for ws in workbook for row in ws.iter_rows() for c in row
             if isinstance(c.value, str)}
    for text in (FORMULA, "=1+1", "@SUM(1)", "-B2", "+cmd|' /C calc'!A0", "=2+2",
                 "=evil.xlsx"):
        assert texts[text].data_type == "s", text
        assert texts[text].quotePrefix, text  # stays text after a user edits it


def test_written_atomically_and_a_full_disk_is_an_oserror(assessments, tmp_path,
                                                          monkeypatch) -> None:
    target = tmp_path / "fb.xlsx"
    target.write_bytes(b"the previous feedback")

    real_close = xlsxwriter.Workbook.close

    def disk_full(workbook: Any) -> None:
        # Half the package reaches the disk, then it is full.
        real_close(workbook)
        with open(workbook.filename, "r+b") as written:
            written.truncate(os.path.getsize(workbook.filename) // 2)
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(workbook.filename))

    # The batch tells a full disk from a bug by OSError.
    monkeypatch.setattr(xlsxwriter.Workbook, "close", disk_full)
    with pytest.raises(OSError) as raised:
        write_feedback_workbook(assessments[0], target)
    assert raised.value.errno == errno.ENOSPC
    assert target.read_bytes() == b"the previous feedback"
    assert [p.name for p in tmp_path.iterdir()] == ["fb.xlsx"]
    monkeypatch.undo()
    write_feedback_workbook(assessments[0], target)
    assert openpyxl.load_workbook(target).sheetnames == ["Summary", "Flags"]


def test_a_layout_that_cannot_be_drawn_leaves_no_file(assessments, tmp_path) -> None:
    summary, _ = feedback_layouts(assessments[0])
    broken = replace(summary, blocks=[Block(anchor="A1", values=[[object()]])])
    with pytest.raises(TypeError, match="cannot hold object"):
        write_layouts([broken], tmp_path / "x.xlsx")
    assert not list(tmp_path.iterdir())


@pytest.mark.slow
def test_libreoffice_opens_it_and_prints_it(assessments, tmp_path) -> None:
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    assessment = assessments[3]
    source = write_feedback_workbook(with_hostile_text(assessment), tmp_path / "feedback.xlsx")
    out = tmp_path / "converted"
    profile = (tmp_path / "profile").as_uri()
    for target in ("pdf", "xlsx:Calc MS Excel 2007 XML"):
        subprocess.run([soffice, f"-env:UserInstallation={profile}", "--headless",
                        "--convert-to", target, "--outdir", str(out), str(source)],
                       check=True, capture_output=True, timeout=180)
    assert (out / "feedback.pdf").stat().st_size > 10_000
    workbook = openpyxl.load_workbook(out / "feedback.xlsx")
    assert workbook.sheetnames == ["Summary", "Flags"]
    values = {c.value for row in workbook["Summary"].iter_rows() for c in row}
    assert {FORMULA, assessment.score, assessment.rag.value} <= values
    assert workbook["Flags"].max_row == len(assessment.flags) + 2
    assert workbook.active.title == "Summary"


# ---------------------------------------------------------------------------------------------
# The XlsxWriter renderer on layouts the sample trusts never produce.

_STYLES = [Style(), Style(bold=True, size=13, font_colour="1F4E78"), Style(italic=True),
           Style(fill="C6EFCE", font_colour="006100", horizontal="center"),
           Style(border=True, wrap=True), Style(number_format="0.0%"),
           Style(number_format="d mmm yyyy"), Style(number_format="0"),
           Style(underline=True, horizontal="right")]
_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-10**12, 10**12),
    st.floats(allow_nan=False, allow_infinity=False, width=64),
    st.dates(min_value=datetime.date(1900, 3, 1), max_value=datetime.date(2099, 12, 31)),
    st.datetimes(min_value=datetime.datetime(1900, 3, 1),
                 max_value=datetime.datetime(2099, 12, 31)).map(
        lambda d: d.replace(microsecond=0)),
    # An empty string is drawn as a blank cell, by design (Excel has no empty text cells).
    st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=40),
    st.sampled_from(["=1+1", "@x", "-3", "+A1", " lead", "a&b<c>\"'"]))


@st.composite
def blocks(draw: st.DrawFn) -> Block:
    height = draw(st.integers(1, 4))
    width = draw(st.integers(1, 4))
    values = [draw(st.lists(_VALUES, min_size=1, max_size=width)) for _ in range(height)]
    style = st.sampled_from(_STYLES)
    return Block(anchor=f"{draw(st.sampled_from('ABCK'))}1", values=values, style=draw(style),
                 column_styles=draw(st.dictionaries(st.integers(0, width - 1), style)),
                 row_styles=draw(st.dictionaries(st.integers(0, height - 1), style)),
                 cell_styles=draw(st.dictionaries(st.tuples(st.integers(0, height - 1),
                                                            st.integers(0, width - 1)), style)),
                 text_cells={(r, c) for r in range(height) for c in range(width)
                             if draw(st.booleans())})


# A random number under a date format is outside Excel's dates; openpyxl warns as it reads it.
@pytest.mark.filterwarnings("ignore:Cell .* is marked as a date")
@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(layout_blocks=st.lists(blocks(), min_size=1, max_size=3),
       freeze=st.sampled_from([None, "A2", "B1", "C4"]),
       heights=st.dictionaries(st.integers(1, 40), st.sampled_from([30.0, 45.0, 22.5])))
def test_any_layout_draws_the_same_as_openpyxl(tmp_path_factory, layout_blocks, freeze,
                                               heights) -> None:
    # Stacked down the sheet under a title, as layouts are: blocks never overlap.
    stacked, row = [Block("A1", [["A title"]], style=_STYLES[1])], 3
    for block in layout_blocks:
        column = block.anchor.rstrip("1")
        stacked.append(replace(block, anchor=f"{column}{row}"))
        row += block.height + 1
    layout = SheetLayout(name="Any sheet's name", blocks=stacked, freeze=freeze,
                         column_widths={"A": 9, "C": 30.5}, row_heights=heights,
                         print_title_rows="1:2", page_breaks=[5, 12])
    fast, reference = both([layout], tmp_path_factory.mktemp("any"))
    assert_same_workbook(fast, reference)


def test_every_part_is_well_formed_and_declared(assessments, tmp_path) -> None:
    out = write_feedback_workbook(with_hostile_text(assessments[3]), tmp_path / "fb.xlsx")
    with zipfile.ZipFile(out) as archive:
        names = archive.namelist()
        assert names[0] == "[Content_Types].xml"
        types = ElementTree.fromstring(archive.read(names[0]))
        declared = {o.get("PartName") for o in types if o.tag.endswith("Override")}
        for name in names:
            ElementTree.fromstring(archive.read(name))  # raises on malformed XML
            if not name.endswith(".rels") and name != "[Content_Types].xml":
                assert f"/{name}" in declared, name
        assert archive.testzip() is None


def test_a_table_with_repeated_headers_is_refused(tmp_path) -> None:
    block = Block(anchor="A1", values=[["Code", "code"], [1, 2]], header=True,
                  table_name="Twice")
    with pytest.raises(ValueError, match="repeats a column header"):
        write_layouts([SheetLayout(name="S", blocks=[block])], tmp_path / "x.xlsx")
    assert not list(tmp_path.iterdir())


def test_a_number_a_cell_cannot_hold_is_refused(tmp_path) -> None:
    for bad in (math.nan, math.inf):
        with pytest.raises(ValueError, match="cannot hold"):
            write_layouts([SheetLayout(name="S", blocks=[Block("A1", [[bad]])])],
                          tmp_path / "x.xlsx")
    assert not list(tmp_path.iterdir())


def test_text_is_cut_at_excels_limit_in_utf16_units() -> None:
    # Excel holds 32,767 UTF-16 units in a cell; an emoji is two of them.
    assert cell_text("x" * 40_000) == "x" * 32_767
    emoji = cell_text("\N{GRINNING FACE}" * 20_000)
    assert len(emoji.encode("utf-16-le")) // 2 <= 32_767
    assert emoji == "\N{GRINNING FACE}" * 16_383  # never half a character
    assert cell_text("ok\x01 here") == "ok here"
