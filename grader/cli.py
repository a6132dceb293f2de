"""The ``grader`` command: a thin Click shell over the library.

Each command builds its configuration, calls one library function, prints the outcome, and
maps :class:`~grader.errors.GraderError` to a one-line message and its exit code.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console

from grader import __version__
from grader.authoring.release import release
from grader.authoring.validate import validate
from grader.cohort import BatchOptions, grade_batch
from grader.config import Assignment, SandboxMode, grading_assignment, solution_assignment
from grader.demo import demo_cohort
from grader.errors import GraderError, SubmissionError
from grader.feedback.report import render_from_gradebook, write_report
from grader.grade import GradeOptions
from grader.gradebook import default_url
from grader.integrations.ci import write_workflow
from grader.integrations.cluster import LOCAL
from grader.integrations.export import (
    DEFAULT_INSTALL,
    EXPORTS,
    export_grades,
    gradescope_autograder,
)
from grader.integrations.formats import FORMATS, append_step_summary, below, render
from grader.late import TimeError, parse_time
from grader.logs import to_stderr
from grader.models import SubmissionResult
from grader.progress import batch_progress
from grader.sandbox import choose_isolation
from grader.student.selfcheck import print_self_check, self_check
from grader.submissions import Submission, find_submissions

F = TypeVar("F", bound=Callable[..., Any])
log = logging.getLogger("grader.cli")

BELOW_EXIT = 3
"""Exit code of ``grader grade --fail-under P`` when a submission scored under P percent."""
GRADER_FAILURE_EXIT = 4
"""Exit code of ``grader grade`` when some submission had a grader failure (retried next run)."""


def _clean_errors(func: F) -> F:
    """Turn a GraderError into ``grader: error: …`` on stderr and its exit code."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except GraderError as exc:
            message = " ".join(str(exc).split("\n"))  # one line, whatever the message
            click.echo(f"grader: error: {message}", err=True)
            sys.exit(exc.exit_code)

    return wrapper  # type: ignore[return-value]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="grader")
@click.option(
    "--course",
    type=click.Path(file_okay=False, path_type=Path),
    default=".",
    show_default=True,
    help="Course folder holding solutions/, assignments/ and reports/.",
)
@click.option("-v", "--verbose", is_flag=True, help="Also say what the grader is doing.")
@click.option(
    "--debug",
    is_flag=True,
    help="Say everything, and keep in the report folder's debug/ what helps find a grader "
    "problem: each cold kernel's stderr, the warm-kernel zygote's log.",
)
@click.pass_context
def main(ctx: click.Context, course: Path, verbose: bool, debug: bool) -> None:
    """Grade Jupyter notebook exercises in sandboxed kernels against hidden pytest checks."""
    to_stderr(2 if debug else 1 if verbose else 0)
    ctx.obj = course
    ctx.meta["grader.debug"] = debug


@main.command("release")
@click.argument("name")
@click.pass_obj
@_clean_errors
def release_cmd(course: Path, name: str) -> None:
    """Build assignments/NAME/ (what students get) from solutions/NAME/.

    Solutions are replaced by stubs, outputs cleared; public checks and the files listed in
    `release` are copied; hidden checks and hidden data never are.
    """
    assignment = solution_assignment(course, name)
    notebook = release(assignment, course / "assignments" / name)
    click.echo(f"released {name}: {notebook}")


def _jobs_option(func: F) -> F:
    return click.option(
        "--jobs",
        "-j",
        type=click.IntRange(min=1),
        default=None,
        help="Submissions graded at once [default: number of cores].",
    )(func)


def _gradebook_option(func: F) -> F:
    return click.option(
        "--gradebook",
        "gradebook_url",
        default=None,
        metavar="URL",
        help="SQLAlchemy database URL [default: sqlite:///<output>/gradebook.sqlite].",
    )(func)


def _sandbox_option(func: F) -> F:
    return click.option(
        "--sandbox",
        type=click.Choice(["auto", "strict", "off"]),
        default="auto",
        show_default=True,
        help="auto: bubblewrap where installed, else resource limits only (with a warning); "
        "strict: refuse to run without bubblewrap; off: resource limits only.",
    )(func)


def _kernels_option(func: F) -> F:
    return click.option(
        "--kernels",
        type=click.Choice(["warm", "cold"]),
        default="warm",
        show_default=True,
        help="warm: fork a batch's kernels, each still sandboxed and fresh, from one process "
        "that has imported what the assignment's notebook imports (needs bubblewrap); cold: "
        "start every kernel from scratch.",
    )(func)


def _options(sandbox: SandboxMode, kernels: str = "cold") -> GradeOptions:
    """How to grade (says once when bubblewrap cannot be used)."""
    isolation, warning = choose_isolation(sandbox)
    if warning:
        log.warning(warning)
    return GradeOptions(isolation=isolation, warm_kernels=kernels == "warm")


def _debugging_into(options: GradeOptions, out_dir: Path) -> GradeOptions:
    """With ``--debug``, what helps find a grader problem goes to ``out_dir/debug/``."""
    if not click.get_current_context().meta.get("grader.debug", False):
        return options
    return dataclasses.replace(options, debug_dir=out_dir / "debug")


@main.command("grade")
@click.argument("name")
@click.argument(
    "submissions", nargs=-1, required=True, type=click.Path(exists=False, path_type=Path)
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="What stdout carries: text (a line per student), json (our versioned results), "
    "gradescope (Gradescope's results.json; one submission only), junit (JUnit XML for CI), "
    "md (Markdown). With any but text, stdout holds only that document; progress and "
    "messages go to stderr.",
)
@click.option(
    "--fail-under",
    type=click.FloatRange(0, 100),
    default=None,
    metavar="PERCENT",
    help=f"Exit {BELOW_EXIT} (after writing the output) when a submission scored under "
    "PERCENT of its possible points after any late penalty, or could not be graded.",
)
@_jobs_option
@click.option(
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder for reports [default: reports/NAME].",
)
@_gradebook_option
@click.option("--force", is_flag=True, help="Grade again submissions the gradebook has unchanged.")
@click.option(
    "--submitted-at",
    callback=lambda _ctx, _param, value: _time_option(value),
    default=None,
    metavar="TIME",
    help="When the SUBMISSIONS were handed in (ISO 8601, e.g. 2026-12-01T23:59:00Z), for the "
    "[late] policy; overrides timestamp.txt and zip times. Without it: the timestamp.txt in a "
    "student's folder, else a zip entry's time, else on time.",
)
@click.option(
    "--scheduler",
    default=None,
    metavar="ADDRESS",
    help="Grade on the Dask cluster whose scheduler is at ADDRESS (e.g. tcp://host:8786).",
)
@click.option(
    "--cluster",
    type=click.Choice(["dask"]),
    default=None,
    help="dask: grade on a Dask cluster of --jobs workers started on this machine.",
)
@_sandbox_option
@_kernels_option
@click.pass_obj
@_clean_errors
def grade_cmd(
    course: Path,
    name: str,
    submissions: tuple[Path, ...],
    fmt: str,
    jobs: int | None,
    output: Path | None,
    gradebook_url: str | None,
    force: bool,
    submitted_at: dt.datetime | None,
    fail_under: float | None,
    scheduler: str | None,
    cluster: str | None,
    sandbox: SandboxMode,
    kernels: str,
) -> None:
    """Grade SUBMISSIONS of assignment NAME: notebooks, folders of students, or zips.

    NAME is solutions/NAME; in a course folder that has only assignments/NAME (a student
    repository), the released assignment, with its public checks only. Records every result
    in the gradebook, writes reports/NAME/<student>.json, .html and .md, and the cohort
    summary reports/NAME/index.html (every student in the gradebook).
    A submission already graded, unchanged (same notebook, checks and grader), is not graded
    again unless --force. Progress goes to stderr (a live bar on a terminal, one line per
    submission otherwise); the scores, one line per student, to stdout (see --format).

    When the environment variable GITHUB_STEP_SUMMARY names a file (as in GitHub Actions),
    the results are also appended to it as Markdown, whatever --format says (set it empty
    to turn that off).

    Exit codes: 0 graded (whatever the scores), 1 a grader or input error, 2 usage,
    3 --fail-under and a submission under it, 4 every submission has a row but some had a
    grader failure (not the student's fault; running the command again retries exactly those).
    """
    assignment = grading_assignment(course, name)
    if not assignment.hidden_tests.is_dir():
        log.warning("no hidden checks in %s: grading with the public checks only", assignment.root)
    out_dir = output or course / "reports" / name
    options = _debugging_into(_options(sandbox, kernels), out_dir)
    if scheduler and cluster:
        raise click.UsageError("give --scheduler or --cluster, not both")
    where = scheduler or (LOCAL if cluster else None)
    with find_submissions(assignment, list(submissions), submitted_at) as found:
        if fmt == "gradescope" and len(found) != 1:
            raise SubmissionError(
                f"--format gradescope describes one submission, and there are {len(found)}"
            )
        batch = BatchOptions(out_dir, _jobs(jobs), gradebook_url, force, where)
        results = _grade(assignment, found, options, batch)
    if fmt == "text":
        _echo_scores(results)
        click.echo(f"reports: {out_dir}")
    else:
        click.echo(render(fmt, results, assignment))
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        try:
            append_step_summary(Path(summary), results, assignment)
        except OSError as exc:
            log.warning("cannot write the step summary %s: %s", summary, exc)
    if failed := [r for r in results if r.grader_failure]:
        names = ", ".join(sorted(r.student for r in failed))
        click.echo(
            f"grader: {len(failed)} not graded for a reason that is not the student's ({names}); "
            "run the same command again to retry them",
            err=True,
        )
        sys.exit(GRADER_FAILURE_EXIT)
    if fail_under is not None and (failing := below(results, fail_under)):
        names = ", ".join(sorted(r.student for r in failing))
        click.echo(f"grader: {len(failing)} under {fail_under:g}%: {names}", err=True)
        sys.exit(BELOW_EXIT)


def _jobs(jobs: int | None) -> int:
    return jobs or os.cpu_count() or 1


def _time_option(value: str | None) -> dt.datetime | None:
    try:
        return None if value is None else parse_time(value)
    except TimeError as exc:
        raise click.BadParameter(str(exc)) from None


def _echo_scores(results: list[SubmissionResult], indent: str = "") -> None:
    """One line per student, by name, on stdout."""
    for result in sorted(results, key=lambda r: r.student):
        click.echo(indent + result.summary())


def _grade(
    assignment: Assignment,
    found: list[Submission],
    options: GradeOptions,
    batch: BatchOptions,
) -> list[SubmissionResult]:
    """:func:`~grader.cohort.grade_batch` with a progress bar on stderr."""
    with batch_progress(f"grading {assignment.name}", len(found)) as progress:
        return grade_batch(assignment, found, options, batch, progress.advance)


@main.command("report")
@click.argument("name")
@click.option(
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder of the reports and, by default, of the gradebook [default: reports/NAME].",
)
@_gradebook_option
@click.pass_obj
@_clean_errors
def report_cmd(course: Path, name: str, output: Path | None, gradebook_url: str | None) -> None:
    """Re-render the feedback of assignment NAME from the gradebook, grading nothing.

    Writes each student's latest result as <student>.json, .html and .md, and the cohort
    summary index.html: score histogram, pass rate of each question and check with their most
    common messages, ungradable and timed-out submissions, and a sortable table of students.
    """
    out_dir = output or course / "reports" / name
    rendered = render_from_gradebook(name, gradebook_url or default_url(out_dir), out_dir)
    click.echo(f"rendered {rendered.students} students of {name}")
    click.echo(f"summary: {rendered.summary}")


def _install_option(func: F) -> F:
    return click.option(
        "--install",
        default=DEFAULT_INSTALL,
        show_default=True,
        metavar="SPEC",
        help="What pip installs as the grader (a requirement or URL, e.g. "
        "'grader @ git+https://github.com/COURSE/grader@v0.1.0'): put your course's here.",
    )(func)


@main.command("export")
@click.argument("name")
@click.option("--to", "to", type=click.Choice(EXPORTS), required=True, help="What to write.")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
    default=None,
    help="File to write (- for stdout, csv and canvas only) [default: "
    "reports/NAME/NAME-grades.csv, NAME-canvas.csv or NAME-gradescope.zip].",
)
@click.option(
    "--gradebook",
    "gradebook_url",
    default=None,
    metavar="URL",
    help="SQLAlchemy database URL [default: sqlite:///reports/NAME/gradebook.sqlite].",
)
@click.option(
    "--canvas-id",
    default=None,
    metavar="ID",
    help="canvas: the Canvas assignment's id, to update it (the column is 'Title (ID)'); "
    "without it Canvas creates a new assignment named Title.",
)
@_install_option
@click.pass_obj
@_clean_errors
def export_cmd(
    course: Path,
    name: str,
    to: str,
    output: Path | None,
    gradebook_url: str | None,
    canvas_id: str | None,
    install: str,
) -> None:
    """Export assignment NAME: grades out of the gradebook, or a Gradescope autograder.

    csv: one row per student (latest result): total, possible, percent, score before the
    late penalty, penalty, days late, submission time, each question, gradable, reason.
    canvas: Canvas's gradebook import (Student, ID, SIS User ID, SIS Login ID, Section, the
    assignment, and the Points Possible row); the student key goes into SIS Login ID, and
    ungradable submissions are left blank. gradescope: a zip to upload as the assignment's
    autograder (setup.sh, run_autograder, the settings, checks - hidden ones included - and
    released files; not the solution notebook). It is for instructors: never give it out.
    """
    assignment = solution_assignment(course, name)
    suffix = {"csv": "grades.csv", "canvas": "canvas.csv", "gradescope": "gradescope.zip"}[to]
    dest = output or course / "reports" / name / f"{name}-{suffix}"
    if to == "gradescope":
        if str(dest) == "-":
            raise click.UsageError("--to gradescope writes a zip: give --output a file")
        click.echo(f"wrote {gradescope_autograder(assignment, dest, install)}")
        if install == DEFAULT_INSTALL:
            log.warning("setup.sh installs a placeholder: pass --install")
        return
    url = gradebook_url or default_url(course / "reports" / name)
    text = export_grades(assignment, to, url, canvas_id)
    if str(dest) == "-":
        click.echo(text, nl=False)
    else:
        write_report(dest, text, newline="")
        click.echo(f"wrote {dest}")


@main.group("ci")
def ci_group() -> None:
    """Set up grading in continuous integration (GitHub Actions)."""


@ci_group.command("init")
@click.argument("name")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Where to write the workflow [default: .github/workflows/grade-NAME.yml].",
)
@click.option(
    "--fail-under",
    type=click.FloatRange(0, 100),
    default=None,
    metavar="PERCENT",
    help="Make the workflow fail when the notebook scores under PERCENT.",
)
@_install_option
@click.pass_obj
@_clean_errors
def ci_init_cmd(
    course: Path, name: str, output: Path | None, fail_under: float | None, install: str
) -> None:
    """Write a GitHub Actions workflow that grades assignment NAME on every push.

    For the student repository template, which holds assignments/NAME/ as `grader release`
    wrote it: on every push the workflow sets up Python 3.11, installs bubblewrap and the
    grader (--install), grades the notebook with the public checks (hidden checks never go
    to students) and its submission time, and writes the Markdown result into the job's
    summary; with --fail-under, the job fails under that score.
    """
    assignment = grading_assignment(course, name)
    dest = output or Path(".github") / "workflows" / f"grade-{name}.yml"
    click.echo(f"wrote {write_workflow(assignment, dest, install, fail_under)}")
    if install == DEFAULT_INSTALL:
        log.warning("the workflow installs a placeholder: pass --install")


@main.command("check")
@click.argument("notebook", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_sandbox_option
@_clean_errors
def check_cmd(notebook: Path, sandbox: SandboxMode) -> None:
    """Check NOTEBOOK yourself: run it as the grader will and run the public checks.

    NOTEBOOK must be inside its assignment's folder (assignments/NAME/). Prints a table per
    question and warns about what will break at grading. Hidden checks also run at grading,
    so passing the public checks is not the grade. Exits 0 whatever the result.
    """
    outcome = self_check(notebook, _options(sandbox))
    print_self_check(outcome, Console(highlight=False))


@main.command("validate")
@click.argument("name")
@_sandbox_option
@click.pass_obj
@_clean_errors
def validate_cmd(course: Path, name: str, sandbox: SandboxMode) -> None:
    """Check assignment NAME: the solution scores full marks, the released notebook 0.

    Exits 1 and lists the problems when either is not so.
    """
    assignment = solution_assignment(course, name)
    outcome = validate(assignment, _options(sandbox))
    click.echo(f"solution:          {outcome.solution.summary()}")
    click.echo(f"released notebook: {outcome.released.summary()}")
    for problem in outcome.problems:
        click.echo(f"  problem: {problem}")
    if not outcome.ok:
        click.echo(
            f"grader: error: {name} is not valid ({len(outcome.problems)} problems)", err=True
        )
        sys.exit(1)
    click.echo(f"{name} is valid: full marks for the solution, 0 on every check without it")


@main.command("demo")
@_jobs_option
@_sandbox_option
@_kernels_option
@click.pass_obj
@_clean_errors
def demo_cmd(course: Path, jobs: int | None, sandbox: SandboxMode, kernels: str) -> None:
    """Grade the bundled demo cohort (examples/cohort/) and print where the reports are."""
    options = _options(sandbox, kernels)
    for name, submissions in demo_cohort(course).items():
        assignment = solution_assignment(course, name)
        out_dir = course / "reports" / name
        options = _debugging_into(options, out_dir)
        click.echo(f"== {name}: {len(submissions)} submissions")
        batch = BatchOptions(out_dir, _jobs(jobs))
        _echo_scores(_grade(assignment, submissions, options, batch), indent="   ")
        click.echo(f"   reports: {out_dir.resolve()}")
