"""Each answer compared as a whole, its evidence weighed by how many others gave it too.

Winnowed fingerprints (:mod:`grader.integrity.similarity`) measure how much of a submission
another one shares, but in a cohort of hundreds two students who chose the same common
implementations share as many fingerprints as a copy does. So each submission is cut into
*answers*: each top-level function or class something uses, joined with the helper functions
it calls (and theirs), and each cell's other statements (imports left out). An answer is
described at four levels:

* its **shape** (:mod:`grader.integrity.shapes`: the syntax tree without docstrings,
  comments and code that never runs, the names the student chose numbered in order of first
  use, so that a consistent renaming changes nothing). A function nothing in the notebook
  calls, that the release does not define (when it defines functions: the stubs) and that
  fewer than a quarter of the cohort (or 2) define too is dead code: no answer;
* the shape and the **names** as written;
* the shape and the **comments** (their words, lower case);
* the shape, the names and the comments.

Two submissions with an answer of the same shape have evidence for a copy by the finest level
on which they agree and by how many *other* students of the cohort agree with them on it
(``others``): ``log((n - 1 + PRIOR_OTHERS) / (others + 1))``, the surprise of that answer if
the second student had written like a random other one (add-one smoothed), less for an answer
smaller than :data:`FULL_SIZE` syntax nodes. Evidence from shapes alone counts in proportion to
the *coverage*: the share of the smaller side's answers the two have in common (a disguised
copy has all of its source's answers; independent students who chose one implementation
often wrote it in the same shape, on some questions, not on all). A shape more than
``common_share`` of the cohort wrote (and more than :data:`COMMON_MIN`) is boilerplate.

A pair is flagged (similarity 0.5) when its evidence reaches ``log(pairs compared) +``
:data:`SIGNIFICANCE`: evidence that chance alone would give about one pair in ``e ** 2`` (7)
cohorts, if students chose their answers independently of each other; the similarity is the
evidence over twice that, at most 1.
"""

from __future__ import annotations

import ast
import hashlib
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations

from grader.integrity.shapes import BUILTINS, Piece, parse, pieces

CELL_GAP = "\n\n"
"""Between two cells in a submission's code text (as :class:`similarity.Code` joins them)."""
MIN_SIZE = 8
"""A unit smaller than this (syntax nodes) is an idiom, never evidence."""
FULL_SIZE = 30
"""A unit this big (a few lines) weighs fully; a smaller one in proportion."""
PRIOR_OTHERS = 10
"""Students assumed to have written something else besides the cohort (a small cohort cannot
say by itself that an answer is rare)."""
SIGNIFICANCE = 2.0
"""Evidence (natural log) beyond the number of pairs compared that a flagged pair needs."""
COMMON_MIN = 4
"""An answer's shape is boilerplate only when more than this many submissions have it too."""


@dataclass(frozen=True)
class Unit:
    """One answer: a function or class with its helpers, or the other statements of a cell."""

    levels: tuple[str, str, str, str]
    """Digests of the shape, the shape and names, the shape and comments, all three ("" for a
    level it lacks: no name chosen, no comment)."""
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
    named = any(p.names for p in group)
    said = any(p.comments for p in group)
    levels = (
        _digest(shape), _digest(shape, names) if named else "",
        _digest(shape, "#", comments) if said else "",
        _digest(shape, names, "#", comments) if named and said else "",
    )  # fmt: skip
    spans = tuple(sorted(s for p in group for s in p.spans))
    defines = tuple(sorted(p.defines for p in group if p.defines))
    return Unit(levels, size, spans, defines, any(p.used for p in group))


def _digest(*parts: str) -> str:
    return hashlib.blake2b("\x1e".join(parts).encode("utf-8"), digest_size=10).hexdigest()


def unit_matches(
    units: dict[str, list[Unit]], cohort: Iterable[str], given: Iterable[Unit] = (),
    common_share: float = 0.25,
) -> dict[tuple[str, str], UnitMatch]:  # fmt: skip
    """Every pair (of ``units``' keys, in sorted order) sharing an answer's shape not in ``given``.

    Rarity counts in the ``cohort`` only (a reference is not one of the others who wrote an
    answer). References are never paired together.
    """
    members = set(cohort)
    n = len(members)
    left_out = {u.levels[0] for u in given}
    df: Counter[str] = Counter()
    for name in members & set(units):
        df.update({level for u in units[name] for level in u.levels if level})
    common = max(COMMON_MIN, common_share * n)
    defining = Counter(f for name in members & set(units) for f in
                       {f for u in units[name] for f in u.defines})  # fmt: skip
    holders: dict[str, dict[str, Unit]] = defaultdict(dict)
    for name, found in units.items():
        for unit in found:
            shape = unit.levels[0]
            dead = not unit.used and all(
                defining[f] < max(2, common_share * n) for f in unit.defines
            )
            if not dead and shape not in left_out and df[shape] <= common:
                holders[shape].setdefault(name, unit)
    counted = {name: sum(1 for u in {u.levels[0] for u in found} if name in holders.get(u, {}))
               for name, found in units.items()}  # fmt: skip
    fine: dict[tuple[str, str], float] = defaultdict(float)
    shaped: dict[tuple[str, str], float] = defaultdict(float)
    shared: Counter[tuple[str, str]] = Counter()
    spans: dict[tuple[str, str], tuple[list[tuple[int, int]], list[tuple[int, int]]]] = {}
    for by_name in holders.values():
        for a, b in combinations(sorted(by_name), 2):
            if a not in members and b not in members:
                continue  # two references
            one, two = by_name[a], by_name[b]
            level = max(i for i in range(4) if one.levels[i] and one.levels[i] == two.levels[i])
            others = df[one.levels[level]] - (a in members) - (b in members)
            evidence = math.log((n - 1 + PRIOR_OTHERS) / (others + 1))
            evidence *= min(1.0, min(one.size, two.size) / FULL_SIZE)
            if level:
                fine[a, b] += evidence
            else:
                shaped[a, b] += evidence
            shared[a, b] += 1
            where = spans.setdefault((a, b), ([], []))
            where[0].extend(one.spans)
            where[1].extend(two.spans)
    references = len(set(units) - members)
    needed = math.log(max(1.0, n * (n - 1) / 2 + n * references)) + SIGNIFICANCE
    matches = {}
    for pair, where in spans.items():
        coverage = shared[pair] / max(1, min(counted[pair[0]], counted[pair[1]]))
        value = (fine[pair] + shaped[pair] * coverage) / (2 * needed)
        if value > 0:
            matches[pair] = UnitMatch(min(1.0, value), tuple(sorted(where[0])),
                                      tuple(sorted(where[1])))  # fmt: skip
    return matches
