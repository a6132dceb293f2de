"""`grader new`: a new assignment in a new folder, which validates at once."""

import json

import pytest

from tests.conftest import run_grader


@pytest.mark.slow
def test_a_new_assignment_in_an_empty_folder_releases_and_validates_at_once(tmp_path):
    made = run_grader("new", "first-steps", "--title", 'Week 1: "numpy"', cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    assert (tmp_path / ".gitignore").read_text().startswith("reports/")
    assert (tmp_path / "assignments").is_dir() and (tmp_path / "reports").is_dir()
    toml = (tmp_path / "solutions" / "first-steps" / "assignment.toml").read_text()
    assert 'title = "Week 1: \\"numpy\\""' in toml and "# [late]" in toml
    released = run_grader("release", "first-steps", cwd=tmp_path)
    assert released.returncode == 0, released.stderr
    student = tmp_path / "assignments" / "first-steps"
    assert (student / "data" / "values.csv").is_file()
    assert not (student / "tests" / "hidden").exists()
    source = json.loads((student / "first-steps.ipynb").read_text())
    code = "".join("".join(c["source"]) for c in source["cells"])
    assert "n_above_mean = ..." in code and "raise NotImplementedError()" in code
    valid = run_grader("validate", "first-steps", cwd=tmp_path)
    assert valid.returncode == 0, valid.stdout + valid.stderr
    assert "solution: 4/4 (100%)" in valid.stdout and "released: 0/4 (0%)" in valid.stdout


def test_new_refuses_an_existing_assignment_and_a_name_that_is_not_one(tmp_path):
    assert run_grader("new", "week1", cwd=tmp_path).returncode == 0
    again = run_grader("new", "week1", cwd=tmp_path)
    assert again.returncode != 0 and "already exists" in again.stderr
    assert "Traceback" not in again.stderr
    bad = run_grader("new", "../outside", cwd=tmp_path)
    assert bad.returncode != 0 and "is not an assignment name" in bad.stderr
    assert not (tmp_path.parent / "outside").exists()
