"""One command for the evidence of issue #6: speed against the alternatives, and robustness.

    .venv/bin/python benchmarks/run.py             # 200 submissions, scaling 200 -> 2,000
    .venv/bin/python benchmarks/run.py --large     # 2,000 submissions
    .venv/bin/python benchmarks/run.py --quick     # a smoke run: 20 submissions, 20 -> 200
    .venv/bin/python benchmarks/run.py --pairs 10  # 10 more batch/LibreOffice pairs (default 5)

Every method runs in a fresh child process on the same files in the same run, so the peak
memory of one is not inherited by the next. Prints one table, the targets, and the hostile
corpus's outcome; ``--json FILE`` keeps the figures. Not part of the test suite's pass/fail.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

LO_RECALC_ALWAYS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
<prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


# ---------------------------------------------------------------------------------------------
# Children: one method each, reporting its own time and peak memory as JSON on stdout.


def _peaks() -> dict[str, int]:
    # ru_maxrss is in KiB on Linux; RUSAGE_CHILDREN is the largest reaped descendant (a worker).
    return {"rss_self_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
            "rss_children_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}


def _child(method: str, folder: Path, out: Path, jobs: int | None) -> dict[str, Any]:
    paths = sorted(p for p in folder.rglob("*.xlsx") if not p.name.startswith("."))
    extra: dict[str, Any] = {}
    _warm_up(method, paths[0])
    start = time.perf_counter()
    if method == "batch":
        from xl_localism.batch.national import write_national_report
        from xl_localism.batch.runner import run_batch

        result = run_batch(folder, out, jobs=jobs, write_report=write_national_report)
        extra = {"scored": len(result.scored), "rejected": len(result.rejected),
                 "scores": {o.source: o.summary["score"] for o in result.scored}}
    elif method == "naive":
        import naive_pipeline

        results = naive_pipeline.run(paths, out)
        extra = {"scores": {str(Path(r["source"]).relative_to(folder)): r["score"]
                            for r in results}}
    elif method == "read_score":
        from xl_localism.engine import assess
        from xl_localism.workbook.reader import read_workbook

        extra = {"scored": sum(1 for p in paths if assess(read_workbook(p)).score >= 0)}
    elif method == "floor":
        import floor

        extra = {"cells": floor.run(paths)}
    elif method == "libreoffice":
        extra = _libreoffice(paths, out)
    else:
        raise SystemExit(f"unknown method {method}")
    seconds = time.perf_counter() - start
    if method == "libreoffice":
        seconds = extra["all_seconds"]
    return {"method": method, "files": len(paths), "seconds": seconds, **_peaks(), **extra}


def _warm_up(method: str, sample: Path) -> None:
    """Import and run each in-process method once before the clock starts, as a long-running
    service would have: the per-workbook rate is then not the cost of importing pandas."""
    if method == "naive":
        import naive_pipeline

        naive_pipeline.read_submission(sample)
    elif method in ("read_score", "batch"):
        from xl_localism.batch import national  # noqa: F401
        from xl_localism.engine import assess
        from xl_localism.workbook.reader import read_workbook

        assess(read_workbook(sample))
    elif method == "floor":
        import floor

        floor.read_cells(sample)


def _soffice(files: list[Path], out: Path, profile: Path) -> float:
    command = ["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless",
               "--norestore", "--convert-to", "xlsx", "--outdir", str(out), *map(str, files)]
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, timeout=1800)
    return time.perf_counter() - start


def _libreoffice(paths: list[Path], out: Path) -> dict[str, Any]:
    """Open, recalculate and save each workbook in one headless LibreOffice, as a macro would.

    Timed twice, on one file and on all of them: the difference is the cost per workbook with
    LibreOffice's start-up left out (an Excel macro would run in an application already open).
    """
    profile = out / "profile"
    (profile / "user").mkdir(parents=True)
    # Recalculate on load ("always"): what Excel does when a macro opens and saves a workbook.
    (profile / "user" / "registrymodifications.xcu").write_text(LO_RECALC_ALWAYS)
    _soffice(paths[:1], out / "warm", profile)  # the first start builds the profile
    one = _soffice(paths[:1], out / "one", profile)
    many = _soffice(paths, out / "many", profile)
    converted = len(list((out / "many").glob("*.xlsx")))
    per_workbook = (many - one) / max(len(paths) - 1, 1)
    return {"startup_seconds": one, "all_seconds": many, "converted": converted,
            "per_workbook_seconds": per_workbook}


# ---------------------------------------------------------------------------------------------
# The parent: generate, run each child, print the table.


def _set_aside(out: Path) -> None:
    """Move a previous run's outputs out of the way; they are deleted when the timing is over.

    Deleting them here would time the filesystem rather than the method: on ext4 without a
    journal (this VM's disk) each new file is given an inode only after the allocator has
    passed over every inode freed in the last ~30 s, so a batch timed just after 600 files
    were deleted spent ~7 % of its samples in that search (perf: find_inode_bit ->
    recently_deleted). No user deletes a folder of outputs right before a batch.
    """
    if out.exists():
        trash = _trash(out.parent)
        trash.mkdir(parents=True, exist_ok=True)
        out.rename(trash / f"{out.name}-{time.time_ns()}")


def _trash(outs: Path) -> Path:
    """Where the outputs of every method (all under ``outs``) are set aside."""
    return outs / ".trash"


def _run_child(method: str, folder: Path, out: Path, jobs: int | None = None) -> dict[str, Any]:
    _set_aside(out)
    # Every method starts with nothing left to write back: the generated files and the
    # previous method's outputs would otherwise still be going to disk while it runs.
    os.sync()
    command = [sys.executable, str(Path(__file__).resolve()), "--child", method, "--dir",
               str(folder), "--out", str(out)]
    if jobs:
        command += ["--jobs", str(jobs)]
    finished = subprocess.run(command, capture_output=True, text=True, check=False)
    if finished.returncode != 0:
        raise SystemExit(f"{method} failed:\n{finished.stderr[-4000:]}")
    return json.loads(finished.stdout.strip().splitlines()[-1])


def _subset(master: list[Path], root: Path, count: int, folder: Path) -> Path:
    """The first ``count`` submissions as hard links: the same bytes, no regeneration."""
    marker = folder / ".count"
    if marker.exists() and marker.read_text() == str(count):
        return folder
    if folder.exists():
        shutil.rmtree(folder)
    for path in master[:count]:
        target = folder / path.relative_to(root)
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(path, target)
        except OSError:
            shutil.copyfile(path, target)
    marker.write_text(str(count))
    return folder


def _machine() -> dict[str, str]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        memory = next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                      if line.startswith("MemTotal"))
        ram = f"{int(memory) / 2**20:.1f} GiB"
    except (OSError, StopIteration):
        ram = "unknown"
    packages = {name: _version(name) for name in ("openpyxl", "python-calamine",
                                                    "pandas", "pydantic", "pebble",
                                                    "defusedxml", "xlsxwriter")}
    soffice = shutil.which("soffice")
    office = (subprocess.run([soffice, "--version"], capture_output=True, text=True)
              .stdout.strip() if soffice else "not installed")
    return {"cores": str(os.cpu_count()), "cpu": cpu, "ram": ram,
            "python": platform.python_version(), "os": platform.platform(),
            "packages": ", ".join(f"{k} {v}" for k, v in packages.items()), "soffice": office}


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "absent"


def _rate(row: dict[str, Any]) -> float:
    if "per_workbook_seconds" in row:
        return 1 / max(row["per_workbook_seconds"], 1e-9)
    return row["files"] / max(row["seconds"], 1e-9)


def _mib(kb: int) -> str:
    return f"{kb / 1024:.0f} MiB" if kb else "—"


def _print_table(rows: list[tuple[str, dict[str, Any]]], reference: float) -> None:
    header = (f"{'method':<52} {'files':>6} {'seconds':>8} {'wb/s':>8} {'xl-localism ×':>13} "
              f"{'peak RSS':>9} {'workers':>8}")
    print(header)
    print("-" * len(header))
    for label, row in rows:
        rate = _rate(row)
        print(f"{label:<52} {row['files']:>6} {row['seconds']:>8.2f} {rate:>8.1f} "
              f"{reference / rate:>13.2f} {_mib(row['rss_self_kb']):>9} "
              f"{_mib(row['rss_children_kb']):>8}")


def _hostile(work: Path, jobs: int | None, sample: int | None) -> dict[str, Any]:
    from xl_localism.hostile import check_batch, write_corpus

    corpus = work / "hostile"
    if corpus.exists():
        shutil.rmtree(corpus)
    written = write_corpus(corpus, sample=sample)
    start = time.perf_counter()
    report = check_batch(corpus, work / "hostile-out", jobs=jobs, timeout=30.0,
                         entries=written)
    return {"files": len(written), "seconds": time.perf_counter() - start, **report}


def _pairs(count: int, batch_set: Path, lo_set: Path, outs: Path,
           jobs: int | None) -> list[dict[str, float]]:
    """The batch and LibreOffice timed back to back ``count`` times: one ratio per pair, so
    a reader sees the spread this machine gives rather than one draw from it."""
    print(f"\nBatch and LibreOffice back to back, {count} more times (the ratio's spread here)")
    pairs = []
    for number in range(1, count + 1):
        batch = _run_child("batch", batch_set, outs / "batch", jobs)
        office = _run_child("libreoffice", lo_set, outs / "libreoffice")
        pair = {"batch_wb_s": _rate(batch), "libreoffice_wb_s": _rate(office),
                "ratio": _rate(batch) / _rate(office)}
        pairs.append(pair)
        print(f"  pair {number}: batch {pair['batch_wb_s']:6.1f} wb/s, LibreOffice "
              f"{pair['libreoffice_wb_s']:4.2f} wb/s, {pair['ratio']:5.1f} ×")
    ratios = [pair["ratio"] for pair in pairs]
    print(f"  median {statistics.median(ratios):.1f} ×, range {min(ratios):.1f}–"
          f"{max(ratios):.1f} ×; at least 50 × in {sum(r >= 50 for r in ratios)} of {count}")
    return pairs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=200, help="submissions (default 200)")
    parser.add_argument("--large", action="store_true", help="2,000 submissions")
    parser.add_argument("--quick", action="store_true", help="a smoke run: 20 submissions")
    parser.add_argument("--jobs", type=int, default=None, help="worker processes (all cores)")
    parser.add_argument("--lo-files", type=int, default=20,
                        help="workbooks LibreOffice converts (its rate is extrapolated)")
    parser.add_argument("--work", type=Path, default=None,
                        help="folder for the generated files (kept and reused between runs)")
    parser.add_argument("--no-hostile", action="store_true", help="skip the hostile corpus")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    parser.add_argument("--pairs", type=int, default=None,
                        help="then time the batch and LibreOffice back to back K more times "
                             "(default 5, 0 with --quick); the 50 x target is judged on the "
                             "median of all the draws, as one draw is one sample of the "
                             "machine's noise")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--dir", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        print(json.dumps(_child(args.child, args.dir, args.out, args.jobs)))
        return 0

    from generate import write_submissions

    n = 20 if args.quick else 2000 if args.large else args.n
    if args.pairs is None:
        args.pairs = 0 if args.quick else 5
    small = min(n, 200)  # the scaling run is small -> 10 x small, at most 2,000 files
    lo_files = min(args.lo_files, n, 5 if args.quick else args.lo_files)
    work = args.work or Path(tempfile.gettempdir()) / "xl-localism-bench"
    work.mkdir(parents=True, exist_ok=True)
    machine = _machine()
    print("Machine: " + "; ".join(f"{k} {v}" for k, v in machine.items()))

    start = time.perf_counter()
    master_root = work / f"submissions-{max(n, 10 * small)}"
    master = write_submissions(master_root, max(n, 10 * small))
    print(f"Generated {len(master)} submissions in {time.perf_counter() - start:.1f} s "
          f"({master_root})\n")
    main_set = _subset(master, master_root, n, work / f"set-{n}")
    outs = work / "out"

    figures: dict[str, Any] = {"machine": machine, "n": n}
    batch = _run_child("batch", main_set, outs / "batch", args.jobs)
    batch1 = _run_child("batch", main_set, outs / "batch1", 1)
    naive = _run_child("naive", main_set, outs / "naive")
    read_score = _run_child("read_score", main_set, outs / "read_score")
    floor_row = _run_child("floor", main_set, outs / "floor")
    rows = [(f"xl-localism batch, all cores ({os.cpu_count()})", batch),
            ("xl-localism batch, one worker", batch1),
            ("naive: pandas.read_excel + openpyxl per trust", naive)]
    office = None
    if shutil.which("soffice"):
        lo_set = _subset(master, master_root, lo_files, work / f"set-{lo_files}")
        office = _run_child("libreoffice", lo_set, outs / "libreoffice")
        rows.append((f"LibreOffice open+recalc+save ({lo_files} files, extrapolated)", office))
    rows += [("xl-localism read + score only, one process", read_score),
             ("floor: unzip + parse input-sheet XML, one process", floor_row)]
    reference = _rate(batch)
    print(f"{n} submissions; '×' is how many times faster the xl-localism batch (all cores) is")
    _print_table(rows, reference)

    agree = sum(1 for k, v in naive["scores"].items() if batch["scores"].get(k) == v)
    print(f"\nSame scores from the naive pipeline and xl-localism: {agree} of {batch['scored']}")
    if office:
        print(f"LibreOffice: start-up {office['startup_seconds']:.1f} s left out; "
              f"{lo_files} workbooks in {office['all_seconds']:.1f} s, "
              f"{office['per_workbook_seconds']:.3f} s each after start-up.")

    # Growth from `small` to 10 x `small`: the batch (all cores) and the floor.
    big = 10 * small
    growth_rows = []
    for label, method in (("xl-localism batch, all cores", "batch"), ("floor", "floor")):
        timed = {}
        for count in (small, big):
            folder = _subset(master, master_root, count, work / f"set-{count}")
            timed[count] = (batch if method == "batch" and count == n else
                            floor_row if method == "floor" and count == n else
                            _run_child(method, folder, outs / f"{method}-{count}", args.jobs))
        growth_rows.append((label, timed[small], timed[big]))
    print(f"\nGrowth from {small} to {big} submissions (ideal: time × 10, memory × 1)")
    print(f"{'method':<32} {'t(N)':>8} {'t(10N)':>8} {'time ×':>7} {'RSS(N)':>8} "
          f"{'RSS(10N)':>9} {'worker(N)':>10} {'worker(10N)':>11}")
    for label, a, b in growth_rows:
        print(f"{label:<32} {a['seconds']:>8.2f} {b['seconds']:>8.2f} "
              f"{b['seconds'] / a['seconds']:>7.2f} {_mib(a['rss_self_kb']):>8} "
              f"{_mib(b['rss_self_kb']):>9} {_mib(a['rss_children_kb']):>10} "
              f"{_mib(b['rss_children_kb']):>11}")

    pairs: list[dict[str, float]] = []
    if office and args.pairs > 0:
        pairs = figures["pairs"] = _pairs(args.pairs, main_set, lo_set, outs, args.jobs)

    vs_naive = reference / _rate(naive)
    vs_floor = floor_row["seconds"] and read_score["seconds"] / floor_row["seconds"]
    batch_growth = growth_rows[0]
    memory_growth = batch_growth[2]["rss_self_kb"] / max(batch_growth[1]["rss_self_kb"], 1)
    print("\nTargets")
    print(f"  full batch ≥ 10 × naive pipeline:        {vs_naive:6.1f} ×  "
          f"{'met' if vs_naive >= 10 else 'NOT met'}")
    if office:
        vs_office = reference / _rate(office)
        if pairs:
            # One draw is one sample of this machine's noise: the median of all of them is
            # what the target is judged on, and the spread is printed beside it.
            draws = [vs_office, *(pair["ratio"] for pair in pairs)]
            median = statistics.median(draws)
            print(f"  full batch ≥ 50 × spreadsheet application: {median:6.1f} ×  "
                  f"{'met' if median >= 50 else 'NOT met'} (median of {len(draws)} draws, "
                  f"{min(draws):.1f}–{max(draws):.1f} ×, ≥ 50 × in "
                  f"{sum(d >= 50 for d in draws)} of {len(draws)}; the first draw alone "
                  f"{vs_office:.1f} ×)")
        else:
            print(f"  full batch ≥ 50 × spreadsheet application: {vs_office:6.1f} ×  "
                  f"{'met' if vs_office >= 50 else 'NOT met'} (one draw: --pairs K for "
                  "the spread)")
    print(f"  read + score within 3 × the floor:       {vs_floor:6.2f} ×  "
          f"{'met' if vs_floor <= 3 else 'NOT met'}")
    per_file = (batch_growth[2]["rss_self_kb"] - batch_growth[1]["rss_self_kb"]) / (big - small)
    print(f"  memory flat in N (parent RSS at 10N ÷ N): {memory_growth:6.2f} ×  "
          f"({per_file:.1f} KiB more per extra submission; workers "
          f"{_mib(batch_growth[1]['rss_children_kb'])} -> "
          f"{_mib(batch_growth[2]['rss_children_kb'])})")
    figures.update({"batch": batch, "batch_one_worker": batch1, "naive": naive,
                    "libreoffice": office, "read_score": read_score, "floor": floor_row,
                    "growth": [{"method": label, "n": small, "t_n": a["seconds"],
                                "t_10n": b["seconds"], "rss_n_kb": a["rss_self_kb"],
                                "rss_10n_kb": b["rss_self_kb"],
                                "worker_n_kb": a["rss_children_kb"],
                                "worker_10n_kb": b["rss_children_kb"]}
                               for label, a, b in growth_rows]})

    shutil.rmtree(_trash(outs), ignore_errors=True)  # every timing is done

    if not args.no_hostile:
        hostile = _hostile(work, args.jobs, 40 if args.quick else None)
        figures["hostile"] = hostile
        print(f"\nHostile corpus: {hostile['files']} malformed workbooks in "
              f"{hostile['seconds']:.1f} s — {hostile['scored']} scored, "
              f"{hostile['rejected']} rejected with a reason, problems: "
              f"{len(hostile['problems'])}")
        for problem in hostile["problems"][:20]:
            print(f"  PROBLEM {problem}")
    if args.json:
        for key in ("batch", "batch_one_worker", "naive"):
            figures[key].pop("scores", None)
        args.json.write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
