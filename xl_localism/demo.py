"""Sample submissions: the committed sample workbooks, and a national set for the demo."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

from xl_localism.samples import AREAS, SampleTrust, make_trust, sample_trusts
from xl_localism.workbook.template import write_template


def write_sample(trust: SampleTrust, path: Path) -> Path:
    """A filled trust workbook: the template with the sample's rows in its tables."""
    rows = {key: [list(r) for r in raw.rows] for key, raw in trust.tables.items()}
    return write_template(path, rows=rows)


def write_committed_samples(folder: Path) -> list[Path]:
    """The four sample workbooks kept in ``workbooks/samples`` (near Green, near Red, Welsh,
    data problems)."""
    folder.mkdir(parents=True, exist_ok=True)
    return [write_sample(t, folder / f"{t.slug}.xlsx") for t in sample_trusts()]


def write_national_submissions(folder: Path, seed: int = 2010) -> list[Path]:
    """A quarter's submissions from all 42 probation areas, plus the mess real inboxes hold."""
    rng = random.Random(seed)
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    written = []
    for index, name in enumerate(AREAS):
        quality = min(0.97, max(0.05, rng.gauss(0.6, 0.22)))
        problems = index % 9 == 4  # a few trusts with data problems, scored all the same
        trust = make_trust(name, quality=quality, seed=seed + index, problems=problems)
        region = AREAS[name][1]
        written.append(write_sample(trust, folder / region / f"{trust.slug}-2010-q2.xlsx"))
    # A second submission from one trust for the same quarter: both kept, both noted.
    london = make_trust("London", quality=0.7, seed=seed + 99)
    written.append(write_sample(london, folder / "London" / "london-2010-q2-revised.xlsx"))
    broken = folder / "Inbox"
    broken.mkdir()
    good = written[0].read_bytes()
    (broken / "truncated-upload.xlsx").write_bytes(good[: len(good) // 2])
    (broken / "legacy-return.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)
    (broken / "minutes.xlsx").write_text("Minutes of the CDRP board, not a workbook\n")
    (broken / "~$lock-file.xlsx").write_bytes(b"lock")  # Office lock file: skipped
    return written
