"""The ``grader`` command: a thin Click shell over the library.

Each command builds its configuration, calls one library function, prints the outcome; a
:class:`~grader.errors.GraderError` becomes a one-line message and its exit code
(:class:`GraderGroup`). The commands live by what they serve: :mod:`.authoring` (release,
validate), :mod:`.importing` (import nbgrader/otter), :mod:`.grading` (grade, report, check,
demo), :mod:`.exporting` (export, import-grades, ci init);
the options they share in :mod:`.options`.
"""

from __future__ import annotations

from pathlib import Path

import click

from grader import __version__
from grader.cli.authoring import new_cmd, release_cmd, validate_cmd
from grader.cli.collecting import collect_cmd
from grader.cli.exporting import ci_group, export_cmd, import_grades_cmd
from grader.cli.grading import check_cmd, demo_cmd, grade_cmd, report_cmd
from grader.cli.importing import import_group
from grader.cli.integrity import similarity_cmd
from grader.cli.options import DEBUG, GraderGroup
from grader.cli.reviewing import review_cmd
from grader.logs import to_stderr, warnings_policy


@click.group(cls=GraderGroup, context_settings={"help_option_names": ["-h", "--help"]})
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
    warnings_policy()
    ctx.obj = course
    ctx.meta[DEBUG] = debug


for command in (new_cmd, release_cmd, validate_cmd, grade_cmd, check_cmd, report_cmd, export_cmd,
                import_grades_cmd, review_cmd, similarity_cmd, ci_group, demo_cmd,
                import_group, collect_cmd):  # fmt: skip
    main.add_command(command)
