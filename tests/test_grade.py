"""The CLI end to end against real sandboxed kernels: one behaviour notebook per case."""

import json

import pytest

from grader.models import SCHEMA_VERSION
from tests.conftest import COURSE, NOTEBOOKS, run_grader

pytestmark = pytest.mark.slow


def statuses(result):
    return {c["name"]: c["status"] for c in result["checks"]}


def test_correct_notebook_scores_full_marks(graded_mini):
    r = graded_mini["results"]["correct"]
    assert r["gradable"] and (r["total"], r["possible"]) == (5.5, 5.5)
    assert set(statuses(r).values()) == {"passed"}
    assert r["schema_version"] == SCHEMA_VERSION == 4 and r["assignment"] == "mini"


def test_partially_correct_notebook_loses_an_all_or_nothing_question(graded_mini):
    r = graded_mini["results"]["partially-correct"]
    assert (r["total"], r["possible"]) == (3.0, 5.5)
    q2 = next(q for q in r["questions"] if q["name"] == "q2")
    assert (q2["score"], q2["passed"], q2["checks"]) == (0.0, 1, 2)
    scaled = next(c for c in r["checks"] if c["name"] == "test_scaled_values")
    assert scaled["status"] == "failed"
    assert scaled["message"].splitlines() == [
        "2 of 2 entries differ (shape (2,); tolerance: rtol=1e-07, atol=0)",
        "  at [0]: got 6.0, expected 5.0",
        "  at [1]: got 7.0, expected 10.0",
    ]


def test_empty_notebook_scores_zero_with_missing_names(graded_mini):
    r = graded_mini["results"]["empty"]
    assert r["gradable"] and r["total"] == 0 and r["possible"] == 5.5
    add = next(c for c in r["checks"] if c["name"] == "test_add_small")
    assert add["message"] == "`add` is not defined"
    assert add["hint"] == "Return a + b."


@pytest.mark.parametrize(
    ("student", "ename"), [("syntax-error", "SyntaxError"), ("raises", "ValueError")]
)
def test_a_broken_cell_is_recorded_and_the_rest_still_runs(graded_mini, student, ename):
    r = graded_mini["results"][student]
    assert [e["ename"] for e in r["cell_errors"]] == [ename]
    assert r["total"] == 3.0  # q1 (add, defined before) still scores; scale is missing
    assert statuses(r)["test_total_value"] == "passed"  # a cell after the broken one ran


def test_missing_name_fails_only_its_check(graded_mini):
    r = graded_mini["results"]["missing-name"]
    assert statuses(r) == {
        "test_add_small": "passed", "test_add_negative": "passed",
        "test_scaled_values": "passed", "test_total_value": "failed",
    }  # fmt: skip
    assert r["total"] == 3.0  # q2 is all-or-nothing


def test_infinite_loop_in_one_cell_times_out_and_later_cells_run(graded_mini):
    r = graded_mini["results"]["infinite-loop-in-one-cell"]
    assert [(e["cell"], e["kind"]) for e in r["cell_errors"]] == [(3, "timeout")]
    assert r["total"] == 5.5


def test_a_loop_that_ignores_interrupts_is_skipped_and_the_cells_after_it_still_count(
    graded_mini,
):
    # Cell 4 ignores SIGINT and loops forever; cells 5 and 6 answer the other questions.
    r = graded_mini["results"]["ignores-interrupt-loop"]
    assert r["gradable"] and r["total"] == r["possible"] and r["reason"] == ""
    assert [(e["cell"], e["kind"]) for e in r["cell_errors"]] == [(3, "skipped")]
    assert any("cell 4 ran past its time limit and did not stop when interrupted" in n
               for n in r["notes"])  # fmt: skip
    assert r["timings"]["total"] < 40


@pytest.mark.parametrize(
    ("student", "reason"),
    [("unreadable-json", "not valid JSON"), ("wrong-nbformat-version", "format version 99")],
)
def test_unreadable_notebooks_are_ungradable_not_zero(graded_mini, student, reason):
    r = graded_mini["results"][student]
    assert r["gradable"] is False and reason in r["reason"]
    assert r["checks"] == []


def test_json_output_is_one_list_in_graded_order_and_progress_goes_to_stderr(graded_mini):
    assert len(graded_mini["order"]) == len(list((NOTEBOOKS / "mini").glob("*.ipynb")))
    assert "correct: 5.5/5.5" in graded_mini["stderr"]


def test_reports_are_written_per_student(graded_mini):
    out = graded_mini["out"]
    data = json.loads((out / "correct.json").read_text())
    assert data["total"] == 5.5
    html = (out / "correct.html").read_text()
    assert "5.5 / 5.5" in html
    empty = (out / "empty.html").read_text()
    assert "0 / 5.5" in empty and "Return a + b." in empty
    assert "not gradable" not in empty.lower()
    assert "Not graded:" in (out / "unreadable-json.html").read_text()


def test_hidden_check_source_never_reaches_the_report(graded_mini):
    out = graded_mini["out"]
    hidden_src = (COURSE / "solutions" / "mini" / "tests" / "hidden" / "test_q2.py").read_text()
    for page in out.glob("*.html"):
        text = page.read_text()
        assert "hidden_data /" not in text and "factor.txt" not in text
        assert hidden_src not in text


def test_text_output_prints_one_summary_line_per_submission(tmp_path):
    done = run_grader(
        "--course", str(COURSE), "grade", "mini", str(NOTEBOOKS / "mini" / "correct.ipynb"),
        "--output", str(tmp_path),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "correct: 5.5/5.5 (100%)" in done.stdout
    assert (tmp_path / "correct.html").is_file()


def test_unknown_assignment_is_a_one_line_error(tmp_path):
    done = run_grader("--course", str(COURSE), "grade", "nope", str(tmp_path))
    assert done.returncode == 1
    assert done.stderr.strip().count("\n") == 0 and "no assignment 'nope'" in done.stderr


def test_a_student_folder_without_a_notebook_gets_a_row_beside_the_graded_one(tmp_path):
    cohort = tmp_path / "cohort"
    (cohort / "ada").mkdir(parents=True)
    (cohort / "ben").mkdir()
    (cohort / "ada" / "mini.ipynb").write_bytes((NOTEBOOKS / "mini" / "correct.ipynb").read_bytes())
    (cohort / "ben" / "answers.py").write_text("def add(a, b):\n    return a + b\n")
    done = run_grader(
        "--course", str(COURSE), "grade", "mini", str(cohort), "--format", "json",
        "--output", str(tmp_path / "out"),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    rows = {r["student"]: r for r in json.loads(done.stdout)}
    assert set(rows) == {"ada", "ben"}
    assert rows["ada"]["gradable"] and rows["ada"]["total"] == rows["ada"]["possible"] == 5.5
    assert not rows["ben"]["gradable"] and rows["ben"]["total"] == 0
    assert rows["ben"]["reason"] == "no notebook named mini.ipynb; found: answers.py"
    assert (tmp_path / "out" / "ben.html").is_file()
