"""Finding submissions: every student folder is a row, gradable or not (no kernel involved)."""

import asyncio
import shutil
import zipfile

import pytest

from grader.cohort import grade_cohort
from grader.config import load_assignment, solution_assignment
from grader.grade import GradeOptions, grade_submission_async
from grader.gradebook import Gradebook, default_url
from grader.grading_key import assignment_hash, stamp
from grader.submissions import find_submissions
from tests.conftest import COURSE, NOTEBOOKS

MINI = solution_assignment(COURSE, "mini")
CORRECT = NOTEBOOKS / "mini" / "correct.ipynb"


def make_cohort(folder):
    """ada gradable; ben, cara, dan not; eve's only notebook has another name."""
    for student, files in {
        "ada": ["mini.ipynb", "notes.txt"],
        "ben": ["answers.py", "notes.txt", ".DS_Store"],
        "cara": [".hidden.ipynb"],
        "dan": ["a.ipynb", "b.ipynb", "notes.txt"],
        "eve": ["homework.ipynb", "answers.py"],
        "__MACOSX": ["._ada.ipynb"],
        ".ipynb_checkpoints": ["mini-checkpoint.ipynb"],
    }.items():
        (folder / student).mkdir(parents=True)
        for name in files:
            if name.endswith(".ipynb"):
                shutil.copy(CORRECT, folder / student / name)
            else:
                (folder / student / name).write_text("x = 1\n")
    (folder / "ben" / "scratch").mkdir()
    (folder / "ben" / "scratch" / "draft.py").write_text("")
    (folder / "README.md").write_text("not a student")
    return folder


EXPECTED = {
    "ada": "",
    "ben": "no notebook named mini.ipynb; found: answers.py, notes.txt, scratch/",
    "cara": "the folder is empty",
    "dan": "several notebooks and none named mini.ipynb: a.ipynb, b.ipynb",
    "eve": "",
}


def found(paths):
    with find_submissions(MINI, paths) as subs:
        return {s.student: s for s in subs}


def test_every_student_folder_is_a_submission_with_what_it_holds(tmp_path):
    subs = found([make_cohort(tmp_path / "cohort")])
    assert {name: s.problem for name, s in subs.items()} == EXPECTED
    assert subs["ada"].path.name == "mini.ipynb" and subs["eve"].path.name == "homework.ipynb"
    assert not subs["ben"].path.exists()


def test_a_zip_gives_the_same_rows_as_its_folder(tmp_path):
    folder = make_cohort(tmp_path / "cohort")
    archive = tmp_path / "cohort.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in sorted(folder.rglob("*")):
            zf.write(path, path.relative_to(folder))
    subs = found([archive])
    assert {name: s.problem for name, s in subs.items()} == EXPECTED


def test_a_long_listing_is_cut_short(tmp_path):
    student = tmp_path / "cohort" / "ben"
    student.mkdir(parents=True)
    for i in range(12):
        (student / f"f{i:02d}.py").write_text("")
    problem = found([tmp_path / "cohort"])["ben"].problem
    assert problem.endswith("f06.py, f07.py and 4 more") and "f08.py" not in problem


def test_nbgrader_layout_reads_the_assignment_folder_inside_the_student(tmp_path):
    inner = tmp_path / "submitted" / "ada" / "mini"
    inner.mkdir(parents=True)
    shutil.copy(CORRECT, inner / "mini.ipynb")
    (inner / "timestamp.txt").write_text("2026-01-10T11:00:00Z")
    ada = found([tmp_path / "submitted"])["ada"]
    assert ada.problem == "" and ada.path == inner / "mini.ipynb"
    assert ada.submitted_at is not None and ada.submitted_at.year == 2026


def test_a_submission_with_a_problem_is_ungradable_with_that_reason(tmp_path):
    ben = found([make_cohort(tmp_path / "cohort")])["ben"]
    result = asyncio.run(grade_submission_async(MINI, ben, GradeOptions(isolation="limits")))
    assert not result.gradable and result.reason == EXPECTED["ben"]


def test_the_row_of_a_folder_without_a_notebook_is_kept_on_a_rerun(tmp_path):
    subs = list(found([make_cohort(tmp_path / "cohort")]).values())
    ben = next(s for s in subs if s.student == "ben")
    assert stamp(ben.path, assignment_hash(MINI)).content_hash == ""
    gradebook = Gradebook(default_url(tmp_path / "out"))
    seen = []
    try:
        for _ in range(2):
            grade_cohort(
                MINI, [ben], GradeOptions(isolation="limits"), 1, gradebook,
                lambda result, _key, reused: seen.append((result.reason, reused)),
            )  # fmt: skip
        rows = gradebook.latest("mini")
    finally:
        gradebook.close()
    assert seen == [(EXPECTED["ben"], False), (EXPECTED["ben"], True)]
    assert [(r.student, r.gradable, r.reason) for r in rows] == [("ben", False, EXPECTED["ben"])]


@pytest.mark.parametrize("hidden", [".DS_Store", ".git/config"])
def test_only_hidden_files_is_an_empty_folder(tmp_path, hidden):
    path = tmp_path / "cohort" / "ben" / hidden
    path.parent.mkdir(parents=True)
    path.write_text("")
    assert found([tmp_path / "cohort"])["ben"].problem == "the folder is empty"


MULTI = load_assignment(COURSE / "solutions" / "multi")
MULTI_COHORT = NOTEBOOKS / "multi"


def test_a_multi_notebook_submission_is_the_student_folder_with_each_notebook_in_place():
    with find_submissions(MULTI, [MULTI_COHORT]) as subs:
        found = {s.student: s for s in subs}
    assert sorted(found) == ["ada", "ben", "cara", "dan", "gia", "hal"]
    ada, ben, dan = found["ada"], found["ben"], found["dan"]
    assert [p.name for p in ada.notebooks] == ["part1.ipynb", "part2.ipynb"]
    assert all(p.is_file() for p in ada.notebooks) and ada.files == ada.notebooks
    assert ben.path.name == "part1.ipynb" and not ben.notebooks[1].exists()
    assert [p.name for p in ben.files] == ["part1.ipynb"] and not ben.problem
    assert dan.problem == "none of part1.ipynb, part2.ipynb; found: notes.txt"


@pytest.mark.parametrize("given", ["ada", "ada/part2.ipynb"])
def test_one_student_s_folder_or_one_of_their_notebooks_is_that_student(given):
    with find_submissions(MULTI, [MULTI_COHORT / given]) as subs:
        assert [(s.student, [p.name for p in s.files]) for s in subs] == [
            ("ada", ["part1.ipynb", "part2.ipynb"])
        ]


def test_the_grading_key_changes_with_any_of_a_student_s_notebooks(tmp_path):
    folder = tmp_path / "ada"
    shutil.copytree(MULTI_COHORT / "ada", folder)
    with find_submissions(MULTI, [folder]) as subs:
        before = stamp(subs[0].files, "digest").grading_key
    (folder / "part2.ipynb").write_text((folder / "part2.ipynb").read_text() + " ")
    with find_submissions(MULTI, [folder]) as subs:
        assert stamp(subs[0].files, "digest").grading_key != before


def test_one_student_s_nbgrader_folder_given_by_itself_is_that_student(tmp_path):
    inner = tmp_path / "ada" / "mini"
    inner.mkdir(parents=True)
    shutil.copy(CORRECT, inner / "mini.ipynb")
    (inner / "timestamp.txt").write_text("2026-01-10 12:00:00 UTC")
    with find_submissions(MINI, [tmp_path / "ada"]) as subs:
        assert [(s.student, s.path.name) for s in subs] == [("ada", "mini.ipynb")]
        assert subs[0].submitted_at is not None


def test_student_folders_given_one_by_one_are_each_their_student(tmp_path):
    """`grader grade NAME cohort/ada cohort/ben`: two students, named after their folders."""
    mini = load_assignment(COURSE / "solutions" / "mini", "mini")
    for student in ("ada", "ben"):
        (tmp_path / student).mkdir()
        shutil.copy(NOTEBOOKS / "mini" / "correct.ipynb", tmp_path / student / "mini.ipynb")
    with find_submissions(mini, [tmp_path / "ada", tmp_path / "ben"]) as subs:
        assert [(s.student, s.path.parent.name) for s in subs] == [("ada", "ada"), ("ben", "ben")]


def test_a_text_file_named_as_the_notebook_stands_for_it_in_a_students_folder(tmp_path):
    for student, name in {"ada": "mini.py", "ben": "mini.md", "cara": "mini.qmd"}.items():
        (tmp_path / student).mkdir()
        (tmp_path / student / name).write_text("x = 1\n")
    (tmp_path / "dan").mkdir()  # both: the notebook is the submission
    shutil.copy(CORRECT, tmp_path / "dan" / "mini.ipynb")
    (tmp_path / "dan" / "mini.py").write_text("x = 1\n")
    (tmp_path / "eve").mkdir()  # a script of another name is not the notebook
    (tmp_path / "eve" / "answers.py").write_text("x = 1\n")
    subs = found([tmp_path])
    assert {n: (s.path.name, s.problem) for n, s in subs.items()} == {
        "ada": ("mini.py", ""),
        "ben": ("mini.md", ""),
        "cara": ("mini.qmd", ""),
        "dan": ("mini.ipynb", ""),
        "eve": ("mini.ipynb", "no notebook named mini.ipynb; found: answers.py"),
    }
    assert found([tmp_path / "ada" / "mini.py"])["ada"].path.name == "mini.py"
    assert set(found([tmp_path / "ben"])) == {"ben"}
