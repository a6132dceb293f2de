"""Who a student's kernel runs as, and removing every process it leaves behind.

When the grader runs as root, each kernel gets a uid of its own from a pool (a lock file per uid,
so concurrent grader processes on one machine never share one): per-uid limits such as the
process count then apply to one submission, and at the end every process of that uid is killed,
whatever the student did to escape its process group (``setsid``, double forks).

Without root the kernel runs as the grader's own user. Inside bubblewrap the kernel's pid
namespace ends with it; without bubblewrap the kernel's process tree is collected before it is
stopped and killed after (a process that has already left the tree cannot be told apart from
the grader's own, see docs/sandbox.md).
"""

from __future__ import annotations

import contextlib
import functools
import os
import signal
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from grader.errors import SandboxError

UID_BASE = 1_900_000
"""Student kernels run as ``UID_BASE + n``: uids no account on a normal system uses."""
UID_SLOTS = 4096
KILL_ROUNDS = 50


CLEAN = b"clean"
"""What a uid's lock file holds while nothing of that uid is left (:func:`leave_clean`)."""


def _locks() -> Path:
    return Path(tempfile.gettempdir()) / "grader-uids"


def _lock_file(slot: int) -> Path:
    """The file whose lock holds uid ``UID_BASE + slot`` (and says whether it was left clean)."""
    return _locks() / str(slot)


@contextlib.contextmanager
def student_uid() -> Iterator[int | None]:
    """A uid for one kernel, held until the block ends; None when the grader is not root.

    Any process of that uid is killed first, unless its last holder left it clean
    (:func:`leave_clean`): a grader that crashed may have left some behind, and finding them
    means reading every process's status.
    """
    if getattr(os, "geteuid", lambda: -1)() != 0:  # not root (or Windows: no uids)
        yield None
        return
    import fcntl  # Linux and macOS; only root gets here

    _locks().mkdir(mode=0o700, exist_ok=True)
    for slot in range(UID_SLOTS):
        fd = os.open(_lock_file(slot), os.O_CREAT | os.O_RDWR, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue
        try:
            uid = UID_BASE + slot
            if os.pread(fd, len(CLEAN) + 1, 0) != CLEAN:
                kill_uid(uid)
            os.ftruncate(fd, 0)  # in use: should this holder crash, the next one looks
            yield uid
        finally:
            os.close(fd)
        return
    raise SandboxError(f"all {UID_SLOTS} student uids are in use: too many graders at once")


def leave_clean(uid: int) -> None:
    """Record that no process of ``uid`` (held here) is left: its next holder skips the search.

    Call it only when that is known: its kernel's pid namespace ended, or :func:`kill_uid`
    found none.
    """
    _lock_file(uid - UID_BASE).write_bytes(CLEAN)


def kill_uid(uid: int) -> bool:
    """SIGKILL every process whose real uid is ``uid``, until none is left (forks included).

    Returns whether none is left (False only after :data:`KILL_ROUNDS` rounds found some).
    """
    for _ in range(KILL_ROUNDS):
        found = [pid for pid, status in _processes() if _real_uid(status) == uid]
        if not found:
            return True
        kill_pids(found)
        time.sleep(0.01)
    return False


def process_tree(root: int) -> set[int]:
    """``root`` and all its descendants now."""
    children = _children_of()
    tree, todo = set(), [root]
    while todo:
        pid = todo.pop()
        if pid not in tree:
            tree.add(pid)
            todo.extend(children(pid))
    return tree


def _children_of() -> Callable[[int], list[int]]:
    """How to find a process's children (zombies included where Linux lists them).

    From the process's own ``children`` files where Linux has them (one a thread,
    ``CONFIG_PROC_CHILDREN``), else from one pass over every process's parent.
    """
    if _has_children_files():
        return _listed_children
    children: dict[int, list[int]] = {}
    for pid, status in _processes():
        ppid = _field(status, "PPid")
        if ppid is not None:
            children.setdefault(ppid, []).append(pid)
    return lambda pid: children.get(pid, [])


@functools.cache
def _has_children_files() -> bool:
    return Path(f"/proc/self/task/{os.getpid()}/children").exists()


def _listed_children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        threads = os.listdir(f"/proc/{pid}/task")
    except OSError:  # gone
        return found
    for tid in threads:
        try:
            with open(f"/proc/{pid}/task/{tid}/children", encoding="ascii") as f:
                found.extend(int(child) for child in f.read().split())
        except OSError:  # the thread or the process ended meanwhile
            continue
    return found


def kernel_process(launcher: int) -> int | None:
    """The student's kernel among ``launcher``'s descendants (the one nearest to it), if any.

    The kernel is the first process of the tree that runs ``python -m ipykernel_launcher``
    (prlimit, bubblewrap, setpriv and the shell that seeds the home carry it further along theirs).
    """
    children: dict[int, list[int]] = {}
    for pid, status in _processes():
        ppid = _field(status, "PPid")
        if ppid is not None:
            children.setdefault(ppid, []).append(pid)
    level = [launcher]
    while level:
        for pid in sorted(level):
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    argv = f.read().split(b"\0")
            except OSError:
                continue
            if b"ipykernel_launcher" in argv[1:4]:  # python [-s] -m ipykernel_launcher
                return pid
        level = [child for pid in level for child in children.get(pid, [])]
    return None


def host_pid(ns_pid: int, ancestor: int) -> int | None:
    """The host pid of the descendant of ``ancestor`` that is ``ns_pid`` in the namespace below.

    A warm kernel's init is known to the zygote by its pid in the zygote's namespace: its
    ``NSpid`` line lists it second (after the host's own).
    """
    children = _children_of()
    level, seen = [ancestor], {ancestor}
    while level:  # breadth first: the init comes before its kernel's tree
        for pid in level:
            try:
                with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as f:
                    ids = _field_text(f.read(), "NSpid").split()
            except OSError:
                continue
            if len(ids) >= 2 and ids[1] == str(ns_pid):
                return pid
        level = [c for pid in level for c in children(pid) if c not in seen]
        seen.update(level)
    return None


def kill_pids(pids: Iterable[int]) -> None:
    """SIGKILL ``pids`` (those still alive)."""
    for pid in pids:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)


def _processes() -> Iterator[tuple[int, str]]:
    """(pid, /proc/<pid>/status text) of every live, non-zombie process."""
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/status", encoding="ascii", errors="replace") as f:
                status = f.read()
        except OSError:
            continue
        state = _field_text(status, "State")
        if state.startswith(("Z", "X")):
            continue
        yield int(entry.name), status


def _real_uid(status: str) -> int | None:
    return _field(status, "Uid")


def _field(status: str, name: str) -> int | None:
    text = _field_text(status, name).split()
    return int(text[0]) if text and text[0].isdigit() else None


def _field_text(status: str, name: str) -> str:
    prefix = name + ":"
    for line in status.splitlines():
        if line.startswith(prefix):
            return line[len(prefix) :].strip()
    return ""
