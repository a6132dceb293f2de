"""Manual grades: the rubric arithmetic, storage beside the attempts, reports and exports.

No kernel: results are scored from made-up checks (:func:`grader.scoring.score`) and recorded
in a temporary gradebook. `test_manual_csv.py` covers the offline CSV round trip.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from grader.config import Assignment, load_assignment
from grader.errors import IncompleteGrades
from grader.feedback.report import render_student_html, render_student_markdown
from grader.gradebook import Gradebook, Stamp, default_url, latest_results
from grader.integrations.export import canvas_csv, export_grades, grades_csv
from grader.manual import ManualGrade, apply_manual_grades, question_score
from grader.models import CheckResult, SubmissionResult
from grader.scoring import score
from grader.settings import LatePolicy, QuestionConfig, RubricItem
from tests.conftest import COURSE

Q8 = QuestionConfig(
    manual=True,
    points=4,
    rubric=(
        RubricItem(3, "Names the metric"),
        RubricItem(2, "Justifies it"),
        RubricItem(-1, "No units"),
    ),
)


def multi() -> Assignment:
    return load_assignment(COURSE / "solutions" / "multi", "multi")


def checked(student: str = "ada", passed: bool = True) -> SubmissionResult:
    """A multi result: q1 (2 points) and q2 (2 checks, 1 point each) scored, q3 awaiting."""
    checks = [
        CheckResult("test_add", "q1", "public", "passed", 2.0, 2.0, notebook="part1"),
        CheckResult(
            "test_mean",
            "q2",
            "hidden",
            "passed" if passed else "failed",
            1.0 if passed else 0.0,
            1.0,
            notebook="part2",
        ),
        CheckResult(
            "test_part1_is_not_visible_here", "q2", "hidden", "passed", 1.0, 1.0, notebook="part2"
        ),
    ]
    return score(multi(), student, checks)


def grade(items: tuple[int, ...] = (), adjustment: float = 0.0, comment: str = "") -> ManualGrade:
    return ManualGrade("ada", "q3", items, adjustment, comment, "tess")


# --- the arithmetic -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("items", "adjustment", "expected"),
    [
        ((), 0.0, 0.0),
        ((1,), 0.0, 3.0),
        ((1, 2), 0.0, 4.0),  # 5 clamped to the question's 4 points
        ((1, 3), 0.0, 2.0),  # a negative item takes off
        ((3,), 0.0, 0.0),  # never under 0
        ((2,), 1.5, 3.5),
        ((1,), -2.5, 0.5),
        ((), 9.0, 4.0),
        ((1, 1), 0.0, 3.0),  # an item counts once
        ((7,), 1.0, 1.0),  # an item no longer in the rubric counts nothing
    ],
)
def test_a_manual_score_is_items_plus_adjustment_clamped_to_the_points(items, adjustment, expected):
    assert question_score(Q8, ManualGrade("ada", "q8", items, adjustment)) == expected


def test_a_graded_manual_question_counts_in_total_and_possible():
    before = checked()
    assert (before.total, before.possible, [q.name for q in before.awaiting_manual]) == (
        4,
        4,
        ["q3"],
    )
    after = apply_manual_grades(before, {("ada", "q3"): grade((1,), -0.5, "ok")}, multi())
    q3 = next(q for q in after.questions if q.name == "q3")
    assert (q3.score, q3.possible, q3.awaiting, q3.comment, q3.graded_by) == (
        2.5,
        3,
        False,
        "ok",
        "tess",
    )
    assert [(i.number, i.text, i.points) for i in q3.rubric] == [
        (1, "Says the mean is the sum divided by the count", 3.0)
    ]
    assert (after.total, after.possible, after.awaiting_manual) == (6.5, 7, ())


def test_an_ungraded_manual_question_stays_awaiting_and_other_students_are_untouched():
    result = checked("ben")
    assert apply_manual_grades(result, {("ada", "q3"): grade((1,))}, multi()) == result


def test_the_rubric_as_it_is_now_scores_a_stored_grade():
    edited = multi()
    q3 = edited.questions["q3"]
    rubric = (dataclasses.replace(q3.rubric[0], points=2.0, text="Sum over count"),)
    edited = dataclasses.replace(
        edited, questions={**edited.questions, "q3": dataclasses.replace(q3, rubric=rubric)}
    )
    after = apply_manual_grades(checked(), {("ada", "q3"): grade((1,))}, edited)
    q = next(q for q in after.questions if q.name == "q3")
    assert (q.score, q.rubric[0].text, after.total) == (2.0, "Sum over count", 6.0)


def test_the_late_penalty_is_a_fraction_of_the_possible_points_manual_ones_included():
    late = dataclasses.replace(
        multi(), late=LatePolicy(dt.datetime(2026, 12, 1, tzinfo=dt.UTC), penalty_per_day=0.1)
    )
    result = dataclasses.replace(
        checked(), submitted_at="2026-12-02T12:00:00Z", days_late=2, penalty=0.8, total=3.2
    )
    after = apply_manual_grades(result, {("ada", "q3"): grade((1,))}, late)
    assert (after.score_before_penalty, after.possible, after.days_late) == (7.0, 7.0, 2)
    assert (after.penalty, after.total) == (1.4, 5.6)  # 20% of 7 possible


# --- storage ------------------------------------------------------------------------------


@pytest.fixture
def book(tmp_path):
    gradebook = Gradebook(default_url(tmp_path / "out"))
    yield gradebook
    gradebook.close()


def test_regrading_the_autograded_part_keeps_the_manual_grades(book):
    book.record(checked(passed=False), Stamp("c1", "k1", None))
    book.save_manual_grades("multi", [grade((1,), 0, "good")])
    book.record(checked(passed=True), Stamp("c1", "k1", None))  # --force: same version again
    book.record(checked(passed=True), Stamp("c2", "k2", None))  # a new version, or a new check
    [latest] = latest_results(book.url, "multi", multi())
    assert (latest.total, latest.possible, latest.awaiting_manual) == (7.0, 7.0, ())
    assert book.manual_grades("multi")[("ada", "q3")].comment == "good"


def test_saving_the_same_grade_again_changes_nothing_not_even_its_time(book):
    first = dataclasses.replace(grade((1,)), graded_at="2026-12-03T10:00:00+00:00")
    assert book.save_manual_grades("multi", [first]) == 1
    assert book.save_manual_grades("multi", [dataclasses.replace(first, graded_at="")]) == 0
    assert book.save_manual_grades("multi", [grade((1,), 1.0)]) == 1
    stored = book.manual_grades("multi")[("ada", "q3")]
    assert (stored.adjustment, stored.graded_at != first.graded_at) == (1.0, True)


def test_a_grade_without_a_grader_is_the_os_users(book, monkeypatch):
    monkeypatch.setattr("getpass.getuser", lambda: "prof")
    book.save_manual_grades("multi", [ManualGrade("ada", "q3", (1,))])
    assert book.manual_grades("multi")[("ada", "q3")].grader == "prof"


def test_latest_results_without_the_assignment_leave_manual_questions_awaiting(book):
    book.record(checked(), Stamp("c1", "k1", None))
    book.save_manual_grades("multi", [grade((1,))])
    [plain] = latest_results(book.url, "multi")
    assert [q.name for q in plain.awaiting_manual] == ["q3"]


# --- what students and exports see --------------------------------------------------------

EVIL = '<script>alert(1)</script><img src=x onerror="steal()"> [link](http://evil)'


def test_the_students_page_shows_applied_items_adjustment_and_comment_escaped():
    evil_rubric = multi()
    q3 = evil_rubric.questions["q3"]
    evil_rubric = dataclasses.replace(
        evil_rubric,
        questions={**evil_rubric.questions, "q3": dataclasses.replace(
            q3, rubric=(RubricItem(3, "Sum <b>over</b> count"),))},
    )  # fmt: skip
    result = apply_manual_grades(checked(), {("ada", "q3"): grade((1,), -1, EVIL)}, evil_rubric)
    html = render_student_html(result)
    assert 'id="manual-q3"' in html and "2 / 3" in html
    assert "Sum &lt;b&gt;over&lt;/b&gt; count" in html and "+3" in html
    assert "Adjustment: -1" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert" not in html and "<img src=x" not in html and "<b>over" not in html
    assert "Graded by tess" in html
    md = render_student_markdown(result)
    assert "## Graded by hand" in md and "Adjustment: -1" in md
    assert "<script>" not in md.split("```text")[0]  # outside the fenced comment: escaped
    assert "```text\n" + EVIL + "\n```" in md
    assert "Sum \\<b\\>over\\</b\\> count" in md or "Sum &lt;b&gt;" in md


def test_exports_include_manual_points_and_canvas_fills_a_fully_graded_student(book):
    book.record(checked("ada"), Stamp("c1", "k1", None))
    book.record(checked("ben"), Stamp("c2", "k2", None))
    book.save_manual_grades("multi", [grade((1,))])
    rows = {r.split(",")[0]: r for r in export_grades(multi(), "csv", book.url).splitlines()}
    # student,total,possible,percent,…,q1,q2,q3,notebook:part1,notebook:part2,gradable,reason,awaiting
    assert rows["ada"] == "ada,7,7,100.00,7,0,0,,2,2,3,2,5,true,,"
    assert rows["ben"] == "ben,4,4,100.00,4,0,0,,2,2,awaiting,2,2,true,,q3"
    canvas = export_grades(multi(), "canvas", book.url).splitlines()
    assert canvas[1].endswith(",7") and canvas[2] == "ada,,,ada,,7" and canvas[3] == "ben,,,ben,,"


def test_require_manual_refuses_an_export_until_every_manual_question_is_graded(book):
    book.record(checked("ada"), Stamp("c1", "k1", None))
    book.record(checked("ben"), Stamp("c2", "k2", None))
    book.save_manual_grades("multi", [grade((1,))])
    for to in ("csv", "canvas"):
        with pytest.raises(IncompleteGrades, match=r"^1 manual grade of multi still to give "
                           r"\(1 student: ben\): grade them with `grader review multi`"):  # fmt: skip
            export_grades(multi(), to, book.url, require_manual=True)
    book.save_manual_grades("multi", [dataclasses.replace(grade(()), student="ben")])
    assert export_grades(multi(), "csv", book.url, require_manual=True).count("\n") == 3


def test_the_pure_exports_show_the_applied_points():
    result = apply_manual_grades(checked(), {("ada", "q3"): grade((), 2.0)}, multi())
    assert grades_csv([result], multi()).splitlines()[1].startswith("ada,6,7,")
    assert canvas_csv([result], multi()).splitlines()[2] == "ada,,,ada,,6"


def test_a_recorded_submission_remembers_where_its_notebooks_were(book, tmp_path):
    files = (str(tmp_path / "ada" / "part1.ipynb"), str(tmp_path / "ada" / "part2.ipynb"))
    book.record(checked(), Stamp("c1", "k1", None, files))
    book.record(checked(), Stamp("c1", "k1", None, files))  # replaced, not doubled
    assert book.notebook_paths("multi") == {"ada": tuple(Path(f) for f in files)}
