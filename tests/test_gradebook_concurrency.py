"""Two writers at once on one gradebook: a SQLite file, then a PostgreSQL database.

Two graders sharing a gradebook (``--gradebook`` naming one server, or two shells on one
SQLite file) each have their own :class:`Gradebook`. Here two threads do, each with its own
engine and connections, and a barrier starts every round of their writes together (all of
round ``r`` is committed before round ``r + 1`` begins). Every test runs on a new SQLite file
and on a new PostgreSQL database (:func:`tests.pg.gradebook_url`; skipped without a server).
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable

import pytest
import sqlalchemy as sa

from grader.gradebook import Gradebook, Stamp
from grader.manual import ManualGrade, Patch
from grader.models import SubmissionResult

pytestmark = pytest.mark.timeout(180)
ROUNDS = 40
WRITERS = 2


def race(url: str, rounds: int, write: Callable[[Gradebook, int, int], None]) -> list[str]:
    """``write(gradebook, writer, round)`` by each writer, every round started together; the
    errors raised (the gradebooks are opened one after the other, so the tables exist)."""
    books = [Gradebook(url) for _ in range(WRITERS)]
    barrier = threading.Barrier(WRITERS, timeout=60)
    errors: list[str] = []

    def writer(me: int) -> None:
        try:
            for r in range(rounds):
                barrier.wait()
                write(books[me], me, r)
        except threading.BrokenBarrierError:
            if not errors:
                errors.append(f"writer {me}: the other writer stopped answering")
        except Exception as exc:
            errors.append(f"writer {me}, round {r}: {type(exc).__name__}: {exc}")
            barrier.abort()  # the other writer stops at its next round

    threads = [threading.Thread(target=writer, args=(me,)) for me in range(WRITERS)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        for book in books:
            book.close()
    return errors


def grade(student: str, question: str, me: int, r: int) -> ManualGrade:
    """Writer ``me``'s grade in round ``r``: its comment says who wrote it and when."""
    return ManualGrade(student, question, (me + 1,), float(r), f"writer {me}, round {r}", "tess")


def stored(url: str) -> dict[tuple[str, str], str]:
    """Each stored manual grade's comment, read by a gradebook of its own."""
    book = Gradebook(url)
    try:
        return {key: g.comment for key, g in book.manual_grades("multi").items()}
    finally:
        book.close()


# --- manual grades --------------------------------------------------------------------------


def test_two_writers_of_different_grades_lose_none(gradebook_url):
    """Each writer grades students of its own and questions of its own of a shared student."""

    def write(book: Gradebook, me: int, r: int) -> None:
        book.save_manual_grades("multi", [grade(f"own-{me}-{r}", "q3", me, r),
                                          grade("shared", f"q{r}-{me}", me, r)])  # fmt: skip

    assert race(gradebook_url, ROUNDS, write) == []
    expected = {}
    for me in range(WRITERS):
        for r in range(ROUNDS):
            expected[(f"own-{me}-{r}", "q3")] = f"writer {me}, round {r}"
            expected[("shared", f"q{r}-{me}")] = f"writer {me}, round {r}"
    assert stored(gradebook_url) == expected


def test_two_writers_of_the_same_grade_leave_one_of_the_last_ones(gradebook_url):
    """Both writers grade the same student's question over and over (an update each time)."""
    book = Gradebook(gradebook_url)
    book.save_manual_grades("multi", [grade("ada", "q3", 0, -1)])
    book.close()

    def write(book: Gradebook, me: int, r: int) -> None:
        book.save_manual_grades("multi", [grade("ada", "q3", me, r)])

    assert race(gradebook_url, ROUNDS, write) == []
    last = ROUNDS - 1
    assert stored(gradebook_url)[("ada", "q3")] in {f"writer {me}, round {last}" for me in (0, 1)}


def test_two_writers_grading_the_same_new_question_at_once_both_succeed(gradebook_url):
    """Each round both writers give the first grade of a new question: one of them stays."""

    def write(book: Gradebook, me: int, r: int) -> None:
        book.save_manual_grades("multi", [grade("ada", f"q{r}", me, r)])

    assert race(gradebook_url, ROUNDS, write) == []
    grades = stored(gradebook_url)
    for r in range(ROUNDS):
        assert grades[("ada", f"q{r}")] in {f"writer {me}, round {r}" for me in (0, 1)}


def test_two_graders_patching_one_grade_at_once_keep_both_changes(gradebook_url):
    """patch_manual_grade: each writer applies rubric items of its own to one grade, and to a
    new question's first grade each round; no item is lost."""

    def write(book: Gradebook, me: int, r: int) -> None:
        book.patch_manual_grade("multi", "ada", "q3", Patch(item=100 * me + r), f"writer {me}")
        book.patch_manual_grade("multi", "ben", f"q{r}", Patch(item=me + 1), f"writer {me}")

    assert race(gradebook_url, ROUNDS, write) == []
    book = Gradebook(gradebook_url)
    try:
        grades = book.manual_grades("multi")
    finally:
        book.close()
    assert set(grades[("ada", "q3")].items) == {
        100 * me + r for me in (0, 1) for r in range(ROUNDS)
    }
    assert {r: grades[("ben", f"q{r}")].items for r in range(ROUNDS)} == dict.fromkeys(
        range(ROUNDS), (1, 2)
    )


# --- results --------------------------------------------------------------------------------


def result(student: str, me: int, r: int) -> SubmissionResult:
    return SubmissionResult("mini", student, True, float(me), 1.0, reason=f"writer {me} r{r}")


def test_two_writers_recording_different_students_lose_none(gradebook_url):
    def write(book: Gradebook, me: int, r: int) -> None:
        book.record(result(f"s{me}-{r}", me, r), Stamp(f"c{r}", f"k{r}", None))

    assert race(gradebook_url, ROUNDS, write) == []
    book = Gradebook(gradebook_url)
    try:
        latest = {r.student: r.reason for r in book.latest("mini")}
    finally:
        book.close()
    assert latest == {f"s{me}-{r}": f"writer {me} r{r}" for me in (0, 1) for r in range(ROUNDS)}


def test_two_writers_recording_the_same_new_student_at_once_both_succeed(gradebook_url):
    """Each round both writers record a version of a new student (two graders, two copies)."""

    def write(book: Gradebook, me: int, r: int) -> None:
        book.record(result(f"s{r}", me, r), Stamp(f"c{me}", f"k{me}", None))

    assert race(gradebook_url, ROUNDS, write) == []
    book = Gradebook(gradebook_url)
    try:
        for r in range(ROUNDS):
            versions = [book.stored("mini", f"s{r}", f"k{me}") for me in (0, 1)]
            assert [v.reason if v else None for v in versions] == [
                f"writer {m} r{r}" for m in (0, 1)
            ]
    finally:
        book.close()
    # two versions of one student's notebook are its attempts 1 and 2, whichever came first
    engine = sa.create_engine(gradebook_url, poolclass=sa.NullPool)
    try:
        with engine.connect() as conn:
            found = conn.execute(sa.text(
                "select s.name, b.attempt from submissions b join students s "
                "on s.id = b.student_id order by s.name, b.attempt"
            )).all()  # fmt: skip
    finally:
        engine.dispose()
    assert sorted(found) == sorted((f"s{r}", a) for r in range(ROUNDS) for a in (1, 2))


# --- opening ---------------------------------------------------------------------------------


def open_at_once(url: str) -> list[str]:
    """Open (and close) a gradebook at ``url`` in each writer at once; the errors raised."""
    barrier = threading.Barrier(WRITERS, timeout=60)
    errors: list[str] = []

    def opener() -> None:
        barrier.wait()
        try:
            Gradebook(url).close()
        except Exception as exc:
            errors.append(f"{type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=opener) for _ in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # A Gradebook that failed to open leaves its engine's connection to the garbage collector:
    # closed here, within the test (whose mark ignores the ResourceWarning), not in a later one.
    gc.collect()
    return errors


@pytest.mark.filterwarnings("ignore::ResourceWarning")
def test_two_gradebooks_opened_at_once_on_a_new_database_both_open(gradebook_url):
    """Two graders started together on a gradebook nobody has used yet (tried 10 times)."""
    for attempt in range(10):
        errors = open_at_once(gradebook_url)
        assert errors == [], f"attempt {attempt}"
        engine = sa.create_engine(gradebook_url, poolclass=sa.NullPool)
        try:  # the database new again
            tables = sa.MetaData()
            tables.reflect(engine)
            tables.drop_all(engine)
        finally:
            engine.dispose()
