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
  uids from :mod:`grader.reaper`).

Everything the kernel starts lives in its pid namespace and is killed with it (and, as root,
every process of its uid is killed at the end).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Literal

from jupyter_client.provisioning.local_provisioner import LocalProvisioner
from traitlets import Int, Unicode

from grader.config import SandboxMode
from grader.errors import SandboxError

Isolation = Literal["bwrap", "limits"]
STUDENT_HOME = "/home/student"
SEED = "/srv/submission"
"""Where the submission's working folder is bound read-only; the home starts as a copy of it."""
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
    }
    env.update(dict.fromkeys(THREAD_ENV, "1"))
    return env


def rlimit_args(
    memory_mb: int, cpu_seconds: int, nproc: int, fsize_mb: int, nofile: int
) -> list[str]:
    """``prlimit`` options for a student kernel."""
    return [
        f"--as={memory_mb << 20}",
        f"--cpu={cpu_seconds}",
        f"--nproc={nproc}",
        f"--fsize={fsize_mb << 20}",
        f"--nofile={nofile}",
        "--core=0",
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


def bwrap_args(workdir: Path, run_dir: Path, uid: int | None, disk_mb: int) -> list[str]:
    """The bubblewrap command line up to ``--`` for one kernel."""
    args = ["bwrap", *_namespaces(), "--die-with-parent", "--new-session", "--clearenv"]
    made: set[str] = {"/"}

    def parents(dest: str) -> None:
        # bwrap creates missing mount points 0700 when run as root: make them 0755 ourselves.
        for parent in reversed(Path(dest).parents):
            p = str(parent)
            if p not in made:
                args.extend(["--perms", "0755", "--dir", p])
                made.add(p)

    def bind(src: Path | str, dest: str, writable: bool = False) -> None:
        parents(dest)
        args.extend(["--bind" if writable else "--ro-bind", str(src), dest])
        made.add(dest)

    # /tmp first: a bind under /tmp (a venv in a clone there) must not be hidden by the tmpfs.
    args.extend(["--dev", "/dev", "--proc", "/proc"])
    args.extend(["--perms", "1777", "--size", str(TMP_MB << 20), "--tmpfs", "/tmp"])
    made.update({"/dev", "/proc", "/tmp"})
    bind("/usr", "/usr")
    for name in ("bin", "lib", "lib64", "lib32", "sbin"):
        top = Path("/") / name
        if top.is_symlink():
            args.extend(["--symlink", os.readlink(top), str(top)])
        elif top.is_dir():
            bind(top, str(top))
    for etc in ("ld.so.cache", "localtime", "nsswitch.conf", "hosts"):
        if (Path("/etc") / etc).exists():
            bind(Path("/etc") / etc, f"/etc/{etc}")
    for root in python_roots():
        if not root.is_relative_to("/usr"):
            bind(root, str(root))
    bind(run_dir, str(run_dir), writable=True)
    bind(workdir, SEED)
    parents(STUDENT_HOME)
    args.extend(["--perms", "0777", "--size", str(disk_mb << 20), "--tmpfs", STUDENT_HOME])
    args.extend(["--chdir", STUDENT_HOME])
    for key, value in kernel_env(STUDENT_HOME, "1").items():
        args.extend(["--setenv", key, value])
    if uid is not None:
        args.extend(["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"])
    return args


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
        km = self.parent
        assert km is not None, "the provisioner is created by its kernel manager"
        run_dir = Path(self.run_dir)
        km.transport = "ipc"
        km.ip = str(run_dir / "kernel")
        km.cache_ports = False
        km.connection_file = str(run_dir / "connection.json")
        kwargs = await super().pre_launch(**kwargs)
        uid = self.uid if self.uid >= 0 else None
        if uid is not None:
            os.chown(km.connection_file, 0, uid)
            os.chmod(km.connection_file, 0o640)
        kernel_cmd = list(kwargs.pop("cmd"))
        limits = rlimit_args(
            self.memory_mb, self.cpu_seconds, self.nproc, self.disk_mb, self.open_files
        )
        wrapped = ["prlimit", *limits, "--"]
        if self.isolation == "bwrap":
            wrapped += [*bwrap_args(Path(self.workdir), run_dir, uid, self.disk_mb), "--"]
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
