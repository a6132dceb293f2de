"""Reading notebooks: strictly for the instructor's files, defensively for submissions.

A submission that cannot be read is not an error of the grader: :func:`read_submission`
returns the reason, and the caller records the submission as not gradable.

Students hand in text too, read by jupytext into the same notebook: a ``.py`` file in the
percent format (``# %%`` cells) or, without any ``# %%`` line, a plain script (one code cell);
a ``.md`` file (Markdown with fenced code); a ``.qmd`` Quarto document (its ``{python}`` chunks,
read as R Markdown, whose chunk syntax Quarto shares).
"""

from __future__ import annotations

import ast
import functools
import json
import re
import warnings
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbformat.validator import ValidationError

from grader.errors import AssignmentError

MAX_NOTEBOOK_BYTES = 64 * 1024 * 1024
TEXT_SUFFIXES = (".py", ".md", ".qmd")
"""Files that stand for a notebook of the same stem (``<stem>.py`` for ``<stem>.ipynb``)."""
_PERCENT = re.compile(r"^# ?%%", re.MULTILINE)


@dataclass(frozen=True)
class Unreadable:
    """Why a submission's notebook could not be read."""

    reason: str


def parse_notebook(raw: bytes) -> nbformat.NotebookNode | Unreadable:
    """Parse and validate notebook JSON (any nbformat 4.x, or 3 converted to 4)."""
    if len(raw) > MAX_NOTEBOOK_BYTES:
        return Unreadable(f"the notebook is larger than {MAX_NOTEBOOK_BYTES >> 20} MiB")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return Unreadable("the notebook is not UTF-8 text")
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        return Unreadable(f"the notebook is not valid JSON ({exc})")
    if not isinstance(data, dict) or not isinstance(data.get("nbformat"), int):
        return Unreadable("the file is JSON but not a Jupyter notebook (no 'nbformat' number)")
    major = data["nbformat"]
    if major not in (3, 4):
        return Unreadable(f"unsupported notebook format version {major} (expected 4)")
    try:
        with warnings.catch_warnings():
            # nbformat warns about what it repairs (duplicate cell ids, ...): fine for a submission.
            warnings.simplefilter("ignore")
            nb: nbformat.NotebookNode = nbformat.reads(text, as_version=4)
            nbformat.validate(nb)
    except (ValidationError, nbformat.reader.NotJSONError, KeyError, TypeError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return Unreadable(f"the notebook's structure is invalid: {first[:300]}")
    except Exception as exc:  # nbformat raises assorted errors on odd documents
        return Unreadable(f"the notebook could not be read: {type(exc).__name__}: {exc}"[:400])
    return nb


def read_submission(path: Path) -> nbformat.NotebookNode | Unreadable:
    """Read a student's notebook (or a text file standing for one), or say why it cannot be."""
    try:
        with path.open("rb") as fh:
            raw = fh.read(MAX_NOTEBOOK_BYTES + 1)
    except OSError as exc:
        return Unreadable(f"the notebook could not be opened: {exc.strerror or exc}")
    if path.suffix.lower() in TEXT_SUFFIXES:
        return parse_text_notebook(raw, path.suffix.lower())
    return parse_notebook(raw)


def parse_text_notebook(raw: bytes, suffix: str) -> nbformat.NotebookNode | Unreadable:
    """A ``.py``, ``.md`` or ``.qmd`` file read as the notebook it stands for."""
    if len(raw) > MAX_NOTEBOOK_BYTES:
        return Unreadable(f"the file is larger than {MAX_NOTEBOOK_BYTES >> 20} MiB")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return Unreadable(f"the {suffix} file is not UTF-8 text")
    if suffix == ".py" and not _PERCENT.search(text):
        script: nbformat.NotebookNode = nbformat.v4.new_notebook(
            cells=[nbformat.v4.new_code_cell(text.strip("\n"))]
        )
        return script
    fmt = {".py": "py:percent", ".md": "md", ".qmd": "Rmd"}[suffix]
    try:
        import jupytext  # only for the files that need it (it imports a good deal)

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            nb: nbformat.NotebookNode = jupytext.reads(text, fmt=fmt)
            nbformat.validate(nb)
    except Exception as exc:  # jupytext raises assorted errors on odd documents
        return Unreadable(f"the {suffix} file could not be read as a notebook: {exc}"[:400])
    return nb


def read_notebook_strict(path: Path) -> nbformat.NotebookNode:
    """Read an instructor's notebook.

    Raises:
        AssignmentError: the file is missing or not a valid notebook.
    """
    if not path.is_file():
        raise AssignmentError(f"notebook not found: {path}")
    nb = read_submission(path)
    if isinstance(nb, Unreadable):
        raise AssignmentError(f"{path}: {nb.reason}")
    return nb


def code_cells(nb: nbformat.NotebookNode) -> list[tuple[int, str]]:
    """``(index, source)`` of every code cell."""
    return [(i, c.source) for i, c in enumerate(nb.cells) if c.cell_type == "code"]


def imported_modules(nb: nbformat.NotebookNode) -> list[str]:
    """The absolute imports of a notebook's code cells, in order (what its kernels will need)."""
    found: dict[str, None] = {}
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:  # IPython magics and the like
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found.update(dict.fromkeys(alias.name for alias in node.names))
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found[node.module] = None
    return list(found)


def structure_notes(nb: nbformat.NotebookNode, released: Path) -> list[str]:
    """What a student's notebook does differently in its structure from the release.

    Notes only: it is graded by its code either way. ``released`` is the notebook the release
    was made from (the solution, which has the release's cells); nothing is said when it is
    not there. Editors and students add, delete, split and merge cells (Colab, VS Code and
    JupyterLite save the same cells with metadata of their own, which does not count).
    """
    notes = []
    kernelspec = nb.get("metadata", {}).get("kernelspec", {})
    language = str(kernelspec.get("language", "python") or "python")
    if language.lower() != "python":
        shown = kernelspec.get("display_name") or kernelspec.get("name") or language
        notes.append(f"the notebook's kernelspec is {shown} ({language}): graded as Python")
    expected = _code_cell_count(released, _mtime(released))
    found = sum(1 for cell in nb.cells if cell.cell_type == "code")
    if expected is not None and found != expected:
        notes.append(
            f"the notebook has {found} code cells where the release has {expected} (cells "
            "added, deleted, split or merged): graded by its code as it is"
        )
    return notes


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


@functools.lru_cache(maxsize=32)
def _code_cell_count(path: Path, _mtime: float) -> int | None:
    """The code cells of the notebook at ``path`` (read once per version), None if unreadable."""
    nb = read_submission(path) if path.is_file() else None
    if nb is None or isinstance(nb, Unreadable):
        return None
    return sum(1 for cell in nb.cells if cell.cell_type == "code")
