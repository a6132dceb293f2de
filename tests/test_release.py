import tomllib

import nbformat
import pytest

from grader.authoring.release import release, released_imports
from grader.config import load_assignment, solution_assignment
from grader.errors import AssignmentError


def test_release_strips_solutions_and_copies_only_public_files(course):
    nb_path = release(solution_assignment(course, "mini"), course / "assignments" / "mini")
    out = course / "assignments" / "mini"
    nb = nbformat.read(nb_path, as_version=4)
    code = "\n".join(c.source for c in nb.cells)
    assert "BEGIN SOLUTION" not in code and "return a + b" not in code
    assert "raise NotImplementedError()" in code and "total = ..." in code
    assert "YOUR ANSWER HERE" in code and "Because." not in code
    assert all(
        c.outputs == [] and c.execution_count is None for c in nb.cells if c.cell_type == "code"
    )
    assert (out / "tests" / "public" / "test_q1.py").is_file()
    assert (out / "data" / "points.csv").is_file()
    assert not (out / "tests" / "hidden").exists()
    assert not list(out.rglob("*factor*"))
    released = load_assignment(out)
    assert released.questions["q2"].all_or_nothing
    assert tomllib.loads((out / "assignment.toml").read_text())["notebook"] == "mini.ipynb"


def test_release_replaces_stale_files(course):
    out = course / "assignments" / "mini"
    out.mkdir(parents=True)
    (out / "stale.txt").write_text("old")
    release(solution_assignment(course, "mini"), out)
    assert not (out / "stale.txt").exists()


@pytest.mark.parametrize("entry", ["tests/", "tests/hidden/data", "../mini"])
def test_release_refuses_to_release_hidden_checks(course, entry):
    toml = course / "solutions" / "mini" / "assignment.toml"
    toml.write_text(toml.read_text().replace('release = ["data/"]', f'release = ["{entry}"]'))
    with pytest.raises(AssignmentError):
        release(solution_assignment(course, "mini"), course / "assignments" / "mini")


def test_warm_kernels_preload_what_the_released_notebook_imports_never_the_solution_s(tmp_path):
    course = tmp_path / "a"
    course.mkdir()
    (course / "assignment.toml").write_text('notebook = "a.ipynb"\n')
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("import numpy as np"),
        nbformat.v4.new_code_cell(
            "### BEGIN SOLUTION\nfrom scipy.optimize import minimize\n### END SOLUTION"
        ),
    ]
    nbformat.write(nb, course / "a.ipynb")
    assert released_imports(load_assignment(course)) == ["numpy"]
    (course / "a.ipynb").unlink()
    assert released_imports(load_assignment(course)) == []
