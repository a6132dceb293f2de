"""``grader import nbgrader``: an nbgrader ``source/<assignment>/`` folder into ``solutions/NAME/``.

The mapping (nbgrader 0.9 cell metadata ``nbgrader``: ``grade``, ``solution``, ``task``,
``locked``, ``grade_id``, ``points``):

- **Notebooks.** Every top-level ``*.ipynb`` but header/footer ones (``notebooks = [...]``);
  the other files and folders beside them are released (``release = [...]``).
- **Test cells** (``grade``, code, not ``solution``) become checks of question ``grade_id``
  less ``test_`` (``test_split`` → ``split``; the notebook stem prefixed on a clash). nbgrader
  scores a test cell as ONE grade: its points when the whole cell, hidden tests included,
  raises nothing. So a cell with hidden tests becomes a hidden check ``test_<q>`` running the
  whole cell, worth the cell's points (nbgrader's grade exactly), and a public check
  ``test_<q>_public_part`` running the visible part, worth 0 (the feedback students had, not
  counted twice). Without hidden tests: one public check worth the points.
- **Partial credit.** A test cell whose last line is an expression scores as nbgrader scores
  its ``execute_result`` (``nbgrader/utils.py`` ``determine_grade``/``get_partial_grade``): the
  value's text (``repr``, as IPython shows it) read as a float is the score when in
  ``[0, points]``; a value that is not a number, a negative one or None gives full points; one
  above the points is refused; a score of 0 fails the check (:func:`cell_points`).
- **Not reproduced** outside the kernel (noted per question): a test cell that wrote to
  ``stderr`` scores 0 in nbgrader; so does a manual answer left as released; tests that need the
  live kernel (:func:`~grader.checks.imported.kernel_only_reason`) still run by value here.
- **Manual cells**: a graded solution cell (a written answer, Markdown or code) and a task cell
  become manual questions named by their ``grade_id`` with their points and notebook; the cell's
  first line marks it (``<!-- MANUAL: q -->`` or ``# MANUAL: q``), which release keeps.
- **Solution cells** keep their ``### BEGIN/END SOLUTION`` markers (Markdown ones become
  ``<!-- BEGIN/END SOLUTION -->``); a solution cell without markers is wrapped in them whole, as
  nbgrader replaces the whole cell. Locked cells stay as they are; nbgrader metadata is dropped.
- **Modules** do not travel from the kernel: the imports above the test cell that bind a name
  the test reads run in the check (``IMPORTS``). ``autotests.yml`` / ``### AUTOTEST`` lines
  (expanded by nbgrader with a kernel choosing templates) are not converted: noted.
"""

from __future__ import annotations

import ast
import dataclasses
import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat

from grader.authoring.importing import ImportNote, ImportReport
from grader.authoring.importing._common import number, py_literal, toml_string
from grader.checks.imported import free_names, kernel_only_reason
from grader.errors import AssignmentError

SKIPPED = {"header.ipynb", "footer.ipynb"}
NOT_RELEASED = {"autotests.yml", "nbgrader_config.py", "__pycache__", ".ipynb_checkpoints"}
HIDDEN_BEGIN, HIDDEN_END = "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"
CODE_BEGIN = re.compile(r"^\s*#+\s*BEGIN SOLUTION\s*$", re.M)
MD_BEGIN = re.compile(r"^(\s*)#*\s*BEGIN SOLUTION\s*$")
MD_END = re.compile(r"^(\s*)#*\s*END SOLUTION\s*$")
CELL_POINTS = "from grader.checks.imported import cell_points"
CHECK_FILE = '''"""{q}: {part}nbgrader test cell `{grade_id}` of {stem}.ipynb (worth {cell_points}).

Written by `grader import nbgrader`."""

import pytest

{helper}from grader.checks.imported import run_test
{mark}
# The notebook's imports the test relies on (modules do not travel from the kernel).
IMPORTS = {imports}
SOURCE = {source}


@pytest.mark.points({points}){marks}
def {signature}:
    {body}
'''
STDERR_NOTE = "nbgrader gives 0 when the cell writes to stderr; here only what it raises counts"
UNCHANGED_NOTE = "nbgrader gives 0 at once to an answer left as released; here it awaits a grader"


@dataclass(frozen=True)
class Question:
    """One graded nbgrader cell as a question of ours."""

    name: str
    notebook: str
    """The notebook's stem."""
    grade_id: str
    points: float
    title: str = ""
    manual: bool = False
    task: bool = False  # a task cell: the student answers in cells of their own
    visible: str = ""  # a test's code as students saw it (hidden tests removed)
    whole: str = ""  # a test's whole code when it has hidden tests ("" otherwise)
    imports: str = ""  # the notebook's import statements the test relies on


def import_nbgrader(source_dir: Path, solutions: Path, name: str) -> ImportReport:
    """Write ``solutions/<name>/`` from an nbgrader ``source/<assignment>/`` folder.

    Raises:
        AssignmentError: nothing importable (no nbgrader notebook, no graded cell, duplicate
            grade_ids, unbalanced hidden-test markers) or ``solutions/<name>`` is not empty.
    """
    dest = solutions / name
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise AssignmentError(f"{dest} already exists and is not empty: not overwritten")
    paths = _notebook_paths(source_dir)
    notebooks = [_read(path) for path in paths]
    if not any(_meta(c) for nb in notebooks for c in nb.cells):
        raise AssignmentError(f"{source_dir}: no cell carries nbgrader metadata (not nbgrader's)")
    taken: set[str] = set()
    converted = [_convert(path, nb, taken) for path, nb in zip(paths, notebooks, strict=True)]
    questions = [q for _, qs in converted for q in qs]
    if not questions:
        raise AssignmentError(f"{source_dir}: no graded cell (grade or task) in any notebook")
    multi = len(paths) > 1
    staging = solutions / f".{name}.importing"
    shutil.rmtree(staging, ignore_errors=True)
    try:
        (staging / "tests" / "public").mkdir(parents=True)
        release = _copy_released(source_dir, staging)
        for path, (nb, _) in zip(paths, converted, strict=True):
            nbformat.write(nb, staging / path.name)
        checks = sum(_write_checks(staging, q, multi) for q in questions if not q.manual)
        toml = _toml(name, [p.name for p in paths], release, questions, multi)
        (staging / "assignment.toml").write_text(toml, encoding="utf-8")
        if dest.exists():
            dest.rmdir()
        staging.rename(dest)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise AssignmentError(f"cannot write {dest}: {exc.strerror or exc}") from exc
    return ImportReport(
        name=name,
        dest=dest,
        notebooks=tuple(p.name for p in paths),
        questions=tuple(q.name for q in questions),
        checks=checks,
        manual=tuple(q.name for q in questions if q.manual),
        notes=tuple(_notes(source_dir, questions)),
    )


def _notebook_paths(source_dir: Path) -> list[Path]:
    paths = sorted(p for p in source_dir.glob("*.ipynb") if p.name.lower() not in SKIPPED)
    if not paths:
        raise AssignmentError(f"{source_dir}: no notebook (*.ipynb) to import")
    return paths


def _read(path: Path) -> nbformat.NotebookNode:
    try:
        nb: nbformat.NotebookNode = nbformat.read(path, as_version=4)
    except Exception as exc:  # nbformat raises many kinds for a broken file
        raise AssignmentError(f"{path}: not a readable notebook: {exc}") from exc
    ids = [_meta(c)["grade_id"] for c in nb.cells if "grade_id" in _meta(c)]
    if duplicated := sorted({i for i in ids if ids.count(i) > 1}):
        raise AssignmentError(f"{path}: grade_id used by several cells: {', '.join(duplicated)}")
    return nb


def _meta(cell: nbformat.NotebookNode) -> dict[str, Any]:
    meta = cell.get("metadata", {}).get("nbgrader")
    return meta if isinstance(meta, dict) else {}


def _convert(
    path: Path, nb: nbformat.NotebookNode, taken: set[str]
) -> tuple[nbformat.NotebookNode, list[Question]]:
    """The solution notebook (test cells removed) and the notebook's questions, in order."""
    stem, cells, questions = path.stem, [], []
    for index, cell in enumerate(nb.cells):
        meta, _ = _meta(cell), cell.metadata.pop("nbgrader", None)
        if meta.get("solution"):
            cell.source = _solution_source(cell)
        if not (meta.get("grade") or meta.get("task")):
            cells.append(cell)
            continue
        grade_id = str(meta.get("grade_id") or f"cell{index + 1}")
        is_test = meta.get("grade") and cell.cell_type == "code" and not meta.get("solution")
        base = grade_id.removeprefix("test_") if is_test else grade_id
        question = Question(
            name=_unique(_identifier(base), _identifier(stem), taken),
            notebook=stem,
            grade_id=grade_id,
            points=float(meta.get("points") or 0),
            title=_first_line(cell.source) if meta.get("task") else _heading(nb.cells[:index]),
        )
        if is_test:
            questions.append(_test(question, cell.source, nb.cells[:index], path))
            continue
        mark = f"<!-- MANUAL: {question.name} -->" if cell.cell_type == "markdown" else ""
        cell.source = f"{mark or '# MANUAL: ' + question.name}\n{cell.source}"
        questions.append(dataclasses.replace(question, manual=True, task=bool(meta.get("task"))))
        cells.append(cell)
    nb.cells = cells
    return nb, questions


def _solution_source(cell: nbformat.NotebookNode) -> str:
    """The cell with solution markers our release reads (the whole cell when it has none)."""
    source: str = cell.source
    if cell.cell_type == "code" and not CODE_BEGIN.search(source):
        return f"### BEGIN SOLUTION\n{source}\n### END SOLUTION"
    if cell.cell_type == "code":
        return source
    lines = source.splitlines()
    if not any(MD_BEGIN.match(line) for line in lines):
        return f"<!-- BEGIN SOLUTION -->\n{source}\n<!-- END SOLUTION -->"
    out = [MD_BEGIN.sub(r"\1<!-- BEGIN SOLUTION -->", line) for line in lines]
    return "\n".join(MD_END.sub(r"\1<!-- END SOLUTION -->", line) for line in out)


def _test(question: Question, source: str, above: list[Any], path: Path) -> Question:
    visible, whole, hidden, inside = [], [], False, False
    for line in source.splitlines():
        if HIDDEN_BEGIN in line or HIDDEN_END in line:
            if inside == (HIDDEN_BEGIN in line):
                raise AssignmentError(f"{path}: {question.grade_id}: unbalanced {line.strip()!r}")
            inside, hidden = HIDDEN_BEGIN in line, True
            continue
        whole.append(line)
        if not inside:
            visible.append(line)
    if inside:
        raise AssignmentError(f"{path}: {question.grade_id}: {HIDDEN_BEGIN} is never closed")
    return dataclasses.replace(
        question,
        visible="\n".join(visible) + "\n",
        whole="\n".join(whole) + "\n" if hidden else "",
        imports=_imports(above, "\n".join(whole)),
    )


def _imports(cells: list[Any], test: str) -> str:
    """The import statements of ``cells`` that bind a name ``test`` reads but never binds."""
    try:
        wanted = set(free_names(test))
    except SyntaxError:
        return ""
    out: dict[str, None] = {}
    for cell in cells:
        try:
            body = ast.parse(cell.source).body if cell.cell_type == "code" else []
        except SyntaxError:
            continue  # IPython syntax (magics): the test cannot use its imports anyway
        for node in body:
            if isinstance(node, ast.Import | ast.ImportFrom) and not getattr(node, "level", 0):
                for alias in node.names:
                    if (alias.asname or alias.name).split(".")[0] in wanted:
                        out[_import_line(node, alias)] = None
    return "".join(f"{line}\n" for line in out)


def _import_line(node: ast.Import | ast.ImportFrom, alias: ast.alias) -> str:
    if isinstance(node, ast.Import):
        return ast.unparse(ast.Import([alias]))
    return ast.unparse(ast.ImportFrom(node.module, [alias], 0))


def _heading(cells: list[Any]) -> str:
    lines = [str(x) for c in cells if c.cell_type == "markdown" for x in c.source.splitlines()]
    return next((x.lstrip("#").strip() for x in reversed(lines) if x.startswith("#")), "")


def _first_line(text: str) -> str:
    line = next((x for x in text.splitlines() if x.strip()), "").replace("*", "").lstrip("#")
    return line.strip()[:80]


def _identifier(text: str) -> str:
    name = re.sub(r"\W+", "_", text).strip("_") or "q"
    return f"q_{name}" if name[0].isdigit() else name


def _unique(base: str, stem: str, taken: set[str]) -> str:
    name, n = base, 1
    while name in taken:
        name = f"{stem}_{base}" if n == 1 else f"{stem}_{base}_{n}"
        n += 1
    taken.add(name)
    return name


def _copy_released(source_dir: Path, dest: Path) -> list[str]:
    release = []
    for entry in sorted(source_dir.iterdir()):
        notebook = entry.suffix == ".ipynb" and entry.is_file()
        if notebook or entry.name.startswith(".") or entry.name in NOT_RELEASED:
            continue
        if entry.is_dir():
            shutil.copytree(entry, dest / entry.name, ignore=shutil.ignore_patterns(*NOT_RELEASED))
            release.append(f"{entry.name}/")
        else:
            shutil.copy2(entry, dest / entry.name)
            release.append(entry.name)
    return release


def _write_checks(root: Path, q: Question, multi: bool) -> int:
    """Write the question's check files; how many checks."""
    if not q.whole:
        _check_file(root / "tests" / "public", q, q.visible, f"test_{q.name}", q.points, multi)
        return 1
    _check_file(root / "tests" / "public", q, q.visible, f"test_{q.name}_public_part", 0, multi)
    (root / "tests" / "hidden").mkdir(exist_ok=True)
    _check_file(root / "tests" / "hidden", q, q.whole, f"test_{q.name}", q.points, multi)
    return 2


def _check_file(
    folder: Path, q: Question, source: str, function: str, points: float, multi: bool
) -> None:
    partial = _has_value(source)
    try:
        in_kernel = not partial and bool(kernel_only_reason(q.imports + source))
    except SyntaxError:
        in_kernel = False
    run = "nb.run(IMPORTS + SOURCE)" if in_kernel else "run_test(nb, IMPORTS + SOURCE)"
    text = CHECK_FILE.format(
        q=q.name,
        part="the visible part of " if points == 0 and q.whole else "",
        grade_id=q.grade_id,
        stem=q.notebook,
        cell_points=number(q.points),
        helper=f"{CELL_POINTS}\n" if partial else "",
        mark=f"\npytestmark = pytest.mark.notebook({json.dumps(q.notebook)})\n" if multi else "",
        imports=py_literal(q.imports),
        source=py_literal(source),
        points=number(points),
        marks="\n@pytest.mark.in_kernel" if in_kernel else "",
        signature=f"{function}(nb, partial)" if partial else f"{function}(nb)",
        body=f"partial(cell_points({run}, {number(q.points)}))" if partial else run,
    )
    (folder / f"test_{q.name}.py").write_text(text, encoding="utf-8")


def _has_value(source: str) -> bool:
    """Whether nbgrader would read the cell's last line as its value (partial credit)."""
    try:
        body = ast.parse(source).body
    except SyntaxError:
        return False
    return bool(body) and isinstance(body[-1], ast.Expr) and not source.rstrip().endswith(";")


def _toml(
    name: str, notebooks: list[str], release: list[str], questions: list[Question], multi: bool
) -> str:
    s = toml_string
    lines = [
        "# Imported from nbgrader with `grader import nbgrader`.",
        f"title = {s(name)}",
        f"notebooks = [{', '.join(s(n) for n in notebooks)}]" if multi else
        f"notebook = {s(notebooks[0])}",
        f"release = [{', '.join(s(r) for r in release)}]",
    ]  # fmt: skip
    for q in questions:
        lines += ["", f"[questions.{q.name}]"]
        lines += [f"title = {s(q.title)}"] if q.title else []
        if q.manual:
            lines += ["manual = true", f"points = {number(q.points)}"]
            lines += [f"notebook = {s(q.notebook)}"]
    return "\n".join(lines) + "\n"


def _notes(source_dir: Path, questions: list[Question]) -> list[ImportNote]:
    notes = [ImportNote("*", "autotests.yml not converted (### AUTOTEST needs a kernel)")]
    notes = notes if (source_dir / "autotests.yml").is_file() else []
    for q in questions:
        if q.manual:
            notes += [] if q.task else [ImportNote(q.name, UNCHANGED_NOTE)]
            continue
        code = q.whole or q.visible
        if "AUTOTEST" in code:
            notes.append(ImportNote(q.name, "### AUTOTEST lines not converted: write the asserts"))
        try:
            reason = kernel_only_reason(q.imports + code)
        except SyntaxError as exc:
            notes.append(ImportNote(q.name, f"not plain Python (line {exc.lineno}): fix the check"))
            continue
        why = (
            f"runs in the student's kernel, after its cells, because {reason} (marked "
            "in_kernel; the student's code could interfere): review it"
        )
        notes += [ImportNote(q.name, why)] if reason else []
        notes.append(ImportNote(q.name, STDERR_NOTE))
    return notes
