"""The grader's memory while it grades a large cohort: flat, or growing with cohort size?

    .venv/bin/python bench/memory.py [--students 500] [--jobs 2]

Builds a cohort of N copies of a small notebook (tests/fixtures/notebooks/mini/correct.ipynb,
each with its own student name) and grades it with the real CLI, sampling the resident memory
of the grader process (the CLI, not its kernels or check workers, which live and die per
submission) every half second, and of the warm-kernel zygote (one per batch, which forks
every kernel). Prints the peaks after each tenth of the cohort: a flat column means memory
does not grow with the number of submissions. Not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "tests" / "fixtures" / "notebooks" / "mini" / "correct.ipynb"
COURSE = ROOT / "tests" / "fixtures" / "course"


def rss_mib(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _cmdline(pid: str) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def zygote_pid() -> int | None:
    """The zygote: the process bubblewrap runs with the zygote's source (kernels are its forks)."""
    for entry in Path("/proc").iterdir():
        argv = _cmdline(entry.name)
        if b"warm-kernel zygote" not in argv or argv.split(b"\0")[0].endswith(b"bwrap"):
            continue  # bubblewrap's own command line carries the zygote's too
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parent = stat.rsplit(")", 1)[1].split()[1]
        if _cmdline(parent).split(b"\0")[0].endswith(b"bwrap"):
            return int(entry.name)
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=500)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        cohort = Path(tmp) / "cohort"
        cohort.mkdir()
        for i in range(args.students):
            shutil.copy(NOTEBOOK, cohort / f"student-{i:04d}.ipynb")
        log = Path(tmp) / "progress.log"
        started = time.monotonic()
        with log.open("w") as err:
            grader = subprocess.Popen(
                [sys.executable, "-m", "grader", "--course", str(COURSE), "grade", "mini",
                 str(cohort), "--jobs", str(args.jobs), "--output", str(Path(tmp) / "out")],
                stdout=subprocess.DEVNULL, stderr=err, cwd=ROOT,
            )  # fmt: skip
            peaks: dict[int, float] = {}
            zygote_peaks: dict[int, float] = {}
            zygote = None
            while grader.poll() is None:
                done = sum(1 for _ in log.open()) if log.exists() else 0
                tenth = min(10, done * 10 // args.students)
                peaks[tenth] = max(peaks.get(tenth, 0.0), rss_mib(grader.pid))
                zygote = zygote or zygote_pid()
                if zygote is not None:
                    zygote_peaks[tenth] = max(zygote_peaks.get(tenth, 0.0), rss_mib(zygote))
                time.sleep(0.5)
        elapsed = time.monotonic() - started
    print(f"{args.students} notebooks, --jobs {args.jobs}: {elapsed:.0f} s "
          f"({elapsed / args.students:.2f} s a notebook)")  # fmt: skip
    print("graded so far   peak RSS (MiB): grader   zygote")
    for tenth in sorted(peaks):
        print(f"{tenth * 10:>12}%   {peaks[tenth]:20.1f} {zygote_peaks.get(tenth, 0.0):8.1f}")


if __name__ == "__main__":
    main()
