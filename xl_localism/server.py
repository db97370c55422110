"""The Office add-in server: xlwings Server configured to serve :mod:`udfs` and our manifest.

xlwings Server reads its settings from ``XLWINGS_*`` environment variables once, when it is first
imported, and imports its functions and scripts as the top-level modules ``custom_functions`` and
``custom_scripts``. So :func:`configure_environment` sets the variables and aliases :mod:`udfs`
under both names *before* anything imports ``xlwings_server``; one process serves one
configuration.

The project folder xlwings Server looks in for templates and static files is the package's own
``addin/`` folder: the manifest with the Localism ribbon tab, the ribbon's JavaScript and the task
pane. Everything else (the Office.js client, icons) comes from the xlwings-server package.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

ADDIN_DIR = Path(__file__).resolve().parent / "addin"

# Our own manifest IDs, one per environment, so the add-in never clashes with another xlwings
# Server add-in (Office tells add-ins apart by this ID). Never change them once deployed: Office
# would treat the add-in as a new one.
MANIFEST_IDS = {
    "dev": "22616944-8712-443f-a329-f91d7262e689",
    "qa": "c886c270-f5de-4522-b08d-999f4480dc6e",
    "uat": "bedfcc1f-aecc-4b05-83f4-a8ce908868f9",
    "staging": "c50f4820-9f62-46cf-bdc0-71be17cc3542",
    "prod": "1d9ff232-8056-4be2-b0dc-e9c33afd0b32",
}

# What an administrator may override in the environment, and our defaults.
DEFAULTS = {
    # PolyForm Noncommercial: free for probation trusts, which are public bodies (README).
    "XLWINGS_LICENSE_KEY": "noncommercial",
    "XLWINGS_PROJECT_NAME": "Localism",
    # No manifest namespace: the function names carry the LOCALISM_ prefix themselves, so a
    # manager types =LOCALISM_SCORE(...) exactly as SPEC §6 writes it (README, "In Excel").
    "XLWINGS_FUNCTIONS_NAMESPACE": "",
    "XLWINGS_ENVIRONMENT": "prod",
    # Streaming functions need socket.io; ours are plain calls, so keep the server simple.
    "XLWINGS_ENABLE_SOCKETIO": "false",
    # Custom functions in Excel on the web call the server cross-origin (xlwings' guidance).
    "XLWINGS_CORS_ALLOW_ORIGINS": json.dumps(["*"]),
    **{f"XLWINGS_MANIFEST_ID_{env.upper()}": uuid for env, uuid in MANIFEST_IDS.items()},
}


def skip_pyodide_probe() -> None:
    """Make xlwings' "am I running in Pyodide?" check instant on a server.

    xlwings asks by importing ``pyodide.ffi`` once for every cell value it converts; outside
    Pyodide the import fails, but only after searching every folder on ``sys.path``, each time.
    That was 15 of the 18 ms of a LOCALISM_SCORE call on the largest sample. A ``None`` entry in
    ``sys.modules`` makes the import fail at once with the same ImportError, which xlwings reads
    as "not in Pyodide", the true answer here.
    """
    if sys.platform != "emscripten":
        sys.modules.setdefault("pyodide", None)  # type: ignore[arg-type]


def configure_environment(host: str = "127.0.0.1", port: int = 8000) -> None:
    """Prepare this process to serve the add-in; call before ``xlwings_server`` is imported.

    ``host`` and ``port`` are where :func:`serve` will listen; nothing needs them here, because
    the manifest's URLs are built from the address Excel fetched it from (or from
    ``XLWINGS_HOSTNAME`` behind a proxy), so one configuration works on any address.
    """
    if "xlwings_server" in sys.modules:
        raise RuntimeError("xlwings_server was imported before configure_environment(): its "
                           "settings are read at import time, so they would be ignored")
    for name, value in DEFAULTS.items():
        os.environ.setdefault(name, value)
    # Ours, whatever the environment says: another project folder would serve other templates.
    os.environ["XLWINGS_PROJECT_DIR"] = str(ADDIN_DIR)
    # "" fails xlwings Server's settings validation; no authentication is "[]".
    if not os.environ.get("XLWINGS_AUTH_PROVIDERS", "").strip():
        os.environ["XLWINGS_AUTH_PROVIDERS"] = "[]"
    # Before xlwings is imported, so its server-side decorators are the real ones.
    os.environ["XLWINGS_ON_SERVER"] = "true"
    skip_pyodide_probe()

    import udfs

    sys.modules["custom_functions"] = udfs
    sys.modules["custom_scripts"] = udfs


def create_app(host: str = "127.0.0.1", port: int = 8000) -> object:
    """The configured ASGI app (xlwings Server's ``main_app``)."""
    configure_environment(host, port)
    from xlwings_server.main import main_app

    return main_app


def serve(host: str = "127.0.0.1", port: int = 8000, ssl_certfile: str | None = None,
          ssl_keyfile: str | None = None) -> None:
    """Run the add-in server with uvicorn until interrupted.

    Excel only loads add-ins over HTTPS: give a certificate and key here, or run behind a TLS
    proxy that sets ``X-Forwarded-Proto: https`` (or set ``XLWINGS_HOSTNAME``).
    """
    import uvicorn

    app = create_app(host, port)
    uvicorn.run(app, host=host, port=port, ssl_certfile=ssl_certfile, ssl_keyfile=ssl_keyfile,
                log_level=os.environ.get("XLWINGS_LOG_LEVEL", "info").lower())
