"""Results as files: a copy of a trust's workbook with Summary and Flags, or a feedback workbook.

What goes in which cell is decided in :mod:`xl_localism.layout`; how it is written, by the
renderers in :mod:`xl_localism.render`. A submitted workbook is never written in place: results
go into a copy when openpyxl can round-trip everything in it (``render.openpyxl``, the only
writer that can open a workbook), and otherwise into a separate feedback workbook, so nothing a
trust built (charts, pivots, macros ...) is silently lost. A feedback workbook is a new file,
written by XlsxWriter (``render.xlsxwriter``).
"""

from __future__ import annotations

import os
import re
import warnings
import zipfile
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from xl_localism.layout import SheetLayout, flags_layout, summary_layout
from xl_localism.models import Assessment
from xl_localism.render.xlsxwriter import write_layouts
from xl_localism.workbook.files import save_atomically
from xl_localism.workbook.reader import WorkbookError, inspect_package

if TYPE_CHECKING:
    from openpyxl import Workbook

COPY = "copy"
FEEDBACK = "feedback"

# ---------------------------------------------------------------------------------------------
# What openpyxl would lose


def _plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"


# (pattern of zip member names, singular, plural). Counted from the package alone: opening the
# file with openpyxl to find out would already be the lossy step.
_COUNTED_PARTS: tuple[tuple[str, str, str], ...] = (
    (r"xl/charts/chart\d+\.xml", "chart", "charts"),
    (r"xl/chartsheets/sheet\d+\.xml", "chart sheet", "chart sheets"),
    (r"xl/media/.+", "image or media file", "images or media files"),
    (r"xl/pivotTables/pivotTable\d+\.xml", "pivot table", "pivot tables"),
    (r"xl/pivotCache/pivotCacheDefinition\d+\.xml", "pivot cache", "pivot caches"),
    (r"xl/slicers/slicer\d+\.xml", "slicer", "slicers"),
    (r"xl/slicerCaches/slicerCache\d+\.xml", "slicer cache", "slicer caches"),
    (r"xl/timelines/timeline\d+\.xml", "timeline", "timelines"),
    (r"xl/externalLinks/externalLink\d+\.xml", "link to another workbook",
     "links to other workbooks"),
    (r"xl/activeX/activeX\d+\.xml", "ActiveX control", "ActiveX controls"),
    (r"xl/ctrlProps/ctrlProp\d+\.xml", "form control", "form controls"),
    (r"xl/threadedComments/threadedComment\d+\.xml", "sheet of threaded comments",
     "sheets of threaded comments"),
    (r"xl/queryTables/queryTable\d+\.xml", "query table", "query tables"),
    (r"xl/embeddings/.+", "embedded object", "embedded objects"),
    (r"customXml/item\d+\.xml", "custom XML part (document metadata or labels)",
     "custom XML parts (document metadata or labels)"),
)
_SINGLE_PARTS: tuple[tuple[str, str], ...] = (
    ("xl/vbaProject.bin", "VBA macros (xl/vbaProject.bin)"),
    ("xl/connections.xml", "data connections"),
    ("xl/metadata.xml", "dynamic-array formula metadata (spilled formulas would become @)"),
)
_FOLDERS: tuple[tuple[str, str], ...] = (
    ("xl/model/", "a Power Pivot data model"),
    ("xl/richData/", "rich data types (e.g. pictures in cells)"),
    ("xl/webextensions/", "Office add-in parts"),
)
_DRAWING = re.compile(r"xl/drawings/drawing\d+\.xml")
# Shapes, connectors and groups: openpyxl keeps a drawing's charts and pictures, drops these.
_SHAPE_MARKS = (b":sp>", b":grpSp>", b":cxnSp>", b"<sp>", b"<grpSp>", b"<cxnSp>")
_WORKSHEET = re.compile(r"xl/worksheets/sheet\d+\.xml")
# Worksheet extensions openpyxl removes on load (it warns "... will be removed").
_SHEET_EXTENSIONS: tuple[tuple[bytes, str], ...] = (
    (b"sparklineGroup", "sparklines"),
    (b"x14:conditionalFormatting", "extended conditional formatting (e.g. data bars, icons)"),
    (b"x14:dataValidation", "data validation lists from other sheets"),
)
_CHUNK = 1 << 20


def unsafe_parts(path: Path | str) -> list[str]:
    """What in the workbook at ``path`` openpyxl cannot round-trip, e.g. ["2 charts"].

    Reads the zip package only. An empty list means a copy saved by openpyxl keeps everything a
    trust would notice.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            return _unsafe_in(archive)
    except (zipfile.BadZipFile, OSError) as error:
        return [f"not a readable Excel package ({error})"]


def _unsafe_in(archive: zipfile.ZipFile) -> list[str]:
    names = archive.namelist()
    found: list[str] = []
    for pattern, one, many in _COUNTED_PARTS:
        count = sum(1 for name in names if re.fullmatch(pattern, name))
        if count:
            found.append(_plural(count, one, many))
    found.extend(reason for part, reason in _SINGLE_PARTS if part in names)
    found.extend(reason for folder, reason in _FOLDERS
                 if any(name.startswith(folder) for name in names))
    with_shapes = sum(1 for name in names
                      if _DRAWING.fullmatch(name) and _contains(archive, name, _SHAPE_MARKS))
    if with_shapes:
        found.append(_plural(with_shapes, "sheet with shapes or text boxes",
                             "sheets with shapes or text boxes"))
    extensions: Counter[str] = Counter()
    for name in names:
        if _WORKSHEET.fullmatch(name):
            for mark, reason in _SHEET_EXTENSIONS:
                if _contains(archive, name, (mark,)):
                    extensions[reason] += 1
    found.extend(f"{reason} on {_plural(n, 'sheet')}" for reason, n in extensions.items())
    return found


def _contains(archive: zipfile.ZipFile, name: str, marks: Iterable[bytes]) -> bool:
    """Whether a member holds any of ``marks``, read in chunks: sheets can be large."""
    marks = tuple(marks)
    overlap = max(len(m) for m in marks) - 1
    tail = b""
    with archive.open(name) as stream:
        while chunk := stream.read(_CHUNK):
            window = tail + chunk
            if any(mark in window for mark in marks):
                return True
            tail = window[-overlap:] if overlap else b""
    return False


# ---------------------------------------------------------------------------------------------
# Files


def feedback_layouts(assessment: Assessment) -> list[SheetLayout]:
    """The sheets of a feedback workbook, in order: Summary (opened first), then Flags."""
    return [summary_layout(assessment), flags_layout(assessment)]


def feedback_title(assessment: Assessment) -> str:
    return f"Localism readiness feedback: {assessment.trust}"


def write_feedback_workbook(assessment: Assessment, out_path: Path | str) -> Path:
    """A new workbook holding only the Summary and Flags sheets, saved atomically."""
    return write_layouts(feedback_layouts(assessment), out_path,
                         title=feedback_title(assessment))


def write_summary(submission_path: Path | str, assessment: Assessment,
                  out_path: Path | str) -> tuple[Path, str]:
    """Write the results for a submission to ``out_path``, never to the submission itself.

    Returns ``(out_path, "copy")`` when the submission was copied with Summary and Flags added,
    or ``(out_path, "feedback: <reason>")`` when a separate feedback workbook was written
    because a copy would lose something (the reason lists what).
    """
    submission = Path(submission_path)
    out = Path(out_path)
    if not submission.is_file():
        raise FileNotFoundError(f"no submission at {submission}")
    if _same_file(submission, out):
        raise ValueError(f"refusing to write results over the submission itself ({submission}); "
                         "choose another output path")
    if out.suffix.lower() != ".xlsx":
        raise ValueError(f"the results workbook must be an .xlsx file, not {out.name!r}")

    reasons = _copy_blockers(submission)
    if not reasons:
        workbook, lost = _load_for_copy(submission)
        if workbook is not None and not lost:
            from xl_localism.render.openpyxl import write_results

            write_results(workbook, assessment)
            save_atomically(workbook, out)
            return out, COPY
        reasons = lost
    write_feedback_workbook(assessment, out)
    return out, f"{FEEDBACK}: {'; '.join(reasons)}"


def _same_file(submission: Path, out: Path) -> bool:
    if out.exists() and submission.exists():
        return os.path.samefile(submission, out)
    return submission.resolve() == out.resolve()


def _copy_blockers(submission: Path) -> list[str]:
    try:
        inspect_package(submission)
    except WorkbookError as error:
        return [error.reason]
    reasons = unsafe_parts(submission)
    if submission.suffix.lower() != ".xlsx":
        # An .xlsm saved without its macros part would be a different kind of file.
        reasons.insert(0, f"not an .xlsx file ({submission.name})")
    return reasons


# openpyxl announces what it drops while loading; any of these words in a warning means a copy
# would differ from the submission in a way the zip listing did not catch.
_LOSS_WORDS = ("removed", "lost", "discarded", "dropped", "not supported", "cannot be")


def _load_for_copy(submission: Path) -> tuple[Workbook | None, list[str]]:
    # Imported here: only a copy needs openpyxl (and with it numpy, ~0.15 s), and the batch
    # writes every feedback workbook with XlsxWriter through this module.
    from openpyxl import load_workbook

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            workbook = load_workbook(submission, keep_vba=False, data_only=False,
                                     keep_links=True, rich_text=True)
        except Exception as error:  # openpyxl raises many types for one damaged part
            return None, [f"openpyxl cannot open it ({type(error).__name__}: {error})"]
    lost = sorted({str(w.message) for w in caught
                   if any(word in str(w.message).lower() for word in _LOSS_WORDS)})
    return workbook, lost
