"""An assignment's check files imported once per batch, in the check workers' fork server.

pytest (``--import-mode=importlib``) imports a check file as a module named after its path
below the root folder (``public.test_q1``) and, when ``sys.modules`` already holds that name,
uses that module instead of importing the file again. The fork server imports the batch's check
files (and what they import: ``sklearn.datasets``...) that way, once, before any worker is
forked; each worker, a fresh fork, then collects them without running their code again, and
still has its own copy of their module state (nothing a student's checks change reaches the
fork server or another worker).

What the fork server imported is used only when it is still what pytest would import: the
same root folder, and every file unchanged since (its SHA-256). Otherwise a worker drops all of
it first and pytest imports the files itself, as it did before this module existed. A check
file that fails to import here (a broken file, a module-level skip) is left to pytest too, so
its error or skip is reported exactly as before.

The files are the instructor's (trusted); nothing here depends on a student. They are imported
as pytest would in a worker: with numpy's and pandas' testing functions made readable
(:func:`grader.checks.explain.readable_assertions`: a file's ``from numpy.testing import
assert_allclose`` gets the same function), no bytecode written, warnings and output discarded.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path

ENV = "GRADER_PRECOLLECT"
"""How the grader tells its fork server which check folders to import (set while it starts)."""
COMMON_IMPORTS = (
    "scipy", "scipy.stats", "sklearn", "sklearn.base", "sklearn.metrics",
    "sklearn.model_selection", "sklearn.linear_model", "sklearn.preprocessing",
    "sklearn.pipeline",
)  # fmt: skip
"""What checks commonly import (about 0.7 s), imported by a fork server whose batch named no
check files (a cluster worker's: its batches come and go); one that imports a batch's files
imports what they import instead (a check process importing scipy.stats itself pays 0.5 s)."""
RESTORE = "GRADER_FORK_SERVER_RESTORE"
"""The grader's own values (JSON; ``null``: unset) of the variables it set only for its fork
server's start (its import path): the fork server puts them back, so no worker inherits them."""

_root = ""
"""The root folder of what the fork server imported (pytest's ``--rootdir``)."""
_files: dict[str, str] = {}
"""Each file imported (absolute path) and its SHA-256 when it was read."""
_modules: list[str] = []
"""The ``sys.modules`` names the imports added below the root (dropped if stale)."""


def check_root(folders: Sequence[str]) -> str:
    """The root folder pytest runs a job's checks from: the first check folder's parent."""
    return os.path.abspath(Path(folders[0]).parent)


def describe(folders: Sequence[str]) -> str:
    """The :data:`ENV` value that makes the fork server import these check folders."""
    return json.dumps([os.path.abspath(f) for f in folders])


def check_files(folder: str) -> list[str]:
    """The files of ``folder`` pytest imports first: its conftest, then its check files."""
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return []
    tests = [
        n for n in names if n.endswith(".py") and (n.startswith("test_") or n.endswith("_test.py"))
    ]
    first = ["conftest.py"] if "conftest.py" in names else []
    return [os.path.join(folder, n) for n in first + tests]


def preload(described: str) -> list[str]:
    """In the fork server: import the check folders :func:`describe` named (no error escapes).

    Returns those folders (those that exist).
    """
    try:
        folders = [f for f in json.loads(described) if os.path.isdir(f)]
    except (ValueError, TypeError):
        return []
    if not folders:
        return []
    from _pytest.pathlib import import_path, module_name_from_path

    from grader.checks.explain import readable_assertions

    global _root
    _root = check_root(folders)
    root = Path(_root)
    # pytest imports the root's conftest (its --confcutdir) before the folders' files.
    paths = [p for p in [os.path.join(_root, "conftest.py")] if os.path.isfile(p)]
    paths += [p for f in folders for p in check_files(f)]
    names: set[str] = set()  # pytest's names for the files, and for its intermediate modules
    for path in paths:
        parts = module_name_from_path(Path(path), root).split(".")
        names.update(".".join(parts[: i + 1]) for i in range(len(parts)))
    before = set(sys.modules)
    with quiet(), readable_assertions():
        for path in paths:
            sha = digest(path)
            start = set(sys.modules)
            try:
                import_path(path, mode="importlib", root=root, consider_namespace_packages=False)
            except BaseException:
                for name in set(sys.modules) - start:  # a half-run module is not reused
                    if _ours(name, names):
                        del sys.modules[name]
                continue
            _files[path] = sha
    _modules.extend(n for n in set(sys.modules) - before if _ours(n, names))
    return folders


def python_files(folders: Sequence[str]) -> dict[str, str]:
    """The Python files below ``folders`` and the root's conftest, each with its SHA-256.

    What pytest reads for them (a superset of what :func:`preload` imports): read once in a
    worker, to tell whether what the fork server imported and prepared is still current.
    """
    if not folders:
        return {}
    root = check_root(folders)
    paths = [os.path.join(root, "conftest.py")]
    for folder in folders:
        for where, dirs, names in os.walk(folder):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            paths += [os.path.join(where, n) for n in sorted(names) if n.endswith(".py")]
    return {p: digest(p) for p in paths if os.path.isfile(p)}


def keep_if_current(folders: Sequence[str], files: dict[str, str]) -> bool:
    """In a worker, before pytest: keep what the fork server imported if it is still current.

    ``folders``: the job's check folders (absolute); ``files``: their :func:`python_files`
    now. Current: the same root folder as this job's, and every file imported unchanged.
    Otherwise every module it imported below the root leaves ``sys.modules`` (pytest imports
    the files itself). Returns whether they were kept.
    """
    if not _modules:
        return False
    current = bool(folders) and check_root(folders) == _root
    current = current and all(files.get(path) == sha for path, sha in _files.items())
    if not current:
        for name in _modules:
            sys.modules.pop(name, None)
        _modules.clear()
        _files.clear()
    return current


def _ours(name: str, names: set[str]) -> bool:
    """Whether module ``name`` is one of the check files', not a library's.

    A check file's own, pytest's intermediate one (``public`` of ``public.test_q1``) or one of
    a file below the root (a helper a check file imported).
    """
    if name in names:
        return True
    file = getattr(sys.modules.get(name), "__file__", None)
    return isinstance(file, str) and os.path.abspath(file).startswith(_root + os.sep)


def digest(path: str) -> str:
    """A file's SHA-256 (hex), or "" if it cannot be read."""
    try:
        with open(path, "rb") as handle:
            return hashlib.sha256(handle.read()).hexdigest()
    except OSError:
        return ""


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """No bytecode files, warnings or output (the fork server's stdout is the grader's)."""
    saved_fds = [os.dup(1), os.dup(2)]
    devnull = os.open(os.devnull, os.O_WRONLY)
    bytecode = sys.dont_write_bytecode
    sys.dont_write_bytecode = True
    try:
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(saved_fds[0], 1)
        os.dup2(saved_fds[1], 2)
        for fd in (*saved_fds, devnull):
            os.close(fd)
        sys.dont_write_bytecode = bytecode
