"""An answer's shape: its syntax tree without what never runs, and the names a student chose.

:mod:`grader.integrity.units` compares answers by it. Here each cell is cut into *pieces*
(each top-level function or class, and the cell's other statements, imports left out); a
piece's shape is its syntax tree without docstrings, comments and code that never runs
(``if False:`` blocks, statements after a ``return``, ``raise``, ``break`` or ``continue``,
assignments without calls to a name nothing reads or that is bound again before it is read),
every name the student chose numbered in order of first use: a consistent renaming changes
nothing. Names the release defines, builtins, imported names, attributes, keywords and
literals are kept.
"""

from __future__ import annotations

import ast
import builtins
import io
import keyword
import re
import tokenize
from dataclasses import dataclass

BUILTINS = frozenset(dir(builtins))


def parse(cell: str) -> ast.Module | None:
    """The cell's syntax tree, or None: a magic, a syntax error (fingerprints compare it)."""
    try:
        return ast.parse(cell)
    except (SyntaxError, ValueError):
        return None


@dataclass(frozen=True)
class Piece:
    """A function (or a cell's other statements) of a submission, before it joins an answer."""

    shape: str
    names: tuple[str, ...]
    comments: tuple[str, ...]
    size: int
    spans: tuple[tuple[int, int], ...]
    defines: str
    """The function's name ("" for other statements)."""
    calls: frozenset[str]
    used: bool
    """Something in the notebook calls it or the release defines it (other statements: True)."""
    spelling: str = ""
    """How its live code is written, names aside: each token (a name as a mark) with the spaces
    before it, each line's indentation and the blank lines before it (:func:`_spelling`)."""


def pieces(cell: str, tree: ast.Module, at: int, keep: frozenset[str], given: frozenset[str],
           read: set[str]) -> list[Piece]:  # fmt: skip
    """The cell's functions and classes, and its other statements (imports left out).

    ``keep``: the names never numbered (the release's, builtins, imported ones); ``given``: the
    release's; ``read``: every name the notebook reads.
    """
    starts = line_starts(cell)
    comments = _comments(cell)
    tokens = _code_tokens(cell)
    lines_of = [set(range(_first_line(n), (n.end_lineno or n.lineno) + 1)) for n in tree.body]
    defs = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
    groups: list[list[ast.stmt]] = [[node] for node in tree.body if isinstance(node, defs)]
    rest = [n for n in tree.body if not isinstance(n, (*defs, ast.Import, ast.ImportFrom))]
    groups += [rest] if rest else []
    found = []
    for group in groups:
        spans = tuple((_offset(starts, n, True) + at, _offset(starts, n, False) + at)
                      for n in group)  # fmt: skip
        lines = {i for n in group for i in range(n.lineno, (n.end_lineno or n.lineno) + 1)}
        defines = group[0].name if isinstance(group[0], defs) else ""
        module = ast.Module(body=_live(group, read), type_ignores=[])
        names, calls, size = _numbered(module, keep)
        said = tuple(text for line, text in comments if line in lines)
        used = not defines or defines in given or defines in read
        others = set().union(*(s for n, s in zip(tree.body, lines_of, strict=True)
                               if n not in group))  # fmt: skip
        spelling = _spelling(cell, tokens, _live_lines(module), others)
        found.append(
            Piece(ast.dump(module), names, said, size, spans, defines, calls, used, spelling)
        )
    return found


def _first_line(node: ast.stmt) -> int:
    decorators: list[ast.expr] = getattr(node, "decorator_list", [])
    return min([node.lineno, *(d.lineno for d in decorators)])


def _code_tokens(cell: str) -> list[tokenize.TokenInfo]:
    """The cell's tokens but comments, line ends and indentation marks ([] if it cannot be)."""
    skip = (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT,
            tokenize.ENDMARKER)  # fmt: skip
    try:
        return [t for t in tokenize.generate_tokens(io.StringIO(cell).readline)
                if t.type not in skip]  # fmt: skip
    except (tokenize.TokenError, SyntaxError):
        return []


def _live_lines(module: ast.Module) -> set[int]:
    """The lines of the statements that run (a block's header, not its dead body)."""
    live: set[int] = set()
    for node in ast.walk(module):
        if not isinstance(node, ast.stmt) or not hasattr(node, "lineno"):
            continue  # a Pass put in an emptied block
        if any(isinstance(getattr(node, f, None), list) for f in BLOCKS):
            live.update(range(_first_line(node), _header_end(node) + 1))
        else:
            live.update(range(node.lineno, (node.end_lineno or node.lineno) + 1))
    return live


BLOCKS = ("body", "orelse", "finalbody", "handlers", "cases")


def _header_end(node: ast.stmt) -> int:
    """The last line of a block statement's header (its test, target, arguments...)."""
    end = node.lineno
    for name, value in ast.iter_fields(node):
        if name in BLOCKS or name == "decorator_list":
            continue
        for child in value if isinstance(value, list) else [value]:
            if isinstance(child, ast.AST):
                for sub in ast.walk(child):
                    end = max(end, getattr(sub, "end_lineno", None) or end)
    return end


def _spelling(cell: str, tokens: list[tokenize.TokenInfo], live: set[int], others: set[int]) -> str:
    """How the ``live`` lines are written, names aside (a renaming keeps it; respacing does not).

    Per live line: the blank lines since the piece's previous live line (comments and code
    that never runs between them pass unnoticed; another piece's code ends the count), its
    indentation, and each token (every name the same mark) with the spaces before it.
    """
    text = cell.split("\n")
    out: list[str] = []
    previous = 0
    last_row = 0
    end_col = 0
    for tok in tokens:
        row, col = tok.start
        if row not in live:
            continue
        if row != last_row:
            blanks = 0
            if previous:
                between = range(previous + 1, row)
                blanks = -1 if any(r in others for r in between) else sum(
                    1 for r in between if not text[r - 1].strip())  # fmt: skip
            out.append(f"\n{blanks}|{text[row - 1][:col]!r}|")
        else:
            out.append(" " * (col - end_col) if col >= end_col else "~")
        out.append("N" if tok.type == tokenize.NAME and not keyword.iskeyword(tok.string)
                   else tok.string)  # fmt: skip
        end_col = tok.end[1]
        previous = tok.end[0]
        last_row = tok.end[0]
    return "".join(out)


def _numbered(
    module: ast.Module, keep: frozenset[str]
) -> tuple[tuple[str, ...], frozenset[str], int]:
    """Numbers the names a student chose in ``module``, in the order met; keeps the others.

    Returns the names as written (in that order), every name used, and the count of nodes.
    """
    numbers: dict[str, str] = {}
    used: set[str] = set()
    size = -1

    def number(name: str) -> str:
        return name if name in keep else numbers.setdefault(name, f"_{len(numbers)}")

    for node in ast.walk(module):
        size += 1
        if isinstance(node, ast.Name):
            used.add(node.id)
            node.id = number(node.id)
        elif isinstance(node, ast.arg):
            node.arg, node.annotation = number(node.arg), None
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            node.name, node.returns = number(node.name), None
        elif isinstance(node, ast.ClassDef):
            node.name = number(node.name)
    return tuple(numbers), frozenset(used), size


def _live(stmts: list[ast.stmt], read: set[str] | None, body: bool = True) -> list[ast.stmt]:
    """``stmts`` without docstrings, code that never runs, and values nothing ``read``s.

    ``read``: the names read where the statements are (None: keep every assignment).
    """
    out: list[ast.stmt] = []
    for index, stmt in enumerate(stmts):
        if isinstance(stmt, ast.If | ast.While) and _never(stmt.test):
            out += _live(stmt.orelse, read, False) if isinstance(stmt, ast.If) else []
            continue
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
            continue  # a docstring, a bare literal
        if (
            (read is not None and _unread(stmt, read))
            or _overwritten(stmts, index)
            or (isinstance(stmt, ast.Pass) and len(stmts) > 1)
        ):
            continue
        inner = read
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
            inner = {n.id for n in ast.walk(stmt) if isinstance(n, ast.Name)
                     and isinstance(n.ctx, ast.Load)}  # fmt: skip
        elif isinstance(stmt, ast.ClassDef):
            inner = None  # its attributes are read as attributes
        for name in ("body", "orelse", "finalbody"):
            block = getattr(stmt, name, None)
            if isinstance(block, list) and block and isinstance(block[0], ast.stmt):
                setattr(stmt, name, _live(block, inner, name == "body"))
        for handler in getattr(stmt, "handlers", []):
            handler.body = _live(handler.body, inner)
        out.append(stmt)
        if isinstance(stmt, ast.Return | ast.Raise | ast.Continue | ast.Break):
            break  # what follows never runs
    return out or ([ast.Pass()] if body else [])


def _never(test: ast.expr) -> bool:
    return isinstance(test, ast.Constant) and not test.value


def _unread(stmt: ast.stmt, read: set[str]) -> bool:
    """An assignment of a value without calls to names nothing reads."""
    if not isinstance(stmt, ast.Assign) or any(
        not isinstance(t, ast.Name) or t.id in read for t in stmt.targets
    ):
        return False
    return not any(isinstance(n, ast.Call) for n in ast.walk(stmt.value))


def _overwritten(stmts: list[ast.stmt], index: int) -> bool:
    """``stmts[index]`` assigns a value without calls to a name bound again before it is read."""
    stmt = stmts[index]
    if not isinstance(stmt, ast.Assign) or len(stmt.targets) != 1 or not _unread(stmt, set()):
        return False
    target = stmt.targets[0].id if isinstance(stmt.targets[0], ast.Name) else ""
    for later in stmts[index + 1 :]:
        source = later.iter if isinstance(later, ast.For) else getattr(later, "value", later)
        if isinstance(later, ast.For | ast.Assign) and source is not None and target not in {
            n.id for n in ast.walk(source) if isinstance(n, ast.Name)
        }:  # fmt: skip
            bound = later.targets if isinstance(later, ast.Assign) else [later.target]
            if any(isinstance(t, ast.Name) and t.id == target for t in bound):
                return True
        if any(isinstance(n, ast.Name) and n.id == target for n in ast.walk(later)):
            return False
    return False


def _comments(cell: str) -> list[tuple[int, str]]:
    """Each comment's line and words (lower case), but the released ``# YOUR CODE HERE``."""
    found = []
    try:
        for tok in tokenize.generate_tokens(io.StringIO(cell).readline):
            if tok.type == tokenize.COMMENT:
                words = " ".join(re.findall(r"\w+", tok.string.lower()))
                if words and words != "your code here":
                    found.append((tok.start[0], words))
    except (tokenize.TokenError, SyntaxError):
        return []
    return found


def line_starts(cell: str) -> list[int]:
    """The offset of each line of ``cell`` (a line ends at a newline, as the tokenizer reads)."""
    starts = [0]
    for line in cell.split("\n"):
        starts.append(starts[-1] + len(line) + 1)
    return starts


def _offset(starts: list[int], node: ast.stmt, first: bool) -> int:
    """Where ``node`` starts (its decorators included) or ends in its cell."""
    if first:
        decorators: list[ast.expr] = getattr(node, "decorator_list", [])
        return starts[min([node.lineno, *(d.lineno for d in decorators)]) - 1]
    return starts[(node.end_lineno or node.lineno) - 1] + (node.end_col_offset or 0)
