"""Each answer compared as a whole, its evidence weighed by how many others gave it too.

Winnowed fingerprints (:mod:`grader.integrity.similarity`) measure how much of a submission
another one shares, but in a cohort of hundreds two students who chose the same common
implementations share as many fingerprints as a copy does. So each submission is cut into
*answers*: each top-level function or class something uses, joined with the helper functions
it calls (and theirs), and each cell's other statements (imports left out). An answer is
described by

* its **shape** (:mod:`grader.integrity.shapes`: the syntax tree without docstrings,
  comments and code that never runs, the names the student chose numbered in order of first
  use, so that a consistent renaming changes nothing). A function nothing in the notebook
  calls, that the release does not define (when it defines functions: the stubs) and that
  fewer than a quarter of the cohort (or 2) define too is dead code: no answer;
* three *aspects* of how it is written beyond its shape: the **names** as written, the
  **comments** (their words, lower case) and the **spelling** of its live code (the spaces
  around and between its tokens, its indentation, the blank lines between its lines, quotes
  and brackets as written: what a renaming keeps and respacing does not).

:mod:`grader.integrity.evidence` weighs what two answers of one shape agree on.
"""

from __future__ import annotations

import ast
import hashlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from grader.integrity.shapes import BUILTINS, Piece, parse, pieces

CELL_GAP = "\n\n"
"""Between two cells in a submission's code text (as :class:`similarity.Code` joins them)."""
MIN_SIZE = 8
"""A unit smaller than this (syntax nodes) is an idiom, never evidence."""


@dataclass(frozen=True)
class Unit:
    """One answer: a function or class with its helpers, or the other statements of a cell."""

    shape: str
    """A digest of its shape."""
    aspects: tuple[str, str, str]
    """Digests of how it is written beyond its shape: the names as written, the comments, the
    spelling (spaces, blank lines, quotes, brackets); "" for one it lacks (no name chosen, no
    comment)."""
    size: int
    """Syntax nodes of its shape."""
    spans: tuple[tuple[int, int], ...]
    """Where it is in the submission's code text: (start, end) character offsets."""
    defines: tuple[str, ...] = ()
    """The functions and classes it defines."""
    used: bool = True
    """Something in the notebook calls it, or the release defines it. When not, it is dead code
    unless many in the cohort define a function of its name too (the checks call it)."""


@dataclass(frozen=True)
class UnitMatch:
    """What two submissions' units share."""

    similarity: float
    spans_a: tuple[tuple[int, int], ...]
    spans_b: tuple[tuple[int, int], ...]


def defined_names(cells: Sequence[str], functions: bool = False) -> frozenset[str]:
    """Every name the (released) ``cells`` bind, or only its functions and classes.

    The release's names are kept as written in every student's shapes.
    """
    names: set[str] = set()
    for tree in filter(None, map(parse, cells)):
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                names.add(node.name)
            elif functions:
                continue
            elif isinstance(node, ast.arg):
                names.add(node.arg)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
            elif isinstance(node, ast.Import | ast.ImportFrom):
                names.update((a.asname or a.name).split(".")[0] for a in node.names)
    return frozenset(names)


def code_units(
    cells: Sequence[str], given: frozenset[str] = frozenset(), stubs: frozenset[str] = frozenset()
) -> list[Unit]:
    """The units of a submission's cells, with offsets into the cells joined by CELL_GAP.

    ``given``: the names the released notebook defines (never renamed, never dead code);
    ``stubs``: its functions. When it has none, every function counts: nothing tells the ones
    the checks call from dead code.
    """
    trees = [parse(cell) for cell in cells]
    read: set[str] = set()
    kept = set(given | BUILTINS)
    for node in (n for t in trees if t is not None for n in ast.walk(t)):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            read.add(node.id)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            kept.update((a.asname or a.name).split(".")[0] for a in node.names)
    keep = frozenset(kept)
    if not stubs:
        defs = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
        read.update(n.name for t in trees if t for n in t.body if isinstance(n, defs))
    found: list[Piece] = []
    at = 0
    for cell, tree in zip(cells, trees, strict=True):
        if tree is not None:
            found += pieces(cell, tree, at, keep, given, read)
        at += len(cell) + len(CELL_GAP)
    return [unit for group in _answers(found, given) if (unit := _unit(group)) is not None]


def _answers(pieces: list[Piece], given: frozenset[str]) -> list[list[Piece]]:
    """The pieces grouped into answers: a function with the helpers it calls, and theirs."""
    helpers = {p.defines: i for i, p in enumerate(pieces) if p.defines and p.defines not in given}
    root = list(range(len(pieces)))

    def find(i: int) -> int:
        while root[i] != i:
            root[i] = root[root[i]]
            i = root[i]
        return i

    for i, piece in enumerate(pieces):
        if piece.defines:
            for name in piece.calls & helpers.keys():
                root[find(helpers[name])] = find(i)
    groups: dict[int, list[Piece]] = defaultdict(list)
    for i, piece in enumerate(pieces):
        groups[find(i)].append(piece)
    return list(groups.values())


def _unit(group: list[Piece]) -> Unit | None:
    """The answer of ``group``'s pieces, or None when it is an idiom."""
    size = sum(p.size for p in group)
    if size < MIN_SIZE:
        return None
    group = sorted(group, key=lambda p: p.shape)
    shape = "\n".join(p.shape for p in group)
    names = "\x1f".join(n for p in group for n in (*p.names, "|"))
    comments = "\x1f".join(c for p in group for c in (*p.comments, "|"))
    spelling = "\x1f".join(p.spelling for p in group)
    aspects = (
        _digest("names", names) if any(p.names for p in group) else "",
        _digest("comments", comments) if any(p.comments for p in group) else "",
        _digest("spelling", spelling) if any(p.spelling for p in group) else "",
    )
    spans = tuple(sorted(s for p in group for s in p.spans))
    defines = tuple(sorted(p.defines for p in group if p.defines))
    return Unit(_digest(shape), aspects, size, spans, defines, any(p.used for p in group))


def _digest(*parts: str) -> str:
    return hashlib.blake2b("\x1e".join(parts).encode("utf-8"), digest_size=10).hexdigest()
