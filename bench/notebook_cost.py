"""What one more notebook costs grader, in CPU and in wall, when the notebook does nearly nothing.

    .venv/bin/python bench/notebook_cost.py [--small 4] [--big 28] [--jobs 2] [--repeat 3]

Grades copies of ``tests/fixtures/notebooks/mini/correct.ipynb`` (four short cells: a small
CSV read with pandas, two one-line functions; eight small checks), a batch of ``--small``
copies and one of ``--big``, and divides the differences by the difference in copies: what
each more notebook costs, with a run's fixed cost (its start-up, the zygote's and the check
fork server's imports, the reports) taken out. What is left is grader's own work for a
notebook (a kernel started, confined and stopped, nbclient's messages, a check worker, pytest,
the bridge, scoring and writing the result): the student's code and the checks here cost a
few milliseconds.

CPU is the whole machine's (``/proc/stat``: user, nice, system, irq and softirq time), so the
kernels, their zygote and the check workers count wherever and whenever they run (a kernel
started before its notebook, too); keep the machine quiet. Wall is the batch's, at
``--jobs``: at 2 jobs on 2 cores, a notebook's wall is about half its CPU when the machine is
kept busy.

Side by side, the same batches with cold kernels (``--kernels cold``: a new Python and
ipykernel a notebook, importing numpy and pandas each time) as the baseline; runs alternate
and each figure is the median over ``--repeat``. Ratios: warm / cold per-notebook CPU and wall.
Every copy must get full marks (else exit 3).

``--against REV`` also grades with the grader of git revision REV (checked out in a temporary
worktree, imported from there, same venv, notebook and course), warm kernels, in turn with the
others, and prints this checkout's per-notebook CPU and wall over REV's: what a change did,
measured side by side (the machine's CPU moves by 10-15% from one run to the next). Not with
a baseline's options (its ratios are warm / cold).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import baseline

ROOT = baseline.ROOT
NOTEBOOK = ROOT / "tests" / "fixtures" / "notebooks" / "mini" / "correct.ipynb"
COURSE = ROOT / "tests" / "fixtures" / "course"
GRADER = Path(sys.executable).with_name("grader")
TOLERANCE = 0.25
QUIET_NOTE = (
    "Measured on a 2-core machine running nothing but the benchmark: CPU is the whole "
    "machine's, so anything else running counts as the notebooks' (check the load averages)."
)


def machine_cpu() -> float:
    """CPU seconds the whole machine has spent working since boot."""
    with open("/proc/stat") as stat:
        fields = [int(x) for x in stat.readline().split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq = fields[:7]
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


def batch(
    folder: Path, copies: int, kernels: str, jobs: int, out: Path, code: Path = ROOT
) -> tuple[float, float]:
    """Grade ``copies`` copies of the notebook: the machine's CPU seconds and the wall.

    ``code``: the checkout whose ``grader`` package runs (this one, or ``--against``'s).
    """
    cohort = folder / f"copies-{copies}"
    if not cohort.exists():
        cohort.mkdir(parents=True)
        for i in range(copies):
            shutil.copy(NOTEBOOK, cohort / f"student-{i:03d}.ipynb")
    cpu, started = machine_cpu(), time.monotonic()
    done = baseline.run_checked(
        [str(GRADER), "--course", str(COURSE), "grade", "mini", str(cohort), "--jobs", str(jobs),
         "--kernels", kernels, "--force", "--format", "json", "--output", str(out)],
        f"grader --kernels {kernels}", cwd=ROOT, stdin=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(code)} if code != ROOT else None,
    )  # fmt: skip
    cpu, wall = machine_cpu() - cpu, time.monotonic() - started
    results = json.loads(done.stdout)
    wrong = [r["student"] for r in results if not r["gradable"] or r["total"] != r["possible"]]
    if len(results) != copies or wrong:
        raise baseline.fail(f"{len(results)} results for {copies} copies of a correct notebook;"
                            f" not full marks: {wrong[:10]}")  # fmt: skip
    return cpu, wall


@contextlib.contextmanager
def other_checkout(rev: str | None, where: Path) -> Iterator[Path]:
    """Git revision ``rev`` of this repository checked out at ``where`` (a worktree), if any."""
    if rev is None:
        yield ROOT
        return
    baseline.run_checked(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(where), rev],
                         f"checking out {rev}")  # fmt: skip
    try:
        yield where
    finally:
        subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(where)],
                       check=False, capture_output=True)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=4)
    parser.add_argument("--big", type=int, default=28)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--against", metavar="REV", help="also grade with git revision REV's grader, and compare"
    )
    baseline.add_arguments(parser)
    args = parser.parse_args()
    if args.big <= args.small:
        parser.error("--big must be larger than --small")
    if args.against and (args.write_baseline or args.add_run or args.check):
        parser.error("--against compares two revisions; the baseline's ratios are warm / cold")
    settings = {"small": args.small, "big": args.big, "jobs": args.jobs, "repeat": args.repeat}
    bench = baseline.Run("notebook_cost", args, settings)
    more = args.big - args.small
    # What each label grades with: its kernels, and whether with --against's checkout.
    kinds = {"warm": ("warm", False), "cold": ("cold", False)}
    if args.against:
        kinds[f"warm, at {args.against},"] = ("warm", True)
    labels = list(kinds)
    slopes: dict[str, list[tuple[float, float]]] = {k: [] for k in labels}
    fixed: dict[str, list[tuple[float, float]]] = {k: [] for k in labels}
    with tempfile.TemporaryDirectory(prefix="bench-notebook-cost-") as tmp:
        with other_checkout(args.against, Path(tmp) / "against") as other:
            for run in range(args.repeat):
                for kind in labels[run % len(labels) :] + labels[: run % len(labels)]:
                    kernels, theirs = kinds[kind]
                    code = other if theirs else ROOT
                    out = Path(tmp) / "out"
                    small = batch(Path(tmp), args.small, kernels, args.jobs, out, code)
                    big = batch(Path(tmp), args.big, kernels, args.jobs, out, code)
                    slopes[kind].append(((big[0] - small[0]) / more, (big[1] - small[1]) / more))
                    fixed[kind].append(small)
    per = {k: (statistics.median(c for c, _ in v), statistics.median(w for _, w in v))
           for k, v in slopes.items()}  # fmt: skip
    print(
        f"one more notebook, --jobs {args.jobs} (medians of {args.repeat}; "
        f"{args.small} and {args.big} copies):"
    )
    for kernels, (cpu, wall) in per.items():
        runs = ", ".join(f"{c * 1000:.0f}/{w * 1000:.0f}" for c, w in slopes[kernels])
        small_cpu = statistics.median(c for c, _ in fixed[kernels])
        small_wall = statistics.median(w for _, w in fixed[kernels])
        print(f"  {kernels} kernels: CPU {cpu * 1000:.0f} ms, wall {wall * 1000:.0f} ms "
              f"(runs, CPU/wall ms: {runs}); a batch of {args.small}: CPU {small_cpu:.2f} s, "
              f"wall {small_wall:.2f} s")  # fmt: skip
    if args.against:
        this, then = per["warm"], per[labels[-1]]
        print(f"this checkout / {args.against}, warm kernels: CPU a notebook "
              f"{this[0] / then[0]:.3f}, wall {this[1] / then[1]:.3f} "
              "(lower is better)")  # fmt: skip
    ratios = [
        baseline.Ratio("warm/cold CPU a notebook", per["warm"][0] / per["cold"][0], "higher",
                       TOLERANCE, "the machine's CPU one more notebook costs, warm kernels "
                       "over cold"),
        baseline.Ratio("warm/cold wall a notebook", per["warm"][1] / per["cold"][1], "higher",
                       TOLERANCE, "the batch's wall one more notebook costs, warm over cold"),
    ]  # fmt: skip
    bench.finish(ratios, f"{args.small} and {args.big} copies of the mini notebook", QUIET_NOTE)


if __name__ == "__main__":
    main()
