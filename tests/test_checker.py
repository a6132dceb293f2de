"""`from grader import Checker` in a student's live notebook: the same checks, the same verdicts."""

import ast
import asyncio
import json
import shutil

import nbformat
import pytest
from jupyter_client.manager import start_new_kernel

from grader.authoring.release import release_for_students
from grader.config import load_assignment, solution_assignment
from grader.execute import run_notebook
from grader.grade import private_workdir
from grader.notebook import read_submission
from grader.sandbox.kernel import sandboxed_kernel
from tests.conftest import COHORT, COURSE, NOTEBOOKS, ROOT, cohort_part, run_grader

pytestmark = pytest.mark.slow
PARITY = ["correct", "partially-correct", "empty", "raises", "missing-name"]


@pytest.fixture(scope="module")
def released(tmp_path_factory):
    course = tmp_path_factory.mktemp("course") / "course"
    shutil.copytree(COURSE, course)
    assert run_grader("--course", str(course), "release", "mini").returncode == 0
    return course / "assignments" / "mini"


def in_notebook(folder, cells, check_code="check.all()"):
    """Run ``cells`` in a plain kernel started in ``folder``, then the Checker; its report."""
    km, kc = start_new_kernel(cwd=str(folder))
    try:
        for source in cells:
            kc.execute_interactive(source, timeout=60, output_hook=lambda msg: None)
        reply = kc.execute_interactive(
            f"from grader import Checker\ncheck = Checker()\n_report = {check_code}",
            timeout=60,
            output_hook=lambda msg: None,
            user_expressions={
                "results": "__import__('json').dumps([(r.name, r.status, r.message) "
                           "for r in _report.results])",
                "html": "_report._repr_html_()",
            },
        )  # fmt: skip
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    content = reply["content"]
    assert content["status"] == "ok", content
    found = {k: v["data"]["text/plain"] for k, v in content["user_expressions"].items()}
    return json.loads(ast.literal_eval(found["results"])), ast.literal_eval(found["html"])


def code_cells(name):
    nb = nbformat.read(NOTEBOOKS / "mini" / f"{name}.ipynb", as_version=4)
    return [c.source for c in nb.cells if c.cell_type == "code"]


@pytest.mark.parametrize("name", PARITY)
def test_in_notebook_checks_give_the_same_verdicts_as_grading(released, graded_mini, name):
    results, _ = in_notebook(released, code_cells(name))
    graded = graded_mini["results"][name]
    public = [[c["name"], c["status"], c["message"]] for c in graded["checks"]
              if c["visibility"] == "public"]  # fmt: skip
    assert results == public


def test_the_result_shows_as_escaped_html_that_does_not_claim_the_grade(released):
    cells = ["def add(a, b):\n    raise ValueError('<script>alert(1)</script>')"]
    results, html = in_notebook(released, cells, "check('q1')")
    assert [status for _, status, _ in results] == ["failed"]
    assert "<script>alert(1)" not in html and "&lt;script&gt;" in html
    assert "Hidden checks also run at grading" in html and "Hint: Return a + b." in html


def test_a_call_that_never_returns_times_out_in_the_notebook_too(released):
    cells = ["def add(a, b):\n    while True:\n        pass"]
    results, _ = in_notebook(released, cells, "check('q1')")
    assert results == [["test_add_small", "timeout", "calling add() did not finish within 3 s"]]


# --- The demo cohort: every notebook's in-notebook verdicts against `grader grade`'s ---------


async def _checker_verdicts(assignment, notebook):
    """Run ``notebook`` as the grader does (limits only, so the kernel can import grader),
    then ``Checker(<released folder>).all()`` in that same kernel; None if the kernel is gone."""
    nb = read_submission(notebook)
    with private_workdir(assignment, nb) as workdir:
        async with sandboxed_kernel(workdir, assignment.limits, "limits") as kernel:
            execution = await run_notebook(nb, kernel, assignment.limits)
            if not execution.kernel_usable:
                return None
            kc = kernel.manager.client()
            kc.start_channels()
            try:
                await kc.wait_for_ready(timeout=30)
                code = (f"from grader import Checker as _C\n"
                        f"_r = _C({str(assignment.root)!r}).all()")  # fmt: skip
                expr = "__import__('json').dumps([(r.name, r.status) for r in _r.results])"
                reply = await kc.execute_interactive(
                    code, user_expressions={"v": expr}, timeout=300, output_hook=lambda m: None
                )
            finally:
                kc.stop_channels()
    value = reply["content"]["user_expressions"]["v"]["data"]["text/plain"]
    return [tuple(x) for x in json.loads(ast.literal_eval(value))]


def _own_release(name, student, tmp_path):
    """The student's own copy of ``name``: the common release, or with data variants (the demo
    course's secret), theirs from `grader release --roster`."""
    solution = solution_assignment(ROOT, name)
    if not solution.variants:
        return load_assignment(ROOT / "assignments" / name, name)
    folder = release_for_students(solution, tmp_path / name / student, [student]) / student
    return load_assignment(folder, name)


def test_in_notebook_checks_agree_with_grading_on_the_demo_cohort(cohort_graded, tmp_path):
    """A sixth of the demo cohort (every assignment, every student in one or two of them);
    another sixth is graded again by test_assignments' determinism test."""
    disagreements, compared = [], []

    async def one(gate, name, student):
        released = _own_release(name, student, tmp_path)
        graded = cohort_graded[name][student]
        if not graded["gradable"]:
            return
        public = [(c["name"], c["status"]) for c in graded["checks"] if c["visibility"] == "public"]
        async with gate:
            verdicts = await _checker_verdicts(released, COHORT / student / f"{name}.ipynb")
        if verdicts is None:  # the notebook killed or wedged its kernel: grading failed them all
            if any(status == "passed" for _, status in public):
                disagreements.append((name, student, "kernel gone", public))
        elif verdicts != public:
            disagreements.append((name, student, verdicts, public))
        compared.append((name, student))

    async def main():
        gate = asyncio.Semaphore(2)
        await asyncio.gather(*(one(gate, name, path.parent.name) for name in cohort_graded
                               for path in cohort_part(name, 1)))  # fmt: skip

    asyncio.run(main())
    assert disagreements == []
    assert len(compared) >= 14 and {name for name, _ in compared} == set(cohort_graded)
