"""The gradebook on a real PostgreSQL server, and the same tests on a SQLite file beside it.

Most tests run twice (:func:`tests.pg.gradebook_url`): on a new SQLite file, the reference, and
on a new PostgreSQL database of the server ``GRADER_TEST_POSTGRES_URL`` names (skipped, saying
why, without one). No kernel: results are made up (:mod:`tests.factories`, or scored from
made-up checks with :func:`grader.scoring.score`) and recorded. `test_gradebook_concurrency.py`
has two writers at once.
"""

from __future__ import annotations

import dataclasses

import pytest
import sqlalchemy as sa

from grader.config import Assignment, load_assignment
from grader.errors import GradebookError
from grader.gradebook import Gradebook, Stamp, latest_results
from grader.manual import ManualGrade
from grader.models import CheckResult, SubmissionResult
from grader.scoring import score
from tests import factories
from tests.conftest import COURSE

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def book(gradebook_url):
    gradebook = Gradebook(gradebook_url)
    yield gradebook
    gradebook.close()


def rows(url: str, sql: str, **params: object) -> list[tuple[object, ...]]:
    """What a query finds in the gradebook at ``url``, read on a connection of its own."""
    engine = sa.create_engine(url, poolclass=sa.NullPool)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(sa.text(sql), params)]
    finally:
        engine.dispose()


def attempts(url: str, student: str, assignment: str = "mini") -> list[tuple[int, float]]:
    """(attempt, total) of each stored version of a student's submission, oldest row first."""
    return rows(
        url,
        "select b.attempt, b.total from submissions b join students s on s.id = b.student_id "
        "where s.name = :student and b.assignment = :assignment order by b.id",
        student=student,
        assignment=assignment,
    )


def stamp(version: str, key: str | None = None, files: tuple[str, ...] = ()) -> Stamp:
    return Stamp(version, key or f"key-{version}", "2026-12-01T10:00:00+00:00", files)


def result(student: str, total: float, assignment: str = "mini") -> SubmissionResult:
    return SubmissionResult(assignment, student, True, total, 2.0)


def multi() -> Assignment:
    return load_assignment(COURSE / "solutions" / "multi", "multi")


def checked(student: str, passed: bool = True) -> SubmissionResult:
    """A multi result: q1 (2 points) and q2 (2 checks, 1 point each) scored, q3 (3 points,
    by hand) awaiting."""
    checks = [
        CheckResult("test_add", "q1", "public", "passed", 2.0, 2.0, notebook="part1"),
        CheckResult("test_mean", "q2", "hidden", "passed" if passed else "failed",
                    1.0 if passed else 0.0, 1.0, notebook="part2"),
        CheckResult("test_count", "q2", "hidden", "passed", 1.0, 1.0, notebook="part2"),
    ]  # fmt: skip
    return score(multi(), student, checks)


# --- results, attempts, latest --------------------------------------------------------------


def test_a_cohort_is_recorded_and_read_back_whole(book, gradebook_url):
    cohort = factories.cohort(15, assignment="mini")  # student 7 timed out, 13 is ungradable
    for r in cohort:
        book.record(r, stamp(f"content-{r.student}"))
    assert book.latest("mini") == cohort  # by student name
    for r in cohort:
        assert book.stored("mini", r.student, f"key-content-{r.student}") == r
    assert book.stored("mini", "student-00000", "key-of-another-version") is None
    assert rows(gradebook_url, "select count(*) from students") == [(15,)]
    assert rows(gradebook_url, "select count(*) from check_results") == [
        (sum(len(r.checks) for r in cohort),)
    ]
    stored = rows(gradebook_url, "select s.name, b.gradable, b.total, b.possible, b.reason "
                                 "from submissions b join students s on s.id = b.student_id "
                                 "order by s.name")  # fmt: skip
    assert stored == [(r.student, r.gradable, r.total, r.possible, r.reason) for r in cohort]


def test_a_changed_notebook_is_a_new_attempt_and_the_latest_result_wins(book, gradebook_url):
    book.record(result("ada", 1.0), stamp("v1"))
    book.record(result("ada", 2.0), stamp("v2"))
    book.record(result("ben", 0.5), stamp("v1"))  # the same bytes, another student
    assert attempts(gradebook_url, "ada") == [(1, 1.0), (2, 2.0)]
    assert attempts(gradebook_url, "ben") == [(1, 0.5)]
    assert [(r.student, r.total) for r in book.latest("mini")] == [("ada", 2.0), ("ben", 0.5)]


def test_regrading_keeps_the_attempt_and_replaces_the_same_versions_row(book, gradebook_url):
    full = factories.cohort(1, assignment="mini")[0]
    book.record(full, stamp("v1"))
    book.record(result(full.student, 1.0), stamp("v2"))
    book.record(result(full.student, 1.5), stamp("v1", key="key-v1-new-checks"))
    assert attempts(gradebook_url, full.student) == [(1, full.total), (2, 1.0), (1, 1.5)]
    forced = dataclasses.replace(full, total=0.25, checks=full.checks[:2])
    book.record(forced, stamp("v1"))  # --force: the same version graded again
    assert attempts(gradebook_url, full.student) == [(2, 1.0), (1, 1.5), (1, 0.25)]
    assert book.stored("mini", full.student, "key-v1") == forced
    assert book.latest("mini") == [forced]
    assert rows(gradebook_url, "select count(*) from check_results") == [(2,)]


def test_latest_is_each_students_newest_result_of_that_assignment_only(book):
    book.record(result("ben", 1.0), stamp("b1", files=("/cohort/ben/v1.ipynb",)))
    book.record(result("ada", 1.0, "other"), stamp("a1"))
    book.record(result("ada", 0.5), stamp("a2", files=("/cohort/ada/p1.ipynb", "/c/ada/p2.ipynb")))
    book.record(result("ben", 2.0), stamp("b2", files=("/cohort/ben/v2.ipynb",)))
    book.record(result("cy", 1.0, "other"), stamp("c1"))
    assert [(r.student, r.total) for r in book.latest("mini")] == [("ada", 0.5), ("ben", 2.0)]
    assert [(r.student, r.total) for r in book.latest("other")] == [("ada", 1.0), ("cy", 1.0)]
    assert book.latest("nothing") == []
    paths = {s: [str(p) for p in ps] for s, ps in book.notebook_paths("mini").items()}
    assert paths == {"ada": ["/cohort/ada/p1.ipynb", "/c/ada/p2.ipynb"],
                     "ben": ["/cohort/ben/v2.ipynb"]}  # fmt: skip


# --- manual grades --------------------------------------------------------------------------


def test_manual_grades_are_saved_read_back_and_applied_to_the_latest_result(book, gradebook_url):
    book.record(checked("ada", passed=False), stamp("a1"))
    book.record(checked("ben"), stamp("b1"))
    comment = 'It\'s the "mean" — ünïcode, ✓\nsecond line; DROP TABLE students; --'
    first = ManualGrade("ada", "q3", (2, 1, 1), -0.5, comment, "tess", "2026-12-03T10:00:00+00:00")
    assert book.save_manual_grades("multi", [first]) == 1
    assert book.manual_grades("multi") == {("ada", "q3"): dataclasses.replace(first, items=(1, 2))}
    assert book.save_manual_grades("multi", [dataclasses.replace(first, graded_at="")]) == 0

    ada, ben = latest_results(gradebook_url, "multi", multi())
    q3 = next(q for q in ada.questions if q.name == "q3")
    assert (q3.score, q3.comment, q3.graded_by, [i.number for i in q3.rubric]) == (
        2.5, comment, "tess", [1],  # item 2 is not in the rubric: it counts nothing
    )  # fmt: skip
    assert (ada.total, ada.possible, ada.awaiting_manual) == (5.5, 7.0, ())
    assert (ben.total, ben.possible, [q.name for q in ben.awaiting_manual]) == (4.0, 4.0, ["q3"])

    book.record(checked("ada", passed=True), stamp("a2"))  # a new version: the grade stays
    book.save_manual_grades("multi", [ManualGrade("ben", "q3", (), 1.0, grader="tess")])
    ada, ben = latest_results(gradebook_url, "multi", multi())
    assert (ada.total, ada.possible, ben.total, ben.possible) == (6.5, 7.0, 5.0, 7.0)
    assert rows(gradebook_url, "select count(*) from manual_grades") == [(2,)]


def test_a_changed_manual_grade_replaces_the_stored_one(book):
    book.save_manual_grades("multi", [ManualGrade("ada", "q3", (1,), 0.0, "first", "tess")])
    book.save_manual_grades("other", [ManualGrade("ada", "q3", (1,), 0.0, "elsewhere", "tess")])
    assert book.save_manual_grades("multi", [
        ManualGrade("ada", "q3", (), 1.25, "second", "sam"),
        ManualGrade("ben", "q3", (1,), 0.0, "new", "sam"),
    ]) == 2  # fmt: skip
    grades = book.manual_grades("multi")
    assert sorted(grades) == [("ada", "q3"), ("ben", "q3")]
    ada = grades[("ada", "q3")]
    assert (ada.items, ada.adjustment, ada.comment, ada.grader) == ((), 1.25, "second", "sam")
    assert book.manual_grades("other")[("ada", "q3")].comment == "elsewhere"


# --- what PostgreSQL refuses ----------------------------------------------------------------


def test_text_with_a_nul_byte_is_stored_with_the_nul_replaced(book):
    """A check message is the student's exception message: any text at all, a NUL included,
    which PostgreSQL text cannot hold: stored (both databases alike) with U+FFFD for it."""
    message = "test_mean raised ValueError: bad\x00byte"
    failed = SubmissionResult(
        "mini", "ada", True, 0.0, 1.0,
        checks=(CheckResult("test_mean", "q1", "public", "failed", 0.0, 1.0, message),),
        reason="stopped at\x00cell 3",
    )  # fmt: skip
    book.record(failed, stamp("a1"))
    assert book.latest("mini") == [failed]  # the whole result, as JSON, keeps it
    book.save_manual_grades("multi", [ManualGrade("ada", "q3", (1,), 0.0, "nul\x00here", "tess")])
    assert book.manual_grades("multi")[("ada", "q3")].comment == "nul\ufffdhere"


def test_an_error_about_a_gradebook_does_not_show_its_password(postgres_url):
    password = sa.make_url(postgres_url).password
    if not password:
        pytest.skip("GRADER_TEST_POSTGRES_URL has no password to hide")
    Gradebook(postgres_url).close()
    with pytest.raises(GradebookError) as caught:
        latest_results(postgres_url, "mini")  # an empty gradebook: nothing to report
    assert "holds no results" in str(caught.value)
    assert password not in str(caught.value)
