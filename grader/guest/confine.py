"""A warm kernel's confinement, done by its init (pid 1 of the kernel's new namespaces).

Part of the zygote's program (:mod:`grader.guest.zygote`): shipped as source after
:mod:`grader.guest.protocol` and before the zygote, in one namespace; standard library only.
The init sees only its own submission (the seed read-only, its run folder, fresh /proc, /tmp
and home), sets the kernel's rlimits, drops every privilege (as root: becomes the
submission's own uid) and refuses to go on if any is left; later, asked to, it copies the seed
into the home as the student.
"""

from __future__ import annotations

import ctypes
import os
import resource
import shutil
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # in the sandbox these names come from the protocol's source, executed first
    from grader.guest.protocol import HOME, RUN_STASH, SEED, SpawnRequest

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

LIMITS = {  # LIMIT_NAMES -> resource constants
    "as": resource.RLIMIT_AS,
    "cpu": resource.RLIMIT_CPU,
    "nproc": resource.RLIMIT_NPROC,
    "fsize": resource.RLIMIT_FSIZE,
    "nofile": resource.RLIMIT_NOFILE,
    "core": resource.RLIMIT_CORE,
}

libc = ctypes.CDLL(None, use_errno=True)
libc.mount.argtypes = [ctypes.c_char_p] * 3 + [ctypes.c_ulong, ctypes.c_char_p]
libc.umount2.argtypes = [ctypes.c_char_p, ctypes.c_int]
libc.unshare.argtypes = [ctypes.c_int]
libc.prctl.argtypes = [ctypes.c_int] + [ctypes.c_ulong] * 4


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [
        ("effective", ctypes.c_uint32),
        ("permitted", ctypes.c_uint32),
        ("inheritable", ctypes.c_uint32),
    ]


def check(result: int, what: str) -> None:
    """Raise OSError (with errno's message) when a libc call returned non-zero."""
    if result != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def mount(source: str, target: str, fstype: str | None, flags: int, data: str = "") -> None:
    """Mount ``source`` at ``target`` (the mount system call)."""
    fs = fstype.encode() if fstype else None
    opts = data.encode() if data else None
    check(libc.mount(source.encode(), target.encode(), fs, flags, opts), f"mount {target}")


def prctl(option: int, arg: int = 0) -> None:
    """The prctl system call, with one argument."""
    check(libc.prctl(option, arg, 0, 0, 0), f"prctl {option}")


# --- the kernel's confinement (in the init process, pid 1 of the new namespaces) -----------------


def _mounts(request: SpawnRequest, spool: str, keep: list[str]) -> None:
    """See only this submission: its seed read-only, its run folder, fresh /proc, /tmp, home.

    ``keep``: read-only folders under /tmp that the fresh /tmp must not hide (a Python
    installation in a clone under /tmp).
    """
    run_dir, tmp_mb, disk_mb = request["run_dir"], request["tmp_mb"], request["disk_mb"]
    kept = [(path, os.open(path, os.O_PATH | os.O_DIRECTORY)) for path in keep]
    mount("none", "/", None, MS_REC | MS_PRIVATE)
    mount(request["seed"], SEED, None, MS_BIND | MS_REC)
    mount("none", SEED, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)
    mount(run_dir, RUN_STASH, None, MS_BIND)
    # Hide every other submission (the spool may lie under /tmp: the fresh /tmp hides it too).
    mount("tmpfs", spool, "tmpfs", MS_NOSUID | MS_NODEV, "size=64k,mode=0755")
    mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, f"size={tmp_mb}m,mode=1777")
    mount("tmpfs", HOME, "tmpfs", MS_NOSUID | MS_NODEV, f"size={disk_mb}m,mode=0777")
    for path, fd in kept:
        os.makedirs(path, mode=0o755, exist_ok=True)
        mount(f"/proc/self/fd/{fd}", path, None, MS_BIND | MS_REC)
        mount("none", path, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)
        os.close(fd)
    # The run folder back at the path the grader knows, for the kernel's sockets.
    os.makedirs(run_dir, mode=0o755, exist_ok=True)
    mount(RUN_STASH, run_dir, None, MS_BIND)
    check(libc.umount2(RUN_STASH.encode(), MNT_DETACH), "umount the run folder's stash")


def _set_limits(limits: dict[str, int]) -> None:
    for name, value in limits.items():
        resource.setrlimit(LIMITS[name], (value, value))


def _drop_privileges(uid: int | None) -> None:
    """Lose every capability for good; as root, become the submission's own uid first."""
    with open("/proc/sys/kernel/cap_last_cap") as f:
        last_cap = int(f.read())
    for cap in range(last_cap + 1):
        prctl(PR_CAPBSET_DROP, cap)
    check(libc.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0), "clear ambient caps")
    if uid is not None:
        os.setgroups([])
        os.setresgid(uid, uid, uid)
        os.setresuid(uid, uid, uid)
    header = _CapHeader(CAPABILITY_VERSION_3, 0)
    nothing = (_CapData * 2)()
    check(libc.capset(ctypes.byref(header), nothing), "capset")
    prctl(PR_SET_NO_NEW_PRIVS, 1)
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


def confine(request: SpawnRequest, spool: str, keep: list[str]) -> None:
    """Confine this process for ``request``'s kernel; it ends in the kernel's (empty) home."""
    _mounts(request, spool, keep)
    _set_limits(request["limits"])
    _drop_privileges(request["uid"])
    os.chdir(HOME)


def seed_home() -> None:
    """Copy the seed into the home, as the student (like ``cp -R``; run after :func:`confine`).

    What the kernel wrote there while it started (IPython's own folder) is kept.
    """
    for entry in os.listdir(SEED):
        source, target = os.path.join(SEED, entry), os.path.join(HOME, entry)
        if os.path.isdir(source) and not os.path.islink(source):
            shutil.copytree(source, target, symlinks=True, dirs_exist_ok=True)
        else:
            shutil.copy(source, target, follow_symlinks=False)
