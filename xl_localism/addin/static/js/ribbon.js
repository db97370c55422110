// The Localism actions: the ribbon tab's buttons and the task pane's, one script of udfs each,
// run on the open workbook. Replaces xlwings Server's own ribbon.js (the project folder's static
// files come first); loaded by every page of the add-in, so it runs in the shared runtime that
// the ribbon, the task pane and the functions have in common.
//
// One action at a time: while a script runs, every task pane button and (where Excel has
// RibbonApi 1.1) every ribbon button is disabled, and a click that still gets through is refused
// with a message, never run: a second "Generate summary" would find the Flags sheet it is about
// to add already there. When a script has finished, the status line says what it wrote.

// Keys are the <FunctionName>s of templates/manifest.xml, values the Python script names.
const LOCALISM_RIBBON_SCRIPTS = {
  "generate-summary": "generate_summary",
  "check-alignment": "check_alignment",
  "validate": "validate",
  "draft-position-statement": "draft_position_statement",
};
// Python script name -> [button label, ribbon control id in templates/manifest.xml]
const LOCALISM_ACTIONS = {
  generate_summary: ["Generate summary", "LocalismGenerateSummary"],
  check_alignment: ["Check alignment", "LocalismCheckAlignment"],
  validate: ["Validate", "LocalismValidate"],
  draft_position_statement: ["Draft position statement", "LocalismDraftPositionStatement"],
};
// Where this file was served from, for the xlwings alert dialog's module next to it.
const LOCALISM_SCRIPT_URL = document.currentScript ? document.currentScript.src : "";

const localism = { running: null, message: null, download: null };
globalThis.localism = localism;

function localismLabel(scriptName) {
  return (LOCALISM_ACTIONS[scriptName] || [scriptName])[0];
}

// --- Functions the scripts call at the end of their actions (xlwings' runMacro action;
// udfs.DONE_CALLBACK and xlwings_render.FREEZE_CALLBACK name them). Each receives the Excel
// request context and the script's arguments.

async function localismDone(context, message) {
  localism.message = String(message);
}

// A file the server made from the same workbook data (the Word draft), kept there a few
// minutes under a random token: offered on the status line.
async function localismDownload(context, token, filename) {
  const appPath = (globalThis.config && globalThis.config.appPath) || "";
  localism.download = {
    url: `${window.location.origin}${appPath}/localism/statement/${encodeURIComponent(String(token))}`,
    filename: String(filename),
  };
}

async function localismFreezePanes(context, sheetName, rows, columns) {
  // What a layout's freeze="C3" means: rows above 3 and columns left of C stay put.
  const panes = context.workbook.worksheets.getItem(String(sheetName)).freezePanes;
  rows = Number(rows) || 0;
  columns = Number(columns) || 0;
  if (rows > 0 && columns > 0) {
    panes.freezeAt(
      context.workbook.worksheets.getItem(String(sheetName)).getRangeByIndexes(0, 0, rows, columns),
    );
  } else if (rows > 0) {
    panes.freezeRows(rows);
  } else if (columns > 0) {
    panes.freezeColumns(columns);
  }
}

function registerLocalismCallbacks() {
  // xlwings' own module sets up globalThis.callbacks; register (again) before every run, so
  // the order the two scripts happened to load in does not matter.
  globalThis.callbacks = globalThis.callbacks || {};
  globalThis.callbacks.localismDone = localismDone;
  globalThis.callbacks.localismFreezePanes = localismFreezePanes;
  globalThis.callbacks.localismDownload = localismDownload;
}
registerLocalismCallbacks();

// --- What the user sees

function localismStatus(text, kind, download = null) {
  const status = document.getElementById("localism-status");
  if (!status) return;
  const message = document.createElement("span");
  message.className = "localism-message";
  message.textContent = text;
  status.replaceChildren(message);
  status.className = `localism-status small mb-3 alert alert-${kind}`;
  status.hidden = !text;
  if (download) {
    const link = document.createElement("a");
    link.href = download.url;
    link.download = download.filename;
    link.className = "localism-download d-block mt-2 fw-semibold";
    link.textContent = "Download the Word draft (.docx)";
    link.addEventListener("click", (event) => {
      // Excel's own web view cannot save a file: the system browser can. Where Office offers
      // it, open the link there; elsewhere (Excel on the web) the browser downloads it.
      if (
        typeof Office !== "undefined" &&
        Office.context &&
        Office.context.ui &&
        Office.context.ui.openBrowserWindow &&
        Office.context.requirements.isSetSupported("OpenBrowserWindowApi", "1.1")
      ) {
        event.preventDefault();
        Office.context.ui.openBrowserWindow(download.url);
      }
    });
    status.appendChild(link);
  }
}

async function localismAlert(text) {
  // The ribbon has no page of its own to write on: xlwings' alert dialog says it.
  try {
    const { xlAlert } = await import(new URL("alerts/parent.js", LOCALISM_SCRIPT_URL).href);
    await xlAlert(text, "Localism", "ok", "info", "");
  } catch (error) {
    console.warn("Localism: could not show the message", text, error);
  }
}

function localismSetBusy(runningScript) {
  const busy = runningScript !== null;
  for (const button of document.querySelectorAll("[data-localism-script]")) {
    button.disabled = busy;
    button.setAttribute("aria-busy", String(busy && button.dataset.localismScript === runningScript));
    const spinner = button.querySelector(".spinner-border");
    if (busy && button.dataset.localismScript === runningScript && !spinner) {
      const span = document.createElement("span");
      span.className = "spinner-border spinner-border-sm ms-2";
      span.setAttribute("role", "status");
      span.setAttribute("aria-hidden", "true");
      button.appendChild(span);
    } else if (!busy && spinner) {
      spinner.remove();
    }
  }
  localismSetRibbonEnabled(!busy);
}

function localismSetRibbonEnabled(enabled) {
  try {
    if (
      typeof Office === "undefined" ||
      !Office.ribbon ||
      !Office.context ||
      !Office.context.requirements.isSetSupported("RibbonApi", "1.1")
    ) {
      return;
    }
    const controls = Object.values(LOCALISM_ACTIONS).map(([, id]) => ({ id: id, enabled: enabled }));
    Office.ribbon
      .requestUpdate({
        tabs: [{ id: "LocalismTab", groups: [{ id: "LocalismGroup", controls: controls }] }],
      })
      .catch((error) => console.warn("Localism: ribbon not updated", error));
  } catch (error) {
    console.warn("Localism: ribbon not updated", error);
  }
}

// --- Running a script

// Runs `scriptName` unless another is running; `source` is "ribbon" or "taskpane".
// Resolves to true when the script ran and finished, false otherwise.
async function runLocalismScript(scriptName, source) {
  if (localism.running !== null) {
    const text =
      `${localismLabel(localism.running)} is still running. ` +
      `Wait for it to finish, then click ${localismLabel(scriptName)} again.`;
    localismStatus(text, "warning");
    if (source === "ribbon") await localismAlert(text);
    return false;
  }
  localism.running = scriptName;
  localism.message = null;
  localism.download = null;
  localismSetBusy(scriptName);
  localismStatus(`${localismLabel(scriptName)}: working on this workbook…`, "info");
  const errorAlert = document.getElementById("global-error-alert");
  if (errorAlert) errorAlert.classList.add("d-none");
  try {
    registerLocalismCallbacks();
    const authResult =
      typeof globalThis.getAuth === "function"
        ? await globalThis.getAuth()
        : { token: "", provider: "" };
    // runPython shows an error itself: in the task pane for the pane's buttons, in xlwings'
    // alert dialog for the ribbon's. It does not throw.
    await xlwings.runPython({
      auth: authResult.token,
      scriptName: scriptName,
      headers: { "Auth-Provider": authResult.provider },
      errorDisplayMode: source === "taskpane" ? "taskpane" : "alert",
    });
    if (localism.message !== null) {
      localismStatus(localism.message, "success", localism.download);
      return true;
    }
    localismStatus(`${localismLabel(scriptName)} did not finish: nothing more was written.`, "danger");
    return false;
  } catch (error) {
    console.error(error);
    localismStatus(`${localismLabel(scriptName)} did not finish: ${error}`, "danger");
    return false;
  } finally {
    localism.running = null;
    localismSetBusy(null);
  }
}
globalThis.runLocalismScript = runLocalismScript;

// Ribbon buttons
for (const [functionName, scriptName] of Object.entries(LOCALISM_RIBBON_SCRIPTS)) {
  Office.actions.associate(functionName, async (event) => {
    try {
      await runLocalismScript(scriptName, "ribbon");
    } finally {
      // Office keeps the button busy until this is called, whatever happened.
      event.completed();
    }
  });
}

// Task pane buttons
function wireLocalismButtons() {
  for (const button of document.querySelectorAll("[data-localism-script]")) {
    if (button.dataset.localismWired) continue;
    button.dataset.localismWired = "true";
    button.addEventListener("click", () => runLocalismScript(button.dataset.localismScript, "taskpane"));
  }
}
if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", wireLocalismButtons);
} else {
  wireLocalismButtons();
}
