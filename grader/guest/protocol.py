"""What the grader and the warm-kernel zygote share: sandbox paths, rlimit names, messages.

The messages are JSON lines: requests on the zygote's stdin, events on its stdout.

Shipped into the sandbox as source together with :mod:`grader.guest.zygote` (this file first,
in one namespace), and imported by the grader (:mod:`grader.sandbox.warm`,
:mod:`grader.sandbox.bwrap`); so it imports nothing but the standard library's typing.
"""

from __future__ import annotations

from typing import Literal, TypedDict

HOME = "/home/student"
"""The kernel's home: a tmpfs of ``disk_mb`` that starts as a copy of the seed."""
SEED = "/srv/submission"
"""Where the submission's working folder is bound read-only."""
RUN_STASH = "/srv/run"
"""Where a kernel's run folder waits while the spool is hidden."""
LIMIT_NAMES = ("as", "cpu", "nproc", "fsize", "nofile", "core")
"""A kernel's rlimits, by ``prlimit`` option name, in the order both sides apply them."""


# --- the messages (JSON lines) -------------------------------------------------------------------


class SpawnRequest(TypedDict):
    """Fork a confined kernel: ipykernel's ``argv``, its run folder and read-only ``seed``.

    The kernel starts with an empty home; a ``seed`` request (:class:`SignalRequest`) fills it
    from the seed, which may be written after the kernel started (a kernel started before its
    notebook is known).
    """

    op: Literal["spawn"]
    id: str
    argv: list[str]
    run_dir: str
    seed: str
    uid: int | None
    limits: dict[str, int]
    """rlimits by the names of :data:`LIMITS`."""
    tmp_mb: int
    disk_mb: int


class SignalRequest(TypedDict):
    """Act on kernel ``id``.

    ``kill`` ends its whole namespace; ``interrupt`` sends it SIGINT; ``seed`` fills its home
    from its seed now (nothing of the student's can run there before).
    """

    op: Literal["kill", "interrupt", "seed"]
    id: str


Request = SpawnRequest | SignalRequest


class ReadyEvent(TypedDict):
    """The zygote has imported what it could (``failed``: what not) and runs ``threads``."""

    event: Literal["ready"]
    failed: list[str]
    threads: int


class StartedEvent(TypedDict):
    """Kernel ``id`` is confined; ``pid``: its init's, as the zygote's pid namespace sees it."""

    event: Literal["started"]
    id: str
    pid: int


class SeededEvent(TypedDict):
    """Kernel ``id``'s home now holds a copy of its seed: its notebook may run."""

    event: Literal["seeded"]
    id: str


class ExitedEvent(TypedDict):
    """Kernel ``id`` has exited with ``status``; ``error``: why it could not start, or ""."""

    event: Literal["exited"]
    id: str
    status: int
    error: str


Event = ReadyEvent | StartedEvent | SeededEvent | ExitedEvent


class KeeperReport(TypedDict, total=False):
    """What a keeper tells the zygote about its kernel, one key a line."""

    pid: int
    confined: bool
    seeded: bool
    error: str
    status: int
