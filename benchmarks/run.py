"""The benchmarks: the batch against what else a trust's analyst could use, and its memory.

    .venv/bin/python benchmarks/run.py                  # 200 submissions; memory at 200 and 2,000
    .venv/bin/python benchmarks/run.py --quick          # a smoke run: 20 submissions, 20 and 200
    .venv/bin/python benchmarks/run.py --growth 200,2000,10000

Each method is timed twice on the same files in the same run: in a fresh child process after
one warm-up workbook (imports done: what a long-running service would see), and as the whole
command a person runs, start-up included. Then the batch and the analyst's script on the demo's
submissions, the parent's peak memory as N grows, and the hostile corpus. ``--json FILE`` keeps
the figures. Not part of the test suite's pass/fail. benchmarks/README.md says what each row is.
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
    elif method == "analyst":
        import analyst_baseline

        out.mkdir(parents=True, exist_ok=True)
        written = 0
        for path in paths:
            try:
                analyst_baseline.summarise(path, out)
                written += 1
            except Exception:  # as the script does: skip what pandas cannot read
                pass
        extra = {"written": written}
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
    elif method == "analyst":
        import warnings

        import analyst_baseline

        warnings.simplefilter("ignore")  # pandas' notice that its default engine will change
        analyst_baseline.pd.read_excel(sample, sheet_name=None)
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
    commit = subprocess.run(["git", "-C", str(HERE), "describe", "--always", "--dirty"],
                            capture_output=True, text=True).stdout.strip() or "unknown"
    return {"commit": commit, "cores": str(os.cpu_count()), "cpu": cpu, "ram": ram,
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


def _command(argv: list[str], out: Path) -> float:
    """The whole command as a person runs it, start-up included: wall seconds."""
    _set_aside(out)
    os.sync()
    start = time.perf_counter()
    finished = subprocess.run([*argv, str(out)], capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if finished.returncode not in (0, 1):  # 1: the batch rejected some files, as it should
        raise SystemExit(f"{argv} failed:\n{finished.stderr[-4000:]}")
    return seconds


def _batch_command(folder: Path, jobs: int | None = None) -> list[str]:
    xl_localism = Path(sys.executable).with_name("xl-localism")
    return [str(xl_localism), "batch", str(folder), *(["--jobs", str(jobs)] if jobs else []),
            "--out"]


def _analyst_command(folder: Path) -> list[str]:
    return [sys.executable, "-W", "ignore", str(HERE / "analyst_baseline.py"), str(folder)]


def _print_table(rows: list[tuple[str, dict[str, Any], float | None]], n: int) -> None:
    """One row a method: in process (after a warm-up) and as the whole command."""
    batch, batch_whole = rows[0][1], rows[0][2] or 1.0
    print(f"{'':<52} {'---- in process ----':>22}   {'-- whole command --':>22}")
    print(f"{'method':<52} {'s':>7} {'wb/s':>6} {'× slower':>8}   {'s':>7} {'wb/s':>6} "
          f"{'× slower':>8}  {'peak RSS':>8} {'workers':>8}")
    print("-" * 133)
    for label, row, whole in rows:
        rate = _rate(row)
        inside = f"{row['files'] / rate:>7.2f} {rate:>6.1f} {_rate(batch) / rate:>8.2f}"
        outside = (f"{'—':>7} {'—':>6} {'—':>8}" if whole is None else
                   f"{whole:>7.2f} {n / whole:>6.1f} {whole / batch_whole:>8.2f}")
        print(f"{label:<52} {inside}   {outside}  {_mib(row['rss_self_kb']):>8} "
              f"{_mib(row['rss_children_kb']):>8}")


def _hostile(work: Path, jobs: int | None, sample: int | None) -> dict[str, Any]:
    # The corpus is test tooling, kept with the tests rather than installed with the package.
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from hostile import check_batch, write_corpus

    corpus = work / "hostile"
    if corpus.exists():
        shutil.rmtree(corpus)
    written = write_corpus(corpus, sample=sample)
    start = time.perf_counter()
    report = check_batch(corpus, work / "hostile-out", jobs=jobs, timeout=30.0,
                         entries=written)
    return {"files": len(written), "seconds": time.perf_counter() - start, **report}


def _demo_race(work: Path, outs: Path, rounds: int, jobs: int | None) -> dict[str, Any]:
    """`xl-localism batch` and the analyst's script on the demo's submissions, whole commands,
    alternated ``rounds`` times: the batch, start-up included, must be the faster."""
    from xl_localism.demo import write_national_submissions

    folder = work / "demo" / "submissions"
    if not folder.exists():
        write_national_submissions(folder)
    files = sum(1 for p in folder.rglob("*") if p.is_file())
    batch, analyst = [], []
    for _ in range(rounds):
        batch.append(_command(_batch_command(folder, jobs), outs / "demo-batch"))
        analyst.append(_command(_analyst_command(folder), outs / "demo-analyst"))
    figures = {"files": files, "batch_s": batch, "analyst_s": analyst,
               "batch_median_s": statistics.median(batch),
               "analyst_median_s": statistics.median(analyst)}
    ratio = figures["analyst_median_s"] / figures["batch_median_s"]
    print(f"\nThe demo's submissions ({files} files, {folder}), whole commands, {rounds} rounds "
          "alternated")
    print(f"  xl-localism batch:  median {figures['batch_median_s']:.2f} s "
          f"({', '.join(f'{t:.2f}' for t in batch)})")
    print(f"  analyst's script:   median {figures['analyst_median_s']:.2f} s "
          f"({', '.join(f'{t:.2f}' for t in analyst)})")
    print(f"  the batch, start-up included, is {ratio:.2f} × as fast as the analyst's script: "
          f"{'met' if ratio > 1 else 'NOT met'} (target: faster; the batch also validates, "
          "scores, flags and writes the national report)")
    return figures


def _growth(master: list[Path], root: Path, work: Path, outs: Path, counts: list[int],
            jobs: int | None, known: dict[int, dict[str, Any]]) -> list[dict[str, Any]]:
    """The batch (in process, all cores) at each N: time and the parent's peak RSS."""
    rows = []
    for count in counts:
        row = known.get(count) or _run_child(
            "batch", _subset(master, root, count, work / f"set-{count}"),
            outs / f"batch-{count}", jobs)
        rows.append({"n": count, "seconds": row["seconds"], "rss_kb": row["rss_self_kb"],
                     "worker_kb": row["rss_children_kb"]})
    print("\nThe batch's memory as N grows (in process, all cores; peak RSS, the parent's and "
          "its largest worker's)")
    print(f"{'N':>7} {'seconds':>8} {'wb/s':>7} {'parent':>9} {'KiB/file since previous':>24} "
          f"{'worker':>8}")
    previous = None
    for row in rows:
        per_file = ("" if previous is None else
                    f"{(row['rss_kb'] - previous['rss_kb']) / (row['n'] - previous['n']):.1f}")
        print(f"{row['n']:>7} {row['seconds']:>8.2f} {row['n'] / row['seconds']:>7.1f} "
              f"{_mib(row['rss_kb']):>9} {per_file:>24} {_mib(row['worker_kb']):>8}")
        previous = row
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=200, help="submissions (default 200)")
    parser.add_argument("--quick", action="store_true",
                        help="a smoke run: 20 submissions, memory at 20 and 200, 1 demo round")
    parser.add_argument("--jobs", type=int, default=None, help="worker processes (all cores)")
    parser.add_argument("--lo-files", type=int, default=20,
                        help="workbooks LibreOffice converts (its rate is extrapolated to N)")
    parser.add_argument("--growth", default=None,
                        help="the Ns at which the batch's memory is measured (default 200,2000)")
    parser.add_argument("--rounds", type=int, default=None,
                        help="rounds of the batch against the analyst's script on the demo's "
                             "submissions (default 5)")
    parser.add_argument("--work", type=Path, default=None,
                        help="folder for the generated files (kept and reused between runs)")
    parser.add_argument("--no-hostile", action="store_true", help="skip the hostile corpus")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--dir", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        print(json.dumps(_child(args.child, args.dir, args.out, args.jobs)))
        return 0

    from generate import write_submissions

    n = 20 if args.quick else args.n
    growth = sorted({int(c) for c in (args.growth or ("20,200" if args.quick else
                                                      "200,2000")).split(",")})
    rounds = args.rounds or (1 if args.quick else 5)
    lo_files = min(args.lo_files, n, 5 if args.quick else args.lo_files)
    work = args.work or Path(tempfile.gettempdir()) / "xl-localism-bench"
    work.mkdir(parents=True, exist_ok=True)
    machine = _machine()
    print("Machine: " + "; ".join(f"{k} {v}" for k, v in machine.items()))

    start = time.perf_counter()
    total = max(n, *growth)
    master_root = work / f"submissions-{total}"
    master = write_submissions(master_root, total)
    print(f"Generated {len(master)} submissions in {time.perf_counter() - start:.1f} s "
          f"({master_root})\n")
    main_set = _subset(master, master_root, n, work / f"set-{n}")
    outs = work / "out"

    figures: dict[str, Any] = {"machine": machine, "n": n}
    batch = _run_child("batch", main_set, outs / "batch", args.jobs)
    batch_whole = _command(_batch_command(main_set, args.jobs), outs / "batch-whole")
    batch1 = _run_child("batch", main_set, outs / "batch1", 1)
    batch1_whole = _command(_batch_command(main_set, 1), outs / "batch1-whole")
    analyst = _run_child("analyst", main_set, outs / "analyst")
    analyst_whole = _command(_analyst_command(main_set), outs / "analyst-whole")
    naive = _run_child("naive", main_set, outs / "naive")
    read_score = _run_child("read_score", main_set, outs / "read_score")
    floor_row = _run_child("floor", main_set, outs / "floor")
    rows: list[tuple[str, dict[str, Any], float | None]] = [
        (f"xl-localism batch, all cores ({os.cpu_count()})", batch, batch_whole),
        ("xl-localism batch, one worker", batch1, batch1_whole),
        ("analyst's script: read_excel + openpyxl, no score", analyst, analyst_whole),
        ("naive: read_excel per sheet, same engine, openpyxl", naive, None)]
    office = None
    if shutil.which("soffice"):
        lo_set = _subset(master, master_root, lo_files, work / f"set-{lo_files}")
        office = _run_child("libreoffice", lo_set, outs / "libreoffice")
        # Start-up included: one LibreOffice run over all N, its start-up paid once.
        office_whole = office["startup_seconds"] + (n - 1) * office["per_workbook_seconds"]
        rows.append((f"LibreOffice open+recalc+save ({lo_files} files, extrapolated)", office,
                     office_whole))
    rows += [("xl-localism read + score only, one process", read_score, None),
             ("floor: unzip + parse input-sheet XML, one process", floor_row, None)]
    print(f"{n} submissions. '× slower': the method's time ÷ the xl-localism batch's (all "
          "cores), in process and as whole commands")
    _print_table(rows, n)

    agree = sum(1 for k, v in naive["scores"].items() if batch["scores"].get(k) == v)
    print(f"\nSame scores from the naive pipeline and xl-localism: {agree} of {batch['scored']}")
    if office:
        print(f"LibreOffice: start-up {office['startup_seconds']:.1f} s; {lo_files} workbooks in "
              f"{office['all_seconds']:.1f} s, {office['per_workbook_seconds']:.3f} s each after "
              "start-up. A reported figure, not a target.")
    print(f"Read + score ÷ the floor: {read_score['seconds'] / floor_row['seconds']:.2f} ×")

    demo = _demo_race(work, outs, rounds, args.jobs)
    growth_rows = _growth(master, master_root, work, outs, growth, args.jobs, {n: batch})
    figures.update({
        "batch": batch, "batch_whole_s": batch_whole, "batch_one_worker": batch1,
        "batch_one_worker_whole_s": batch1_whole, "analyst": analyst,
        "analyst_whole_s": analyst_whole, "naive": naive, "libreoffice": office,
        "read_score": read_score, "floor": floor_row, "demo": demo, "growth": growth_rows})

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
