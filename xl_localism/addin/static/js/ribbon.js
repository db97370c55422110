// The Localism ribbon tab: each button runs one script of udfs on the open workbook.
// Replaces xlwings Server's own ribbon.js (the project folder's static files come first).
// Keys are the <FunctionName>s of templates/manifest.xml, values the Python script names.
const LOCALISM_RIBBON_SCRIPTS = {
  "generate-summary": "generate_summary",
  "check-alignment": "check_alignment",
  "validate": "validate",
  "draft-position-statement": "draft_position_statement",
};

async function runLocalismScript(scriptName, event) {
  try {
    const authResult =
      typeof globalThis.getAuth === "function"
        ? await globalThis.getAuth()
        : { token: "", provider: "" };
    // Errors are shown by xlwings in its alert dialog (errorDisplayMode "alert").
    await xlwings.runPython({
      auth: authResult.token,
      scriptName: scriptName,
      headers: { "Auth-Provider": authResult.provider },
    });
  } finally {
    // Office keeps the button busy until this is called, whatever happened.
    event.completed();
  }
}

for (const [functionName, scriptName] of Object.entries(LOCALISM_RIBBON_SCRIPTS)) {
  Office.actions.associate(functionName, (event) => runLocalismScript(scriptName, event));
}
