"""`export --to csv|canvas` from a gradebook written by hand in a temporary SQLite file.

`test_export.py` grades real notebooks first; here the gradebook is filled through its API
with results whose every value is known, so each column is pinned without a kernel.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from grader.config import Assignment
from grader.errors import GradebookError
from grader.gradebook import Gradebook, Stamp
from grader.integrations.export import export_grades
from grader.models import CheckResult, QuestionResult, SubmissionResult
from grader.settings import QuestionConfig

MINI = Assignment("mini", Path("/nowhere/mini"), "Mini", "mini.ipynb",
                  questions={"q2": QuestionConfig(), "q1": QuestionConfig()})  # fmt: skip


def scored(student: str, q1: float, q2: float, **late: object) -> SubmissionResult:
    questions = (
        QuestionResult("q1", "", q1, 3.0, False, int(q1 == 3), 1),
        QuestionResult("q2", "", q2, 2.5, True, int(q2 == 2.5), 1),
    )
    checks = (CheckResult("test_q1", "q1", "public", "passed" if q1 else "failed", q1, 3.0),)
    total = q1 + q2 - float(late.get("penalty", 0.0))  # type: ignore[arg-type]
    return SubmissionResult("mini", student, True, total, 5.5, questions, checks, **late)  # type: ignore[arg-type]


@pytest.fixture
def url(tmp_path):
    """ada late (two attempts, the later counts), ben partly, zed ungradable, eve another title."""
    url = f"sqlite:///{tmp_path / 'gradebook.sqlite'}"
    book = Gradebook(url)
    try:
        book.record(scored("ada", 0.0, 0.0), Stamp("a1", "a1", None))
        book.record(
            scored("ada", 3.0, 2.5, penalty=1.1, days_late=2, minutes_late=1470.0,
                   submitted_at="2026-01-11T12:30:00Z"),
            Stamp("a2", "a2", "2026-01-11T12:30:00+00:00"),
        )  # fmt: skip
        book.record(scored("ben", 3.0, 0.0), Stamp("b1", "b1", None))
        zed = SubmissionResult("mini", "zed", False, 0.0, 0.0, reason='not valid JSON, "really"')
        book.record(zed, Stamp("z1", "z1", None))
        other = SubmissionResult("other", "ada", True, 9.0, 9.0)
        book.record(other, Stamp("o1", "o1", None))
    finally:
        book.close()
    return url


def table(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_csv_has_a_row_per_student_from_their_latest_result(url):
    rows = table(export_grades(MINI, "csv", url))
    assert rows[0] == ["student", "total", "possible", "percent", "score_before_penalty",
                       "late_penalty", "days_late", "submitted_at", "q2", "q1", "gradable",
                       "reason", "awaiting_manual"]  # fmt: skip
    assert rows[1:] == [
        ["ada", "4.4", "5.5", "80.00", "5.5", "1.1", "2", "2026-01-11T12:30:00Z", "2.5", "3",
         "true", "", ""],
        ["ben", "3", "5.5", "54.55", "3", "0", "0", "", "0", "3", "true", "", ""],
        ["zed", "0", "0", "0.00", "0", "0", "0", "", "", "", "false", 'not valid JSON, "really"',
         ""],
    ]  # fmt: skip


def test_csv_adds_a_column_for_a_question_only_the_results_know(url, tmp_path):
    bare = Assignment("mini", Path("/nowhere/mini"), "Mini", "mini.ipynb")
    assert table(export_grades(bare, "csv", url))[0][8:10] == ["q1", "q2"]


def test_canvas_has_its_header_the_points_possible_and_blank_for_ungradable(url):
    rows = table(export_grades(MINI, "canvas", url))
    assert rows == [
        ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Mini"],
        ["Points Possible", "", "", "", "", "5.5"],
        ["ada", "", "", "ada", "", "4.4"],
        ["ben", "", "", "ben", "", "3"],
        ["zed", "", "", "zed", "", ""],
    ]


def test_canvas_names_an_existing_assignment_by_its_id(url):
    header = table(export_grades(MINI, "canvas", url, canvas_id="4711"))[0]
    assert header[-1] == "Mini (4711)"


def test_an_assignment_without_results_is_a_gradebook_error(url):
    nothing = Assignment("nothing", Path("/nowhere/nothing"), "Nothing", "n.ipynb")
    with pytest.raises(GradebookError, match="holds no results of nothing"):
        export_grades(nothing, "csv", url)


def test_a_missing_gradebook_file_is_an_error_and_is_not_created(tmp_path):
    path = tmp_path / "none" / "gradebook.sqlite"
    with pytest.raises(GradebookError, match=r"no gradebook at .*: grade mini first"):
        export_grades(MINI, "canvas", f"sqlite:///{path}")
    assert not path.exists()


def test_a_student_awaiting_manual_grading_is_marked_in_the_csv_and_blank_for_canvas():
    from grader.integrations.export import canvas_csv, grades_csv
    from grader.models import QuestionResult, SubmissionResult

    waiting = QuestionResult("q8", "", 0.0, 4.0, False, 0, 0, manual=True, awaiting=True)
    done = QuestionResult("q1", "", 2.0, 2.0, False, 1, 1)
    ada = SubmissionResult("mini", "ada", True, 2.0, 2.0, questions=(done, waiting))
    rows = table(grades_csv([ada], MINI))
    assert rows[1][rows[0].index("q8")] == "awaiting" and rows[1][-1] == "q8"
    canvas = table(canvas_csv([ada], MINI))
    assert canvas[1][-1] == "6" and canvas[2] == ["ada", "", "", "ada", "", ""]
