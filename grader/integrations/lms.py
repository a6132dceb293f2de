"""``grader collect``: an LMS's "download all submissions" zip turned into student folders.

Canvas names each file ``<lastnamefirstname>[_LATE]_<user id>_<submission id>_<file name>``,
its file name with ``-1``, ``-2``… before the extension when a student uploaded a file of the
same name again. Moodle puts each student's files in a folder
``<Full Name>_<participant id>_assignsubmission_file_`` (or, flat, prefixes each file name with
it). Each becomes ``<student>/<notebook>`` with a ``timestamp.txt`` (the zip entry's time), the
student's key taken from the roster by LMS id, else made from the LMS's name and id. Nothing is
dropped silently: unknown ids, older copies, files that are not notebooks and names that follow
neither LMS's convention are listed in the outcome.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from grader.config import Assignment
from grader.errors import ConfigError, SubmissionError
from grader.notebook import TEXT_SUFFIXES
from grader.submissions import safe_extract

CANVAS = re.compile(r"^(?P<name>[^_/]+?)(?P<late>_LATE)?_(?P<id>\d+)_\d+_(?P<file>.+)$")
MOODLE = re.compile(r"^(?P<name>.+?)_(?P<id>\d+)_assignsubmission_[a-z]+_?(?P<file>.*)$")
_AGAIN = re.compile(r"^(?P<stem>.+?)-(?P<n>\d+)(?P<suffix>\.[^.]+)$")
"""Canvas's name for a file uploaded again under the same name: ``hw-1.ipynb``."""


@dataclass(frozen=True)
class LmsFile:
    """One file of the download, read by its LMS's naming convention."""

    lms: str
    """``canvas`` or ``moodle``."""
    name: str
    """The student's name as the LMS wrote it."""
    lms_id: str
    file: str
    """The file's own name, as the student uploaded it (a re-upload's ``-N`` removed)."""
    again: int
    """Canvas's re-upload number (0: the first upload of that name)."""
    late: bool
    path: Path


@dataclass
class Collected:
    """What :func:`collect` made, and everything it did not take as it came."""

    students: dict[str, Path] = field(default_factory=dict)
    """Each student's folder, by key."""
    unknown: list[str] = field(default_factory=list)
    """LMS ids the roster does not know (their folder is named after the LMS's name and id)."""
    older: list[str] = field(default_factory=list)
    """Copies left out because the same student uploaded a newer one of that name."""
    not_notebooks: list[str] = field(default_factory=list)
    """Files kept in the student's folder that are not one of the assignment's notebooks."""
    unrecognised: list[str] = field(default_factory=list)
    """Entries that follow neither Canvas's nor Moodle's naming (not collected)."""
    late: list[str] = field(default_factory=list)
    """Students Canvas marked late."""


def collect(
    assignment: Assignment, download: Path, dest: Path, roster: Path | None = None
) -> Collected:
    """Unpack ``download`` into ``dest/<student>/`` folders that ``grader grade`` reads.

    Raises:
        SubmissionError: the zip cannot be read, or ``dest`` exists and is not empty.
        ConfigError: the roster cannot be read or lacks its columns.
    """
    if dest.exists() and any(dest.iterdir()):
        raise SubmissionError(f"{dest} is not empty: collect into a new folder")
    keys = read_lms_roster(roster) if roster is not None else None
    out = Collected()
    with tempfile.TemporaryDirectory(prefix="grader-collect-") as tmp:
        unpacked = Path(tmp)
        outside = safe_extract(download, unpacked)
        out.unrecognised += [f"{name} (points outside the zip)" for name in outside]
        files: dict[str, list[LmsFile]] = {}
        for path in sorted(p for p in unpacked.rglob("*") if p.is_file()):
            shown = path.relative_to(unpacked).as_posix()
            found = lms_file(path, unpacked)
            if found is None:
                if not any(part.startswith(".") or part == "__MACOSX" for part in path.parts):
                    out.unrecognised.append(shown)
                continue
            key = _key(found, keys, out)
            files.setdefault(key, []).append(found)
        for key, mine in sorted(files.items()):
            out.students[key] = _student_folder(assignment, dest / key, key, mine, out)
    return out


def lms_file(path: Path, root: Path) -> LmsFile | None:
    """The file at ``path`` (under ``root``) read by Canvas's or Moodle's naming, or None."""
    parent = path.parent.name if path.parent != root else ""
    if parent and (folder := MOODLE.match(parent)) and not folder["file"]:
        return LmsFile("moodle", folder["name"], folder["id"], path.name, 0, False, path)
    if (flat := MOODLE.match(path.name)) and flat["file"]:
        return LmsFile("moodle", flat["name"], flat["id"], flat["file"], 0, False, path)
    if canvas := CANVAS.match(path.name):
        file, again = canvas["file"], 0
        if (upload := _AGAIN.match(file)) is not None:
            file, again = upload["stem"] + upload["suffix"], int(upload["n"])
        return LmsFile("canvas", canvas["name"], canvas["id"], file, again, bool(canvas["late"]),
                       path)  # fmt: skip
    return None


def read_lms_roster(path: Path) -> dict[str, str]:
    """Student keys by LMS id, from a CSV with columns ``student`` and ``lms_id``.

    ``lms_id`` is the Canvas user id or the Moodle participant id ("Participant 123" as
    Moodle's grading worksheet writes it is read as 123).

    Raises:
        ConfigError: the file cannot be read, lacks a column, or repeats an id.
    """
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            rows = list(csv.DictReader(fh))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise ConfigError(f"cannot read the roster {path}: {exc}") from exc
    if not rows or not {"student", "lms_id"} <= set(rows[0]):
        raise ConfigError(f"the roster {path} needs the columns 'student' and 'lms_id'")
    keys: dict[str, str] = {}
    for number, row in enumerate(rows, 2):
        lms_id = (row.get("lms_id") or "").strip().removeprefix("Participant").strip()
        student = (row.get("student") or "").strip()
        if not student or student.startswith(".") or "/" in student or "\\" in student:
            raise ConfigError(f"the roster {path}, row {number}: {student!r} is not a student key")
        if lms_id in keys:
            raise ConfigError(f"the roster {path}, row {number}: lms_id {lms_id} appears twice")
        keys[lms_id] = student
    return keys


def _key(found: LmsFile, keys: dict[str, str] | None, out: Collected) -> str:
    if keys is not None and found.lms_id in keys:
        return keys[found.lms_id]
    made = re.sub(r"[^a-z0-9]+", "-", found.name.lower()).strip("-") or "student"
    key = f"{made}-{found.lms_id}"
    if keys is not None and f"{found.name} ({found.lms_id})" not in out.unknown:
        out.unknown.append(f"{found.name} ({found.lms_id})")
    return key


def _student_folder(
    assignment: Assignment, folder: Path, key: str, mine: list[LmsFile], out: Collected
) -> Path:
    """Copy a student's files in: the newest upload of each name, and its time."""
    newest: dict[str, LmsFile] = {}
    for found in sorted(mine, key=lambda f: f.again):
        if found.file in newest:
            out.older.append(f"{key}: {newest[found.file].path.name}")
        newest[found.file] = found
    notebooks = {*assignment.notebooks}
    notebooks |= {Path(n).with_suffix(s).name for n in assignment.notebooks for s in TEXT_SUFFIXES}
    folder.mkdir(parents=True)
    for name, found in newest.items():
        shutil.copy2(found.path, folder / name)
        if name not in notebooks:
            out.not_notebooks.append(f"{key}/{name}")
    if any(f.late for f in mine):
        out.late.append(key)
    when = max(f.path.stat().st_mtime for f in newest.values())
    stamp = dt.datetime.fromtimestamp(when, dt.UTC).isoformat(timespec="seconds")
    (folder / "timestamp.txt").write_text(stamp + "\n", encoding="utf-8")
    return folder
