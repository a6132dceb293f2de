import json
import shutil

import pytest
from click.testing import CliRunner

from grader.cli import main
from tests.conftest import NOTEBOOKS, ROOT, run_grader


def test_every_command_has_help_and_appears_in_the_readme():
    readme = (ROOT / "README.md").read_text()
    runner = CliRunner()
    for name, command in main.commands.items():
        assert command.help, name
        assert f"grader {name}" in readme, name
        assert runner.invoke(main, [name, "--help"]).exit_code == 0


def test_release_command_reports_the_released_notebook(course):
    result = CliRunner().invoke(main, ["--course", str(course), "release", "mini"])
    assert result.exit_code == 0, result.output
    assert "released mini" in result.output
    assert (course / "assignments" / "mini" / "mini.ipynb").is_file()


def test_missing_assignment_exits_1_with_one_line(course):
    result = CliRunner().invoke(main, ["--course", str(course), "release", "nope"])
    assert result.exit_code == 1
    assert result.output.strip().startswith("grader: error: no assignment 'nope'")


def test_usage_error_exits_2():
    assert CliRunner().invoke(main, ["grade"]).exit_code == 2


@pytest.mark.slow
def test_a_notebook_given_by_itself_is_named_after_its_student_folder(course, tmp_path):
    ada = tmp_path / "ada"
    ada.mkdir()
    shutil.copy(NOTEBOOKS / "mini" / "correct.ipynb", ada / "mini.ipynb")
    shutil.copy(NOTEBOOKS / "mini" / "empty.ipynb", tmp_path / "ben.ipynb")
    done = run_grader("--course", str(course), "grade", "mini", str(ada / "mini.ipynb"),
                      str(tmp_path / "ben.ipynb"), "--format", "json",
                      "--output", str(tmp_path / "out"))  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert sorted(r["student"] for r in json.loads(done.stdout)) == ["ada", "ben"]


def test_grade_refuses_an_assignment_that_would_release_hidden_checks(course, tmp_path):
    toml = course / "solutions" / "mini" / "assignment.toml"
    toml.write_text(toml.read_text().replace('release = ["data/"]', 'release = ["tests/hidden"]'))
    done = run_grader(
        "--course", str(course), "grade", "mini", str(NOTEBOOKS / "mini" / "correct.ipynb"),
        "--output", str(tmp_path / "out"),
    )  # fmt: skip
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert done.stderr.startswith("grader: error: ") and "'tests/hidden'" in done.stderr
    assert not (tmp_path / "out").exists()
