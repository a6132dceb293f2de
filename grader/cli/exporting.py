"""Commands that take grades and grading elsewhere: ``export``, ``import-grades``, ``ci init``."""

from __future__ import annotations

from pathlib import Path

import click

from grader.cli.options import gradebook_option, log, reports_folder_option
from grader.config import grading_assignment, solution_assignment
from grader.feedback.report import write_report
from grader.gradebook import default_url
from grader.integrations.ci import write_workflow
from grader.integrations.export import (
    DEFAULT_INSTALL,
    EXPORTS,
    export_grades,
    gradescope_autograder,
)
from grader.integrations.manual_csv import import_grades

install_option = click.option(
    "--install",
    default=DEFAULT_INSTALL,
    show_default=True,
    metavar="SPEC",
    help="What pip installs as the grader (a requirement or URL, e.g. "
    "'grader @ git+https://github.com/COURSE/grader@v0.1.0'): put your course's here.",
)


@click.command("export")
@click.argument("name")
@click.option("--to", "to", type=click.Choice(EXPORTS), required=True, help="What to write.")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
    default=None,
    help="File to write (- for stdout, not gradescope) [default: reports/NAME/NAME-grades.csv, "
    "NAME-canvas.csv, NAME-gradescope.zip or NAME-manual.csv].",
)
@gradebook_option
@click.option(
    "--canvas-id",
    default=None,
    metavar="ID",
    help="canvas: the Canvas assignment's id, to update it (the column is 'Title (ID)'); "
    "without it Canvas creates a new assignment named Title.",
)
@install_option
@click.option(
    "--require-manual",
    is_flag=True,
    help="csv, canvas: refuse (exit 1, naming who) while any manual question awaits grading.",
)
@click.pass_obj
def export_cmd(
    course: Path,
    name: str,
    to: str,
    output: Path | None,
    gradebook_url: str | None,
    canvas_id: str | None,
    install: str,
    require_manual: bool,
) -> None:
    """Export assignment NAME: grades out of the gradebook, or a Gradescope autograder.

    csv: one row per student (latest result): total, possible, percent, score before the
    late penalty, penalty, days late, submission time, each question, gradable, reason.
    canvas: Canvas's gradebook import (Student, ID, SIS User ID, SIS Login ID, Section, the
    assignment, and the Points Possible row); the student key goes into SIS Login ID, and
    ungradable submissions are left blank. gradescope: a zip to upload as the assignment's
    autograder (setup.sh, run_autograder, the settings, checks - hidden ones included - and
    released files; not the solution notebook). It is for instructors: never give it out.
    manual-csv: a row per student and manual question (the answer's text, a column per rubric
    item, adjustment, comment, grader) to grade offline and read back with import-grades.
    Totals in csv and canvas include the manual grades given so far; a student still awaiting
    one is marked so in csv and left blank in canvas, or with --require-manual nothing is
    written until every manual question is graded.
    """
    assignment = solution_assignment(course, name)
    suffix = {
        "csv": "grades.csv",
        "canvas": "canvas.csv",
        "gradescope": "gradescope.zip",
        "manual-csv": "manual.csv",
    }[to]
    dest = output or course / "reports" / name / f"{name}-{suffix}"
    if to == "gradescope":
        if str(dest) == "-":
            raise click.UsageError("--to gradescope writes a zip: give --output a file")
        click.echo(f"wrote {gradescope_autograder(assignment, dest, install)}")
        if install == DEFAULT_INSTALL:
            log.warning("setup.sh installs a placeholder: pass --install")
        return
    url = gradebook_url or default_url(course / "reports" / name)
    text = export_grades(assignment, to, url, canvas_id, require_manual)
    if str(dest) == "-":
        click.echo(text, nl=False)
    else:
        write_report(dest, text, newline="")
        click.echo(f"wrote {dest}")


@click.command("import-grades")
@click.argument("name")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@reports_folder_option
@gradebook_option
@click.pass_obj
def import_grades_cmd(
    course: Path, name: str, file: Path, output: Path | None, gradebook_url: str | None
) -> None:
    """Read manual grades of assignment NAME from FILE (written by export --to manual-csv).

    Every row is checked first (unknown student, question or item column, points out of range,
    a value that is not a number): the first problem is an error naming its row, and nothing is
    written. Rows without a grade are skipped; a grader left blank is the OS user. Importing
    the same file again changes nothing. Run `grader report NAME` to render the new totals.
    """
    assignment = solution_assignment(course, name)
    url = gradebook_url or default_url(output or course / "reports" / name)
    done = import_grades(assignment, url, file)
    click.echo(f"imported {done.rows} manual grades of {name} ({done.changed} changed)")


@click.group("ci")
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
@install_option
@click.pass_obj
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
