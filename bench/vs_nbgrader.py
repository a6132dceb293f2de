"""Grading a cohort three ways, side by side: grader, nbgrader, and plain Python.

    .venv/bin/python bench/vs_nbgrader.py [--students 9] [--repeat 1] [--skip-nbgrader]

Builds a cohort from the demo cohort (``examples/cohort/``): the first N of the students below,
each with the four assignments (9 students: 36 notebooks). The pathological students are left
out for all three contenders alike: ``jack-infinite-loop`` (waits out 30 s time limits),
``kim-memory-hog`` (allocates tens of GiB: nbgrader has no memory limit), ``leo-huge-output``
(megabytes of output) and ``mia-empty`` (unreadable files). Then, in one run:

* **grader**: ``grader grade NAME DIR --jobs 2 --force`` per assignment, each into a fresh
  output folder; wall clock of the four runs added up, and the per-stage split from the
  ``timings`` of the JSON results (medians over the gradable notebooks).
* **nbgrader**: installed from the package registry into its own venv
  (``bench/.venvs/nbgrader``, made on first use); a course whose ``source/NAME/NAME.ipynb``
  ends with one locked cell that runs the same public and hidden pytest checks in the kernel
  (``bench/plain_run.py``'s in-process runner) and one nbgrader grade cell per question that
  asserts its checks passed; ``nbgrader generate_assignment``, every student's cells followed
  by the released grade cells copied to ``submitted/STUDENT/NAME/``, and ``nbgrader
  autograde NAME --force`` timed (nbgrader grades one notebook at a time). Its kernel runs the
  same Python and libraries as grader's (a ``python3`` kernelspec pointing at ``.venv``), so
  the student code and the checks do the same work.
* **plain python**: each notebook's code cells ``exec``'d in order by ``bench/plain_run.py``
  in a fresh ``python`` (a failing cell does not stop the next, as in a notebook), two at a
  time; once followed by the same checks in the same process (``+ checks``) and once with the
  student code alone (``code only``).

Prints the wall seconds of each and the ratios nbgrader/grader (target >= 2) and
grader/plain python (target <= 1.2). Not a test: timings are noisy, nothing is asserted.
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
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
PYTHON = ROOT / ".venv" / "bin" / "python"
NBGRADER_VENV = BENCH / ".venvs" / "nbgrader"
ASSIGNMENTS = ("linear-algebra", "data-wrangling", "model-training", "model-evaluation")
STUDENTS = (
    "ada-complete",
    "cara-partial",
    "dan-wrong-shapes",
    "eve-wrong-dtypes",
    "finn-hardcoded",
    "gia-unexecuted",
    "hugo-syntax-error",
    "iris-exception",
    "ben-blank",
)
STAGES = ("start", "execute", "checks", "shutdown", "total")
JOBS = 2


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def released_files(assignment: str) -> list[Path]:
    """The files a student gets beside the notebook (assignment.toml's ``release``)."""
    import tomllib

    solution = ROOT / "solutions" / assignment
    config = tomllib.loads((solution / "assignment.toml").read_text(encoding="utf-8"))
    return [solution / entry for entry in config.get("release", [])]


def copy_released(assignment: str, dest: Path) -> None:
    for src in released_files(assignment):
        target = dest / src.relative_to(ROOT / "solutions" / assignment)
        if src.is_dir():
            shutil.copytree(src, target, dirs_exist_ok=True)
        elif src.is_file():
            shutil.copy2(src, target)


def build_cohort(work: Path, students: list[str]) -> Path:
    """``work/cohort/NAME/STUDENT/NAME.ipynb`` for every assignment and student."""
    cohort = work / "cohort"
    for assignment in ASSIGNMENTS:
        for student in students:
            folder = cohort / assignment / student
            folder.mkdir(parents=True)
            shutil.copy(ROOT / "examples" / "cohort" / student / f"{assignment}.ipynb", folder)
    return cohort


# -- grader --------------------------------------------------------------------------------


def run_grader(
    cohort: Path, out: Path, kernels: str = "warm"
) -> tuple[float, list[dict[str, Any]]]:
    """Wall seconds of ``grader grade --jobs 2`` over the four assignments; all results."""
    wall = 0.0
    results: list[dict[str, Any]] = []
    for assignment in ASSIGNMENTS:
        dest = out / assignment
        shutil.rmtree(dest, ignore_errors=True)
        started = time.perf_counter()
        done = subprocess.run(
            [str(ROOT / ".venv" / "bin" / "grader"), "grade", assignment,
             str(cohort / assignment), "--jobs", str(JOBS), "--force", "--format", "json",
             "--output", str(dest), "--kernels", kernels],
            capture_output=True, text=True, cwd=ROOT, check=False,
        )  # fmt: skip
        wall += time.perf_counter() - started
        if done.returncode != 0:
            sys.exit(f"grader failed on {assignment}:\n{done.stderr[-2000:]}")
        results += json.loads(done.stdout)
    return wall, results


# -- plain python ----------------------------------------------------------------------------


def plain_tasks(cohort: Path, work: Path, students: list[str]) -> list[tuple[Path, str]]:
    """A working folder per notebook (released files + the notebook), and its assignment."""
    tasks = []
    for assignment in ASSIGNMENTS:
        for student in students:
            folder = work / "plain" / assignment / student
            folder.mkdir(parents=True)
            shutil.copy(cohort / assignment / student / f"{assignment}.ipynb", folder)
            copy_released(assignment, folder)
            tasks.append((folder, assignment))
    return tasks


def run_plain(tasks: list[tuple[Path, str]], with_checks: bool) -> float:
    """Wall seconds of running every notebook as a plain script, two at a time."""

    def one(task: tuple[Path, str]) -> None:
        folder, assignment = task
        cmd = [str(PYTHON), str(BENCH / "plain_run.py"), f"{assignment}.ipynb"]
        if with_checks:
            cmd += ["--checks", str(ROOT / "solutions" / assignment)]
        subprocess.run(
            cmd, cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False
        )

    started = time.perf_counter()
    with ThreadPoolExecutor(JOBS) as pool:
        list(pool.map(one, tasks))
    return time.perf_counter() - started


def import_seconds(assignment: str, cohort: Path, student: str) -> float:
    """Plain Python running only the notebook's top-level import lines (median of 3)."""
    nb = json.loads((cohort / assignment / student / f"{assignment}.ipynb").read_text())
    lines = []
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            source = "".join(cell["source"])
            lines += [ln for ln in source.splitlines() if ln.startswith(("import ", "from "))]
    code = "\n".join(lines)
    times = []
    for _ in range(3):
        started = time.perf_counter()
        subprocess.run([str(PYTHON), "-c", code], check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    started = time.perf_counter()
    subprocess.run([str(PYTHON), "-c", "pass"], check=True)
    return statistics.median(times) - (time.perf_counter() - started)


# -- nbgrader --------------------------------------------------------------------------------


def nbgrader_bin() -> Path:
    """The nbgrader command of its own venv, installed there on first use."""
    exe = NBGRADER_VENV / "bin" / "nbgrader"
    if not exe.exists():
        log(f"installing nbgrader into {NBGRADER_VENV} (once)")
        subprocess.run([sys.executable, "-m", "venv", str(NBGRADER_VENV)], check=True)
        subprocess.run(
            [str(NBGRADER_VENV / "bin" / "python"), "-m", "pip", "install", "--quiet", "nbgrader"],
            check=True,
        )
    return exe


def questions(assignment: str) -> list[str]:
    tests = ROOT / "solutions" / assignment / "tests"
    names = {p.stem.removeprefix("test_") for p in tests.glob("*/test_*.py")}
    return sorted(names)


def _meta(grade_id: str, grade: bool) -> dict[str, Any]:
    meta: dict[str, Any] = {"grade": grade, "grade_id": grade_id, "locked": True,
                            "schema_version": 3, "solution": False, "task": False}  # fmt: skip
    if grade:
        meta["points"] = 1
    return {"nbgrader": meta}


def _code_cell(source: str, metadata: dict[str, Any]) -> dict[str, Any]:
    return {"cell_type": "code", "execution_count": None, "metadata": metadata,
            "outputs": [], "source": source}  # fmt: skip


def nbgrader_source(assignment: str) -> dict[str, Any]:
    """The instructor's notebook: the checks cell, then one grade cell per question."""
    solution = ROOT / "solutions" / assignment
    run = (
        f"import sys as _sys\n_sys.path.insert(0, {str(BENCH)!r})\nimport plain_run as _pr\n"
        f"_bench = _pr.run_checks_by_question({str(solution)!r}, _pr.Namespace(globals(), '', []))"
    )
    cells = [_code_cell(run, _meta("bench_checks", grade=False))]
    for q in questions(assignment):
        cells.append(_code_cell(f"assert _bench[{q!r}] == 'passed', _bench[{q!r}]", _meta(q, True)))
    kernelspec = {"display_name": "Python 3", "language": "python", "name": "python3"}
    return {"cells": cells, "metadata": {"kernelspec": kernelspec}, "nbformat": 4,
            "nbformat_minor": 5}  # fmt: skip


def build_nbgrader_course(
    work: Path, cohort: Path, students: list[str]
) -> tuple[Path, dict[str, str]]:
    """A course folder with the cohort submitted; the environment to run nbgrader in."""
    course = work / "nbgrader"
    kernels = work / "jupyter" / "kernels" / "python3"
    kernels.mkdir(parents=True)
    (kernels / "kernel.json").write_text(json.dumps({
        "argv": [str(PYTHON), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3", "language": "python",
    }))  # fmt: skip
    # nbgrader runs ``alembic`` from PATH; its kernel is .venv's python (the kernelspec above).
    path = f"{NBGRADER_VENV / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}"
    env = {**os.environ, "PATH": path, "JUPYTER_PATH": str(work / "jupyter"),
           "JUPYTER_PLATFORM_DIRS": "1", "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}  # fmt: skip
    (course / "source").mkdir(parents=True)
    (course / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        f"c.CourseDirectory.root = {str(course)!r}\n"
        "c.CourseDirectory.course_id = 'bench'\n"
        "c.Execute.timeout = 30\n"
    )
    exe = nbgrader_bin()
    for assignment in ASSIGNMENTS:
        source = course / "source" / assignment
        source.mkdir()
        (source / f"{assignment}.ipynb").write_text(json.dumps(nbgrader_source(assignment)))
        done = subprocess.run(
            [str(exe), "generate_assignment", assignment, "--force"],
            cwd=course, env=env, check=False, capture_output=True, text=True,
        )  # fmt: skip
        if done.returncode != 0:
            sys.exit(f"nbgrader generate_assignment failed on {assignment}:\n{done.stderr[-3000:]}")
        released = json.loads((course / "release" / assignment / f"{assignment}.ipynb").read_text())
        for student in students:
            nb = json.loads((cohort / assignment / student / f"{assignment}.ipynb").read_text())
            for cell in nb["cells"]:
                cell.get("metadata", {}).pop("nbgrader", None)
            nb["cells"] += released["cells"]
            folder = course / "submitted" / student / assignment
            folder.mkdir(parents=True)
            (folder / f"{assignment}.ipynb").write_text(json.dumps(nb))
            copy_released(assignment, folder)
    return course, env


def run_nbgrader(course: Path, env: dict[str, str]) -> float:
    """Wall seconds of ``nbgrader autograde NAME --force`` over the four assignments."""
    exe = nbgrader_bin()
    wall = 0.0
    for assignment in ASSIGNMENTS:
        started = time.perf_counter()
        done = subprocess.run([str(exe), "autograde", assignment, "--force"],
                              cwd=course, env=env, capture_output=True, text=True)  # fmt: skip
        wall += time.perf_counter() - started
        if done.returncode != 0:
            sys.exit(f"nbgrader failed on {assignment}:\n{done.stderr[-3000:]}")
    return wall


def nbgrader_scores(course: Path, env: dict[str, str]) -> dict[str, float]:
    """Passed grade cells per assignment (a sanity check that the checks really ran)."""
    code = (
        "from nbgrader.api import Gradebook\n"
        "import json, sys\n"
        f"with Gradebook('sqlite:///{course}/gradebook.db') as gb:\n"
        "    out = {a.name: sum(s.score for s in a.submissions) for a in gb.assignments}\n"
        "print(json.dumps(out))\n"
    )
    done = subprocess.run([str(NBGRADER_VENV / "bin" / "python"), "-c", code], cwd=course,
                          env=env, capture_output=True, text=True, check=True)  # fmt: skip
    return dict(json.loads(done.stdout))


# -- main -----------------------------------------------------------------------------------


def timed(label: str, repeat: int, run: Callable[[], float]) -> float:
    walls = []
    for i in range(repeat):
        log(f"{label}: run {i + 1}/{repeat}")
        walls.append(run())
        log(f"{label}: {walls[-1]:.1f} s")
    return statistics.median(walls)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=len(STUDENTS),
                        help=f"students (1-{len(STUDENTS)}), 4 notebooks each")  # fmt: skip
    parser.add_argument("--repeat", type=int, default=1, help="runs of each; medians shown")
    parser.add_argument("--skip-nbgrader", action="store_true")
    parser.add_argument("--keep", type=Path, help="build the cohort here and keep it")
    args = parser.parse_args()
    students = list(STUDENTS[: max(1, min(args.students, len(STUDENTS)))])
    n = len(students) * len(ASSIGNMENTS)
    with tempfile.TemporaryDirectory(prefix="bench-vs-nbgrader-") as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        cohort = build_cohort(work, students)
        tasks = plain_tasks(cohort, work, students)
        course_env = None if args.skip_nbgrader else build_nbgrader_course(work, cohort, students)
        results: list[dict[str, Any]] = []

        def grader_once() -> float:
            wall, got = run_grader(cohort, work / "reports")
            results.extend(got)
            return wall

        def grader_cold() -> float:
            return run_grader(cohort, work / "reports-cold", kernels="cold")[0]

        walls = {}
        # Interleave the contenders so none always runs on a warm (or busy) machine.
        for _ in range(args.repeat):
            for label, run in [
                ("grader", grader_once),
                ("grader --kernels cold", grader_cold),
                ("plain python + checks", lambda: run_plain(tasks, with_checks=True)),
                ("plain python, code only", lambda: run_plain(tasks, with_checks=False)),
                *(
                    [("nbgrader", lambda: run_nbgrader(*course_env))]
                    if course_env is not None
                    else []
                ),
            ]:
                walls.setdefault(label, []).append(timed(label, 1, run))
        imports = statistics.median(import_seconds(a, cohort, students[0]) for a in ASSIGNMENTS)
        nb_scores = nbgrader_scores(*course_env) if course_env is not None else None
    report(n, {k: statistics.median(v) for k, v in walls.items()}, results, imports, args.repeat)
    if nb_scores is not None:
        print(f"nbgrader grade cells passed per assignment (sanity check): {nb_scores}")


def report(
    n: int, walls: dict[str, float], results: list[dict[str, Any]], imports: float, repeat: int
) -> None:
    print(f"\n{n} notebooks (4 assignments), --jobs {JOBS}, median of {repeat} run(s)")
    print(f"{'contender':<28}{'wall s':>9}{'s/notebook':>12}")
    for label, wall in walls.items():
        print(f"{label:<28}{wall:>9.1f}{wall / n:>12.2f}")
    grader = walls["grader"]
    if "nbgrader" in walls:
        print(f"nbgrader / grader:              {walls['nbgrader'] / grader:5.2f}  (target >= 2)")
    plain = walls["plain python + checks"]
    code = walls["plain python, code only"]
    print(f"grader / plain python + checks: {grader / plain:5.2f}  (target <= 1.2)")
    print(f"grader / plain python, code only: {grader / code:5.2f}")
    print(f"grader --kernels cold / grader: {walls['grader --kernels cold'] / grader:5.2f}")
    gradable = [r for r in results if r["gradable"]]
    print(f"\nper notebook, median over {len(gradable)} graded (seconds):")
    for stage in STAGES:
        values = [r["timings"][stage] for r in gradable if stage in r["timings"]]
        if values:
            print(f"  {stage:<10}{statistics.median(values):>8.3f}")
    print(f"  {'imports':<10}{imports:>8.3f}  (the notebooks' import lines alone, plain python;"
          " part of execute)")  # fmt: skip
    per_run = repeat * len(ASSIGNMENTS)
    busy = sum(r["timings"]["total"] for r in gradable) / JOBS / per_run
    print(f"  grader process and scheduling: {grader / len(ASSIGNMENTS) - busy:.2f} s per "
          f"assignment run (wall minus the notebooks' total / jobs)")  # fmt: skip


if __name__ == "__main__":
    main()
