"""`grader grade --format json|gradescope|junit|md`, the step summary and --fail-under, end to end.

One batch is graded with real kernels; the other formats re-read it from the gradebook (the
same results, no new kernels), so every document describes the same grading.
"""

import json
import shutil
import xml.etree.ElementTree as ET

import jsonschema
import nbformat
import pytest

from tests.conftest import COURSE, NOTEBOOKS, run_grader
from tests.gradescope_schema import RESULTS

pytestmark = pytest.mark.slow

INJECTION = "<img src=x onerror=alert(1)> | **bold** `code` [link](http://evil.example)"
HIDDEN_SOURCE = "np.testing.assert_allclose"  # a line of the hidden check test_scaled_values
GRADESCOPE_TEST_KEYS = {"name", "score", "max_score", "status", "output", "visibility"}


def write_injecting_notebook(path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("def add(a, b):\n    return a + b"),
        nbformat.v4.new_code_cell(f"total = {INJECTION!r}"),
    ]
    nbformat.write(nb, path)


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """ada full marks, ben partly, eve injects markup in a message, zed ungradable."""
    root = tmp_path_factory.mktemp("formats")
    cohort = root / "cohort"
    cohort.mkdir()
    shutil.copy(NOTEBOOKS / "mini" / "correct.ipynb", cohort / "ada.ipynb")
    shutil.copy(NOTEBOOKS / "mini" / "partially-correct.ipynb", cohort / "ben.ipynb")
    write_injecting_notebook(cohort / "eve.ipynb")
    shutil.copy(NOTEBOOKS / "mini" / "unreadable-json.ipynb", cohort / "zed.ipynb")
    out = root / "out"
    first = grade(cohort, out, "--format", "json")
    assert first.returncode == 0, first.stderr
    return {"cohort": cohort, "out": out, "json": json.loads(first.stdout), "root": root}


def grade(*args, env=None):
    submissions, out, *rest = args
    return run_grader("--course", str(COURSE), "grade", "mini", str(submissions),
                      "--output", str(out), *rest, env=env)  # fmt: skip


def test_junit_is_valid_xml_with_a_suite_per_submission(batch):
    done = grade(batch["cohort"], batch["out"], "--format", "junit")
    assert done.returncode == 0, done.stderr
    assert "unchanged, not graded again" in done.stderr  # progress stays on stderr
    root = ET.fromstring(done.stdout)  # stdout is the XML document and nothing else
    suites = {s.get("name"): s for s in root.iter("testsuite")}
    assert set(suites) == {"ada", "ben", "eve", "zed"}
    ada, ben, eve, zed = (suites[n] for n in ("ada", "ben", "eve", "zed"))
    assert ada.find("testcase/failure") is None and ada.get("failures") == "0"
    assert int(ada.get("tests")) == len(batch["json"][0]["checks"]) == 4
    assert [c.get("name") for c in ben.iter("testcase") if c.find("failure") is not None] == [
        "test_scaled_values"
    ]
    assert zed.find("testcase/error").get("type") == "ungradable"
    props = {p.get("name"): p.get("value") for p in ben.iter("property")}
    assert (props["score"], props["possible"]) == ("3", "5.5")
    message = eve.find("testcase[@name='test_total_value']/failure").get("message")
    assert INJECTION in message  # escaped in the XML, read back as the same text
    assert int(root.get("tests")) == sum(int(s.get("tests")) for s in suites.values())
    assert HIDDEN_SOURCE not in done.stdout


def test_markdown_escapes_student_text_and_goes_to_the_step_summary(batch, tmp_path):
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n")
    done = grade(batch["cohort"], batch["out"], "--format", "md",
                 env={"GITHUB_STEP_SUMMARY": str(summary)})  # fmt: skip
    assert done.returncode == 0, done.stderr
    md = done.stdout
    assert md.startswith("## Mini")
    assert "| ben | 3 / 5.5 | 55% |" in md and "| zed | not graded |" in md
    assert "<img" not in md and "**bold**" not in md and "](http" not in md
    assert "&lt;img src=x onerror=alert\\(1\\)&gt; \\| \\*\\*bold\\*\\* \\`code\\`" in md
    assert HIDDEN_SOURCE not in md
    assert summary.read_text() == "earlier step\n" + md

    # Any format appends the Markdown to the summary; stdout keeps its own document.
    again = grade(batch["cohort"], batch["out"], "--format", "json",
                  env={"GITHUB_STEP_SUMMARY": str(summary)})  # fmt: skip
    assert json.loads(again.stdout)[0]["student"] in {"ada", "ben", "eve", "zed"}
    assert summary.read_text().count("## Mini") == 2


def test_gradescope_results_json_for_one_submission(batch):
    done = grade(batch["cohort"] / "ben.ipynb", batch["out"], "--format", "gradescope")
    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout)
    jsonschema.validate(results, RESULTS)
    assert results["score"] == 3.0 and isinstance(results["tests"], list)
    for test in results["tests"]:
        assert GRADESCOPE_TEST_KEYS <= set(test)
        assert test["status"] in {"passed", "failed"}
        assert isinstance(test["score"], int | float) and isinstance(test["max_score"], int | float)
    by_name = {t["name"]: t for t in results["tests"]}
    assert by_name["q1: test_add_small"]["visibility"] == "visible"
    assert by_name["q2: test_total_value"]["visibility"] == "after_published"
    # q2 is all or nothing: its passing check scores 0 when the other failed.
    assert by_name["q2: test_total_value"]["score"] == 0.0
    assert sum(t["score"] for t in results["tests"]) == results["score"]
    assert sum(t["max_score"] for t in results["tests"]) == 5.5
    assert HIDDEN_SOURCE not in done.stdout


def test_gradescope_refuses_several_submissions(batch):
    done = grade(batch["cohort"], batch["out"], "--format", "gradescope")
    assert done.returncode == 1 and done.stdout == ""
    assert "describes one submission" in done.stderr


def test_hidden_visibility_comes_from_assignment_toml(batch, tmp_path):
    course = tmp_path / "course"
    shutil.copytree(COURSE, course)
    toml = course / "solutions" / "mini" / "assignment.toml"
    toml.write_text(toml.read_text() + '\n[gradescope]\nhidden_visibility = "hidden"\n')
    done = run_grader("--course", str(course), "grade", "mini", str(batch["cohort"] / "ada.ipynb"),
                      "--output", str(tmp_path / "out"), "--format", "gradescope")  # fmt: skip
    assert done.returncode == 0, done.stderr
    tests = json.loads(done.stdout)["tests"]
    assert {t["visibility"] for t in tests if t["name"].startswith("q2")} == {"hidden"}
    assert json.loads(done.stdout)["score"] == 5.5


LEADERBOARD_CHECK = """
import pytest


@pytest.mark.question("q2")
def test_reports_the_total_for_the_leaderboard(nb, leaderboard):
    total = nb["total"]
    leaderboard("Total", float(total))
    leaderboard("Name", "ada")
    assert total > 100, "reported even when the check then fails"
"""


def test_a_check_reports_a_value_for_gradescopes_leaderboard(batch, tmp_path):
    course = tmp_path / "course"
    shutil.copytree(COURSE, course)
    mini = course / "solutions" / "mini"
    (mini / "tests" / "hidden" / "test_board.py").write_text(LEADERBOARD_CHECK)
    toml = mini / "assignment.toml"
    toml.write_text(toml.read_text() + '\n[[gradescope.leaderboard]]\nname = "Total"\n'
                    'order = "asc"\n\n[[gradescope.leaderboard]]\nname = "Name"\n')  # fmt: skip
    done = run_grader("--course", str(course), "grade", "mini", str(batch["cohort"] / "ada.ipynb"),
                      "--output", str(tmp_path / "out"), "--format", "gradescope")  # fmt: skip
    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout)
    jsonschema.validate(results, RESULTS)
    assert results["leaderboard"] == [
        {"name": "Total", "value": 10.0, "order": "asc"}, {"name": "Name", "value": "ada"}
    ]  # fmt: skip
    tests = {t["name"]: t for t in results["tests"]}
    assert tests["q2: test_reports_the_total_for_the_leaderboard"]["status"] == "failed"


@pytest.mark.parametrize(
    ("students", "percent", "code"),
    [
        (["ada", "ben"], 50, 0),  # ben has 54.5%
        (["ada", "ben"], 60, 3),
        (["ada", "zed"], 0, 3),  # ungradable is always under
        (["ada"], 100, 0),
    ],
)
def test_fail_under_exit_code(batch, tmp_path, students, percent, code):
    folder = tmp_path / "some"
    folder.mkdir()
    for name in students:
        shutil.copy(batch["cohort"] / f"{name}.ipynb", folder)
    done = grade(folder, batch["out"], "--format", "md", "--fail-under", str(percent))
    assert done.returncode == code, done.stderr
    assert done.stdout.startswith("## Mini")  # the document is written whatever the code
    if code:
        assert f"under {percent}%" in done.stderr
