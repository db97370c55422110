"""The Position Statement as a Word document (python-docx), for a Board to edit and send.

Draws the model of :func:`xl_localism.position_statement.build_statement` with Word's own styles
(Title, Subtitle, Heading 1/2, List Bullet, Quote, a table style) and one of its own for the text
in tables ("Table Text", a size smaller than the body), never direct formatting of the text, so a
Board can restyle the whole letter from the Styles pane. Table columns have fixed widths wide
enough that an LAA name does not break mid-word. The page is A4 and the footer numbers the pages
with PAGE and NUMPAGES fields.

Every string that came from the workbook (the trust, LAA and objective names, owners) is cleaned
of the characters XML 1.0 cannot hold first: python-docx refuses control characters.
"""

from __future__ import annotations

import io
from pathlib import Path

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.text.paragraph import Paragraph as DocxParagraph

from xl_localism.models import Assessment, Submission
from xl_localism.position_statement import (
    DISTRIBUTION,
    Bullets,
    Statement,
    Table,
    Text,
    build_statement,
    trust_title,
)
from xl_localism.workbook.files import atomic_path, xml_text

TABLE_STYLE = "Light Grid Accent 1"
# The paragraph style of every table cell: smaller than the body, no space after, so a table of
# five columns reads as a table on a 16 cm page.
TABLE_TEXT = "Table Text"
TABLE_TEXT_SIZE = Pt(9)


def clean(text: str) -> str:
    """``text`` as a Word document can hold it (python-docx refuses control characters): the
    same replacement as every other writer's."""
    return xml_text(text)


def statement_docx_bytes(submission: Submission, assessment: Assessment) -> bytes:
    """The trust's draft Position Statement as the bytes of a .docx file."""
    return docx_bytes(build_statement(assessment, submission))


def docx_bytes(statement: Statement) -> bytes:
    """A statement already built (the worksheet draft's, say) as the bytes of a .docx file."""
    buffer = io.BytesIO()
    render_statement(statement).save(buffer)
    return buffer.getvalue()


def write_statement_docx(submission: Submission, assessment: Assessment,
                         target: Path | str) -> Path:
    """Write the statement to ``target`` via a temporary file and a rename: a failure leaves
    no file (and any earlier file as it was)."""
    data = statement_docx_bytes(submission, assessment)  # built before anything is written
    with atomic_path(target) as temporary:
        temporary.write_bytes(data)
    return Path(target)


def render_statement(statement: Statement):  # -> docx.document.Document
    document = Document()
    _page_setup(document, statement)
    _table_text_style(document)
    trust = clean(trust_title(statement.trust))

    document.add_paragraph(trust, style="Title")
    document.add_paragraph(clean(statement.title), style="Subtitle")
    document.add_paragraph(f"As at {clean(statement.as_at)}")
    document.add_paragraph(clean(statement.note), style="Quote")
    document.add_paragraph(clean(statement.to))

    for section in statement.sections:
        document.add_heading(clean(section.heading), level=section.level)
        # A section's opening text is kept on the page of its first table (paragraph layout,
        # not text formatting), so a heading and its sentences are not left behind at a page
        # foot while the table starts the next page.
        first_table = next((i for i, c in enumerate(section.content) if isinstance(c, Table)), 0)
        for index, content in enumerate(section.content):
            if isinstance(content, Text):
                paragraph = document.add_paragraph(clean(content.text))
                if index < first_table:
                    paragraph.paragraph_format.keep_with_next = True
            elif isinstance(content, Bullets):
                for item in content.items:
                    document.add_paragraph(clean(item), style="List Bullet")
            elif isinstance(content, Table):
                _table(document, content.headers, content.rows, content.widths,
                       row_labels=content.row_labels)

    closing = list(statement.closing)
    if closing:
        document.add_paragraph(clean(closing[0]))
        for line in closing[1:]:
            document.add_paragraph(clean(line), style="No Spacing")

    # The distribution list closes the letter, as "To" opens it: by LAA, a line per person.
    document.add_heading(DISTRIBUTION, level=1)
    rows = [(g.label, "\n".join(a.text for a in g.addressees)) for g in statement.addressees]
    _table(document, ("Local authority" if statement.wales else "LAA", "Addressees"), rows,
           (4.0, 12.0))
    return document


def _page_setup(document, statement: Statement) -> None:
    properties = document.core_properties
    properties.title = clean(f"{trust_title(statement.trust)}: {statement.title}")
    properties.subject = "Position Statement / Statement of Intent (Recommendation 2)"
    properties.author = clean(statement.prepared_by or trust_title(statement.trust))
    properties.last_modified_by = "xl-localism"
    properties.comments = "Draft for the Board to edit, generated by xl-localism."
    properties.keywords = "localism; LAA; IPPF; Responsible Authority"

    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(25)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    footer = section.footer.paragraphs[0]
    footer.style = document.styles["Footer"]
    footer.add_run(clean(f"{trust_title(statement.trust)} · Position Statement · Draft · page "))
    _field(footer, "PAGE")
    footer.add_run(" of ")
    _field(footer, "NUMPAGES")


def _table_text_style(document) -> None:
    style = document.styles.add_style(TABLE_TEXT, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = document.styles["Normal"]
    style.quick_style = True
    style.font.size = TABLE_TEXT_SIZE
    paragraph = style.paragraph_format
    paragraph.space_before = paragraph.space_after = Pt(0)
    paragraph.line_spacing = 1.0


def _field(paragraph: DocxParagraph, instruction: str) -> None:
    """A complex field (begin, instruction, separate, a placeholder result, end) that Word and
    LibreOffice both update when the page is laid out."""
    def char(kind: str) -> None:
        element = OxmlElement("w:fldChar")
        element.set(qn("w:fldCharType"), kind)
        paragraph.add_run()._r.append(element)

    char("begin")
    text = OxmlElement("w:instrText")
    text.set(qn("xml:space"), "preserve")
    text.text = f" {instruction} "
    paragraph.add_run()._r.append(text)
    char("separate")
    paragraph.add_run("1")
    char("end")


def _table(document, headers: tuple[str, ...], rows, widths: tuple[float, ...] = (),
           row_labels: bool = True) -> None:
    table = document.add_table(rows=1, cols=len(headers))
    table.style = document.styles[TABLE_STYLE]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _style_options(table, first_column=row_labels)
    for cell, header in zip(table.rows[0].cells, headers, strict=True):
        _cell_text(cell, header)
    _row_options(table.rows[0], header=True)
    for values in rows:
        row = table.add_row()
        _row_options(row)
        for cell, value in zip(row.cells, values, strict=True):
            _cell_text(cell, str(value))
    if widths:
        # Fixed widths on the grid and on every cell of each column (Word reads the cells,
        # LibreOffice the grid), scaled to the page's text width: 16 cm on A4.
        section = document.sections[-1]
        usable = section.page_width - section.left_margin - section.right_margin
        total = sum(widths)
        table.autofit = False
        for column, share in zip(table.columns, widths, strict=True):
            width = int(usable * share / total)
            column.width = width
            for cell in column.cells:
                cell.width = width
    # Room before the next paragraph: an empty paragraph would be text a Board must delete.
    document.add_paragraph().paragraph_format.space_after = 0


def _cell_text(cell, text: str) -> None:
    cell.text = clean(text)
    for paragraph in cell.paragraphs:
        paragraph.style = TABLE_TEXT


def _style_options(table, *, first_column: bool) -> None:
    """Word's "Table Style Options": a header row, banded rows, and the first column
    emphasised only where it labels the row (an LAA), not where it is long text."""
    look = table._tbl.tblPr.find(qn("w:tblLook"))
    if look is None:
        look = OxmlElement("w:tblLook")
        table._tbl.tblPr.append(look)
    options = {"firstRow": True, "lastRow": False, "firstColumn": first_column,
               "lastColumn": False, "noHBand": False, "noVBand": True}
    for name, on in options.items():
        look.set(qn(f"w:{name}"), "1" if on else "0")
    mask = (0x20 * options["firstRow"] + 0x40 * options["lastRow"]
            + 0x80 * options["firstColumn"] + 0x100 * options["lastColumn"]
            + 0x200 * options["noHBand"] + 0x400 * options["noVBand"])
    look.set(qn("w:val"), f"{mask:04X}")


def _row_options(row, header: bool = False) -> None:
    """A row is never split across pages; the header row repeats on each page."""
    properties = row._tr.get_or_add_trPr()
    for name in ("cantSplit", *(("tblHeader",) if header else ())):
        element = OxmlElement(f"w:{name}")
        element.set(qn("w:val"), "true")
        properties.append(element)
