"""Compare two dumps of ``dump_workbooks.py``: every difference, grouped by what differs.

    python benchmarks/compare_dumps.py before.json after.json

Cells are grouped by kind of file (submissions, feedback, report), sheet and property, with one
example each, so a change that is the same in 43 workbooks reads as one line. Exit status 1
when anything differs.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

_CELL = re.compile(r"^[A-Z]{1,3}\d+$")


def _kind(path: str) -> str:
    if "/feedback/" in f"/{path}":
        return "feedback"
    return path.split("/")[0] if "/" in path else path


def differences(before: dict[str, Any], after: dict[str, Any]
                ) -> tuple[Counter[tuple[str, str]], dict[tuple[str, str], str]]:
    counts: Counter[tuple[str, str]] = Counter()
    examples: dict[tuple[str, str], str] = {}

    def walk(old: Any, new: Any, path: list[str]) -> None:
        if isinstance(old, dict) and isinstance(new, dict):
            for key in sorted(set(old) | set(new)):
                walk(old.get(key, "<missing>"), new.get(key, "<missing>"), [*path, key])
        elif old != new:
            group = (_kind(path[0]), "/".join("CELL" if _CELL.match(p) else p
                                              for p in path[1:]))
            counts[group] += 1
            examples.setdefault(group, f"{'/'.join(path)}: {old!r} -> {new!r}"[:400])

    for name in sorted(set(before) | set(after)):
        walk(before.get(name, "<missing>"), after.get(name, "<missing>"), [name])
    return counts, examples


def main() -> int:
    before, after = (json.loads(Path(p).read_text()) for p in sys.argv[1:3])
    counts, examples = differences(before, after)
    for group, count in sorted(counts.items()):
        print(f"{count:6} {group[0]:12} {group[1]}\n       e.g. {examples[group]}")
    print(f"{len(before)} workbooks before, {len(after)} after; "
          f"{sum(counts.values())} differences in {len(counts)} groups")
    return 1 if counts else 0


if __name__ == "__main__":
    raise SystemExit(main())
