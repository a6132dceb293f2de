"""The grader's memory while it grades a large cohort: flat, or growing with cohort size?

    .venv/bin/python bench/memory.py [--students 500] [--jobs 2]

Builds a cohort of N copies of a small notebook (tests/fixtures/notebooks/mini/correct.ipynb,
each with its own student name) and grades it with the real CLI, sampling the resident memory
of the grader process (the CLI, not its kernels or check workers, which live and die per
submission) every half second, and of the warm-kernel zygote (one per batch, which forks
every kernel). Prints the peaks after each tenth of the cohort: a flat column means memory
does not grow with the number of submissions.

The zygote is found by walking the grader's own process tree (see :func:`zygote_pid`: the
Python that bubblewrap runs with a ``-c`` program, not a kernel), never by words of its source;
not finding it while the results say the kernels were warm fails the run. The grader must
exit 0 and give every copy full marks. Ratios (``bench/baseline.py``): the peak of the last
tenth over the peak of the first, for the grader and for the zygote (1.0: flat).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import baseline

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "tests" / "fixtures" / "notebooks" / "mini" / "correct.ipynb"
COURSE = ROOT / "tests" / "fixtures" / "course"
# Relative: resident memory barely moves between runs; growth beyond this is a leak to look at.
TOLERANCE = 0.1


def rss_mib(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _argv(pid: int) -> list[bytes]:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return []


def _parents() -> dict[int, int]:
    """Every process's parent, now."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    return parents


def _is_bwrap(argv: list[bytes]) -> bool:
    return bool(argv) and os.path.basename(argv[0]) == b"bwrap"


def zygote_pid(grader: int) -> int | None:
    """The zygote among ``grader``'s descendants, or None before it has started.

    With warm kernels the only bubblewrap the grader starts is the zygote's; the zygote is the
    first process below it that is not bubblewrap (which runs as its own init in the new pid
    namespace): a Python given its program with ``-c``. Kernels are forks of the zygote (their
    parent is not bubblewrap); a cold kernel runs ``ipykernel_launcher``.
    """
    parents = _parents()
    children: dict[int, list[int]] = {}
    for pid, parent in parents.items():
        children.setdefault(parent, []).append(pid)
    todo = list(children.get(grader, []))
    while todo:  # breadth first: the zygote comes before its forks
        pid = todo.pop(0)
        argv = _argv(pid)
        if (
            not _is_bwrap(argv)
            and _is_bwrap(_argv(parents.get(pid, 0)))
            and b"-c" in argv[1:3]
            and b"ipykernel_launcher" not in argv
        ):
            return pid
        todo += children.get(pid, [])
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=500)
    parser.add_argument("--jobs", type=int, default=2)
    baseline.add_arguments(parser)
    args = parser.parse_args()
    bench = baseline.Run("memory", args, {"students": args.students, "jobs": args.jobs})
    with tempfile.TemporaryDirectory() as tmp:
        cohort = Path(tmp) / "cohort"
        cohort.mkdir()
        for i in range(args.students):
            shutil.copy(NOTEBOOK, cohort / f"student-{i:04d}.ipynb")
        log = Path(tmp) / "progress.log"
        output = Path(tmp) / "results.json"
        started = time.monotonic()
        cmd = [sys.executable, "-m", "grader", "--course", str(COURSE), "grade", "mini",
               str(cohort), "--jobs", str(args.jobs), "--output", str(Path(tmp) / "out"),
               "--format", "json"]  # fmt: skip
        with log.open("w") as err, output.open("w") as out:
            grader = subprocess.Popen(cmd, stdout=out, stderr=err, cwd=ROOT)
            peaks: dict[int, float] = {}
            zygote_peaks: dict[int, float] = {}
            zygote = None
            while grader.poll() is None:
                done = sum(1 for _ in log.open()) if log.exists() else 0
                tenth = min(10, done * 10 // args.students)
                peaks[tenth] = max(peaks.get(tenth, 0.0), rss_mib(grader.pid))
                zygote = zygote or zygote_pid(grader.pid)
                rss = rss_mib(zygote) if zygote is not None else 0.0
                if rss:  # 0: the zygote has not started yet, or has exited with its batch
                    zygote_peaks[tenth] = max(zygote_peaks.get(tenth, 0.0), rss)
                time.sleep(0.5)
        elapsed = time.monotonic() - started
        if grader.returncode != 0:
            raise baseline.fail(f"grader exited {grader.returncode}:\n{log.read_text()[-3000:]}")
        results = json.loads(output.read_text())
        wrong = [r["student"] for r in results if not r["gradable"] or r["total"] != r["possible"]]
        if len(results) != args.students or wrong:
            raise baseline.fail(f"{len(results)} results for {args.students} copies of a correct"
                                f" notebook; not full marks: {wrong[:10]}")  # fmt: skip
        warm = {r["kernels"] for r in results}
        if "warm" in warm and zygote is None:
            raise baseline.fail("kernels were warm, but no zygote was found among the grader's"
                                " processes: its column would read 0")  # fmt: skip
    print(f"{args.students} notebooks, --jobs {args.jobs}: {elapsed:.0f} s "
          f"({elapsed / args.students:.2f} s a notebook)")  # fmt: skip
    print("graded so far   peak RSS (MiB): grader   zygote")
    for tenth in sorted(peaks):
        z = f"{zygote_peaks[tenth]:8.1f}" if tenth in zygote_peaks else f"{'-':>8}"
        print(f"{tenth * 10:>12}%   {peaks[tenth]:20.1f} {z}")
    first, last = min(peaks), max(peaks)
    ratios = [
        baseline.Ratio("grader peak RSS last/first tenth", peaks[last] / peaks[first], "higher",
                       TOLERANCE, "the grader process's peak resident memory while the last "
                       "tenth was graded over the first tenth's (1.0: flat)"),
    ]  # fmt: skip
    if zygote_peaks:
        z_first, z_last = min(zygote_peaks), max(zygote_peaks)
        ratios.append(baseline.Ratio(
            "zygote peak RSS last/first tenth", zygote_peaks[z_last] / zygote_peaks[z_first],
            "higher", TOLERANCE, "the same for the warm-kernel zygote"))  # fmt: skip
    bench.finish(ratios, f"{args.students} copies of the mini notebook, --jobs {args.jobs}")


if __name__ == "__main__":
    main()
