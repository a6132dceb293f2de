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

So every kernel still starts fresh (its own user namespace, files, processes and limits), but
without the second or two a new interpreter spends importing numpy, pandas and scikit-learn.
A kernel can name no process outside its own pid namespace, the zygote included.

Requests: ``{"op": "spawn", "id", "argv", "run_dir", "seed", "uid", "limits", "tmp_mb",
"disk_mb"}``, ``{"op": "kill", "id"}`` and ``{"op": "interrupt", "id"}`` (SIGINT to the
kernel, forwarded by its init). Events: ``{"event": "ready", ...}`` once, then per
kernel ``{"event": "started", "id", "pid"}`` once it is confined, and ``{"event": "exited",
"id", "status", "error"}``. End of stdin: the zygote kills every kernel and exits.
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
from typing import Any

CLONE_NEWNS = 0x00020000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 32, 4096, 16384, 1 << 18
MNT_DETACH = 2
PR_SET_PDEATHSIG, PR_SET_DUMPABLE, PR_CAPBSET_DROP = 1, 4, 24
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


def _send(fd: int, message: dict[str, Any]) -> None:
    data = (json.dumps(message) + "\n").encode()
    while data:
        data = data[os.write(fd, data) :]


# --- the kernel's confinement (in the init process, pid 1 of the new namespaces) -----------------


def _mounts(request: dict[str, Any], spool: str, keep: list[str]) -> None:
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


def _confine(request: dict[str, Any], spool: str, keep: list[str]) -> None:
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


def _init(request: dict[str, Any], spool: str, keep: list[str], report: int) -> int:
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


def _keeper(request: dict[str, Any], spool: str, keep: list[str], report: int) -> None:
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
    """The request loop; one keeper per kernel, each with a pipe for its events."""

    def __init__(self, spool: str, keep: list[str]) -> None:
        self.spool = spool
        self.keep = keep
        self.selector = selectors.DefaultSelector()
        self.kernels: dict[str, dict[str, Any]] = {}

    def spawn(self, request: dict[str, Any]) -> None:
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
        self.kernels[kid] = {"keeper": keeper, "pid": None, "buffer": b"", "error": ""}
        self.selector.register(read, selectors.EVENT_READ, kid)

    def kill(self, kid: str, signum: int = signal.SIGKILL) -> None:
        """Kill a kernel's init, which ends its whole pid namespace (or send it ``signum``)."""
        kernel = self.kernels.get(kid)
        if kernel and kernel["pid"]:
            _signal_quietly(kernel["pid"], signum)

    def from_keeper(self, fd: int, kid: str) -> None:
        """Forward a keeper's events; at its end, reap it and report the kernel's exit."""
        kernel = self.kernels[kid]
        chunk = os.read(fd, 65536)
        kernel["buffer"] += chunk
        *lines, kernel["buffer"] = kernel["buffer"].split(b"\n")
        for line in lines:
            message = json.loads(line)
            kernel.update(
                {k: message[k] for k in ("pid", "confined", "error", "status") if k in message}
            )
            if kernel["pid"] and kernel.get("confined") and not kernel.get("reported"):
                kernel["reported"] = True
                _send(1, {"event": "started", "id": kid, "pid": kernel["pid"]})
        if not chunk:
            self.selector.unregister(fd)
            os.close(fd)
            os.waitpid(kernel["keeper"], 0)
            del self.kernels[kid]
            status = kernel.get("status", 1)
            _send(1, {"event": "exited", "id": kid, "status": status, "error": kernel["error"]})

    def serve(self) -> None:
        """Serve requests until stdin ends, then kill every kernel."""
        self.selector.register(0, selectors.EVENT_READ, None)
        pending = b""
        while True:
            for key, _ in self.selector.select():
                if key.data is not None:
                    self.from_keeper(key.fd, key.data)
                    continue
                chunk = os.read(0, 65536)
                if not chunk:
                    for kid in list(self.kernels):
                        self.kill(kid)
                    return
                *lines, pending = (pending + chunk).split(b"\n")
                for line in lines:
                    request = json.loads(line)
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
    _send(1, {"event": "ready", "failed": failed, "threads": threading.active_count()})
    try:
        Zygote(spool, keep).serve()
    except Exception:
        traceback.print_exc()
        raise


if __name__ == "__main__":
    main()
