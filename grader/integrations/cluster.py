"""Grading on a Dask distributed cluster.

The client packs the assignment's folder and each submission's notebook as bytes; a worker
unpacks the assignment once (cached by its hash), grades the notebook as local grading does
(its own sandbox, a warm kernel from its zygote for the batch, warm check workers:
:mod:`grader.integrations.cluster_worker`) and sends the result back as JSON text. The client
records results in the gradebook as they arrive, and when the batch ends has every worker stop
the batch's zygotes. Workers must be allowed to start processes: ``--cluster dask`` starts a local
cluster configured so; workers started by hand need ``DASK_DISTRIBUTED__WORKER__DAEMON=False``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader.authoring.release import released_imports
from grader.config import Assignment
from grader.errors import ConfigError
from grader.grade import GradeOptions
from grader.models import SubmissionResult
from grader.notebook import MAX_NOTEBOOK_BYTES
from grader.scoring import grader_failure
from grader.submissions import Submission
from grader.variants import course_secret, variant_seed

log = logging.getLogger(__name__)

LOCAL = "local"


@dataclass(frozen=True)
class AssignmentPack:
    """An assignment folder as data: relative path -> bytes."""

    name: str
    files: dict[str, bytes]
    digest: str


def pack_assignment(assignment: Assignment) -> AssignmentPack:
    """What grading the assignment reads (never the solution notebook), hashed."""
    files = {}
    for path in assignment.files("graded"):
        files[str(path.relative_to(assignment.root))] = path.read_bytes()
    digest = hashlib.sha256()
    for rel, data in files.items():
        digest.update(rel.encode() + b"\0" + hashlib.sha256(data).digest())
    return AssignmentPack(assignment.name, files, digest.hexdigest())


@dataclass(frozen=True)
class RemoteSubmission:
    """A submission as data for a worker: its notebooks' bytes, its time and its notes."""

    student: str
    notebooks: tuple[tuple[str, bytes | None], ...]
    """Each notebook's file name and bytes (None: not handed in), the submission's first."""
    submitted_at: str | None
    """ISO 8601, or None: unknown."""
    notes: tuple[str, ...]
    problem: str
    variant_seed: int | None = None
    """The seed of the student's data variant (derived here: workers never get the secret)."""

    @classmethod
    def of(cls, sub: Submission, variant_seed: int | None = None) -> RemoteSubmission:
        """``sub`` as data (its notebooks read, capped)."""
        when = None if sub.submitted_at is None else sub.submitted_at.isoformat()
        paths = sub.notebooks or (sub.path,)
        files = tuple(
            (p.name, None if sub.problem or not p.is_file() else _read_capped(p)) for p in paths
        )
        return cls(sub.student, files, when, sub.notes, sub.problem, variant_seed)


@dataclass(frozen=True)
class RemoteOptions:
    """How a worker grades a batch's submissions."""

    batch: str
    """The batch's own identifier: a worker keeps the batch's warm kernels under it."""
    isolation: str
    warm: bool
    """Whether kernels start warm (:meth:`~grader.grade.GradeOptions.warm_batch`)."""
    preload: tuple[str, ...] = ()
    """What the zygotes import: the released notebooks' imports, found here (a worker has no
    solution notebook to find them in)."""


def grade_on_cluster(
    assignment: Assignment,
    submissions: Sequence[Submission],
    options: GradeOptions,
    scheduler: str,
    workers: int,
    finished: Callable[[Submission, SubmissionResult], None],
) -> None:
    """Grade ``submissions`` on the cluster at ``scheduler`` (or a local one); report each.

    Raises:
        ConfigError: Dask distributed is not installed, or the scheduler cannot be reached.
    """
    try:
        import dask
        from distributed import Client, LocalCluster, as_completed

        from grader.integrations.cluster_worker import (
            WarmKernelsPlugin,
            grade_remote,
            stop_warm_kernels,
        )
    except ImportError as exc:
        raise ConfigError(
            "grading on a cluster needs Dask distributed: pip install 'grader[cluster]'"
        ) from exc
    pack = pack_assignment(assignment)
    # A data variant's seed is derived here, from the course secret, and travels with its
    # submission: the workers build the variant from the seed and never see the secret.
    secret = course_secret(assignment) if assignment.variants else None

    def seed(sub: Submission) -> int | None:
        return None if secret is None else variant_seed(secret, assignment.name, sub.student)

    with dask.config.set({"distributed.worker.daemon": False}):
        try:
            if scheduler == LOCAL:
                cluster: Any = LocalCluster(
                    n_workers=workers, threads_per_worker=1, dashboard_address=":0"
                )
                client = Client(cluster)
            else:
                cluster = None
                client = Client(scheduler, timeout=10)
        except OSError as exc:
            raise ConfigError(f"cannot reach the Dask scheduler {scheduler}: {exc}") from exc
        # Warm kernels as on one machine: a zygote per worker for this batch.
        warm = options.warm_batch(len(submissions))
        preload = tuple(released_imports(assignment)) if warm else ()
        how = RemoteOptions(uuid.uuid4().hex, options.isolation, warm, preload)
        try:
            client.register_plugin(WarmKernelsPlugin())
            remote_pack = client.scatter(pack, broadcast=True)
            futures = {
                client.submit(
                    grade_remote, remote_pack, RemoteSubmission.of(sub, seed(sub)), how, pure=False
                ): sub
                for sub in submissions
            }
            for future in as_completed(list(futures)):
                sub = futures.pop(future)  # released once read: results are not kept here
                finished(sub, _result(assignment, sub, future))
        finally:
            with contextlib.suppress(Exception):  # a worker that is gone has no zygote left
                client.run(stop_warm_kernels, how.batch)
            client.close()
            if cluster is not None:
                cluster.close()


def _result(assignment: Assignment, sub: Submission, future: Any) -> SubmissionResult:
    """A finished task's result.

    A worker's failure (an error raised there, a worker lost) is the submission's grader
    failure, as a failure of the machinery is locally: recorded, said, graded again by the next
    run, and the rest of the batch goes on.
    """
    try:
        return SubmissionResult.from_dict(json.loads(future.result()))
    except Exception as exc:  # whatever the worker or the cluster raised
        log.warning("%s: grading on the cluster failed: %s: %s", sub.student,
                    type(exc).__name__, exc)  # fmt: skip
        reason = f"grading on the cluster failed: {type(exc).__name__}: {exc}"
        return grader_failure(assignment, sub.student, reason)


def _read_capped(path: Path) -> bytes:
    """A notebook's bytes (an oversized or unreadable one travels as what can be read)."""
    try:
        with path.open("rb") as fh:
            return fh.read(MAX_NOTEBOOK_BYTES + 1)
    except OSError:
        return b""
