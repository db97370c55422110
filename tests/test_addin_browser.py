"""The add-in's JavaScript in a real browser: the task pane and ribbon code in headless Chromium.

The task pane is loaded from ``xl-localism serve`` on 127.0.0.1, exactly as Excel loads it, with
one difference: the Office.js file the server ships is replaced, through the Chrome DevTools
Protocol, by ``addin_browser/office-stub.js``, an in-memory workbook that records what the add-in
asks Excel to do. Everything else, xlwings' client included, is the real code the server sends.

Slow (a browser and a server): ``pytest -m slow``. Skipped when Chromium is not installed.
``LOCALISM_SCREENSHOTS=DIR`` keeps the task pane screenshots there.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests import test_addin_server
from tests.test_addin_server import (
    SAMPLES,
    SPEC_FUNCTIONS,
    book_payload,
    cli_score,
    excel_arguments,
)

pytestmark = pytest.mark.slow
# The add-in server on a loopback port, started as test_addin_server starts it.


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with test_addin_server.running_server(tmp_path_factory.mktemp("addin-server")) as base:
        yield base


CHROMIUM = next((found for name in ("chromium", "chromium-browser", "google-chrome")
                 if (found := shutil.which(name))), None)
STUB = Path(__file__).parent / "addin_browser" / "office-stub.js"
OFFICE_JS = "*/vendor/office-js/*/dist/office.js"
PANE_WIDTH = 320
MESSAGE = "document.querySelector('#localism-status .localism-message').textContent"
SCRIPTS = {
    "generate_summary": ("generate-summary", "Summary and Flags written: score"),
    "check_alignment": ("check-alignment", "Flags written:"),
    "validate": ("validate", "Data problems written:"),
    "draft_position_statement": ("draft-position-statement", "Position statement drafted:"),
}

if CHROMIUM is None:
    pytest.skip("Chromium is not installed (apt-get install chromium): the add-in's JavaScript "
                "is tested in a headless browser", allow_module_level=True)
websocket = pytest.importorskip("websocket", reason="websocket-client drives Chromium "
                                                    "(pip install -e '.[dev]')")


class DevToolsError(RuntimeError):
    pass


class Browser:
    """Headless Chromium driven over the Chrome DevTools Protocol, one page."""

    def __init__(self, folder: Path) -> None:
        profile = folder / "profile"
        self.log_file = (folder / "chromium.log").open("w")
        self.process = subprocess.Popen(
            [CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--no-default-browser-check", "--disable-extensions", "--mute-audio",
             "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
             f"--user-data-dir={profile}", f"--window-size={PANE_WIDTH},900", "about:blank"],
            stdout=self.log_file, stderr=subprocess.STDOUT)
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not (port_file.exists() and port_file.read_text().strip()):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.close()
                log = (folder / "chromium.log").read_text()
                raise DevToolsError(f"Chromium did not start: {log}")
            time.sleep(0.1)
        port = int(port_file.read_text().split()[0])
        pages = [t for t in httpx.get(f"http://127.0.0.1:{port}/json/list", timeout=10).json()
                 if t["type"] == "page"]
        self.ws = websocket.create_connection(pages[0]["webSocketDebuggerUrl"],
                                              suppress_origin=True, timeout=120)
        self.next_id = 0
        self.stub_source = ""
        self.errors: list[str] = []
        self.console: list[str] = []
        for domain in ("Runtime", "Log", "Page"):
            self.call(f"{domain}.enable")
        self.call("Fetch.enable", patterns=[{"urlPattern": OFFICE_JS, "requestStage": "Request"}])
        self.call("Emulation.setDeviceMetricsOverride", width=PANE_WIDTH, height=900,
                  deviceScaleFactor=1, mobile=False)

    def close(self) -> None:
        if getattr(self, "ws", None) is not None:
            self.ws.close()
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log_file.close()

    def _send(self, method: str, params: dict[str, Any]) -> int:
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        return self.next_id

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        sent = self._send(method, params)
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == sent:
                if "error" in message:
                    raise DevToolsError(f"{method}: {message['error']}")
                return message["result"]
            if "method" in message:
                self._event(message["method"], message.get("params", {}))

    def _event(self, method: str, params: dict[str, Any]) -> None:
        if method == "Fetch.requestPaused":
            # The stand-in for Office.js, in place of the one the server ships.
            self._send("Fetch.fulfillRequest", {
                "requestId": params["requestId"], "responseCode": 200,
                "responseHeaders": [{"name": "Content-Type",
                                     "value": "application/javascript; charset=utf-8"}],
                "body": base64.b64encode(self.stub_source.encode()).decode()})
        elif method == "Runtime.consoleAPICalled":
            text = " ".join(str(a.get("value", a.get("description", ""))) for a in params["args"])
            self.console.append(f"{params['type']}: {text}")
            if params["type"] in ("error", "assert"):
                self.errors.append(f"console.{params['type']}: {text}")
        elif method == "Runtime.exceptionThrown":
            details = params["exceptionDetails"]
            self.errors.append("exception: " + details.get("exception", {}).get(
                "description", details.get("text", "")))
        elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
            entry = params["entry"]
            self.errors.append(f"log: {entry.get('text')} {entry.get('url', '')}")

    def evaluate(self, expression: str) -> Any:
        result = self.call("Runtime.evaluate", expression=expression, awaitPromise=True,
                           returnByValue=True)
        if "exceptionDetails" in result:
            details = result["exceptionDetails"]
            raise DevToolsError(details.get("exception", {}).get("description")
                                or details.get("text"))
        return result["result"].get("value")

    def wait_for(self, expression: str, timeout: float = 60) -> Any:
        deadline = time.monotonic() + timeout
        while True:
            value = self.evaluate(expression)
            if value:
                return value
            if time.monotonic() > deadline:
                raise DevToolsError(f"timed out waiting for {expression}")
            time.sleep(0.1)

    def open(self, url: str, book: dict[str, Any]) -> None:
        self.stub_source = f"globalThis.STUB_BOOK = {json.dumps(book)};\n{STUB.read_text()}"
        self.errors.clear()
        self.call("Page.navigate", url=url)
        self.wait_for("document.readyState === 'complete' && !!globalThis.__stub && "
                      "!!globalThis.xlwings && !!globalThis.runLocalismScript && "
                      f"Object.keys(__stub.functions).length >= {len(SPEC_FUNCTIONS)} && "
                      "Object.keys(__stub.actions).length >= 4")

    def screenshot(self, path: Path) -> Path:
        data = self.call("Page.captureScreenshot", format="png", captureBeyondViewport=True)
        path.write_bytes(base64.b64decode(data["data"]))
        return path


def stub_book(path: Path) -> dict[str, Any]:
    """The sample workbook as the stub's in-memory Excel holds it."""
    payload = book_payload(path)
    return {"name": path.name, "sheets": [
        {"name": s["name"], "values": s["values"],
         "tables": [{"name": t["name"], "address": t["range_address"], "columns": t["columns"]}
                    for t in s["tables"]]} for s in payload["sheets"]]}


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    chromium = Browser(tmp_path_factory.mktemp("chromium"))
    try:
        yield chromium
    finally:
        chromium.close()


@pytest.fixture
def pane(browser: Browser, server: str) -> Browser:
    """The task pane on a fresh copy of thames-valley.xlsx."""
    browser.open(f"{server}/taskpane.html", stub_book(SAMPLES / "thames-valley.xlsx"))
    return browser


def screenshots_folder(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("LOCALISM_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _wait_idle(pane: Browser) -> None:
    pane.wait_for("globalThis.localism.running === null")


def _script_calls(pane: Browser) -> list[dict[str, Any]]:
    return pane.evaluate("__stub.requests.filter(r => r.url.includes('custom-scripts-call/'))")


def _log(pane: Browser) -> list[dict[str, Any]]:
    return pane.evaluate("__stub.log")


# ---------------------------------------------------------------------------------------------


def test_the_pane_loads_registers_everything_and_logs_no_error(pane):
    functions = pane.evaluate("Object.keys(__stub.functions)")
    assert set(SPEC_FUNCTIONS) <= set(functions)
    assert set(pane.evaluate("Object.keys(__stub.actions)")) == {s[0] for s in SCRIPTS.values()}
    labels = pane.evaluate("[...document.querySelectorAll('[data-localism-script]')]"
                           ".map(b => [b.dataset.localismScript, b.textContent.trim()])")
    assert [name for name, _ in labels] == list(SCRIPTS)
    assert pane.evaluate("document.getElementById('localism-status').hidden") is True
    # Office.js from the server (here: its stand-in), nothing from any other site.
    scripts = pane.evaluate("[...document.scripts].map(s => s.src).filter(Boolean)")
    assert scripts and all(s.startswith(pane.evaluate("location.origin")) for s in scripts)
    assert pane.errors == []


def test_every_task_pane_button_runs_its_script_one_at_a_time(pane):
    expected = cli_score(SAMPLES / "thames-valley.xlsx")
    for script, (_, done) in SCRIPTS.items():
        before = len(_script_calls(pane))
        # Click, then at once click every other button: the first runs, the others are
        # disabled, and even a forced click is refused.
        state = pane.evaluate(f"""(() => {{
            const buttons = [...document.querySelectorAll('[data-localism-script]')];
            buttons.find(b => b.dataset.localismScript === '{script}').click();
            const disabled = buttons.map(b => b.disabled);
            const other = buttons.find(b => b.dataset.localismScript !== '{script}');
            other.disabled = false; other.click(); other.disabled = true;
            const status = document.querySelector('#localism-status .localism-message');
            return {{disabled, status: status.textContent}};
        }})()""")
        assert all(state["disabled"]), script
        assert "is still running" in state["status"], state
        _wait_idle(pane)
        calls = _script_calls(pane)[before:]
        assert [c["url"].rsplit("/", 1)[-1] for c in calls] == [script]
        call = calls[0]
        assert call["method"] == "POST" and call["status"] == 200, call.get("response")
        body = json.loads(call["body"])
        assert body["client"] == "Office.js" and body["book"]["name"] == "thames-valley.xlsx"
        assert {"Checklist", "LAA Targets"} <= {s["name"] for s in body["sheets"]}
        actions = json.loads(call["response"])["actions"]
        assert actions[-1]["func"] == "runMacro" and actions[-1]["args"][0] == "localismDone"
        status = pane.evaluate(MESSAGE)
        assert status.startswith(done) and status == actions[-1]["args"][1], status
        assert not pane.evaluate("[...document.querySelectorAll('[data-localism-script]')]"
                                 ".some(b => b.disabled)")
    # What Excel was asked to do: the sheets, and the header rows frozen, not row 2 and column A.
    sheets = pane.evaluate("__stub.sheetNames()")
    assert {"Summary", "Flags", "Data problems", "Position statement"} <= set(sheets)
    summary = pane.evaluate("__stub.valuesOf('Summary')")
    pairs = {(row[i], row[i + 1]) for row in summary if row for i in range(len(row) - 1)}
    assert ("Readiness score", expected["score"]) in pairs
    log = _log(pane)
    freezes = [(e["target"], e["name"], e["args"]) for e in log
               if e["op"] == "call" and e["target"].endswith(".freezePanes")]
    assert ("sheet:Flags.freezePanes", "freezeRows", [1]) in freezes
    assert not [f for f in freezes if f[1] == "freezeAt"], freezes
    assert pane.errors == []


def test_ribbon_buttons_refuse_a_second_run_and_disable_the_ribbon(pane):
    result = pane.evaluate("""(async () => {
        const first = __stub.clickRibbon('generate-summary');
        const second = __stub.clickRibbon('validate');
        await Promise.all([first, second]);
        return {updates: __stub.ribbonUpdates, dialogs: __stub.dialogs,
                status: document.querySelector('#localism-status .localism-message').textContent};
    })()""")
    _wait_idle(pane)
    calls = [c["url"].rsplit("/", 1)[-1] for c in _script_calls(pane)]
    assert calls == ["generate_summary"]
    # The refusal is said in xlwings' alert dialog, the ribbon's only way to speak.
    assert len(result["dialogs"]) == 1 and "alert" in result["dialogs"][0]["url"]
    enabled = [c["enabled"] for u in pane.evaluate("__stub.ribbonUpdates")
               for c in u["tabs"][0]["groups"][0]["controls"]]
    assert enabled[:4] == [False] * 4 and enabled[-4:] == [True] * 4
    status = pane.evaluate(MESSAGE)
    assert status.startswith("Summary and Flags written: score")
    assert pane.errors == []


@pytest.mark.parametrize("name", ["thames-valley", "lancashire"])
def test_localism_score_through_the_javascript_equals_the_command_line(pane, name):
    path = SAMPLES / f"{name}.xlsx"
    expected = cli_score(path)
    args = json.dumps(excel_arguments(path))
    score = pane.evaluate(f"__stub.callFunction('LOCALISM_SCORE', ...{args})")
    assert score == [[expected["score"]]]
    rag = pane.evaluate(f"__stub.callFunction('LOCALISM_RAG', ...{args})")
    assert rag == [[expected["rag"]]]
    assert pane.evaluate("__stub.callFunction('NI_TITLE', [['NI 18']])")[0][0].startswith(
        "Adult re-offending")
    calls = pane.evaluate("__stub.requests.filter(r => r.url.endsWith('custom-functions-call'))")
    assert {json.loads(c["body"])["func_name"] for c in calls} >= {"LOCALISM_SCORE", "NI_TITLE"}
    assert all(c["status"] == 200 for c in calls)
    assert pane.errors == []


def test_task_pane_screenshots_at_320_px(pane, tmp_path):
    folder = screenshots_folder(tmp_path)
    width = pane.evaluate("document.documentElement.clientWidth")
    assert width == PANE_WIDTH
    first = pane.screenshot(folder / "taskpane-320.png")
    # Nothing wider than the pane: no sideways scrolling at 320 px.
    assert pane.evaluate("document.documentElement.scrollWidth") <= PANE_WIDTH
    pane.evaluate("document.querySelector('[data-localism-script=generate_summary]').click()")
    _wait_idle(pane)
    after = pane.screenshot(folder / "taskpane-320-after-summary.png")
    # While a script runs: every button disabled, a spinner on the one clicked.
    pane.evaluate("localismSetBusy('check_alignment'); "
                  "localismStatus('Check alignment: working on this workbook…', 'info')")
    busy = pane.screenshot(folder / "taskpane-320-busy.png")
    assert pane.evaluate("document.documentElement.scrollWidth") <= PANE_WIDTH
    pane.evaluate("localismSetBusy(null)")
    pane.evaluate("document.querySelector('[data-localism-script=draft_position_statement]')"
                  ".click()")
    _wait_idle(pane)
    word = pane.screenshot(folder / "taskpane-320-word-draft.png")
    assert pane.evaluate("document.documentElement.scrollWidth") <= PANE_WIDTH
    for shot in (first, after, busy, word):
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert pane.errors == []


def test_draft_position_statement_offers_the_word_draft_of_the_open_workbook(pane):
    import io
    import zipfile

    from xl_localism.engine import assess
    from xl_localism.render.docx import statement_docx_bytes
    from xl_localism.workbook.reader import read_workbook

    pane.evaluate("document.querySelector('[data-localism-script=draft_position_statement]')"
                  ".click()")
    _wait_idle(pane)
    link = pane.evaluate("""(() => { const a = document.querySelector('#localism-status a');
        return a && {href: a.href, download: a.download, text: a.textContent}; })()""")
    assert link and link["text"] == "Download the Word draft (.docx)", link
    assert link["download"] == "Thames-Valley-position-statement-draft.docx"
    response = httpx.get(link["href"], timeout=30)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    assert "attachment" in response.headers["content-disposition"]
    submission = read_workbook(SAMPLES / "thames-valley.xlsx")
    expected = statement_docx_bytes(submission, assess(submission))

    def body(data: bytes) -> bytes:
        with zipfile.ZipFile(io.BytesIO(data)) as docx:
            return docx.read("word/document.xml")

    # Built by the server from the data the task pane sent: the same document as from the file.
    assert body(response.content) == body(expected)
    missing = httpx.get(link["href"].rsplit("/", 1)[0] + "/not-a-token", timeout=30)
    assert missing.status_code == 404 and "Draft position statement again" in missing.text
    assert pane.errors == []
