"""`grader collect`: Canvas and Moodle downloads become student folders that grade.

The zips are written here in each LMS's naming convention (our own fixtures, with the
notebooks of tests/fixtures): Canvas's flat ``<name>[_LATE]_<id>_<submission>_<file>`` with a
re-upload's ``-1``, Moodle's ``<Full Name>_<id>_assignsubmission_file_/`` folders and its flat
variant.
"""

from __future__ import annotations

import datetime as dt
import json
import zipfile

import pytest

from grader.config import solution_assignment
from grader.errors import ConfigError, SubmissionError
from grader.integrations.lms import collect
from tests.conftest import COURSE, NOTEBOOKS, run_grader

MINI = solution_assignment(COURSE, "mini")
CORRECT = (NOTEBOOKS / "mini" / "correct.ipynb").read_bytes()
WRONG = (NOTEBOOKS / "mini" / "partially-correct.ipynb").read_bytes()
WHEN = (2026, 12, 1, 9, 30, 0)


def write_zip(path, entries):
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in entries.items():
            zf.writestr(zipfile.ZipInfo(name, date_time=WHEN), data)
    return path


def canvas_zip(tmp_path):
    return write_zip(tmp_path / "submissions.zip", {
        "lovelaceada_1001_5001_mini.ipynb": CORRECT,
        "babbagecharles_LATE_1002_5002_mini.ipynb": WRONG,  # first upload
        "babbagecharles_LATE_1002_5003_mini-1.ipynb": CORRECT,  # uploaded again: this one
        "babbagecharles_LATE_1002_5003_notes.pdf": b"%PDF-1.4",
        "hopper_grace_1003_5004_mini.ipynb": WRONG,  # a name the regex does not read
        "turingalan_1004_5005_mini.ipynb": CORRECT,  # not in the roster
        "README.txt": b"exported by the LMS",
    })  # fmt: skip


def roster(tmp_path, rows):
    path = tmp_path / "roster.csv"
    path.write_text("student,lms_id\n" + "".join(f"{s},{i}\n" for s, i in rows))
    return path


def test_a_canvas_download_becomes_one_folder_per_student_and_lists_the_rest(tmp_path):
    out = collect(MINI, canvas_zip(tmp_path), tmp_path / "subs",
                  roster(tmp_path, [("ada", 1001), ("charles", 1002)]))  # fmt: skip
    assert sorted(out.students) == ["ada", "charles", "turingalan-1004"]
    assert (tmp_path / "subs" / "charles" / "mini.ipynb").read_bytes() == CORRECT
    assert sorted(p.name for p in (tmp_path / "subs" / "charles").iterdir()) == [
        "mini.ipynb", "notes.pdf", "timestamp.txt"
    ]  # fmt: skip
    assert out.older == ["charles: babbagecharles_LATE_1002_5002_mini.ipynb"]
    assert out.not_notebooks == ["charles/notes.pdf"]
    assert out.unknown == ["turingalan (1004)"]
    assert out.late == ["charles"]
    assert sorted(out.unrecognised) == ["README.txt", "hopper_grace_1003_5004_mini.ipynb"]
    stamp = (tmp_path / "subs" / "ada" / "timestamp.txt").read_text().strip()
    assert dt.datetime.fromisoformat(stamp) == dt.datetime(*WHEN, tzinfo=dt.UTC)


def test_a_moodle_download_in_folders_or_flat_and_its_worksheet_ids(tmp_path):
    download = write_zip(tmp_path / "moodle.zip", {
        "Ada Lovelace_77001_assignsubmission_file_/mini.ipynb": CORRECT,
        "Ada Lovelace_77001_assignsubmission_onlinetext_/onlinetext.html": b"<p>hi</p>",
        "Charles Babbage_77002_assignsubmission_file_mini.ipynb": WRONG,
    })  # fmt: skip
    ids = tmp_path / "roster.csv"
    ids.write_text("student,lms_id\nada,Participant 77001\n")
    out = collect(MINI, download, tmp_path / "subs", ids)
    assert sorted(out.students) == ["ada", "charles-babbage-77002"]
    assert (tmp_path / "subs" / "ada" / "mini.ipynb").read_bytes() == CORRECT
    assert out.not_notebooks == ["ada/onlinetext.html"]
    assert out.unknown == ["Charles Babbage (77002)"]


def test_collect_refuses_a_folder_in_use_a_bad_zip_and_a_roster_without_ids(tmp_path):
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "x").write_text("")
    with pytest.raises(SubmissionError, match="is not empty"):
        collect(MINI, canvas_zip(tmp_path), tmp_path / "used")
    (tmp_path / "bad.zip").write_bytes(b"not a zip")
    with pytest.raises(SubmissionError, match="not a valid zip"):
        collect(MINI, tmp_path / "bad.zip", tmp_path / "new")
    (tmp_path / "keys.csv").write_text("student\nada\n")
    with pytest.raises(ConfigError, match="'student' and 'lms_id'"):
        collect(MINI, canvas_zip(tmp_path), tmp_path / "new2", tmp_path / "keys.csv")


@pytest.mark.slow
def test_collected_canvas_students_grade_from_the_command_line(tmp_path):
    listed = run_grader("--course", str(COURSE), "collect", "mini", str(canvas_zip(tmp_path)),
                        "--roster", str(roster(tmp_path, [("ada", 1001), ("charles", 1002)])),
                        "--to", str(tmp_path / "subs"))  # fmt: skip
    assert listed.returncode == 0, listed.stderr
    assert "collected 3 students" in listed.stdout and "turingalan (1004)" in listed.stdout
    graded = run_grader("--course", str(COURSE), "grade", "mini", str(tmp_path / "subs"),
                        "--format", "json", "--output", str(tmp_path / "out"))  # fmt: skip
    assert graded.returncode == 0, graded.stderr
    scores = {r["student"]: (r["total"], r["possible"]) for r in json.loads(graded.stdout)}
    full = scores["ada"][1]
    assert scores == {"ada": (full, full), "charles": (full, full),
                      "turingalan-1004": (full, full)}  # fmt: skip
