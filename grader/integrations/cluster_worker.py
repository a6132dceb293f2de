"""What runs on a Dask worker: unpack an assignment once, keep warm kernels, grade.

A worker grades with the same :func:`~grader.grade.grade_submission_async` as local grading.
Kernels start warm as they do on one machine (:mod:`grader.sandbox.warm`, bubblewrap only): the
worker keeps one zygote per batch and assignment, started by the batch's first submission it
grades, on an event loop of its own (a thread that lives as long as the worker, since a zygote
belongs to the loop that started it), and stopped when the batch ends
(:func:`stop_warm_kernels`, which the client runs on every worker) or the worker closes
(:class:`WarmKernelsPlugin`). Two batches sharing a cluster each keep their own.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import logging
import shutil
import tempfile
import threading
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

from distributed.diagnostics.plugin import WorkerPlugin

from grader.config import Assignment, load_assignment
from grader.errors import KernelError
from grader.grade import GradeOptions, grade_submission_async
from grader.integrations.cluster import AssignmentPack, RemoteOptions, RemoteSubmission
from grader.models import SubmissionResult
from grader.sandbox.bwrap import Isolation
from grader.sandbox.warm import KernelFactory
from grader.submissions import Submission

log = logging.getLogger(__name__)

T = TypeVar("T")

CLOSE_TIMEOUT = 30.0
"""Seconds a worker waits for its zygotes to stop."""


def grade_remote(pack: AssignmentPack, remote: RemoteSubmission, how: RemoteOptions) -> str:
    """Run on a worker: grade one submission given as data; the result as JSON text."""
    assignment = _unpacked(pack)
    with tempfile.TemporaryDirectory(prefix="grader-submission-") as tmp:
        paths = tuple(Path(tmp) / Path(name).name for name, _ in remote.notebooks)
        for path, (_, data) in zip(paths, remote.notebooks, strict=True):
            if data is not None:
                path.write_bytes(data)
        when = dt.datetime.fromisoformat(remote.submitted_at) if remote.submitted_at else None
        handed_in = [p for p in paths if p.is_file()] or list(paths)
        notebooks = paths if assignment.multi_notebook else ()
        sub = Submission(remote.student, handed_in[0], when, remote.notes, remote.problem,
                         notebooks, variant_seed=remote.variant_seed)  # fmt: skip
        isolation: Isolation = "bwrap" if how.isolation == "bwrap" else "limits"
        options = GradeOptions(isolation=isolation, warm_kernels=how.warm)
        result = _keeper().grade(how if how.warm else None, pack.digest, assignment, sub, options)
    return json.dumps(result.to_dict(answers=True))


def stop_warm_kernels(batch: str) -> int:
    """Run on each worker when a batch ends: stop its zygotes; how many there were."""
    keeper = _KEEPER.get("keeper")
    return 0 if keeper is None else keeper.stop(batch)


class WarmKernelsPlugin(WorkerPlugin):
    """Stops every zygote a worker keeps when the worker closes (registered by the client)."""

    name = "grader-warm-kernels"
    idempotent = True
    """Registered once per worker: registering it again (the next batch, or another grader's
    batch beside this one) would tear the worker's zygotes down, in use or not."""

    def teardown(self, worker: Any) -> None:
        """The worker closes: stop its zygotes and their loop."""
        keeper = _KEEPER.pop("keeper", None)
        if keeper is not None:
            keeper.close()


class _Keeper:
    """A worker's zygotes, by (batch, assignment digest), and the event loop they live on."""

    def __init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="grader-warm-kernels", daemon=True
        )
        self._thread.start()
        self._factories: dict[tuple[str, str], KernelFactory | None] = {}
        """Touched only on the loop's thread."""

    def grade(
        self,
        how: RemoteOptions | None,
        digest: str,
        assignment: Assignment,
        sub: Submission,
        options: GradeOptions,
    ) -> SubmissionResult:
        """Grade on the loop, in a warm kernel of the batch's zygote (``how`` None: cold)."""

        async def grade() -> SubmissionResult:
            kernels = None if how is None else await self._factory((how.batch, digest), how)
            return await grade_submission_async(assignment, sub, options, kernels)

        return self._run(grade())

    def stop(self, batch: str) -> int:
        """Stop the zygotes of ``batch``."""

        async def stop() -> int:
            return await self._close([key for key in self._factories if key[0] == batch])

        return self._run(stop())

    def close(self) -> None:
        """Stop every zygote, then the loop."""

        async def close_all() -> int:
            return await self._close(list(self._factories))

        with contextlib.suppress(Exception):
            asyncio.run_coroutine_threadsafe(close_all(), self._loop).result(CLOSE_TIMEOUT)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(CLOSE_TIMEOUT)

    async def _factory(self, key: tuple[str, str], how: RemoteOptions) -> KernelFactory | None:
        """The zygote of ``key`` (importing ``how.preload``), started on first use.

        Started again if it died. None: it cannot start here, so this batch's kernels on this
        worker start cold.
        """
        factory = self._factories.get(key)
        if factory is not None and factory.gone:
            await factory.close()
            del self._factories[key]
        if key not in self._factories:
            try:
                self._factories[key] = await KernelFactory.start(how.preload)
            except KernelError as exc:
                log.warning("%s; this worker's kernels start cold instead", exc)
                self._factories[key] = None
        return self._factories[key]

    async def _close(self, keys: list[tuple[str, str]]) -> int:
        """Stop the zygotes of ``keys`` and forget them; how many."""
        for key in keys:
            factory = self._factories.pop(key)
            if factory is not None:
                await factory.close()
        return len(keys)

    def _run(self, work: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(work, self._loop).result()


_KEEPER: dict[str, _Keeper] = {}
_KEEPER_LOCK = threading.Lock()


def _keeper() -> _Keeper:
    """This worker's keeper, made on first use."""
    with _KEEPER_LOCK:
        if "keeper" not in _KEEPER:
            _KEEPER["keeper"] = _Keeper()
        return _KEEPER["keeper"]


def _unpacked(pack: AssignmentPack) -> Assignment:
    """The pack written under this machine's temporary folder (once per pack).

    Written beside its final place and renamed into it, so workers sharing the machine never
    see half of it.
    """
    final = Path(tempfile.gettempdir()) / f"grader-assignment-{pack.digest[:16]}"
    if not final.is_dir():
        staging = Path(tempfile.mkdtemp(prefix="grader-assignment-", dir=final.parent))
        for rel, data in pack.files.items():
            target = staging / pack.name / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        try:
            staging.rename(final)
        except OSError:  # another worker got there first
            shutil.rmtree(staging, ignore_errors=True)
    return load_assignment(final / pack.name, pack.name)
