"""Finding submissions and grading many of them concurrently."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from grader.cluster import grade_on_cluster
from grader.config import Assignment
from grader.errors import SubmissionError
from grader.grade import GradeOptions, Submission, grade_submission_async
from grader.gradebook import Gradebook, Stamp, assignment_hash, stamp
from grader.models import SubmissionResult
from grader.workers import warm_up


@contextmanager
def find_submissions(assignment: Assignment, paths: Sequence[Path]) -> Iterator[list[Submission]]:
    """The submissions at ``paths``: notebooks, folders of students, or zip files.

    In a folder, a student is a sub-folder (its notebook is the one named in assignment.toml,
    or its only ``.ipynb``) or a ``<student>.ipynb`` file. A notebook given by itself is its
    stem's, or its folder's when it has the assignment's notebook name.

    Raises:
        SubmissionError: a path does not exist or holds no submission.
    """
    found: list[Submission] = []
    with tempfile.TemporaryDirectory(prefix="grader-zip-") as tmp:
        for path in paths:
            if not path.exists():
                raise SubmissionError(f"no such file or folder: {path}")
            if path.is_file() and path.suffix == ".zip":
                dest = Path(tmp) / path.stem
                _safe_extract(path, dest)
                found += _from_folder(assignment, dest)
            elif path.is_file():
                found.append(Submission(student=_student_of_file(assignment, path), path=path))
            else:
                found += _from_folder(assignment, path)
        if not found:
            raise SubmissionError("no submissions found in " + ", ".join(map(str, paths)))
        yield found


def _student_of_file(assignment: Assignment, path: Path) -> str:
    """``ada.ipynb`` is ada's; ``ada/<the assignment's notebook>.ipynb`` is ada's too."""
    if path.name == assignment.notebook and path.resolve().parent.name:
        return path.resolve().parent.name
    return path.stem


def _from_folder(assignment: Assignment, folder: Path) -> list[Submission]:
    out = []
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith("."):
            continue
        if entry.is_file() and entry.suffix == ".ipynb":
            out.append(Submission(entry.stem, entry))
        elif entry.is_dir():
            named = entry / assignment.notebook
            notebooks = sorted(p for p in entry.glob("*.ipynb") if not p.name.startswith("."))
            if named.is_file():
                out.append(Submission(entry.name, named))
            elif len(notebooks) == 1:
                out.append(Submission(entry.name, notebooks[0]))
            elif notebooks:
                # Several candidates and none with the expected name: record as ungradable.
                out.append(Submission(entry.name, named))
    return out


def _safe_extract(archive: Path, dest: Path) -> None:
    try:
        with zipfile.ZipFile(archive) as zf:
            for info in zf.infolist():
                target = (dest / info.filename).resolve()
                if not target.is_relative_to(dest.resolve()) or info.is_dir():
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                with zf.open(info) as src, target.open("wb") as out:
                    shutil.copyfileobj(src, out, length=1 << 20)
    except zipfile.BadZipFile as exc:
        raise SubmissionError(f"{archive}: not a valid zip file ({exc})") from exc


def grade_cohort(
    assignment: Assignment,
    submissions: Sequence[Submission],
    options: GradeOptions,
    jobs: int,
    gradebook: Gradebook,
    on_result: Callable[[SubmissionResult, bool], None],
    force: bool = False,
    scheduler: str | None = None,
) -> list[SubmissionResult]:
    """Grade what the gradebook lacks, record each result as it finishes; all results.

    A submission whose notebook, checks and grader are unchanged since it was graded keeps its
    stored result (``on_result(result, True)``) unless ``force``. Grading runs here, ``jobs``
    at a time, or on the Dask cluster at ``scheduler`` (``"local"``: a cluster of ``jobs``
    workers on this machine). Results come in the order they were finished, stored ones first.
    """
    digest = assignment_hash(assignment)
    done: list[SubmissionResult] = []
    todo: list[tuple[Submission, Stamp]] = []
    for sub in submissions:
        version = stamp(sub.path, digest)
        key = version.grading_key
        stored = None if force else gradebook.stored(assignment.name, sub.student, key)
        if stored is None:
            todo.append((sub, version))
        else:
            done.append(stored)
            on_result(stored, True)
    stamps = {sub.student: version for sub, version in todo}

    def finished(result: SubmissionResult) -> None:
        gradebook.record(result, stamps[result.student])
        done.append(result)
        on_result(result, False)

    pending = [sub for sub, _ in todo]
    if scheduler is None:
        asyncio.run(grade_all(assignment, pending, options, jobs, finished))
    elif pending:
        grade_on_cluster(assignment, pending, options, scheduler, jobs, finished)
    return done


async def grade_all(
    assignment: Assignment,
    submissions: Sequence[Submission],
    options: GradeOptions,
    jobs: int,
    on_result: Callable[[SubmissionResult], None],
) -> list[SubmissionResult]:
    """Grade ``submissions``, ``jobs`` at a time; call ``on_result`` as each finishes."""
    gate = asyncio.Semaphore(max(1, jobs))
    # The check workers' fork server imports pytest, numpy, pandas and scikit-learn once: let
    # it do so while the first kernels start, not when the first checks are waiting for it.
    warming = asyncio.get_running_loop().run_in_executor(None, warm_up)

    async def one(sub: Submission) -> SubmissionResult:
        async with gate:
            result = await grade_submission_async(assignment, sub, options)
        on_result(result)
        return result

    try:
        return list(await asyncio.gather(*(one(s) for s in submissions)))
    finally:
        with contextlib.suppress(Exception):  # a real failure shows in the checks themselves
            await warming
