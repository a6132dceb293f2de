"""``grader import otter``: an otter-grader assignment into ``solutions/<name>/``.

PATH is one of (the three give the same checks for the same tests):

- a master notebook (otter-assign v1), raw cells or ```` ```otter ```` Markdown fences (a fence
  cell is split into Markdown / raw / Markdown, ``otter/assign/blocks.py``). Its ``# ASSIGNMENT
  CONFIG`` and ``# BEGIN/END QUESTION|SOLUTION|TESTS|PROMPT`` cells go; a test cell becomes a
  case as ``otter/assign/tests_manager.py`` ``read_test`` makes it: a first line ``# ...
  hidden ...`` hides it, a quoted ``# BEGIN TEST CONFIG`` block sets hidden / points, the code
  is ``ast.unparse``-d into a doctest expecting the cell's recorded output (``ok_format: false``:
  the cell's function is the case). ``files:`` are released;
- an autograder zip (``tests/*.py``, ``otter_config.json``, ``files/`` released). The solution
  notebook is ``--solution``, else ``<assignment_name>.ipynb`` beside the zip (where ``otter
  assign`` writes it, ``dist/autograder/``), else the only notebook there. otter keeps manual
  questions out of its tests, so the zip has none: one seen in the notebook is a note;
- a folder with ``tests/*.py`` and its one notebook (``--solution`` when several); the folder's
  other top-level entries are released. Manual questions: as for the zip.

Questions, cases and points are read as otter reads them (:mod:`.otter_tests`, which cites
otter's source for each rule). ``all_or_nothing`` becomes ``[questions.q] all_or_nothing``;
``manual: true`` a manual question with its ``points``; ``generate.points_possible`` only
rescales otter's Gradescope score and is dropped.

The solution notebook keeps its solutions with our markers (``# BEGIN SOLUTION NO PROMPT``
becomes ``# BEGIN SOLUTION``, ``# SOLUTION NO PROMPT`` becomes ``# SOLUTION``, ``# IGNORE``
lines and prompt blocks go); a Markdown solution cell is wrapped in ``<!-- BEGIN SOLUTION -->``;
a manual question's first answer cell starts with ``<!-- MANUAL: q -->`` (``# MANUAL: q``);
``import otter``, ``otter.Notebook(...)`` and ``grader.check/check_all/export(...)`` statements
and otter's answer-placeholder cells are removed. Each case is a check calling
:mod:`grader.checks.otter_cases` under ``tests/public`` or ``tests/hidden``.

A question's ``grader.check("q")`` cell becomes a checkpoint cell ``# CHECK: q`` and its checks
wait for it (``@pytest.mark.after_cell``): they run against the state there, as otter's do, so
a later cell that rebinds a checked name (otter#890) changes nothing; a student who deletes the
cell is checked at the end, as otter does. Notes (one line each): a case whose code needs the
live kernel (:func:`~grader.checks.imported.kernel_only_reason`).
"""

from __future__ import annotations

import ast
import json
import re
import shutil
import zipfile
from pathlib import Path, PurePosixPath

import nbformat

from grader.authoring.importing import ImportNote, ImportReport
from grader.authoring.importing.otter_master import CONFIG, Parsed, from_master
from grader.authoring.importing.otter_tests import (
    Question,
    case_source,
    check_files,
    check_stem,
    read_test_file,
)
from grader.authoring.markers import has_solution_markers
from grader.authoring.tomlwrite import dump_assignment
from grader.checks.imported import kernel_only_reason
from grader.config import Assignment, load_assignment
from grader.errors import AssignmentError
from grader.notebook import read_notebook_strict
from grader.settings import QuestionConfig

_SKIP = {"__pycache__", ".ipynb_checkpoints", "__MACOSX", "tests"}
_OTTER_CALLS = {"check", "check_all", "export", "to_pdf", "run_plugin"}


def import_otter(
    path: Path, solutions: Path, name: str | None, solution: Path | None
) -> ImportReport:
    """Import ``path`` (master notebook, autograder zip or folder) into ``solutions/<name>``.

    Raises:
        AssignmentError: it cannot be imported at all (one line saying why).
    """
    if path.is_dir():
        parsed = _from_folder(path, solution)
    elif zipfile.is_zipfile(path):
        parsed = _from_zip(path, solution)
    else:
        parsed = from_master(path)
    if not any(q.cases or q.manual for q in parsed.questions):
        raise AssignmentError(f"{path}: no questions with tests found")
    name = name or parsed.default_name
    dest = solutions / name
    if dest.exists() and any(dest.iterdir()):
        raise AssignmentError(f"{dest} already exists and is not empty")
    _write(parsed, dest, name)
    load_assignment(dest, name)
    notes = parsed.notes + _review_notes(parsed)
    return ImportReport(
        name=name, dest=dest, notebooks=(f"{name}.ipynb",),
        questions=tuple(q.name for q in parsed.questions),
        checks=sum(len(q.cases) for q in parsed.questions),
        manual=tuple(q.name for q in parsed.questions if q.manual), notes=tuple(notes),
    )  # fmt: skip


# ------------------------------------------------------------------ zip and folder


def _from_zip(path: Path, solution: Path | None) -> Parsed:
    with zipfile.ZipFile(path) as zf:
        members = {n: zf.read(n) for n in zf.namelist() if not n.endswith("/")}
    tests = {n: b for n, b in members.items() if re.fullmatch(r"tests/[^/]+\.py", n)}
    if not tests:
        raise AssignmentError(f"{path}: not an otter autograder zip (no tests/*.py)")
    config = json.loads(members.get("otter_config.json", b"{}") or b"{}")
    default = str(config.get("assignment_name") or re.sub(r"-autograder.*$", "", path.stem))
    if solution is None:
        named = path.parent / f"{default}.ipynb"
        solution = named if named.is_file() else _only_notebook(path.parent, path)
    files = {}
    for member, data in members.items():
        rel = PurePosixPath(member)
        if rel.parts[0] == "files" and len(rel.parts) > 1 and ".." not in rel.parts:
            files[PurePosixPath(*rel.parts[1:]).as_posix()] = data
    questions = [read_test_file(b.decode(), f"{path}: {n}") for n, b in sorted(tests.items())]
    return _with_solution(default, solution, questions, files)


def _from_folder(path: Path, solution: Path | None) -> Parsed:
    tests = sorted((path / "tests").glob("*.py"))
    if not tests:
        raise AssignmentError(f"{path}: no tests/*.py in the folder")
    solution = solution or _only_notebook(path, path)
    files = {}
    for entry in sorted(path.iterdir()):
        if entry.name in _SKIP or entry.name.startswith(".") or entry.suffix == ".ipynb":
            continue
        for p in sorted(entry.rglob("*")) if entry.is_dir() else [entry]:
            if p.is_file() and not _SKIP.intersection(p.relative_to(path).parts):
                files[p.relative_to(path).as_posix()] = p.read_bytes()
    questions = [read_test_file(t.read_text(encoding="utf-8"), str(t)) for t in tests]
    return _with_solution(path.name, solution, questions, files)


def _only_notebook(folder: Path, what: Path) -> Path:
    found = sorted(folder.glob("*.ipynb"))
    if len(found) != 1:
        several = f"{len(found)} notebooks" if found else "no notebook"
        raise AssignmentError(f"{what}: {several} in {folder}: give the solution with --solution")
    return found[0]


def _with_solution(
    default: str, solution: Path, questions: list[Question], files: dict[str, bytes]
) -> Parsed:
    nb = read_notebook_strict(solution)
    if any(c.cell_type == "raw" and CONFIG.match(c.source) for c in nb.cells):
        raise AssignmentError(f"{solution} is an otter master notebook: import it by itself")
    parsed = Parsed(default, nb, questions, files)
    kept: list[nbformat.NotebookNode] = []
    manual = 0
    for cell in nb.cells:
        tags = cell.get("metadata", {}).get("tags", [])
        if "otter_answer_cell" in tags:
            continue
        if cell.cell_type == "code":
            checked, cell.source = _strip_otter(cell.source)
            for qname in checked:
                parsed.check_at[qname] = len(kept)
            if not cell.source.strip():
                continue
        elif cell.cell_type == "markdown":
            manual += cell.source.count("<!-- BEGIN QUESTION -->")
            cell.source = re.sub(r"<!-- (BEGIN|END) QUESTION -->\n*", "", cell.source).strip("\n")
            if "otter_assign_solution_cell" in tags:
                cell.source = f"<!-- BEGIN SOLUTION -->\n{cell.source}\n<!-- END SOLUTION -->"
            if not cell.source.strip():
                continue
        kept.append(cell)
    nb.cells = kept
    if manual:
        parsed.notes.append(ImportNote("(assignment)", f"{manual} manually graded question(s) are "
            "not in otter's tests: add each to assignment.toml ([questions.NAME] manual = true, "
            "points = N) and mark its answer cell"))  # fmt: skip
    if not any(has_solution_markers(c.source) for c in kept):
        parsed.notes.append(ImportNote("(assignment)", f"{solution.name} has no solution markers: "
            "mark the answers (# BEGIN SOLUTION, # SOLUTION) before grader release"))  # fmt: skip
    return parsed


def _strip_otter(source: str) -> tuple[list[str], str]:
    """The questions a cell checks, and the cell without its otter statements."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return [], source
    drop: set[int] = set()
    checked: list[str] = []
    for node in tree.body:
        if _is_otter(node):
            drop.update(range(node.lineno, (node.end_lineno or node.lineno) + 1))
            call = node.value if isinstance(node, ast.Expr) else None
            if isinstance(call, ast.Call) and call.args and isinstance(call.args[0], ast.Constant):
                if isinstance(call.func, ast.Attribute) and call.func.attr == "check":
                    checked.append(str(call.args[0].value))
    if not drop:
        return [], source
    lines = [x for i, x in enumerate(source.split("\n"), 1) if i not in drop]
    if all(not x.strip() or x.strip().startswith("#") for x in lines):
        lines = []
    return checked, "\n".join(lines)


def _is_otter(node: ast.stmt) -> bool:
    if isinstance(node, ast.Import | ast.ImportFrom):
        names = [a.name for a in node.names] + [getattr(node, "module", None) or ""]
        return any(n.split(".")[0] == "otter" for n in names)
    value = node.value if isinstance(node, ast.Expr | ast.Assign) else None
    func = value.func if isinstance(value, ast.Call) else None
    if not isinstance(func, ast.Attribute) or not isinstance(func.value, ast.Name):
        return False
    return func.value.id == "otter" or (func.value.id == "grader" and func.attr in _OTTER_CALLS)


# ------------------------------------------------------------------ writing


def _write(parsed: Parsed, dest: Path, name: str) -> None:
    notebook = f"{name}.ipynb"
    questions = {q.name: QuestionConfig(all_or_nothing=q.all_or_nothing, manual=q.manual,
                                        points=q.points if q.manual else 0)
                 for q in parsed.questions if q.all_or_nothing or q.manual}  # fmt: skip
    release = sorted({PurePosixPath(f).parts[0] + ("/" if "/" in f else "") for f in parsed.files})
    if notebook in release:
        raise AssignmentError(f"a released file has the notebook's name {notebook}")
    assignment = Assignment(name=name, root=dest, title=name, notebook=notebook,
                            release=tuple(release), questions=questions)  # fmt: skip
    staging = dest.with_name(f".{dest.name}.importing")
    shutil.rmtree(staging, ignore_errors=True)
    try:
        for rel, data in parsed.files.items():
            (staging / rel).parent.mkdir(parents=True, exist_ok=True)
            (staging / rel).write_bytes(data)
        for q in parsed.questions:
            for kind, text in check_files(q, q.name in parsed.check_at).items():
                (staging / "tests" / kind).mkdir(parents=True, exist_ok=True)
                (staging / "tests" / kind / f"{check_stem(q.name)}.py").write_text(text, "utf-8")
        staging.mkdir(parents=True, exist_ok=True)
        nbformat.write(_with_checkpoints(parsed), staging / notebook)
        (staging / "assignment.toml").write_text(dump_assignment(assignment), "utf-8")
        if dest.exists():
            dest.rmdir()
        staging.rename(dest)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _with_checkpoints(parsed: Parsed) -> nbformat.NotebookNode:
    """The solution notebook with a ``# CHECK: q`` cell where otter checked each question."""
    nb: nbformat.NotebookNode = nbformat.from_dict(parsed.notebook)
    for qname, at in sorted(parsed.check_at.items(), key=lambda item: -item[1]):
        cell = nbformat.v4.new_code_cell(f"# CHECK: {qname}\n# (the checks of {qname} run here)")
        nb.cells.insert(at, cell)
    return nb


def _review_notes(parsed: Parsed) -> list[ImportNote]:
    notes = []
    for q in parsed.questions:
        for case in q.cases:
            reason = kernel_only_reason(case_source(case))
            if reason:
                notes.append(ImportNote(q.name, f"{case.name} runs outside the kernel although "
                                        f"{reason}: review it"))  # fmt: skip
    return notes
