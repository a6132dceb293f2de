"""Running an assignment's checks: a pytest plugin, used in a check worker process.

The plugin provides the contract's fixtures (``nb``, ``hidden_data``) and markers (``points``,
``question``, ``hint``) and turns each test into a :class:`~grader.models.CheckResult`.
pytest runs with plain asserts and no tracebacks in the output, so a message is what the
check's author wrote (or the exception raised), never the hidden check's source; numpy's and
pandas' testing functions say which entries differ (:mod:`grader.checks.explain`).
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from grader.checks.bridge import (
    Asker,
    BridgeTimeout,
    KernelUnavailable,
    Notebook,
    StudentError,
)
from grader.checks.precollect import check_root
from grader.guest.codec import MAX_PAYLOAD
from grader.models import CellError, CheckResult, CheckStatus

if TYPE_CHECKING:
    from grader.checks.kernel_client import KernelBridge
    from grader.checks.prepared import PreparedSession

MESSAGE_CHARS = 3000


@dataclass(frozen=True)
class CheckJob:
    """Everything a check worker needs for one submission (sent to it as plain data)."""

    test_dirs: tuple[tuple[str, str], ...]
    """``(visibility, folder)`` pairs: ``("public", …/tests/public)``, ``("hidden", …)``."""
    hidden_data: str
    connection: dict[str, Any] | None
    """The kernel's connection info, or None when the kernel is not usable."""
    unavailable: str
    """Why the kernel is not usable (when ``connection`` is None)."""
    source: str
    cell_errors: tuple[CellError, ...] = ()
    check_timeout: float = 10.0
    max_bytes: int = MAX_PAYLOAD
    only: tuple[str, ...] = field(default=())
    """Run only these questions (empty: all)."""
    memory_mb: int = 0
    """Address-space limit of the check worker, in MiB (0: none, e.g. in-process self-checks)."""
    cpu_seconds: int = 0
    """CPU-time limit of the check worker, in seconds (0: none)."""
    notebook: str = ""
    """In a multi-notebook assignment, the notebook (stem) this kernel ran: only its checks run
    (a check names its notebook with ``@pytest.mark.notebook``; unmarked: ``default_notebook``)."""
    default_notebook: str = ""
    checkpoint: str = ""
    """Run only the checks marked ``after_cell(checkpoint)``: the kernel has just run the cell
    marked ``# CHECK: <checkpoint>``. Empty: the end of the notebook."""
    reached: tuple[str, ...] = ()
    """At the end: the checkpoints whose checks already ran (they do not run again)."""
    variant: dict[str, Any] | None = None
    """The student's data-variant parameters (None: the assignment has no variants)."""
    variant_data: str = ""
    """The folder of the student's variant files."""


class CheckDefinitionError(Exception):
    """A check file could not be collected (an error in the assignment, not the student)."""


@dataclass(frozen=True)
class CheckCosts:
    """Where one run of a notebook's checks spent its time, in seconds.

    ``wall``: the grader's wait for the check worker (set by the grader); ``worker``: pytest's
    run in the worker, from start to results; ``checks``: the checks' own time (each one's
    setup, call and teardown, as pytest measures them); ``asked``: of that, the time in ``nb``
    requests to the kernel, from sending to the decoded value, ``requests`` of them;
    ``in_kernel``: of that, the time the kernel spent executing them (ipykernel's ``started``
    to its reply; the student's code and the helper's encoding), 0 when the kernel does not
    say.
    """

    wall: float = 0.0
    worker: float = 0.0
    checks: float = 0.0
    asked: float = 0.0
    in_kernel: float = 0.0
    requests: int = 0


def run_checks(
    job: CheckJob, prepared: PreparedSession | None = None
) -> tuple[list[CheckResult], CheckCosts]:
    """Run the job's checks with pytest in this process; their results and costs.

    ``prepared``: the batch's session, configured and collected in the fork server
    (:mod:`grader.checks.prepared`), if it is this job's; else pytest runs from the start.

    Raises:
        CheckDefinitionError: a check file does not import or collect.
    """
    started = time.perf_counter()
    if prepared is not None:
        plugin = prepared.plugin
        results = prepared.run(job)
    else:
        plugin = GraderPlugin(job)
        results = run_pytest(plugin)
    bridge = plugin.bridge
    return results, CheckCosts(
        worker=time.perf_counter() - started,
        checks=sum(r.duration for r in results),
        asked=bridge.asked if bridge is not None else 0.0,
        in_kernel=bridge.in_kernel if bridge is not None else 0.0,
        requests=bridge.requests if bridge is not None else 0,
    )


def pytest_args(folders: Sequence[str], tmp: Path, extra_args: Sequence[str] = ()) -> list[str]:
    """The arguments pytest runs the checks in ``folders`` with (an empty ini in ``tmp``)."""
    ini = tmp / "pytest.ini"
    ini.write_text("[pytest]\n", encoding="utf-8")
    root = check_root(folders)
    return [
        "-c", str(ini), "--rootdir", root, "--confcutdir", root,
        # -rN: no short summary of the failures (nobody reads it; ~2 ms).
        "--import-mode=importlib", "--assert=plain", "--tb=no", "-q", "--no-header", "-rN",
        # No capturing: the worker's output goes nowhere (and the fork server, which prepares
        # a batch's session, must keep its own); a check's capsys and capfd still capture.
        "--capture=no", "-p", "no:faulthandler",
        "-p", "no:cacheprovider", "-p", "no:stepwise", "-p", "no:pastebin",
        # Their clean-up runs gc.collect() again and again (~0.15 s a submission).
        "-p", "no:unraisableexception", "-p", "no:threadexception",
        "-W", "ignore::DeprecationWarning",
        *extra_args,
        *folders,
    ]  # fmt: skip


def run_pytest(plugin: GraderPlugin, extra_args: tuple[str, ...] = ()) -> list[CheckResult]:
    """Run the plugin's job's checks with pytest in this process; their results.

    Raises:
        CheckDefinitionError: a check file does not import or collect.
    """
    folders = [d for _, d in plugin.job.test_dirs if Path(d).is_dir()]
    if not folders:
        return []
    with tempfile.TemporaryDirectory(prefix="grader-pytest-") as tmp:
        args = pytest_args(folders, Path(tmp), extra_args)
        from grader.checks.explain import (
            readable_assertions,  # numpy, pandas: only where checks run
        )

        with readable_assertions():
            pytest.main(args, plugins=[plugin])
    if plugin.collect_errors:
        raise CheckDefinitionError("; ".join(plugin.collect_errors))
    return plugin.results


NO_VARIANT = (
    "this check needs your own data: check the notebook in your own copy of the assignment "
    "(the one with a variant.json); to the grader, the assignment has no [variants]"
)
"""What a check that asks for the student's data variant says when there is none."""


class GraderPlugin:
    """pytest plugin: fixtures and markers of the contract, results as CheckResults."""

    def __init__(self, job: CheckJob, bridge: Asker | None = None) -> None:
        self.job = job
        self.local_bridge = bridge
        """Answers ``nb`` requests in this process (the in-notebook Checker), if given."""
        self.results: list[CheckResult] = []
        self.collect_errors: list[str] = []
        self.bridge: KernelBridge | None = None
        """The kernel's bridge, once the ``nb`` fixture has made it."""
        self._phases: dict[str, list[tuple[str, BaseException | None, float]]] = {}
        self._partial: dict[str, float] = {}
        self._reported: dict[str, dict[str, float | str]] = {}
        self._visibilities: dict[str, str] = {}

    def pytest_configure(self, config: pytest.Config) -> None:
        """Register the contract's markers."""
        for line in (
            "points(n): points the check is worth (default 1)",
            "question(name): the question the check scores (default: from the file name)",
            "hint(text): shown to the student when the check does not pass",
            "notebook(name): the notebook the check reads (multi-notebook assignments)",
            "after_cell(name): run when the kernel has run the cell marked `# CHECK: name` "
            "(against the state then); without such a cell, at the end",
            "in_kernel: the check runs test code in the student's kernel (nb.run; imported "
            "tests that need the live kernel), after all of its cells",
        ):
            config.addinivalue_line("markers", line)

    @pytest.fixture(scope="session")
    def nb(self) -> Iterator[Notebook]:
        """The student's executed notebook, reached by value."""
        job = self.job
        if self.local_bridge is not None:
            yield Notebook(self.local_bridge, job.source, list(job.cell_errors))
            return
        if job.connection is None:
            yield Notebook(None, job.source, list(job.cell_errors), job.unavailable)
            return
        from grader.checks.kernel_client import (
            KernelBridge,  # zmq: only where checks reach a kernel
        )

        self.bridge = bridge = KernelBridge(job.connection, job.check_timeout, job.max_bytes)
        notebook = Notebook(bridge, job.source, list(job.cell_errors))
        notebook.finished = not job.checkpoint
        try:
            yield notebook
        finally:
            bridge.close()

    @pytest.fixture
    def partial(self, request: pytest.FixtureRequest) -> Callable[[float], None]:
        """``partial(points)``: a check that passes earns these points, not all of its own.

        Clamped to ``[0, points of the check]``; the last call counts. For partial credit
        (nbgrader's test cells that end in a number are imported this way).
        """
        nodeid = request.node.nodeid

        def earn(points: float) -> None:
            self._partial[nodeid] = float(points)

        return earn

    @pytest.fixture
    def leaderboard(self, request: pytest.FixtureRequest) -> Callable[[str, float | str], None]:
        """``leaderboard(name, value)``: report a value for a column of Gradescope's leaderboard.

        ``name`` is a column of ``[[gradescope.leaderboard]]``; a number (or a short text) that
        the check computed, such as the accuracy of the student's model on hidden data. It is
        kept whether or not the check then passes; the last call for a name counts.
        """
        nodeid = request.node.nodeid

        def report(name: str, value: float | str) -> None:
            kept = str(value)[:100] if isinstance(value, str) else float(value)
            self._reported.setdefault(nodeid, {})[str(name)[:100]] = kept

        return report

    @pytest.fixture(scope="session")
    def hidden_data(self) -> Path:
        """The assignment's ``tests/hidden/data`` folder."""
        return Path(self.job.hidden_data)

    @pytest.fixture(scope="session")
    def variant(self) -> dict[str, Any]:
        """The parameters of the student's data variant (``[variants]``)."""
        if self.job.variant is None:
            pytest.fail(NO_VARIANT)
        return dict(self.job.variant)

    @pytest.fixture(scope="session")
    def variant_data(self) -> Path:
        """The folder of the student's variant files (as their working folder has them)."""
        if not self.job.variant_data:
            pytest.fail(NO_VARIANT)
        return Path(self.job.variant_data)

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        """Keep only the requested questions, and the checks of this kernel's notebook."""
        if self.job.only:
            items[:] = [i for i in items if _question(i) in self.job.only]
        if self.job.notebook:
            items[:] = [i for i in items if self._notebook(i) == self.job.notebook]
        if self.job.checkpoint:
            items[:] = [i for i in items if checkpoint_of(i) == self.job.checkpoint]
        else:
            items[:] = [i for i in items if checkpoint_of(i) not in self.job.reached]

    def _notebook(self, item: pytest.Item) -> str:
        marker = item.get_closest_marker("notebook")
        if marker and marker.args:
            return Path(str(marker.args[0])).stem  # "problem1" or "problem1.ipynb"
        return self.job.default_notebook

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        """Remember check files that fail to import."""
        if report.failed:
            lines = str(report.longrepr).strip().splitlines()
            detail = lines[-1] if lines else "collection failed"
            self.collect_errors.append(f"{report.nodeid}: {detail}")

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Iterator[None]:
        """Record each phase's exception; build the result after teardown."""
        yield
        exc = call.excinfo.value if call.excinfo is not None else None
        phases = self._phases.setdefault(item.nodeid, [])
        phases.append((call.when, exc, call.duration))
        if call.when == "teardown":
            self.results.append(self._result(item, phases))

    def _result(
        self, item: pytest.Item, phases: list[tuple[str, BaseException | None, float]]
    ) -> CheckResult:
        visibility = self._visibility(item)
        status: CheckStatus = "passed"
        message = ""
        for when, exc, _ in phases:
            if exc is None or isinstance(exc, pytest.skip.Exception):
                continue
            if isinstance(exc, BridgeTimeout):
                status = "timeout"
            elif when == "call" and not isinstance(exc, KernelUnavailable):
                status = "failed"
            else:
                status = "error" if not isinstance(exc, KernelUnavailable) else "failed"
            message = _message(exc, visibility == "public", item)
            break
        possible = _points(item)
        earned = possible if status == "passed" else 0.0
        if status == "passed" and item.nodeid in self._partial:
            earned = min(max(self._partial[item.nodeid], 0.0), possible)
        hint_marker = item.get_closest_marker("hint")
        return CheckResult(
            name=item.name,
            question=_question(item),
            visibility=visibility,
            status=status,
            points=earned,
            possible=possible,
            message=message,
            hint=str(hint_marker.args[0]) if hint_marker and status != "passed" else "",
            duration=round(sum(d for _, _, d in phases), 4),
            notebook=self.job.notebook,
            in_kernel=item.get_closest_marker("in_kernel") is not None,
            reported=self._reported.get(item.nodeid, {}),
        )

    def _visibility(self, item: pytest.Item) -> Any:
        # Resolved once a file, not for every check in it (a path resolves in ~30 µs).
        key = str(item.path)
        if key not in self._visibilities:
            self._visibilities[key] = self._visibility_of(Path(item.path).resolve())
        return self._visibilities[key]

    def _visibility_of(self, path: Path) -> str:
        for visibility, folder in self.job.test_dirs:
            if path.is_relative_to(Path(folder).resolve()):
                return visibility
        return "hidden"


def checkpoint_of(item: pytest.Item) -> str:
    """The checkpoint a check waits for (``@pytest.mark.after_cell``), or ""."""
    marker = item.get_closest_marker("after_cell")
    return str(marker.args[0]) if marker and marker.args else ""


def _question(item: pytest.Item) -> str:
    marker = item.get_closest_marker("question")
    if marker and marker.args:
        return str(marker.args[0])
    stem = Path(item.path).stem
    return stem[len("test_") :] if stem.startswith("test_") else stem


def _points(item: pytest.Item) -> float:
    marker = item.get_closest_marker("points")
    if marker and marker.args:
        return float(marker.args[0])
    return 1.0


def _message(exc: BaseException, public: bool, item: pytest.Item) -> str:
    if isinstance(exc, StudentError | BridgeTimeout | KernelUnavailable):
        text = str(exc)
    elif isinstance(exc, AssertionError):
        text = str(exc).strip()
        if not text:
            text = "an assertion failed"
            if public:
                text += f" ({Path(item.path).name}, in {item.name})"
    else:
        text = f"{type(exc).__name__}: {exc}".strip()
    return text[:MESSAGE_CHARS]


def configure_worker_process() -> None:
    """Settings for a process that runs checks: no bytecode files, no third-party plugins."""
    import sys

    sys.dont_write_bytecode = True
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    os.environ.setdefault("PYTHONHASHSEED", "0")
