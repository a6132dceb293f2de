"""The sandbox every student kernel runs in, launched through a jupyter_client provisioner.

:class:`SandboxProvisioner` is a :class:`~jupyter_client.provisioning.LocalProvisioner` that
talks to the kernel over unix sockets in a private folder (``ipc`` transport, so the kernel
needs no network) and wraps the kernel's command line:

* ``prlimit``: address space, CPU seconds, processes, file size, open files, no core files;
* ``bwrap`` (bubblewrap) where installed: new network, pid, ipc and uts namespaces, a read-only
  view of the system and the Python installation, and two size-capped in-memory folders: an
  empty ``/tmp`` and the home ``/home/student``, which starts as a copy of the submission's
  private working folder (bound read-only at :data:`SEED`); the student can fill neither the
  grader's disk nor its folders;
* when the grader runs as root, the kernel runs as an unprivileged uid of its own (``setpriv``,
  uids from :mod:`grader.sandbox.reaper`).

Everything the kernel starts lives in its pid namespace and is killed with it (and, as root,
every process of its uid is killed at the end).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any, Literal

from jupyter_client.provisioning.local_provisioner import LocalProvisioner
from traitlets import Int, Unicode

from grader.config import SandboxMode
from grader.errors import SandboxError
from grader.sandbox.reaper import kernel_process

Isolation = Literal["bwrap", "limits"]
STUDENT_HOME = "/home/student"
SEED = "/srv/submission"
"""Where the submission's working folder is bound read-only; the home starts as a copy of it."""
RUN_STASH = "/srv/run"
"""Where a warm kernel's run folder waits while its spool is hidden (:mod:`grader.guest.zygote`)."""
TMP_MB = 256
THREAD_ENV = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS")


def choose_isolation(mode: SandboxMode) -> tuple[Isolation, str]:
    """Pick the isolation for ``mode``; returns it and a warning to print once (or "").

    Raises:
        SandboxError: ``strict`` was asked for and bubblewrap is not usable here.
    """
    if mode == "off":
        return "limits", "sandbox off: kernels run with resource limits only"
    problem = bwrap_problem()
    if problem is None:
        return "bwrap", ""
    if mode == "strict":
        raise SandboxError(f"--sandbox=strict: bubblewrap is not usable here: {problem}")
    return "limits", (
        f"warning: bubblewrap is not usable ({problem}); grading with resource limits only "
        "(no filesystem or network isolation). Install the 'bubblewrap' package to sandbox."
    )


def bwrap_problem() -> str | None:
    """Why bubblewrap cannot sandbox a kernel here, or None when it can."""
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return "the bwrap command is not installed"
    probe = [bwrap, *_namespaces(), "--ro-bind", "/", "/", "--", "/bin/true"]
    try:
        done = subprocess.run(probe, capture_output=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"bwrap did not run: {exc}"
    if done.returncode != 0:
        err = done.stderr.decode(errors="replace").strip().splitlines()
        return f"bwrap failed: {err[-1] if err else done.returncode}"
    return None


def _namespaces() -> list[str]:
    ns = [
        "--unshare-net",
        "--unshare-pid",
        "--unshare-ipc",
        "--unshare-uts",
        "--unshare-cgroup-try",
    ]
    if os.geteuid() != 0:
        # Unprivileged bwrap needs a user namespace; forbid the student nesting another one.
        ns += ["--unshare-user", "--disable-userns"]
    return ns


def kernel_env(home: str, parent_pid: str) -> dict[str, str]:
    """The whole environment of a student kernel: nothing of the grader's leaks in."""
    env = {
        "HOME": home,
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "PYTHONHASHSEED": "0",
        "PYTHONDONTWRITEBYTECODE": "1",
        "MPLBACKEND": "Agg",
        "MPLCONFIGDIR": "/tmp/matplotlib",
        "IPYTHONDIR": "/tmp/ipython",
        "JUPYTER_PLATFORM_DIRS": "1",
        "JPY_PARENT_PID": parent_pid,
        "TMPDIR": "/tmp",
        # debugpy (imported by ipykernel) warns about frozen modules on stderr at every start.
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
    }
    env.update(dict.fromkeys(THREAD_ENV, "1"))
    return env


def rlimits(
    memory_mb: int, cpu_seconds: int, nproc: int, fsize_mb: int, nofile: int
) -> dict[str, int]:
    """A student kernel's resource limits, by ``prlimit`` option name."""
    return {
        "as": memory_mb << 20,
        "cpu": cpu_seconds,
        "nproc": nproc,
        "fsize": fsize_mb << 20,
        "nofile": nofile,
        "core": 0,
    }


def rlimit_args(limits: dict[str, int]) -> list[str]:
    """``prlimit`` options for a student kernel."""
    return [f"--{name}={value}" for name, value in limits.items()]


def python_roots() -> list[Path]:
    """The folders of the Python installation a kernel needs to see (outermost only)."""
    roots = {Path(sys.prefix), Path(sys.base_prefix), Path(os.path.realpath(sys.executable)).parent}
    # Keep only the outermost of nested roots.
    ordered = sorted(roots, key=lambda p: len(p.parts))
    kept: list[Path] = []
    for root in ordered:
        if not any(root.is_relative_to(k) for k in kept):
            kept.append(root)
    return kept


class _View:
    """A bubblewrap command line being built: the system read-only, the grader's files unseen."""

    def __init__(self) -> None:
        self.args = ["bwrap", *_namespaces(), "--die-with-parent", "--new-session", "--clearenv"]
        self.made: set[str] = {"/"}
        # /tmp first: a bind under /tmp (a venv in a clone there) must not be hidden by it.
        self.args.extend(["--dev", "/dev", "--proc", "/proc"])
        self.args.extend(["--perms", "1777", "--size", str(TMP_MB << 20), "--tmpfs", "/tmp"])
        self.made.update({"/dev", "/proc", "/tmp"})
        self.bind("/usr", "/usr")
        for name in ("bin", "lib", "lib64", "lib32", "sbin"):
            top = Path("/") / name
            if top.is_symlink():
                self.args.extend(["--symlink", os.readlink(top), str(top)])
            elif top.is_dir():
                self.bind(top, str(top))
        for etc in ("ld.so.cache", "localtime", "nsswitch.conf", "hosts"):
            if (Path("/etc") / etc).exists():
                self.bind(Path("/etc") / etc, f"/etc/{etc}")
        for root in python_roots():
            if not root.is_relative_to("/usr"):
                self.bind(root, str(root))

    def parents(self, dest: str) -> None:
        # bwrap creates missing mount points 0700 when run as root: make them 0755 ourselves.
        for parent in reversed(Path(dest).parents):
            p = str(parent)
            if p not in self.made:
                self.args.extend(["--perms", "0755", "--dir", p])
                self.made.add(p)

    def bind(self, src: Path | str, dest: str, writable: bool = False) -> None:
        self.parents(dest)
        self.args.extend(["--bind" if writable else "--ro-bind", str(src), dest])
        self.made.add(dest)

    def directory(self, dest: str) -> None:
        self.parents(dest)
        self.args.extend(["--perms", "0755", "--dir", dest])
        self.made.add(dest)

    def finish(self, cwd: str) -> list[str]:
        self.args.extend(["--chdir", cwd])
        for key, value in kernel_env(STUDENT_HOME, "1").items():
            self.args.extend(["--setenv", key, value])
        return self.args


def bwrap_args(workdir: Path, run_dir: Path, uid: int | None, disk_mb: int) -> list[str]:
    """The bubblewrap command line up to ``--`` for one kernel."""
    view = _View()
    view.bind(run_dir, str(run_dir), writable=True)
    view.bind(workdir, SEED)
    view.parents(STUDENT_HOME)
    view.args.extend(["--perms", "0777", "--size", str(disk_mb << 20), "--tmpfs", STUDENT_HOME])
    if uid is not None:
        view.args.extend(["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"])
    return view.finish(STUDENT_HOME)


ZYGOTE_CAPS = ("SYS_ADMIN", "SETUID", "SETGID", "SETPCAP", "KILL")
"""What the warm-kernel zygote needs as root: namespaces and mounts, each kernel's own uid, to
drop capabilities and to kill kernels. Each kernel drops them all (:mod:`grader.guest.zygote`)."""


def zygote_bwrap_args(spool: Path) -> list[str]:
    """The bubblewrap command line up to ``--`` for the warm-kernel zygote.

    The same view as a kernel's, with the spool of every kernel's folders where a kernel has
    its own; each kernel then hides the spool but its own folders and mounts a fresh /proc,
    /tmp and home (:mod:`grader.guest.zygote`).
    """
    view = _View()
    view.bind(spool, str(spool), writable=True)
    for mount_point in (SEED, RUN_STASH, STUDENT_HOME):
        view.directory(mount_point)
    if os.geteuid() == 0:
        view.args.extend(["--cap-drop", "ALL"])
        for cap in ZYGOTE_CAPS:
            view.args.extend(["--cap-add", f"CAP_{cap}"])
    else:  # capabilities inside the sandbox's own user namespace only
        view.args.extend(["--cap-add", "ALL"])
    return view.finish("/")


def seed_home_args() -> list[str]:
    """Copy the read-only seed into the (empty, size-capped) home, then run the kernel."""
    return ["/bin/sh", "-c", f'cp -R {SEED}/. "$HOME"/ && exec "$@"', "sh"]


def setpriv_args(uid: int) -> list[str]:
    """Drop to ``uid`` with no groups and no capabilities."""
    return [
        "setpriv",
        f"--reuid={uid}",
        f"--regid={uid}",
        "--clear-groups",
        "--inh-caps=-all",
        "--bounding-set=-all",
        "--",
    ]


class SandboxProvisioner(LocalProvisioner):
    """Launch a kernel sandboxed for one submission (configured from the kernel spec)."""

    workdir = Unicode(help="Private working folder of the submission (writable).").tag(config=True)
    run_dir = Unicode(help="Private folder for the connection file and sockets.").tag(config=True)
    isolation = Unicode("bwrap", help="'bwrap' or 'limits'.").tag(config=True)
    memory_mb = Int(2048).tag(config=True)
    cpu_seconds = Int(600).tag(config=True)
    nproc = Int(64).tag(config=True)
    disk_mb = Int(512).tag(config=True)
    open_files = Int(256).tag(config=True)
    uid = Int(-1, help="Run the kernel as this uid (root only); -1 keeps the current one.").tag(
        config=True
    )

    async def pre_launch(self, **kwargs: Any) -> dict[str, Any]:
        """Point the connection at private unix sockets, then wrap the kernel's command."""
        return self.wrap(await self._private_connection(**kwargs))

    def wrap(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        """The launch arguments of a cold kernel: its command inside the sandbox."""
        uid = self.uid if self.uid >= 0 else None
        kernel_cmd = list(kwargs.pop("cmd"))
        wrapped = ["prlimit", *rlimit_args(self.limits()), "--"]
        if self.isolation == "bwrap":
            wrapped += [
                *bwrap_args(Path(self.workdir), Path(self.run_dir), uid, self.disk_mb),
                "--",
            ]
            env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
            cwd = "/"
        else:
            env = kernel_env(self.workdir, str(os.getpid()))
            cwd = self.workdir
        if uid is not None:
            wrapped += setpriv_args(uid)
        if self.isolation == "bwrap":
            wrapped += seed_home_args()
        kwargs.update(
            cmd=wrapped + kernel_cmd,
            env=env,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        return kwargs

    async def _private_connection(self, **kwargs: Any) -> dict[str, Any]:
        """Unix sockets in the run folder; write the connection file (readable by the kernel)."""
        km = self.parent
        assert km is not None, "the provisioner is created by its kernel manager"
        run_dir = Path(self.run_dir)
        km.transport = "ipc"
        km.ip = str(run_dir / "kernel")
        km.cache_ports = False
        km.connection_file = str(run_dir / "connection.json")
        kwargs = await super().pre_launch(**kwargs)
        if self.uid >= 0:
            os.chown(km.connection_file, 0, self.uid)
            os.chmod(km.connection_file, 0o640)
        return kwargs

    async def send_signal(self, signum: int) -> None:
        """An interrupt goes to the kernel's own process; any other signal ends the sandbox.

        Never a message on the control channel: a student can stop the kernel reading it, and
        jupyter_client's send there blocks the event loop of the whole batch.
        """
        if signum != signal.SIGINT:
            return await super().send_signal(signum)
        launcher = getattr(self.process, "pid", None)
        kernel = kernel_process(launcher) if isinstance(launcher, int) else None
        if kernel is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(kernel, signal.SIGINT)
        return None

    def limits(self) -> dict[str, int]:
        """This kernel's resource limits."""
        return rlimits(self.memory_mb, self.cpu_seconds, self.nproc, self.disk_mb, self.open_files)
