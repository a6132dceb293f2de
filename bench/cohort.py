"""The demo cohort as the benchmarks grade it, and the scores every grading run must give.

``examples/cohort/expected.json`` holds the score of every demo notebook (the test suite
asserts them exactly); a benchmark that grades with grader checks its results against it, so a
broken or crashed run fails instead of looking fast.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import baseline

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "examples" / "cohort"
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
"""The demo students the benchmarks grade. Left out: ``jack-infinite-loop`` (waits out 30 s time
limits), ``kim-memory-hog`` (tens of GiB: nbgrader has no memory limit), ``leo-huge-output``
(megabytes of output) and ``mia-empty`` (unreadable files): what they cost is their limits'."""


def expected_scores() -> dict[str, dict[str, float]]:
    """Per student, per assignment: the score grader must give."""
    scores: dict[str, dict[str, float]] = json.loads((DEMO / "expected.json").read_text())
    return scores


def submissions(dest: Path, assignment: str, students: tuple[str, ...] = STUDENTS) -> Path:
    """``dest/STUDENT/ASSIGNMENT.ipynb`` for each student; ``dest``."""
    for student in students:
        (dest / student).mkdir(parents=True)
        shutil.copy(DEMO / student / f"{assignment}.ipynb", dest / student)
    return dest


def build_cohort(work: Path, students: tuple[str, ...] = STUDENTS) -> Path:
    """``work/cohort/NAME/STUDENT/NAME.ipynb`` for each of :data:`ASSIGNMENTS` and student."""
    for assignment in ASSIGNMENTS:
        submissions(work / "cohort" / assignment, assignment, students)
    return work / "cohort"


def check_results(results: list[Any], assignment: str, folder: Path, label: str) -> None:
    """Fail unless ``results`` grade each student under ``folder`` once, with the expected score."""
    want = expected_scores()
    students = sorted(p.name for p in folder.iterdir() if p.is_dir())
    got = sorted(r["student"] for r in results)
    if got != students:
        raise baseline.fail(f"{label}: {assignment} results for {got}, expected {students}")
    wrong = [
        f"{r['student']}: {r['total']} (expected {want[r['student']][assignment]})"
        + (f", {r['reason']}" if r.get("reason") else "")
        for r in results
        if abs(r["total"] - want[r["student"]][assignment]) > 1e-9 or r.get("grader_failure")
    ]
    if wrong:
        raise baseline.fail(f"{label}: {assignment} scored wrong: " + "; ".join(wrong))


def fully_passed(result: dict[str, Any]) -> tuple[int, int]:
    """Questions whose every check passed, and questions, in a grader result (questions graded
    by hand have no checks: they are left out)."""
    questions = [q for q in result.get("questions") or [] if not q.get("manual")]
    return sum(q["passed"] == q["checks"] for q in questions), len(questions)
