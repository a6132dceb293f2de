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
from grader.cli.options import DEBUG, GraderGroup
from grader.logs import to_stderr, warnings_policy

COMMANDS = {
    "new": "grader.cli.authoring:new_cmd",
    "release": "grader.cli.authoring:release_cmd",
    "validate": "grader.cli.authoring:validate_cmd",
    "grade": "grader.cli.grading:grade_cmd",
    "check": "grader.cli.grading:check_cmd",
    "report": "grader.cli.grading:report_cmd",
    "demo": "grader.cli.grading:demo_cmd",
    "export": "grader.cli.exporting:export_cmd",
    "import-grades": "grader.cli.exporting:import_grades_cmd",
    "ci": "grader.cli.exporting:ci_group",
    "review": "grader.cli.reviewing:review_cmd",
    "similarity": "grader.cli.integrity:similarity_cmd",
    "import": "grader.cli.importing:import_group",
    "collect": "grader.cli.collecting:collect_cmd",
}
"""Each command and where it is defined: imported only when it runs (or ``--help`` lists it)."""


@click.group(
    cls=GraderGroup,
    lazy_commands=COMMANDS,
    context_settings={"help_option_names": ["-h", "--help"]},
)
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
