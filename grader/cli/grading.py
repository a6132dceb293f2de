"""Commands that grade: ``grade``, ``report``, ``check`` and ``demo``."""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import click
from rich.console import Console

from grader.cli.options import (
    BELOW_EXIT,
    GRADER_FAILURE_EXIT,
    SubmissionTime,
    debugging_into,
    fail_under_option,
    grade_options,
    gradebook_option,
    jobs_option,
    jobs_or_cores,
    kernels_option,
    log,
    sandbox_option,
)
from grader.cohort import BatchOptions, BatchResult, Graded, grade_batch
from grader.config import Assignment, SandboxMode, grading_assignment, solution_assignment
from grader.demo import copy_demo_course, demo_cohort, demo_grades, import_demo_grades
from grader.errors import GraderError, SubmissionError
from grader.feedback.report import AssignmentRow, render_from_gradebook, write_course_index
from grader.grade import GradeOptions
from grader.gradebook import default_url
from grader.integrations.cluster import LOCAL
from grader.integrations.formats import FORMATS, append_step_summary, below, json_chunks, render
from grader.progress import batch_progress
from grader.student.selfcheck import print_self_check, self_check
from grader.submissions import Submission, find_submissions


@click.command("grade")
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
@fail_under_option
@jobs_option
@click.option(
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder for reports [default: reports/NAME].",
)
@gradebook_option
@click.option("--force", is_flag=True, help="Grade again submissions the gradebook has unchanged.")
@click.option(
    "--submitted-at",
    type=SubmissionTime(),
    default=None,
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
@sandbox_option
@kernels_option
@click.pass_obj
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
    options = debugging_into(grade_options(sandbox, kernels), out_dir)
    if scheduler and cluster:
        raise click.UsageError("give --scheduler or --cluster, not both")
    where = scheduler or (LOCAL if cluster else None)
    with find_submissions(assignment, list(submissions), submitted_at) as found:
        if fmt == "gradescope" and len(found) != 1:
            raise SubmissionError(
                f"--format gradescope describes one submission, and there are {len(found)}"
            )
        batch = BatchOptions(out_dir, jobs_or_cores(jobs), gradebook_url, force, where)
        done = _grade(assignment, found, options, batch)
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    # A document or a step summary needs the whole results: read back once, for both.
    whole = list(done.results()) if summary or fmt not in ("text", "json") else None
    if fmt == "text":
        _echo_lines(done.graded)
        click.echo(f"reports: {out_dir}")
    elif fmt == "json":  # streamed: a batch of thousands is never all in memory
        for chunk in json_chunks(whole if whole is not None else done.results()):
            click.echo(chunk, nl=False)
        click.echo("")
    else:
        click.echo(render(fmt, whole or [], assignment))
    if summary:
        try:
            append_step_summary(Path(summary), whole or [], assignment)
        except OSError as exc:
            log.warning("cannot write the step summary %s: %s", summary, exc)
    if failed := [g for g in done.graded if g.grader_failure]:
        names = ", ".join(sorted(g.student for g in failed))
        click.echo(
            f"grader: {len(failed)} not graded for a reason that is not the student's ({names}); "
            "run the same command again to retry them",
            err=True,
        )
        sys.exit(GRADER_FAILURE_EXIT)
    if fail_under is not None and (failing := below(done.graded, fail_under)):
        names = ", ".join(sorted(g.student for g in failing))
        click.echo(f"grader: {len(failing)} under {fail_under:g}%: {names}", err=True)
        sys.exit(BELOW_EXIT)


def _echo_rows(rows: list[AssignmentRow]) -> None:
    """One line per assignment: graded, mean score, not gradable, awaiting manual grading."""
    width = max(len("assignment"), *(len(r.name) for r in rows))
    head = f"{'assignment':<{width}}  {'graded':>7}  {'mean score':<19}  {'not gradable':>12}"
    click.echo(head + "  awaiting manual grading")
    for r in rows:
        mean = f"{r.mean:.1f} / {r.possible:g} ({r.percent:.0f}%)" if r.graded else "-"
        graded = f"{r.graded}/{r.submissions}"
        click.echo(
            f"{r.name:<{width}}  {graded:>7}  {mean:<19}  {r.ungradable:>12}  {r.awaiting:>8}"
        )


def _echo_lines(graded: Sequence[Graded]) -> None:
    """One line per student, by name, on stdout."""
    for g in sorted(graded, key=lambda g: g.student):
        click.echo(g.line)


def _grade(
    assignment: Assignment,
    found: list[Submission],
    options: GradeOptions,
    batch: BatchOptions,
) -> BatchResult:
    """:func:`~grader.cohort.grade_batch` with a progress bar on stderr."""
    with batch_progress(f"grading {assignment.name}", len(found)) as progress:
        return grade_batch(assignment, found, options, batch, progress.advance)


@click.command("report")
@click.argument("name")
@click.option(
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder of the reports and, by default, of the gradebook [default: reports/NAME].",
)
@gradebook_option
@click.pass_obj
def report_cmd(course: Path, name: str, output: Path | None, gradebook_url: str | None) -> None:
    """Re-render the feedback of assignment NAME from the gradebook, grading nothing.

    Writes each student's latest result as <student>.json, .html and .md, and the cohort
    summary index.html: score histogram, pass rate of each question and check with their most
    common messages, ungradable and timed-out submissions, and a sortable table of students.
    Manual grades (import-grades) count, with the rubric in the assignment's settings.
    """
    out_dir = output or course / "reports" / name
    assignment: Assignment | None = None  # without one, the gradebook renders as it is
    if (course / "solutions" / name).is_dir() or (course / "assignments" / name).is_dir():
        try:
            assignment = grading_assignment(course, name)
        except GraderError as exc:
            log.warning("manual grades left out: %s", exc)
    url = gradebook_url or default_url(out_dir)
    rendered = render_from_gradebook(name, url, out_dir, assignment=assignment)
    click.echo(f"rendered {rendered.students} students of {name}")
    click.echo(f"summary: {rendered.summary}")


@click.command("check")
@click.argument("notebook", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@sandbox_option
def check_cmd(notebook: Path, sandbox: SandboxMode) -> None:
    """Check NOTEBOOK yourself: run it as the grader will and run the public checks.

    NOTEBOOK must be inside its assignment's folder (assignments/NAME/). Prints a table per
    question and warns about what will break at grading. Hidden checks also run at grading,
    so passing the public checks is not the grade. Exits 0 whatever the result.
    """
    outcome = self_check(notebook, grade_options(sandbox, student=True))
    print_self_check(outcome, Console(highlight=False))


@click.command("demo")
@jobs_option
@sandbox_option
@kernels_option
@click.option(
    "--to", "dest", type=click.Path(file_okay=False, path_type=Path), default=None,
    help="Copy the demo course (solutions/ and examples/cohort/, carried by the package) into "
    "this new or empty folder and grade it there: the demo outside a clone.",
)  # fmt: skip
@click.pass_obj
def demo_cmd(
    course: Path, jobs: int | None, sandbox: SandboxMode, kernels: str, dest: Path | None
) -> None:
    """Grade the bundled demo cohort (examples/cohort/) and print where the reports are.

    An assignment's bundled manual grades (examples/cohort/NAME-manual.csv) are imported
    after it is graded, and the scores printed include them.
    """
    if dest is not None:
        course = copy_demo_course(dest)
        click.echo(f"copied the demo course into {dest}")
    options = grade_options(sandbox, kernels)
    rows = []
    for name, submissions in demo_cohort(course).items():
        assignment = solution_assignment(course, name)
        out_dir = course / "reports" / name
        options = debugging_into(options, out_dir)
        click.echo(f"grading {name}: {len(submissions)} submissions")
        batch = BatchOptions(out_dir, jobs_or_cores(jobs))
        results = list(_grade(assignment, submissions, options, batch).results())
        if (grades := demo_grades(course, name)) is not None:
            try:
                done, results = import_demo_grades(assignment, grades, out_dir, results)
            except GraderError as exc:
                log.warning("manual grades of %s not imported: %s", name, exc)
            else:
                where = grades.relative_to(course)
                click.echo(f"  manual grades of {name}: {done.rows} imported from {where}")
        rows.append(AssignmentRow.of(name, assignment.title, results))
    page = write_course_index(course / "reports", rows, "The demo course")
    click.echo("")
    _echo_rows(rows)
    click.echo(f"\nopen {page.resolve()}: every assignment's summary, every student's feedback")
