"""The warm-kernel zygote: runs inside bubblewrap, forks one fresh, confined kernel per request.

Its source is passed to ``python -c`` (the grader package is not visible in the sandbox), so it
imports nothing of the grader. It imports ipykernel and the assignment's libraries once, then
serves JSON lines: requests on stdin, events on stdout. Before forking a kernel it prepares
ipykernel's application and IPython's shell for that kernel's options, once for the same
options (:mod:`grader.guest.prepared`). Each kernel is three forks deep::

    zygote ─▶ keeper: new mount, pid, network, ipc and uts namespaces; reports the init's
              │        pid and, later, its exit; never runs student code
              └─▶ init: pid 1 of the new namespaces. Mounts a fresh /proc, /tmp and home,
                  │     binds its own submission (read-only) and run folder, hides every
                  │     other one, sets the resource limits, drops every privilege (as root:
                  │     the submission's own uid), then only reaps orphans until the kernel
                  │     exits
                  └─▶ kernel: a new session, stdio on /dev/null, the IPython kernel

A kernel starts with an empty home, before its notebook is known (a batch starts the next
kernel while the last one runs); its init then waits for the ``seed`` request, copies the
seed (written meanwhile) into the home as the student, and only then lets the grader run
anything in it.

So every kernel still starts fresh (its own mount, pid, network, ipc and uts namespaces, files,
processes and limits; the zygote's user namespace, without a capability left in it), but
without the second or two a new interpreter spends importing numpy, pandas and scikit-learn.
A kernel can name no process outside its own pid namespace, the zygote included.

The messages are the TypedDicts of :mod:`grader.guest.protocol` (whose source runs first, in
the same namespace; the grader imports them from there): requests
:class:`SpawnRequest` and :class:`SignalRequest` (``kill``, ``interrupt``: SIGINT to the
kernel, forwarded by its init, or ``seed``); events :class:`ReadyEvent` once, then per kernel
:class:`StartedEvent` once it is confined, :class:`SeededEvent` once its home is seeded, and
:class:`ExitedEvent`. Each keeper reports to the
zygote in :class:`KeeperReport` lines. End of stdin: the zygote kills every kernel and exits.
"""

from __future__ import annotations

import gc
import json
import os
import select
import selectors
import signal
import sys
import threading
import traceback
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # in the sandbox these come from the sources run first, in one namespace
    from grader.guest.confine import (
        CLONE_NEWIPC,
        CLONE_NEWNET,
        CLONE_NEWNS,
        CLONE_NEWPID,
        CLONE_NEWUTS,
        PR_SET_PDEATHSIG,
        check,
        confine,
        libc,
        prctl,
        seed_home,
    )
    from grader.guest.prepared import PreparedStart, preload
    from grader.guest.protocol import (
        HOME,
        Event,
        ExitedEvent,
        KeeperReport,
        ReadyEvent,
        Request,
        SpawnRequest,
    )


class KernelRecord:
    """The zygote's record of one kernel, kept until its keeper's pipe ends.

    A plain class: a dataclass needs its module in ``sys.modules``, which ``exec`` lacks.
    """

    def __init__(self, keeper: int) -> None:
        self.keeper = keeper
        self.pid: int | None = None
        self.confined = False
        self.reported = False
        self.status = 1
        self.error = ""
        self.buffer = b""
        self.seed: int | None = None
        """The write end of the pipe the kernel's init waits on for its seed request."""


def _send(fd: int, message: Event | KeeperReport) -> None:
    data = (json.dumps(message) + "\n").encode()
    while data:
        data = data[os.write(fd, data) :]


def _run_kernel(argv: list[str], prepared: PreparedStart) -> None:
    """Become the student's kernel, from what the zygote prepared for it (never returns)."""
    os.setsid()
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    os.closerange(3, 65536)
    numpy = sys.modules.get("numpy")
    if numpy is not None:  # its global generator was seeded once, in the zygote
        numpy.random.seed()
    sys.argv = ["ipykernel_launcher", *argv]
    sys.path[0] = HOME
    prepared.launch(argv)


def _signal_quietly(pid: int, signum: int) -> None:
    try:
        os.kill(pid, signum)
    except ProcessLookupError:
        pass


def _close_all_but(keep: list[int]) -> None:
    """Close every file descriptor from 3 up except those in ``keep``."""
    low = 3
    for fd in sorted(keep):
        os.closerange(low, fd)
        low = fd + 1
    os.closerange(low, 65536)


def _seed_requested(seed: int, kernel: int) -> bool:
    """Wait for the seed request on ``seed``; False if the kernel ends first or none will come."""
    poller = select.poll()
    poller.register(seed, select.POLLIN)
    try:
        exits = os.pidfd_open(kernel)
        poller.register(exits, select.POLLIN)
    except OSError:  # a kernel without pidfds: the request alone ends the wait
        exits = -1
    try:
        for fd, _ in poller.poll():
            if fd == seed:
                return os.read(seed, 1) == b"s"
        return False
    finally:
        if exits >= 0:
            os.close(exits)


def _init(zygote: Zygote, request: SpawnRequest, report: int, seed: int) -> int:
    """Pid 1 of the kernel's namespaces: confine, start the kernel, seed, reap until it exits.

    The home is seeded when the request comes on ``seed``, before anything else runs there.
    """
    prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    confine(request, zygote.spool, zygote.keep)
    _send(report, {"confined": True})
    kernel = os.fork()
    if kernel == 0:
        status = 1
        try:
            _run_kernel(request["argv"], zygote.prepared)
            status = 0
        finally:
            os._exit(status)
    # An interrupt from the zygote reaches the kernel through here (pid 1 ignores signals it
    # has no handler for, so none is lost before this line: it is dropped).
    signal.signal(signal.SIGINT, lambda *_: _signal_quietly(kernel, signal.SIGINT))
    # Nothing runs in the kernel before its home is seeded (the grader waits for the report).
    if _seed_requested(seed, kernel):
        seed_home()
        _send(report, {"seeded": True})
    else:  # the kernel ended, or the grader will not use it
        _signal_quietly(kernel, signal.SIGKILL)
    # Nothing of the zygote's stays open here: the kernel has this process's uid.
    os.close(report)
    os.close(seed)
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, 2)
    os.close(null)
    while True:
        pid, status = os.wait()
        if pid == kernel:
            return os.waitstatus_to_exitcode(status)


def _keeper(zygote: Zygote, request: SpawnRequest, report: int, seed: int) -> None:
    """Make the kernel's namespaces, report its init, wait for it (never runs student code).

    ``report``: the pipe to the zygote; ``seed``: the pipe the seed request comes on.
    """
    prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, 0)
    os.dup2(null, 1)
    os.close(null)
    _close_all_but([report, seed])
    check(
        libc.unshare(CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS),
        "unshare",
    )
    init = os.fork()
    if init == 0:
        code = 1
        try:
            code = _init(zygote, request, report, seed)
        except BaseException as exc:  # reported to the grader, then exit
            _send(report, {"error": f"{type(exc).__name__}: {exc}"})
        finally:
            os._exit(code)
    os.close(seed)
    _send(report, {"pid": init})
    _, status = os.waitpid(init, 0)
    _send(report, {"status": os.waitstatus_to_exitcode(status)})


# --- the zygote's own loop ----------------------------------------------------------------------


class Zygote:
    """The request loop; one keeper per kernel, each with a pipe for its events.

    ``prepared``: ipykernel's application and shell, made before forking each kernel (once for
    the same options); ``inbox`` and ``outbox``: the file descriptors requests come from and
    events go to.
    """

    def __init__(
        self,
        spool: str,
        keep: list[str],
        prepared: PreparedStart,
        inbox: int = 0,
        outbox: int = 1,
    ) -> None:
        self.spool = spool
        self.keep = keep
        self.prepared = prepared
        self.inbox, self.outbox = inbox, outbox
        self.selector = selectors.DefaultSelector()
        self.kernels: dict[str, KernelRecord] = {}

    def spawn(self, request: SpawnRequest) -> None:
        """Fork the keeper of a new kernel."""
        kid = str(request["id"])
        self.prepared.ready_for(request["argv"])
        if threading.active_count() != 1:  # forking needs one thread: the grader starts it cold
            error = f"the zygote runs {threading.active_count()} threads: cannot fork"
            _send(self.outbox, {"event": "exited", "id": kid, "status": 1, "error": error})
            return
        read, write = os.pipe()
        seed_read, seed_write = os.pipe()
        keeper = os.fork()
        if keeper == 0:
            try:
                os.close(read)
                os.close(seed_write)
                _keeper(self, request, write, seed_read)
            except BaseException as exc:  # reported to the grader
                _send(write, {"error": f"{type(exc).__name__}: {exc}"})
            finally:
                os._exit(0)
        os.close(write)
        os.close(seed_read)
        self.watch(kid, keeper, read)
        self.kernels[kid].seed = seed_write

    def seed(self, kid: str) -> None:
        """Let a kernel's init copy its seed into its home (once)."""
        kernel = self.kernels.get(kid)
        if kernel is not None and kernel.seed is not None:
            try:
                os.write(kernel.seed, b"s")
            except OSError:  # its init has gone: its exit is reported
                pass
            os.close(kernel.seed)
            kernel.seed = None

    def watch(self, kid: str, keeper: int, reports: int) -> None:
        """Follow kernel ``kid``'s keeper (process ``keeper``) through its pipe ``reports``."""
        self.kernels[kid] = KernelRecord(keeper)
        self.selector.register(reports, selectors.EVENT_READ, kid)

    def kill(self, kid: str, signum: int = signal.SIGKILL) -> None:
        """Kill a kernel's init, which ends its whole pid namespace (or send it ``signum``)."""
        kernel = self.kernels.get(kid)
        if kernel is not None and kernel.pid:
            _signal_quietly(kernel.pid, signum)

    def from_keeper(self, fd: int, kid: str) -> None:
        """Forward a keeper's events; at its end, reap it and report the kernel's exit."""
        kernel = self.kernels[kid]
        chunk = os.read(fd, 65536)
        *lines, kernel.buffer = (kernel.buffer + chunk).split(b"\n")
        for line in lines:
            report: KeeperReport = json.loads(line)
            kernel.pid = report.get("pid", kernel.pid)
            kernel.confined = report.get("confined", kernel.confined)
            kernel.error = report.get("error", kernel.error)
            kernel.status = report.get("status", kernel.status)
            if kernel.pid and kernel.confined and not kernel.reported:
                kernel.reported = True
                _send(self.outbox, {"event": "started", "id": kid, "pid": kernel.pid})
            if report.get("seeded"):
                _send(self.outbox, {"event": "seeded", "id": kid})
        if not chunk:
            self.selector.unregister(fd)
            os.close(fd)
            os.waitpid(kernel.keeper, 0)
            if kernel.seed is not None:
                os.close(kernel.seed)
            del self.kernels[kid]
            exited: ExitedEvent = {
                "event": "exited", "id": kid, "status": kernel.status, "error": kernel.error
            }  # fmt: skip
            _send(self.outbox, exited)

    def serve(self) -> None:
        """Serve requests until the inbox ends, then kill every kernel."""
        self.selector.register(self.inbox, selectors.EVENT_READ, None)
        pending = b""
        while True:
            for key, _ in self.selector.select():
                if key.data is not None:
                    self.from_keeper(key.fd, key.data)
                    continue
                chunk = os.read(self.inbox, 65536)
                if not chunk:
                    for kid in list(self.kernels):
                        self.kill(kid)
                    return
                *lines, pending = (pending + chunk).split(b"\n")
                for line in lines:
                    self.handle(json.loads(line))

    def handle(self, request: Request) -> None:
        """Carry out one request."""
        if request["op"] == "spawn":
            self.spawn(request)
        elif request["op"] == "kill":
            self.kill(str(request["id"]))
        elif request["op"] == "interrupt":
            self.kill(str(request["id"]), signal.SIGINT)
        elif request["op"] == "seed":
            self.seed(str(request["id"]))


def main() -> None:
    """``python -c SOURCE SPOOL PRELOAD_JSON KEEP_JSON GUEST``: preload, say ready, serve.

    ``GUEST``: Python that installs the grader's kernel-side modules (the checks' helper, the
    figure recorder) in ``sys.modules``, run here once, so that no kernel compiles them (and
    ipykernel does not hash and transform their 50 KB of source as a cell, about 25 ms of
    CPU a kernel). They are the grader's own code; a kernel's student may tamper with their
    copy as with anything else in it (the grader trusts nothing a kernel says).
    """
    spool, modules, keep = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3])
    failed = preload(modules)
    exec(sys.argv[4], {})  # noqa: S102  (the grader's own source; an error ends the zygote)
    # What was preloaded lives as long as every kernel: the collector in a kernel need not
    # walk it (nor copy its pages on write, as walking it would).
    gc.collect()
    gc.freeze()
    # Forking is only safe with one thread: say how many there are, the grader checks.
    ready: ReadyEvent = {"event": "ready", "failed": failed, "threads": threading.active_count()}
    _send(1, ready)
    try:
        Zygote(spool, keep, PreparedStart()).serve()
    except Exception:
        traceback.print_exc()
        raise


if __name__ == "__main__":
    main()
