"""How similar the code students wrote is, pair by pair: evidence for a person, never a grade.

A pair's similarity is the evidence of the answers the two wrote alike
(:mod:`grader.integrity.units`, :mod:`grader.integrity.evidence`): each function with its
helpers, and each cell's other statements, compared whole, in shape (names numbered, comments
and dead code left out) and as written (names, comments, spacing), each weighed by how few
others of the cohort wrote it so. 0.5 is the evidence chance alone would hardly give any pair.

Each submission's code cells are also tokenised and filtered by copydetect (names, strings
and comments normalised away) and fingerprinted by winnowing, less every fingerprint of the
released notebooks and every one found in more than :data:`COMMON_SHARE` of the cohort's
submissions: the shares of each side's code the other has (weighed by rarity), and where the
shared code is, are shown beside the similarity; they do not make it (at hundreds of students,
independent students who chose the same common implementations share as much).

References (earlier cohorts, online solutions) are compared with each student only.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
import numpy as np

from grader.authoring.release import strip_notebook
from grader.config import Assignment
from grader.errors import AssignmentError
from grader.integrity.evidence import UnitMatch, through_common_source, unit_matches
from grader.integrity.units import CELL_GAP, code_units, defined_names
from grader.notebook import Unreadable, read_submission
from grader.submissions import Submission

DEFAULT_THRESHOLD = 0.5
"""A pair at or above this similarity is flagged for a person to look at."""
NOISE = 25
"""copydetect's noise threshold: matches shorter than this many filtered characters never count."""
GUARANTEE = 30
"""copydetect's guarantee threshold: a match this long (filtered characters) is always found."""
COMMON_SHARE = 0.25
"""A fingerprint in more than this share of the cohort (and of at least :data:`COMMON_MIN`
submissions) is boilerplate, not evidence."""
COMMON_MIN = 4
REPORT_FLOOR = 0.1
"""Pairs less similar than this are not listed (nor their shared code found), unless each side
shares at least :data:`SHARES_SHOWN` of its code with the other."""
SHARES_SHOWN = 0.5


@dataclass(frozen=True)
class Code:
    """What one student (or reference) wrote: their code cells."""

    key: str
    cells: tuple[str, ...] = ()
    problem: str = ""
    """Why it could not be read ("" when it was)."""
    reference: bool = False

    @property
    def text(self) -> str:
        """The cells one after another (what regions point into)."""
        return CELL_GAP.join(self.cells)

    @classmethod
    def of(cls, key: str, text: str, reference: bool = False) -> Code:
        """Code written as one cell."""
        return cls(key, (text,), reference=reference)


@dataclass
class _Print:
    code: Code
    filtered: str
    offsets: Any
    hashes: set[int]
    where: dict[int, list[int]]


@dataclass(frozen=True)
class Pair:
    """Two submissions (or a submission and a reference ``b``) and what they share."""

    a: str
    b: str
    similarity: float
    """The evidence of the answers they wrote alike (:mod:`grader.integrity.evidence`)."""
    share_a: float
    share_b: float
    regions_a: tuple[tuple[int, int], ...]
    """Where in ``a``'s code text the shared code is: (start, end) character offsets."""
    regions_b: tuple[tuple[int, int], ...]
    reference: bool = False
    """``b`` is a reference, not a student of the cohort."""


@dataclass(frozen=True)
class Similarity:
    """Every pair of the cohort that shares something, most similar first."""

    assignment: str
    threshold: float
    codes: dict[str, Code]
    pairs: tuple[Pair, ...]
    common: int = 0
    """Fingerprints left out as common to many submissions."""
    references: dict[str, Code] = field(default_factory=dict)

    @property
    def flagged(self) -> tuple[Pair, ...]:
        """The pairs at or above the threshold."""
        return tuple(p for p in self.pairs if p.similarity >= self.threshold)

    def highest(self) -> dict[str, Pair | None]:
        """Each student's most similar pair (None: shares nothing with anyone)."""
        best: dict[str, Pair | None] = dict.fromkeys(
            k for k, c in self.codes.items() if not c.problem
        )
        for pair in self.pairs:  # most similar first
            for key in (pair.a, pair.b):
                if key in best and best[key] is None:
                    best[key] = pair
        return best


def submission_code(submission: Submission, reference: bool = False) -> Code:
    """The code cells of ``submission``'s notebooks, or why they cannot be read."""
    if submission.problem:
        return Code(submission.student, (), submission.problem, reference)
    cells: list[str] = []
    for path in submission.files:
        nb = read_submission(path)
        if isinstance(nb, Unreadable):
            return Code(submission.student, (), nb.reason, reference)
        cells += notebook_cells(nb)
    return Code(submission.student, tuple(cells), "", reference)


def notebook_cells(nb: nbformat.NotebookNode) -> list[str]:
    """A notebook's code cells' sources."""
    return [str(c.get("source", "")) for c in nb.cells if c.get("cell_type") == "code"]


def released_code(assignment: Assignment) -> tuple[str, ...]:
    """The code cells the students were given: every notebook of the assignment, as released."""
    cells: list[str] = []
    for name in assignment.notebooks:
        path = assignment.root / name
        try:
            nb = nbformat.read(path, as_version=4)
            cells += notebook_cells(strip_notebook(nb, path))
        except (OSError, ValueError, AssignmentError):
            continue  # nothing to subtract: every fingerprint then counts
    return tuple(cells)


def compare(
    assignment: str,
    codes: Sequence[Code],
    released: Sequence[str] = (),
    references: Sequence[Code] = (),
    threshold: float = DEFAULT_THRESHOLD,
) -> Similarity:
    """Every pair of ``codes`` (and each with every reference) that shares code.

    Its similarity: the evidence of the answers they wrote alike (:func:`unit_matches`). Its
    shares: each fingerprint weighs by how rare it is in the cohort (:func:`_weight`: an inverse
    document frequency); a side's share is the weight it shares over its own weight, or over
    half the median student's, whichever is more.
    Pairs under :data:`REPORT_FLOOR` are left out, unless both shares reach
    :data:`SHARES_SHOWN`.
    """
    from scipy import sparse

    given = _fingerprint(Code("released", tuple(released))).hashes

    def fingerprint(code: Code) -> _Print:
        found = _fingerprint(code)
        _drop(found, given)
        return found

    prints = {c.key: fingerprint(c) for c in codes if not c.problem}
    counts = Counter(h for p in prints.values() for h in p.hashes)
    limit = max(COMMON_MIN, COMMON_SHARE * len(prints))
    common = {h for h, n in counts.items() if n > limit}
    refs = {c.key: fingerprint(c) for c in references if not c.problem}
    for p in (*prints.values(), *refs.values()):
        _drop(p, common)
    keys = sorted(prints)
    every = [prints[k] for k in keys] + [refs[k] for k in sorted(refs)]
    column: dict[int, int] = {}
    rows, cols = [], []
    for row, p in enumerate(every):
        for h in p.hashes:
            rows.append(row)
            cols.append(column.setdefault(h, len(column)))
    weights = np.zeros(len(column))
    for h, c in column.items():
        weights[c] = _weight(counts.get(h, 0), len(prints))
    if not column:
        return Similarity(assignment, threshold, {c.key: c for c in codes}, (), len(common),
                          {c.key: c for c in references})  # fmt: skip
    ones = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(every), len(column)))
    shared = (ones @ sparse.diags(weights) @ ones.T).tocoo()
    own = np.asarray(ones @ weights).ravel()
    floor = 0.5 * float(np.median(own[: len(keys)])) if keys else 0.0
    mass = np.maximum(own, max(floor, 1e-9))
    shares: dict[tuple[int, int], tuple[float, float]] = {}
    for a, b, weight in zip(shared.row, shared.col, shared.data, strict=True):
        if a < b and a < len(keys) and weight > 0:  # each pair once; references with students
            shares[int(a), int(b)] = (float(weight / mass[a]), float(weight / mass[b]))
    names, stubs = defined_names(released), defined_names(released, functions=True)
    units = {p.code.key: code_units(p.code.cells, names, stubs) for p in every}
    matches = unit_matches(units, prints, code_units(released, names, stubs), COMMON_SHARE)
    matches = through_common_source(matches, threshold, refs)
    index = {p.code.key: i for i, p in enumerate(every)}
    for x, y in matches:
        first, second = sorted((index[x], index[y]))
        shares.setdefault((first, second), (0.0, 0.0))
    pairs = []
    for (a, b), (share_a, share_b) in shares.items():
        one, two = every[a], every[b]
        match = matches.get((one.code.key, two.code.key))
        if (flipped := matches.get((two.code.key, one.code.key))) is not None:
            match = UnitMatch(flipped.similarity, flipped.spans_b, flipped.spans_a)
        similar = (match.similarity if match else 0.0) >= REPORT_FLOOR
        if similar or min(share_a, share_b) >= SHARES_SHOWN:
            pairs.append(_pair(one, two, share_a, share_b, b >= len(keys), match))
    pairs.sort(key=lambda p: (-p.similarity, p.a, p.b))
    return Similarity(assignment, threshold, {c.key: c for c in codes}, tuple(pairs), len(common),
                      {c.key: c for c in references})  # fmt: skip


def _weight(df: int, n: int) -> float:
    """The weight of a fingerprint that ``df`` of ``n`` submissions have.

    1 for code only one or two wrote, less the more wrote it (an inverse document frequency,
    scaled so that a pair's own shared code weighs fully).
    """
    if n < 4 or df <= 2:
        return 1.0
    return float(min(1.0, max(0.0, np.log((1 + n) / (1 + df)) / np.log((1 + n) / 3))))


def _fingerprint(code: Code) -> _Print:
    """The winnowed fingerprints of ``code``, cell by cell (no k-gram spans two cells)."""
    from copydetect.utils import filter_code, winnow

    filtered_cells, rows = [], [np.array([[0, 0]])]
    at_filtered = at_text = 0
    for cell in code.cells:
        filtered, offsets = filter_code(cell, "code.py", "python")
        if len(offsets):
            rows.append(offsets + np.array([at_filtered, at_text - at_filtered]))
        filtered_cells.append(filtered)
        at_filtered += len(filtered) + 1  # the separator
        at_text += len(cell) + len(CELL_GAP)
        rows.append(np.array([[at_filtered - 1, at_text - at_filtered]]))
    joined = "\0".join(filtered_cells)
    hashes = kgram_hashes(joined, NOISE)
    where: dict[int, list[int]] = {}
    if len(hashes):
        chosen, index = winnow(hashes, GUARANTEE - NOISE + 1, remove_duplicates=False)
        breaks = np.flatnonzero(np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32) == 0)
        for value, i in zip(chosen.tolist(), index.tolist(), strict=True):
            if not len(breaks) or not np.any((breaks >= i) & (breaks < i + NOISE)):
                where.setdefault(value, []).append(i)
    offsets = np.concatenate(rows) if len(rows) > 1 else np.array([])
    return _Print(code, joined, offsets, set(where), where)


def kgram_hashes(text: str, k: int) -> Any:
    """A 64-bit hash of each k-gram of ``text``: the same in every process.

    (copydetect's own uses Python's ``hash``, which changes from one run to the next, and with
    it which fingerprints winnowing keeps: the similarities would too.) A polynomial hash of the
    code points, wrapping at 2**64, then mixed (splitmix64's finaliser) so that winnowing's
    smallest-in-window choice is not biased.
    """
    points = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    if len(points) < k:
        return np.array([], dtype=np.int64)
    with np.errstate(over="ignore"):
        powers = np.uint64(1_000_003) ** np.arange(k - 1, -1, -1, dtype=np.uint64)
        value = (np.lib.stride_tricks.sliding_window_view(points, k) * powers).sum(axis=1)
        value ^= value >> np.uint64(30)
        value *= np.uint64(0xBF58476D1CE4E5B9)
        value ^= value >> np.uint64(27)
        value *= np.uint64(0x94D049BB133111EB)
        value ^= value >> np.uint64(31)
    return value.view(np.int64)


def _drop(print_: _Print, common: set[int]) -> None:
    """Take the common fingerprints out of ``print_``."""
    print_.hashes -= common
    print_.where = {h: i for h, i in print_.where.items() if h not in common}


def _pair(
    one: _Print, two: _Print, share_one: float, share_two: float, reference: bool,
    match: UnitMatch | None,
) -> Pair:  # fmt: skip
    """The pair ``one`` and ``two`` and where their shared code is.

    Its similarity: that of the answers they wrote alike (:mod:`grader.integrity.evidence`).
    """
    from copydetect.utils import find_fingerprint_overlap, get_copied_slices

    shared = one.hashes & two.hashes
    where_one, where_two = find_fingerprint_overlap(shared, shared, one.where, two.where)
    share_one, share_two = min(share_one, 1.0), min(share_two, 1.0)
    evidence = match.similarity if match else 0.0
    return Pair(
        a=one.code.key,
        b=two.code.key,
        similarity=round(evidence, 4),
        share_a=round(float(share_one), 4),
        share_b=round(float(share_two), 4),
        regions_a=_merged(_regions(get_copied_slices(where_one, NOISE), one.offsets),
                          match.spans_a if match else ()),
        regions_b=_merged(_regions(get_copied_slices(where_two, NOISE), two.offsets),
                          match.spans_b if match else ()),
        reference=reference,
    )  # fmt: skip


def _merged(*regions: Sequence[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    """The regions, overlapping ones joined, in order."""
    joined: list[tuple[int, int]] = []
    for start, end in sorted(r for some in regions for r in some):
        if joined and start <= joined[-1][1]:
            joined[-1] = (joined[-1][0], max(joined[-1][1], end))
        else:
            joined.append((start, end))
    return tuple(joined)


def _regions(slices: Any, offsets: Any) -> tuple[tuple[int, int], ...]:
    """Slices of the filtered code as (start, end) offsets in the code as written."""
    if len(slices[0]) == 0:
        return ()
    slices = np.array(slices, dtype=np.int64)
    if len(offsets) > 0:
        at = np.clip(np.searchsorted(offsets[:, 0], slices), 0, offsets.shape[0] - 1)
        slices = slices + offsets[:, 1][at]
    return tuple((int(s), int(e)) for s, e in zip(slices[0], slices[1], strict=True))


def read_codes(submissions: Sequence[Submission], reference: bool = False) -> list[Code]:
    """The code of each submission (an unreadable one says why)."""
    return [submission_code(s, reference) for s in submissions]


def line_of(text: str, offset: int) -> int:
    """The line (from 1) of character ``offset`` in ``text``."""
    return text.count("\n", 0, max(0, offset)) + 1


def as_json(report: Similarity) -> list[dict[str, Any]]:
    """The pairs as the JSON output lists them: a, b, similarity, flagged, regions (lines)."""
    out = []
    for pair in report.pairs:
        text_a = report.codes[pair.a].text
        other = report.references if pair.reference else report.codes
        text_b = other[pair.b].text
        out.append(
            {
                "a": pair.a,
                "b": pair.b,
                "similarity": pair.similarity,
                "flagged": pair.similarity >= report.threshold,
                "reference": pair.reference,
                "share_a": pair.share_a,
                "share_b": pair.share_b,
                "regions": {
                    "a": [[line_of(text_a, s), line_of(text_a, e - 1)] for s, e in pair.regions_a],
                    "b": [[line_of(text_b, s), line_of(text_b, e - 1)] for s, e in pair.regions_b],
                },
            }
        )
    return out


def reference_submissions(paths: Sequence[Path]) -> list[Submission]:
    """Each reference notebook under ``paths``, named by its path.

    A path is a notebook, or a folder whose every ``.ipynb`` below it counts.
    """
    found = []
    for path in paths:
        files = sorted(path.rglob("*.ipynb")) if path.is_dir() else [path]
        for file in files:
            name = str(file.relative_to(path.parent)) if path.is_dir() else file.name
            found.append(Submission(f"reference:{name}", file))
    return found
