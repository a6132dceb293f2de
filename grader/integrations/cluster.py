"""Grading on a Dask distributed cluster.

The client packs the assignment's folder and each submission's notebook as bytes; a worker
unpacks the assignment once (cached by its hash), grades the notebook with the same
:func:`~grader.grade.grade_submission` as local grading (its own sandbox, kernel and warm check
workers) and sends the result back as JSON text. The client records results in the gradebook
as they arrive. Workers must be allowed to start processes: ``--cluster dask`` starts a local
cluster configured so; workers started by hand need ``DASK_DISTRIBUTED__WORKER__DAEMON=False``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader.config import Assignment, load_assignment
from grader.errors import ConfigError
from grader.grade import GradeOptions, grade_submission
from grader.models import SubmissionResult
from grader.notebook import MAX_NOTEBOOK_BYTES
from grader.submissions import Submission
from grader.variants import course_secret, variant_seed

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


def grade_remote(pack: AssignmentPack, remote: RemoteSubmission, isolation: str) -> str:
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
        options = GradeOptions(isolation="bwrap" if isolation == "bwrap" else "limits")
        result = grade_submission(assignment, sub, options)
    return json.dumps(result.to_dict(answers=True))


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
        try:
            remote_pack = client.scatter(pack, broadcast=True)
            futures = {
                client.submit(
                    grade_remote,
                    remote_pack,
                    RemoteSubmission.of(sub, seed(sub)),
                    options.isolation,
                    pure=False,
                ): sub
                for sub in submissions
            }
            for future in as_completed(list(futures)):
                sub = futures.pop(future)  # released once read: results are not kept here
                finished(sub, SubmissionResult.from_dict(json.loads(future.result())))
        finally:
            client.close()
            if cluster is not None:
                cluster.close()


def _read_capped(path: Path) -> bytes:
    """A notebook's bytes (an oversized or unreadable one travels as what can be read)."""
    try:
        with path.open("rb") as fh:
            return fh.read(MAX_NOTEBOOK_BYTES + 1)
    except OSError:
        return b""
