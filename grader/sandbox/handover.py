"""What a kernel's uid is given: its files, its run folder, a spare's seed, a process limit.

As root, each kernel runs as a uid of its own (:func:`grader.sandbox.reaper.student_uid`); these
hand it what it must reach and nothing else.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from pathlib import Path

from grader.sandbox.bwrap import Isolation, python_roots


def link_tree(source: Path, target: Path, uid: int | None) -> None:
    """Hard-link ``source``'s files into ``target`` (copy where they cannot be linked)."""
    for folder, dirs, names in os.walk(source):
        here = target / Path(folder).relative_to(source)
        for name in dirs + names:
            src, dest = Path(folder, name), here / name
            if src.is_symlink():
                dest.symlink_to(os.readlink(src))
            elif src.is_dir():
                dest.mkdir()
            else:
                try:
                    os.link(src, dest)
                except OSError:  # another file system, or linking refused
                    shutil.copy2(src, dest)
            if uid is not None:
                os.chown(dest, uid, uid, follow_symlinks=False)


def can_drop_root(isolation: Isolation) -> bool:
    """Whether a kernel started by root can run as another uid.

    Without bubblewrap the other uid must reach the Python installation itself (not the case
    for a Python under root's 0700 home).
    """
    return isolation == "bwrap" or all(_world_reachable(root) for root in python_roots())


def _world_reachable(path: Path) -> bool:
    return all(os.stat(p).st_mode & 0o001 for p in [path, *path.parents])


def hand_over(workdir: Path, run_dir: Path, uid: int) -> None:
    """Give ``uid`` the submission's files, and the run folder until the kernel is up."""
    for path in [workdir, *workdir.rglob("*")]:
        os.chown(path, uid, uid, follow_symlinks=False)
    os.chown(run_dir, 0, uid)
    os.chmod(run_dir, 0o770)  # noqa: S103 (the group is the student uid alone)


def nproc_limit(uid: int | None, processes: int) -> int:
    """RLIMIT_NPROC counts every task of the uid: as the grader's own user, add what it runs."""
    if uid is not None:
        return processes
    own = 0
    me = os.getuid()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if entry.stat().st_uid == me:
                    own += len(list((entry / "task").iterdir()))
    return own + processes
