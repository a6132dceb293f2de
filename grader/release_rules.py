"""What an assignment may release to students: one rule, checked when an assignment loads.

``grader release`` and ``grader grade`` (which copies the released files into every
submission's working folder) both go by it, so hidden checks, hidden data, the solution
notebooks and ``assignment.toml`` can never reach a student.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from grader.errors import AssignmentError

CONFIG_FILE = "assignment.toml"


def default_release(root: Path) -> list[str]:
    """What is released when ``assignment.toml`` has no ``release``: ``data/`` if it exists."""
    return ["data/"] if (root / "data").is_dir() else []


def release_source(root: Path, entry: str, notebooks: str | Sequence[str]) -> Path:
    """The resolved path a ``release`` entry names, after checking it may be released.

    An entry must be a relative path that stays inside ``root`` (symbolic links resolved, also
    those inside a released folder), must not be ``root`` itself, and must neither be nor hold
    the hidden checks, a solution notebook (``notebooks``) or ``assignment.toml``. It need not
    exist.

    Raises:
        AssignmentError: it breaks one of these rules (the message names it and the file).
    """
    where = f"{root / CONFIG_FILE}: release entry '{entry}'"
    if not entry.strip() or Path(entry).is_absolute():
        raise AssignmentError(f"{where} must be a relative path inside {root}")
    src = (root / entry).resolve()
    names = [notebooks] if isinstance(notebooks, str) else list(notebooks)
    problem = _release_problem(root, src, names)
    if not problem and src.is_dir():
        for folder, dirs, files in os.walk(src):
            for name in dirs + files:
                link = Path(folder) / name
                if link.is_symlink() and (problem := _release_problem(root, link.resolve(), names)):
                    problem = f"holds the link {link.relative_to(root)}, which {problem}"
                    break
            if problem:
                break
    if problem:
        raise AssignmentError(f"{where} {problem}")
    return src


def _release_problem(root: Path, src: Path, notebooks: list[str]) -> str:
    """Why the resolved path ``src`` may not be released from ``root`` ("" when it may)."""
    top = root.resolve()
    if not src.is_relative_to(top):
        return f"leads outside {root}"
    if src == top:
        return "would release the whole assignment"
    secrets = [("the hidden checks", (root / "tests" / "hidden").resolve())]
    secrets += [("the solution notebook", (root / name).resolve()) for name in notebooks]
    secrets.append((CONFIG_FILE, (root / CONFIG_FILE).resolve()))
    for what, secret in secrets:
        if src.is_relative_to(secret) or secret.is_relative_to(src):
            return f"would release {what}"
    return ""
