"""docs/method.md, the published method, cannot drift from the software.

* The worked example's figures table is re-derived from the sample workbook with
  ``read_workbook`` + ``assess`` and compared figure by figure, as the doc prints them.
* Every number in the worked example's prose must be one of those checked figures or one of the
  method's fixed constants, so a figure cannot be quoted in the text without being checked.
* The flags table lists exactly the codes the software raises, with their severities; the
  settings table gives the software's defaults; the driver weights are the engine's.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from xl_localism.engine import DRIVER_WEIGHTS, applicable_items, assess, workbook_catalogue
from xl_localism.flags import FLAG_RULES
from xl_localism.models import Assessment, Component, DriverResult, Settings
from xl_localism.vocab import Driver, Nation, TargetStatus
from xl_localism.workbook.reader import read_workbook

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "method.md"
SAMPLE = ROOT / "workbooks" / "samples" / "thames-valley.xlsx"
START, END = "<!-- worked-example-figures:start -->", "<!-- worked-example-figures:end -->"

# Numbers the method itself fixes (weights, thresholds, the default tolerance, "÷ 1" when every
# weight is present): the prose may quote these without a row in the figures table.
METHOD_CONSTANTS = {"0", "1", "0.4", "0.2", "0.5", "0.25", "0.10", "70", "40", "100"}


def doc_text() -> str:
    return DOC.read_text(encoding="utf-8")


def table_rows(block: str) -> list[list[str]]:
    """The cells of a Markdown table's body rows (header and rule rows dropped)."""
    rows = []
    for line in block.splitlines():
        line = line.strip()
        if not line.startswith("|"):
            continue
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line.strip("|"))]
        if all(set(c) <= set("-: ") for c in cells):
            continue
        rows.append(cells)
    return rows[1:]  # the header row


def section(text: str, number: int) -> str:
    """The body of '## <number>. ...' up to the next '## ' heading."""
    match = re.search(rf"^## {number}\. .*?$(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert match, f"docs/method.md has no section {number}"
    return match.group(1)


def quoted_figures() -> dict[str, str]:
    text = doc_text()
    assert START in text and END in text, "the worked example's figures table is missing"
    block = text.split(START, 1)[1].split(END, 1)[0]
    figures: dict[str, str] = {}
    for cells in table_rows(block):
        key = cells[0].strip("`")
        assert key not in figures, f"figure {key} is quoted twice"
        figures[key] = cells[1]
    return figures


# ---------------------------------------------------------------------------------------------
# The engine's figures, printed as the doc prints them


def pct(value: float | None) -> str:
    assert value is not None
    return f"{100 * value:.1f}%"


def num(value: float | None) -> str:
    """At most two decimals, trailing zeros dropped (26.7828 -> 26.78, 9.0 -> 9)."""
    assert value is not None
    return f"{value:.2f}".rstrip("0").rstrip(".")


def count(component: Component, status: TargetStatus) -> str:
    return str(component.counts[str(status)])


def performance_figures(prefix: str, p: Component) -> dict[str, str]:
    return {
        f"{prefix}.green": count(p, TargetStatus.GREEN),
        f"{prefix}.amber": count(p, TargetStatus.AMBER),
        f"{prefix}.red": count(p, TargetStatus.RED),
        f"{prefix}.no_data": count(p, TargetStatus.NO_DATA),
        f"{prefix}.points": num(p.numerator),
        f"{prefix}.n": num(p.denominator),
        prefix: pct(p.value),
    }


def weighted(parts: list[tuple[Component, float]]) -> float:
    present = [(c.value, w) for c, w in parts if c.value is not None]
    return 100 * sum(v * w for v, w in present) / sum(w for _, w in present)


def engine_figures(a: Assessment, quoted: dict[str, str]) -> dict[str, str]:
    s = a.settings
    assert a.as_at is not None
    figures = {
        "trust": a.trust,
        "nation": str(a.nation),
        "as_at": f"{a.as_at:%d/%m/%Y}",
        "days_elapsed": str((a.as_at - s.laa_start).days),
        "days_in_period": str((s.laa_end - s.laa_start).days),
        "f": f"{a.progress:.3f}",
    }

    # S, with what was left out of it.
    sa = a.self_assessment
    submission = read_workbook(SAMPLE)
    applicable = {i.id for i in applicable_items(submission.checklist, a.nation is Nation.WALES)}
    left_out = [i.id for i in submission.checklist if i.id not in applicable]
    figures |= {"S.points": num(sa.numerator), "S.weight": num(sa.denominator), "S": pct(sa.value),
                "S.left_out": str(len(left_out)), "S.left_out_ids": ", ".join(left_out)}

    # A1, A2, A3, A.
    a1, a2, a3 = a.linkage, a.driver_coverage, a.measure_alignment
    uncovered = [str(d.driver) for d in a.drivers if not d.covered]
    not_counted = [m.code for m in a.measures if not m.counts_for_alignment]
    figures |= {
        "A1.linked": num(a1.numerator), "A1.relevant": num(a1.denominator), "A1": pct(a1.value),
        "A2.covered": num(a2.numerator), "A2.drivers": num(a2.denominator), "A2": pct(a2.value),
        "A2.uncovered": ", ".join(uncovered),
        "A3.measures_all": str(len(a.measures)), "A3.left_out_cs": str(len(not_counted)),
        "A3.left_out_codes": ", ".join(not_counted),
        "A3.aligned": num(a3.numerator), "A3.counted": num(a3.denominator), "A3": pct(a3.value),
        "A.parts": num(a.alignment.denominator), "A": pct(a.alignment.value),
    }

    # One target's trajectory: the doc names it as "NI 15 (Reading)".
    ni, laa = re.fullmatch(r"(NI \d+) \((.+)\)", quoted["target"]).groups()
    t = next(t for t in a.targets if t.ni == ni and t.laa == laa)
    assert t.relevant, f"{quoted['target']} is not a relevant target"
    polarity = workbook_catalogue(submission).indicators[ni].polarity
    gap = abs(t.target - t.baseline) or abs(t.target) or 1.0
    figures |= {
        "target": f"{t.ni} ({t.laa})", "target.polarity": str(polarity),
        "target.b": num(t.baseline), "target.t": num(t.target), "target.a": num(t.latest),
        "target.e": num(t.expected), "target.d": num(t.shortfall), "target.g": num(gap),
        "target.tolerance": num(s.tolerance * gap), "target.status": str(t.status),
    }

    # One IPPF measure.
    m = next(m for m in a.measures if m.code == quoted["measure"])
    figures |= {
        "measure": m.code, "measure.driver": str(m.driver), "measure.polarity": str(m.polarity),
        "measure.t": num(m.target), "measure.a": num(m.actual), "measure.d": num(m.shortfall),
        "measure.tolerance": num(s.tolerance * (abs(m.target) or 1.0)),
        "measure.status": str(m.status),
    }

    # P on each axis and pooled.
    figures |= performance_figures("P.horizontal", a.performance_targets)
    figures |= performance_figures("P.vertical", a.performance_measures)
    pooled = performance_figures("P", a.performance)
    figures |= {k: v for k, v in pooled.items() if k in {"P", "P.green", "P.amber", "P.points",
                                                          "P.n"}}

    # The score, its RAG and the cap.
    raw = weighted([(a.self_assessment, s.weight_self_assessment),
                    (a.alignment, s.weight_alignment), (a.performance, s.weight_performance)])
    figures |= {
        "score.unrounded": f"{raw:.2f}", "score": f"{a.score:.1f}", "rag": str(a.rag),
        "critical_flags": str(sum(1 for f in a.flags if f.severity == "critical")),
    }

    # Two drivers: RR in full, CS with its left-out parts.
    rr, cs = a.driver(Driver.RR), a.driver(Driver.CS)
    figures |= {
        "RR.A1.linked": num(rr.linkage.numerator), "RR.A1.relevant": num(rr.linkage.denominator),
        "RR.A1": pct(rr.linkage.value),
        "RR.A3.aligned": num(rr.measure_alignment.numerator),
        "RR.A3.measures": num(rr.measure_alignment.denominator),
        "RR.A3": pct(rr.measure_alignment.value),
        **performance_figures("RR.P", rr.performance),
        "RR.unrounded": f"{driver_raw(rr):.2f}", "RR": f"{rr.score:.1f}", "RR.rag": str(rr.rag),
        "CS.A1": "left out" if cs.linkage.value is None else pct(cs.linkage.value),
        "CS.A3": "left out" if cs.measure_alignment.value is None
        else pct(cs.measure_alignment.value),
        "CS.measures": str(cs.measures),
        "CS.P.green": count(cs.performance, TargetStatus.GREEN),
        "CS.P.amber": count(cs.performance, TargetStatus.AMBER),
        "CS.P.points": num(cs.performance.numerator), "CS.P.n": num(cs.performance.denominator),
        "CS.P": pct(cs.performance.value), "CS": f"{cs.score:.1f}", "CS.rag": str(cs.rag),
    }
    return figures


def driver_raw(d: DriverResult) -> float:
    return weighted([(d.linkage, DRIVER_WEIGHTS["linkage"]),
                     (d.measure_alignment, DRIVER_WEIGHTS["measure_alignment"]),
                     (d.performance, DRIVER_WEIGHTS["performance"])])


@pytest.fixture(scope="module")
def assessment() -> Assessment:
    return assess(read_workbook(SAMPLE))


# ---------------------------------------------------------------------------------------------
# The tests


def test_every_quoted_figure_is_the_engines(assessment: Assessment) -> None:
    quoted = quoted_figures()
    engine = engine_figures(assessment, quoted)
    assert sorted(quoted) == sorted(engine), "the figures table and the test disagree on keys"
    wrong = {k: (quoted[k], engine[k]) for k in quoted if quoted[k] != engine[k]}
    assert not wrong, ("docs/method.md quotes figures the software no longer gives "
                       f"(figure: (quoted, engine)): {wrong}. Rerun `xl-localism score "
                       f"{SAMPLE.relative_to(ROOT)}` and update section 12.")


def test_worked_example_quotes_only_checked_figures() -> None:
    body = section(doc_text(), 12).split(START, 1)[0]
    body = re.sub(r"```.*?```", "", body, flags=re.S)  # the commands to run
    allowed = set(quoted_figures().values()) | METHOD_CONSTANTS
    allowed |= {v.rstrip("%") for v in allowed}
    dates = re.findall(r"\b\d{2}/\d{2}/\d{4}\b", body)
    body = re.sub(r"\b\d{2}/\d{2}/\d{4}\b", " ", body)
    body = re.sub(r"\bNI \d+\b", " ", body)  # indicator codes are names, not figures
    numbers = re.findall(r"(?<![\w.])\d+(?:\.\d+)?%?(?![\w.]\w)", body)
    unchecked = sorted({n for n in [*dates, *numbers] if n not in allowed})
    assert not unchecked, (f"section 12 quotes {unchecked}, which are not in its figures table "
                           "(so no test checks them): add them to the table")


def test_flags_table_lists_every_flag_with_its_severity() -> None:
    rows = table_rows(section(doc_text(), 11))
    listed = {cells[0].strip("`"): cells[1] for cells in rows}
    assert sorted(listed) == sorted(FLAG_RULES), "the flags table and FLAG_RULES differ"
    for code, severity in listed.items():
        assert severity.split()[0] == str(FLAG_RULES[code].severity), code


def test_settings_table_gives_the_softwares_defaults() -> None:
    rows = table_rows(section(doc_text(), 9))
    listed = {cells[0].strip("`"): cells[1] for cells in rows}
    assert sorted(listed) == sorted(Settings.model_fields)
    for name, field in Settings.model_fields.items():
        default = field.default
        shown = listed[name]
        if default is None:
            assert shown == "none", name
        elif hasattr(default, "isoformat"):
            assert shown == default.isoformat(), name
        else:
            assert float(shown) == default, name


def test_driver_weights_are_the_engines() -> None:
    table = table_rows(section(doc_text(), 7))
    weights = {cells[0]: float(cells[2]) for cells in table}
    assert weights == {"A1_D": DRIVER_WEIGHTS["linkage"],
                       "A3_D": DRIVER_WEIGHTS["measure_alignment"],
                       "P_D": DRIVER_WEIGHTS["performance"]}


def test_score_weights_and_thresholds_are_the_defaults() -> None:
    text = section(doc_text(), 6)
    d = Settings()
    assert (f"w_S = {d.weight_self_assessment:g}, w_A = {d.weight_alignment:g} and "
            f"w_P = {d.weight_performance:g}") in text
    assert f"≥ {d.green_threshold:g} (`green_threshold`)" in text
    assert f"≥ {d.amber_threshold:g} (`amber_threshold`)" in text
