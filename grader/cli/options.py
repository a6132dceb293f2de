"""What the commands share: options, how errors exit, and building the grading options."""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib
import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from grader.config import SandboxMode
from grader.errors import GraderError
from grader.late import TimeError, parse_time

if TYPE_CHECKING:  # the grading machinery: imported by the commands that grade, when they run
    from grader.grade import GradeOptions

log = logging.getLogger("grader.cli")
DEBUG = "grader.debug"
"""Key of ``--debug`` in the Click context's ``meta``."""
BELOW_EXIT = 3
"""Exit code of ``grader grade --fail-under P`` when a submission scored under P percent."""
GRADER_FAILURE_EXIT = 4
"""Exit code of ``grader grade`` when some submission had a grader failure (retried next run)."""


class GraderGroup(click.Group):
    """A command group whose commands end a :class:`GraderError` as one line and its code.

    ``lazy_commands`` (name: ``"module:attribute"``) are imported only when one runs or help
    lists them (Click's lazy loading of subcommands): ``grader grade`` does not pay for the
    review app's, the similarity's or the importers' imports.
    """

    def __init__(self, *args: Any, lazy_commands: dict[str, str] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.lazy_commands = dict(lazy_commands or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Every command's name, the lazy ones included."""
        return sorted({*super().list_commands(ctx), *self.lazy_commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """The command, imported now if it is a lazy one."""
        where = self.lazy_commands.get(cmd_name)
        if where is None:
            return super().get_command(ctx, cmd_name)
        module, attribute = where.split(":")
        command = getattr(importlib.import_module(module), attribute)
        if not isinstance(command, click.Command):
            raise TypeError(f"{where} is not a Click command")
        return command

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; a GraderError becomes ``grader: error: …`` and its exit code."""
        try:
            return super().invoke(ctx)
        except GraderError as exc:
            raise _Failed(str(exc), exc.exit_code) from exc


class _Failed(click.ClickException):
    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(" ".join(message.split("\n")))  # one line, whatever the message
        self.exit_code = exit_code  # type: ignore[misc]  # a ClassVar in Click; per error here

    def show(self, file: Any = None) -> None:
        click.echo(f"grader: error: {self.message}", err=True)


def fail(message: str, exit_code: int = 1) -> NoReturn:
    """End the command with ``grader: error: message`` and ``exit_code``."""
    raise _Failed(message, exit_code)


class SubmissionTime(click.ParamType):  # type: ignore[type-arg]  # generic in Click 8.5 only
    """An ISO 8601 time (``2026-12-01T23:59:00Z``); without a zone, UTC."""

    name = "TIME"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        """The time as an aware datetime."""
        if isinstance(value, dt.datetime):
            return value
        try:
            return parse_time(str(value))
        except TimeError as exc:
            self.fail(str(exc), param, ctx)


jobs_option = click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=None,
    help="Submissions graded at once [default: number of cores].",
)
gradebook_option = click.option(
    "--gradebook",
    "gradebook_url",
    default=None,
    metavar="URL",
    help="SQLAlchemy database URL [default: sqlite:///<report folder>/gradebook.sqlite].",
)
reports_folder_option = click.option(
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder holding the gradebook [default: reports/NAME].",
)
sandbox_option = click.option(
    "--sandbox",
    type=click.Choice(["auto", "strict", "off"]),
    default="auto",
    show_default=True,
    help="auto: bubblewrap where installed, else resource limits only (with a warning); "
    "strict: refuse to run without bubblewrap; off: resource limits only.",
)
kernels_option = click.option(
    "--kernels",
    type=click.Choice(["warm", "cold"]),
    default="warm",
    show_default=True,
    help="warm: fork a batch's kernels, each still sandboxed and fresh, from one process "
    "that has imported what the assignment's notebook imports (needs bubblewrap); cold: "
    "start every kernel from scratch.",
)
fail_under_option = click.option(
    "--fail-under",
    type=click.FloatRange(0, 100),
    default=None,
    metavar="PERCENT",
    help=f"Exit {BELOW_EXIT} when a submission scored under PERCENT of its possible points "
    "after any late penalty, or could not be graded.",
)


def grade_options(
    sandbox: SandboxMode, kernels: str = "cold", student: bool = False
) -> GradeOptions:
    """How to grade (says once when bubblewrap cannot be used; to a ``student``, plainly)."""
    from grader.grade import GradeOptions
    from grader.sandbox import choose_isolation

    isolation, warning = choose_isolation(sandbox)
    if warning and student and sandbox == "auto":
        log.warning(
            "this machine has no bubblewrap sandbox (Linux only): your notebook runs with the "
            "limits this system offers; grading will run it in the full sandbox"
        )
    elif warning:
        log.warning(warning)
    return GradeOptions(isolation=isolation, warm_kernels=kernels == "warm")


def debugging_into(options: GradeOptions, out_dir: Path) -> GradeOptions:
    """With ``--debug``, what helps find a grader problem goes to ``out_dir/debug/``."""
    if not click.get_current_context().meta.get(DEBUG, False):
        return options
    return dataclasses.replace(options, debug_dir=out_dir / "debug")


def jobs_or_cores(jobs: int | None) -> int:
    """``--jobs``, or the number of cores."""
    return jobs or os.cpu_count() or 1
