"""Gradebook attempts and reuse, in a temporary SQLite file, with grading replaced by a stub.

`test_gradebook.py` grades real notebooks for the same rules; here the batch's grading is a
function that makes a result up, so the rules themselves are pinned in milliseconds: what is
a new attempt, what is reused, what is always graded again, and what an older grader refuses.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

import grader.cohort
from grader.cohort import grade_cohort
from grader.config import Assignment
from grader.errors import GradebookError
from grader.grade import GradeOptions
from grader.gradebook import Gradebook, Stamp, default_url
from grader.models import SCHEMA_VERSION, SubmissionResult
from grader.submissions import Submission


@pytest.fixture
def book(tmp_path):
    gradebook = Gradebook(default_url(tmp_path / "out"))
    yield gradebook
    gradebook.close()


def result(student: str, total: float = 1.0, failure: bool = False) -> SubmissionResult:
    return SubmissionResult("mini", student, not failure, total, 2.0, grader_failure=failure,
                            reason="the check worker died" if failure else "")  # fmt: skip


def attempts(book: Gradebook, student: str) -> list[tuple[int, float]]:
    path = book.url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as db:
        return db.execute(
            "select b.attempt, b.total from submissions b join students s on s.id = b.student_id "
            "where s.name = ? order by b.id", (student,),
        ).fetchall()  # fmt: skip


# --- Gradebook.record: attempts ------------------------------------------------------------


def test_a_changed_notebook_is_a_new_attempt_and_the_latest_result_wins(book):
    book.record(result("ada", 1.0), Stamp("content-1", "key-1", None))
    book.record(result("ada", 2.0), Stamp("content-2", "key-2", None))
    assert attempts(book, "ada") == [(1, 1.0), (2, 2.0)]
    assert [(r.student, r.total) for r in book.latest("mini")] == [("ada", 2.0)]


def test_the_same_notebook_graded_under_a_new_key_keeps_its_attempt_number(book):
    """New checks (or a new submission time) grade the same notebook again: not a new attempt."""
    book.record(result("ada", 1.0), Stamp("content-1", "key-1", None))
    book.record(result("ada", 1.5), Stamp("content-1", "key-1-new-checks", None))
    assert attempts(book, "ada") == [(1, 1.0), (1, 1.5)]


def test_recording_the_same_version_again_replaces_its_row_and_checks(book):
    first = SubmissionResult("mini", "ada", True, 0.0, 1.0, checks=())
    book.record(first, Stamp("content-1", "key-1", None))
    book.record(result("ada", 2.0), Stamp("content-2", "key-2", None))
    book.record(result("ada", 0.5), Stamp("content-1", "key-1", None))  # --force on attempt 1
    assert sorted(attempts(book, "ada")) == [(1, 0.5), (2, 2.0)]
    assert book.stored("mini", "ada", "key-1") == result("ada", 0.5)


def test_attempts_count_per_student_and_per_assignment(book):
    book.record(result("ada"), Stamp("c1", "k1", None))
    book.record(result("ben"), Stamp("c1", "k1", None))  # same bytes, another student
    other = SubmissionResult("other", "ada", True, 1.0, 1.0)
    book.record(other, Stamp("c9", "k9", None))
    assert attempts(book, "ben") == [(1, 1.0)]
    assert sorted(attempts(book, "ada")) == [(1, 1.0), (1, 1.0)]
    assert [r.assignment for r in book.latest("other")] == ["other"]


def test_stored_finds_only_the_exact_version(book):
    book.record(result("ada", 1.0), Stamp("c1", "k1", "2026-01-10T12:00:00+00:00"))
    assert book.stored("mini", "ada", "k1") == result("ada", 1.0)
    assert book.stored("mini", "ada", "k2") is None
    assert book.stored("mini", "ben", "k1") is None
    assert book.stored("other", "ada", "k1") is None


# --- grade_cohort: what is graded and what is reused ---------------------------------------


@pytest.fixture
def graded(monkeypatch):
    """Replace the batch's grading: each graded student's result comes from ``outcomes``."""
    calls: list[str] = []  # every student graded, in order
    outcomes: dict[str, SubmissionResult] = {}

    async def fake_grade_all(assignment, submissions, options, jobs, on_result):
        calls.extend(s.student for s in submissions)
        for sub in submissions:
            on_result(sub, outcomes.get(sub.student, result(sub.student)))

    monkeypatch.setattr(grader.cohort, "grade_all", fake_grade_all)
    return calls, outcomes


@pytest.fixture
def course(tmp_path):
    root = tmp_path / "mini"
    (root / "tests" / "hidden").mkdir(parents=True)
    (root / "assignment.toml").write_text('notebook = "mini.ipynb"\n')
    (root / "tests" / "hidden" / "test_q1.py").write_text("def test_one(nb):\n    pass\n")
    folder = tmp_path / "cohort"
    folder.mkdir()
    for student in ("ada", "ben"):
        (folder / f"{student}.ipynb").write_text(f'{{"student": "{student}"}}')
    mini = Assignment("mini", root, "Mini", "mini.ipynb")
    return mini, folder


def run(course, book, force=False, calls=None):
    """(student, reused) of each result; with ``calls``, also who was graded in this run."""
    mini, folder = course
    before = len(calls) if calls is not None else 0
    subs = [Submission(p.stem, p) for p in sorted(folder.glob("*.ipynb"))]
    seen: list[tuple[str, bool]] = []
    grade_cohort(mini, subs, GradeOptions(isolation="limits"), 1, book,
                 lambda r, _key, reused: seen.append((r.student, reused)), force=force)  # fmt: skip
    if calls is not None:
        return sorted(seen), calls[before:]
    return sorted(seen)


def test_an_unchanged_submission_is_reused_and_a_changed_one_graded_again(course, book, graded):
    calls, _ = graded
    assert run(course, book, calls=calls) == ([("ada", False), ("ben", False)], ["ada", "ben"])
    assert run(course, book, calls=calls) == ([("ada", True), ("ben", True)], [])

    (course[1] / "ada.ipynb").write_text('{"student": "ada", "changed": true}')
    assert run(course, book, calls=calls) == ([("ada", False), ("ben", True)], ["ada"])
    assert [a for a, _ in attempts(book, "ada")] == [1, 2]


def test_force_grades_everything_again_without_a_new_attempt(course, book, graded):
    calls, _ = graded
    run(course, book)
    seen, now = run(course, book, force=True, calls=calls)
    assert (seen, now) == ([("ada", False), ("ben", False)], ["ada", "ben"])
    assert attempts(book, "ada") == [(1, 1.0)]


def test_a_changed_check_grades_everyone_again(course, book, graded):
    calls, _ = graded
    run(course, book)
    check = course[0].root / "tests" / "hidden" / "test_q1.py"
    check.write_text(check.read_text() + "# changed\n")
    assert run(course, book, calls=calls) == ([("ada", False), ("ben", False)], ["ada", "ben"])


def test_a_grader_failure_is_never_reused(course, book, graded):
    calls, outcomes = graded
    outcomes["ben"] = result("ben", 0.0, failure=True)
    run(course, book)
    # ben is graded again, though unchanged; ada is not
    assert run(course, book, calls=calls) == ([("ada", True), ("ben", False)], ["ben"])
    del outcomes["ben"]
    run(course, book)  # graded for real this time...
    assert run(course, book, calls=calls) == ([("ada", True), ("ben", True)], [])  # ...then reused
    assert attempts(book, "ben")[-1] == (1, 1.0)  # the failure's row was replaced


# --- newer schemas --------------------------------------------------------------------------


def test_a_result_of_a_newer_schema_is_refused_with_a_one_line_error(book):
    book.record(result("ada"), Stamp("c1", "k1", None))
    path = Path(book.url.removeprefix("sqlite:///"))
    with sqlite3.connect(path) as db:
        db.execute("update submissions set result_json = "
                   "json_set(result_json, '$.schema_version', ?)", (SCHEMA_VERSION + 1,))  # fmt: skip
    for read in (lambda: book.latest("mini"), lambda: book.stored("mini", "ada", "k1")):
        with pytest.raises(GradebookError) as caught:
            read()
        message = str(caught.value)
        assert "\n" not in message
        assert f"schema {SCHEMA_VERSION + 1}, newer than this grader reads" in message
        assert message.endswith("upgrade grader")


def test_a_malformed_stored_result_is_a_gradebook_error(book):
    book.record(result("ada"), Stamp("c1", "k1", None))
    with sqlite3.connect(book.url.removeprefix("sqlite:///")) as db:
        db.execute('update submissions set result_json = \'{"student": "ada", "bogus": 1}\'')
    with pytest.raises(GradebookError, match="malformed result of ada"):
        book.latest("mini")
