"""Where a batch worker's time goes: run its task in one process, then sum a py-spy profile.

    .venv/bin/pip install py-spy
    .venv/bin/py-spy record -r 500 -f raw -o /tmp/worker.txt -- \\
        .venv/bin/python benchmarks/profile_worker.py /tmp/bw/set-200
    .venv/bin/python benchmarks/profile_worker.py --summarise /tmp/worker.txt

The first command scores every workbook under the folder ``--repeat`` times with the batch
worker's own function (read, score, the cache entry's JSON) and prints the time a task took;
the second attributes the samples to the stages of that task. py-spy samples the wall clock
without slowing Python down, so small functions are not overstated the way cProfile
overstates them. Samples taken while importing are left out.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

# The first rule that matches a frame of a sample's stack names its stage: inner stages come
# before the outer ones that contain them. A frame reads "function (path:line)".
STAGES: list[tuple[str, str]] = [
    ("read: package safety checks", r"inspect_package \("),
    ("read: calamine", r"_read_calamine \("),
    ("read: openpyxl (workbooks with error cells)", r"_read_openpyxl \("),
    ("read: finding the tables", r"locate_tables \("),
    ("read: validating rows into models", r"build_submission \("),
    ("scoring", r"assess \("),
    ("result as JSON", r"to_json \("),
    # Last: a dumps inside to_json is the result's, not the cache entry's.
    ("cache entry as JSON", r"dumps \("),
]


def summarise(raw_lines: Iterable[str]) -> dict[str, float]:
    """Percent of samples per stage, from py-spy's ``--format raw`` output."""
    patterns = [(stage, re.compile(f"(?:^|;){frame}")) for stage, frame in STAGES]
    counts: Counter[str] = Counter()
    for line in raw_lines:
        stack, _, count = line.rstrip("\n").rpartition(" ")
        if not stack or "importlib._bootstrap" in stack or "<frozen importlib" in stack:
            continue
        stage = next((name for name, pattern in patterns if pattern.search(stack)), "other")
        counts[stage] += int(count)
    total = sum(counts.values()) or 1
    return {stage: 100 * n / total for stage, n in counts.most_common()}


def run(folder: Path, repeat: int) -> None:
    from xl_localism.batch.runner import process_submission

    paths = sorted(p for p in folder.rglob("*.xlsx") if not p.name.startswith("."))
    if not paths:
        raise SystemExit(f"no .xlsx files under {folder}")
    process_submission(str(paths[0]))  # imports, pydantic schemas
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(repeat):
        for path in paths:
            process_submission(str(path))
    tasks = repeat * len(paths)
    print(f"{tasks} tasks: {1000 * (time.perf_counter() - wall) / tasks:.2f} ms a task "
          f"(wall), {1000 * (time.process_time() - cpu) / tasks:.2f} ms (CPU)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path, nargs="?", help="workbooks to score")
    parser.add_argument("--repeat", type=int, default=6, help="rounds over the folder")
    parser.add_argument("--summarise", type=Path, metavar="RAW", help="a py-spy raw profile")
    args = parser.parse_args()
    if args.summarise:
        with args.summarise.open(encoding="utf-8") as raw:
            for stage, percent in summarise(raw).items():
                print(f"{percent:5.1f} %  {stage}")
        return 0
    if args.folder is None:
        parser.error("give a folder of workbooks, or --summarise RAW")
    run(args.folder, args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
