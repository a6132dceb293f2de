"""The command about academic integrity: ``similarity``."""

from __future__ import annotations

import json
from pathlib import Path

import click

from grader.config import grading_assignment
from grader.integrity.report import check_similarity, render_text
from grader.integrity.similarity import DEFAULT_THRESHOLD, as_json


@click.command("similarity")
@click.argument("name")
@click.argument(
    "submissions", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path)
)
@click.option(
    "--reference", "references", multiple=True, metavar="DIR",
    type=click.Path(exists=True, path_type=Path),
    help="Earlier cohorts or solutions found online (notebooks, or folders of them): compared "
    "with every student, not with each other. Repeatable.",
)  # fmt: skip
@click.option(
    "--threshold", type=click.FloatRange(0, 1), default=DEFAULT_THRESHOLD, show_default=True,
    help="Flag pairs at or above this similarity. In a cohort of hundreds, a pair who worked "
    "alone may reach 0.5-0.6; 0.6 flags fewer of them and misses a few disguised copies.",
)  # fmt: skip
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
    help="json: every pair that shares code, most similar first, on stdout.",
)  # fmt: skip
@click.option(
    "--output", type=click.Path(file_okay=False, path_type=Path), default=None,
    help="Folder of the page similarity.html [default: reports/NAME].",
)  # fmt: skip
@click.pass_obj
def similarity_cmd(
    course: Path,
    name: str,
    submissions: tuple[Path, ...],
    references: tuple[Path, ...],
    threshold: float,
    fmt: str,
    output: Path | None,
) -> None:
    """Compare the code the students of assignment NAME wrote, pair by pair.

    SUBMISSIONS are found as `grader grade` finds them. Only what students wrote counts: the
    released notebook's code and code common to many students are left out, and renamed
    variables, changed comments and whitespace, reordered cells or functions and added dead
    code do not hide a copy. Writes reports/NAME/similarity.html (linked from the summary):
    each flagged pair side by side with the shared code marked, and each student's highest
    match. A similarity is evidence for a person to look at, never a grade.
    """
    assignment = grading_assignment(course, name)
    out_dir = output or course / "reports" / name
    checked = check_similarity(assignment, list(submissions), list(references), threshold, out_dir)
    if fmt == "json":
        click.echo(json.dumps(as_json(checked.report), indent=2))
    else:
        click.echo(render_text(checked.report), nl=False)
        click.echo(f"page: {checked.page.resolve()}")
