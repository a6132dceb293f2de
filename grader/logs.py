"""The grader's one logging channel: the ``grader`` logger, to stderr, one line a message.

Modules log to ``logging.getLogger(__name__)`` (children of ``grader``). The command line sets
the level once (:func:`to_stderr`): warnings always, ``-v`` adds what the grader is doing,
``--debug`` everything. Its libraries' own logging is not shown.
"""

from __future__ import annotations

import logging
import os
import warnings

LOGGER = "grader"
STRICT_WARNINGS = "GRADER_WARNINGS"
"""Set to ``error`` (the test suite does), warnings raised in the grader's own process are
errors, but for the third-party ones :data:`TOLERATED` names, as pytest treats them in-process."""
TOLERATED = (
    # (message regex, category, module regex): what pyproject.toml's filterwarnings ignores.
    ("", DeprecationWarning, r"jupyter_client\."),
    ("", DeprecationWarning, r"zmq\."),
    ("Jupyter is migrating its paths", DeprecationWarning, ""),
)


class _Prefixed(logging.Formatter):
    """``grader: warning: …`` for warnings and errors, ``grader: …`` for the rest."""

    def format(self, record: logging.LogRecord) -> str:
        message = " ".join(record.getMessage().split("\n"))
        if record.levelno >= logging.WARNING:
            return f"grader: {record.levelname.lower()}: {message}"
        return f"grader: {message}"


def warnings_policy() -> None:
    """Make warnings errors in this process when :data:`STRICT_WARNINGS` says ``error``.

    Only the command's own process: check workers, kernels and the zygote keep Python's
    defaults (a warning a check's own computation raises must not fail it).
    """
    if os.environ.get(STRICT_WARNINGS) != "error":
        return
    warnings.simplefilter("error")
    for message, category, module in TOLERATED:
        warnings.filterwarnings("ignore", message, category, module)


def to_stderr(verbosity: int = 0) -> None:
    """Send the grader's messages to stderr: 0 warnings, 1 (``-v``) info, 2 (``--debug``) all."""
    logger = logging.getLogger(LOGGER)
    logger.setLevel({0: logging.WARNING, 1: logging.INFO}.get(verbosity, logging.DEBUG))
    if not any(getattr(h, "_grader", False) for h in logger.handlers):
        handler = logging.StreamHandler()
        handler.setFormatter(_Prefixed())
        handler._grader = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
    logger.propagate = False
