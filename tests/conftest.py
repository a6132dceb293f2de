from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

pytest_plugins = ["tests.pg"]  # the postgres_url fixture

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
COURSE = FIXTURES / "course"
NOTEBOOKS = FIXTURES / "notebooks"
COHORT = ROOT / "examples" / "cohort"
ASSIGNMENTS = sorted(p.name for p in (ROOT / "solutions").iterdir() if p.is_dir())

# Warnings raised in the grader's own process are errors in every `grader` the tests start
# (grader.logs.warnings_policy; PYTHONWARNINGS=ignore, which some set, quiets only the others).
os.environ["GRADER_WARNINGS"] = "error"

_unmarked: list[str] = []
"""The test running now when it is not marked slow (so it must start no kernel)."""


def _refuse_kernel(*_args: object, **_kwargs: object) -> None:
    raise AssertionError(f"{_unmarked[0]} starts a kernel: mark it @pytest.mark.slow")


GRADING_FIXTURES = {"graded_mini", "cohort_graded"}
"""Session fixtures that grade real notebooks in a grader subprocess (the hook below cannot see
kernels started there): a test that uses one is slow."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Refuse a test that grades real notebooks through a fixture without being marked slow."""
    unmarked = [
        item.nodeid
        for item in items
        if item.get_closest_marker("slow") is None
        and GRADING_FIXTURES & set(getattr(item, "fixturenames", ()))
    ]
    if unmarked:
        raise pytest.UsageError(
            "these tests grade real notebooks (through "
            f"{', '.join(sorted(GRADING_FIXTURES))}): mark them slow: {', '.join(unmarked)}"
        )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item):
    with _slow_enforced(item):
        return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item):
    with _slow_enforced(item):
        return (yield)


@contextlib.contextmanager
def _slow_enforced(item: pytest.Item):
    """A test not marked slow starts no kernel in the test process (a CLI subprocess may run
    ``grader grade`` when it fails before any kernel, e.g. on a bad zip)."""
    if item.get_closest_marker("slow") is not None:
        yield
        return
    from jupyter_client.manager import AsyncKernelManager, KernelManager

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(AsyncKernelManager, "start_kernel", _refuse_kernel)
        patch.setattr(KernelManager, "start_kernel", _refuse_kernel)
        _unmarked.append(item.nodeid)
        try:
            yield
        finally:
            _unmarked.clear()


def run_grader(
    *args: str, cwd: Path | None = None, timeout: float = 600, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the real `grader` command line in a subprocess (``env``: variables to add)."""
    full = {k: v for k, v in os.environ.items() if k != "GITHUB_STEP_SUMMARY"}  # not a real one
    full.update({"PYTHONWARNINGS": "ignore", **(env or {})})
    return subprocess.run(
        [sys.executable, "-m", "grader", *args],
        cwd=cwd or ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
        env=full,
    )


def leftover_processes(grace: float = 5.0) -> list[str]:
    """Processes a grader left behind: what names a run or warm folder that no longer exists.

    A cold kernel's processes (fork-bomb children included) carry its run folder in their
    command line, a warm kernel's its zygote's spool; both are deleted when grading ends.
    (Kernels of other graders running on this machine still have theirs.) What is found is
    looked for again for up to ``grace`` seconds: with tests running side by side (pytest-xdist)
    another test's grader may be between deleting its folder and seeing its killed processes
    gone; a process left behind is still there after that.
    """
    deadline = time.monotonic() + grace
    while (found := _named_gone_folders()) and time.monotonic() < deadline:
        time.sleep(0.1)
    return found


def _named_gone_folders() -> list[str]:
    found = []
    for entry in Path("/proc").iterdir():
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (OSError, NotADirectoryError):
            continue
        runs = re.findall(r"(/\S*/grader-(?:run|warm)-[^/\s]+)", cmdline)
        if any(not Path(run).exists() for run in runs):
            found.append(f"{entry.name} {cmdline[:120]}")
    return found


@pytest.fixture
def course(tmp_path: Path) -> Path:
    """A private copy of the fixture course."""
    dest = tmp_path / "course"
    shutil.copytree(COURSE, dest)
    return dest


def _shared(factory: pytest.TempPathFactory) -> Path:
    """The run's temporary folder that every test process sees (pytest-xdist gives each of
    its workers a folder of its own inside it)."""
    base = factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def _once(factory: pytest.TempPathFactory, name: str, make: Callable[[Path], Any]) -> Any:
    """``make(folder)`` once in the whole run, its result (JSON) read by every test process.

    With the tests in two processes (``make test``: pytest-xdist), the first process to ask
    makes it under a lock in the run's shared folder and the other waits and reads it
    (pytest-xdist's recipe for session fixtures): the cohort is graded once, not once a
    process. The folder is shared too: a test that changes what is in it works on a copy.
    """
    shared = _shared(factory)
    folder, result = shared / name, shared / f"{name}.json"
    with open(shared / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not result.exists():
            shutil.rmtree(folder, ignore_errors=True)  # what a failed attempt left
            folder.mkdir()
            result.write_text(json.dumps(make(folder)))
    return json.loads(result.read_text())


def _grade_mini(out: Path) -> dict[str, Any]:
    done = run_grader(
        "--course", str(COURSE), "grade", "mini", str(NOTEBOOKS / "mini"),
        "--format", "json", "--output", str(out), "--jobs", "2",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout)
    return {"results": {r["student"]: r for r in results}, "stderr": done.stderr,
            "order": [r["student"] for r in results]}  # fmt: skip


@pytest.fixture(scope="session")
def graded_mini(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """Every behaviour notebook of tests/fixtures/notebooks/mini graded in one CLI batch
    (``out``: its report folder, shared: change a copy)."""
    graded = _once(tmp_path_factory, "mini", _grade_mini)
    return {**graded, "out": _shared(tmp_path_factory) / "mini"}


TIME_BOUND = frozenset({"jack-infinite-loop"})
"""Students whose grading is mostly waiting out time limits (a loop that never ends burns a cell
limit and several check limits in every assignment). Their scores are asserted exactly by the
first grading of the cohort; the halves leave them out, as grading them again would only wait
the same limits out again (the time limits themselves are tested in tests/test_liveness.py)."""


PARTS = 6
"""The demo cohort is graded again in sixths: one by the determinism test, one by the in-notebook
Checker's parity test (the whole cohort is graded once, and asserted exactly). A sixth still
holds every assignment (two students each), and every student in one or two of them."""

HEAVY = {"probability-statistics": 2}
"""Submissions graded at once per assignment when the whole cohort is graded (default 1): the
assignments are graded side by side, and this one's checks compute the most (bootstrap and
permutation references), so with one at a time it finished alone, long after the others."""


def cohort_part(name: str, part: int) -> list[Path]:
    """A part of the demo cohort's notebooks of assignment ``name`` (:data:`PARTS`): every
    PARTS-th student, starting with the ``part``-th, shifted by the assignment's place, so
    that each part holds every assignment and every student (in some of the assignments),
    except the :data:`TIME_BOUND` ones."""
    students = sorted(p.name for p in COHORT.iterdir() if p.is_dir() and p.name not in TIME_BOUND)
    start = (ASSIGNMENTS.index(name) + part) % PARTS
    return [COHORT / s / f"{name}.ipynb" for s in students[start::PARTS]]


def grade_cohort(out, part: int | None = None):
    """Grade the demo cohort (or one ``part`` of it: :func:`cohort_part`), the assignments at
    once; {assignment: {student: result}}."""
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    runs = {}
    for name in ASSIGNMENTS:
        what = [str(COHORT)] if part is None else [str(p) for p in cohort_part(name, part)]
        runs[name] = subprocess.Popen(
            [sys.executable, "-m", "grader", "grade", name, *what, "--format", "json",
             "--output", str(out / name), "--jobs", str(HEAVY.get(name, 1) if part is None else 1)],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            stdin=subprocess.DEVNULL,
        )  # fmt: skip
    graded = {}
    for name, run in runs.items():
        stdout, stderr = run.communicate(timeout=900)
        assert run.returncode == 0, stderr[-3000:]
        graded[name] = {r["student"]: r for r in json.loads(stdout)}
    return graded


@pytest.fixture(scope="session")
def cohort_graded(tmp_path_factory):
    """The demo cohort graded (once in the run: :func:`_once`), {assignment: {student: result}}."""
    return _once(tmp_path_factory, "cohort", grade_cohort)


@pytest.fixture(scope="session")
def cohort_out(tmp_path_factory, cohort_graded):
    """Where the demo cohort's reports and gradebooks are: ``<out>/<assignment>/`` (shared:
    a test that changes them works on a copy)."""
    return _shared(tmp_path_factory) / "cohort"
