"""How a check's pytest outcome becomes its status, points and message (no kernel).

The checks run with the grader's pytest plugin in this process, as a check worker runs them,
but ``nb`` answers from a stub instead of a kernel: what the student's notebook "did" (a value,
an exception in their code, a call that timed out, a dead kernel) is chosen per name.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from grader.checks.bridge import BridgeTimeout, StudentError
from grader.checks.plugin import CheckDefinitionError, CheckJob, GraderPlugin, run_pytest

# The test process's own pytest rewrites the asserts of any test_*.py it imports, which no
# check worker does (it runs pytest with --assert=plain): this docstring opts the checks out.
PUBLIC = """
    "PYTEST_DONT_REWRITE"
    import pytest

    @pytest.mark.points(2)
    @pytest.mark.hint("Add them.")
    def test_passes(nb):
        assert nb["x"] == 1

    @pytest.mark.hint("Look at x.")
    def test_assertion_with_message(nb):
        assert nb["x"] == 2, "x should be 2"

    def test_assertion_without_message(nb):
        assert nb["x"] == 2

    def test_student_code_raises(nb):
        nb["boom"]

    def test_call_times_out(nb):
        nb["slow"]

    def test_check_itself_raises(nb):
        {}["missing"]

    @pytest.fixture
    def broken():
        raise RuntimeError("the fixture broke")

    def test_fixture_error(nb, broken):
        pass
"""
HIDDEN = """
    "PYTEST_DONT_REWRITE"
    import pytest

    @pytest.mark.question("q1")
    def test_hidden_assertion(nb):
        assert nb["x"] == 2

    @pytest.mark.points(0.5)
    def test_hidden_passes(nb):
        assert nb["x"] == 1
"""


class StubNotebook:
    """Answers ``nb[name]`` as the student's notebook would, without a kernel."""

    def ask(self, request, what):
        name = request["name"] if isinstance(request, dict) else request.name
        if name == "boom":
            raise StudentError("reading `boom` raised ZeroDivisionError: division by zero")
        if name == "slow":
            raise BridgeTimeout("reading `slow` did not finish in 3 s")
        return {"x": 1}[name]


def write_checks(root: Path) -> CheckJob:
    for visibility, name, text in [
        ("public", "test_q1.py", PUBLIC),
        ("hidden", "test_q2.py", HIDDEN),
    ]:
        (root / "tests" / visibility).mkdir(parents=True, exist_ok=True)
        (root / "tests" / visibility / name).write_text(textwrap.dedent(text))
    dirs = (("public", str(root / "tests" / "public")), ("hidden", str(root / "tests" / "hidden")))
    return CheckJob(test_dirs=dirs, hidden_data=str(root / "tests" / "hidden" / "data"),
                    connection=None, unavailable="the kernel died in cell 3", source="")  # fmt: skip


@pytest.fixture(scope="module")
def checks(tmp_path_factory):
    job = write_checks(tmp_path_factory.mktemp("assignment"))
    return {r.name: r for r in run_pytest(GraderPlugin(job, bridge=StubNotebook()))}


def test_a_passing_check_earns_its_points_and_shows_no_hint(checks):
    check = checks["test_passes"]
    assert (check.status, check.points, check.possible) == ("passed", 2.0, 2.0)
    assert (check.question, check.visibility, check.message, check.hint) == ("q1", "public", "", "")


def test_a_failed_assertion_is_failed_with_its_message_and_hint(checks):
    check = checks["test_assertion_with_message"]
    assert (check.status, check.points, check.possible) == ("failed", 0.0, 1.0)
    assert (check.message, check.hint) == ("x should be 2", "Look at x.")


def test_an_assertion_without_message_names_the_public_check_but_not_the_hidden_one(checks):
    public, hidden = checks["test_assertion_without_message"], checks["test_hidden_assertion"]
    assert public.message == "an assertion failed (test_q1.py, in test_assertion_without_message)"
    assert (hidden.status, hidden.message) == ("failed", "an assertion failed")
    assert "assert" not in hidden.message.replace("an assertion failed", "")


def test_an_exception_in_the_students_code_is_failed_with_what_it_raised(checks):
    check = checks["test_student_code_raises"]
    assert check.status == "failed"
    assert check.message == "reading `boom` raised ZeroDivisionError: division by zero"


def test_a_call_past_the_check_time_limit_is_a_timeout(checks):
    check = checks["test_call_times_out"]
    assert (check.status, check.points) == ("timeout", 0.0)
    assert check.message == "reading `slow` did not finish in 3 s"


def test_an_exception_in_the_check_body_is_failed_with_its_type(checks):
    check = checks["test_check_itself_raises"]
    assert (check.status, check.message) == ("failed", "KeyError: 'missing'")


def test_an_error_outside_the_check_body_is_an_error(checks):
    check = checks["test_fixture_error"]
    assert (check.status, check.points) == ("error", 0.0)
    assert check.message == "RuntimeError: the fixture broke"


def test_question_points_and_visibility_come_from_markers_and_folders(checks):
    hidden = checks["test_hidden_passes"]
    assert (hidden.question, hidden.visibility, hidden.points, hidden.possible) == (
        "q2", "hidden", 0.5, 0.5
    )  # fmt: skip
    assert (checks["test_hidden_assertion"].question, checks["test_hidden_assertion"].visibility) == (
        "q1", "hidden"
    )  # fmt: skip
    assert len(checks) == 9


def test_a_dead_kernel_fails_the_checks_that_need_it_with_the_reason(tmp_path):
    job = write_checks(tmp_path)
    results = {r.name: r for r in run_pytest(GraderPlugin(job))}  # no kernel: connection None
    assert {r.status for r in results.values()} == {"failed", "error"}
    assert results["test_passes"].message == "the kernel died in cell 3"
    assert results["test_fixture_error"].status == "error"


def test_only_the_requested_questions_run(tmp_path):
    job = write_checks(tmp_path)
    only = CheckJob(**{**job.__dict__, "only": ("q2",)})
    results = run_pytest(GraderPlugin(only, bridge=StubNotebook()))
    assert [(r.name, r.status) for r in results] == [("test_hidden_passes", "passed")]


def test_a_check_file_that_does_not_import_is_a_check_definition_error(tmp_path):
    job = write_checks(tmp_path)
    (tmp_path / "tests" / "hidden" / "test_q3.py").write_text("import no_such_module_here\n")
    with pytest.raises(CheckDefinitionError, match=r"test_q3\.py"):
        run_pytest(GraderPlugin(job, bridge=StubNotebook()))


PARTIAL = """
    "PYTEST_DONT_REWRITE"
    import pytest

    @pytest.mark.points(4)
    def test_partial_credit(nb, partial):
        partial(1.5)

    @pytest.mark.points(2)
    def test_partial_credit_is_clamped(nb, partial):
        partial(7)

    @pytest.mark.points(2)
    def test_partial_credit_of_a_failing_check_is_zero(nb, partial):
        partial(1)
        assert nb["x"] == 2
"""


def test_partial_credit_earns_what_the_check_says_within_its_points(tmp_path):
    (tmp_path / "tests" / "public").mkdir(parents=True)
    (tmp_path / "tests" / "public" / "test_q9.py").write_text(textwrap.dedent(PARTIAL))
    job = CheckJob(test_dirs=(("public", str(tmp_path / "tests" / "public")),),
                   hidden_data="", connection=None, unavailable="", source="")  # fmt: skip
    checks = {r.name: r for r in run_pytest(GraderPlugin(job, bridge=StubNotebook()))}
    assert (checks["test_partial_credit"].points, checks["test_partial_credit"].possible) == (
        1.5,
        4,
    )
    assert checks["test_partial_credit_is_clamped"].points == 2
    failing = checks["test_partial_credit_of_a_failing_check_is_zero"]
    assert (failing.status, failing.points) == ("failed", 0.0)
