"""Start-up as a person feels it: the whole command, a fresh process each time.

Times, interleaved round by round so that the machine's drift hits each alike:

* bare Python (``python -c pass``), the floor of any command;
* ``minimal_typer_app.py --help``: typer with the same commands and options and nothing of ours,
  the floor of ``xl-localism --help``;
* ``xl-localism --help``, ``xl-localism score SAMPLE`` and ``score SAMPLE --json``.

xl-localism is run as its console script runs it (``from xl_localism.cli import app; app()``),
so ``--pythonpath`` can time another checkout (e.g. a ``git worktree`` of an older commit) with
the same interpreter and packages. Prints the median and the fastest of each, and the ratios of
the medians.

    python benchmarks/startup.py                 # 15 rounds
    python benchmarks/startup.py --rounds 30 --pythonpath /tmp/before
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SAMPLE = HERE.parent / "workbooks" / "samples" / "thames-valley.xlsx"
LAUNCH = "import sys; sys.argv[0] = 'xl-localism'; from xl_localism.cli import app; app()"


def commands(python: str) -> dict[str, list[str]]:
    return {
        "bare Python": [python, "-c", "pass"],
        "minimal typer app --help": [python, str(HERE / "minimal_typer_app.py"), "--help"],
        "xl-localism --help": [python, "-c", LAUNCH, "--help"],
        "xl-localism score SAMPLE": [python, "-c", LAUNCH, "score", str(SAMPLE)],
        "xl-localism score SAMPLE --json": [python, "-c", LAUNCH, "score", str(SAMPLE), "--json"],
    }


def wall(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    # Run from the home folder, as a user would: from the checkout, `python -c` would import
    # xl_localism from the working directory whatever --pythonpath says.
    subprocess.run(argv, env=env, cwd=Path.home(), stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--pythonpath", help="Import xl_localism from this folder instead.")
    args = parser.parse_args(argv)
    env = dict(os.environ, COLUMNS="100")
    if args.pythonpath:
        env["PYTHONPATH"] = args.pythonpath
    runs = commands(args.python)
    for command in runs.values():  # warm the page cache and the .pyc files
        wall(command, env)
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(args.rounds):
        for name, command in runs.items():
            times[name].append(wall(command, env))
    median = {name: statistics.median(t) for name, t in times.items()}
    print(f"{'command':34} {'median s':>9} {'fastest s':>10}  median ÷ minimal app, ÷ bare Python")
    for name, t in times.items():
        print(f"{name:34} {median[name]:9.3f} {min(t):10.3f}  "
              f"{median[name] / median['minimal typer app --help']:6.2f} ×"
              f"{median[name] / median['bare Python']:8.1f} ×")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
