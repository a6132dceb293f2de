"""The GitHub Actions workflow that grades a student repository on every push.

The student repository holds the released ``assignments/<name>/``; the workflow installs the
grader and bubblewrap, grades the notebook with the public checks (``grader grade`` falls back
to the released assignment when there is no ``solutions/<name>/``), writes the Markdown result
into the job's summary, and fails under ``--fail-under`` when one is given.
"""

from __future__ import annotations

from pathlib import Path

from grader.config import Assignment
from grader.feedback.report import write_report
from grader.feedback.templates import environment

PYTHON_VERSION = "3.11"


def github_workflow(assignment: Assignment, install: str, fail_under: float | None) -> str:
    """The workflow's YAML for ``assignment``.

    Every value is written as a JSON string, which YAML reads as the same string, and reaches
    the shell only through environment variables (never pasted into a script).
    """
    return (
        environment("yaml")
        .get_template("github-workflow.yml.j2")
        .render(
            name=assignment.name,
            notebook=f"assignments/{assignment.name}/{assignment.notebook}",
            install=install,
            fail_under="" if fail_under is None else f"{fail_under:g}",
            python=PYTHON_VERSION,
        )
    )


def write_workflow(
    assignment: Assignment, dest: Path, install: str, fail_under: float | None
) -> Path:
    """Write the workflow to ``dest`` (its folders created); return ``dest``.

    Raises:
        ReportError: ``dest`` cannot be written.
    """
    write_report(dest, github_workflow(assignment, install, fail_under))
    return dest
