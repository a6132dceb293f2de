"""Checks inside a student's own notebook: ``from grader import Checker; check = Checker()``.

``check("q1")`` runs the public checks of question q1 against the live notebook and shows the
result in the cell; ``check.all()`` runs every public check. The checks are the same files as
at grading, and the ``nb`` fixture has the same API and the same semantics: every value goes
through the same kernel-side helper and JSON codec as through the grader's bridge (a value that
cannot travel to the grader fails here too), calls have the same time limit, and results are
read by the same decoder. Only where it runs differs: here, in the student's kernel.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import os
import signal
import sys
import types
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from grader.checks.bridge import bootstrap_code, decode_answer
from grader.checks.plugin import CheckJob, GraderPlugin, run_pytest
from grader.config import Assignment, find_assignment
from grader.feedback.levels import shown
from grader.feedback.templates import environment
from grader.guest.helper import Request
from grader.models import CheckResult
from grader.variants import released_variant


class LocalBridge:
    """The bridge's ``ask`` for checks running in the notebook's own kernel."""

    def __init__(self, timeout: float, max_bytes: int) -> None:
        self.timeout = timeout
        self.max_bytes = max_bytes
        self._helper: types.ModuleType | None = None

    def ask(self, request: Request, what: str) -> Any:
        """Have the kernel helper answer ``request`` here, under the time limit; decode it."""
        helper = self._load_helper()
        with _time_limit(self.timeout):
            answer = helper.handle(json.dumps({**request, "limit": self.max_bytes}))
        return decode_answer(answer.text, what, self.timeout, self.max_bytes)

    def _load_helper(self) -> types.ModuleType:
        if self._helper is None:
            exec(bootstrap_code(), {})  # noqa: S102  (the grader's own helper source)
            self._helper = sys.modules["_grader_bridge"]
        return self._helper


@contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    """Interrupt the main thread after ``seconds`` (as the grader's interrupt would)."""

    def interrupt(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    if not hasattr(signal, "SIGALRM"):  # Windows: no alarm; a check that loops is stopped
        yield  # with the kernel's own interrupt button
        return
    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


class CheckReport:
    """The outcome of ``check(...)``: shown as a compact HTML table in the cell."""

    def __init__(self, assignment: Assignment, results: list[CheckResult], asked: str) -> None:
        self.assignment = assignment
        self.results = results
        self.asked = asked

    @property
    def passed(self) -> bool:
        """Whether every public check asked for passed (hidden checks also run at grading)."""
        return bool(self.results) and all(r.passed for r in self.results)

    def _repr_html_(self) -> str:
        return environment("html").get_template("check.html.j2").render(report=self)

    def __repr__(self) -> str:
        lines = [f"{self.assignment.title}: public checks of {self.asked}"]
        for r in self.results:
            mark = "passed" if r.passed else "FAILED"
            lines.append(
                f"  {mark:6} {r.question}/{r.name}" + ("" if r.passed else f": {r.message}")
            )
            if r.hint and not r.passed:
                lines.append(f"         hint: {r.hint}")
        if not self.results:
            lines.append("  (no public checks)")
        lines.append("Hidden checks also run at grading: passing these is not the grade.")
        return "\n".join(lines)


class Checker:
    """Run an assignment's public checks against the notebook this kernel runs."""

    def __init__(
        self,
        folder: str | os.PathLike[str] | None = None,
        *,
        path: str | os.PathLike[str] | None = None,
    ) -> None:
        """The checks of the assignment in the kernel's folder, or at ``path``.

        ``path`` (or ``folder``): the released assignment's folder, when the notebook was
        opened elsewhere (a Colab upload, a Downloads folder).
        """
        where = path if path is not None else folder
        self.assignment = find_assignment(Path(where) if where is not None else Path.cwd())

    def __call__(self, question: str) -> CheckReport:
        """Run the public checks of ``question``."""
        return self._run((question,), question)

    def all(self) -> CheckReport:
        """Run every public check."""
        return self._run((), "every question")

    def _run(self, only: tuple[str, ...], asked: str) -> CheckReport:
        limits = self.assignment.limits
        variant = released_variant(self.assignment)  # the student's own release, if it is one
        job = CheckJob(
            test_dirs=(("public", str(self.assignment.public_tests)),),
            hidden_data=str(self.assignment.hidden_data),
            connection=None,
            unavailable="",
            source=_notebook_source(),
            check_timeout=limits.check_timeout,
            only=only,
            variant=variant.params if variant is not None else None,
            variant_data=str(variant.folder) if variant is not None else "",
        )
        plugin = GraderPlugin(job, bridge=LocalBridge(limits.check_timeout, job.max_bytes))
        # No capturing (the kernel owns the file descriptors); pytest's own report is not shown:
        # the results come back as data.
        with contextlib.redirect_stdout(io.StringIO()):
            results = run_pytest(plugin, extra_args=("-s",))
        level = self.assignment.feedback.level("public", dt.datetime.now(dt.UTC))
        return CheckReport(self.assignment, [shown(r, level) for r in results], asked)


def _notebook_source() -> str:
    try:
        from IPython import get_ipython
    except ImportError:
        return ""
    shell = get_ipython()
    if shell is None:
        return ""
    cells = shell.user_ns.get("In", [])
    return "\n\n".join(str(c) for c in cells if c)
