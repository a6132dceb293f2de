"""The demo cohort's bundled manual grades: where ``grader demo`` finds them, and that they fit
the assignment and ``expected-manual.json`` (no kernel: results are made up from expected.json)."""

from __future__ import annotations

import json

import pytest

from grader.config import solution_assignment
from grader.demo import copy_demo_course, demo_cohort, demo_grades
from grader.errors import SubmissionError
from grader.integrations.manual_csv import parse_manual_csv
from grader.manual import apply_manual_grades
from grader.models import QuestionResult, SubmissionResult
from grader.submissions import find_submissions
from tests.conftest import ASSIGNMENTS, COHORT, ROOT

BUNDLED = COHORT / "model-evaluation-manual.csv"


def test_demo_grades_are_found_for_model_evaluation_only():
    assert demo_grades(ROOT, "model-evaluation") == BUNDLED
    assert BUNDLED.is_file()
    assert [name for name in ASSIGNMENTS if demo_grades(ROOT, name) is not None] == [
        "model-evaluation"
    ]


def test_demo_grades_lookup_in_another_course(tmp_path):
    assert demo_grades(tmp_path, "model-evaluation") is None  # no demo cohort at all
    cohort = tmp_path / "examples" / "cohort"
    cohort.mkdir(parents=True)
    assert demo_grades(tmp_path, "model-evaluation") is None
    (cohort / "model-evaluation-manual.csv").mkdir()  # a folder is not a grades file
    assert demo_grades(tmp_path, "model-evaluation") is None
    (cohort / "essay-manual.csv").write_text("student,question\n")
    assert demo_grades(tmp_path, "essay") == cohort / "essay-manual.csv"
    assert demo_grades(tmp_path, "ess") is None
    assert demo_grades(tmp_path, "essay-manual") is None


def test_the_grades_file_is_nobodys_submission():
    """Beside the students' folders, it must not become a student of the cohort."""
    assignment = solution_assignment(ROOT, "model-evaluation")
    with find_submissions(assignment, [COHORT]) as found:
        students = sorted(s.student for s in found)
    expected = json.loads((COHORT / "expected.json").read_text())
    assert students == sorted(expected)
    assert sorted(s.student for s in demo_cohort(ROOT)["model-evaluation"]) == students


def test_bundled_grades_fit_the_rubric_and_expected_manual():
    """expected-manual.json = expected.json + each Q8 grade of the bundled file, scored with
    the rubric of solutions/model-evaluation/assignment.toml as it is now."""
    assignment = solution_assignment(ROOT, "model-evaluation")
    q8 = assignment.questions["q8"]
    assert q8.manual and q8.points == 4 and 3 <= len(q8.rubric) <= 5
    assert all(item.key for item in q8.rubric)
    assert sum(item.points for item in q8.rubric if item.points > 0) == q8.points
    autograded = {s: v["model-evaluation"] for s, v in _json("expected.json").items()}
    want = {s: v["model-evaluation"] for s, v in _json("expected-manual.json").items()}
    assert set(want) == set(autograded)

    results = [_made_up(student, total) for student, total in autograded.items()]
    grades = parse_manual_csv(BUNDLED.read_text(encoding="utf-8"), assignment, results)
    assert sorted(g.student for g in grades) == sorted(s for s in autograded if s != "mia-empty")
    assert any(g.adjustment for g in grades)
    assert sum(bool(g.comment) for g in grades) > len(grades) / 2
    by_key = {(g.student, g.question): g for g in grades}
    got = {r.student: apply_manual_grades(r, by_key, assignment).total for r in results}
    assert got == want


def _json(name: str) -> dict[str, dict[str, float]]:
    return json.loads((COHORT / name).read_text())


def _made_up(student: str, total: float) -> SubmissionResult:
    """A model-evaluation result with ``total`` autograded points and Q8 awaiting (mia-empty's
    0-byte notebook is not gradable)."""
    if student == "mia-empty":
        return SubmissionResult("model-evaluation", student, False, 0.0, 0.0, reason="empty")
    checked = QuestionResult("q1-q7, q9", "", total, 58, False, 0, 0)
    q8 = QuestionResult("q8", "", 0.0, 4.0, False, 0, 0, manual=True, awaiting=True)
    return SubmissionResult("model-evaluation", student, True, total, 58, (checked, q8))


def test_the_demo_course_is_copied_into_a_new_folder_and_never_over_another(tmp_path):
    course = copy_demo_course(tmp_path / "demo")
    assert sorted(p.name for p in course.iterdir()) == ["examples", "solutions"]
    assert demo_cohort(course).keys() == demo_cohort(ROOT).keys()
    assert not list(course.rglob("__pycache__"))
    # The demo's own course secret (public, demo-only) comes along: the data variants need it.
    secret = course / "solutions" / ".secret"
    assert secret.read_bytes() == (ROOT / "solutions" / ".secret").read_bytes()
    assert b"demo" in secret.read_bytes()
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "notes.txt").write_text("mine")
    with pytest.raises(SubmissionError, match="not an empty folder"):
        copy_demo_course(tmp_path / "used")
