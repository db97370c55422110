"""The Office add-in as Excel sees it: a real server on a loopback port, called as Excel calls it.

The server runs in its own process (``xl-localism serve``), because xlwings Server reads its
settings once, at import. Requests carry what Excel sends: function arguments as 2-D arrays
taken from the sample workbooks ("" for empty cells, dates as serial numbers), scripts the
workbook JSON the add-in builds from the open workbook. Each request opens a fresh connection:
after an error response uvicorn may drop a kept-alive one.

The scripts are also run in-process on ``xw.Book(json=...)``, where their actions can be checked
one by one.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any

import httpx
import openpyxl
import pytest
from defusedxml import ElementTree
from openpyxl.utils import get_column_letter, range_boundaries
from typer.testing import CliRunner

from xl_localism import excel, schema
from xl_localism.cli import app
from xl_localism.layout import RAG_COLOURS
from xl_localism.server import MANIFEST_IDS

os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")

import xlwings as xw

SAMPLES = Path(__file__).parent.parent / "workbooks" / "samples"
SAMPLE_PATHS = sorted(SAMPLES.glob("*.xlsx"))
SPEC_FUNCTIONS = {
    "LOCALISM_SCORE": ["checklist", "targets", "measures", "objectives", "about", "settings"],
    "LOCALISM_RAG": ["checklist", "targets", "measures", "objectives", "about", "settings"],
    "LOCALISM_BREAKDOWN": ["checklist", "targets", "measures", "objectives", "about",
                           "settings"],
    "LOCALISM_FLAGS": ["checklist", "targets", "measures", "objectives", "about", "settings"],
    "LOCALISM_DRIVER": ["code"],
    "NI_TITLE": ["code"],
    "TARGET_STATUS": ["baseline", "target", "latest", "polarity", "progress", "tolerance"],
}
OPTIONAL = {"about", "settings", "progress", "tolerance"}
RIBBON_BUTTONS = {"Generate summary", "Check alignment", "Validate", "Draft position statement"}
EXCEL_EPOCH = datetime(1899, 12, 30)
NS = {"o": "http://schemas.microsoft.com/office/appforoffice/1.1",
      "ov": "http://schemas.microsoft.com/office/taskpaneappversionoverrides",
      "bt": "http://schemas.microsoft.com/office/officeappbasictypes/1.0",
      "xsi": "http://www.w3.org/2001/XMLSchema-instance"}
XSI_TYPE = f"{{{NS['xsi']}}}type"


# ---------------------------------------------------------------------------------------------
# What Excel sends, made from a workbook file


def excel_value(value: Any) -> Any:
    """A cell as Excel passes it to a custom function."""
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        moment = value if isinstance(value, datetime) else datetime(value.year, value.month,
                                                                     value.day)
        return (moment - EXCEL_EPOCH).total_seconds() / 86400
    return value


def excel_arguments(path: Path) -> list[Any]:
    """``Checklist[#All], Targets[#All], ...`` of a workbook, in LOCALISM_SCORE's order."""
    workbook = openpyxl.load_workbook(path, data_only=True)
    found: dict[str, list[list[Any]]] = {}
    for sheet in workbook.worksheets:
        for table in sheet.tables.values():
            c1, r1, c2, r2 = range_boundaries(table.ref)
            found[table.displayName.lower()] = [
                [excel_value(sheet.cell(r, c).value) for c in range(c1, c2 + 1)]
                for r in range(r1, r2 + 1)]
    return [found.get(schema.TABLES_BY_KEY[k].table.lower()) for k in excel.TABLE_ARGUMENTS]


def _payload_value(value: Any) -> Any:
    # The add-in sends date-formatted cells as JavaScript ISO strings, empty cells as "".
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        moment = value if isinstance(value, datetime) else datetime(value.year, value.month,
                                                                     value.day)
        return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    return value


def sheet_payload(name: str, values: list[list[Any]],
                  tables: list[dict[str, Any]] | None = None, visible: bool = True
                  ) -> dict[str, Any]:
    columns = max((len(r) for r in values), default=1) or 1
    return {
        "name": name, "visibility": "Visible" if visible else "Hidden", "show_gridlines": True,
        "print_area": None, "notes": [], "notes_supported": True,
        "used_range_address": f"A1:{get_column_letter(columns)}{max(len(values), 1)}",
        "used_range_row_count": len(values), "used_range_column_count": columns,
        "values": values or [[""]], "pictures": [], "shapes": [], "charts": [],
        "tables": tables or [], "pivot_tables": [],
    }


def book_payload(path: Path, extra: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The workbook JSON the add-in posts to a script, built from a workbook file."""
    workbook = openpyxl.load_workbook(path, data_only=True)
    sheets = []
    for sheet in workbook.worksheets:
        values = [[_payload_value(v) for v in row]
                  for row in sheet.iter_rows(min_row=1, values_only=True)]
        tables = []
        for table in sheet.tables.values():
            c1, r1, c2, r2 = range_boundaries(table.ref)
            tables.append({
                "name": table.displayName, "range_address": table.ref,
                "row_count": r2 - r1 + 1, "column_count": c2 - c1 + 1,
                "columns": [sheet.cell(r1, c).value for c in range(c1, c2 + 1)],
                "header_row_range_address": f"{get_column_letter(c1)}{r1}:"
                                            f"{get_column_letter(c2)}{r1}",
                "data_body_range_address": f"{get_column_letter(c1)}{r1 + 1}:"
                                           f"{get_column_letter(c2)}{r2}",
                "total_row_range_address": None, "show_headers": True, "show_totals": False,
                "table_style": "TableStyleLight9", "show_autofilter": True,
            })
        sheets.append(sheet_payload(sheet.title, values, tables))
    sheets.extend(extra or [])
    return {"client": "Office.js", "version": xw.__version__,
            "book": {"name": path.name, "active_sheet_index": 0, "selection": "A1",
                     "calculation": "Automatic"},
            "sheets": sheets, "names": []}


def cli_score(path: Path) -> dict[str, Any]:
    """What ``xl-localism score --json`` prints for the file."""
    result = CliRunner().invoke(app, ["score", str(path), "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def largest_sample() -> Path:
    return max(SAMPLE_PATHS, key=lambda p: sum(len(a or []) for a in excel_arguments(p)))


# ---------------------------------------------------------------------------------------------
# The server


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def running_server(folder: Path) -> Iterator[str]:
    """`xl-localism serve` on a free loopback port, run from ``folder``; yields its address."""
    port = _free_port()
    log = (folder / "server.log").open("w")
    # Only the licence key from the environment: other XLWINGS_* settings would change what
    # is served. Run from an empty folder: the server must not depend on the working directory.
    env = {k: v for k, v in os.environ.items() if not k.startswith("XLWINGS_")}
    env["XLWINGS_LICENSE_KEY"] = os.environ["XLWINGS_LICENSE_KEY"]
    process = subprocess.Popen(
        [sys.executable, "-m", "xl_localism.cli", "serve", "--host", "127.0.0.1", "--port",
         str(port)], cwd=folder, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                pytest.fail(f"the server stopped: {(folder / 'server.log').read_text()}")
            try:
                if httpx.get(f"{base}/", timeout=2).json() == {"status": "ok"}:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"the server did not start: {(folder / 'server.log').read_text()}")
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_server(tmp_path_factory.mktemp("addin-server")) as base:
        yield base


def get(base: str, path: str) -> httpx.Response:
    return httpx.get(f"{base}{path}", timeout=30)


def call_function(base: str, name: str, *args: Any) -> httpx.Response:
    """POST a custom-function call exactly as the add-in's custom-functions-code.js does."""
    def matrix(value: Any) -> Any:
        if value is None:
            return None  # an omitted optional argument
        if isinstance(value, list):
            return value if value and isinstance(value[0], list) else [value]
        return [[value]]

    body = {"client": "Office.js", "func_name": name, "args": [matrix(a) for a in args],
            "caller_address": "[Localism.xlsx]Summary!B2", "session_id": "pytest",
            "culture_info_name": "en-GB", "date_format": "dd/MM/yyyy",
            "version": xw.__version__, "runtime": "1.4"}
    return httpx.post(f"{base}/xlwings/custom-functions-call", json=body, timeout=60)


def result_of(response: httpx.Response) -> Any:
    assert response.status_code == 200, response.text
    return response.json()["result"]


def run_script(base: str, name: str, payload: dict[str, Any]) -> list[dict[str, Any]]:
    response = httpx.post(f"{base}/xlwings/custom-scripts-call/{name}", json=payload, timeout=60)
    assert response.status_code == 200, response.text
    return response.json()["actions"]


# ---------------------------------------------------------------------------------------------
# Manifest and metadata


def _manifest(base: str) -> Any:
    response = get(base, "/manifest")
    assert response.status_code == 200
    return ElementTree.fromstring(response.text)  # well-formed XML, or this raises


def test_manifest_is_well_formed_with_our_id_and_no_namespace(server):
    root = _manifest(server)
    assert root.tag == f"{{{NS['o']}}}OfficeApp"
    assert root.findtext("o:Id", namespaces=NS) == MANIFEST_IDS["prod"]
    assert root.find("o:DisplayName", NS).get("DefaultValue") == "Localism"
    # Names as SPEC §6 writes them: no namespace in front of LOCALISM_SCORE.
    assert root.find(".//ov:Namespace", NS) is None


def test_manifest_ribbon_has_four_buttons_wired_to_existing_scripts(server):
    root = _manifest(server)
    strings = {s.get("id"): s.get("DefaultValue") for s in root.iter(f"{{{NS['bt']}}}String")}
    tab = root.find(".//ov:CustomTab", NS)
    assert strings[tab.find("ov:Label", NS).get("resid")] == "Localism"
    buttons: dict[str, str] = {}
    taskpane = []
    for control in tab.iter(f"{{{NS['ov']}}}Control"):
        label = strings[control.find("ov:Label", NS).get("resid")]
        action = control.find("ov:Action", NS)
        if action.get(XSI_TYPE) == "ExecuteFunction":
            buttons[label] = action.findtext("ov:FunctionName", namespaces=NS)
        elif action.get(XSI_TYPE) == "ShowTaskpane":
            taskpane.append(label)
    assert set(buttons) == RIBBON_BUTTONS
    assert taskpane, "a button opens the task pane"

    ribbon_js = get(server, "/static/js/ribbon.js").text
    mapping = dict(re.findall(r'"([\w-]+)":\s*"(\w+)"', ribbon_js))
    assert "Office.actions.associate(" in ribbon_js and "runPython" in ribbon_js
    scripts = {s["function_name"] for s in get(server, "/xlwings/custom-scripts-meta").json()}
    assert scripts == {"generate_summary", "check_alignment", "validate",
                       "draft_position_statement"}
    for label, function_name in buttons.items():
        assert mapping.get(function_name) in scripts, (label, function_name)

    taskpane_html = get(server, "/taskpane.html").text
    assert set(re.findall(r'data-localism-script="(\w+)"', taskpane_html)) == scripts


def test_manifest_urls_are_on_the_serving_host_and_answer(server):
    root = _manifest(server)
    urls = [e.get("DefaultValue") for e in root.iter()
            if (e.get("DefaultValue") or "").startswith("http")]
    urls += [e.text for e in root.iter(f"{{{NS['o']}}}AppDomain")]
    # Everything Excel loads, icons included, comes from the server it was sideloaded from.
    served = urls
    assert len(served) >= 12
    for url in served:
        assert url == server or url.startswith(f"{server}/"), url
        if url != server:
            assert httpx.get(url, timeout=30).status_code == 200, url
    resources = {e.get("id") for e in root.iter() if e.get("id")}
    for element in root.iter():
        if element.get("resid"):
            assert element.get("resid") in resources, element.get("resid")


def test_function_metadata_has_every_spec_function_described(server):
    meta = get(server, "/xlwings/custom-functions-meta").json()
    functions = {f["name"]: f for f in meta["functions"]}
    assert set(SPEC_FUNCTIONS) <= set(functions)
    for name, parameters in SPEC_FUNCTIONS.items():
        function = functions[name]
        assert function["id"] == name
        assert len(function["description"]) > 30
        assert "\n" not in function["description"] and "Python function" not in \
            function["description"]
        assert [p["name"] for p in function["parameters"]] == parameters
        for parameter in function["parameters"]:
            assert not parameter["description"].startswith("Positional argument"), (name,
                                                                                   parameter)
            assert parameter.get("optional", False) == (parameter["name"] in OPTIONAL)
        assert function["result"]["dimensionality"] == "matrix"  # arrays spill
    code = get(server, "/xlwings/custom-functions-code").text
    for name in SPEC_FUNCTIONS:
        assert f'CustomFunctions.associate("{name}"' in code


# ---------------------------------------------------------------------------------------------
# Functions: parity with `xl-localism score` on the same file


@pytest.mark.parametrize("path", SAMPLE_PATHS, ids=lambda p: p.stem)
def test_score_rag_and_flags_equal_the_command_line(server, path):
    expected = cli_score(path)
    args = excel_arguments(path)
    assert result_of(call_function(server, "LOCALISM_SCORE", *args)) == [[expected["score"]]]
    assert result_of(call_function(server, "LOCALISM_RAG", *args)) == [[expected["rag"]]]
    flags = result_of(call_function(server, "LOCALISM_FLAGS", *args))
    assert flags[0] == ["Severity", "Code", "Sheet", "Cell", "Message", "Action"]
    assert flags[1:] == [[f["severity"], f["code"], f["sheet"] or "", f["cell"] or "",
                          f["message"], f["action"]] for f in expected["flags"]]


def test_breakdown_spills_the_drivers_and_components(server):
    path = SAMPLES / "thames-valley.xlsx"
    expected = cli_score(path)
    rows = result_of(call_function(server, "LOCALISM_BREAKDOWN", *excel_arguments(path)))
    assert rows[0] == excel.BREAKDOWN_HEADERS
    assert rows[1][2:4] == [expected["score"], expected["rag"]]
    by_part = {r[0]: r for r in rows[1:]}
    for driver, score in expected["drivers"].items():
        assert by_part[driver][2] == ("not covered" if score is None else score)
        assert by_part[driver][3] == (expected["driver_rag"][driver] or "")
    assert {"S", "A1", "A2", "A3", "A", "P"} <= set(by_part)


def test_scalar_functions(server):
    assert result_of(call_function(server, "LOCALISM_DRIVER", "NI 30")) == [
        ["Reducing Reoffending, Public Protection"]]
    assert result_of(call_function(server, "LOCALISM_DRIVER", [["NI 18"], ["ACC"]])) == [
        ["Reducing Reoffending"], ["Reducing Reoffending"]]
    assert result_of(call_function(server, "NI_TITLE", "ni-143")) == [[
        "Offenders under probation supervision living in settled and suitable accommodation "
        "at the end of their order or licence"]]
    assert result_of(call_function(server, "TARGET_STATUS", 100, 80, 81.5, "lower")) == [
        ["Amber"]]
    assert result_of(call_function(server, "TARGET_STATUS", "100", "80", "79", "NI 18", None,
                                   None)) == [["Green"]]
    assert result_of(call_function(server, "TARGET_STATUS", 100, 80, "", "lower")) == [
        ["No data"]]


# ---------------------------------------------------------------------------------------------
# Bad arguments: a readable text in the cell, never an HTTP error or a traceback


def _bad_arguments() -> list[tuple[str, Any, str]]:
    args = excel_arguments(SAMPLES / "thames-valley.xlsx")
    targets = args[1]

    def replaced(slot: int, value: Any) -> list[Any]:
        changed = list(args)
        changed[slot] = value
        return changed

    no_ni = [row[:1] + row[2:] for row in targets]
    return [
        ("range without headers", replaced(1, targets[1:]),
         "#LOCALISM: targets has no header row: pass the table with its headers "
         "(e.g. Targets[#All], not Targets)"),
        ("single cell", replaced(1, [["NI 18"]]),
         "#LOCALISM: targets needs a table with its header row (e.g. Targets[#All]), "
         "got a single cell"),
        ("blank table", replaced(2, [["", ""], ["", ""]]),
         "#LOCALISM: measures is blank: pass the Measures table with its header row "
         "(e.g. Measures[#All])"),
        ("wrong table in the wrong slot", replaced(2, targets),
         "#LOCALISM: the measures argument looks like the Targets table "
         "(pass Measures[#All] here)"),
        ("missing column", replaced(1, no_ni), "#LOCALISM: Targets table has no 'NI' column"),
        ("text that is no number", ["TARGET_STATUS", 100, 80, "n/a", "lower"],
         "#LOCALISM: latest must be a number, found 'n/a'"),
    ]


@pytest.mark.parametrize(("case", "args", "message"), _bad_arguments(),
                         ids=[c[0] for c in _bad_arguments()])
def test_bad_arguments_give_a_readable_cell_error(server, case, args, message):
    name = "LOCALISM_SCORE"
    if args and args[0] == "TARGET_STATUS":
        name, args = args[0], args[1:]
    response = call_function(server, name, *args)
    assert result_of(response) == [[message]]
    assert "Traceback" not in response.text


def test_numbers_typed_as_text_score_the_same(server):
    args = excel_arguments(SAMPLES / "thames-valley.xlsx")
    expected = result_of(call_function(server, "LOCALISM_SCORE", *args))
    targets = args[1]
    numeric = [c for c, h in enumerate(targets[0]) if h in ("Baseline", "Target", "Latest")]
    args[1] = [targets[0]] + [[f"{v:,}" if c in numeric and isinstance(v, float) else v
                               for c, v in enumerate(row)] for row in targets[1:]]
    assert any(isinstance(args[1][1][c], str) for c in numeric)
    assert result_of(call_function(server, "LOCALISM_SCORE", *args)) == expected


# ---------------------------------------------------------------------------------------------
# Scripts over HTTP


def _sheet_names(actions: list[dict[str, Any]]) -> dict[int, str]:
    return {a["args"][0]: a["args"][1] for a in actions if a["func"] == "addSheet"}


def _values_on(actions: list[dict[str, Any]], position: int) -> list[Any]:
    return [v for a in actions if a["func"] == "setValues" and a["sheet_position"] == position
            for row in a["values"] for v in row]


def test_generate_summary_over_http(server):
    path = SAMPLES / "thames-valley.xlsx"
    expected = cli_score(path)
    actions = run_script(server, "generate_summary", book_payload(path))
    added = _sheet_names(actions)
    summary = next(p for p, n in added.items() if n == "Summary")
    assert "Flags" in added.values()
    values = _values_on(actions, summary)
    assert expected["score"] in values and expected["rag"] in values
    rag_fill = f"#{RAG_COLOURS[expected['rag']][0]}"
    assert any(a["func"] == "setRangeColor" and a["args"] == [rag_fill]
               and a["sheet_position"] == summary for a in actions)
    chart = next(a for a in actions if a["func"] == "addChart")
    assert chart["sheet_position"] == summary and chart["args"][1] == "ColumnClustered"
    assert actions[-2] == {**actions[-2], "func": "activateSheet", "args": [summary]}
    # Last, what the task pane says it did.
    assert actions[-1]["func"] == "runMacro" and actions[-1]["args"] == [
        "localismDone", f"Summary and Flags written: score {expected['score']:.1f}, "
                        f"{expected['rag']}"]


def test_the_other_scripts_over_http(server):
    path = SAMPLES / "lancashire.xlsx"
    payload = book_payload(path)
    positions = {s["name"]: i for i, s in enumerate(payload["sheets"])}

    actions = run_script(server, "check_alignment", payload)
    assert "Flags" in _sheet_names(actions).values()
    coloured = {a["sheet_position"] for a in actions if a["func"] == "setRangeColor"}
    assert {positions["Checklist"], positions["LAA Targets"]} <= coloured

    actions = run_script(server, "validate", payload)
    problems = next(p for p, n in _sheet_names(actions).items() if n == "Data problems")
    assert {"NI_INVALID", "DATA_INVALID", "DUPLICATE_ROW"} <= set(_values_on(actions, problems))

    actions = run_script(server, "draft_position_statement", payload)
    statement = next(p for p, n in _sheet_names(actions).items() if n == "Position statement")
    text = " ".join(str(v) for v in _values_on(actions, statement))
    assert "Lancashire: Position Statement / Statement of Intent" in text


# ---------------------------------------------------------------------------------------------
# Scripts in-process, action by action


def run_in_process(name: str, payload: dict[str, Any]) -> list[dict[str, Any]]:
    """Run a script as xlwings Server does, on the Book it builds from the payload."""
    from xlwings.server import custom_scripts_call

    import udfs

    book = xw.Book(json=payload)  # works on the payload itself: measure it before
    result = asyncio.run(custom_scripts_call(udfs, name, typehint_to_value={xw.Book: book}))
    return result.json()["actions"]


def test_summary_actions_in_process():
    path = SAMPLES / "humberside.xlsx"
    payload = book_payload(path)
    expected = cli_score(path)
    # Added after the last sheet (0-based positions): Flags, then Summary, which opens.
    summary = len(payload["sheets"]) + 1
    actions = run_in_process("generate_summary", payload)
    assert [a["args"] for a in actions if a["func"] == "addSheet"] == [
        [summary - 1, "Flags"], [summary, "Summary"]]
    headline = next(a for a in actions if a["func"] == "setValues"
                    and a["sheet_position"] == summary and a["values"][0] == ["Trust",
                                                                             "Humberside"])
    assert ["Readiness score", expected["score"]] in headline["values"]
    assert ["RAG", expected["rag"]] in headline["values"]
    # Submission text is formatted as text before it is written, so "=..." stays text.
    first_text = next(i for i, a in enumerate(actions) if a["func"] == "setNumberFormat"
                      and a["args"] == ["@"] and a["sheet_position"] == summary)
    assert first_text < actions.index(headline)
    # Driver RAG colours and the chart over the driver scores.
    fills = {a["args"][0] for a in actions if a["func"] == "setRangeColor"
             and a["sheet_position"] == summary}
    assert {f"#{RAG_COLOURS[r][0]}" for r in expected["driver_rag"].values() if r} <= fills
    chart = next(a for a in actions if a["func"] == "addChart")
    assert chart["args"][2] == "Summary" and chart["args"][3].startswith("$C$")
    assert any(a["func"] == "setChartTitle" for a in actions)
    assert any(a["func"] == "addTable" and a["args"][3] == "LocalismFlags" for a in actions)
    links = [a["values"][0][0] for a in actions if a["func"] == "setFormula"]
    assert links and all(v.startswith('=HYPERLINK("#') for v in links)


def test_rerunning_replaces_the_sheet_in_place():
    path = SAMPLES / "thames-valley.xlsx"
    old = sheet_payload("Summary", [["Localism readiness summary"]])
    payload = book_payload(path)
    payload["sheets"].insert(1, old)
    actions = run_in_process("generate_summary", payload)
    assert actions[0]["func"] == "addSheet"  # Flags, at the end
    delete = next(a for a in actions if a["func"] == "sheetDelete")
    assert delete["sheet_position"] == 1
    assert [1, "Summary"] in [a["args"] for a in actions if a["func"] == "addSheet"]


def test_check_alignment_clears_the_previous_highlights():
    path = SAMPLES / "thames-valley.xlsx"
    record = sheet_payload(excel.HIGHLIGHTS_SHEET, [["Sheet", "Cell"], ["Checklist", "H9"]],
                           visible=False)
    payload = book_payload(path, extra=[record])
    positions = {s["name"]: i for i, s in enumerate(payload["sheets"])}
    actions = run_in_process("check_alignment", payload)
    clear = next(i for i, a in enumerate(actions) if a["func"] == "setRangeColor"
                 and a["args"] == [None])
    assert actions[clear]["sheet_position"] == positions["Checklist"]
    assert (actions[clear]["start_row"], actions[clear]["start_column"]) == (8, 7)
    later = [a for a in actions[clear + 1:] if a["func"] == "setRangeColor"]
    assert later and all(a["args"][0] for a in later)
    assert any(a["func"] == "setSheetVisibility" and a["args"] == ["Hidden"] for a in actions)
    assert actions[-2]["func"] == "activateSheet"
    assert actions[-1]["args"][0] == "localismDone" and actions[-1]["args"][1].startswith(
        "Flags written: ")


def test_validate_links_each_problem_to_its_cell_in_process():
    actions = run_in_process("validate", book_payload(SAMPLES / "lancashire.xlsx"))
    links = [a["values"][0][0] for a in actions if a["func"] == "setFormula"]
    assert "=HYPERLINK(\"#'LAA Targets'!B2\",\"B2\")" in links


def test_a_script_error_is_a_readable_message(monkeypatch):
    import udfs

    def broken(book: Any) -> Any:
        raise RuntimeError("the workbook went away")

    monkeypatch.setattr(udfs.excel, "submission_from_book", broken)
    with pytest.raises(xw.XlwingsError, match="#LOCALISM: could not work this out "
                                              r"\(RuntimeError: the workbook went away\)"):
        run_in_process("generate_summary", book_payload(SAMPLES / "thames-valley.xlsx"))


def test_scripts_read_the_book_as_the_command_line_reads_the_file():
    for path in SAMPLE_PATHS:
        book = xw.Book(json=book_payload(path))
        from xl_localism.engine import assess
        from xl_localism.explanation import to_json

        assert json.loads(json.dumps(to_json(assess(excel.submission_from_book(book))))) == \
            cli_score(path), path.name


def test_a_frozen_header_row_reaches_office_js_as_freeze_rows_1():
    # The Flags layout says freeze="A2": the header row stays put. Office.js freezeAt("A2")
    # would freeze rows 1-2 and column A, so the add-in's own function is asked for
    # freezeRows(1) instead (static/js/ribbon.js, localismFreezePanes).
    actions = run_in_process("generate_summary", book_payload(SAMPLES / "humberside.xlsx"))
    assert not [a for a in actions if a["func"] == "freezePaneAtRange"]
    freezes = [a["args"] for a in actions if a["func"] == "runMacro"
               and a["args"][0] == "localismFreezePanes"]
    assert ["localismFreezePanes", "Flags", 1, 0] in freezes


@pytest.mark.parametrize(("cell", "counts", "frozen"), [
    ("A2", (1, 0), "1:1"), ("C3", (2, 2), "A1:B2"), ("C1", (0, 2), "A:B"),
    ("$B$4", (3, 1), "A1:A3"), ("AA10", (9, 26), "A1:Z9")])
def test_freeze_cells_mean_what_excel_means(cell, counts, frozen):
    from xl_localism.workbook.xlwings_render import frozen_counts, frozen_range

    assert frozen_counts(cell) == counts
    assert frozen_range(*counts) == frozen


def test_serve_on_plain_http_warns_that_excel_will_not_load_it(monkeypatch):
    import xl_localism.server

    monkeypatch.setattr(xl_localism.server, "serve", lambda *a, **k: None)
    result = CliRunner().invoke(app, ["serve", "--port", "8123"])
    assert result.exit_code == 0, result.output
    assert "Excel will not load the add-in" in result.stderr
    assert "--certfile" in result.stderr and "X-Forwarded-Proto" in result.stderr


def test_a_word_draft_is_kept_a_few_minutes_under_an_unguessable_token():
    from xl_localism.downloads import DownloadStore

    store = DownloadStore(keep_seconds=60, max_files=2)
    first = store.put(b"one", "a.docx")
    assert len(first) >= 40 and store.get(first).data == b"one"
    store.put(b"two", "b.docx")
    store.put(b"three", "c.docx")
    assert store.get(first) is None  # the oldest goes first when the store is full
    gone = DownloadStore(keep_seconds=0)
    assert gone.get(gone.put(b"x", "x.docx")) is None
