"""Start a kernel under resource limits where ``prlimit`` (and ``setpriv``) are not at hand.

Run as a script (``python launch.py LIMITS_JSON UID -- COMMAND…``) before the kernel, on any
platform: it sets each limit the platform's ``resource`` module offers (none on Windows; a limit
the system refuses is left as it is), drops to UID when one is given (root on Linux without
``setpriv``), and replaces itself with COMMAND. Standard library only; imports nothing of the
grader (it runs outside the grader's process).
"""

from __future__ import annotations

import json
import os
import sys

try:
    import resource
except ImportError:  # Windows: time limits still hold, from the grader's side
    resource = None  # type: ignore[assignment]

_NAMES = {
    "as": "RLIMIT_AS",
    "cpu": "RLIMIT_CPU",
    "nproc": "RLIMIT_NPROC",
    "fsize": "RLIMIT_FSIZE",
    "nofile": "RLIMIT_NOFILE",
    "core": "RLIMIT_CORE",
}


def set_limits(limits: dict[str, int]) -> list[str]:
    """Set what the platform allows; the names of the limits that could not be set."""
    missed = []
    for name, value in limits.items():
        which = getattr(resource, _NAMES[name], None) if resource is not None else None
        if which is None:
            missed.append(name)
            continue
        try:
            resource.setrlimit(which, (value, value))
        except (ValueError, OSError):
            missed.append(name)  # e.g. macOS refuses RLIMIT_AS below the current use
    return missed


def drop_to(uid: int) -> None:
    """Become ``uid`` (and its group), with no supplementary groups: for good."""
    os.setgroups([])
    os.setgid(uid)
    os.setuid(uid)
    if os.getuid() != uid or os.geteuid() != uid:
        raise PermissionError(f"could not drop to uid {uid}")


def main(argv: list[str]) -> None:
    """``LIMITS_JSON UID -- COMMAND…``: limit, drop, run."""
    if len(argv) < 4 or argv[2] != "--":
        raise SystemExit("usage: launch.py LIMITS_JSON UID -- COMMAND...")
    limits, uid, _, *command = argv
    set_limits(json.loads(limits))
    if uid:
        drop_to(int(uid))
    os.execvp(command[0], command)  # noqa: S606 -- the kernel's own command line


if __name__ == "__main__":
    main(sys.argv[1:])
