"""What identifies one graded version of a submission: its notebooks' content and its key.

A submission's *grading key* hashes the notebook's bytes, the assignment's checks, data and
settings, and the grader's version: while none of them changes, the gradebook's stored result
stands and the submission is not graded again. The rubrics of manual questions are not part
of it (they change no autograded result): editing one re-scores the stored grades at once
instead of running every notebook again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from grader import __version__
from grader.config import CONFIG_FILE, Assignment
from grader.variants import secret_digest


@dataclass(frozen=True)
class Stamp:
    """What identifies one graded version of a submission."""

    content_hash: str
    grading_key: str
    submitted_at: str | None
    files: tuple[str, ...] = ()
    """Where its notebooks were (absolute paths), to read manual answers from later."""


def file_hash(path: Path) -> str:
    """SHA-256 of a file's bytes ("" when it cannot be read: the grader will say why)."""
    digest = hashlib.sha256()
    try:
        with path.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return ""
    return digest.hexdigest()


def assignment_hash(assignment: Assignment) -> str:
    """SHA-256 over the assignment's settings, checks and released data."""
    digest = hashlib.sha256(__version__.encode())
    digest.update(secret_digest(assignment).encode())  # a new course secret: new variants
    for path in assignment.files("graded"):
        digest.update(str(path.relative_to(assignment.root)).encode() + b"\0")
        is_settings = path.name == CONFIG_FILE and path.parent == assignment.root
        digest.update((settings_hash(path) if is_settings else file_hash(path)).encode())
    return digest.hexdigest()


def settings_hash(path: Path) -> str:
    """SHA-256 of what assignment.toml says, less the manual questions' rubrics.

    Comments and layout do not count either; a file that does not parse counts by its bytes.
    """
    try:
        settings = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return file_hash(path)
    for question in settings.get("questions", {}).values():
        if isinstance(question, dict):
            question.pop("rubric", None)
    return hashlib.sha256(json.dumps(settings, sort_keys=True, default=str).encode()).hexdigest()


def stamp(
    notebooks: Path | Sequence[Path],
    assignment_digest: str,
    submitted_at: dt.datetime | None = None,
    time_in_key: bool = False,
) -> Stamp:
    """The stamp of a submission's notebooks for an assignment whose hash is given.

    ``submitted_at`` (else the first notebook's modification time) is recorded as the submission
    time. With ``time_in_key`` (when a late policy makes the time matter) a known time is part
    of the grading key, so the same notebook handed in again later is graded again and gets
    its new penalty.
    """
    files = [notebooks] if isinstance(notebooks, Path) else list(notebooks)
    content = file_hash(files[0])
    if len(files) > 1:  # several notebooks: one hash over each one's name and content
        joined = "".join(f"{p.name}:{file_hash(p)};" for p in files)
        content = hashlib.sha256(joined.encode()).hexdigest()
    notebook = files[0]
    keyed = f"{content}:{assignment_digest}"
    if time_in_key and submitted_at is not None:
        keyed += ":" + submitted_at.astimezone(dt.UTC).isoformat()
    key = hashlib.sha256(keyed.encode()).hexdigest()
    try:
        when = submitted_at or dt.datetime.fromtimestamp(notebook.stat().st_mtime, dt.UTC)
        submitted: str | None = when.astimezone(dt.UTC).isoformat(timespec="seconds")
    except OSError:
        submitted = None
    return Stamp(content, key, submitted, tuple(str(p.absolute()) for p in files))
