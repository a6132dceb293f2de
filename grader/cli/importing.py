"""``grader import``: bring an nbgrader or otter-grader assignment into solutions/NAME/."""

from __future__ import annotations

from pathlib import Path

import click

from grader.authoring.importing import ImportReport


@click.group("import")
def import_group() -> None:
    """Import an assignment written for nbgrader or otter-grader into solutions/NAME/."""


@import_group.command("nbgrader")
@click.argument("source_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--name", default=None, help="Assignment name [default: SOURCE_DIR's name].")
@click.pass_obj
def import_nbgrader_cmd(course: Path, source_dir: Path, name: str | None) -> None:
    """Import SOURCE_DIR, an nbgrader course's source/<assignment>/ folder.

    Its notebooks become the solution notebooks, each autograded test cell a check (hidden
    tests hidden), manually graded cells manual questions; the files beside them are released.
    """
    from grader.authoring.importing.nbgrader import import_nbgrader

    _echo(import_nbgrader(source_dir, course / "solutions", name or source_dir.name))


@import_group.command("otter")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--name", default=None, help="Assignment name [default: from PATH].")
@click.option(
    "--solution",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="The solution notebook, when PATH is a folder holding several.",
)
@click.pass_obj
def import_otter_cmd(course: Path, path: Path, name: str | None, solution: Path | None) -> None:
    """Import PATH: an otter-assign master notebook, an autograder zip, or a folder.

    A folder holds tests/ (OK-format or exception-based test files) and the solution notebook
    (--solution when there are several). Each question becomes a check file, its hidden cases
    hidden; manual questions stay manual.
    """
    from grader.authoring.importing.otter import import_otter

    _echo(import_otter(path, course / "solutions", name, solution))


def _echo(report: ImportReport) -> None:
    click.echo(
        f"imported {report.name}: {len(report.notebooks)} notebook(s), "
        f"{len(report.questions)} questions ({len(report.manual)} manual), "
        f"{report.checks} checks -> {report.dest}"
    )
    for note in report.notes:
        click.echo(f"  {note.question}: {note.text}")
    click.echo(f"next: grader release {report.name} && grader validate {report.name}")
