"""Release: build the student's copy ``assignments/<name>/`` from ``solutions/<name>/``.

The notebook loses its solutions, outputs and execution counts; the public checks and the
files listed in ``release`` are copied; hidden checks and hidden data never are.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path

import nbformat

from grader.authoring.markers import MarkerError, strip_code, strip_markdown
from grader.authoring.tomlwrite import dump_assignment
from grader.config import CONFIG_FILE, Assignment
from grader.errors import AssignmentError, ConfigError, ReportError
from grader.notebook import imported_modules, read_notebook_strict
from grader.release_rules import release_source
from grader.variants import build_variant, course_secret


def release(assignment: Assignment, dest: Path) -> Path:
    """Write the student version of ``assignment`` into ``dest`` (replaced if it exists).

    Returns:
        The path of the released notebook (the first, when there are several).

    Raises:
        AssignmentError: the solution notebook is missing or malformed, or a release path
            points at hidden checks or outside the assignment.
        ReportError: ``dest`` cannot be written.
    """
    stripped = {}
    for name in assignment.notebooks:
        path = assignment.root / name
        stripped[name] = strip_notebook(read_notebook_strict(path), path)
    for entry in assignment.release:
        _release_source(assignment, entry)  # exists, and may be released
    try:
        return _write(assignment, stripped, dest)
    except OSError as exc:
        raise ReportError(f"cannot write {dest}: {exc.strerror or exc}") from exc


def release_for_students(assignment: Assignment, dest: Path, students: Sequence[str]) -> Path:
    """Release ``assignment`` into ``dest``, and a copy per student with their data variant.

    Each student's copy is ``dest/students/<student>/``: the release, their files over the
    released ones, and their parameters in ``variant.json``. Returns the folder of the
    students' copies. The course secret is made when there is none.

    Raises:
        AssignmentError, ReportError: as :func:`release`.
        VariantError: the variant generator failed for a student.
        ConfigError: the assignment has no ``[variants]``.
    """
    if not assignment.variants:
        raise ConfigError(
            f"{assignment.name} has no data variants: a roster is only for [variants]"
        )
    course_secret(assignment, create=True)
    release(assignment, dest)
    folder = dest / "students"
    for student in students:
        mine = folder / student
        release(assignment, mine)
        build_variant(assignment, student, mine)
    return folder


def _write(assignment: Assignment, notebooks: dict[str, nbformat.NotebookNode], dest: Path) -> Path:
    staging = dest.with_name(f".{dest.name}.staging")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    for name, nb in notebooks.items():
        nbformat.write(nb, staging / name)
    for src in assignment.files("released"):
        target = staging / src.relative_to(assignment.root)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, target)
    (staging / CONFIG_FILE).write_text(dump_assignment(assignment), encoding="utf-8")
    shutil.rmtree(dest, ignore_errors=True)
    staging.rename(dest)
    return dest / assignment.notebook


def released_imports(assignment: Assignment) -> list[str]:
    """What the students' copies of the notebooks import (not what cannot be read).

    A batch's warm kernels preload these: a solution's own imports would show in every
    kernel's ``sys.modules`` and hint at the answer.
    """
    found: dict[str, None] = {}
    for name in assignment.notebooks:
        path = assignment.root / name
        try:
            released = strip_notebook(read_notebook_strict(path), path)
        except AssignmentError:
            continue
        found.update(dict.fromkeys(imported_modules(released)))
    return list(found)


def strip_notebook(nb: nbformat.NotebookNode, where: Path) -> nbformat.NotebookNode:
    """A copy of ``nb`` with solutions replaced by stubs and every output cleared."""
    out: nbformat.NotebookNode = nbformat.from_dict(nb)
    for index, cell in enumerate(out.cells):
        try:
            if cell.cell_type == "code":
                cell.source = strip_code(cell.source)
                cell.outputs = []
                cell.execution_count = None
            elif cell.cell_type == "markdown":
                cell.source = strip_markdown(cell.source)
        except MarkerError as exc:
            raise AssignmentError(f"{where}: cell {index}: {exc}") from exc
        cell.metadata.pop("execution", None)
    return out


def _release_source(assignment: Assignment, entry: str) -> Path:
    src = release_source(assignment.root, entry, assignment.notebooks)
    if not src.exists():
        raise AssignmentError(
            f"{assignment.root / CONFIG_FILE}: release entry '{entry}' does not exist"
        )
    return src
