"""What the sandbox costs per notebook: the same submissions graded with and without it.

    .venv/bin/python bench/sandbox_overhead.py [ASSIGNMENT] [--rounds N]

Grades every demo submission of ASSIGNMENT (default linear-algebra) once with bubblewrap
(``--sandbox=strict``) and once with resource limits only (``--sandbox=off``), alternating the
order each round so neither mode always runs on a warm page cache, with one job so the two
runs see the same machine. Prints the median per-notebook time of each mode, split into the
grader's stages, and their ratio. Not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STAGES = ("start", "execute", "checks", "total")


def grade(assignment: str, mode: str, out: Path) -> tuple[float, list[dict[str, float]]]:
    """Wall time of one CLI run and the per-submission timings it reports."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "grader", "grade", assignment, str(ROOT / "examples" / "cohort"),
         "--format", "json", "--jobs", "1", "--sandbox", mode, "--output", str(out)],
        capture_output=True, text=True, check=True, cwd=ROOT,
    )  # fmt: skip
    wall = time.perf_counter() - started
    results = [r for r in json.loads(done.stdout) if r["gradable"]]
    return wall, [r["timings"] for r in results]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assignment", nargs="?", default="linear-algebra")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    per_mode: dict[str, list[dict[str, float]]] = {"strict": [], "off": []}
    walls: dict[str, list[float]] = {"strict": [], "off": []}
    with tempfile.TemporaryDirectory() as tmp:
        for round_ in range(args.rounds):
            order = ["strict", "off"] if round_ % 2 == 0 else ["off", "strict"]
            for mode in order:
                wall, timings = grade(args.assignment, mode, Path(tmp) / mode)
                walls[mode].append(wall)
                per_mode[mode] += timings
    n = len(per_mode["strict"]) // args.rounds
    print(f"{args.assignment}: {n} gradable notebooks x {args.rounds} rounds, one job")
    print(f"{'median seconds per notebook':<28}{'bwrap':>9}{'limits only':>13}{'ratio':>8}")
    for stage in STAGES:
        a = statistics.median(t.get(stage, 0.0) for t in per_mode["strict"])
        b = statistics.median(t.get(stage, 0.0) for t in per_mode["off"])
        print(f"{stage:<28}{a:>9.3f}{b:>13.3f}{a / b if b else float('nan'):>8.2f}")
    a, b = statistics.median(walls["strict"]), statistics.median(walls["off"])
    print(f"{'whole run (wall)':<28}{a:>9.2f}{b:>13.2f}{a / b:>8.2f}")


if __name__ == "__main__":
    main()
