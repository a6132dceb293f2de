import pytest

from tests.conftest import run_grader

pytestmark = pytest.mark.slow


def test_valid_assignment_passes_validation(course):
    done = run_grader("--course", str(course), "validate", "mini")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "solution: 5.5/5.5" in done.stdout and "released: 0/5.5" in done.stdout


def test_check_that_passes_without_a_solution_fails_validation(course):
    weak = course / "solutions" / "mini" / "tests" / "hidden" / "test_weak.py"
    weak.write_text("def test_anything(nb):\n    assert nb.source is not None\n")
    done = run_grader("--course", str(course), "validate", "mini")
    assert done.returncode == 1
    assert "test_anything passes without a solution" in done.stdout
    assert "is not valid" in done.stderr


def test_broken_check_file_is_a_clear_error(course):
    bad = course / "solutions" / "mini" / "tests" / "hidden" / "test_bad.py"
    bad.write_text("import no_such_module_here\n")
    done = run_grader("--course", str(course), "validate", "mini")
    assert done.returncode == 1
    assert "check file is broken" in done.stderr and "no_such_module_here" in done.stderr
