"""Warm check workers: each submission's checks run in a fresh, pre-warmed process.

Checks run in a process forked from one that has already imported pytest, numpy, pandas and
scikit-learn (Python's ``forkserver``), so a submission's checks start in milliseconds instead
of paying ~1.7 s of imports, and each submission still gets a fresh process that is killed
when its time is up.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import gc
import json
import multiprocessing
import multiprocessing.forkserver
import os
import sys
import threading
import time
import traceback
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.context import ForkServerContext, SpawnContext
from typing import Literal

from grader.checks import precollect, prepared
from grader.checks.plugin import (
    CheckCosts,
    CheckDefinitionError,
    CheckJob,
    configure_worker_process,
    run_checks,
)
from grader.errors import AssignmentError, KernelError
from grader.models import CheckResult
from grader.sandbox.bwrap import THREAD_ENV
from grader.sandbox.reaper import kill_pids
from grader.watchdog import to_the_end, watchdog

PRELOAD = [
    # The main module. On Python 3.11 this imports nothing: the fork server drops the main
    # script's path (it keeps a ``main_path`` that multiprocessing never sets), so every check
    # process runs the ``grader`` script again as ``__mp_main__`` before its target (``python
    # -m grader`` is skipped there). What the script imports is imported here instead, so that
    # run costs nothing (it was 0.2 s a worker).
    "__main__",
    "grader.cli",
    "grader.checks.plugin",
    "grader.checks.explain",
    # What each worker would import first: this module, to unpickle its target (~0.12 s:
    # jupyter_client, the sandbox's modules), and the kernel's client (zmq).
    "grader.checks.worker",
    "grader.checks.kernel_client",
    # What pytest imports at its first run only (~40 ms a worker otherwise); a name a pytest
    # release no longer has is skipped (the fork server ignores an ImportError).
    "pdb",
    "xml.etree.ElementTree",
    "_pytest._argcomplete",
    "_pytest.faulthandler",
    "_pytest.helpconfig",
    "_pytest.junitxml",
    "_pytest.setuponly",
    "_pytest.setupplan",
    "_pytest.skipping",
    "_pytest.tracemalloc",
    "_pytest.unittest",
    "_pytest.warnings",
    "numpy",
    "pandas",
    # Last: the batch's check files and what they import, if warm_up named them
    # (grader.checks.precollect); else what checks commonly import (precollect.COMMON_IMPORTS).
    "grader.checks.preimport",
]

KILL_GRACE = 2.0
"""Seconds past its deadline before the watchdog's thread kills a check worker itself."""
_context: ForkServerContext | SpawnContext | None = None


class ChecksTimedOut(Exception):
    """The checks did not finish before the submission's deadline."""


def _ctx() -> ForkServerContext | SpawnContext:
    """How check workers start.

    Forked from a warm fork server where the platform has one (Linux, macOS); spawned, each
    importing what it needs, where it has not (Windows).
    """
    global _context
    if _context is None:
        # One thread per numerical library in the checks (the fork server and every worker
        # inherit it; the libraries read it as they load): a batch runs --jobs workers at
        # once, and BLAS or OpenMP threads fighting over the same cores made a 3 ms k-means
        # fit take 0.4 s. A value the user set is kept.
        for name in THREAD_ENV:
            if not os.environ.get(name):
                os.environ[name] = "1"
        if "forkserver" in multiprocessing.get_all_start_methods():
            server = multiprocessing.get_context("forkserver")
            server.set_forkserver_preload(PRELOAD)
            _context = server
        else:
            _context = multiprocessing.get_context("spawn")
    return _context


def warm_up(check_folders: Sequence[str] = ()) -> None:
    """Start the fork server now (it imports the preloaded modules once).

    ``check_folders``: the batch's check folders, imported by the fork server too
    (:mod:`grader.checks.precollect`). A fork server already running for other check folders
    (an earlier batch of this process: ``grader demo`` grades eight) is replaced when no check
    worker is running; otherwise it keeps what it has, and a worker uses that only if it is
    still current.
    """
    ctx = _ctx()
    folders = [str(f) for f in check_folders if os.path.isdir(f)]
    proc = ctx.Process(target=_noop, daemon=True)
    with _STARTING:
        _stop_if_other(folders)
    _start(proc, folders)
    proc.join()


@contextlib.contextmanager
def warming(check_folders: Sequence[str]) -> Iterator[None]:
    """Start the fork server (see :func:`warm_up`) in a thread while the block runs.

    For one notebook (a self-check): the fork server's imports (about 1 s) overlap the kernel's
    start and the notebook's run instead of following them. Waits for the start at the end,
    so the fork server never outlives the grader half-started.
    """

    def start() -> None:
        with contextlib.suppress(Exception):  # a real failure shows when the checks start
            warm_up(check_folders)

    thread = threading.Thread(target=start, name="grader-warm-up")
    thread.start()
    try:
        yield
    finally:
        thread.join()


_STARTING = threading.Lock()
"""Held while a process starts (and with it, maybe, the fork server) or the fork server stops."""
_workers = 0
"""Check workers started and not yet joined (under :data:`_STARTING`)."""
_served_folders: tuple[str, ...] = ()
"""The check folders the running fork server imported."""


def _fork_server() -> object | None:
    """The fork server of this process (multiprocessing's), if it has one."""
    return getattr(multiprocessing.forkserver, "_forkserver", None)


def _stop_if_other(folders: Sequence[str]) -> None:
    """Stop a running fork server that imported other check folders, if no worker runs.

    Under :data:`_STARTING`. The next start makes a fork server for ``folders``. Uses
    multiprocessing's own way to stop it (``ForkServer._stop``, what its tests use); where a
    Python has none, the running fork server is kept.
    """
    server = _fork_server()
    if getattr(server, "_forkserver_pid", None) is None or not hasattr(server, "_stop"):
        return
    if tuple(folders) != _served_folders and not _workers:
        server._stop()


def _start(proc: multiprocessing.process.BaseProcess, check_folders: Sequence[str] = ()) -> None:
    """Start ``proc``, and the fork server first if it is not running, with what it reads."""
    global _served_folders
    with _STARTING, _fork_server_environment(check_folders):
        before = getattr(_fork_server(), "_forkserver_pid", None)
        proc.start()
        if getattr(_fork_server(), "_forkserver_pid", None) != before:
            _served_folders = tuple(check_folders)


@contextlib.contextmanager
def _fork_server_environment(check_folders: Sequence[str]) -> Iterator[None]:
    """What a fork server that starts now reads from its environment (ours, copied).

    The batch's check folders (:mod:`grader.checks.precollect`), and this process's import
    path with nothing before it: the fork server is ``python -c`` run in the current folder,
    which would otherwise come first on its path (multiprocessing hands it our ``sys.path``,
    which Python 3.11 ignores), so a folder named like a module it imports would replace it.
    Set only while a process starts, under a lock; the fork server puts the path's variables
    back as they are here (:data:`~grader.checks.precollect.RESTORE`), so the workers' checks
    see this process's environment. Kernels and the zygote get environments of their own.
    """
    values = {"PYTHONSAFEPATH": "1", "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    values[precollect.RESTORE] = json.dumps({name: os.environ.get(name) for name in values})
    if check_folders:
        values[precollect.ENV] = precollect.describe(check_folders)
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _noop() -> None:
    return None


@dataclass(frozen=True)
class WorkerReport:
    """What a check worker sends back, once, over its pipe (pickled: both ends are the grader's).

    ``ok``: ``results`` holds every check's result; ``assignment``: a check file is broken
    (``detail`` says how); ``crash``: the worker itself failed (``detail``: the traceback's tail).
    """

    outcome: Literal["ok", "assignment", "crash"]
    results: tuple[CheckResult, ...] = ()
    detail: str = ""
    costs: CheckCosts = field(default_factory=CheckCosts)


def _child(job: CheckJob, conn: Connection) -> None:
    # What the fork server imported is never garbage: keep the collector off it (pytest
    # collects several times a run, ~80 ms each over numpy, pandas and scikit-learn).
    gc.freeze()
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    configure_worker_process()
    # The check files the fork server imported, and the pytest session it prepared for them,
    # if they are this job's and unchanged.
    folders = [os.path.abspath(d) for _, d in job.test_dirs if os.path.isdir(d)]
    files = precollect.python_files(folders)  # each read once
    current = precollect.keep_if_current(folders, files)
    session = prepared.take(folders, files, current)
    _limit(job)
    try:
        results, costs = run_checks(job, session)
        report = WorkerReport("ok", tuple(results), costs=costs)
    except CheckDefinitionError as exc:
        report = WorkerReport("assignment", detail=str(exc))
    except BaseException as exc:
        report = WorkerReport("crash", detail="".join(traceback.format_exception(exc))[-3000:])
    try:
        conn.send(report)
    finally:
        conn.close()


def _limit(job: CheckJob) -> None:
    """The worker's own limits: a check (or a huge value from the kernel) cannot take the host."""
    try:
        import resource
    except ImportError:  # Windows: the check's time limit still holds
        return
    if job.memory_mb:
        resource.setrlimit(resource.RLIMIT_AS, (job.memory_mb << 20, job.memory_mb << 20))
    if job.cpu_seconds:
        resource.setrlimit(resource.RLIMIT_CPU, (job.cpu_seconds, job.cpu_seconds))


async def run_checks_in_worker(
    job: CheckJob, timeout: float
) -> tuple[list[CheckResult], CheckCosts]:
    """Run ``job`` in a fresh warm worker; kill it if it runs past ``timeout`` seconds.

    Returns its checks' results and what they cost (``wall``: from here).

    Raises:
        ChecksTimedOut: the deadline passed.
        AssignmentError: a check file is broken.
        KernelError: the worker crashed (a grader bug, not the student's).
    """
    started = time.perf_counter()
    ctx = _ctx()
    receiver, sender = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(job, sender), daemon=True)
    global _workers
    with _STARTING:
        _workers += 1
    try:
        return await _run_worker(proc, receiver, sender, timeout, started)
    finally:
        with _STARTING:
            _workers -= 1


async def _run_worker(
    proc: multiprocessing.process.BaseProcess,
    receiver: Connection,
    sender: Connection,
    timeout: float,
    started: float,
) -> tuple[list[CheckResult], CheckCosts]:
    """Start ``proc``, wait for its report at most ``timeout`` seconds, then end it."""
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, _start, proc)
    sender.close()
    report: WorkerReport | None = None
    pids = [proc.pid] if proc.pid is not None else []
    guard = watchdog().add(time.monotonic() + timeout + KILL_GRACE, lambda: kill_pids(pids))
    try:
        ready = await loop.run_in_executor(None, receiver.poll, max(timeout, 0.0))
        if not ready:
            raise ChecksTimedOut
        with contextlib.suppress(EOFError):
            report = receiver.recv()
    finally:
        # Kill first: a poll still waiting in its thread (on cancellation) then sees the end.
        if proc.is_alive():
            proc.kill()
        try:  # a stop signal during the join must not leave the pipe open nor the guard set
            await to_the_end(loop.run_in_executor(None, proc.join))
        finally:
            receiver.close()
            watchdog().remove(guard)
    if report is None:
        raise KernelError(f"the check worker died without a result ({_death(proc)})")
    if not isinstance(report, WorkerReport):
        raise KernelError("the check worker sent a malformed result")
    if report.outcome == "assignment":
        raise AssignmentError(f"a check file is broken: {report.detail}")
    if report.outcome == "crash":
        raise KernelError(f"the check worker crashed:\n{report.detail}")
    wall = time.perf_counter() - started
    return list(report.results), dataclasses.replace(report.costs, wall=wall)


def _death(proc: multiprocessing.process.BaseProcess) -> str:
    code = proc.exitcode
    if code is None:
        return "still running"
    if code < 0:
        return f"killed by signal {-code}, e.g. for memory or CPU time"
    return f"exit status {code}"
