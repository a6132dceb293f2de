"""The sandbox's command lines: bubblewrap's view of the system, rlimits, the environment.

Pure argv builders (and the probe of whether bubblewrap works here): a cold kernel's launch is
``prlimit`` + ``bwrap`` + (as root) ``setpriv`` + the kernel; the warm-kernel zygote gets the same
view of the system (:func:`zygote_bwrap_args`). The paths inside the sandbox and the rlimit names
are the guest's (:mod:`grader.guest.protocol`); the zygote applies them to warm kernels itself.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Literal

from grader.config import SandboxMode
from grader.errors import SandboxError
from grader.guest.protocol import HOME as STUDENT_HOME
from grader.guest.protocol import LIMIT_NAMES, RUN_STASH, SEED

Isolation = Literal["bwrap", "limits"]
ZYGOTE_TMP_MB = 256
"""Size of the warm-kernel zygote's own /tmp (each kernel mounts a fresh one of ``disk_mb``)."""
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
        f"bubblewrap is not usable ({problem}); grading with resource limits only "
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
        "MPLBACKEND": "module://matplotlib_inline.backend_inline",
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
    """A student kernel's resource limits, by ``prlimit`` option name (the zygote's names)."""
    limits = {
        "as": memory_mb << 20,
        "cpu": cpu_seconds,
        "nproc": nproc,
        "fsize": fsize_mb << 20,
        "nofile": nofile,
        "core": 0,
    }
    return {name: limits[name] for name in LIMIT_NAMES}


def rlimit_args(limits: dict[str, int]) -> list[str]:
    """``prlimit`` options for a student kernel."""
    return [f"--{name}={value}" for name, value in limits.items()]


def has_util_linux() -> bool:
    """Whether ``prlimit`` is here (and ``setpriv``, when running as root)."""
    root = getattr(os, "geteuid", lambda: -1)() == 0
    return shutil.which("prlimit") is not None and (not root or shutil.which("setpriv") is not None)


LAUNCHER = Path(__file__).resolve().parent.parent / "guest" / "launch.py"
"""The portable stand-in for ``prlimit`` + ``setpriv`` (:mod:`grader.guest.launch`)."""


def launcher_args(limits: dict[str, int], uid: int | None) -> list[str]:
    """The command that limits (and, as root, drops) a kernel where util-linux is missing."""
    return [
        sys.executable,
        str(LAUNCHER),
        json.dumps(limits),
        "" if uid is None else str(uid),
        "--",
    ]


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

    def __init__(self, tmp_mb: int) -> None:
        self.args = ["bwrap", *_namespaces(), "--die-with-parent", "--new-session", "--clearenv"]
        self.made: set[str] = {"/"}
        # /tmp first: a bind under /tmp (a venv in a clone there) must not be hidden by it.
        self.args.extend(["--dev", "/dev", "--proc", "/proc"])
        self.args.extend(["--perms", "1777", "--size", str(tmp_mb << 20), "--tmpfs", "/tmp"])
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
    """The bubblewrap command line up to ``--`` for one kernel (home and /tmp: ``disk_mb`` each)."""
    view = _View(disk_mb)
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
    view = _View(ZYGOTE_TMP_MB)
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
