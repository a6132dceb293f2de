"""Reading an otter-assign master notebook (v1 format), raw-cell or Markdown-fence spelling.

Part of ``grader import otter`` (:mod:`grader.authoring.importing.otter`): the master's
boundary cells, question configs, solutions and test cells become a :class:`Parsed`
assignment, which the importer writes in our format.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import nbformat

from grader.authoring.importing import ImportNote
from grader.authoring.importing.otter_tests import (
    Case,
    Points,
    Question,
    question,
    yaml_subset,
)
from grader.errors import AssignmentError
from grader.notebook import read_notebook_strict

_BOUNDARY = re.compile(r"#\s+(begin|end)\s+(question|prompt|solution|tests)\b", re.IGNORECASE)
CONFIG = re.compile(r"#\s+assignment\s+config\b", re.IGNORECASE)
_TESTCONFIG = re.compile(r'(?:.\s*=\s*)?""?"?\s*#\s*BEGIN\s*TEST\s*CONFIG', re.IGNORECASE)
_TEST_CONFIG_END = re.compile(r'""?"?\s*#\s*END\s*TEST\s*CONFIG', re.IGNORECASE)


@dataclass
class Parsed:
    """What the three input forms produce, before anything is written."""

    default_name: str
    notebook: nbformat.NotebookNode
    questions: list[Question]
    files: dict[str, bytes]
    notes: list[ImportNote] = field(default_factory=list)
    check_at: dict[str, int] = field(default_factory=dict)
    """Question → index of the first solution cell after its check cell."""


# ------------------------------------------------------------------ the master notebook


def from_master(path: Path) -> Parsed:
    """Read the master notebook at ``path`` (either spelling) into a :class:`Parsed`."""
    nb = read_notebook_strict(path)
    cells = expand_fences(nb.cells, path)
    configs = [c for c in cells if c.cell_type == "raw" and CONFIG.match(c.source)]
    if not configs:
        raise AssignmentError(f"{path}: not an otter master notebook (no # ASSIGNMENT CONFIG cell)")
    config = yaml_subset(_after_first_line(configs[0].source), f"{path}: ASSIGNMENT CONFIG")
    ok_format = (config.get("tests") or {}).get("ok_format", True) is not False
    walk = _MasterWalk(path, ok_format)
    for cell in cells:
        walk.visit(cell)
    if walk.question is not None:
        raise AssignmentError(f"{path}: question {walk.question['name']} has no # END QUESTION")
    kept = nbformat.from_dict(nb)
    kept.cells = walk.kept
    files = _master_files(path.parent, config.get("files") or [], path)
    default = str(config.get("name") or path.stem)
    return Parsed(default, kept, walk.questions, files, walk.notes, walk.check_at)


class _MasterWalk:
    """Walks the master's cells: keeps the notebook's, collects questions and their tests."""

    def __init__(self, path: Path, ok_format: bool) -> None:
        self.path, self.ok_format = path, ok_format
        self.kept: list[nbformat.NotebookNode] = []
        self.questions: list[Question] = []
        self.notes: list[ImportNote] = []
        self.check_at: dict[str, int] = {}
        self.question: dict[str, Any] | None = None
        self.block = ""
        self.raw: list[tuple[Case, Points | None]] = []
        self.answered = False

    def visit(self, cell: nbformat.NotebookNode) -> None:
        boundary = _BOUNDARY.match(cell.source) if cell.cell_type == "raw" else None
        if boundary:
            self._boundary(boundary.group(1).lower(), boundary.group(2).lower(), cell.source)
        elif cell.cell_type == "raw" and CONFIG.match(cell.source):
            return
        elif self.block == "tests":
            if cell.cell_type == "code" and cell.source.strip():
                self.raw.append(master_case(cell, self.ok_format, self._where()))
        elif self.block == "prompt":
            self._note("its prompt cell is left out: students get our answer stub instead")
        elif self.block == "solution":
            self.kept.append(self._solution_cell(cell))
        else:
            self.kept.append(cell)

    def _boundary(self, edge: str, kind: str, source: str) -> None:
        where = self._where()
        if kind == "question" and edge == "begin":
            if self.question is not None:
                raise AssignmentError(f"{where}: BEGIN QUESTION inside a question")
            config = yaml_subset(_after_first_line(source), f"{where}: BEGIN QUESTION")
            if "name" not in config:
                raise AssignmentError(f"{where}: a question without a name")
            self.question, self.raw, self.answered = config, [], False
        elif kind == "question":
            if self.question is None:
                raise AssignmentError(f"{where}: END QUESTION without BEGIN QUESTION")
            self.questions.append(question(self.question, self.raw, where))
            self.question = None
        elif self.question is None:
            raise AssignmentError(f"{where}: {edge.upper()} {kind.upper()} outside a question")
        else:
            self.block = kind if edge == "begin" else ""
            if kind == "tests" and edge == "end" and self.question.get("check_cell", True):
                self.check_at[str(self.question["name"])] = len(self.kept)

    def _solution_cell(self, cell: nbformat.NotebookNode) -> nbformat.NotebookNode:
        cell = nbformat.from_dict(cell)
        if cell.cell_type == "code":
            cell.source = _otter_markers(cell.source)
        elif cell.cell_type == "markdown":
            cell.source = f"<!-- BEGIN SOLUTION -->\n{cell.source}\n<!-- END SOLUTION -->"
        if self.question is not None and self.question.get("manual") and not self.answered:
            mark = "# MANUAL" if cell.cell_type == "code" else "<!-- MANUAL"
            end = "" if cell.cell_type == "code" else " -->"
            cell.source = f"{mark}: {self.question['name']}{end}\n{cell.source}"
            self.answered = True
        return cell

    def _where(self) -> str:
        q = f" (question {self.question['name']})" if self.question else ""
        return f"{self.path}: cell {len(self.kept) + 1}{q}"

    def _note(self, text: str) -> None:
        qname = str(self.question["name"]) if self.question else "(assignment)"
        if ImportNote(qname, text) not in self.notes:
            self.notes.append(ImportNote(qname, text))


def master_case(
    cell: nbformat.NotebookNode, ok_format: bool, where: str
) -> tuple[Case, Points | None]:
    """A test cell of the master as otter-assign reads it (module docstring), with its points."""
    lines = cell.source.split("\n")
    hidden = lines[0].lstrip().startswith("#") and bool(re.search(r"\bhidden\b", lines[0], re.I))
    start, config = (1 if hidden else 0), {}
    if _TESTCONFIG.match(lines[0]):
        end = next((i for i, line in enumerate(lines) if _TEST_CONFIG_END.match(line)), len(lines))
        config = yaml_subset("\n".join(lines[1:end]), f"{where}: TEST CONFIG")
        start = end + 1
    try:
        tree = ast.parse("\n".join(lines[start:]))
    except SyntaxError as exc:
        raise AssignmentError(f"{where}: a test cell is not valid Python: {exc.msg}") from None
    hidden = bool(config.get("hidden", hidden))
    points = config.get("points")
    if ok_format:
        output = "".join(_output_text(o) for o in cell.get("outputs", []))
        body = "\n".join(_doctest_lines(tree) + output.split("\n"))
        return Case("", hidden, 0, "doctest", body), points
    func = next((n for n in tree.body if isinstance(n, ast.FunctionDef)), None)
    if func is None:
        raise AssignmentError(f"{where}: an exception-based test cell without a function")
    return Case("", hidden, 0, "exception", ast.unparse(func), func.name), points


def _output_text(output: Any) -> str:
    text = output.get("text", "")
    plain = output.get("data", {}).get("text/plain", "")
    return "".join(text) + ("".join(plain) if isinstance(plain, list) else plain)


def _doctest_lines(tree: ast.Module) -> list[str]:
    out: list[str] = []
    for statement in tree.body:
        first, *rest = ast.unparse(statement).split("\n")
        out += [f">>> {first}", *(f"... {line}" for line in rest)]
    return out


def _otter_markers(source: str) -> str:
    lines = [line for line in source.split("\n") if not re.search(r"#\s*IGNORE\s*$", line)]
    lines = [re.sub(r"#\s*(BEGIN SOLUTION|SOLUTION) NO PROMPT\s*$", r"# \1", x) for x in lines]
    out, ignoring = [], False
    for line in lines:
        if re.match(r"\s*#\s*BEGIN\s*IGNORE", line, re.I) or re.match(
            r"\s*#\s*END\s*IGNORE", line, re.I
        ):
            ignoring = not ignoring
        elif not ignoring:
            out.append(line)
    return "\n".join(out)


def _after_first_line(source: str) -> str:
    return source.split("\n", 1)[1] if "\n" in source else ""


def expand_fences(cells: list[nbformat.NotebookNode], where: Path) -> list[nbformat.NotebookNode]:
    """Every ```` ```otter ```` fence of a Markdown cell as a raw cell, the text around kept."""
    out: list[nbformat.NotebookNode] = []
    for index, cell in enumerate(cells):
        lines = cell.source.split("\n")
        if cell.cell_type != "markdown" or not any(x.strip() == "```otter" for x in lines):
            out.append(cell)
            continue
        pieces: list[tuple[str, list[str]]] = [("markdown", [])]
        for line in lines:
            if line.strip() == "```otter" and pieces[-1][0] == "markdown":
                pieces.append(("raw", []))
            elif line.strip() == "```" and pieces[-1][0] == "raw":
                pieces.append(("markdown", []))
            else:
                pieces[-1][1].append(line)
        if pieces[-1][0] == "raw":
            raise AssignmentError(f"{where}: cell {index + 1}: unclosed ```otter block")
        for kind, text in pieces:
            if any(x.strip() for x in text):
                body = "\n".join(text).strip("\n")
                raw = kind == "raw"
                out.append(
                    nbformat.v4.new_raw_cell(body) if raw else nbformat.v4.new_markdown_cell(body)
                )
    return out


def _master_files(root: Path, entries: list[Any], where: Path) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    for entry in entries:
        rel = PurePosixPath(str(entry))
        if rel.is_absolute() or ".." in rel.parts:
            raise AssignmentError(f"{where}: files entry '{entry}' is outside the master's folder")
        src = root / rel
        found = sorted(p for p in src.rglob("*") if p.is_file()) if src.is_dir() else [src]
        for p in found:
            if not p.is_file():
                raise AssignmentError(f"{where}: files entry '{entry}' does not exist")
            files[p.relative_to(root).as_posix()] = p.read_bytes()
    return files
