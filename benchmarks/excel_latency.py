"""How long =LOCALISM_SCORE(...) takes, in-process and through the add-in server on loopback.

Run from the repository root:  .venv/bin/python benchmarks/excel_latency.py [--calls 200]

Uses the largest sample workbook, its tables passed as Excel passes them (the same arguments as
tests/test_addin_server.py builds). Three timings, each the median and 95th percentile of
``--calls`` calls after a few warm-up calls:

* direct        - udfs.LOCALISM_SCORE on the DataFrames xlwings would hand it (our code only);
* xlwings call  - xlwings' custom_functions_call: argument conversion, our code, result conversion;
* loopback HTTP - POST /xlwings/custom-functions-call to `xl-localism serve` on 127.0.0.1, as the
                  add-in does (one kept-alive connection, like a browser).

Not a test: timings depend on the machine. Excel adds its own recalculation and, for the add-in,
the network between the user and the server.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")

import httpx  # noqa: E402
import xlwings as xw  # noqa: E402
from xlwings import conversion  # noqa: E402
from xlwings.server import custom_functions_call  # noqa: E402

import udfs  # noqa: E402
from tests.test_addin_server import excel_arguments, largest_sample  # noqa: E402
from xl_localism.server import skip_pyodide_probe  # noqa: E402

WARM_UP = 5


def _time(call: Callable[[], Any], calls: int) -> list[float]:
    for _ in range(WARM_UP):
        call()
    times = []
    for _ in range(calls):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    return times


def _p95(times: list[float]) -> float:
    return statistics.quantiles(times, n=20, method="inclusive")[-1]


def _body(args: list[Any]) -> dict[str, Any]:
    return {"client": "Office.js", "func_name": "LOCALISM_SCORE", "args": args,
            "caller_address": "[Localism.xlsx]Summary!B2", "culture_info_name": "en-GB",
            "date_format": "dd/MM/yyyy", "version": xw.__version__, "runtime": "1.4"}


def _start_server(port: int, folder: Path) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("XLWINGS_")}
    env["XLWINGS_LICENSE_KEY"] = os.environ["XLWINGS_LICENSE_KEY"]
    env["XLWINGS_LOG_LEVEL"] = "warning"  # an access-log line per call would time the terminal
    process = subprocess.Popen(
        [sys.executable, "-m", "xl_localism.cli", "serve", "--host", "127.0.0.1", "--port",
         str(port)], cwd=folder, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/", timeout=2).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("the add-in server did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200)
    calls = parser.parse_args().calls

    skip_pyodide_probe()  # as `xl-localism serve` does, so in-process matches the server
    path = largest_sample()
    args = excel_arguments(path)
    body = _body(args)
    rows = sum(len(a) - 1 for a in args if a)
    print(f"LOCALISM_SCORE on {path.name}: {rows} table rows in {len(args)} tables, "
          f"{calls} calls each\n")

    # The DataFrames xlwings' @arg conversion makes, built once: the direct timing is ours only.
    options = udfs.LOCALISM_SCORE.__xlfunc__["args"]
    frames = [None if a is None else conversion.read(None, a, o["options"], engine_name="officejs")
              for a, o in zip(args, options, strict=True)]
    results: list[tuple[str, list[float], Any]] = []
    results.append(("in-process, direct", _time(lambda: udfs.LOCALISM_SCORE(*frames), calls),
                    udfs.LOCALISM_SCORE(*frames)))
    results.append(("in-process, xlwings call",
                    _time(lambda: asyncio.run(custom_functions_call(body, udfs)), calls),
                    asyncio.run(custom_functions_call(body, udfs))))

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with tempfile.TemporaryDirectory() as folder:
        server = _start_server(port, Path(folder))
        try:
            url = f"http://127.0.0.1:{port}/xlwings/custom-functions-call"
            with httpx.Client(timeout=60) as client:
                def post() -> Any:
                    response = client.post(url, json=body)
                    response.raise_for_status()
                    return response.json()["result"]

                results.append(("loopback HTTP", _time(post, calls), post()))
        finally:
            server.terminate()
            server.wait(timeout=10)

    print(f"{'path':<26}{'median ms':>11}{'p95 ms':>10}  result")
    for name, times, result in results:
        print(f"{name:<26}{statistics.median(times):>11.2f}{_p95(times):>10.2f}  {result}")


if __name__ == "__main__":
    main()
