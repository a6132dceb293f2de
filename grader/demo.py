"""The bundled demo cohort: ``examples/cohort/<student>/<assignment>.ipynb``.

Beside the students' folders, ``examples/cohort/<assignment>-manual.csv`` (the file name
``grader export NAME --to manual-csv`` writes) holds an instructor's grades of the
assignment's manual questions, which ``grader demo`` imports after grading it. It is a file,
not a folder: a folder there would be taken for a student's.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path

from grader.config import Assignment
from grader.errors import SubmissionError
from grader.feedback.report import render_from_gradebook
from grader.gradebook import default_url, latest_results
from grader.integrations.manual_csv import Imported, import_grades
from grader.models import SubmissionResult
from grader.submissions import Submission

MANUAL_SUFFIX = "-manual.csv"
"""``<assignment>-manual.csv``: the demo's manual grades of an assignment."""


DEMO_PARTS = ("solutions", "examples/cohort")
"""What the demo course is: the course's solutions and its demo cohort."""


def copy_demo_course(dest: Path) -> Path:
    """Copy the demo course into ``dest`` (new or empty), for ``grader demo --to DIR``.

    From the wheel (``grader/_demo/``, packed there at build time), or, in a clone installed
    for development, from the clone itself.

    Raises:
        SubmissionError: ``dest`` is not empty, or this installation carries no demo course.
    """
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise SubmissionError(
            f"{dest} is not an empty folder: give a new one to copy the demo into"
        )
    packed = Path(__file__).resolve().parent / "_demo"
    clone = Path(__file__).resolve().parents[1]
    source = next(
        (root for root in (packed, clone) if (root / "examples" / "cohort").is_dir()), None
    )
    if source is None:
        raise SubmissionError("this installation of grader carries no demo course")
    # solutions/.secret comes along: the demo course's own secret, public and for the demo only
    # (data-wrangling's data variants are rebuilt from it, so the scores are the documented ones).
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for part in DEMO_PARTS:
        shutil.copytree(source / part, dest / part, ignore=ignore)
    return dest


def demo_cohort(course: Path) -> dict[str, list[Submission]]:
    """The demo submissions of each assignment that has a solution in ``course``.

    Raises:
        SubmissionError: the course has no demo cohort.
    """
    cohort = course / "examples" / "cohort"
    if not cohort.is_dir():
        raise SubmissionError(f"no demo cohort at {cohort}")
    found: dict[str, list[Submission]] = {}
    for student in sorted(p for p in cohort.iterdir() if p.is_dir()):
        for notebook in sorted(student.glob("*.ipynb")):
            if (course / "solutions" / notebook.stem).is_dir():
                found.setdefault(notebook.stem, []).append(Submission(student.name, notebook))
    if not found:
        raise SubmissionError(f"the demo cohort at {cohort} holds no notebooks")
    return found


def demo_grades(course: Path, assignment: str) -> Path | None:
    """The demo's manual grades of ``assignment`` (a manual-csv file), or None when it has none."""
    path = course / "examples" / "cohort" / f"{assignment}{MANUAL_SUFFIX}"
    return path if path.is_file() else None


def import_demo_grades(
    assignment: Assignment, grades: Path, output: Path, graded: Sequence[SubmissionResult]
) -> tuple[Imported, list[SubmissionResult]]:
    """Import ``grades`` into the gradebook in ``output`` and render its reports again.

    Returns what was imported and the results of the ``graded`` students, their manual grades
    applied, in the same order.

    Raises:
        ManualCsvError: the file does not fit the assignment or its results (nothing written).
        GradebookError: the gradebook cannot be read or written.
        ReportError: the file cannot be read or a report cannot be written.
    """
    url = default_url(output)
    done = import_grades(assignment, url, grades)
    render_from_gradebook(assignment.name, url, output, assignment=assignment)
    latest = {r.student: r for r in latest_results(url, assignment.name, assignment)}
    return done, [latest.get(r.student, r) for r in graded]
