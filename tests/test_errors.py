"""Grader and input errors reach the user as one line and exit 1, never as a traceback."""

import sqlite3
import zipfile

import pytest

from grader.gradebook import Gradebook
from grader.grading_key import stamp
from grader.models import SCHEMA_VERSION
from tests.conftest import COURSE, NOTEBOOKS, run_grader
from tests.factories import cohort


def one_line_error(done, *words):
    assert done.returncode == 1, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("grader: error: "), done.stderr
    for word in words:
        assert word in lines[0]
    return lines[0]


@pytest.fixture
def gradebook(tmp_path):
    """A gradebook holding two results of the assignment ``mini``."""
    path = tmp_path / "gradebook.sqlite"
    book = Gradebook(f"sqlite:///{path}")
    try:
        for result in cohort(2, assignment="mini"):
            book.record(result, stamp(tmp_path / "nothing.ipynb", result.student))
    finally:
        book.close()
    return path


@pytest.fixture
def a_file(tmp_path):
    """A regular file: a folder under it cannot be made, even by root."""
    path = tmp_path / "a-file"
    path.write_text("")
    return path


def test_the_gradebook_fixture_renders(gradebook, tmp_path):
    done = run_grader("report", "mini", "--gradebook", f"sqlite:///{gradebook}",
                      "--output", str(tmp_path / "out"))  # fmt: skip
    assert done.returncode == 0, done.stderr


def test_a_corrupt_gradebook_is_one_line(tmp_path):
    (tmp_path / "gradebook.sqlite").write_bytes(b"not a database, just bytes" * 100)
    done = run_grader("report", "mini", "--output", str(tmp_path))
    one_line_error(done, "gradebook", "not a database")


def test_a_gradebook_of_another_shape_is_one_line(tmp_path):
    path = tmp_path / "gradebook.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE submissions (id INTEGER PRIMARY KEY, other TEXT)")
    done = run_grader("report", "mini", "--output", str(tmp_path))
    # Refused as it is opened: bringing it to the current schema needs a column it lacks.
    one_line_error(done, "cannot open the gradebook", "no such column")


def test_results_of_a_newer_schema_ask_for_an_upgrade(gradebook, tmp_path):
    with sqlite3.connect(gradebook) as db:
        db.execute(
            "UPDATE submissions SET result_json = json_set(result_json, '$.schema_version', 99)"
        )
    done = run_grader("report", "mini", "--gradebook", f"sqlite:///{gradebook}",
                      "--output", str(tmp_path / "out"))  # fmt: skip
    newer = f"holds results of schema 99, newer than this grader reads ({SCHEMA_VERSION}); upgrade"
    one_line_error(done, newer)


def test_an_unwritable_report_folder_is_one_line(gradebook, a_file):
    done = run_grader("report", "mini", "--gradebook", f"sqlite:///{gradebook}",
                      "--output", str(a_file / "out"))  # fmt: skip
    one_line_error(done, "cannot write", str(a_file / "out"))


def test_grading_into_an_unwritable_report_folder_is_one_line(tmp_path, a_file):
    (tmp_path / "cohort" / "ben").mkdir(parents=True)
    (tmp_path / "cohort" / "ben" / "answers.txt").write_text("")  # no notebook: no kernel
    done = run_grader(
        "--course", str(COURSE), "grade", "mini", str(tmp_path / "cohort"), "--output",
        str(a_file / "out"), "--gradebook", f"sqlite:///{tmp_path / 'gb.sqlite'}",
    )  # fmt: skip
    one_line_error(done, "cannot write")


def test_a_gradebook_that_cannot_be_made_is_one_line(a_file):
    done = run_grader("--course", str(COURSE), "grade", "mini",
                      str(NOTEBOOKS / "mini" / "correct.ipynb"), "--output", str(a_file / "out"))  # fmt: skip
    one_line_error(done, "cannot open the gradebook")


def test_an_unwritable_export_is_one_line(gradebook, a_file):
    done = run_grader("--course", str(COURSE), "export", "mini", "--to", "csv", "--gradebook",
                      f"sqlite:///{gradebook}", "--output", str(a_file / "grades.csv"))  # fmt: skip
    one_line_error(done, "cannot write")


def test_an_unwritable_autograder_zip_is_one_line(a_file):
    done = run_grader("--course", str(COURSE), "export", "mini", "--to", "gradescope",
                      "--output", str(a_file / "autograder.zip"))  # fmt: skip
    one_line_error(done, "cannot write")


def test_an_unwritable_workflow_is_one_line(a_file):
    done = run_grader("--course", str(COURSE), "ci", "init", "mini",
                      "--output", str(a_file / "grade.yml"))  # fmt: skip
    one_line_error(done, "cannot write")


def test_an_unwritable_release_is_one_line(course):
    (course / "assignments").write_text("a file where the folder should be")
    done = run_grader("--course", str(course), "release", "mini")
    one_line_error(done, "cannot write")


def test_a_corrupt_zip_is_one_line(tmp_path):
    archive = tmp_path / "cohort.zip"

    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("ada/mini.ipynb", "x" * 10_000 + "".join(map(str, range(3000))))
    data = bytearray(archive.read_bytes())
    start = data.index(b"ada/mini.ipynb") + len("ada/mini.ipynb")
    data[start + 10 : start + 40] = b"\xff" * 30  # damage the compressed bytes
    archive.write_bytes(bytes(data))
    done = run_grader("--course", str(COURSE), "grade", "mini", str(archive),
                      "--output", str(tmp_path / "out"))  # fmt: skip
    one_line_error(done, "not a valid zip file")
