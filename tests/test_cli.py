import ast
import json
import shutil
import subprocess
import sys

import click
import pytest
from click.testing import CliRunner

from grader.cli import main
from grader.sandbox import bwrap_problem
from tests.conftest import NOTEBOOKS, ROOT, run_grader


def test_every_command_has_help_and_appears_in_the_documented_commands():
    documented = (ROOT / "docs" / "commands.md").read_text()
    runner = CliRunner()
    names = main.list_commands(click.Context(main))
    assert {"grade", "check", "release", "review", "similarity", "import"} <= set(names)
    for name in names:
        command = main.get_command(click.Context(main), name)
        assert command is not None and command.help, name
        assert f"grader {name}" in documented, name
        assert runner.invoke(main, [name, "--help"]).exit_code == 0


def _loaded_after(code: str, modules: tuple[str, ...]) -> list[str]:
    """Which of ``modules`` a fresh Python has imported after running ``code``."""
    probe = f"import sys\n{code}\nprint(sorted(m for m in {modules!r} if m in sys.modules))\n"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    return ast.literal_eval(done.stdout.strip())


def test_a_command_imports_only_what_it_needs_not_every_command():
    code = (
        "from click.testing import CliRunner\n"
        "from grader.cli import main\n"
        "assert CliRunner().invoke(main, ['grade', '--help']).exit_code == 0"
    )
    others = ("flask", "grader.integrity.similarity", "grader.authoring.importing",
              "grader.review.app")  # fmt: skip
    assert _loaded_after(code, others) == []


def test_the_command_group_alone_imports_none_of_the_grading_machinery():
    # Every check worker's fork server imports it (it runs the `grader` script again), and
    # every command starts with it: the grading, the gradebook and pytest load when a
    # command that needs them runs.
    grading = ("grader.grade", "grader.cohort", "sqlalchemy", "pytest", "jupyter_client", "jinja2")
    assert _loaded_after("import grader.cli", grading) == []


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


@pytest.mark.slow
def test_verbose_says_what_it_does_and_debug_keeps_kernel_stderr_and_the_zygote_log(
    course, tmp_path, graded_mini
):
    assert "to grade" not in graded_mini["stderr"]  # without -v: warnings only
    assert not (graded_mini["out"] / "debug").exists()
    folder = tmp_path / "batch"
    folder.mkdir()
    for name in ("correct", "raises"):
        shutil.copy(NOTEBOOKS / "mini" / f"{name}.ipynb", folder / f"{name}.ipynb")
    debug = run_grader("--course", str(course), "--debug", "grade", "mini", str(folder),
                       "--kernels", "cold", "--output", str(tmp_path / "debug"))  # fmt: skip
    assert debug.returncode == 0, debug.stderr
    assert "grader: mini: 2 to grade, 0 unchanged" in debug.stderr  # --debug says what -v says
    logs = sorted(p.name for p in (tmp_path / "debug" / "debug").iterdir())
    assert logs == ["correct.kernel.log", "raises.kernel.log"]
    verbose = run_grader("--course", str(course), "-v", "grade", "mini", str(folder),
                         "--kernels", "cold", "--output", str(tmp_path / "debug"))  # fmt: skip
    assert "grader: mini: 0 to grade, 2 unchanged" in verbose.stderr
    if bwrap_problem() is None:  # warm kernels need bubblewrap
        warm = run_grader("--course", str(course), "--debug", "grade", "mini", str(folder),
                          "--output", str(tmp_path / "warm"))  # fmt: skip
        assert warm.returncode == 0, warm.stderr
        assert (tmp_path / "warm" / "debug" / "zygote.log").is_file()
        assert "the zygote is ready" in warm.stderr
