"""The warm-kernel zygote: runs inside bubblewrap, forks one fresh, confined kernel per request.

Its source is passed to ``python -c`` (the grader package is not visible in the sandbox), so it
imports nothing of the grader. It imports ipykernel and the assignment's libraries once, then
serves JSON lines: requests on stdin, events on stdout. Each kernel is three forks deep::

    zygote ─▶ keeper: new mount, pid, network, ipc and uts namespaces; reports the init's
              │        pid and, later, its exit; never runs student code
              └─▶ init: pid 1 of the new namespaces. Mounts a fresh /proc, /tmp and home,
                  │     binds its own submission (read-only) and run folder, hides every
                  │     other one, sets the resource limits, drops every privilege (as root:
                  │     the submission's own uid), then only reaps orphans until the kernel
                  │     exits
                  └─▶ kernel: a new session, stdio on /dev/null, the IPython kernel

So every kernel still starts fresh (its own mount, pid, network, ipc and uts namespaces, files,
processes and limits; the zygote's user namespace, without a capability left in it), but
without the second or two a new interpreter spends importing numpy, pandas and scikit-learn.
A kernel can name no process outside its own pid namespace, the zygote included.

The messages are the TypedDicts below (the grader imports them from here): requests
:class:`SpawnRequest` and :class:`SignalRequest` (``kill``, or ``interrupt``: SIGINT to the
kernel, forwarded by its init); events :class:`ReadyEvent` once, then per kernel
:class:`StartedEvent` once it is confined and :class:`ExitedEvent`. Each keeper reports to the
zygote in :class:`KeeperReport` lines. End of stdin: the zygote kills every kernel and exits.
"""

from __future__ import annotations

import ctypes
import importlib
import json
import os
import resource
import selectors
import shutil
import signal
import sys
import threading
import traceback
from typing import Literal, TypedDict

CLONE_NEWNS = 0x00020000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 32, 4096, 16384, 1 << 18
MNT_DETACH = 2
PR_SET_PDEATHSIG, PR_CAPBSET_DROP = 1, 24
PR_SET_NO_NEW_PRIVS, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL = 38, 47, 4
CAPABILITY_VERSION_3 = 0x20080522

HOME = "/home/student"
SEED = "/srv/submission"
RUN_STASH = "/srv/run"
LIMITS = {
    "as": resource.RLIMIT_AS,
    "cpu": resource.RLIMIT_CPU,
    "nproc": resource.RLIMIT_NPROC,
    "fsize": resource.RLIMIT_FSIZE,
    "nofile": resource.RLIMIT_NOFILE,
    "core": resource.RLIMIT_CORE,
}


# --- the messages (JSON lines) -------------------------------------------------------------------


class SpawnRequest(TypedDict):
    """Fork a confined kernel: ipykernel's ``argv``, its run folder and read-only ``seed``."""

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
    """``kill`` ends a kernel's whole namespace; ``interrupt`` sends its kernel SIGINT."""

    op: Literal["kill", "interrupt"]
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


class ExitedEvent(TypedDict):
    """Kernel ``id`` has exited with ``status``; ``error``: why it could not start, or ""."""

    event: Literal["exited"]
    id: str
    status: int
    error: str


Event = ReadyEvent | StartedEvent | ExitedEvent


class KeeperReport(TypedDict, total=False):
    """What a keeper tells the zygote about its kernel, one key a line."""

    pid: int
    confined: bool
    error: str
    status: int


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


_libc = ctypes.CDLL(None, use_errno=True)
_libc.mount.argtypes = [ctypes.c_char_p] * 3 + [ctypes.c_ulong, ctypes.c_char_p]
_libc.umount2.argtypes = [ctypes.c_char_p, ctypes.c_int]
_libc.unshare.argtypes = [ctypes.c_int]
_libc.prctl.argtypes = [ctypes.c_int] + [ctypes.c_ulong] * 4


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [
        ("effective", ctypes.c_uint32),
        ("permitted", ctypes.c_uint32),
        ("inheritable", ctypes.c_uint32),
    ]


def _check(result: int, what: str) -> None:
    if result != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def _mount(source: str, target: str, fstype: str | None, flags: int, data: str = "") -> None:
    fs = fstype.encode() if fstype else None
    opts = data.encode() if data else None
    _check(_libc.mount(source.encode(), target.encode(), fs, flags, opts), f"mount {target}")


def _prctl(option: int, arg: int = 0) -> None:
    _check(_libc.prctl(option, arg, 0, 0, 0), f"prctl {option}")


def _send(fd: int, message: Event | KeeperReport) -> None:
    data = (json.dumps(message) + "\n").encode()
    while data:
        data = data[os.write(fd, data) :]


# --- the kernel's confinement (in the init process, pid 1 of the new namespaces) -----------------


def _mounts(request: SpawnRequest, spool: str, keep: list[str]) -> None:
    """See only this submission: its seed read-only, its run folder, fresh /proc, /tmp, home.

    ``keep``: read-only folders under /tmp that the fresh /tmp must not hide (a Python
    installation in a clone under /tmp).
    """
    run_dir, tmp_mb, disk_mb = request["run_dir"], request["tmp_mb"], request["disk_mb"]
    kept = [(path, os.open(path, os.O_PATH | os.O_DIRECTORY)) for path in keep]
    _mount("none", "/", None, MS_REC | MS_PRIVATE)
    _mount(request["seed"], SEED, None, MS_BIND | MS_REC)
    _mount("none", SEED, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)
    _mount(run_dir, RUN_STASH, None, MS_BIND)
    # Hide every other submission (the spool may lie under /tmp: the fresh /tmp hides it too).
    _mount("tmpfs", spool, "tmpfs", MS_NOSUID | MS_NODEV, "size=64k,mode=0755")
    _mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    _mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, f"size={tmp_mb}m,mode=1777")
    _mount("tmpfs", HOME, "tmpfs", MS_NOSUID | MS_NODEV, f"size={disk_mb}m,mode=0777")
    for path, fd in kept:
        os.makedirs(path, mode=0o755, exist_ok=True)
        _mount(f"/proc/self/fd/{fd}", path, None, MS_BIND | MS_REC)
        _mount("none", path, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)
        os.close(fd)
    # The run folder back at the path the grader knows, for the kernel's sockets.
    os.makedirs(run_dir, mode=0o755, exist_ok=True)
    _mount(RUN_STASH, run_dir, None, MS_BIND)
    _check(_libc.umount2(RUN_STASH.encode(), MNT_DETACH), "umount the run folder's stash")


def _set_limits(limits: dict[str, int]) -> None:
    for name, value in limits.items():
        resource.setrlimit(LIMITS[name], (value, value))


def _drop_privileges(uid: int | None) -> None:
    """Lose every capability for good; as root, become the submission's own uid first."""
    with open("/proc/sys/kernel/cap_last_cap") as f:
        last_cap = int(f.read())
    for cap in range(last_cap + 1):
        _prctl(PR_CAPBSET_DROP, cap)
    _check(_libc.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0), "clear ambient caps")
    if uid is not None:
        os.setgroups([])
        os.setresgid(uid, uid, uid)
        os.setresuid(uid, uid, uid)
    header = _CapHeader(CAPABILITY_VERSION_3, 0)
    nothing = (_CapData * 2)()
    _check(_libc.capset(ctypes.byref(header), nothing), "capset")
    _prctl(PR_SET_NO_NEW_PRIVS, 1)
    _verify_unprivileged()


def _verify_unprivileged() -> None:
    """Fail closed: refuse to run a kernel that kept any privilege."""
    with open("/proc/self/status") as f:
        status = dict(line.split(":", 1) for line in f if ":" in line)
    for field in ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"):
        if int(status[field].strip(), 16) != 0:
            raise PermissionError(f"the kernel kept capabilities ({field} {status[field].strip()})")
    if status["NoNewPrivs"].strip() != "1":
        raise PermissionError("no_new_privs is not set")


def _confine(request: SpawnRequest, spool: str, keep: list[str]) -> None:
    _mounts(request, spool, keep)
    _set_limits(request["limits"])
    _drop_privileges(request["uid"])
    # The home starts as a copy of the submission, made as the student (like ``cp -R``).
    for entry in os.listdir(SEED):
        source, target = os.path.join(SEED, entry), os.path.join(HOME, entry)
        if os.path.isdir(source) and not os.path.islink(source):
            shutil.copytree(source, target, symlinks=True)
        else:
            shutil.copy(source, target, follow_symlinks=False)
    os.chdir(HOME)


def _run_kernel(argv: list[str]) -> None:
    """Become the student's kernel (never returns)."""
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
    from ipykernel.kernelapp import IPKernelApp

    IPKernelApp.launch_instance(argv=argv)


def _signal_quietly(pid: int, signum: int) -> None:
    try:
        os.kill(pid, signum)
    except ProcessLookupError:
        pass


def _init(request: SpawnRequest, spool: str, keep: list[str], report: int) -> int:
    """Pid 1 of the kernel's namespaces: confine, start the kernel, reap until it exits."""
    _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    _confine(request, spool, keep)
    _send(report, {"confined": True})
    kernel = os.fork()
    if kernel == 0:
        status = 1
        try:
            _run_kernel(request["argv"])
            status = 0
        finally:
            os._exit(status)
    # An interrupt from the zygote reaches the kernel through here (pid 1 ignores signals it
    # has no handler for, so none is lost before this line: it is dropped).
    signal.signal(signal.SIGINT, lambda *_: _signal_quietly(kernel, signal.SIGINT))
    # Nothing of the zygote's stays open here: the kernel has this process's uid.
    os.close(report)
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, 2)
    os.close(null)
    while True:
        pid, status = os.wait()
        if pid == kernel:
            return os.waitstatus_to_exitcode(status)


def _keeper(request: SpawnRequest, spool: str, keep: list[str], report: int) -> None:
    """Make the kernel's namespaces, report its init, wait for it (never runs student code)."""
    _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, 0)
    os.dup2(null, 1)
    os.close(null)
    os.closerange(3, report)
    os.closerange(report + 1, 65536)
    _check(
        _libc.unshare(CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS),
        "unshare",
    )
    init = os.fork()
    if init == 0:
        code = 1
        try:
            code = _init(request, spool, keep, report)
        except BaseException as exc:  # reported to the grader, then exit
            _send(report, {"error": f"{type(exc).__name__}: {exc}"})
        finally:
            os._exit(code)
    _send(report, {"pid": init})
    _, status = os.waitpid(init, 0)
    _send(report, {"status": os.waitstatus_to_exitcode(status)})


# --- the zygote's own loop ----------------------------------------------------------------------


class Zygote:
    """The request loop; one keeper per kernel, each with a pipe for its events.

    ``inbox`` and ``outbox``: the file descriptors requests come from and events go to.
    """

    def __init__(self, spool: str, keep: list[str], inbox: int = 0, outbox: int = 1) -> None:
        self.spool = spool
        self.keep = keep
        self.inbox, self.outbox = inbox, outbox
        self.selector = selectors.DefaultSelector()
        self.kernels: dict[str, KernelRecord] = {}

    def spawn(self, request: SpawnRequest) -> None:
        """Fork the keeper of a new kernel."""
        kid = str(request["id"])
        read, write = os.pipe()
        keeper = os.fork()
        if keeper == 0:
            try:
                os.close(read)
                _keeper(request, self.spool, self.keep, write)
            except BaseException as exc:  # reported to the grader
                _send(write, {"error": f"{type(exc).__name__}: {exc}"})
            finally:
                os._exit(0)
        os.close(write)
        self.watch(kid, keeper, read)

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
        if not chunk:
            self.selector.unregister(fd)
            os.close(fd)
            os.waitpid(kernel.keeper, 0)
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


KERNEL_MODULES = [
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    # What ipykernel 7 and IPython 9 import while a kernel starts (about half of its start).
    "ipykernel.debugger",
    "debugpy.server.api",
    "IPython.core.completerlib",
    "IPython.core.debugger",
    "IPython.core.logger",
    "IPython.core.oinspect",
    "IPython.extensions.storemagic",
    "IPython.utils.wildcard",
    "sqlite3",
    "tornado.gen",
    "tornado.locks",
    "tornado.platform.asyncio",
    "tornado.queues",
]


def preload(modules: list[str]) -> list[str]:
    """Import what every kernel will need; returns the modules that failed to import."""
    failed = []
    for name in [*KERNEL_MODULES, *modules]:
        try:
            importlib.import_module(name)
        except Exception:  # a kernel that needs it fails on its own
            failed.append(name)
    return failed


def main() -> None:
    """``python -c SOURCE SPOOL PRELOAD_JSON KEEP_JSON``: preload, say ready, serve."""
    spool, modules, keep = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3])
    failed = preload(modules)
    # Forking is only safe with one thread: say how many there are, the grader checks.
    ready: ReadyEvent = {"event": "ready", "failed": failed, "threads": threading.active_count()}
    _send(1, ready)
    try:
        Zygote(spool, keep).serve()
    except Exception:
        traceback.print_exc()
        raise


if __name__ == "__main__":
    main()
