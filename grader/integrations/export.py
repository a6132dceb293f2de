"""Grades out of the gradebook, and the assignment out to Gradescope.

- :func:`grades_csv`: one row per student (latest result): scores, late penalty, questions.
- :func:`canvas_csv`: Canvas's gradebook import columns; our student key is the
  ``SIS Login ID`` (and the ``Student`` name); ungradable submissions are left blank.
- ``manual-csv``: manual grades to fill in offline (:mod:`grader.integrations.manual_csv`).
- :func:`gradescope_autograder`: a zip to upload as a Gradescope autograder: ``setup.sh``
  installs Python, bubblewrap and the grader; ``run_autograder`` grades the submitted notebook
  with ``--format gradescope`` into ``results/results.json``. It holds the assignment's
  settings, checks (hidden ones included) and released files, never the solution notebook:
  it is for the instructor to upload, never for students.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Sequence
from pathlib import Path

from grader.config import Assignment
from grader.errors import AssignmentError, IncompleteGrades, ReportError
from grader.feedback.templates import environment
from grader.gradebook import latest_results
from grader.integrations.manual_csv import manual_csv
from grader.models import SubmissionResult

DEFAULT_INSTALL = "git+https://github.com/YOUR-COURSE/grader.git"
"""The pip spec of the grader in generated scripts until the course gives its own."""

EXPORTS = ("csv", "canvas", "gradescope", "manual-csv")


def _num(x: float) -> str:
    return f"{x:g}"


def grades_csv(results: Sequence[SubmissionResult], assignment: Assignment) -> str:
    """One row per student: scores, late penalty, per-question scores, gradable, reason.

    A multi-notebook assignment also gets a column per notebook (``notebook:<stem>``, the sum
    of its graded questions).
    """
    questions = list(assignment.questions)
    for result in results:
        questions += [q.name for q in result.questions if q.name not in questions]
    notebooks = [Path(n).stem for n in assignment.notebooks] if assignment.multi_notebook else []
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "student",
            "total",
            "possible",
            "percent",
            "score_before_penalty",
            "late_penalty",
            "days_late",
            "submitted_at",
            *questions,
            *(f"notebook:{n}" for n in notebooks),
            "gradable",
            "reason",
            "awaiting_manual",
        ]
    )
    for r in results:
        scores = {q.name: "awaiting" if q.awaiting else _num(q.score) for q in r.questions}
        by_notebook = {
            n: _num(sum(q.score for q in r.questions if q.notebook == n and not q.awaiting))
            for n in notebooks
        }
        writer.writerow(
            [
                r.student,
                _num(r.total),
                _num(r.possible),
                f"{r.percent:.2f}",
                _num(r.score_before_penalty),
                _num(r.penalty),
                r.days_late,
                r.submitted_at or "",
                *(scores.get(q, "") for q in questions),
                *(by_notebook[n] if r.gradable else "" for n in notebooks),
                str(r.gradable).lower(),
                r.reason,
                " ".join(q.name for q in r.awaiting_manual),
            ]
        )
    return out.getvalue()


def canvas_csv(
    results: Sequence[SubmissionResult], assignment: Assignment, canvas_id: str | None = None
) -> str:
    """Canvas's gradebook import CSV.

    Columns ``Student, ID, SIS User ID, SIS Login ID, Section`` and one for the assignment,
    ``Title (canvas_id)`` (without an id, Canvas creates the assignment), after a ``Points
    Possible`` row (every question's points, manual ones included). Ungradable submissions,
    and those still awaiting manual grading (a partial score is not the grade), are left blank.
    """
    column = f"{assignment.title} ({canvas_id})" if canvas_id else assignment.title
    possible = max(
        (r.possible + sum(q.possible for q in r.awaiting_manual) for r in results if r.gradable),
        default=0.0,
    )
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Student", "ID", "SIS User ID", "SIS Login ID", "Section", column])
    writer.writerow(["Points Possible", "", "", "", "", _num(possible)])
    for r in results:
        final = r.gradable and not r.awaiting_manual
        writer.writerow([r.student, "", "", r.student, "", _num(r.total) if final else ""])
    return out.getvalue()


def export_grades(
    assignment: Assignment,
    to: str,
    gradebook_url: str,
    canvas_id: str | None = None,
    require_manual: bool = False,
) -> str:
    """The CSV (``to``: ``csv``, ``canvas`` or ``manual-csv``) of the gradebook's results.

    Each student's latest result, with the manual grades applied (``manual-csv``: see
    :mod:`grader.integrations.manual_csv`). ``require_manual``: refuse while any gradable
    result still awaits manual grading.

    Raises:
        GradebookError: the gradebook does not exist, cannot be opened or read, or has no
            results for the assignment.
        IncompleteGrades: ``require_manual`` and some manual question is not graded yet.
    """
    if to == "manual-csv":
        return manual_csv(assignment, gradebook_url)
    results = latest_results(gradebook_url, assignment.name, assignment)
    waiting = [r for r in results if r.gradable and r.awaiting_manual]
    if require_manual and waiting:
        count = sum(len(r.awaiting_manual) for r in waiting)
        names = ", ".join(r.student for r in waiting[:5]) + (", …" if len(waiting) > 5 else "")
        raise IncompleteGrades(
            f"{count} manual grade{'s' if count != 1 else ''} of {assignment.name} still to give "
            f"({len(waiting)} student{'s' if len(waiting) != 1 else ''}: {names}): "
            f"grade them with `grader review {assignment.name}` or import-grades"
        )
    if to == "canvas":
        return canvas_csv(results, assignment, canvas_id)
    return grades_csv(results, assignment)


def autograder_files(assignment: Assignment, install: str) -> dict[str, bytes]:
    """The autograder's files: path in the zip -> bytes."""
    env = environment("shell")
    values = {"name": assignment.name, "notebook": assignment.notebook, "install": install}
    files = {
        "setup.sh": env.get_template("gradescope_setup.sh.j2").render(**values).encode(),
        "run_autograder": env.get_template("run_autograder.j2").render(**values).encode(),
    }
    base = f"solutions/{assignment.name}"
    for path in assignment.files("graded"):
        files[f"{base}/{path.relative_to(assignment.root).as_posix()}"] = path.read_bytes()
    return files


def gradescope_autograder(assignment: Assignment, dest: Path, install: str) -> Path:
    """Write the Gradescope autograder zip of ``assignment`` to ``dest``; return ``dest``.

    Raises:
        AssignmentError: the assignment has no checks.
        ReportError: ``dest`` cannot be written.
    """
    if not assignment.hidden_tests.is_dir() and not assignment.public_tests.is_dir():
        raise AssignmentError(f"{assignment.root} has no tests/ to grade with")
    files = autograder_files(assignment, install)
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, data in files.items():
                info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
                executable = name in {"setup.sh", "run_autograder"}
                info.external_attr = (0o100755 if executable else 0o100644) << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                zf.writestr(info, data)
    except OSError as exc:
        raise ReportError(f"cannot write {dest}: {exc.strerror or exc}") from exc
    return dest
