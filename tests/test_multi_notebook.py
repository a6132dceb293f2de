"""A multi-notebook assignment: each notebook in its own kernel, checks by notebook, one total.

The fixture assignment ``multi`` has ``part1.ipynb`` (q1, public) and ``part2.ipynb`` (q2,
hidden, including a check that part1's function is not visible from part2's kernel).
"""

import json

import nbformat
import pytest

from tests.conftest import NOTEBOOKS, run_grader

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    out = tmp_path_factory.mktemp("multi")
    done = run_grader("--course", str(NOTEBOOKS.parent / "course"), "grade", "multi",
                      str(NOTEBOOKS / "multi"), "--format", "json", "--output", str(out),
                      "--jobs", "2")  # fmt: skip
    assert done.returncode == 0, done.stderr
    return {r["student"]: r for r in json.loads(done.stdout)}, out


def _questions(result):
    return {q["name"]: (q["score"], q["possible"], q["notebook"]) for q in result["questions"]}


def test_each_notebook_runs_in_its_own_kernel_and_counts_toward_one_total(graded):
    results, _ = graded
    ada = results["ada"]
    assert (ada["total"], ada["possible"]) == (4, 4)  # q3, by hand, not graded yet
    assert _questions(ada) == {"q1": (2, 2, "part1"), "q2": (2, 2, "part2"), "q3": (0, 3, "part2")}
    assert [q["name"] for q in ada["questions"] if q["awaiting"] and q["manual"]] == ["q3"]
    assert {c["name"]: c["notebook"] for c in ada["checks"]} == {
        "test_add": "part1", "test_mean": "part2", "test_part1_is_not_visible_here": "part2"
    }  # fmt: skip


def test_a_notebook_not_handed_in_fails_its_own_checks_and_the_rest_still_count(graded):
    ben = graded[0]["ben"]
    assert ben["gradable"] and (ben["total"], ben["possible"]) == (2, 4)
    failed = [c for c in ben["checks"] if c["notebook"] == "part2"]
    assert failed and all(c["status"] == "failed" for c in failed)
    assert all("part2.ipynb was not handed in" in c["message"] for c in failed)
    assert "part2.ipynb was not handed in" in ben["notes"]


def test_a_wrong_notebook_costs_only_its_own_questions(graded):
    cara = graded[0]["cara"]
    assert _questions(cara) == {"q1": (0, 2, "part1"), "q2": (2, 2, "part2"), "q3": (0, 3, "part2")}


def test_a_folder_without_any_of_the_notebooks_is_a_row_that_says_so(graded):
    dan = graded[0]["dan"]
    assert not dan["gradable"]
    assert dan["reason"] == "none of part1.ipynb, part2.ipynb; found: notes.txt"


def test_a_cell_error_names_its_notebook(tmp_path):
    student = tmp_path / "eve"
    student.mkdir()
    for name, code in (("part1", "def add(a, b):\n    return a + b"), ("part2", "1 / 0")):
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
        nbformat.write(nb, student / f"{name}.ipynb")
    done = run_grader("--course", str(NOTEBOOKS.parent / "course"), "grade", "multi",
                      str(student), "--format", "json", "--output", str(tmp_path / "out"),
                      "--kernels", "cold")  # fmt: skip
    assert done.returncode == 0, done.stderr
    (eve,) = json.loads(done.stdout)
    assert [(e["notebook"], e["cell"], e["ename"]) for e in eve["cell_errors"]] == [
        ("part2", 0, "ZeroDivisionError")
    ]


def test_release_strips_every_notebook_and_validate_grades_them_all(tmp_path):
    course = tmp_path / "course"
    import shutil

    shutil.copytree(NOTEBOOKS.parent / "course", course)
    done = run_grader("--course", str(course), "release", "multi")
    assert done.returncode == 0, done.stderr
    released = course / "assignments" / "multi"
    for name in ("part1.ipynb", "part2.ipynb"):
        code = "".join(c.source for c in nbformat.read(released / name, as_version=4).cells)
        assert "raise NotImplementedError()" in code and "return" not in code
    toml = (released / "assignment.toml").read_text()
    assert 'notebooks = ["part1.ipynb", "part2.ipynb"]' in toml
    done = run_grader("--course", str(course), "validate", "multi")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "solution:          solution: 4/4 (100%); awaiting manual grading: q3" in done.stdout
    part2 = nbformat.read(released / "part2.ipynb", as_version=4)
    assert part2.cells[1].source.startswith("<!-- MANUAL: q3 -->")
    assert (
        "YOUR ANSWER HERE" in part2.cells[1].source
        and "sum of the values" not in part2.cells[1].source
    )
    assert "rubric" not in toml and "manual = true" in toml


def test_reports_show_the_notebook_of_each_question_and_cell(graded):
    _, out = graded
    page = (out / "ben.html").read_text()
    assert "<th>Notebook</th>" in page and "<td>part2</td>" in page
    assert "awaiting manual grading (3 points)" in page and "Awaiting manual grading: q3" in page
    assert "| part1: q1" in (out / "ben.md").read_text()
    summary = (out / "index.html").read_text()
    assert "<th>Notebook</th>" in summary and "<td>part1</td>" in summary
    assert "awaiting manual grading" in summary


def test_checks_run_at_their_checkpoint_cell_against_the_state_then(graded):
    """q1 waits for the cell marked `# CHECK: q1`; a later cell rebinds `add` (otter#890)."""
    results, _ = graded
    assert _questions(results["gia"])["q1"] == (2, 2, "part1")  # checked before `add = None`
    hal = results["hal"]  # deleted the checkpoint cell: checked at the end, as otter does
    assert _questions(hal)["q1"] == (0, 2, "part1")
    assert next(c["message"] for c in hal["checks"] if c["name"] == "test_add") == (
        "`add` is not a function"
    )


def test_the_csv_export_has_a_column_per_question_and_per_notebook(graded, tmp_path):
    _, out = graded
    done = run_grader("--course", str(NOTEBOOKS.parent / "course"), "export", "multi", "--to",
                      "csv", "--gradebook", f"sqlite:///{out / 'gradebook.sqlite'}",
                      "--output", "-")  # fmt: skip
    assert done.returncode == 0, done.stderr
    header, *rows = [line.split(",") for line in done.stdout.splitlines()]
    at = {name: header.index(name) for name in ("q1", "q3", "notebook:part1", "notebook:part2")}
    cara = next(r for r in rows if r[0] == "cara")
    assert [cara[at[k]] for k in ("q1", "q3", "notebook:part1", "notebook:part2")] == [
        "0", "awaiting", "0", "2"
    ]  # fmt: skip
