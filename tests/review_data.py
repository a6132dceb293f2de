"""A course and gradebook to review, made up without grading (for the review app's tests).

The fixture course's ``multi`` assignment, its manual question q3 given three rubric items,
and a gradebook of students whose results carry answers as the graded run would have kept
them: Markdown, a code cell with a plot (a PNG), an HTML table, and one answer that tries
every trick to run script or load something.
"""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

from grader.config import load_assignment
from grader.gradebook import Gradebook, default_url
from grader.grading_key import Stamp
from grader.models import AnswerCell, CheckResult, ManualAnswer
from grader.scoring import score
from tests.conftest import COURSE

RUBRIC = """
[[questions.q3.rubric]]
points = 2
text = "Names another measure of the centre"
key = "c"

[[questions.q3.rubric]]
points = -1
text = "Claims the mean ignores outliers"
"""

PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="

HOSTILE = (
    "<script>window.pwned = 1</script>\n\n"
    '<img src=x onerror="window.pwned = 2">\n\n'
    "![remote](https://example.invalid/track.png)\n\n"
    "[click](javascript:window.pwned=3)"
)


def answer(student: str) -> ManualAnswer:
    """The answer ``student`` gave to q3."""
    if student == "mallory":
        cells = (
            AnswerCell("markdown", HOSTILE),
            AnswerCell(
                "code",
                "show()",
                outputs=(
                    {
                        "output_type": "display_data",
                        "metadata": {},
                        "data": {
                            "text/html": "<b>bold</b><script>window.pwned = 4</script>"
                            '<img src="https://example.invalid/x.png" onerror="window.pwned=5">'
                            '<iframe src="https://example.invalid/"></iframe>',
                            "text/plain": "<HTML>",
                        },
                    },
                ),
            ),
        )
    else:
        cells = (
            AnswerCell("markdown", f"**{student.upper()}**: the mean is the *sum* over the count."),
            AnswerCell(
                "code",
                "plt.hist(x)",
                outputs=(
                    {"output_type": "stream", "name": "stdout", "text": f"mean {len(student)}\n"},
                    {
                        "output_type": "display_data",
                        "metadata": {},
                        "data": {"image/png": PNG, "text/plain": "<Figure>"},
                    },
                ),
            ),
        )
    return ManualAnswer("q3", cells, notebook="part2.ipynb")


def review_course(tmp_path: Path, students: list[str]) -> tuple[Path, str]:
    """A private course whose multi assignment has a 3-item rubric, and the URL of a gradebook
    holding a gradable result (q1 and q2 passed: 4 points) with a q3 answer per student."""
    course = tmp_path / "course"
    shutil.copytree(COURSE, course)
    settings = course / "solutions" / "multi" / "assignment.toml"
    settings.write_text(settings.read_text() + RUBRIC)
    assignment = load_assignment(course / "solutions" / "multi", "multi")
    url = default_url(course / "reports" / "multi")
    book = Gradebook(url)
    try:
        for n, student in enumerate(students):
            checks = [
                CheckResult("test_add", "q1", "public", "passed", 2.0, 2.0, notebook="part1"),
                CheckResult("test_mean", "q2", "hidden", "passed", 2.0, 2.0, notebook="part2"),
            ]
            result = dataclasses.replace(
                score(assignment, student, checks), answers=(answer(student),)
            )
            book.record(result, Stamp(f"c{n}", f"k{n}", None))
    finally:
        book.close()
    return course, url
