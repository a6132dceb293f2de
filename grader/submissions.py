"""Finding submissions: notebooks, folders of students, zips, and when each was handed in."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import shutil
import struct
import tempfile
import zipfile
import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from grader.config import Assignment
from grader.errors import SubmissionError
from grader.late import read_timestamp
from grader.notebook import TEXT_SUFFIXES


@dataclass(frozen=True)
class Submission:
    """One student's notebook, or notebooks (a multi-notebook assignment)."""

    student: str
    path: Path
    """The notebook; in a multi-notebook assignment the first one the student handed in."""
    submitted_at: dt.datetime | None = None
    """When it was handed in (see :mod:`grader.late`); None: unknown, counts as on time."""
    notes: tuple[str, ...] = ()
    """Remarks from finding it (e.g. an unreadable timestamp.txt), added to its result."""
    problem: str = ""
    """Why it cannot be graded at all, found before grading (e.g. its folder holds no notebook)."""
    notebooks: tuple[Path, ...] = ()
    """In a multi-notebook assignment: where each of its notebooks is, in the assignment's
    order (a path that does not exist: that notebook was not handed in)."""
    variant_seed: int | None = None
    """The seed of the student's data variant, when it was derived elsewhere from the course
    secret (a cluster worker grades without the secret); None: derived when graded."""

    @property
    def files(self) -> tuple[Path, ...]:
        """Every notebook file it holds (what its grading key hashes)."""
        return tuple(p for p in self.notebooks if p.is_file()) or (self.path,)


@contextmanager
def find_submissions(
    assignment: Assignment, paths: Sequence[Path], submitted_at: dt.datetime | None = None
) -> Iterator[list[Submission]]:
    """The submissions at ``paths``: notebooks, folders of students, or zip files.

    In a folder, a student is a sub-folder (its notebook is the one named in assignment.toml,
    or its only ``.ipynb``) or a ``<student>.ipynb`` file. A sub-folder without such a notebook
    is still a student's: a submission whose :attr:`~grader.grade.Submission.problem` says
    what the folder holds instead. Hidden (dot) files and folders are nobody's. A notebook
    given by itself is its stem's, or its folder's when it has the assignment's notebook name.

    A submission's time is ``submitted_at`` when given; else the ``timestamp.txt`` in its
    student's folder (or beside a notebook given by itself); else, from a zip, the time of
    the notebook's entry; else unknown.

    Raises:
        SubmissionError: a path does not exist or holds no submission.
    """
    found: list[Submission] = []
    with tempfile.TemporaryDirectory(prefix="grader-zip-") as tmp:
        for path in paths:
            if not path.exists():
                raise SubmissionError(f"no such file or folder: {path}")
            if path.is_file() and path.suffix == ".zip":
                found += _from_zip(assignment, path, Path(tmp) / str(len(found)))
            elif path.is_file() and assignment.multi_notebook:  # one of a student's notebooks
                found.append(_student_folder(assignment, path.resolve().parent, False))
            elif path.is_file():
                student = _student_of_file(assignment, path)
                found.append(_timed(Submission(student, path), path.parent))
            elif _one_student(assignment, path):
                found.append(_student_folder(assignment, path.resolve(), False))
            else:
                found += _from_folder(assignment, path, Path(tmp) / f"in-{len(found)}")
        if not found:
            raise SubmissionError("no submissions found in " + ", ".join(map(str, paths)))
        if submitted_at is not None:
            found = [dataclasses.replace(s, submitted_at=submitted_at, notes=()) for s in found]
        yield found


def _from_zip(assignment: Assignment, path: Path, under: Path) -> list[Submission]:
    """The students in a zip: one (``<student>.zip`` holding the notebook) or a folder's worth.

    Unpacked in a folder of its own under ``under`` (two zips may share a name).
    """
    dest = under / path.stem
    outside = safe_extract(path, dest)
    if _holds_notebooks(assignment, dest):  # one student's zip: <student>.zip
        unpacked = [_student_folder(assignment, dest, from_zip=True)]
    else:
        unpacked = _from_folder(assignment, dest, None, from_zip=True)
    if outside:
        note = (f"{path.name} held entries that point outside it, not unpacked: "
                + ", ".join(outside[:LISTED]))  # fmt: skip
        unpacked = [dataclasses.replace(s, notes=(*s.notes, note)) for s in unpacked]
    return unpacked


def _timed(sub: Submission, folder: Path | None, from_zip: bool = False) -> Submission:
    """``sub`` with its time from ``folder/timestamp.txt``, else (``from_zip``) the file's."""
    when, problem = read_timestamp(folder) if folder is not None else (None, "")
    if when is None and from_zip and not problem:  # an unreadable timestamp.txt: on time, as said
        try:
            when = dt.datetime.fromtimestamp(sub.path.stat().st_mtime, dt.UTC)
        except OSError:
            when = None
    notes = (f"{problem}: graded as on time",) if problem else ()
    return dataclasses.replace(sub, submitted_at=when, notes=notes)


def _one_student(assignment: Assignment, folder: Path) -> bool:
    """Whether a folder given by itself is one student's (named after the folder).

    It is when it holds the assignment's notebook (any of them, for a multi-notebook one), as
    ``ada/<notebook>`` given by itself is ada's; or nbgrader's ``<assignment>/`` folder holding
    one.
    """
    inner = folder / assignment.name
    nbgrader = inner.is_dir() and _holds_notebooks(assignment, inner)
    return nbgrader or _holds_notebooks(assignment, folder)


def _holds_notebooks(assignment: Assignment, folder: Path) -> bool:
    """Whether ``folder`` itself holds one of the assignment's notebooks (one student's)."""
    return any(notebook_in(folder, name).is_file() for name in assignment.notebooks)


def notebook_in(folder: Path, name: str) -> Path:
    """``folder/name``, or the text file standing for it there when only that is there.

    ``<stem>.py``, ``.md`` or ``.qmd``, read by :func:`grader.notebook.read_submission`.
    """
    path = folder / name
    if path.is_file():
        return path
    for suffix in TEXT_SUFFIXES:
        if (other := path.with_suffix(suffix)).is_file():
            return other
    return path


def _student_of_file(assignment: Assignment, path: Path) -> str:
    """``ada.ipynb`` is ada's; ``ada/<the assignment's notebook>.ipynb`` is ada's too."""
    if path.stem == Path(assignment.notebook).stem and path.resolve().parent.name:
        return path.resolve().parent.name
    return path.stem


NOT_STUDENTS = frozenset({"__MACOSX", "__pycache__"})
"""Folders an archiver or Python leaves beside the students' that are nobody's submission."""
LISTED = 8
"""Names a not-gradable folder's reason lists before "and N more"."""


def _from_folder(
    assignment: Assignment, folder: Path, unzip_to: Path | None, from_zip: bool = False
) -> list[Submission]:
    """The students in ``folder``: its notebooks, its zips and each sub-folder, gradable or not.

    A zip in the folder (``<student>.zip``) is unpacked under ``unzip_to`` (None: not in a zip).
    """
    out: list[Submission] = []
    for entry in _visible(folder):
        if entry.is_file() and entry.suffix == ".zip" and unzip_to is not None:
            out += _from_zip(assignment, entry, unzip_to / str(len(out)))
        elif entry.is_file() and entry.suffix == ".ipynb" and not assignment.multi_notebook:
            # Students share this folder: a timestamp.txt in it is nobody's in particular.
            out.append(_timed(Submission(entry.stem, entry), None, from_zip))
        elif entry.is_dir() and entry.name not in NOT_STUDENTS:
            out.append(_student_folder(assignment, entry, from_zip))
    return out


def _student_folder(assignment: Assignment, folder: Path, from_zip: bool) -> Submission:
    """One student's folder: the notebook it holds, or why it cannot be graded.

    nbgrader's ``<student>/<assignment>/`` is read as the student's folder too.
    """
    inner = folder / assignment.name
    home = inner if not _holds_notebooks(assignment, folder) and inner.is_dir() else folder
    if assignment.multi_notebook:
        return _several_notebooks(assignment, folder.name, home, from_zip)
    named = notebook_in(home, assignment.notebook)
    notebooks = [p for p in _visible(home) if p.suffix == ".ipynb" and p.is_file()]
    if named.is_file():
        return _timed(Submission(folder.name, named), home, from_zip)
    if len(notebooks) == 1:
        return _timed(Submission(folder.name, notebooks[0]), home, from_zip)
    if notebooks:
        problem = f"several notebooks and none named {assignment.notebook}: "
        problem += _listing(notebooks)
    elif found := _visible(home):
        problem = f"no notebook named {assignment.notebook}; found: {_listing(found)}"
    else:
        problem = "the folder is empty"
    return _timed(Submission(folder.name, named, problem=problem), home, from_zip)


def _visible(folder: Path) -> list[Path]:
    """What ``folder`` holds, by name, without hidden (dot) files."""
    return sorted(p for p in folder.iterdir() if not p.name.startswith("."))


def _several_notebooks(
    assignment: Assignment, student: str, home: Path, from_zip: bool
) -> Submission:
    """A student's folder in a multi-notebook assignment: each notebook where it should be."""
    paths = tuple(notebook_in(home, name) for name in assignment.notebooks)
    handed_in = [p for p in paths if p.is_file()]
    problem = ""
    if not handed_in:
        wanted = ", ".join(assignment.notebooks)
        found = _visible(home)
        problem = f"none of {wanted}; found: {_listing(found)}" if found else "the folder is empty"
    sub = Submission(student, handed_in[0] if handed_in else paths[0], problem=problem,
                     notebooks=paths)  # fmt: skip
    return _timed(sub, home, from_zip)


def _listing(paths: Sequence[Path]) -> str:
    names = [p.name + ("/" if p.is_dir() else "") for p in paths]
    more = len(names) - LISTED
    return ", ".join(names[:LISTED]) + (f" and {more} more" if more > 0 else "")


MAX_UNPACKED = 1 << 30
"""Bytes a zip of submissions may unpack to, as its entries declare (checked before unpacking;
an entry that inflates past its declared size is cut there by :mod:`zipfile`)."""


def safe_extract(archive: Path, dest: Path) -> list[str]:
    """Unpack ``archive`` into ``dest``; the names of the entries skipped for pointing outside.

    Raises:
        SubmissionError: not a zip, unpacks to more than :data:`MAX_UNPACKED`, or unwritable.
    """
    try:
        with zipfile.ZipFile(archive) as zf:
            declared = sum(info.file_size for info in zf.infolist())
            if declared > MAX_UNPACKED:
                raise SubmissionError(
                    f"{archive}: unpacks to {declared >> 20} MiB, more than the "
                    f"{MAX_UNPACKED >> 20} MiB a zip of submissions may hold"
                )
            outside = []
            for info in zf.infolist():
                target = (dest / info.filename).resolve()
                if not target.is_relative_to(dest.resolve()):
                    outside.append(info.filename)
                    continue
                if info.is_dir():
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                with zf.open(info) as src, target.open("wb") as out:
                    shutil.copyfileobj(src, out, length=1 << 20)
                when = _entry_time(info).timestamp()
                os.utime(target, (when, when))
            return outside
    except (zipfile.BadZipFile, NotImplementedError, EOFError, zlib.error) as exc:
        raise SubmissionError(f"{archive}: not a valid zip file ({exc})") from exc
    except OSError as exc:
        raise SubmissionError(f"cannot unpack {archive}: {exc.strerror or exc}") from exc


def _entry_time(info: zipfile.ZipInfo) -> dt.datetime:
    """When a zip entry was last modified.

    Its UTC "extended timestamp" when it has one, else its DOS date and time (which carry no
    zone), read as UTC.
    """
    extra = info.extra
    while len(extra) >= 4:
        tag, size = struct.unpack("<HH", extra[:4])
        body = extra[4 : 4 + size]
        if tag == 0x5455 and len(body) >= 5 and body[0] & 1:  # "UT", mtime present
            return dt.datetime.fromtimestamp(struct.unpack("<i", body[1:5])[0], dt.UTC)
        extra = extra[4 + size :]
    try:
        return dt.datetime(*info.date_time, tzinfo=dt.UTC)
    except ValueError:  # a malformed date: keep "now" rather than fail the batch
        return dt.datetime.now(dt.UTC)
