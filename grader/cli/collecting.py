"""The command that brings in an LMS's download: ``collect``."""

from __future__ import annotations

from pathlib import Path

import click

from grader.config import grading_assignment
from grader.integrations.lms import collect

LISTED = 20
"""Entries of each list printed before "and N more"."""


@click.command("collect")
@click.argument("name")
@click.argument("download", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--roster", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
    help="A CSV with columns 'student' (the key the grader uses) and 'lms_id' (the Canvas "
    "user id or Moodle participant id): the student folders are named by key.",
)  # fmt: skip
@click.option(
    "--to", "dest", type=click.Path(file_okay=False, path_type=Path), default=None,
    help="A new or empty folder for the student folders [default: submissions/NAME].",
)  # fmt: skip
@click.pass_obj
def collect_cmd(course: Path, name: str, download: Path, roster: Path | None,
                dest: Path | None) -> None:  # fmt: skip
    """Turn an LMS's "download all submissions" zip into student folders for NAME.

    Canvas (`<name>[_LATE]_<user id>_<submission id>_<file>`, re-uploads as `<file>-1`) and
    Moodle (`<Full Name>_<participant id>_assignsubmission_file_/` folders, or the same prefix
    on each file) are read; each student gets `<student>/<file>` and a timestamp.txt from the
    zip. Unknown ids, older copies, files that are not the assignment's notebooks and names of
    neither LMS are listed, never dropped silently. Then: `grader grade NAME <folder>`.
    """
    assignment = grading_assignment(course, name)
    folder = dest or course / "submissions" / name
    out = collect(assignment, download, folder, roster)
    click.echo(f"collected {len(out.students)} students into {folder}")
    for title, items in [
        ("not in the roster (folder named by the LMS's name and id)", out.unknown),
        ("older copies left out (a newer upload of the same name was kept)", out.older),
        ("files that are not the assignment's notebooks (kept in the folder)", out.not_notebooks),
        ("names of neither Canvas nor Moodle (not collected)", out.unrecognised),
        ("marked late by Canvas (lateness is judged from timestamp.txt)", out.late),
    ]:
        if items:
            more = f" and {len(items) - LISTED} more" if len(items) > LISTED else ""
            click.echo(f"{title}: {', '.join(items[:LISTED])}{more}")
    click.echo(f"next: grader grade {name} {folder}")
