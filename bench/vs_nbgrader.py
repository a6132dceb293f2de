"""Grading a cohort side by side: grader, nbgrader, otter-grader and plain Python.

    .venv/bin/python bench/vs_nbgrader.py [--students 9] [--repeat 1] [--skip-nbgrader]
        [--skip-otter] [--nbgrader-venv DIR] [--otter-venv DIR]

Builds a cohort from the demo cohort (``examples/cohort/``): the first N of the students of
``bench/cohort.py``, each with the four assignments (9 students: 36 notebooks). The
pathological students are left out for every contender alike: ``jack-infinite-loop``
(waits out 30 s time limits), ``kim-memory-hog`` (allocates tens of GiB: nbgrader has no memory
limit), ``leo-huge-output`` (megabytes of output) and ``mia-empty`` (unreadable files). Then, in
one run:

* **grader --jobs 2**: ``grader grade NAME DIR --jobs 2 --force`` per assignment, each into a
  fresh output folder; wall clock of the four runs added up, and the per-stage split from the
  ``timings`` of the JSON results (medians over the gradable notebooks). It runs first in each
  round: its verdicts are the ones every other contender must give.
* **grader --jobs 1**: the same with ``--jobs 1`` (warm kernels): one notebook at a time, as
  nbgrader and otter grade.
* **grader --jobs 2 --kernels cold**: every kernel started from scratch.
* **nbgrader**: installed from the package registry into its own venv
  (``bench/.venvs/nbgrader``, made on first use, or an existing one given with
  ``--nbgrader-venv``, used as it is); a course whose ``source/NAME/NAME.ipynb``
  ends with one locked cell that runs the same public and hidden pytest checks in the kernel
  (``bench/plain_run.py``'s in-process runner) and one nbgrader grade cell per question that
  asserts its checks passed; ``nbgrader generate_assignment``, every student's cells followed
  by the released grade cells copied to ``submitted/STUDENT/NAME/``, and ``nbgrader
  autograde NAME --force`` timed (nbgrader grades one notebook at a time). Its kernel runs the
  same Python and libraries as grader's (a ``python3`` kernelspec pointing at ``.venv``), so
  the student code and the checks do the same work.
* **nbgrader, 2 processes**: nbgrader's own way to use two cores, as a user would set it up:
  the students split in two halves (the first has the odd one), each half a course folder of
  its own (a copy of the course's config, ``source/``, ``release/`` and the gradebook as
  ``generate_assignment`` left it, with only that half's ``submitted/``: two processes cannot
  share one SQLite gradebook), and per half one shell-loop's worth of work, ``nbgrader
  autograde NAME --force`` for the four assignments one after another, the two halves at once.
  The wall is from the start until the slower half is done (no wait between assignments: a
  little kinder to nbgrader than grader's four separate runs).
* **otter run**: otter-grader installed into its own venv (``bench/.venvs/otter``, made on
  first use, or ``--otter-venv``, used as it is). For each assignment the benchmark writes an
  autograder zip of its own: ``otter_config.json``, one exception-based otter test file per
  question (``tests/QUESTION.py``, 1 point) and the released files (``files/``; a zip per
  student for ``data-wrangling``, its ``files/`` the student's own data, see below). The first
  question's test runs the assignment's public and hidden pytest checks with
  ``bench/plain_run.py``'s in-process runner in the kernel (as nbgrader's checks cell does) and
  keeps the verdicts in the notebook's globals; each question's test asserts its checks
  passed. Then ``otter run -a autograder.zip NAME.ipynb`` for every notebook, one after
  another (``otter run`` grades one submission per invocation; ``otter grade`` needs Docker),
  timed. otter executes the notebook in a kernel that must import otter: that kernel is
  ``.venv``'s python with the otter venv's packages appended to ``sys.path``, so the student
  code and the checks run on the same Python and libraries as for grader (numpy, pandas,
  scikit-learn and pytest come from ``.venv``; otter, and what only otter needs, from its venv).
  The zips leave out otter's Gradescope scripts (``run_autograder``, ``setup.sh``), which
  ``otter run`` does not read.
* **plain python**: each notebook's code cells ``exec``'d in order by ``bench/plain_run.py``
  in a fresh ``python`` (a failing cell does not stop the next, as in a notebook), two at a
  time; once followed by the same checks in the same process (``+ checks``) and once with the
  student code alone (``code only``).

Plain python, nbgrader's and otter's kernels get BLAS/OpenMP pools of one thread, as grader's
kernels have: the same work under the same thread settings. They also record the notebook's
matplotlib figures as they are made with grader's own recorder (``grader/guest/figures.py``,
started before the first cell, as grader's kernels start it), so the checks that read
``nb.figures()`` see the same figures (``bench/plain_run.py``'s ``RECORD_FIGURES_LINE``).

Each student has their own data in ``data-wrangling`` (``[variants]`` in its
``assignment.toml``): grader rebuilds it for each notebook it grades (the ``variant`` and
``variant_data`` fixtures of its checks). For the others the benchmark builds each student's
variant once, before any contender runs, with grader's own ``grader.variants.build_variant``
(the seed from the demo's course secret, the assignment and the student's key, as ``grader
grade`` derives it) into ``WORK/variants/NAME/STUDENT/``, and puts the student's files and
``variant.json`` over the released files wherever that student's notebook runs: plain python's
working folder, nbgrader's ``submitted/STUDENT/NAME/`` (which ``autograde`` copies to the folder
its kernel runs in), and, in a zip per student for such an assignment, the ``files/`` of
otter's autograder zip (which ``otter run`` copies beside the submission). Their checks then
read ``variant`` (that ``variant.json``) and ``variant_data`` (that folder) through
``bench/plain_run.py``'s runner: the same data and the same checks as grader's.

Every contender is checked, so that a crash never looks fast: grader must exit 0 and give
every notebook the score of ``examples/cohort/expected.json``, warm and cold kernels, --jobs 2
and --jobs 1 alike, and --jobs 1 the same questions fully passed per notebook as --jobs 2; each
plain-python run must exit 0 and report (``bench/plain_run.py``'s "N/M questions passed") the
same number of fully passed questions as grader gave that notebook, or, code only, that it ran
every code cell; nbgrader (one process, and both halves of two) must exit 0 and its gradebook
give every notebook "passed/possible" grade cells equal to grader's "fully passed/questions";
every ``otter run`` must exit 0 and its ``results.json`` give every notebook as many questions
at full score, out of as many, as grader, every failed question failing on its checks'
verdict (not on checks that could not run). Any difference stops the benchmark (exit 3).

Prints the wall seconds of each and the ratios (``bench/baseline.py``): nbgrader/grader
--jobs 2 (target >= 3), nbgrader/grader --jobs 1 (target >= 1.5), nbgrader 2 processes/grader
--jobs 2, otter run/grader --jobs 2, grader/plain python + checks (target <= 1.0), grader/plain
python code only and cold/warm kernels; ``--write-baseline``, ``--add-run`` and ``--check``
store and compare them. A baseline records whether otter ran (``"otter": true`` in its
settings, absent when ``--skip-otter``: baselines from before otter was a contender compare
with ``--skip-otter`` runs). The benchmark adopts its contenders' orphans (as a child
subreaper) and fails if any is still running 30 s after its contender ended.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import baseline
import cohort as demo_cohort
import plain_run
from cohort import ASSIGNMENTS, STUDENTS

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
PYTHON = ROOT / ".venv" / "bin" / "python"
NBGRADER_VENV = BENCH / ".venvs" / "nbgrader"
OTTER_VENV = BENCH / ".venvs" / "otter"
STAGES = ("start", "execute", "checks", "shutdown", "total")
JOBS = 2
# grader pins the BLAS/OpenMP thread pools of its kernels to one thread (grader/sandbox/bwrap.py's
# THREAD_ENV); the other contenders get the same, or on a busy 2-core machine the ratios would
# measure thread oversubscription instead of grading.
ONE_THREAD = {
    name: "1"
    for name in (
        "OPENBLAS_NUM_THREADS",
        "OMP_NUM_THREADS",
        "MKL_NUM_THREADS",
        "NUMEXPR_NUM_THREADS",
    )
}
PASSED = re.compile(r": (\d+)/(\d+) questions passed$", re.MULTILINE)
RAN = re.compile(r": ran (\d+) code cells, (\d+) raised$", re.MULTILINE)
# Relative tolerances of the ratios, from three runs with --students 3 on 2026-12-04 on the
# loaded 2-core machine (another test suite beside it, load 1.5 to 7; the runs are in
# bench/baselines/vs_nbgrader.json): the wall ratios moved by 60-90% from run to run, as the
# contenders run one after another while the other load comes and goes. So the baseline
# catches only gross regressions here (a ratio doubling, or halving); on a quiet machine or a
# dedicated runner re-measure and use about 0.2.
# otter's has not been measured over several runs yet: the same as nbgrader's until then.
TOLERANCE = {"nbgrader": 0.5, "otter": 0.5, "plain": 1.0, "code": 1.0, "cold": 0.5}


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


def build_variants(work: Path, students: list[str]) -> dict[tuple[str, str], Path]:
    """Per (assignment, student) of an assignment with data variants: the folder of the
    student's own files and ``variant.json`` (``work/variants/NAME/STUDENT/``), built once with
    grader's own ``grader.variants.build_variant`` from the course secret, as ``grader grade``
    builds them (the student's key is their folder's name in the cohort)."""
    from grader.config import load_assignment
    from grader.variants import build_variant

    variants = {}
    for name in ASSIGNMENTS:
        assignment = load_assignment(ROOT / "solutions" / name)
        if not assignment.variants:
            continue
        for student in students:
            folder = work / "variants" / name / student
            build_variant(assignment, student, folder)
            variants[(name, student)] = folder
    return variants


def copy_student_files(
    assignment: str, student: str, dest: Path, variants: dict[tuple[str, str], Path]
) -> None:
    """The files a student's notebook runs beside: the released ones, then (an assignment with
    data variants) the student's own files and ``variant.json`` over them, as grader's working
    folder has them."""
    copy_released(assignment, dest)
    if (assignment, student) in variants:
        shutil.copytree(variants[(assignment, student)], dest, dirs_exist_ok=True)


check_results = demo_cohort.check_results


# -- grader --------------------------------------------------------------------------------


def run_grader(
    cohort: Path, out: Path, kernels: str = "warm", jobs: int = JOBS
) -> tuple[float, list[dict[str, Any]]]:
    """Wall seconds of ``grader grade --jobs JOBS`` over the four assignments; all results.

    Fails unless every run exits 0 with the expected scores, in the kernels asked for.
    """
    wall = 0.0
    results: list[dict[str, Any]] = []
    label = f"grader --jobs {jobs} --kernels {kernels}"
    for assignment in ASSIGNMENTS:
        dest = out / assignment
        shutil.rmtree(dest, ignore_errors=True)
        started = time.perf_counter()
        done = baseline.run_checked(
            [str(ROOT / ".venv" / "bin" / "grader"), "grade", assignment,
             str(cohort / assignment), "--jobs", str(jobs), "--force", "--format", "json",
             "--output", str(dest), "--kernels", kernels],
            f"{label} on {assignment}", cwd=ROOT,
        )  # fmt: skip
        wall += time.perf_counter() - started
        got = json.loads(done.stdout)
        check_results(got, assignment, cohort / assignment, label)
        if any(r["kernels"] != kernels for r in got):
            raise baseline.fail(f"{label} on {assignment}: some kernels were not {kernels}")
        results += got
    return wall, results


def passed_questions(results: list[dict[str, Any]]) -> dict[tuple[str, str], str]:
    """Per (assignment, student): "N/M" questions fully passed, as grader graded them."""
    return {
        (r["assignment"], r["student"]): "/".join(str(v) for v in demo_cohort.fully_passed(r))
        for r in results
    }


def check_same_verdicts(
    label: str, got: dict[tuple[str, str], str], expected: dict[tuple[str, str], str]
) -> None:
    """Fail unless ``got`` gives every notebook of ``expected`` the same verdict."""
    wrong = [
        f"{student}/{assignment}: {got.get((assignment, student), 'not graded')}, grader: {want}"
        for (assignment, student), want in sorted(expected.items())
        if got.get((assignment, student)) != want
    ]
    extra = sorted(set(got) - set(expected))
    if extra:
        wrong.append(f"notebooks grader did not grade: {extra}")
    if wrong:
        raise baseline.fail(f"{label} gave other results than grader: " + "; ".join(wrong))


# -- plain python ----------------------------------------------------------------------------


def plain_tasks(
    cohort: Path, work: Path, students: list[str], variants: dict[tuple[str, str], Path]
) -> list[tuple[Path, str]]:
    """A working folder per notebook (released files, the student's variant over them, the
    notebook), and its assignment."""
    tasks = []
    for assignment in ASSIGNMENTS:
        for student in students:
            folder = work / "plain" / assignment / student
            folder.mkdir(parents=True)
            shutil.copy(cohort / assignment / student / f"{assignment}.ipynb", folder)
            copy_student_files(assignment, student, folder, variants)
            tasks.append((folder, assignment))
    return tasks


def run_plain(
    tasks: list[tuple[Path, str]], with_checks: bool, expected: dict[tuple[str, str], str]
) -> float:
    """Wall seconds of running every notebook as a plain script, two at a time.

    Each run must exit 0 and end with its summary line: with the checks, "N/M questions
    passed" equal to ``expected[(assignment, student)]`` (what grader gave that notebook);
    code only, "ran K code cells" with K the notebook's code cells.
    """
    label = "plain python + checks" if with_checks else "plain python, code only"

    def one(task: tuple[Path, str]) -> str:
        folder, assignment = task
        cmd = [str(PYTHON), str(BENCH / "plain_run.py"), f"{assignment}.ipynb"]
        if with_checks:
            cmd += ["--checks", str(ROOT / "solutions" / assignment)]
        env = {**os.environ, **ONE_THREAD}
        done = baseline.run_checked(cmd, f"{label} on {folder}", cwd=folder, env=env)
        if with_checks:
            found = PASSED.findall(done.stderr)
            want = expected[(assignment, folder.name)]
            if not found or "/".join(found[-1]) != want:
                got = "/".join(found[-1]) if found else "no summary line"
                return f"{folder.name}/{assignment}: {got} questions passed, grader: {want}"
        else:
            found = RAN.findall(done.stderr)
            nb = json.loads((folder / f"{assignment}.ipynb").read_text())
            cells = sum(c["cell_type"] == "code" for c in nb["cells"])
            if not found or int(found[-1][0]) != cells:
                got = found[-1][0] if found else "no summary line"
                return f"{folder.name}/{assignment}: ran {got} of {cells} code cells"
        return ""

    started = time.perf_counter()
    with ThreadPoolExecutor(JOBS) as pool:
        problems = [p for p in pool.map(one, tasks) if p]
    wall = time.perf_counter() - started
    if problems:
        raise baseline.fail(f"{label} gave other results than grader: " + "; ".join(problems))
    return wall


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
        baseline.run_checked([str(PYTHON), "-c", code], f"the imports of {assignment}")
        times.append(time.perf_counter() - started)
    started = time.perf_counter()
    baseline.run_checked([str(PYTHON), "-c", "pass"], "python")
    return statistics.median(times) - (time.perf_counter() - started)


# -- nbgrader --------------------------------------------------------------------------------


def peer_command(venv: Path, requirement: str, command: str) -> Path:
    """``command`` of a peer tool's own venv, ``requirement`` installed there on first use."""
    exe = venv / "bin" / command
    if not exe.exists():
        log(f"installing {requirement} into {venv} (once)")
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run(
            [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", requirement],
            check=True,
        )
    return exe


def nbgrader_bin() -> Path:
    """The nbgrader command of its own venv, installed there on first use."""
    return peer_command(NBGRADER_VENV, "nbgrader==0.9.*", "nbgrader")


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


def nbgrader_config(course: Path) -> None:
    (course / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        f"c.CourseDirectory.root = {str(course)!r}\n"
        "c.CourseDirectory.course_id = 'bench'\n"
        "c.Execute.timeout = 30\n"
    )


def build_nbgrader_course(
    work: Path, cohort: Path, students: list[str], variants: dict[tuple[str, str], Path]
) -> tuple[Path, dict[str, str]]:
    """A course folder with the cohort submitted (each submission folder with the released
    files and the student's variant over them); the environment to run nbgrader in."""
    course = work / "nbgrader"
    kernels = work / "jupyter" / "kernels" / "python3"
    kernels.mkdir(parents=True)
    (kernels / "kernel.json").write_text(json.dumps({
        "argv": [str(PYTHON), "-m", "ipykernel_launcher", "-f", "{connection_file}",
                 f"--IPKernelApp.exec_lines={plain_run.RECORD_FIGURES_LINE}"],
        "display_name": "Python 3", "language": "python",
    }))  # fmt: skip
    # nbgrader runs ``alembic`` from PATH; its kernel is .venv's python (the kernelspec above).
    path = f"{NBGRADER_VENV / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}"
    env = {**os.environ, **ONE_THREAD, "PATH": path, "JUPYTER_PATH": str(work / "jupyter"),
           "JUPYTER_PLATFORM_DIRS": "1", "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}  # fmt: skip
    (course / "source").mkdir(parents=True)
    nbgrader_config(course)
    exe = nbgrader_bin()
    for assignment in ASSIGNMENTS:
        source = course / "source" / assignment
        source.mkdir()
        (source / f"{assignment}.ipynb").write_text(json.dumps(nbgrader_source(assignment)))
        baseline.run_checked(
            [str(exe), "generate_assignment", assignment, "--force"],
            f"nbgrader generate_assignment {assignment}", cwd=course, env=env,
        )  # fmt: skip
        released = json.loads((course / "release" / assignment / f"{assignment}.ipynb").read_text())
        for student in students:
            nb = json.loads((cohort / assignment / student / f"{assignment}.ipynb").read_text())
            for cell in nb["cells"]:
                cell.get("metadata", {}).pop("nbgrader", None)
            nb["cells"] += released["cells"]
            folder = course / "submitted" / student / assignment
            folder.mkdir(parents=True)
            (folder / f"{assignment}.ipynb").write_text(json.dumps(nb))
            copy_student_files(assignment, student, folder, variants)
    return course, env


def split_nbgrader_course(course: Path, students: list[str]) -> list[Path]:
    """Two courses, each with half of the students (the first half has the odd one): a copy of
    ``course`` (config, source, release and the gradebook as generate_assignment left it, no
    student in it yet) with only that half's submissions. Made before any autograde run."""
    middle = (len(students) + 1) // 2
    halves = []
    for index, half in enumerate((students[:middle], students[middle:]), start=1):
        dest = course.with_name(f"{course.name}-half{index}")
        shutil.copytree(course, dest, ignore=shutil.ignore_patterns("submitted"))
        nbgrader_config(dest)
        for student in half:
            shutil.copytree(course / "submitted" / student, dest / "submitted" / student)
        halves.append(dest)
    return halves


def run_nbgrader(course: Path, env: dict[str, str]) -> float:
    """Wall seconds of ``nbgrader autograde NAME --force`` over the four assignments."""
    exe = nbgrader_bin()
    wall = 0.0
    for assignment in ASSIGNMENTS:
        started = time.perf_counter()
        baseline.run_checked([str(exe), "autograde", assignment, "--force"],
                             f"nbgrader autograde {assignment}", cwd=course, env=env)  # fmt: skip
        wall += time.perf_counter() - started
    return wall


def run_nbgrader_halves(courses: list[Path], env: dict[str, str]) -> float:
    """Wall seconds of two ``nbgrader autograde`` processes at a time, one per half-course.

    Each half runs the four assignments one after another (``nbgrader autograde NAME --force``
    for each, as a user's shell loop per half would), both halves at once; the wall is from the
    start until the slower half is done. A failure in either half stops the benchmark.
    """
    exe = nbgrader_bin()

    def half(course: Path) -> None:
        for assignment in ASSIGNMENTS:
            baseline.run_checked(
                [str(exe), "autograde", assignment, "--force"],
                f"nbgrader autograde {assignment} in {course.name}", cwd=course, env=env,
            )  # fmt: skip

    started = time.perf_counter()
    with ThreadPoolExecutor(len(courses)) as pool:
        for future in [pool.submit(half, c) for c in courses]:
            future.result()
    return time.perf_counter() - started


def nbgrader_scores(course: Path, env: dict[str, str]) -> dict[tuple[str, str], str]:
    """Per (assignment, student): "passed/possible" grade cells in the course's gradebook."""
    code = (
        "from nbgrader.api import Gradebook\n"
        "import json\n"
        f"with Gradebook('sqlite:///{course}/gradebook.db') as gb:\n"
        "    out = [[a.name, s.student.id, s.score, s.max_score]\n"
        "           for a in gb.assignments for s in a.submissions]\n"
        "print(json.dumps(out))\n"
    )
    done = baseline.run_checked([str(NBGRADER_VENV / "bin" / "python"), "-c", code],
                                f"reading nbgrader's gradebook in {course.name}", cwd=course,
                                env=env)  # fmt: skip
    return {
        (assignment, student): f"{score:g}/{possible:g}"
        for assignment, student, score, possible in json.loads(done.stdout)
    }


# -- otter ---------------------------------------------------------------------------------

OTTER_TEST = """\
OK_FORMAT = False

from otter.test_files import test_case

name = {question!r}
points = 1


@test_case(name={question!r}, points=1)
def checks(env):
    # The assignment's public and hidden pytest checks, run once per submission in the kernel
    # (the first question's test runs them and keeps the verdicts in the notebook's globals).
    if "_bench" not in env:
        import sys

        if {bench!r} not in sys.path:
            sys.path.insert(0, {bench!r})
        import plain_run

        env["_bench"] = plain_run.run_checks_by_question(
            {solution!r}, plain_run.Namespace(env, "", [])
        )
    verdict = env["_bench"][{question!r}]
    assert verdict == "passed", verdict
"""
# What a failed question's summary in otter's results.json must say: the checks ran and some of
# that question's checks failed. Anything else (the checks could not run, a question missing
# from their verdicts) is the contender failing.
OTTER_FAILED = "AssertionError: failed: "


def otter_bin() -> Path:
    """The otter command of its own venv, installed there on first use."""
    return peer_command(OTTER_VENV, "otter-grader==7.*", "otter")


def build_otter(
    work: Path, students: list[str], variants: dict[tuple[str, str], Path]
) -> tuple[dict[tuple[str, str], Path], dict[str, str]]:
    """Per (assignment, student), the autograder zip to grade with; the environment to run
    ``otter run`` in.

    Each zip holds what ``otter run`` reads: ``otter_config.json``, one exception-based test
    file per question (``tests/QUESTION.py``, 1 point, passing when every public and hidden
    pytest check of that question passed, run by ``bench/plain_run.py``'s in-process runner as
    in the nbgrader course) and the files the notebook runs beside (``files/``, which ``otter
    run`` copies into the folder the notebook runs in): the released files, one zip for every
    student, or, for an assignment with data variants, the student's own files and
    ``variant.json`` over them, a zip per student. Otter's Gradescope scripts
    (``run_autograder``, ``setup.sh``) are left out: ``otter run`` does not use them.
    """
    otter_bin()
    # otter executes the notebook in a kernel that imports otter (its grading-mode cell and
    # its checker). That kernel is .venv's python, the Python and libraries of the other
    # contenders, with the otter venv's packages appended to sys.path: .venv's numpy, pandas,
    # scikit-learn, pytest and ipykernel come first, otter and what only it needs come after.
    purelib = "import sysconfig; print(sysconfig.get_path('purelib'))"
    site = baseline.run_checked(
        [str(OTTER_VENV / "bin" / "python"), "-c", purelib], "finding otter's site-packages"
    ).stdout.strip()
    kernels = work / "jupyter-otter" / "kernels" / "python3"
    kernels.mkdir(parents=True)
    launcher = kernels / "launch.py"
    launcher.write_text(  # as ``python -m ipykernel_launcher``, its own folder off sys.path
        f"import sys\ndel sys.path[0]\nsys.path.append({site!r})\n"
        "from ipykernel import kernelapp\nkernelapp.launch_new_instance()\n"
    )
    (kernels / "kernel.json").write_text(json.dumps({
        "argv": [str(PYTHON), str(launcher), "-f", "{connection_file}",
                 f"--IPKernelApp.exec_lines={plain_run.RECORD_FIGURES_LINE}"],
        "display_name": "Python 3", "language": "python",
    }))  # fmt: skip
    env = {**os.environ, **ONE_THREAD, "JUPYTER_PATH": str(work / "jupyter-otter"),
           "JUPYTER_PLATFORM_DIRS": "1", "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}  # fmt: skip
    zips: dict[tuple[str, str], Path] = {}
    for assignment in ASSIGNMENTS:
        solution = ROOT / "solutions" / assignment
        own = any((assignment, student) in variants for student in students)
        for group in [[student] for student in students] if own else [students]:
            folder = work / "otter" / assignment / (group[0] if own else "everyone")
            # The files beside the notebook, as the others have them in their working folder.
            files = folder / "files"
            files.mkdir(parents=True)
            copy_student_files(assignment, group[0], files, variants)
            path = folder / "autograder.zip"
            with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
                zf.writestr("otter_config.json", json.dumps({"lang": "python"}))
                for q in questions(assignment):
                    test = OTTER_TEST.format(question=q, bench=str(BENCH), solution=str(solution))
                    zf.writestr(f"tests/{q}.py", test)
                for f in sorted(f for f in files.rglob("*") if f.is_file()):
                    zf.write(f, "files/" + str(f.relative_to(files)))
            zips.update({(assignment, student): path for student in group})
    return zips, env


def otter_verdict(results: dict[str, Any], label: str) -> str:
    """ "N/M" questions passed in ``otter run``'s results.json; fails on anything but a result."""
    tests = [t for t in results.get("tests", []) if "max_score" in t]
    names = {t.get("name") for t in results.get("tests", [])}
    if "Autograder Failed" in names or not tests:
        raise baseline.fail(f"{label}: otter gave no results: {json.dumps(results)[:1500]}")
    broken = [
        t["name"]
        for t in tests
        if t["score"] < t["max_score"] and OTTER_FAILED not in t.get("output", "")
    ]
    if broken:
        details = "; ".join(t.get("output", "")[-400:] for t in tests if t["name"] in broken)
        raise baseline.fail(f"{label}: the checks did not run for {broken}: {details}")
    passed = sum(t["max_score"] > 0 and t["score"] == t["max_score"] for t in tests)
    return f"{passed}/{len(tests)}"


def run_otter(
    cohort: Path,
    work: Path,
    students: list[str],
    zips: dict[tuple[str, str], Path],
    env: dict[str, str],
    expected: dict[tuple[str, str], str],
) -> float:
    """Wall seconds of ``otter run -a autograder.zip NOTEBOOK`` for every notebook, one at a
    time. Each must exit 0 and fully pass as many questions, out of as many, as grader."""
    exe = otter_bin()
    got: dict[tuple[str, str], str] = {}
    wall = 0.0
    for assignment in ASSIGNMENTS:
        for student in students:
            out = work / "otter-results" / assignment / student
            shutil.rmtree(out, ignore_errors=True)
            out.mkdir(parents=True)
            label = f"otter run on {student}/{assignment}"
            submission = cohort / assignment / student / f"{assignment}.ipynb"
            zip_path = zips[(assignment, student)]
            started = time.perf_counter()
            baseline.run_checked(
                [str(exe), "run", "-a", str(zip_path), "-o", str(out), "--no-logo",
                 str(submission)],
                label, cwd=out, env=env,
            )  # fmt: skip
            wall += time.perf_counter() - started
            if not (out / "results.json").is_file():
                raise baseline.fail(f"{label}: exited 0 without a results.json")
            results = json.loads((out / "results.json").read_text())
            got[(assignment, student)] = otter_verdict(results, label)
    check_same_verdicts("otter run", got, expected)
    return wall


# -- main -----------------------------------------------------------------------------------


def become_subreaper() -> None:
    """Orphans of the contenders (a fork server outliving its parent) become our children."""
    PR_SET_CHILD_SUBREAPER = 36
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def reap_orphans(deadline: float = 30.0) -> None:
    """Wait for every child left (no contender runs now: any child is an orphan we adopted)."""
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            time.sleep(0.05)
    raise baseline.fail(f"a contender left processes running {deadline:.0f} s after it ended")


def timed(label: str, run: Callable[[], float]) -> float:
    """The wall seconds ``run`` reports, once nothing it started is left running."""
    log(f"{label}: running")
    wall = run()
    reap_orphans()
    log(f"{label}: {wall:.1f} s")
    return wall


def main() -> None:
    global NBGRADER_VENV, OTTER_VENV
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=len(STUDENTS),
                        help=f"students (1-{len(STUDENTS)}), 4 notebooks each")  # fmt: skip
    parser.add_argument("--repeat", type=int, default=1, help="runs of each; medians shown")
    parser.add_argument("--skip-nbgrader", action="store_true",
                        help="leave out nbgrader (one process and two)")  # fmt: skip
    parser.add_argument("--skip-otter", action="store_true", help="leave out otter run")
    parser.add_argument("--nbgrader-venv", type=Path, default=NBGRADER_VENV,
                        help="a venv with nbgrader 0.9, used as it is")  # fmt: skip
    parser.add_argument("--otter-venv", type=Path, default=OTTER_VENV,
                        help="a venv with otter-grader 7, used as it is")  # fmt: skip
    parser.add_argument("--keep", type=Path, help="build the cohort here and keep it")
    baseline.add_arguments(parser)
    args = parser.parse_args()
    NBGRADER_VENV = args.nbgrader_venv.absolute()
    OTTER_VENV = args.otter_venv.absolute()
    students = list(STUDENTS[: max(1, min(args.students, len(STUDENTS)))])
    settings: dict[str, Any] = {"students": len(students), "repeat": args.repeat}
    settings["nbgrader"] = not args.skip_nbgrader
    if not args.skip_otter:
        # Only when otter runs: baselines from before otter was a contender stay comparable
        # with --skip-otter.
        settings["otter"] = True
    bench = baseline.Run("vs_nbgrader", args, settings)
    become_subreaper()
    n = len(students) * len(ASSIGNMENTS)
    with tempfile.TemporaryDirectory(prefix="bench-vs-nbgrader-") as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        cohort = demo_cohort.build_cohort(work, tuple(students))
        # Each student's own data (data-wrangling), built once with grader's library: every
        # contender but grader (which rebuilds it) runs the notebook and checks on it.
        variants = build_variants(work, students)
        tasks = plain_tasks(cohort, work, students, variants)
        # What grader gave each notebook ("N/M" questions fully passed): the others must agree.
        expected: dict[tuple[str, str], str] = {}
        results: list[dict[str, Any]] = []

        def grader_once() -> float:
            wall, got = run_grader(cohort, work / "reports")
            for key, passed in passed_questions(got).items():
                if expected.setdefault(key, passed) != passed:
                    raise baseline.fail(f"grader gave {key[1]}/{key[0]} another result this time")
            results.extend(got)
            return wall

        def grader_one_job() -> float:
            wall, got = run_grader(cohort, work / "reports-jobs1", jobs=1)
            check_same_verdicts("grader --jobs 1", passed_questions(got), expected)
            return wall

        def grader_cold() -> float:
            return run_grader(cohort, work / "reports-cold", kernels="cold")[0]

        contenders: list[tuple[str, Callable[[], float]]] = [
            ("grader --jobs 2", grader_once),
            ("grader --jobs 1", grader_one_job),
            ("grader --jobs 2 --kernels cold", grader_cold),
            ("plain python + checks", lambda: run_plain(tasks, True, expected)),
            ("plain python, code only", lambda: run_plain(tasks, False, expected)),
        ]
        if not args.skip_nbgrader:
            course, env = build_nbgrader_course(work, cohort, students, variants)
            halves = split_nbgrader_course(course, students) if len(students) > 1 else []

            def nbgrader_once() -> float:
                wall = run_nbgrader(course, env)
                check_same_verdicts("nbgrader autograde", nbgrader_scores(course, env), expected)
                return wall

            def nbgrader_two() -> float:
                wall = run_nbgrader_halves(halves, env)
                got: dict[tuple[str, str], str] = {}
                for half in halves:
                    got.update(nbgrader_scores(half, env))
                check_same_verdicts("nbgrader autograde, 2 processes", got, expected)
                return wall

            contenders.append(("nbgrader", nbgrader_once))
            if halves:
                contenders.append(("nbgrader, 2 processes", nbgrader_two))
            else:
                log("nbgrader, 2 processes: left out (one student: no halves)")
        if not args.skip_otter:
            zips, otter_env = build_otter(work, students, variants)
            contenders.append(("otter run", lambda: run_otter(
                cohort, work, students, zips, otter_env, expected)))  # fmt: skip

        walls: dict[str, list[float]] = {}
        # Interleave the contenders so none always runs on a warm (or busy) machine; grader
        # --jobs 2 runs first in each round: the others are checked against its verdicts.
        for _ in range(args.repeat):
            for label, run in contenders:
                walls.setdefault(label, []).append(timed(label, run))
        imports = statistics.median(import_seconds(a, cohort, students[0]) for a in ASSIGNMENTS)
    medians = {k: statistics.median(v) for k, v in walls.items()}
    report(n, medians, results, imports, args.repeat)
    size = f"{n} notebooks ({len(students)} demo students x 4 assignments)"
    bench.finish(ratios(medians),
                 f"{size}, median of {args.repeat} run(s)")  # fmt: skip


def ratios(seconds: dict[str, float]) -> list[baseline.Ratio]:
    """The ratios of the contenders' wall seconds (names as in the stored baselines)."""
    tolerance, kind = TOLERANCE, "wall"
    grader = seconds["grader --jobs 2"]
    found = []
    if "nbgrader" in seconds:
        found += [
            baseline.Ratio("nbgrader/grader", seconds["nbgrader"] / grader, "lower",
                           tolerance["nbgrader"], f"{kind} of nbgrader autograde (one at a"
                           " time) over grader --jobs 2 (warm)"),
            baseline.Ratio("nbgrader/grader --jobs 1",
                           seconds["nbgrader"] / seconds["grader --jobs 1"], "lower",
                           tolerance["nbgrader"], f"{kind} of nbgrader autograde (one at a"
                           " time) over grader --jobs 1 (warm): one at a time both"),
        ]  # fmt: skip
    if "nbgrader, 2 processes" in seconds:
        found.append(baseline.Ratio(
            "nbgrader 2 processes/grader", seconds["nbgrader, 2 processes"] / grader, "lower",
            tolerance["nbgrader"], f"{kind} of two nbgrader autograde processes on halves of"
            " the students (own gradebooks) over grader --jobs 2 (warm)"))  # fmt: skip
    if "otter run" in seconds:
        found.append(baseline.Ratio(
            "otter/grader", seconds["otter run"] / grader, "lower", tolerance["otter"],
            f"{kind} of otter run (one submission per invocation, one at a time) over grader"
            " --jobs 2 (warm)"))  # fmt: skip
    found += [
        baseline.Ratio("grader/plain python + checks",
                       grader / seconds["plain python + checks"], "higher", tolerance["plain"],
                       f"{kind} of grader (warm) over plain python running the same notebooks"
                       " and checks, 2 at a time"),
        baseline.Ratio("grader/plain python code only",
                       grader / seconds["plain python, code only"], "higher", tolerance["code"],
                       f"{kind} of grader (warm) over plain python running the notebooks' code"),
        baseline.Ratio("cold/warm kernels", seconds["grader --jobs 2 --kernels cold"] / grader,
                       "lower", tolerance["cold"], f"{kind} of grader --kernels cold over warm"
                       " (what warm kernels save; lower: they save less)"),
    ]  # fmt: skip
    return found


def report(
    n: int, walls: dict[str, float], results: list[dict[str, Any]], imports: float, repeat: int
) -> None:
    print(f"\n{n} notebooks (4 assignments), median of {repeat} run(s)")
    print(f"{'contender':<32}{'wall s':>9}{'s/notebook':>12}")
    for label, wall in walls.items():
        print(f"{label:<32}{wall:>9.1f}{wall / n:>12.2f}")
    grader, one = walls["grader --jobs 2"], walls["grader --jobs 1"]
    lines = []
    if "nbgrader" in walls:
        nbgrader = walls["nbgrader"]
        lines += [
            ("nbgrader / grader --jobs 2", nbgrader / grader, "target >= 3"),
            ("nbgrader / grader --jobs 1", nbgrader / one, "target >= 1.5"),
        ]
    if "nbgrader, 2 processes" in walls:
        two = walls["nbgrader, 2 processes"]
        lines += [
            ("nbgrader 2 processes / grader --jobs 2", two / grader, ""),
            ("nbgrader / nbgrader 2 processes", walls["nbgrader"] / two, "its own speed-up"),
        ]
    if "otter run" in walls:
        lines.append(("otter run / grader --jobs 2", walls["otter run"] / grader, ""))
    lines += [
        ("grader --jobs 2 / plain python + checks", grader / walls["plain python + checks"],
         "target <= 1.0"),
        ("grader --jobs 2 / plain python, code only",
         grader / walls["plain python, code only"], ""),
        ("grader cold / warm kernels", walls["grader --jobs 2 --kernels cold"] / grader, ""),
        ("grader --jobs 1 / --jobs 2", one / grader, "what the second job saves"),
    ]  # fmt: skip
    print()
    for label, value, note in lines:
        print(f"{label:<44}{value:6.2f}" + (f"  ({note})" if note else ""))
    gradable = [r for r in results if r["gradable"]]
    print(f"\ngrader --jobs 2, per notebook, median over {len(gradable)} graded (seconds):")
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
