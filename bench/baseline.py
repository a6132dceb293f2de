"""What every benchmark shares: its ratios, their stored baseline, and failing loudly.

A benchmark measures seconds (or MiB) but judges itself by RATIOS of them (grader to plain
Python, bubblewrap to limits only, the last tenth of a cohort to the first), which change far
less from one machine, or one busy minute, to the next. Each benchmark ends with
:func:`finish`, which prints its ratios and, by the command-line flags :func:`add_arguments`
adds:

* ``--write-baseline``: stores them in ``bench/baselines/<benchmark>.json`` with the date, the
  commit, the machine (cores, CPU, memory, load), the command that reproduces them and each
  ratio's tolerance and the direction that is a regression;
* ``--add-run``: adds this run to that baseline (same settings only): each ratio's baseline
  becomes the median of the runs, and its spread across them is stored beside its tolerance;
* ``--check``: compares this run with the baseline and exits 1 listing every ratio that is
  worse than its baseline by more than its tolerance (relative: 0.25 lets a "higher is worse"
  ratio of 1.00 reach 1.25).

Exit codes: 0 done (no regression), 1 a regression (``--check``), 2 usage, or a baseline
measured with other settings, 3 a contender failed or gave wrong results (:func:`fail`): a
crashed contender never makes a benchmark look fast.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shlex
import statistics
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

ROOT = Path(__file__).resolve().parent.parent
BASELINES = ROOT / "bench" / "baselines"
LOADED_NOTE = (
    "Measured on a shared 2-core machine with another engineer's test suite running beside "
    "it: ratios measured on a loaded machine are noisier, so these tolerances are wider than "
    "a quiet machine (or a dedicated CI runner) needs; tighten them after re-measuring there."
)


@dataclass(frozen=True)
class Ratio:
    """One measured ratio and how to judge a later run of it."""

    name: str
    value: float
    worse: Literal["higher", "lower"]
    """Which direction is a regression."""
    tolerance: float
    """How far (relative to the baseline) a later run may move in the ``worse`` direction."""
    what: str
    """What the ratio divides by what."""


class ContenderFailed(SystemExit):
    """A contender crashed, exited non-zero, or gave results other than the expected ones."""


def fail(message: str) -> ContenderFailed:
    """The exception that stops a benchmark whose contender failed: ``raise fail(...)``."""
    print(f"BENCHMARK FAILED: {message}", file=sys.stderr, flush=True)
    return ContenderFailed(3)


def run_checked(
    cmd: Sequence[str], what: str, ok: Sequence[int] = (0,), **kwargs: Any
) -> subprocess.CompletedProcess[str]:
    """Run a contender's command, capturing its output; fail loudly unless it exits in ``ok``."""
    done = subprocess.run(list(cmd), capture_output=True, text=True, check=False, **kwargs)
    if done.returncode not in ok:
        tail = (done.stdout[-1500:] + "\n" + done.stderr[-3000:]).strip()
        raise fail(f"{what} exited {done.returncode}: {shlex.join(cmd)}\n{tail}")
    return done


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "--write-baseline",
        action="store_true",
        help="store this run's ratios as bench/baselines/<benchmark>.json",
    )
    group.add_argument(
        "--add-run",
        action="store_true",
        help="add this run to the stored baseline (median of the runs)",
    )
    group.add_argument(
        "--check", action="store_true", help="exit 1 if a ratio regressed beyond its tolerance"
    )
    parser.add_argument("--baseline", type=Path, help="default: bench/baselines/<benchmark>.json")


def machine() -> dict[str, Any]:
    """Facts about this machine that change what a benchmark measures."""
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        memory = round(pages / 2**30, 1)
    except (OSError, ValueError):
        memory = 0.0
    return {
        "cores": os.cpu_count(),
        "cpu": cpu,
        "memory_gib": memory,
        "python": platform.python_version(),
        "system": platform.platform(),
        "bwrap": _version(["bwrap", "--version"]),
    }


def _version(cmd: list[str]) -> str:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, check=False).stdout.strip()
    except OSError:
        return "not installed"


def _commit() -> dict[str, Any]:
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], capture_output=True, text=True, cwd=ROOT, check=False
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    ).stdout
    return {"commit": head, "uncommitted_changes": bool(dirty.strip())}


def command(benchmark: str, argv: Sequence[str] | None = None) -> str:
    """The command that reproduces this run (without the baseline flags)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    kept = []
    skip = False
    for arg in argv:
        if skip:
            skip = False
            continue
        if arg in ("--write-baseline", "--add-run", "--check"):
            continue
        if arg == "--baseline":
            skip = True
            continue
        if arg.startswith("--baseline="):
            continue
        kept.append(arg)
    return shlex.join([".venv/bin/python", f"bench/{benchmark}.py", *kept])


class Run:
    """One benchmark run: call :meth:`finish` with its ratios at the end."""

    def __init__(self, benchmark: str, args: argparse.Namespace, settings: dict[str, Any]):
        self.benchmark = benchmark
        self.args = args
        self.settings = settings
        self.path: Path = args.baseline or BASELINES / f"{benchmark}.json"
        self.started = dt.datetime.now(dt.UTC)
        self.load_before = round(os.getloadavg()[0], 2)
        cores = os.cpu_count() or 1
        if self.load_before > cores:
            print(
                f"note: load average {self.load_before} on {cores} cores: the machine is busy,"
                " ratios will be noisier than usual",
                file=sys.stderr,
            )
        if args.check or args.add_run:
            self.stored = self._load()

    def _load(self) -> dict[str, Any]:
        if not self.path.exists():
            print(f"no baseline at {self.path}: run with --write-baseline first", file=sys.stderr)
            raise SystemExit(2)
        stored: dict[str, Any] = json.loads(self.path.read_text(encoding="utf-8"))
        if stored.get("settings") != self.settings:
            old = stored.get("settings") or {}
            differ = ", ".join(
                f"{k}: {old.get(k, '(not set)')} there, {self.settings.get(k, '(not set)')} here"
                for k in sorted(set(old) | set(self.settings), key=str)
                if old.get(k, "(not set)") != self.settings.get(k, "(not set)")
            )
            print(
                f"{self.path} was measured with {old}, this run uses "
                f"{self.settings}: not comparable ({differ}); the baseline's command was\n"
                f"  {stored.get('command')} --check",
                file=sys.stderr,
            )
            raise SystemExit(2)
        return stored

    def _run_facts(self) -> dict[str, Any]:
        return {
            "date": self.started.strftime("%Y-%m-%d %H:%M UTC"),
            **_commit(),
            "seconds": round((dt.datetime.now(dt.UTC) - self.started).total_seconds(), 1),
            "load_average_before": self.load_before,
            "load_average_after": round(os.getloadavg()[0], 2),
        }

    def finish(self, ratios: list[Ratio], size: str, note: str = LOADED_NOTE) -> None:
        """Print the ratios; write, extend or check the baseline as the flags say.

        ``size``: what was measured (sizes, rounds); ``note``: how to read the tolerances.
        """
        print(f"\nratios ({self.benchmark}, {size}):")
        for r in ratios:
            arrow = "lower is better" if r.worse == "higher" else "higher is better"
            print(f"  {r.name:<34}{r.value:>8.3f}   {arrow}; {r.what}")
        if self.args.write_baseline:
            self._write(ratios, size, note)
        elif self.args.add_run:
            self._add(ratios)
        elif self.args.check:
            self._check(ratios)

    def _write(self, ratios: list[Ratio], size: str, note: str) -> None:
        doc = {
            "benchmark": self.benchmark,
            "command": command(self.benchmark),
            "check": command(self.benchmark) + " --check",
            "settings": self.settings,
            "size": size,
            "machine": machine(),
            "note": note,
            "runs": [self._run_facts()],
            "ratios": {
                r.name: {
                    "value": round(r.value, 4),
                    "runs": [round(r.value, 4)],
                    "spread": 0.0,
                    "tolerance": r.tolerance,
                    "worse": r.worse,
                    "what": r.what,
                }
                for r in ratios
            },
        }
        self._save(doc)

    def _add(self, ratios: list[Ratio]) -> None:
        doc = self.stored
        doc["runs"].append(self._run_facts())
        for r in ratios:
            entry = doc["ratios"].setdefault(
                r.name, {"runs": [], "tolerance": r.tolerance, "worse": r.worse, "what": r.what}
            )
            entry["runs"].append(round(r.value, 4))
            entry["value"] = round(statistics.median(entry["runs"]), 4)
            low, high = min(entry["runs"]), max(entry["runs"])
            entry["spread"] = round((high - low) / entry["value"], 4) if entry["value"] else 0.0
            entry["tolerance"] = r.tolerance  # the benchmark's current choice
            if entry["spread"] > r.tolerance / 2:
                print(
                    f"warning: {r.name} spread {entry['spread']:.3f} across runs is more than"
                    f" half its tolerance {r.tolerance}",
                    file=sys.stderr,
                )
        self._save(doc)

    def _save(self, doc: dict[str, Any]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
        print(f"baseline: {self.path} ({len(doc['runs'])} run(s))")

    def _check(self, ratios: list[Ratio]) -> None:
        fresh = {r.name: r for r in ratios}
        regressions, better = [], []
        for name, base in self.stored["ratios"].items():
            value, tolerance = base["value"], base["tolerance"]
            if name not in fresh:
                regressions.append(f"{name}: not measured by this run (baseline {value})")
                continue
            now = round(fresh[name].value, 4)  # as stored
            if base["worse"] == "higher":
                limit = value * (1 + tolerance)
                bad, good = now > limit, now < value * (1 - tolerance)
            else:
                limit = value * (1 - tolerance)
                bad, good = now < limit, now > value * (1 + tolerance)
            percent = (now / value - 1) * 100 if value else 0.0
            change = f"{now:.3f} vs baseline {value:.3f} ({percent:+.0f}%"
            if bad:
                regressions.append(
                    f"{name}: {change}, limit {limit:.3f}; {base['worse']} is worse)"
                )
            elif good:
                better.append(f"{name}: {change}), better than the baseline beyond its tolerance")
        facts = self.stored["runs"][-1]
        runs = len(self.stored["runs"])
        print(f"\nchecked against {self.path.name} ({facts['date']}, {runs} run(s))")
        for line in better:
            print(f"  note: {line}")
        if regressions:
            print(f"{len(regressions)} regression(s):")
            for line in regressions:
                print(f"  REGRESSION {line}")
            raise SystemExit(1)
        print(f"no regression ({len(self.stored['ratios'])} ratios within their tolerances)")
