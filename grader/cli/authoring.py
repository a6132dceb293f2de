"""Commands for the instructor's assignments: ``new``, ``release`` and ``validate``."""

from __future__ import annotations

from pathlib import Path

import click

from grader.authoring.release import release, release_for_students
from grader.authoring.scaffold import new_assignment
from grader.authoring.validate import validate
from grader.cli.options import fail, grade_options, sandbox_option
from grader.config import SandboxMode, solution_assignment
from grader.variants import read_roster


@click.command("release")
@click.argument("name")
@click.option(
    "--roster", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
    help="A CSV with a 'student' column: also one release per student, with their data "
    "variant, in assignments/NAME/students/<student>/ (assignments with [variants]).",
)  # fmt: skip
@click.pass_obj
def release_cmd(course: Path, name: str, roster: Path | None) -> None:
    """Build assignments/NAME/ (what students get) from solutions/NAME/.

    Solutions are replaced by stubs, outputs cleared; public checks and the files listed in
    `release` are copied; hidden checks and hidden data never are.
    """
    assignment = solution_assignment(course, name)
    dest = course / "assignments" / name
    if roster is None:
        click.echo(f"released {name}: {release(assignment, dest)}")
        return
    students = read_roster(roster)
    folder = release_for_students(assignment, dest, students)
    click.echo(f"released {name}: {len(students)} students' copies in {folder}")


@click.command("validate")
@click.argument("name")
@sandbox_option
@click.pass_obj
def validate_cmd(course: Path, name: str, sandbox: SandboxMode) -> None:
    """Check assignment NAME: the solution scores full marks, the released notebook 0.

    Exits 1 and lists the problems when either is not so.
    """
    assignment = solution_assignment(course, name)
    outcome = validate(assignment, grade_options(sandbox))
    click.echo(f"solution:          {outcome.solution.summary()}")
    click.echo(f"released notebook: {outcome.released.summary()}")
    for problem in outcome.problems:
        click.echo(f"  problem: {problem}")
    for note in outcome.notes:
        click.echo(f"  {note}")
    if not outcome.ok:
        fail(f"{name} is not valid ({len(outcome.problems)} problems)")
    click.echo(f"{name} is valid: full marks for the solution, 0 on every check without it")


@click.command("new")
@click.argument("name")
@click.option("--title", default="", help="The assignment's title (default: from NAME).")
@click.pass_obj
def new_cmd(course: Path, name: str, title: str) -> None:
    """Make solutions/NAME/: a new assignment that `grader validate NAME` passes at once.

    An assignment.toml naming every key (the optional ones commented out), a solution notebook
    with one question in both marker spellings, a public and a hidden check, released and
    hidden data; and assignments/, reports/ and a .gitignore where the course has none.
    """
    made = new_assignment(course, name, title)
    for path in made.made:
        click.echo(f"  made {path}")
    click.echo(f"new assignment in {made.folder}: next, `grader validate {name}`")
