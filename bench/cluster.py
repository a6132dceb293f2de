"""Grading on a Dask cluster against grading on this machine, side by side.

    .venv/bin/python bench/cluster.py [--students 13] [--repeat 1] [--write-baseline | --check]

The demo cohort's first four assignments (``bench/cohort.py``), every demo student by default
(13 students: 52 notebooks, the pathological ones included: both contenders wait out the same
time limits and meet the same memory hog), graded in one run two ways:

* **local**: ``grader grade NAME DIR --jobs 2 --force`` per assignment;
* **cluster**: the same with ``--scheduler ADDRESS`` instead of ``--jobs``, on a Dask
  ``LocalCluster`` of 2 single-threaded worker processes the benchmark starts once (a cluster
  outlives its batches: its start is timed and printed apart, not counted).

Both must exit 0 with every score of ``examples/cohort/expected.json``, and, where bubblewrap
is available, every kernel that ran must have started warm: a crash or a silent fall-back to
cold kernels never looks fast. Prints the wall seconds of each, the ratio cluster / local
(target <= 1.15), and what a notebook costs a worker on each (wall x workers / notebooks),
and the CPU seconds a notebook costs the client (the ``grader`` process that sends the
notebooks and records the results: its own CPU time, the workers' not counted), from which
``docs/performance.md`` extrapolates to bigger clusters. ``--write-baseline`` and
``--check`` store and compare the ratio (``bench/baseline.py``).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import baseline
import cohort as demo_cohort

ROOT = baseline.ROOT
ASSIGNMENTS = demo_cohort.ASSIGNMENTS
WORKERS = 2
TOLERANCE = 0.15
ALL_STUDENTS = tuple(sorted(p.name for p in demo_cohort.DEMO.iterdir() if p.is_dir()))


def run_grader(cohort: Path, out: Path, where: list[str], label: str) -> tuple[float, float]:
    """Wall seconds of ``grader grade`` over the four assignments, ``where`` saying how, and the
    CPU seconds of the ``grader`` processes themselves (on a cluster: the client's alone).

    Fails unless every run exits 0 with the expected scores, in warm kernels where they can be.
    """
    wall = 0.0
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    warm = shutil.which("bwrap") is not None
    for assignment in ASSIGNMENTS:
        dest = out / assignment
        shutil.rmtree(dest, ignore_errors=True)
        started = time.perf_counter()
        done = baseline.run_checked(
            [sys.executable, "-m", "grader", "grade", assignment, str(cohort / assignment),
             *where, "--force", "--format", "json", "--output", str(dest)],
            f"{label} on {assignment}", cwd=ROOT, stdin=subprocess.DEVNULL,
        )  # fmt: skip
        wall += time.perf_counter() - started
        got: list[dict[str, Any]] = json.loads(done.stdout)
        demo_cohort.check_results(got, assignment, cohort / assignment, label)
        cold = [r["student"] for r in got if r["kernels"] not in ("", "warm")]
        if warm and cold:
            raise baseline.fail(f"{label} on {assignment}: cold kernels for {', '.join(cold)}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--students", type=int, default=len(ALL_STUDENTS),
        help=f"demo students (1-{len(ALL_STUDENTS)}), 4 notebooks each",
    )  # fmt: skip
    parser.add_argument("--repeat", type=int, default=1, help="runs of each; medians shown")
    baseline.add_arguments(parser)
    args = parser.parse_args()
    students = ALL_STUDENTS[: max(1, min(args.students, len(ALL_STUDENTS)))]
    bench = baseline.Run("cluster", args, {"students": len(students), "repeat": args.repeat})
    n = len(students) * len(ASSIGNMENTS)

    import dask
    import distributed

    with (
        tempfile.TemporaryDirectory(prefix="bench-cluster-") as tmp,
        dask.config.set({"distributed.worker.daemon": False}),
    ):
        work = Path(tmp)
        cohort = demo_cohort.build_cohort(work, students)
        started = time.perf_counter()
        cluster = distributed.LocalCluster(
            n_workers=WORKERS, threads_per_worker=1, dashboard_address=":0", processes=True
        )
        print(f"the cluster started in {time.perf_counter() - started:.1f} s", flush=True)
        walls: dict[str, list[float]] = {"local": [], "cluster": []}
        client_cpu: list[float] = []
        try:
            for _ in range(args.repeat):  # interleaved: neither always runs on a busier machine
                for label, where in [
                    ("local", ["--jobs", str(WORKERS)]),
                    ("cluster", ["--scheduler", cluster.scheduler_address]),
                ]:
                    wall, cpu = run_grader(cohort, work / label, where, f"grader ({label})")
                    print(f"{label:<8}{wall:8.1f} s", flush=True)
                    walls[label].append(wall)
                    if label == "cluster":  # the workers are the cluster's: not counted here
                        client_cpu.append(cpu)
        finally:
            cluster.close()
    local, remote = (statistics.median(walls[k]) for k in ("local", "cluster"))
    print(f"\n{n} notebooks, {WORKERS} workers; load average {os.getloadavg()[0]:.2f}")
    for label, wall in (("local", local), ("cluster", remote)):
        print(f"  {label:<8}{wall:8.1f} s wall, {wall * WORKERS / n:6.2f} s a notebook per worker")
    client = statistics.median(client_cpu) / n
    print(
        f"  the client (the grader process, on the cluster): {client * 1000:.0f} ms of CPU a"
        " notebook, its start-up (about 1 s, once per assignment) included: an upper bound of"
        " what recording a result costs it"
    )
    ratio = baseline.Ratio(
        "cluster/local", remote / local, "higher", TOLERANCE,
        f"wall of grading on a LocalCluster of {WORKERS} single-threaded workers over "
        f"--jobs {WORKERS} on this machine, the same notebooks",
    )  # fmt: skip
    bench.finish([ratio], f"{n} notebooks ({len(students)} demo students x 4 assignments), "
                 f"median of {args.repeat} run(s)")  # fmt: skip


if __name__ == "__main__":
    main()
