"""Each command-line option reaches the library call it is for (the library replaced by stubs).

The command line only parses, calls one library function, prints and sets the exit code; here
each library function it calls is replaced where the CLI looks it up (in whichever module of
``grader.cli`` imports it), and records its arguments, so every option is checked without
grading anything.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner

import grader.cli
import grader.cli.authoring
import grader.cli.exporting
import grader.cli.grading
import grader.cli.options
import grader.cli.reviewing
import grader.sandbox
from grader.cli import main
from grader.cohort import BatchResult
from grader.errors import GradebookError, GraderError, SubmissionError
from grader.models import SubmissionResult
from tests.conftest import COURSE, NOTEBOOKS

NOTEBOOK = NOTEBOOKS / "mini" / "correct.ipynb"
COMMAND_MODULES = (grader.cli.authoring, grader.cli.exporting, grader.cli.grading)


def patch_cli(monkeypatch, name: str, value: object) -> None:
    """Replace ``name`` in every module of the command line that looks it up."""
    modules = [
        m for key, m in sys.modules.items() if key == "grader.cli" or key.startswith("grader.cli.")
    ]
    holders = [m for m in modules if hasattr(m, name)]
    assert holders, f"no module of grader.cli uses {name}"
    for module in holders:
        monkeypatch.setattr(module, name, value)


def invoke(*args: str):
    runner = CliRunner()
    return runner.invoke(main, ["--course", str(COURSE), *args],
                         env={"GITHUB_STEP_SUMMARY": None})  # fmt: skip


@pytest.fixture
def calls(monkeypatch):
    """The stubs' calls: {function name: [arguments]}; what they return, by name."""
    seen: dict[str, list[dict]] = {}
    returns: dict[str, object] = {
        "grade_batch": BatchResult.holding([SubmissionResult("mini", "correct", True, 2.75, 5.5)]),
    }

    def stub(name):
        def fake(*args, **kwargs):
            seen.setdefault(name, []).append({"args": args, "kwargs": kwargs})
            value = returns.get(name)
            if isinstance(value, Exception):
                raise value
            return value(*args) if callable(value) else value

        return fake

    for name in ("grade_batch", "release", "validate", "render_from_gradebook",
                 "export_grades", "gradescope_autograder"):  # fmt: skip
        for module in COMMAND_MODULES:  # patched where each command looks it up
            if hasattr(module, name):
                monkeypatch.setattr(module, name, stub(name))
    monkeypatch.setattr(grader.sandbox, "choose_isolation",  # looked up as a command runs
                        lambda mode: seen.setdefault("choose_isolation", []).append(mode)
                        or ("limits" if mode == "off" else "bwrap", ""))  # fmt: skip
    return SimpleNamespace(seen=seen, returns=returns)


def graded(calls):
    """The one grade_batch call: (assignment, submissions, options, batch)."""
    [call] = calls.seen["grade_batch"]
    args = list(call["args"]) + list(call["kwargs"].values())
    return args[0], args[1], args[2], args[3]


# --- grade --------------------------------------------------------------------------------


def test_grade_passes_the_batch_options_to_the_library(calls, tmp_path):
    done = invoke("grade", "mini", str(NOTEBOOK), "--jobs", "3", "--output", str(tmp_path / "o"),
                  "--gradebook", "sqlite:///elsewhere.sqlite", "--force")  # fmt: skip
    assert done.exit_code == 0, done.output
    assignment, submissions, _, batch = graded(calls)
    assert assignment.name == "mini" and [s.path for s in submissions] == [NOTEBOOK]
    assert (batch.output, batch.jobs, batch.gradebook_url, batch.force, batch.scheduler) == (
        tmp_path / "o", 3, "sqlite:///elsewhere.sqlite", True, None
    )  # fmt: skip


def test_grade_defaults_reach_the_library(calls, monkeypatch):
    monkeypatch.setattr(grader.cli.options.os, "cpu_count", lambda: 7)
    done = invoke("grade", "mini", str(NOTEBOOK))
    assert done.exit_code == 0, done.output
    _, submissions, options, batch = graded(calls)
    assert (batch.output, batch.jobs, batch.gradebook_url, batch.force) == (
        COURSE / "reports" / "mini", 7, None, False
    )  # fmt: skip
    assert submissions[0].submitted_at is None
    assert calls.seen["choose_isolation"] == ["auto"] and options.warm_kernels is True


@pytest.mark.parametrize(("sandbox", "isolation"), [("strict", "bwrap"), ("off", "limits")])
@pytest.mark.parametrize(("kernels", "warm"), [("warm", True), ("cold", False)])
def test_grade_sandbox_and_kernels_reach_the_grading_options(
    calls, sandbox, isolation, kernels, warm
):
    done = invoke("grade", "mini", str(NOTEBOOK), "--sandbox", sandbox, "--kernels", kernels)
    assert done.exit_code == 0, done.output
    _, _, options, _ = graded(calls)
    assert calls.seen["choose_isolation"] == [sandbox]
    assert (options.isolation, options.warm_kernels) == (isolation, warm)


def test_grade_submitted_at_is_every_submissions_time(calls):
    done = invoke("grade", "mini", str(NOTEBOOK), "--submitted-at", "2026-01-10 13:00:00 +0100")
    assert done.exit_code == 0, done.output
    _, submissions, _, _ = graded(calls)
    assert [s.submitted_at for s in submissions] == [dt.datetime(2026, 1, 10, 12, tzinfo=dt.UTC)]


def test_grade_refuses_an_unreadable_submitted_at_as_usage(calls):
    done = invoke("grade", "mini", str(NOTEBOOK), "--submitted-at", "yesterday")
    assert done.exit_code == 2 and "grade_batch" not in calls.seen


@pytest.mark.parametrize(("args", "scheduler"), [
    (["--scheduler", "tcp://h:8786"], "tcp://h:8786"), (["--cluster", "dask"], "local"),
])  # fmt: skip
def test_grade_scheduler_and_cluster_reach_the_batch(calls, args, scheduler):
    done = invoke("grade", "mini", str(NOTEBOOK), *args)
    assert done.exit_code == 0, done.output
    assert graded(calls)[3].scheduler == scheduler


def test_grade_format_prints_that_document_of_the_librarys_results(calls):
    done = invoke("grade", "mini", str(NOTEBOOK), "--format", "json")
    assert done.exit_code == 0, done.output
    assert [(r["student"], r["total"]) for r in json.loads(done.stdout)] == [("correct", 2.75)]
    text = invoke("grade", "mini", str(NOTEBOOK))
    assert text.stdout.splitlines()[0] == "correct: 2.75/5.5 (50%)"


@pytest.mark.parametrize(("percent", "code"), [("50", 0), ("50.1", 3)])
def test_grade_fail_under_compares_the_librarys_results(calls, percent, code):
    done = invoke("grade", "mini", str(NOTEBOOK), "--format", "md", "--fail-under", percent)
    assert done.exit_code == code, done.output
    assert done.stdout.startswith("## Mini")  # written whatever the code
    assert ("under" in done.stderr) == bool(code)


def test_grade_exits_4_when_the_library_reports_a_grader_failure(calls):
    calls.returns["grade_batch"] = BatchResult.holding(
        [
            SubmissionResult(
                "mini", "correct", False, 0, 0, grader_failure=True, reason="worker died"
            )
        ]
    )
    done = invoke("grade", "mini", str(NOTEBOOK))
    assert done.exit_code == 4 and "retry" in done.stderr


def test_grade_refuses_scheduler_and_cluster_together(calls):
    done = invoke("grade", "mini", str(NOTEBOOK), "--scheduler", "tcp://h:1", "--cluster", "dask")
    assert done.exit_code == 2 and "grade_batch" not in calls.seen


# --- the other commands ----------------------------------------------------------------------


def test_release_calls_the_library_with_the_assignments_folder(calls):
    calls.returns["release"] = Path("/released/mini/mini.ipynb")
    done = invoke("release", "mini")
    assert done.exit_code == 0, done.output
    [call] = calls.seen["release"]
    assignment, dest = call["args"]
    assert (assignment.name, assignment.root, dest) == (
        "mini", COURSE / "solutions" / "mini", COURSE / "assignments" / "mini"
    )  # fmt: skip
    assert done.stdout == "released mini: /released/mini/mini.ipynb\n"


@pytest.mark.parametrize(("problems", "code"), [((), 0), (("the solution scores 3 of 5.5",), 1)])
def test_validate_calls_the_library_and_exits_by_its_outcome(calls, problems, code):
    result = SubmissionResult("mini", "solution", True, 5.5, 5.5)
    calls.returns["validate"] = SimpleNamespace(solution=result, released=result, notes=(),
                                                problems=problems, ok=not problems)  # fmt: skip
    done = invoke("validate", "mini", "--sandbox", "off")
    assert done.exit_code == code, done.output
    [call] = calls.seen["validate"]
    assignment, options = call["args"]
    assert assignment.name == "mini" and options.isolation == "limits"
    assert calls.seen["choose_isolation"] == ["off"]
    for problem in problems:
        assert f"problem: {problem}" in done.stdout
        assert done.stderr == "grader: error: mini is not valid (1 problems)\n"


@pytest.mark.parametrize(
    ("args", "url", "out"),
    [
        ([], "sqlite:///{course}/reports/mini/gradebook.sqlite", "{course}/reports/mini"),
        (["--output", "{tmp}/o"], "sqlite:///{tmp}/o/gradebook.sqlite", "{tmp}/o"),
        (
            ["--output", "{tmp}/o", "--gradebook", "postgresql://db/g"],
            "postgresql://db/g",
            "{tmp}/o",
        ),
    ],
)
def test_report_calls_the_library_with_its_gradebook_and_folder(calls, tmp_path, args, url, out):
    calls.returns["render_from_gradebook"] = SimpleNamespace(students=3, summary=Path("/s.html"))
    fill = {"course": COURSE.resolve(), "tmp": tmp_path}
    done = invoke("report", "mini", *(a.format(**fill) for a in args))
    assert done.exit_code == 0, done.output
    [call] = calls.seen["render_from_gradebook"]
    name, got_url, got_out = call["args"]
    assert (name, got_url, Path(got_out).resolve()) == (
        "mini", url.format(**fill), Path(out.format(**fill)).resolve()
    )  # fmt: skip
    assert "rendered 3 students of mini" in done.stdout


@pytest.mark.parametrize("to", ["csv", "canvas"])
def test_export_to_calls_the_library_and_writes_its_text(calls, tmp_path, to):
    calls.returns["export_grades"] = "student,total\nada,1\n"
    done = invoke("export", "mini", "--to", to, "--output", "-", "--canvas-id", "42",
                  "--gradebook", "sqlite:///g.sqlite")  # fmt: skip
    assert done.exit_code == 0, done.output
    [call] = calls.seen["export_grades"]
    assert call["args"][1:] == (to, "sqlite:///g.sqlite", "42", False)
    assert call["args"][0].name == "mini"
    assert done.stdout == "student,total\nada,1\n"
    assert invoke("export", "mini", "--to", to, "--output", "-", "--require-manual").exit_code == 0
    assert calls.seen["export_grades"][-1]["args"][4] is True

    dest = tmp_path / "grades.csv"
    done = invoke("export", "mini", "--to", to, "--output", str(dest))
    assert done.exit_code == 0, done.output
    assert calls.seen["export_grades"][1]["args"][2] == (
        f"sqlite:///{(COURSE / 'reports' / 'mini' / 'gradebook.sqlite').resolve()}"
    )
    assert dest.read_text() == "student,total\nada,1\n" and f"wrote {dest}" in done.stdout


def test_review_serves_the_assignment_from_its_gradebook_with_the_options_given(
    calls, monkeypatch, tmp_path
):
    served = []
    monkeypatch.setattr(grader.cli.reviewing, "latest_results", lambda url, name: [])
    monkeypatch.setattr(grader.cli.reviewing, "serve",
                        lambda config, host, port, ready: served.append((config, host, port))
                        or ready("http://127.0.0.1:1/?token=t"))  # fmt: skip
    done = invoke("review", "multi", "--port", "8123", "--anonymous", "--grader", "uma",
                  "--output", str(tmp_path))  # fmt: skip
    assert done.exit_code == 0, done.output
    [(config, host, port)] = served
    assert (host, port, config.anonymous, config.grader) == ("127.0.0.1", 8123, True, "uma")
    assert config.assignment.name == "multi"
    assert config.gradebook_url == f"sqlite:///{(tmp_path / 'gradebook.sqlite').resolve()}"
    assert "open http://127.0.0.1:1/?token=t" in done.stdout
    invoke("review", "multi", "--host", "0.0.0.0", "--gradebook", "sqlite:///x.sqlite")
    assert served[-1][1] == "0.0.0.0" and served[-1][0].gradebook_url == "sqlite:///x.sqlite"


def test_export_to_gradescope_calls_the_autograder_builder(calls, tmp_path):
    calls.returns["gradescope_autograder"] = tmp_path / "ag.zip"
    done = invoke("export", "mini", "--to", "gradescope", "--output", str(tmp_path / "ag.zip"),
                  "--install", "grader==1.0")  # fmt: skip
    assert done.exit_code == 0, done.output
    [call] = calls.seen["gradescope_autograder"]
    assert call["args"][1:] == (tmp_path / "ag.zip", "grader==1.0")
    assert "export_grades" not in calls.seen
    assert invoke("export", "mini", "--to", "gradescope", "--output", "-").exit_code == 2


# --- errors ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "function"),
    [
        (["grade", "mini", str(NOTEBOOK)], "grade_batch"),
        (["release", "mini"], "release"),
        (["validate", "mini"], "validate"),
        (["report", "mini"], "render_from_gradebook"),
        (["export", "mini", "--to", "csv"], "export_grades"),
        (["export", "mini", "--to", "gradescope", "--output", "x.zip"], "gradescope_autograder"),
    ],
)
def test_a_grader_error_from_the_library_is_exit_1_and_one_line_on_stderr(calls, command, function):
    calls.returns[function] = GradebookError("cannot use the gradebook\nsecond line\nthird")
    done = invoke(*command)
    assert done.exit_code == 1
    assert done.stderr == "grader: error: cannot use the gradebook second line third\n"
    assert done.exception is None or isinstance(done.exception, SystemExit)
    assert calls.seen[function]


def test_an_error_finding_submissions_is_one_line_and_grades_nothing(calls, tmp_path):
    done = invoke("grade", "mini", str(tmp_path / "missing.ipynb"))
    assert done.exit_code == 1 and "grade_batch" not in calls.seen
    assert done.stderr == f"grader: error: no such file or folder: {tmp_path / 'missing.ipynb'}\n"
    assert issubclass(SubmissionError, GraderError)
