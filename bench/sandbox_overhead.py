"""What the sandbox costs per notebook: the same submissions graded in three modes, one run.

    .venv/bin/python bench/sandbox_overhead.py [ASSIGNMENT] [--rounds N] [--check]

Grades the demo submissions of ASSIGNMENT (default linear-algebra; the students of
``cohort.STUDENTS``, 9 notebooks: the ones that wait out time limits, exhaust memory, flood
output or cannot be read are left out, as their cost is the limit's, not the sandbox's) with
``grader grade --jobs 1 --force`` in three modes:

* ``limits``: ``--sandbox off --kernels cold``: resource limits only, every kernel from scratch;
* ``bwrap``: ``--sandbox strict --kernels cold``: bubblewrap, every kernel from scratch;
* ``bwrap warm``: ``--sandbox strict --kernels warm``: bubblewrap, kernels forked from the
  batch's zygote (the default).

Each round runs the three, rotating their order so none always runs first (on a cold page
cache) or last; one job, so they see the same machine. Every run must exit 0, grade every
notebook with the score ``examples/cohort/expected.json`` gives it, and say in each result that
it ran in the mode asked for (a warm batch that fell back to cold kernels fails the run).

Prints the median per-notebook seconds of each mode, split into the grader's stages, and the
whole run's wall time; its ratios (``bench/baseline.py``) are bwrap / limits for each stage
(the sandbox's own cost, both cold) and bwrap warm / limits (what grading costs by default
against limits alone).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import baseline
import cohort

ROOT = Path(__file__).resolve().parent.parent
STAGES = ("start", "execute", "checks", "shutdown", "total")
MODES = {
    "limits": {"sandbox": "off", "kernels": "cold", "isolation": "limits"},
    "bwrap": {"sandbox": "strict", "kernels": "cold", "isolation": "bwrap"},
    "bwrap warm": {"sandbox": "strict", "kernels": "warm", "isolation": "bwrap"},
}
# Relative tolerances, from the three runs of 2026-12-04 on the loaded 2-core machine (their
# ratios are in bench/baselines/sandbox_overhead.json): the cold ratios moved by up to 20%
# (start 1.02-1.23, checks 0.92-1.09), bwrap warm/limits by 19% on the total per notebook
# (0.42-0.51) and 27% on the whole run (0.60-0.77).
TOLERANCE = {"start": 0.3, "execute": 0.25, "checks": 0.3, "shutdown": 0.5, "total": 0.2,
             "wall": 0.2}  # fmt: skip
WARM_TOLERANCE = {"total": 0.3, "wall": 0.35}


def grade(assignment: str, submissions: Path, mode: str, out: Path) -> tuple[float, list[Any]]:
    """Wall seconds of one CLI run and its results, checked against the expected scores."""
    how = MODES[mode]
    shutil.rmtree(out, ignore_errors=True)
    cmd = [sys.executable, "-m", "grader", "grade", assignment, str(submissions),
           "--format", "json", "--jobs", "1", "--force", "--output", str(out),
           "--sandbox", how["sandbox"], "--kernels", how["kernels"]]  # fmt: skip
    started = time.perf_counter()
    done = baseline.run_checked(cmd, f"grader ({mode})", cwd=ROOT)
    wall = time.perf_counter() - started
    results = json.loads(done.stdout)
    cohort.check_results(results, assignment, submissions, f"grader ({mode})")
    for r in results:
        if (r["isolation"], r["kernels"]) != (how["isolation"], how["kernels"]):
            raise baseline.fail(
                f"grader ({mode}): {r['student']} ran with isolation {r['isolation']!r} and "
                f"{r['kernels']!r} kernels, not {how['isolation']!r} and {how['kernels']!r}"
            )
    return wall, results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assignment", nargs="?", default="linear-algebra")
    parser.add_argument("--rounds", type=int, default=2)
    baseline.add_arguments(parser)
    args = parser.parse_args()
    if shutil.which("bwrap") is None:
        raise baseline.fail("bubblewrap (bwrap) is not installed: nothing to compare")
    bench = baseline.Run(
        "sandbox_overhead", args, {"assignment": args.assignment, "rounds": args.rounds}
    )
    timings: dict[str, list[dict[str, float]]] = {mode: [] for mode in MODES}
    walls: dict[str, list[float]] = {mode: [] for mode in MODES}
    with tempfile.TemporaryDirectory(prefix="bench-sandbox-") as tmp:
        submissions = cohort.submissions(Path(tmp) / "cohort", args.assignment)
        modes = list(MODES)
        for round_ in range(args.rounds):
            for mode in modes[round_ % 3 :] + modes[: round_ % 3]:
                wall, results = grade(args.assignment, submissions, mode, Path(tmp) / "out")
                print(f"round {round_ + 1}, {mode}: {wall:.1f} s", file=sys.stderr, flush=True)
                walls[mode].append(wall)
                timings[mode] += [r["timings"] for r in results if r["gradable"]]
    n = len(timings["limits"]) // args.rounds
    print(f"{args.assignment}: {n} notebooks x {args.rounds} rounds, --jobs 1, cold kernels "
          "unless warm")  # fmt: skip
    print(f"{'median s per notebook':<24}{'limits':>9}{'bwrap':>9}{'bwrap warm':>12}"
          f"{'bwrap/limits':>14}{'warm/limits':>13}")  # fmt: skip
    medians: dict[str, dict[str, float]] = {}
    for stage in STAGES:
        medians[stage] = {m: statistics.median(t[stage] for t in timings[m]) for m in MODES}
    medians["wall"] = {m: statistics.median(walls[m]) for m in MODES}
    ratios = []
    for stage, row in medians.items():
        cold, warm = row["bwrap"] / row["limits"], row["bwrap warm"] / row["limits"]
        label = "whole run (wall)" if stage == "wall" else stage
        print(f"{label:<24}{row['limits']:>9.3f}{row['bwrap']:>9.3f}{row['bwrap warm']:>12.3f}"
              f"{cold:>14.2f}{warm:>13.2f}")  # fmt: skip
        ratios.append(
            baseline.Ratio(
                f"bwrap/limits {stage}",
                cold,
                "higher",
                TOLERANCE[stage],
                f"{label}: bubblewrap over limits only, both cold kernels",
            )
        )
        if stage in ("total", "wall"):
            ratios.append(
                baseline.Ratio(
                    f"bwrap warm/limits {stage}",
                    warm,
                    "higher",
                    WARM_TOLERANCE[stage],
                    f"{label}: bubblewrap with warm kernels over limits only, cold",
                )
            )
    bench.finish(ratios, f"{args.assignment}, {n} demo notebooks x {args.rounds} rounds x 3 modes")


if __name__ == "__main__":
    main()
