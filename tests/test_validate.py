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


def test_a_check_that_runs_in_the_student_s_kernel_is_named_for_review(course):
    check = course / "solutions" / "mini" / "tests" / "hidden" / "test_q1_live.py"
    check.write_text("import pytest\n\n\n@pytest.mark.question('q1')\n@pytest.mark.in_kernel\n"
                     "def test_add_live(nb):\n    nb.run('assert add(2, 2) == 4')\n")  # fmt: skip
    done = run_grader("--course", str(course), "validate", "mini")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "note: q1/test_add_live runs its test in the student's kernel" in done.stdout
