"""The Office add-in server: xlwings Server configured to serve :mod:`udfs` and our manifest.

xlwings Server reads its settings from ``XLWINGS_*`` environment variables once, when it is first
imported, and imports its functions and scripts as the top-level modules ``custom_functions`` and
``custom_scripts``. So :func:`configure_environment` sets the variables and aliases :mod:`udfs`
under both names *before* anything imports ``xlwings_server``; one process serves one
configuration.

The project folder xlwings Server looks in for templates and static files is the package's own
``addin/`` folder: the manifest with the Localism ribbon tab, the ribbon's JavaScript and the task
pane, and our icons. Everything else (the Office.js client, which it serves itself rather than
from Microsoft's CDN) comes from the xlwings-server package.

:func:`create_app` replaces xlwings Server's manifest routes with :func:`manifest_routes`: the
manifest is served as XML (xlwings Server says ``text/plain``), and behind a reverse proxy its
URLs use the host the proxy was asked for (``X-Forwarded-Host``) as well as its scheme
(``X-Forwarded-Proto``).
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path
from typing import Any

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
    """The configured ASGI app: xlwings Server's ``main_app``, with our routes in front.

    Our routes (the manifest, the Word draft downloads) are a small app of their own that sees
    a request first; everything else goes to xlwings Server. This does not depend on how
    FastAPI keeps its routes, which changes between versions.
    """
    configure_environment(host, port)
    from fastapi import FastAPI
    from xlwings_server.config import settings
    from xlwings_server.main import main_app
    from xlwings_server.security_headers import resolve_security_headers

    ours = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    ours.include_router(manifest_routes())
    ours.include_router(download_routes())
    paths = {f"{settings.app_path}{p}" for p in ("/manifest", "/manifest.xml",
                                                   "/manifest/download")}
    downloads = f"{settings.app_path}/localism/"

    @ours.middleware("http")
    async def security_headers(request: Any, call_next: Any) -> Any:
        # The headers xlwings Server adds to its own responses.
        response = await call_next(request)
        if settings.add_security_headers:
            response.headers.update(resolve_security_headers(
                excel_online=settings.enable_excel_online, cdn_officejs=settings.cdn_officejs))
        return response

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        path = scope.get("path", "")
        if scope["type"] == "http" and (path in paths or path.startswith(downloads)):
            await ours(scope, receive, send)
        else:
            await main_app(scope, receive, send)

    return app


def download_routes() -> Any:
    """``/localism/statement/<token>``: a Word draft "Draft position statement" has just made.

    The token comes from :data:`xl_localism.downloads.STORE` by way of the task pane; an
    unknown or expired one is a 404 that says what to do.
    """
    from fastapi import APIRouter
    from fastapi.responses import PlainTextResponse, Response
    from xlwings_server.config import settings

    from xl_localism.downloads import STORE

    router = APIRouter(prefix=settings.app_path)

    @router.get("/localism/statement/{token}")
    async def statement(token: str) -> Any:
        found = STORE.get(token)
        if found is None:
            return PlainTextResponse(
                "This Word draft is no longer here (drafts are kept for ten minutes): click "
                "Draft position statement again.", status_code=404)
        return Response(found.data, media_type=found.media_type, headers={
            "Content-Disposition": f'attachment; filename="{found.filename}"'})

    return router


# A host name or address with an optional port; anything else in X-Forwarded-Host is ignored
# rather than written into the manifest.
_HOST = re.compile(r"^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9-]{1,63})*"
                   r"|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$")


def _first(header: str | None) -> str:
    """The client-side value of a header each proxy may append to ("a, b" -> "a")."""
    return (header or "").split(",")[0].strip()


def manifest_base_url(request: Any, hostname: str | None) -> str:
    """The scheme and host the manifest's URLs start with, as Excel will reach this server.

    ``XLWINGS_HOSTNAME`` first (always https); then what a reverse proxy says it was asked for,
    ``X-Forwarded-Proto`` and ``X-Forwarded-Host``; then the address of the request itself.
    """
    if hostname:
        return f"https://{hostname}".rstrip("/")
    scheme = _first(request.headers.get("x-forwarded-proto")).lower() or request.url.scheme
    if scheme not in ("http", "https"):
        scheme = request.url.scheme
    host = _first(request.headers.get("x-forwarded-host"))
    if not _HOST.match(host):
        host = request.url.netloc
    return f"{scheme}://{host}"


def manifest_routes() -> Any:
    """``/manifest``, ``/manifest.xml`` and ``/manifest/download``: the manifest as XML."""
    from fastapi import APIRouter, Request
    from xlwings_server.config import settings
    from xlwings_server.templates import TemplateResponse

    router = APIRouter(prefix=settings.app_path)
    manifest_ids = {env: getattr(settings, f"manifest_id_{env}") for env in MANIFEST_IDS}

    def respond(request: Request, download: bool) -> Any:
        base_url = manifest_base_url(request, settings.hostname)
        headers = {}
        if download:
            name = re.sub(r"[^a-z0-9]+", "-", settings.project_name.lower()).strip("-")
            headers["Content-Disposition"] = (
                f'attachment; filename="{name}-{settings.environment}.xml"')
        return TemplateResponse(
            request=request, name="manifest.xml", media_type="application/xml",
            headers=headers,
            context={"settings": settings, "base_url": base_url,
                     "base_url_with_app_path": f"{base_url}{settings.app_path}",
                     "manifest_id": manifest_ids[settings.environment]})

    async def manifest(request: Request) -> Any:
        return respond(request, download=False)

    async def manifest_download(request: Request) -> Any:
        return respond(request, download=True)

    # The annotations are strings here (``from __future__ import annotations``) naming a class
    # this module imports only now: give FastAPI the class itself.
    for endpoint, paths in ((manifest, ("/manifest", "/manifest.xml")),
                            (manifest_download, ("/manifest/download",))):
        endpoint.__annotations__["request"] = Request
        for path in paths:
            router.add_api_route(path, endpoint, methods=["GET"])
    return router


def serve(host: str = "127.0.0.1", port: int = 8000, ssl_certfile: str | None = None,
          ssl_keyfile: str | None = None) -> None:
    """Run the add-in server with uvicorn until interrupted.

    Excel only loads add-ins over HTTPS: give a certificate and key here, or run behind a TLS
    proxy that sets ``X-Forwarded-Proto: https`` and ``X-Forwarded-Host`` (or set
    ``XLWINGS_HOSTNAME``).
    """
    import uvicorn

    app = create_app(host, port)
    uvicorn.run(app, host=host, port=port, ssl_certfile=ssl_certfile, ssl_keyfile=ssl_keyfile,
                log_level=os.environ.get("XLWINGS_LOG_LEVEL", "info").lower())
