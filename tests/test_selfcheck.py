"""`grader check NOTEBOOK`: a student's self-check in the terminal, against a released copy."""

import shutil

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from tests.conftest import NOTEBOOKS, run_grader

pytestmark = pytest.mark.slow


@pytest.fixture
def released(course):
    """The released mini assignment, as a student has it."""
    assert run_grader("--course", str(course), "release", "mini").returncode == 0
    return course / "assignments" / "mini"


def check(notebook):
    done = run_grader("check", str(notebook))
    assert done.returncode == 0, done.stderr
    return " ".join(done.stdout.split())  # the table wraps long lines


def test_a_correct_notebook_passes_the_public_checks_but_is_not_told_it_is_graded(released):
    shutil.copy(NOTEBOOKS / "mini" / "correct.ipynb", released / "mine.ipynb")
    out = check(released / "mine.ipynb")
    assert "✓" in out and "✗" not in out
    assert "Public checks: 1 of 1 passed" in out and "not your grade" in out
    assert "all passed" not in out.lower()
    assert "q2: Scale: no public checks" in out


def test_the_released_notebook_shows_failures_hints_and_placeholders(released):
    out = check(released / "mini.ipynb")
    assert "✗" in out and "hint: Return a + b." in out
    assert "Public checks: 0 of 1 passed" in out
    assert "still holds a placeholder" in out


def test_warns_about_out_of_order_cells_and_missing_files(released):
    nb = new_notebook(cells=[
        new_code_cell("total = base + 1", execution_count=2),
        new_code_cell("base = 9\ndef add(a, b):\n    return a + b", execution_count=1),
        new_code_cell("import pandas as pd\nextra = pd.read_csv('data/extra.csv')", execution_count=3),
    ])  # fmt: skip
    nbformat.write(nb, released / "mine.ipynb")
    out = check(released / "mine.ipynb")
    assert "raised NameError when run from top to bottom" in out and "restart the kernel" in out
    assert "cannot find a file" in out and "extra.csv" in out
    assert "Public checks: 1 of 1 passed" in out


def test_a_notebook_outside_an_assignment_folder_is_a_one_line_error(tmp_path):
    shutil.copy(NOTEBOOKS / "mini" / "correct.ipynb", tmp_path / "mine.ipynb")
    done = run_grader("check", str(tmp_path / "mine.ipynb"))
    assert done.returncode == 1
    assert done.stderr.strip().count("\n") == 0 and "assignments/<name>/" in done.stderr


CHECK_OF_THE_START = """
import os


def test_the_fork_server_started_while_the_notebook_ran(nb):
    # This check process's fork server: when it started, in seconds since boot.
    with open(f"/proc/{os.getppid()}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    started = int(fields[19]) / os.sysconf("SC_CLK_TCK")
    assert started < nb["ENDED"] - 1.0, (started, nb["ENDED"])
"""


def test_the_checks_process_starts_while_the_notebook_runs(released):
    # Its imports (about 1 s) overlap the kernel's start and the notebook's run.
    (released / "tests" / "public" / "test_started.py").write_text(CHECK_OF_THE_START)
    nb = new_notebook(cells=[
        new_code_cell("def add(a, b):\n    return a + b"),
        new_code_cell("import time\ntime.sleep(2)\nENDED = time.clock_gettime(time.CLOCK_BOOTTIME)"),
    ])  # fmt: skip
    nbformat.write(nb, released / "mine.ipynb")
    out = check(released / "mine.ipynb")
    assert "Public checks: 2 of 2 passed" in out, out
