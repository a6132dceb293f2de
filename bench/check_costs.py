"""What grader adds to a notebook beyond the student's code and the checks' own work.

    .venv/bin/python bench/check_costs.py [--students 9] [--jobs 2] [--assignments all]

Grades the demo cohort (``bench/cohort.py``'s well-behaved students; every assignment with
``--assignments all``, else the first four) with ``grader grade NAME DIR --jobs N --force``,
checks every score against ``examples/cohort/expected.json``, and prints, per assignment, the
median over its gradable notebooks of each stage of the results' ``timings`` (seconds):

* ``start``: what the notebook waited for its kernel: with warm kernels, taking a spare
  started while the last notebook ran and filling its home (the spare's own start, a fork of
  the zygote, its confinement and its first answer, ran off the notebook's path: it is not
  in these columns; ``bench/notebook_cost.py`` counts it, with everything else, in CPU);
* ``execute``: running the notebook's cells (the student's code, and nbclient's messaging);
* the checks stage, split (``grader/checks/runner.py: CHECK_STAGES``): ``handover`` (forking
  the check worker from its fork server, the job and the results across its pipe),
  ``pytest`` (pytest's own start, collection, fixtures and reports), ``bridge`` (each ``nb``
  request's plumbing: messages to the kernel and back, decoding), ``kernel`` (the kernel
  executing requests: the student's functions called, the helper encoding values) and
  ``own`` (the checks' own computation);
* ``shutdown``: stopping the kernel.

``overhead`` is what grader adds that is neither the student's code nor the checks' work:
start + handover + pytest + bridge + shutdown (``execute`` is left out whole: nbclient's
per-cell messaging is not separated from the student's code). The issue's target is at most
0.15 s a notebook. This benchmark stores no baseline: it is a profile, not a race.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import baseline
import cohort as demo_cohort

ROOT = baseline.ROOT
STAGES = (
    ("start", "start"),
    ("execute", "execute"),
    ("handover", "checks_handover"),
    ("pytest", "checks_pytest"),
    ("bridge", "checks_bridge"),
    ("kernel", "checks_kernel"),
    ("own", "checks_own"),
    ("shutdown", "shutdown"),
)
GRADER = Path(sys.executable).with_name("grader")
"""The ``grader`` command, as users run it (not ``python -m grader``: a check worker of the
script runs it again as it starts, so what the script imports counts)."""
OVERHEAD = ("start", "checks_handover", "checks_pytest", "checks_bridge", "shutdown")


def grade(assignment: str, folder: Path, out: Path, jobs: int) -> list[dict[str, Any]]:
    done = baseline.run_checked(
        [str(GRADER), "grade", assignment, str(folder), "--jobs", str(jobs),
         "--force", "--format", "json", "--output", str(out)],
        f"grader on {assignment}", cwd=ROOT, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    results: list[dict[str, Any]] = json.loads(done.stdout)
    demo_cohort.check_results(results, assignment, folder, "grader")
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=len(demo_cohort.STUDENTS))
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--assignments", choices=("four", "all"), default="all")
    args = parser.parse_args()
    students = demo_cohort.STUDENTS[: max(1, args.students)]
    names = (
        sorted(p.name for p in (ROOT / "solutions").iterdir() if (p / "assignment.toml").is_file())
        if args.assignments == "all"
        else list(demo_cohort.ASSIGNMENTS)
    )
    header = "".join(f"{label:>9}" for label, _ in STAGES)
    print(f"{'assignment':<24}{header}{'overhead':>10}  (medians, seconds a notebook)")
    overheads = []
    with tempfile.TemporaryDirectory(prefix="bench-check-costs-") as tmp:
        for name in names:
            folder = demo_cohort.submissions(Path(tmp) / "cohort" / name, name, students)
            results = [r for r in grade(name, folder, Path(tmp) / "out" / name, args.jobs)
                       if r["gradable"] and r["kernels"]]  # fmt: skip
            med = {key: statistics.median(r["timings"].get(key, 0.0) for r in results)
                   for _, key in STAGES}  # fmt: skip
            overhead = statistics.median(
                sum(r["timings"].get(key, 0.0) for key in OVERHEAD) for r in results
            )
            overheads.append(overhead)
            cells = "".join(f"{med[key]:>9.3f}" for _, key in STAGES)
            print(f"{name:<24}{cells}{overhead:>10.3f}", flush=True)
            shutil.rmtree(Path(tmp) / "out" / name, ignore_errors=True)
    middle = statistics.median(overheads)
    print(f"\noverhead a notebook, median over assignments: {middle:.3f} s (target <= 0.15);"
          f" --jobs {args.jobs}, load average {os.getloadavg()[0]:.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
