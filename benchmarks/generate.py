"""Realistic submissions for the benchmarks: the demo's trusts over many reporting quarters.

Each file is a distinct, filled template workbook (instructions, drop-down lists, tables) as a
trust would send it: the 42 probation areas in turn, each later lap a quarter earlier, with the
demo's spread of quality and a few workbooks with data problems. The same (count, seed) always
gives the same files, so a folder already generated is reused.
"""

from __future__ import annotations

import json
import random
import shutil
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from pathlib import Path

from xl_localism.demo import write_sample
from xl_localism.samples import AREAS, make_trust

AREA_NAMES = list(AREAS)
_MARKER = ".generated.json"  # hidden: the batch skips it


def quarter_end(laps_back: int) -> date:
    """The end of the quarter ``laps_back`` quarters before 30 September 2010."""
    month = 9 - 3 * laps_back
    year = 2010 + (month - 1) // 12
    month = (month - 1) % 12 + 1
    return date(year, month, 31 if month in (3, 12) else 30)


def write_one(folder: Path, index: int, seed: int) -> Path:
    rng = random.Random(seed * 100_003 + index)
    area = AREA_NAMES[index % len(AREA_NAMES)]
    lap = index // len(AREA_NAMES)
    quality = min(0.97, max(0.05, rng.gauss(0.6, 0.22)))
    trust = make_trust(area, quality=quality, seed=seed + index, as_at=quarter_end(lap),
                       problems=index % 9 == 4)
    region = AREAS[area][1]
    return write_sample(trust, folder / region / f"{trust.slug}-{index:05d}.xlsx")


def _write_range(folder: Path, indexes: list[int], seed: int) -> int:
    for index in indexes:
        write_one(folder, index, seed)
    return len(indexes)


def write_submissions(folder: Path, count: int, seed: int = 2010, jobs: int = 2) -> list[Path]:
    """``count`` submissions under ``folder`` (regions as sub-folders); reused when present."""
    marker = folder / _MARKER
    wanted = {"count": count, "seed": seed}
    if marker.exists() and json.loads(marker.read_text()) == wanted:
        return sorted(folder.rglob("*.xlsx"))
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    chunks = [list(range(start, count, jobs)) for start in range(jobs)]
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        written = sum(pool.map(_write_range, [folder] * jobs, chunks, [seed] * jobs))
    assert written == count
    # Written last: a half-generated folder is never mistaken for a finished one.
    marker.write_text(json.dumps(wanted))
    return sorted(folder.rglob("*.xlsx"))
