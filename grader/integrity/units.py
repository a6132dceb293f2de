"""Whole pieces of code two students wrote token for token: the evidence of a partial copy.

Winnowed fingerprints (:mod:`grader.integrity.similarity`) measure how much of a submission
another one shares; a student who copied two of six answers into otherwise own work shares a
third, as do two students who chose the same common approaches. What tells them apart is the
text: names, literals and comments as written. So each submission is also cut into *units*
(each top-level function or class of a cell, and the rest of the cell's statements, imports
left out) and each unit is keyed by its tokens as written (whitespace ignored: re-indenting
hides nothing). A unit two submissions share token for token is evidence by how rare it is:
one nobody else in the cohort wrote weighs 1, one that ``df`` submissions share weighs
``log(n / (df - 1)) / log(n)``, a short one (under :data:`FULL_TOKENS` tokens) less. A pair's
unit similarity is its evidence over :data:`UNITS_FOR_ONE`.

The fingerprints still catch a renamed copy of the whole notebook; a renamed copy of a few
short functions that many students wrote alike is not evidence any text can give.
"""

from __future__ import annotations

import ast
import io
import math
import re
import tokenize
import zlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations

CELL_GAP = "\n\n"
"""Between two cells in a submission's code text (as :class:`similarity.Code` joins them)."""
MIN_TOKENS = 8
"""A unit shorter than this (tokens, comments included) is an idiom, never evidence."""
FULL_TOKENS = 25
"""A unit this long (a few lines) weighs fully; a shorter one in proportion."""
UNITS_FOR_ONE = 3.0
"""Evidence for similarity 1: three units nobody else wrote (one is 1/3, two 2/3)."""


@dataclass(frozen=True)
class Unit:
    """One function, class, or the other statements of a cell, keyed by its tokens."""

    key: int
    """A hash of the tokens as written: names, literals and comments kept, whitespace not."""
    tokens: int
    spans: tuple[tuple[int, int], ...]
    """Where it is in the submission's code text: (start, end) character offsets."""


@dataclass(frozen=True)
class UnitMatch:
    """What two submissions share token for token."""

    similarity: float
    spans_a: tuple[tuple[int, int], ...]
    spans_b: tuple[tuple[int, int], ...]


def code_units(cells: Sequence[str]) -> list[Unit]:
    """The units of a submission's cells, with offsets into the cells joined by CELL_GAP."""
    units: list[Unit] = []
    at = 0
    for cell in cells:
        tokens = _tokens(cell)
        for spans in _unit_spans(cell):
            inside = [text for start, text in tokens if any(s <= start < e for s, e in spans)]
            if len(inside) >= MIN_TOKENS:
                key = zlib.crc32("\x1f".join(inside).encode("utf-8"))
                shifted = tuple((s + at, e + at) for s, e in spans)
                units.append(Unit(key, len(inside), shifted))
        at += len(cell) + len(CELL_GAP)
    return units


def _tokens(cell: str) -> list[tuple[int, str]]:
    """The cell's tokens (offset, text) as written, but for whitespace; comments trimmed.

    Python's tokenizer; a cell it cannot read is cut into words.
    """
    starts = _line_starts(cell)
    skip = {tokenize.NEWLINE, tokenize.NL, tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER}
    found = []
    try:
        for tok in tokenize.generate_tokens(io.StringIO(cell).readline):
            text = " ".join(tok.string.lstrip("#").split()) if tok.type == tokenize.COMMENT else (
                tok.string)  # fmt: skip
            if tok.type not in skip and text:
                found.append((starts[tok.start[0] - 1] + tok.start[1], text))
    except (tokenize.TokenError, SyntaxError):
        return [(m.start(), m.group()) for m in re.finditer(r"\S+", cell)]
    return found


def _line_starts(cell: str) -> list[int]:
    """The offset of each line of ``cell`` (a line ends at a newline, as the tokenizer reads)."""
    starts = [0]
    for line in cell.split("\n"):
        starts.append(starts[-1] + len(line) + 1)
    return starts


def _unit_spans(cell: str) -> list[tuple[tuple[int, int], ...]]:
    """Each top-level function or class of ``cell``, then its other statements but imports.

    A cell Python cannot parse (a magic, a syntax error) is one unit.
    """
    try:
        tree = ast.parse(cell)
    except (SyntaxError, ValueError):
        return [((0, len(cell)),)]
    starts = _line_starts(cell)

    def span(node: ast.stmt) -> tuple[int, int]:
        first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
        end = starts[(node.end_lineno or node.lineno) - 1] + (node.end_col_offset or 0)
        return starts[first - 1], end

    defs = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
    units = [(span(node),) for node in tree.body if isinstance(node, defs)]
    rest = tuple(
        span(node)
        for node in tree.body
        if not isinstance(node, (*defs, ast.Import, ast.ImportFrom))
    )
    return units + ([rest] if rest else [])


def unit_matches(
    units: dict[str, list[Unit]], cohort: Iterable[str], given: Iterable[Unit] = (),
    common_share: float = 0.25,
) -> dict[tuple[str, str], UnitMatch]:  # fmt: skip
    """Every pair (of ``units``' keys, in sorted order) sharing a unit not in ``given``.

    Rarity counts in the ``cohort`` only (a reference adds itself); a unit more than
    ``common_share`` of the cohort wrote is boilerplate. References are never paired together.
    """
    members = set(cohort)
    n = max(len(members), 3)
    left_out = {u.key for u in given}
    holders: dict[int, dict[str, Unit]] = defaultdict(dict)
    for name, found in units.items():
        for unit in found:
            if unit.key not in left_out:
                holders[unit.key].setdefault(name, unit)
    evidence: dict[tuple[str, str], float] = defaultdict(float)
    spans: dict[tuple[str, str], tuple[list[tuple[int, int]], list[tuple[int, int]]]] = {}
    for by_name in holders.values():
        df = sum(1 for name in by_name if name in members)
        if len(by_name) < 2 or df > max(4, common_share * n):
            continue
        for a, b in combinations(sorted(by_name), 2):
            if a not in members and b not in members:
                continue  # two references
            rarity = math.log(n / max(1, df - 1 + (a not in members or b not in members)))
            unit_a, unit_b = by_name[a], by_name[b]
            weight = min(1.0, unit_a.tokens / FULL_TOKENS) * max(0.0, rarity) / math.log(n)
            evidence[a, b] += weight
            where = spans.setdefault((a, b), ([], []))
            where[0].extend(unit_a.spans)
            where[1].extend(unit_b.spans)
    return {
        pair: UnitMatch(min(1.0, value / UNITS_FOR_ONE), tuple(sorted(spans[pair][0])),
                        tuple(sorted(spans[pair][1])))
        for pair, value in evidence.items()
        if value > 0
    }  # fmt: skip
