"""Feedback reports: JSON, HTML and Markdown per student, and the cohort summary page.

Rendered only from the Jinja2 templates in ``grader/templates``, through
:func:`grader.feedback.templates.environment`: HTML is autoescaped, Markdown escapes every value
and puts messages and tracebacks in code fences. Anything a student wrote or printed appears
as text, never as markup.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from grader.config import Assignment
from grader.errors import ReportError
from grader.feedback.images import figures_by_question
from grader.feedback.levels import FeedbackConfig, for_student
from grader.feedback.summary import summarize
from grader.feedback.templates import environment, safe_name
from grader.gradebook import latest_results
from grader.models import SubmissionResult

SUMMARY_PAGE = "index.html"
COURSE_PAGE = "index.html"
"""The course index in the reports folder (``reports/index.html``), beside the assignments'."""


@dataclass(frozen=True)
class AssignmentRow:
    """One assignment on the course index: how its batch went."""

    name: str
    title: str
    submissions: int
    graded: int
    """Gradable results (a notebook that could not be graded is not one)."""
    mean: float
    """The mean total of the graded results."""
    possible: float
    ungradable: int
    awaiting: int
    """Results with a manual question still to grade."""

    @property
    def link(self) -> str:
        """Its cohort summary, relative to the course index."""
        return f"{safe_name(self.name)}/{SUMMARY_PAGE}"

    @property
    def percent(self) -> float:
        """The mean score as a percentage of the possible points."""
        return 100 * self.mean / self.possible if self.possible else 0.0

    @classmethod
    def of(cls, name: str, title: str, results: Sequence[SubmissionResult]) -> AssignmentRow:
        """The row of a batch's results."""
        graded = [r for r in results if r.gradable]
        return cls(
            name=name,
            title=title,
            submissions=len(results),
            graded=len(graded),
            mean=sum(r.total for r in graded) / len(graded) if graded else 0.0,
            possible=max((r.possible for r in graded), default=0.0),
            ungradable=len(results) - len(graded),
            awaiting=sum(1 for r in graded if r.awaiting_manual),
        )


def write_course_index(reports: Path, rows: Sequence[AssignmentRow], title: str) -> Path:
    """Write ``reports/index.html``: every assignment's line, linking its cohort summary.

    Raises:
        ReportError: the page cannot be written.
    """
    page = reports / COURSE_PAGE
    template = environment("html").get_template("course.html.j2")
    write_report(page, template.render(rows=rows, title=title))
    return page


def write_student_reports(
    result: SubmissionResult, out_dir: Path, feedback: FeedbackConfig | None = None
) -> list[Path]:
    """Write ``<student>.json``, ``.html`` and ``.md`` into ``out_dir``; return their paths.

    The pages show each check as ``feedback`` allows now (:mod:`grader.feedback.levels`); the
    JSON, the instructor's, keeps everything.

    Raises:
        ReportError: ``out_dir`` or a file in it cannot be written.
    """
    stem = safe_name(result.student)
    shown = for_student(result, feedback)
    pages = {
        out_dir / f"{stem}.json": json.dumps(result.to_dict(), indent=2) + "\n",
        out_dir / f"{stem}.html": render_student_html(shown),
        out_dir / f"{stem}.md": render_student_markdown(shown),
    }
    for path, text in pages.items():
        write_report(path, text)
    return list(pages)


def write_report(path: Path, text: str, newline: str | None = None) -> None:
    """Write ``text`` to ``path``, its folders made as needed (``newline`` as in :func:`open`).

    Raises:
        ReportError: it cannot be written (a file where a folder should be, no space, …).
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline=newline)
    except OSError as exc:
        raise ReportError(f"cannot write {path}: {exc.strerror or exc}") from exc


@dataclass(frozen=True)
class Rendered:
    """What :func:`render_from_gradebook` wrote."""

    students: int
    summary: Path


def render_from_gradebook(
    name: str, gradebook_url: str, out_dir: Path, assignment: Assignment | None = None
) -> Rendered:
    """Re-render every student's feedback and the summary of ``name`` from the gradebook.

    Nothing is graded again: the latest stored result of each student is rendered, with the
    manual grades applied when the assignment's settings are given.

    Raises:
        GradebookError: the gradebook does not exist or holds no result of ``name``.
    """
    results = latest_results(gradebook_url, name, assignment, answers=True)
    for result in results:
        write_student_reports(result, out_dir, assignment.feedback if assignment else None)
    return Rendered(len(results), write_summary(name, results, out_dir))


SIMILARITY_PAGE = "similarity.html"
"""``grader similarity``'s page, in the same folder: the summary links to it when it is there."""


def write_summary(assignment: str, results: Iterable[SubmissionResult], out_dir: Path) -> Path:
    """Write the cohort summary ``index.html`` of ``results`` into ``out_dir``; its path.

    Raises:
        ReportError: ``out_dir`` or the page cannot be written.
    """
    page = out_dir / SUMMARY_PAGE
    similarity = (out_dir / SIMILARITY_PAGE).is_file()
    write_report(page, render_summary(assignment, results, similarity))
    return page


def render_student_html(result: SubmissionResult) -> str:
    """The student's feedback page."""
    template = environment("html").get_template("student.html.j2")
    return template.render(r=result, figures=figures_by_question(result))


def render_student_markdown(result: SubmissionResult) -> str:
    """The student's feedback in Markdown (for a CI job summary or a pull-request comment)."""
    text = environment("markdown").get_template("student.md.j2").render(r=result)
    return re.sub(r"\n{3,}", "\n\n", text)


def render_summary(
    assignment: str, results: Iterable[SubmissionResult], similarity: bool = False
) -> str:
    """The instructor's cohort summary page (``similarity``: link to the similarity page)."""
    summary = summarize(assignment, results)
    return (
        environment("html")
        .get_template("summary.html.j2")
        .render(s=summary, similarity=SIMILARITY_PAGE if similarity else "")
    )
