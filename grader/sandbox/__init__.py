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

from grader.sandbox.bwrap import Isolation, bwrap_problem, choose_isolation
from grader.sandbox.provisioner import SandboxConfig, SandboxProvisioner

__all__ = [
    "Isolation",
    "SandboxConfig",
    "SandboxProvisioner",
    "bwrap_problem",
    "choose_isolation",
]
