"""Configuration: ``assignment.toml`` read once into frozen dataclasses.

Defaults live in the dataclasses; the file overrides them; command-line flags override the
file (:func:`dataclasses.replace`). Every key is validated here, at load time: an unknown key
or a value of the wrong type is a :class:`~grader.errors.ConfigError` naming the key and file.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypeVar

from grader.errors import AssignmentError, ConfigError

CONFIG_FILE = "assignment.toml"
SandboxMode = Literal["auto", "strict", "off"]
JUNK = frozenset({"__pycache__", ".ipynb_checkpoints", ".pytest_cache", ".DS_Store"})
"""Names never part of an assignment, wherever they appear (caches, editors' leftovers)."""
FileKind = Literal["released", "graded"]
T = TypeVar("T")


@dataclass(frozen=True)
class Limits:
    """Per-submission limits."""

    cell_timeout: float = 30
    """Seconds each notebook cell may run."""
    check_timeout: float = 10
    """Seconds each ``nb.function`` / ``nb.eval`` / ``nb[...]`` call may run in the kernel."""
    submission_timeout: float = 600
    """Seconds for the whole submission, checks included."""
    memory_mb: int = 2048
    """Address-space limit of the student's kernel, in MiB."""
    output_kb: int = 1024
    """Captured output kept per cell, in KiB; the rest is dropped with a note."""
    total_output_kb: int = 8192
    """Captured output kept for the whole notebook, in KiB."""
    disk_mb: int = 512
    """Space the student's code may write in its working folder and in ``/tmp`` (each), in MiB."""
    processes: int = 64
    """Processes and threads the student's kernel may run at once (the kernel's own included)."""
    open_files: int = 256
    """Files and sockets the kernel may hold open at once."""
    cpu_seconds: float = 0
    """CPU time of the kernel, in seconds (0: the submission's time limit)."""
    recoveries: int = 2
    """Fresh kernels a submission may get after a cell kills or wedges one (0: none)."""


@dataclass(frozen=True)
class QuestionConfig:
    """Optional per-question settings (``[questions.<name>]``)."""

    title: str = ""
    """Shown in feedback next to the question's name."""
    all_or_nothing: bool = False
    """Award the question's points only when every one of its checks passes."""


@dataclass(frozen=True)
class LatePolicy:
    """Deadline and penalty (``[late]``)."""

    deadline: dt.datetime
    """Submissions after this moment (plus the grace period) are late."""
    grace_minutes: float = 0
    """Minutes after the deadline that still count as on time."""
    penalty_per_day: float = 0.0
    """Fraction of the possible points taken per started day late."""
    max_penalty: float = 1.0
    """Cap on the fraction taken."""
    zero_after_days: float | None = None
    """Days late after which the submission scores zero."""


GRADESCOPE_VISIBILITIES = ("hidden", "after_due_date", "after_published", "visible")
"""Gradescope's visibility settings of a test, from never shown to students to always."""


@dataclass(frozen=True)
class GradescopeConfig:
    """How results look on Gradescope (``[gradescope]``)."""

    hidden_visibility: str = "after_published"
    """When students see the hidden checks' results: one of :data:`GRADESCOPE_VISIBILITIES`."""


@dataclass(frozen=True)
class Assignment:
    """One assignment: its folder and its settings."""

    name: str
    """The folder name, e.g. ``linear-algebra``."""
    root: Path
    """The folder holding ``assignment.toml`` (``solutions/<name>`` or ``assignments/<name>``)."""
    title: str
    notebook: str
    """File name of the notebook inside :attr:`root`."""
    release: tuple[str, ...] = ()
    """Paths (relative to :attr:`root`) released to students besides the notebook."""
    limits: Limits = field(default_factory=Limits)
    questions: Mapping[str, QuestionConfig] = field(default_factory=dict)
    late: LatePolicy | None = None
    gradescope: GradescopeConfig = field(default_factory=GradescopeConfig)

    @property
    def notebook_path(self) -> Path:
        """The assignment's notebook (the solution, or the released student version)."""
        return self.root / self.notebook

    @property
    def public_tests(self) -> Path:
        """Folder of the checks students may see."""
        return self.root / "tests" / "public"

    @property
    def hidden_tests(self) -> Path:
        """Folder of the checks only the grader runs (absent in a released assignment)."""
        return self.root / "tests" / "hidden"

    @property
    def hidden_data(self) -> Path:
        """Folder of data only hidden checks read."""
        return self.hidden_tests / "data"

    def files(self, kind: FileKind) -> list[Path]:
        """The assignment's files of one ``kind``, sorted, :data:`JUNK` left out.

        ``released``: what a student gets besides the notebook (``tests/public`` and the
        ``release`` entries), also what a submission's working folder holds. ``graded``: what
        grading reads: those, ``assignment.toml`` and every check with its data (hashed into the
        grading key, shipped to cluster workers and in the Gradescope autograder); never the
        solution notebook.
        """
        roots = [self.public_tests, *(self.root / entry for entry in self.release)]
        if kind == "graded":
            roots += [self.root / CONFIG_FILE, self.root / "tests"]
        found: set[Path] = set()
        for root in roots:
            if root.is_file():
                found.add(root)
            elif root.is_dir():
                found.update(p for p in root.rglob("*") if p.is_file())
        return sorted(p for p in found if not JUNK.intersection(p.relative_to(self.root).parts))

    def question_title(self, question: str) -> str:
        """The title of a question, or an empty string."""
        q = self.questions.get(question)
        return q.title if q else ""

    def all_or_nothing(self, question: str) -> bool:
        """Whether a question is scored all-or-nothing."""
        q = self.questions.get(question)
        return q.all_or_nothing if q else False

    def with_limits(self, **overrides: float | None) -> Assignment:
        """A copy with the given limits replaced (``None`` values are ignored)."""
        given: dict[str, Any] = {k: v for k, v in overrides.items() if v is not None}
        if not given:
            return self
        return dataclasses.replace(self, limits=dataclasses.replace(self.limits, **given))


_TOP_KEYS = {"title", "notebook", "release", "limits", "questions", "late", "gradescope"}


def load_assignment(root: Path, name: str | None = None) -> Assignment:
    """Read ``root/assignment.toml`` into an :class:`Assignment`.

    Without a ``release`` key, ``data/`` is released if the folder exists. Every ``release``
    entry is checked by :func:`release_source`.

    Raises:
        AssignmentError: the folder or file does not exist, or a ``release`` entry may not be
            released.
        ConfigError: the file is not valid TOML or holds an unknown key or a wrong type.
    """
    path = root / CONFIG_FILE
    if not path.is_file():
        raise AssignmentError(f"no {CONFIG_FILE} in {root}")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    _reject_unknown(data, _TOP_KEYS, "", path)
    notebook = _get(data, "notebook", str, path, "")
    if not notebook:
        raise ConfigError(f"{path}: missing key 'notebook'")
    release = _get(data, "release", list, path, default_release(root))
    if not all(isinstance(r, str) for r in release):
        raise ConfigError(f"{path}: 'release' must be a list of paths")
    for entry in release:
        release_source(root, entry, notebook)
    return Assignment(
        name=name or root.name,
        root=root,
        title=_get(data, "title", str, path, root.name),
        notebook=notebook,
        release=tuple(release),
        limits=_dataclass_from(Limits, _get(data, "limits", dict, path, {}), "limits", path),
        questions=_questions(_get(data, "questions", dict, path, {}), path),
        late=_late(data.get("late"), path),
        gradescope=_gradescope(_get(data, "gradescope", dict, path, {}), path),
    )


def find_assignment(folder: Path) -> Assignment:
    """The assignment whose folder is ``folder`` or one of its two parents.

    Raises:
        AssignmentError: no ``assignment.toml`` there.
    """
    start = folder.resolve()
    for candidate in [start, *start.parents][:3]:
        if (candidate / CONFIG_FILE).is_file():
            return load_assignment(candidate)
    raise AssignmentError(
        f"no {CONFIG_FILE} in {folder}: check the notebook inside its assignment's "
        "folder (assignments/<name>/), where it was released"
    )


def default_release(root: Path) -> list[str]:
    """What is released when ``assignment.toml`` has no ``release``: ``data/`` if it exists."""
    return ["data/"] if (root / "data").is_dir() else []


def release_source(root: Path, entry: str, notebook: str) -> Path:
    """The resolved path a ``release`` entry names, after checking it may be released.

    An entry must be a relative path that stays inside ``root`` (symbolic links resolved, also
    those inside a released folder), must not be ``root`` itself, and must neither be nor hold
    the hidden checks, the solution ``notebook`` or ``assignment.toml``. It need not exist.

    Raises:
        AssignmentError: it breaks one of these rules (the message names it and the file).
    """
    where = f"{root / CONFIG_FILE}: release entry '{entry}'"
    if not entry.strip() or Path(entry).is_absolute():
        raise AssignmentError(f"{where} must be a relative path inside {root}")
    src = (root / entry).resolve()
    problem = _release_problem(root, src, notebook)
    if not problem and src.is_dir():
        for folder, dirs, files in os.walk(src):
            for name in dirs + files:
                link = Path(folder) / name
                if link.is_symlink() and (
                    problem := _release_problem(root, link.resolve(), notebook)
                ):
                    problem = f"holds the link {link.relative_to(root)}, which {problem}"
                    break
            if problem:
                break
    if problem:
        raise AssignmentError(f"{where} {problem}")
    return src


def _release_problem(root: Path, src: Path, notebook: str) -> str:
    """Why the resolved path ``src`` may not be released from ``root`` ("" when it may)."""
    top = root.resolve()
    if not src.is_relative_to(top):
        return f"leads outside {root}"
    if src == top:
        return "would release the whole assignment"
    secrets = {
        "the hidden checks": (root / "tests" / "hidden").resolve(),
        "the solution notebook": (root / notebook).resolve(),
        f"{CONFIG_FILE}": (root / CONFIG_FILE).resolve(),
    }
    for what, secret in secrets.items():
        if src.is_relative_to(secret) or secret.is_relative_to(src):
            return f"would release {what}"
    return ""


def _gradescope(table: dict[str, Any], path: Path) -> GradescopeConfig:
    config = _dataclass_from(GradescopeConfig, table, "gradescope", path)
    if config.hidden_visibility not in GRADESCOPE_VISIBILITIES:
        raise ConfigError(
            f"{path}: 'gradescope.hidden_visibility' must be one of "
            + ", ".join(GRADESCOPE_VISIBILITIES)
        )
    return config


def _questions(table: dict[str, Any], path: Path) -> dict[str, QuestionConfig]:
    out = {}
    for qname, qtable in table.items():
        if not isinstance(qtable, dict):
            raise ConfigError(f"{path}: 'questions.{qname}' must be a table")
        out[qname] = _dataclass_from(QuestionConfig, qtable, f"questions.{qname}", path)
    return out


def _late(table: object, path: Path) -> LatePolicy | None:
    if table is None:
        return None
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: 'late' must be a table")
    deadline = table.get("deadline")
    if not isinstance(deadline, dt.datetime):
        raise ConfigError(
            f"{path}: 'late.deadline' must be a date-time such as 2026-12-01T23:59:00Z"
        )
    if deadline.tzinfo is None:
        deadline = deadline.replace(tzinfo=dt.UTC)
    rest = {k: v for k, v in table.items() if k != "deadline"}
    policy = _dataclass_from(LatePolicy, {"deadline": deadline, **rest}, "late", path)
    if "max_penalty" in rest and "zero_after_days" in rest:
        raise ConfigError(f"{path}: 'late' takes max_penalty or zero_after_days, not both")
    return policy


def _dataclass_from(cls: type[T], table: Mapping[str, Any], where: str, path: Path) -> T:
    fields = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    _reject_unknown(table, set(fields), where + ".", path)
    kwargs: dict[str, Any] = {}
    for key, value in table.items():
        default = fields[key].default
        want: tuple[type, ...]
        if isinstance(default, bool):
            want = (bool,)
        elif isinstance(default, int | float) or default is None:
            want = (int, float)
        elif isinstance(default, str):
            want = (str,)
        else:
            want = (object,)
        bad_bool = isinstance(value, bool) and bool not in want
        if bad_bool or not isinstance(value, want):
            raise ConfigError(f"{path}: '{where}{key}' has the wrong type ({type(value).__name__})")
        if isinstance(value, int | float) and not isinstance(value, bool) and value < 0:
            raise ConfigError(f"{path}: '{where}{key}' must not be negative")
        kwargs[key] = value
    return cls(**kwargs)


def _reject_unknown(table: Mapping[str, Any], known: set[str], prefix: str, path: Path) -> None:
    for key in table:
        if key not in known:
            raise ConfigError(f"{path}: unknown key '{prefix}{key}'")


def _get(data: Mapping[str, Any], key: str, kind: type[T], path: Path, default: T) -> T:
    value = data.get(key, default)
    if not isinstance(value, kind):
        raise ConfigError(f"{path}: '{key}' must be a {kind.__name__}")
    return value


def grading_assignment(course: Path, name: str) -> Assignment:
    """The assignment to grade with: ``solutions/<name>``, else the released copy.

    A course folder that holds only ``assignments/<name>`` (a student repository) grades with
    that, its public checks only.

    Raises:
        AssignmentError: neither folder exists.
    """
    released = course / "assignments" / name
    if not (course / "solutions" / name).is_dir() and (released / CONFIG_FILE).is_file():
        return load_assignment(released, name)
    return solution_assignment(course, name)


def solution_assignment(course: Path, name: str) -> Assignment:
    """The instructor's copy of an assignment: ``<course>/solutions/<name>``."""
    root = course / "solutions" / name
    if not root.is_dir():
        raise AssignmentError(f"no assignment '{name}': {root} does not exist")
    return load_assignment(root, name)
