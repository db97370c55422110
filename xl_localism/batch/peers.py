"""Where each trust stands among its peers: the Peers sheet of the Association's feedback.

A worker scores one file and cannot know the others, so the feedback a trust receives is
written in the parent once every return is scored: the worker's assessment (kept in the cache
entry) gives the Summary and Flags sheets, and :func:`standings` gives the Peers sheet. What the
sheet shows is decided in :func:`peers_layout`; writing is the XlsxWriter renderer's job.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from xl_localism import layout
from xl_localism.layout import Block, SheetLayout, Style
from xl_localism.vocab import Driver

DRIVERS = list(Driver)
NO_REGION = "(no region given)"
# (lower quartile, median, upper quartile), or None when no peer has a value.
Quartiles = tuple[float, float, float] | None


@dataclass(frozen=True)
class Standing:
    """One current return among the batch's current returns."""

    rank: int
    of: int
    region: str
    region_rank: int
    region_of: int
    # "Score" and each driver code -> the trust's own value and the quartiles of its peers.
    own: dict[str, float | None]
    national: dict[str, Quartiles]
    regional: dict[str, Quartiles]


def quartiles(values: Sequence[float | None]) -> Quartiles:
    """Lower quartile, median and upper quartile as Excel's QUARTILE.INC gives them, so a
    manager checking them in Excel gets the same numbers. Blanks (a driver not covered) are left
    out, as QUARTILE.INC leaves out blank cells."""
    present = [v for v in values if v is not None]
    if not present:
        return None
    if len(present) == 1:
        return (present[0], present[0], present[0])
    q1, median, q3 = statistics.quantiles(present, n=4, method="inclusive")
    return (round(q1, 1), round(median, 1), round(q3, 1))


def _measures(summary: dict[str, Any]) -> dict[str, float | None]:
    return {"Score": summary["score"],
            **{d.value: summary["drivers"].get(d.value) for d in DRIVERS}}


def standings(league: Sequence[dict[str, Any]]) -> list[Standing]:
    """Each summary's standing; ``league`` is the current returns in League order (rank 1
    first), so the rank in a trust's feedback is its row in the national League table."""
    by_region: dict[str, list[int]] = {}
    for index, summary in enumerate(league):
        by_region.setdefault(summary.get("region") or NO_REGION, []).append(index)
    measures = [_measures(s) for s in league]
    keys = list(measures[0]) if measures else []
    national = {k: quartiles([m[k] for m in measures]) for k in keys}
    regional = {region: {k: quartiles([measures[i][k] for i in members]) for k in keys}
                for region, members in by_region.items()}
    result = []
    for index, summary in enumerate(league):
        region = summary.get("region") or NO_REGION
        members = by_region[region]
        result.append(Standing(rank=index + 1, of=len(league), region=region,
                               region_rank=members.index(index) + 1, region_of=len(members),
                               own=measures[index], national=national,
                               regional=regional[region]))
    return result


def rank_text(rank: int, of: int) -> str:
    return f"Rank {rank} of {of}"


QUARTILE_HEADERS = ["Measure", "This trust", "National lower quartile", "National median",
                    "National upper quartile", "Regional lower quartile", "Regional median",
                    "Regional upper quartile"]


def _label(key: str) -> str:
    return "Readiness score" if key == "Score" else f"{key} {Driver(key).title}"


def peers_layout(trust: str, standing: Standing) -> SheetLayout:
    """The Peers sheet: the trust's rank nationally and in its region, then the quartiles of
    the score and each driver beside the trust's own value."""
    title = Block(anchor="A1", values=[[f"How {trust} compares"]], style=layout.TITLE,
                  text_cells={(0, 0)})
    region_label = (f"In {standing.region}" if standing.region != NO_REGION
                    else "In its region (no region given: ranked with others without one)")
    ranks = Block(anchor="A3", values=[
        ["National league", rank_text(standing.rank, standing.of)],
        [region_label, rank_text(standing.region_rank, standing.region_of)],
    ], column_styles={0: layout.LABEL}, style=layout.BOXED, text_cells={(1, 0)})
    rows: list[list[Any]] = [QUARTILE_HEADERS]
    for key, own in standing.own.items():
        national = standing.national.get(key) or (None, None, None)
        regional = standing.regional.get(key) or (None, None, None)
        rows.append([_label(key), *[layout.NOT_COVERED if value is None else value
                                    for value in (own, *national, *regional)]])
    table = Block(anchor="A6", values=rows, header=True, style=layout.BOXED,
                  row_styles={0: layout.HEADER},
                  column_styles={c: Style(number_format=layout.SCORE) for c in range(1, 8)},
                  cell_styles={(r, 1): Style(bold=True) for r in range(1, len(rows))})
    # Two short lines rather than one wrapped cell: each runs on across the empty cells to
    # its right, so neither is cut however a spreadsheet sizes the row.
    note = Block(anchor=f"A{6 + len(rows) + 1}", values=[
        [f"Ranked by readiness score among the {standing.of} current returns of this batch; "
         "a file superseded by a newer one of the same return is not counted."],
        ["Quartiles are those of Excel's QUARTILE.INC over the current returns; a driver a "
         "trust does not cover is left out of that driver's quartiles."]],
        style=Style(italic=True, font_colour=layout.MUTED))
    sheet = SheetLayout(name="Peers", blocks=[title, ranks, table, note],
                        column_widths={"A": 44, "B": 14, "C": 13, "D": 11, "E": 13, "F": 13,
                                       "G": 11, "H": 13},
                        landscape=True, fit_to_width=True)
    sheet.row_heights = {6: 45.0}  # the wrapped header row
    return sheet


def write_feedback(assessment: str, standing: Standing, path: Path) -> Path:
    """The feedback workbook of one current return: Summary, Peers, then Flags.

    ``assessment`` is the engine's Assessment as JSON text, as the batch cache keeps it."""
    import json

    from xl_localism.models import Assessment
    from xl_localism.render.xlsxwriter import write_layouts
    from xl_localism.workbook.results import feedback_layouts, feedback_title

    scored = Assessment.model_validate(json.loads(assessment))
    summary, *rest = feedback_layouts(scored)
    return write_layouts([summary, peers_layout(scored.trust, standing), *rest], path,
                         title=feedback_title(scored))
