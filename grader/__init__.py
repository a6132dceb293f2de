"""grader: grade Jupyter notebook exercises in sandboxed kernels against hidden pytest checks."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import Any

try:
    __version__ = version("grader")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

__all__ = ["Checker", "StudentError", "__version__"]


def __getattr__(name: str) -> Any:
    """``from grader import Checker`` without importing pytest and friends with the package."""
    if name == "Checker":
        from grader.student.checker import Checker

        return Checker
    if name == "StudentError":  # what a check expects when the student's code must raise
        from grader.checks.bridge import StudentError

        return StudentError
    raise AttributeError(f"module 'grader' has no attribute {name!r}")
