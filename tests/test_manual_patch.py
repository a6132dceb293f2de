"""One grader's change on top of another's: the review page's saves never lose an update.

Each test runs on a new SQLite file and on a PostgreSQL database (``gradebook_url``, skipped
without a server), with real threads, each with its own Gradebook, released together.
"""

from __future__ import annotations

import threading

import pytest

from grader.gradebook import Gradebook
from grader.manual import ManualGrade, Patch


def run_together(jobs):
    """Run each job in its own thread, all released at once; re-raise the first failure."""
    barrier = threading.Barrier(len(jobs))
    failures = []

    def worker(job):
        try:
            barrier.wait()
            job()
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=worker, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not failures, failures


def test_a_patch_changes_only_what_it_names(gradebook_url):
    book = Gradebook(gradebook_url)
    try:
        book.patch_manual_grade("a", "ada", "q8", Patch(item=2), "tess")
        book.patch_manual_grade("a", "ada", "q8", Patch(comment="ok"), "uma")
        book.patch_manual_grade("a", "ada", "q8", Patch(adjustment=-0.5), "uma")
        grade = book.patch_manual_grade("a", "ada", "q8", Patch(item=1, on=True), "tess")
        assert (grade.items, grade.comment, grade.adjustment, grade.grader) == (
            (1, 2), "ok", -0.5, "tess")  # fmt: skip
        assert book.patch_manual_grade("a", "ada", "q8", Patch(item=2, on=False), "t").items == (1,)
        assert book.manual_grades("a")[("ada", "q8")].items == (1,)
    finally:
        book.close()


@pytest.mark.timeout(300)
def test_many_graders_changing_one_grade_at_once_all_keep_their_change(gradebook_url):
    Gradebook(gradebook_url).close()  # the tables, made once
    graders = 10
    per_grader = 5

    def grader(g):
        def job():
            book = Gradebook(gradebook_url)
            try:
                for k in range(per_grader):
                    item = g * per_grader + k + 1
                    book.patch_manual_grade("a", "ada", "q8", Patch(item=item), f"g{g}")
            finally:
                book.close()

        return job

    run_together([grader(g) for g in range(graders)])
    book = Gradebook(gradebook_url)
    try:
        stored = book.manual_grades("a")[("ada", "q8")]
    finally:
        book.close()
    assert stored.items == tuple(range(1, graders * per_grader + 1))


@pytest.mark.timeout(300)
def test_a_patch_and_a_csv_import_at_once_both_land(gradebook_url):
    Gradebook(gradebook_url).close()

    def review():
        book = Gradebook(gradebook_url)
        try:
            for n in range(10):
                book.patch_manual_grade("a", "ada", "q8", Patch(item=n + 1), "tess")
        finally:
            book.close()

    def offline():
        book = Gradebook(gradebook_url)
        try:
            for n in range(10):
                book.save_manual_grades("a", [ManualGrade(f"s{n}", "q8", (1,), 0.0, "csv", "uma")])
        finally:
            book.close()

    run_together([review, offline])
    book = Gradebook(gradebook_url)
    try:
        grades = book.manual_grades("a")
    finally:
        book.close()
    assert grades[("ada", "q8")].items == tuple(range(1, 11))
    assert {s for (s, _) in grades} == {"ada", *(f"s{n}" for n in range(10))}
