"""Configuration: ``assignment.toml`` read once into frozen dataclasses.

Defaults live in the dataclasses; the file overrides them; command-line flags override the
file (:func:`dataclasses.replace`). Every key is validated here, at load time: an unknown key
or a value of the wrong type is a :class:`~grader.errors.ConfigError` naming the key and file.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypeVar

from grader.errors import AssignmentError, ConfigError
from grader.feedback.levels import FeedbackConfig, parse_feedback
from grader.release_rules import CONFIG_FILE as CONFIG_FILE
from grader.release_rules import default_release, release_source
from grader.settings import (
    GRADESCOPE_VISIBILITIES,
    GradescopeConfig,
    LatePolicy,
    LeaderboardColumn,
    Limits,
    QuestionConfig,
    RubricItem,
)

SandboxMode = Literal["auto", "strict", "off"]
JUNK = frozenset({"__pycache__", ".ipynb_checkpoints", ".pytest_cache", ".DS_Store"})
"""Names never part of an assignment, wherever they appear (caches, editors' leftovers)."""
FileKind = Literal["released", "graded"]
T = TypeVar("T")


@dataclass(frozen=True)
class Assignment:
    """One assignment: its folder and its settings."""

    name: str
    """The folder name, e.g. ``linear-algebra``."""
    root: Path
    """The folder holding ``assignment.toml`` (``solutions/<name>`` or ``assignments/<name>``)."""
    title: str
    notebook: str
    """File name of the (first) notebook inside :attr:`root`."""
    release: tuple[str, ...] = ()
    """Paths (relative to :attr:`root`) released to students besides the notebook."""
    limits: Limits = field(default_factory=Limits)
    questions: Mapping[str, QuestionConfig] = field(default_factory=dict)
    late: LatePolicy | None = None
    gradescope: GradescopeConfig = field(default_factory=GradescopeConfig)
    feedback: FeedbackConfig = field(default_factory=FeedbackConfig)
    """What students see of each check, and from when (``[feedback]``)."""
    variants: str = ""
    """The generator of each student's data variant (``[variants] generator``: a file in the
    solutions folder, never released), or "" when every student has the same data."""
    notebooks: tuple[str, ...] = ()
    """Every notebook of the assignment, in order (``notebooks = [...]``; else the one
    ``notebook``)."""

    def __post_init__(self) -> None:
        if not self.notebooks:
            object.__setattr__(self, "notebooks", (self.notebook,))

    @property
    def multi_notebook(self) -> bool:
        """Whether a submission is several notebooks (a student's folder holding them)."""
        return len(self.notebooks) > 1

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
            if self.variants:
                roots.append(self.root / self.variants)
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


_TOP_KEYS = {
    "title", "notebook", "notebooks", "release", "limits", "questions", "late", "gradescope",
    "feedback", "variants",
}  # fmt: skip


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
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    return assignment_from_text(text, root, name)


def assignment_from_text(text: str, root: Path, name: str | None = None) -> Assignment:
    """The assignment that ``text``, as ``root/assignment.toml``, would be.

    Raises:
        AssignmentError, ConfigError: as :func:`load_assignment`.
    """
    path = root / CONFIG_FILE
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    _reject_unknown(data, _TOP_KEYS, "", path)
    notebooks = _notebooks(data, path)
    release = _get(data, "release", list, path, default_release(root))
    if not all(isinstance(r, str) for r in release):
        raise ConfigError(f"{path}: 'release' must be a list of paths")
    for entry in release:
        release_source(root, entry, notebooks)
    return Assignment(
        name=name or root.name,
        root=root,
        title=_get(data, "title", str, path, root.name),
        notebook=notebooks[0],
        notebooks=notebooks,
        release=tuple(release),
        limits=_dataclass_from(Limits, _get(data, "limits", dict, path, {}), "limits", path),
        questions=_questions(_get(data, "questions", dict, path, {}), path),
        late=(late := _late(data.get("late"), path)),
        gradescope=_gradescope(_get(data, "gradescope", dict, path, {}), path),
        feedback=parse_feedback(
            data.get("feedback"), path, late.deadline if late is not None else None
        ),
        variants=_variants(data.get("variants"), root, path),
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
        f"no {CONFIG_FILE} in {folder}: the checks are in the assignment's folder as it was "
        "released (assignments/<name>/, with assignment.toml and tests/public): open the "
        "notebook there, or point at it: Checker(path='.../assignments/<name>')"
    )


def _notebooks(data: Mapping[str, Any], path: Path) -> tuple[str, ...]:
    """``notebook = "a.ipynb"`` or ``notebooks = ["a.ipynb", "b.ipynb"]``, not both."""
    if "notebook" in data and "notebooks" in data:
        raise ConfigError(f"{path}: give 'notebook' or 'notebooks', not both")
    if "notebooks" in data:
        names = _get(data, "notebooks", list, path, [])
        if not names or not all(isinstance(n, str) and n.endswith(".ipynb") for n in names):
            raise ConfigError(f"{path}: 'notebooks' must list .ipynb file names")
        stems = [Path(n).stem for n in names]
        if len(set(stems)) != len(stems) or any("/" in n for n in names):
            raise ConfigError(f"{path}: 'notebooks' must name distinct files of the assignment")
        return tuple(names)
    notebook = _get(data, "notebook", str, path, "")
    if not notebook:
        raise ConfigError(f"{path}: missing key 'notebook'")
    return (notebook,)


def _questions(table: dict[str, Any], path: Path) -> dict[str, QuestionConfig]:
    out = {}
    for qname, qtable in table.items():
        if not isinstance(qtable, dict):
            raise ConfigError(f"{path}: 'questions.{qname}' must be a table")
        where = f"questions.{qname}"
        items = qtable.get("rubric", [])
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise ConfigError(f"{path}: '{where}.rubric' must be a list of tables")
        rubric = tuple(_rubric_item(item, f"{where}.rubric", path) for item in items)
        keys = [item.key for item in rubric if item.key]
        if len(set(keys)) < len(keys):
            raise ConfigError(f"{path}: '{where}.rubric' uses a shortcut key twice")
        plain = {k: v for k, v in qtable.items() if k != "rubric"}
        question = _dataclass_from(QuestionConfig, plain, where, path)
        if rubric and not question.manual:
            raise ConfigError(f"{path}: '{where}' has a rubric but is not manual = true")
        if "points" in plain and not question.manual:
            raise ConfigError(
                f"{path}: '{where}.points' is for manual questions only (a checked question's "
                "points come from its checks)"
            )
        out[qname] = dataclasses.replace(question, rubric=rubric)
    return out


def _rubric_item(item: dict[str, Any], where: str, path: Path) -> RubricItem:
    _reject_unknown(item, {"points", "text", "key"}, where + ".", path)
    points, text, key = item.get("points"), item.get("text"), item.get("key", "")
    if isinstance(points, bool) or not isinstance(points, int | float):
        raise ConfigError(f"{path}: '{where}.points' must be a number (negative takes off)")
    if not isinstance(text, str) or not text.strip() or not isinstance(key, str):
        raise ConfigError(f"{path}: '{where}' needs a 'text' (and 'key' must be text)")
    if len(key) > 1 or (key and not key.isprintable()) or key.isspace():
        raise ConfigError(f'{path}: \'{where}.key\' must be one character, such as "a" or "1"')
    return RubricItem(float(points), text, key)


def _variants(table: object, root: Path, path: Path) -> str:
    if table is None:
        return ""
    if not isinstance(table, dict) or set(table) != {"generator"}:
        raise ConfigError(f"{path}: 'variants' must be a table with one key, 'generator'")
    generator = table["generator"]
    if not isinstance(generator, str) or not generator.endswith(".py"):
        raise ConfigError(f"{path}: 'variants.generator' must name a .py file, e.g. variants.py")
    target = (root / generator).resolve()
    if root.resolve() not in target.parents or not target.is_file():
        raise ConfigError(f"{path}: 'variants.generator' {generator} is not a file in {root}")
    return generator


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


def _gradescope(table: dict[str, Any], path: Path) -> GradescopeConfig:
    columns = table.get("leaderboard", [])
    if not isinstance(columns, list) or not all(isinstance(c, dict) for c in columns):
        raise ConfigError(f"{path}: 'gradescope.leaderboard' must be a list of tables")
    plain = {k: v for k, v in table.items() if k != "leaderboard"}
    config = _dataclass_from(GradescopeConfig, plain, "gradescope", path)
    board = tuple(
        _dataclass_from(LeaderboardColumn, c, "gradescope.leaderboard", path) for c in columns
    )
    if any(c.order not in ("asc", "desc") or not c.name for c in board):
        raise ConfigError(f"{path}: each leaderboard column needs a name and order asc or desc")
    config = dataclasses.replace(config, leaderboard=board)
    if config.hidden_visibility not in GRADESCOPE_VISIBILITIES:
        raise ConfigError(
            f"{path}: 'gradescope.hidden_visibility' must be one of "
            + ", ".join(GRADESCOPE_VISIBILITIES)
        )
    return config


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
