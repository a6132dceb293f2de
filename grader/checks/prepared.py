"""A batch's pytest session, configured and collected once in the check workers' fork server.

Before this module each check worker ran ``pytest.main``: it parsed the arguments, loaded
pytest's plugins and the conftests, configured them, started a session and collected the
check files (imported already, :mod:`grader.checks.precollect`), about 80 ms a notebook
before the first check ran. The fork server now does all of that once for the batch, up to
the collected items; each worker, a fresh fork, keeps only the items of its job (its
questions, notebook and checkpoint), runs them and finishes the session, on its own copy of
every object (nothing one student's checks change reaches another's).

The prepared session is used only when it is this job's: the same check folders, in the
same order, no Python file below them added, removed or changed since, and the files the
fork server imported still in use (:func:`grader.checks.precollect.keep_if_current`).
Otherwise, or if preparing failed, the worker runs ``pytest.main`` as before. pytest has no
public API to configure a session without running it: this follows ``pytest.main`` step by
step (``_prepareconfig``, ``wrap_session``) and is tested to be used by a batch
(``tests/test_precollect.py``), so a pytest release that changes those steps shows as a
failing test, not a silent slow-down.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from grader.checks.plugin import CheckDefinitionError, CheckJob, GraderPlugin, pytest_args
from grader.checks.precollect import python_files
from grader.models import CheckResult


@dataclass
class PreparedSession:
    """A configured pytest session with its items collected, and the plugin it runs with."""

    folders: tuple[str, ...]
    files: dict[str, str]
    """Every Python file pytest may read for these folders, and its SHA-256, when prepared."""
    config: pytest.Config
    session: pytest.Session
    plugin: GraderPlugin

    def run(self, job: CheckJob) -> list[CheckResult]:
        """In a worker: run the items ``job`` asks for and finish the session; the results.

        Raises:
            CheckDefinitionError: a check file did not import or collect.
        """
        from _pytest.outcomes import Exit

        from grader.checks.explain import readable_assertions

        plugin, session, config = self.plugin, self.session, self.config
        if plugin.collect_errors:
            raise CheckDefinitionError("; ".join(plugin.collect_errors))
        plugin.job = job
        items = list(session.items)
        plugin.pytest_collection_modifyitems(items)  # this job's questions, notebook, checkpoint
        session.items = items
        session.testscollected = len(items)
        status: int | pytest.ExitCode = pytest.ExitCode.OK
        try:
            with readable_assertions():
                try:
                    config.hook.pytest_runtestloop(session=session)
                    if session.testsfailed:
                        status = pytest.ExitCode.TESTS_FAILED
                except (KeyboardInterrupt, Exit, session.Failed):  # as pytest.main ends a run
                    status = pytest.ExitCode.INTERRUPTED
                session.exitstatus = status
                config.hook.pytest_sessionfinish(session=session, exitstatus=status)
        finally:
            config._ensure_unconfigure()
        return plugin.results


_prepared: PreparedSession | None = None


def prepare(folders: Sequence[str]) -> None:
    """In the fork server: configure pytest for these check folders and collect their checks.

    Quietly does nothing if pytest fails to get that far (each worker then runs pytest itself).
    """
    global _prepared
    folders = tuple(folders)
    files = python_files(folders)
    placeholder = CheckJob(
        test_dirs=tuple(("check", f) for f in folders),
        hidden_data="",
        connection=None,
        unavailable="",
        source="",
    )
    plugin = GraderPlugin(placeholder)
    tmp = tempfile.mkdtemp(prefix="grader-pytest-")
    config: pytest.Config | None = None
    try:
        from _pytest.config import _prepareconfig

        config = _prepareconfig(pytest_args(folders, Path(tmp)), plugins=[plugin])
        session = pytest.Session.from_config(config)
        session.exitstatus = pytest.ExitCode.OK
        config._do_configure()
        config.hook.pytest_sessionstart(session=session)
        from grader.checks.explain import readable_assertions

        with readable_assertions():  # as a file pytest imports in a worker would see them
            config.hook.pytest_collection(session=session)  # every check: no job filters yet
    except BaseException:
        if config is not None:  # undo what its plugins configured (warning filters, markers)
            with contextlib.suppress(BaseException):
                config._ensure_unconfigure()
        return
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    _prepared = PreparedSession(folders, files, config, session, plugin)


def take(
    folders: Sequence[str], files: dict[str, str], imported_current: bool
) -> PreparedSession | None:
    """In a worker: the prepared session if it is that of the job's check ``folders``.

    ``folders``: absolute, as the job lists them; ``files``: their
    :func:`~grader.checks.precollect.python_files` now; ``imported_current``: what
    :func:`grader.checks.precollect.keep_if_current` said of the check files the fork server
    imported (the session's items are their functions).
    """
    global _prepared
    prepared, _prepared = _prepared, None
    if prepared is None or not imported_current:
        return None
    if tuple(folders) != prepared.folders or files != prepared.files:
        return None
    return prepared
