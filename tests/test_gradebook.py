"""The gradebook in a real SQLite file: resumable, no duplicates, re-grades only what changed."""

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from tests.conftest import NOTEBOOKS, ROOT, run_grader

pytestmark = pytest.mark.slow
QUICK = ["correct", "partially-correct", "empty", "raises", "missing-name", "syntax-error"]


@pytest.fixture
def cohort(tmp_path):
    folder = tmp_path / "cohort"
    folder.mkdir()
    for name in QUICK:
        shutil.copy(NOTEBOOKS / "mini" / f"{name}.ipynb", folder / f"{name}.ipynb")
    return folder


def grade(course, cohort, out, *extra):
    done = run_grader("--course", str(course), "grade", "mini", str(cohort), "--output", str(out),
                      "--format", "json", *extra)  # fmt: skip
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout), done.stderr


def rows(out, sql):
    with sqlite3.connect(out / "gradebook.sqlite") as db:
        return db.execute(sql).fetchall()


def test_rerunning_an_unchanged_cohort_grades_nothing(course, cohort, tmp_path):
    first, _ = grade(course, cohort, tmp_path / "out")
    second, stderr = grade(course, cohort, tmp_path / "out")
    assert stderr.count("unchanged, not graded again") == len(QUICK)
    assert sorted((r["student"], r["total"]) for r in first) == sorted(
        (r["student"], r["total"]) for r in second
    )
    assert rows(tmp_path / "out", "select count(*) from submissions") == [(len(QUICK),)]
    assert rows(tmp_path / "out", "select count(*) from students") == [(len(QUICK),)]
    checks = sum(len(r["checks"]) for r in first)
    assert rows(tmp_path / "out", "select count(*) from check_results") == [(checks,)]


def test_force_grades_again_and_replaces_rows(course, cohort, tmp_path):
    grade(course, cohort, tmp_path / "out")
    before = rows(tmp_path / "out", "select id, graded_at from submissions order by id")
    time.sleep(1.1)
    _, stderr = grade(course, cohort, tmp_path / "out", "--force")
    assert "unchanged" not in stderr
    after = rows(tmp_path / "out", "select attempt, graded_at from submissions")
    assert len(after) == len(before) and {a for a, _ in after} == {1}
    assert {g for _, g in after}.isdisjoint({g for _, g in before})


def test_a_changed_notebook_is_a_new_attempt_and_a_changed_check_regrades_all(
    course, cohort, tmp_path
):
    out = tmp_path / "out"
    grade(course, cohort, out)
    shutil.copy(NOTEBOOKS / "mini" / "correct.ipynb", cohort / "empty.ipynb")
    results, stderr = grade(course, cohort, out)
    assert stderr.count("unchanged, not graded again") == len(QUICK) - 1
    assert {r["student"]: r["total"] for r in results}["empty"] == 5.5
    attempts = rows(out, "select s.name, b.attempt, b.total from submissions b "
                         "join students s on s.id = b.student_id where s.name = 'empty' "
                         "order by b.attempt")  # fmt: skip
    assert attempts == [("empty", 1, 0.0), ("empty", 2, 5.5)]

    check = course / "solutions" / "mini" / "tests" / "public" / "test_q1.py"
    check.write_text(check.read_text() + "\n# a comment changes the checks' hash\n")
    _, stderr = grade(course, cohort, out)
    assert "unchanged" not in stderr


def test_a_batch_killed_half_way_finishes_only_what_is_missing(course, cohort, tmp_path):
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    batch = subprocess.Popen(
        [sys.executable, "-m", "grader", "--course", str(course), "grade", "mini", str(cohort),
         "--output", str(out), "--jobs", "1"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline:
            try:
                book = out / "gradebook.sqlite"
                if book.exists() and rows(out, "select count(*) from submissions")[0][0] >= 2:
                    break
            except sqlite3.OperationalError:  # no gradebook, or no table in it yet
                pass
            time.sleep(0.2)
    finally:
        os.killpg(batch.pid, signal.SIGKILL)
        batch.wait()
    kept = rows(out, "select count(*) from submissions")[0][0]
    assert 2 <= kept < len(QUICK)

    results, stderr = grade(course, cohort, out)
    assert stderr.count("unchanged, not graded again") == kept
    assert len(results) == len(QUICK)
    assert rows(out, "select count(*), count(distinct student_id) from submissions") == [
        (len(QUICK), len(QUICK))
    ]
    per_check = rows(out, "select submission_id, name, count(*) from check_results "
                          "group by submission_id, name having count(*) > 1")  # fmt: skip
    assert per_check == []
