"""Imported by the check workers' fork server only (its last preload): the batch's check files.

See :mod:`grader.checks.precollect` (the files imported) and :mod:`grader.checks.prepared`
(pytest configured for them and their checks collected). The grader names the folders in
the fork server's environment while it starts it; the variable is removed here, so no
worker inherits it, and the import path set for the fork server's own start is put back as
the grader had it (a check's environment, and what a check starts, are the grader's).

The fork server also ends without tearing down what it imported: when the grader exits, the
fork server (which shares its stdout and stderr) used to spend 0.4 s unloading numpy, pandas,
scikit-learn and pytest, and whoever read the grader's output waited for it.
"""

import atexit
import importlib
import json
import multiprocessing.forkserver
import os
import sys

from grader.checks.plugin import configure_worker_process
from grader.checks.precollect import COMMON_IMPORTS, ENV, RESTORE, preload, quiet
from grader.checks.prepared import prepare


def in_fork_server() -> bool:
    """Whether multiprocessing's fork server is importing this module (as its preload)."""
    frame = sys._getframe()
    while frame is not None:
        if frame.f_code is multiprocessing.forkserver.main.__code__:
            return True
        frame = frame.f_back  # type: ignore[assignment]
    return False


def _exit_now() -> None:
    """The fork server's last exit handler: flush, then leave at once.

    Nothing of the fork server's needs the interpreter's teardown; its workers have their own
    exit (multiprocessing's ``os._exit``).
    """
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError, AttributeError):
            pass
    os._exit(0)


def _restore_environment(saved: str) -> None:
    """Put back the grader's values of what was set only for the fork server's start."""
    for name, value in (json.loads(saved) if saved else {}).items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


def _import_common() -> None:
    """What checks commonly import, for a fork server that knows no check files."""
    for name in COMMON_IMPORTS:
        try:
            importlib.import_module(name)
        except ImportError:
            continue


_restore_environment(os.environ.pop(RESTORE, ""))
_folders = preload(os.environ.pop(ENV, ""))
if _folders:
    configure_worker_process()  # as in each worker: no third-party plugins, no bytecode
    with quiet():
        prepare(_folders)
else:
    _import_common()
if in_fork_server():
    atexit.register(_exit_now)
