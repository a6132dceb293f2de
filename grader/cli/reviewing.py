"""The command that grades by hand: ``review``."""

from __future__ import annotations

from pathlib import Path

import click

from grader.cli.options import gradebook_option, log, reports_folder_option
from grader.config import solution_assignment
from grader.gradebook import default_url, latest_results
from grader.manual import default_grader
from grader.review.app import ReviewConfig
from grader.review.server import is_local, serve


@click.command("review")
@click.argument("name")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port", type=click.IntRange(0, 65535), default=0, help="Port [default: any free port]."
)
@click.option("--anonymous", is_flag=True, help='Show students as "Student N", never by name.')
@click.option(
    "--grader", "grader_name", default=None, metavar="NAME",
    help="Who grades [default: the OS user]; the page can change it.",
)  # fmt: skip
@reports_folder_option
@gradebook_option
@click.pass_obj
def review_cmd(
    course: Path,
    name: str,
    host: str,
    port: int,
    anonymous: bool,
    grader_name: str | None,
    output: Path | None,
    gradebook_url: str | None,
) -> None:
    """Grade the manual questions of assignment NAME in a local web page.

    Prints an address with a one-time token (as Jupyter does): open it in a browser; without
    the token every page and every change is refused. Each question's answers come one by one
    across all graded students, in a fixed shuffled order, shown as written (Markdown rendered,
    code highlighted, the graded run's outputs and plots), every student's HTML made inert.
    Rubric items (checkboxes, with keyboard shortcuts), an adjustment and a comment are saved on
    every change, with who graded and when. Editing a rubric item on its page rewrites
    assignment.toml and re-scores every grade that uses it. Stop with Ctrl-C.
    """
    assignment = solution_assignment(course, name)
    url = gradebook_url or default_url(output or course / "reports" / name)
    latest_results(url, name)  # a clear error now when there is nothing graded to review
    if not any(q.manual for q in assignment.questions.values()):
        log.warning("%s has no manual question (manual = true in assignment.toml)", name)
    if not is_local(host):
        log.warning(
            "listening on %s: anyone who can reach it and has the token can grade; "
            "the default 127.0.0.1 keeps it on this machine",
            host,
        )
    config = ReviewConfig(assignment, url, grader_name or default_grader(), anonymous)

    def ready(address: str) -> None:
        click.echo(f"Reviewing {name}: open {address}")
        click.echo("Stop with Ctrl-C.")

    serve(config, host, port, ready)
