"""Similarity of the code students wrote: what hides a copy (nothing) and what is not evidence.

Fast tests on code written here (no notebook runs): each transformation of a copy, the
released code and boilerplate left out, references, unreadable submissions; then the command
line on notebook folders, its JSON and its page.
"""

from __future__ import annotations

import json
import re

import nbformat
import pytest

from grader.integrity.similarity import DEFAULT_THRESHOLD, Code, compare
from tests.conftest import COURSE, run_grader

SOURCE = """
import numpy as np

def moving_average(values, window):
    out = []
    total = 0.0
    for i, v in enumerate(values):
        total += v
        if i >= window:
            total -= values[i - window]
        if i >= window - 1:
            out.append(total / window)
    return np.array(out)

def normalise_rows(matrix):
    norms = np.sqrt((matrix ** 2).sum(axis=1, keepdims=True))
    norms[norms == 0] = 1.0
    return matrix / norms

def word_counts(text):
    counts = {}
    for word in text.lower().split():
        word = word.strip(".,;:!?")
        if word:
            counts[word] = counts.get(word, 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
"""

RENAMED = (
    SOURCE.replace("values", "xs").replace("window", "k").replace("total", "acc")
    .replace("matrix", "m").replace("norms", "lengths").replace("counts", "freq")
    .replace("word", "w").replace("out", "result")
)  # fmt: skip
RECOMMENTED = (
    "\n".join(
        line + ("   # keep a running sum" if "total +=" in line else "")
        for line in SOURCE.replace("    ", "  ").splitlines()
    )
    + "\n# my own work, honestly\n"
)
REORDERED = "\n\n".join(reversed(SOURCE.split("\n\n")))
DEAD = (
    SOURCE
    + """
def unused_helper(a, b):
    if False:
        print("never")
    temp = [x * 2 for x in range(10)]
    return a + b + len(temp)

def another_unused(s):
    return s[::-1].upper().strip()
"""
)

OTHERS = [
    """
import numpy as np

def moving_average(values, window):
    kernel = np.ones(window) / window
    return np.convolve(values, kernel, mode="valid")

def normalise_rows(matrix):
    n = np.linalg.norm(matrix, axis=1)
    return matrix / np.where(n == 0, 1, n)[:, None]

def word_counts(text):
    from collections import Counter
    words = [w.strip(".,;:!?") for w in text.lower().split()]
    c = Counter(w for w in words if w)
    return dict(sorted(c.items(), key=lambda item: (-item[1], item[0])))
""",
    """
import numpy as np

def moving_average(values, window):
    cs = np.cumsum(np.insert(np.asarray(values, dtype=float), 0, 0.0))
    return (cs[window:] - cs[:-window]) / float(window)

def normalise_rows(matrix):
    result = np.zeros_like(matrix, dtype=float)
    for r in range(matrix.shape[0]):
        length = np.sqrt(np.dot(matrix[r], matrix[r]))
        result[r] = matrix[r] / length if length > 0 else matrix[r]
    return result

def word_counts(text):
    table = {}
    for raw in text.split():
        token = raw.lower().strip(".,;:!?")
        if not token:
            continue
        table[token] = table.get(token, 0) + 1
    keys = sorted(table, key=lambda t: (-table[t], t))
    return {k: table[k] for k in keys}
""",
    """
import numpy as np

def moving_average(values, window):
    return np.array([sum(values[i:i + window]) / window
                     for i in range(len(values) - window + 1)])

def normalise_rows(matrix):
    return np.array([row / (np.sqrt(sum(x * x for x in row)) or 1) for row in matrix])

def word_counts(text):
    import re
    found = re.findall(r"[a-z]+", text.lower())
    summary = {}
    for f in found:
        summary[f] = summary.get(f, 0) + 1
    return dict(sorted(summary.items(), key=lambda p: (-p[1], p[0])))
""",
]


MORE = [
    """
def moving_average(values, window):
    if window <= 0 or window > len(values):
        raise ValueError("bad window")
    sums, running = [], sum(values[:window])
    sums.append(running)
    for new, old in zip(values[window:], values):
        running = running + new - old
        sums.append(running)
    return [s / window for s in sums]
""",
    """
class RowNormaliser:
    def __init__(self, eps=1e-12):
        self.eps = eps

    def __call__(self, m):
        import math
        rows = []
        for row in m:
            size = math.sqrt(sum(value * value for value in row))
            rows.append([value / max(size, self.eps) for value in row])
        return rows

normalise_rows = RowNormaliser()
""",
    """
def word_counts(text):
    words = text.lower().replace(",", " ").replace(".", " ").split()
    unique = sorted(set(words))
    pairs = [(-words.count(w), w) for w in unique]
    pairs.sort()
    return {w: -n for n, w in pairs}
""",
    """
def moving_average(values, window):
    import pandas as pd
    return pd.Series(values).rolling(window).mean().dropna().to_numpy()
""",
]


def similarity_of(a: str, b: str, others=OTHERS, released: str = "") -> float:
    codes = [Code.of("a", a), Code.of("b", b)] + [Code.of(f"o{i}", o) for i, o in enumerate(others)]
    report = compare("x", codes, released)
    return next((p.similarity for p in report.pairs if {p.a, p.b} == {"a", "b"}), 0.0)


@pytest.mark.parametrize(
    "copy", [SOURCE, RENAMED, RECOMMENTED, REORDERED, DEAD],
    ids=["verbatim", "renamed", "recommented", "reordered", "dead-code"],
)  # fmt: skip
def test_no_transformation_hides_a_copy(copy):
    # Reordering functions inside one cell changes the k-grams across their boundaries: the
    # least similar transformation here, still well above the threshold.
    assert similarity_of(SOURCE, copy) >= 0.75


def test_independent_solutions_stay_under_the_threshold():
    codes = [Code.of("s", SOURCE)] + [Code.of(f"o{i}", o) for i, o in enumerate(OTHERS)]
    report = compare("x", codes)
    assert report.pairs == () or max(p.similarity for p in report.pairs) < DEFAULT_THRESHOLD


GIVEN = """import numpy as np
import pandas as pd

sales = pd.read_csv("data/sales.csv", parse_dates=["day"])
prices = sales["price"].to_numpy(dtype=float)
matrix = sales[["price", "quantity", "discount"]].to_numpy(dtype=float)
text = " ".join(sales["comment"].fillna("").astype(str))
print(sales.describe())
print(sales.groupby(sales["day"].dt.month)["price"].agg(["mean", "count"]))
"""


def test_the_released_code_does_not_count():
    a, b = Code("a", (GIVEN, OTHERS[0])), Code("b", (GIVEN, OTHERS[2]))
    assert compare("x", [a, b]).pairs[0].similarity > 0.3  # the given code alone
    report = compare("x", [a, b], released=(GIVEN,))
    assert all(p.similarity < DEFAULT_THRESHOLD / 2 for p in report.pairs)  # an idiom or two
    copied = compare("x", [a, Code("c", (GIVEN, RENAMED)), Code("d", (GIVEN, SOURCE))], (GIVEN,))
    assert [(p.a, p.b) for p in copied.flagged] == [("c", "d")]


def test_code_most_students_share_is_boilerplate_not_evidence():
    own = [*OTHERS, SOURCE, *MORE]
    codes = [Code(f"s{i}", (GIVEN, o)) for i, o in enumerate(own)]  # GIVEN: not released here
    report = compare("x", codes)
    assert report.common > 0
    assert all(p.similarity < DEFAULT_THRESHOLD for p in report.pairs), report.pairs[:1]


def test_a_reference_is_compared_with_students_only():
    codes = [Code.of("ada", RENAMED), Code.of("ben", OTHERS[0])]
    refs = [Code.of("reference:web.ipynb", SOURCE, reference=True),
            Code.of("reference:web2.ipynb", SOURCE, reference=True)]  # fmt: skip
    report = compare("x", codes, references=refs)
    assert {(p.a, p.b) for p in report.flagged} == {
        ("ada", "reference:web.ipynb"), ("ada", "reference:web2.ipynb")}  # fmt: skip
    assert all(p.reference for p in report.flagged)
    assert set(report.highest()) == {"ada", "ben"}


def test_an_unreadable_submission_is_listed_not_compared():
    report = compare("x", [Code.of("ada", SOURCE), Code("mia", (), problem="not a notebook")])
    assert report.pairs == () and report.highest() == {"ada": None}
    assert report.codes["mia"].problem == "not a notebook"


def _notebook(path, code_cells):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Work")] + [
        nbformat.v4.new_code_cell(c) for c in code_cells
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)


def test_the_command_writes_json_most_similar_first_and_a_page_linked_from_nowhere_needed(tmp_path):
    cohort = tmp_path / "cohort"
    _notebook(cohort / "ada" / "mini.ipynb", SOURCE.split("\n\n\n"))
    _notebook(
        cohort / "ben" / "mini.ipynb",
        [*REORDERED.split("\n\n\n"), "</pre><script>alert(1)</script>"],
    )
    for i, other in enumerate(OTHERS):
        _notebook(cohort / f"o{i}" / "mini.ipynb", [other])
    (cohort / "mia").mkdir()
    (cohort / "mia" / "mini.ipynb").write_text("{not json")
    out = tmp_path / "out"
    course = ["--course", str(COURSE)]
    done = run_grader(*course, "similarity", "mini", str(cohort), "--format", "json",
                      "--output", str(out))  # fmt: skip
    assert done.returncode == 0, done.stderr
    pairs = json.loads(done.stdout)
    assert (pairs[0]["a"], pairs[0]["b"], pairs[0]["flagged"]) == ("ada", "ben", True)
    assert [p["similarity"] for p in pairs] == sorted(
        (p["similarity"] for p in pairs), reverse=True
    )
    assert set(pairs[0]) == {"a", "b", "similarity", "flagged", "reference", "share_a", "share_b",
                             "regions"}  # fmt: skip
    assert all(1 <= start <= end for start, end in pairs[0]["regions"]["a"])
    page = (out / "similarity.html").read_text()
    assert "never a grade" in page
    assert "<script>alert(1)" not in page and "&lt;/pre&gt;&lt;script&gt;" in page
    assert "<mark>" in page and "mia: " in page
    again = run_grader(*course, "similarity", "mini", str(cohort), "--format", "json",
                       "--output", str(out), env={"PYTHONHASHSEED": "12345"})  # fmt: skip
    assert again.stdout == done.stdout  # the same in every process
    text = run_grader(*course, "similarity", "mini", str(cohort), "--output", str(out))
    assert text.returncode == 0, text.stderr
    assert re.search(r"\d\.\d\d  ada  ben", text.stdout)
    assert "not compared: mia:" in text.stdout


EXTRA = [
    """
def running_max(values):
    best, out = None, []
    for v in values:
        best = v if best is None or v > best else best
        out.append(best)
    return out
""",
    """
def histogram(values, bins):
    lo, hi = min(values), max(values)
    width = (hi - lo) / bins or 1.0
    counts = [0] * bins
    for v in values:
        counts[min(int((v - lo) / width), bins - 1)] += 1
    return counts
""",
    """
def clip_outliers(values, z=3.0):
    mean = sum(values) / len(values)
    spread = (sum((v - mean) ** 2 for v in values) / len(values)) ** 0.5
    return [min(max(v, mean - z * spread), mean + z * spread) for v in values]
""",
]
"""More of a copier's own work: a partial copy is a small share of what it wrote."""


def _cohort_with(a_cells, b_cells):
    """a and b among independent students who each wrote their own versions (OTHERS, MORE)."""
    codes = [Code("a", tuple(a_cells)), Code("b", tuple(b_cells))]
    return codes + [Code.of(f"o{i}", o) for i, o in enumerate([*OTHERS, *MORE])]


def _pair_of(report, one="a", two="b"):
    return next((p for p in report.pairs if {p.a, p.b} == {one, two}), None)


def test_a_partial_copy_of_two_functions_is_flagged_against_its_source():
    moving, normalise, words = SOURCE.strip().split("\n\n")[1:]
    own = OTHERS[1].strip().split("\n\n")  # b's own answers for everything else
    copier = [own[0], moving, normalise, own[3], *EXTRA]  # two of the source's answers
    report = compare("x", _cohort_with(["import numpy as np", moving, normalise, words], copier))
    pair = _pair_of(report)
    assert pair is not None and pair.similarity >= DEFAULT_THRESHOLD
    assert min(pair.share_a, pair.share_b) < DEFAULT_THRESHOLD  # the copier's share misses it
    text = report.codes["b"].text
    marked = "".join(text[s:e] for s, e in pair.regions_b)
    assert "normalise_rows" in marked and "moving_average" in marked


@pytest.mark.parametrize("common", ["idiom", "one function"])
def test_a_short_idiom_or_one_function_in_common_is_not_a_copy(common):
    shared = {
        "idiom": "def top(counts):\n    return sorted(counts, key=counts.get)",
        "one function": SOURCE.strip().split("\n\n")[1],
    }[common]
    a = [shared, *OTHERS[0].strip().split("\n\n")[2:]]
    b = [shared, *OTHERS[2].strip().split("\n\n")[2:]]
    pair = _pair_of(compare("x", _cohort_with(a, b)))
    assert pair is None or pair.similarity < DEFAULT_THRESHOLD


def test_a_function_many_students_wrote_token_for_token_is_not_evidence():
    moving, normalise = SOURCE.strip().split("\n\n")[1:3]
    codes = [Code(f"s{i}", (moving, normalise, own)) for i, own in enumerate([*OTHERS, *MORE])]
    report = compare("x", codes)  # two functions every student has: boilerplate
    assert all(p.similarity < DEFAULT_THRESHOLD for p in report.pairs), report.pairs[:1]


# A cohort of students who write four small functions, each in one of five common ways, every
# student with names of their own: what independent students who chose the same ways share.
WAYS = {
    "total": [
        "def total(xs):\n    {s} = 0\n    for {v} in xs:\n        {s} += {v}\n    return {s}",
        "def total(xs):\n    {s} = 0\n    for {i} in range(len(xs)):\n        {s} = {s} + xs[{i}]\n"
        "    return {s}",
        "def total(xs):\n    return sum({v} for {v} in xs)",
        "def total(xs):\n    {s} = {i} = 0\n    while {i} < len(xs):\n        {s} += xs[{i}]\n"
        "        {i} += 1\n    return {s}",
        "def total(xs):\n    import functools\n"
        "    return functools.reduce(lambda {s}, {v}: {s} + {v}, xs, 0)",
    ],
    "largest": [
        "def largest(xs):\n    {m} = xs[0]\n    for {v} in xs[1:]:\n        if {v} > {m}:\n"
        "            {m} = {v}\n    return {m}",
        "def largest(xs):\n    {m} = None\n    for {v} in xs:\n        if {m} is None or {v} > {m}:\n"
        "            {m} = {v}\n    return {m}",
        "def largest(xs):\n    {s} = sorted(xs)\n    return {s}[len({s}) - 1]",
        "def largest(xs):\n    {m} = xs[0]\n    for {i} in range(1, len(xs)):\n"
        "        {m} = max({m}, xs[{i}])\n    return {m}",
        "def largest(xs):\n    {s} = list(xs)\n    {s}.sort(reverse=True)\n    return {s}[0]",
    ],
    "count_words": [
        "def count_words(text):\n    {d} = {{}}\n    for {w} in text.split():\n"
        "        {d}[{w}] = {d}.get({w}, 0) + 1\n    return {d}",
        "def count_words(text):\n    {d} = {{}}\n    for {w} in text.split():\n        if {w} in {d}:\n"
        "            {d}[{w}] += 1\n        else:\n            {d}[{w}] = 1\n    return {d}",
        "def count_words(text):\n    {s} = text.split()\n    return {{{w}: {s}.count({w}) for {w} in set({s})}}",
        "def count_words(text):\n    import collections\n"
        "    return dict(collections.Counter(text.split()))",
        "def count_words(text):\n    {d} = {{}}\n    for {w} in text.split():\n"
        "        {d}.setdefault({w}, 0)\n        {d}[{w}] += 1\n    return {d}",
    ],
    "backwards": [
        "def backwards(xs):\n    {s} = []\n    for {v} in xs:\n        {s}.insert(0, {v})\n    return {s}",
        "def backwards(xs):\n    return [xs[{i}] for {i} in range(len(xs) - 1, -1, -1)]",
        "def backwards(xs):\n    {s} = []\n    for {i} in range(len(xs) - 1, -1, -1):\n"
        "        {s}.append(xs[{i}])\n    return {s}",
        "def backwards(xs):\n    return list(reversed(xs))",
        "def backwards(xs):\n    {s} = list(xs)\n    {s}.reverse()\n    return {s}",
    ],
}
STUBS = "\n\n".join(f"def {name}(text):\n    pass" if name == "count_words" else
                    f"def {name}(xs):\n    pass" for name in WAYS)  # fmt: skip
"""The released notebook: the four stubs."""


def _written(student: int, ways: list[int]) -> list[str]:
    """Student ``student``'s answers, each question the way ``ways`` says, in their own names."""
    names = {role: f"{role}{student}" for role in ("s", "v", "i", "m", "d", "w")}
    return [WAYS[q][way].format(**names) for q, way in zip(WAYS, ways, strict=True)]


def _common_cohort(size: int = 60) -> list[Code]:
    """``size`` independent students, each picking one of the five ways per question."""
    import random

    rng = random.Random(7)
    return [Code(f"s{k:02d}", tuple(_written(k, [rng.randrange(5) for _ in WAYS])))
            for k in range(size)]  # fmt: skip


def test_an_answers_shape_survives_renaming_recommenting_reordering_and_dead_code():
    from grader.integrity.units import code_units, defined_names

    given, stubs = defined_names([STUBS]), defined_names([STUBS], functions=True)
    source = _written(1, [0, 1, 2, 2])
    disguised = [
        "# my own total\n" + _written(2, [0, 1, 2, 2])[0].replace("    ", "  "),
        _written(2, [0, 1, 2, 2])[3],  # the cells in another order
        _written(2, [0, 1, 2, 2])[2],
        "def unused(a):\n    return a * 2\n\n\n"  # a function nothing calls
        + _written(2, [0, 1, 2, 2])[1].replace(
            "    for", '    debug = False\n    if False:\n        print("never")\n    for'),
    ]  # fmt: skip
    shapes = [{u.shape for u in code_units(c, given, stubs) if u.used}
              for c in (source, disguised)]  # fmt: skip
    assert len(shapes[0]) == 4 and shapes[0] == shapes[1]
    assert [u.defines for u in code_units(disguised, given, stubs) if not u.used] == [("unused",)]
    names = [{u.aspects[0] for u in code_units(c, given, stubs)} for c in (source, disguised)]
    assert not names[0] & names[1]  # renamed: the names as written differ
    other = _written(1, [1, 1, 2, 2])  # `s = s + xs[i]`, not `s += v`: another answer
    assert {u.shape for u in code_units(other, given, stubs)} != shapes[0]


def test_independent_students_with_the_same_common_answers_are_not_flagged():
    cohort = _common_cohort()
    twins = [Code("ada", tuple(_written(100, [1, 3, 4, 2]))),
             Code("ben", tuple(_written(101, [1, 3, 4, 2])))]  # fmt: skip
    report = compare("x", cohort + twins, released=(STUBS,))
    pair = _pair_of(report, "ada", "ben")
    assert pair is not None and 0 < pair.similarity < DEFAULT_THRESHOLD  # evidence, not enough
    assert report.flagged == ()


@pytest.mark.parametrize("disguise", ["renamed", "renamed, recommented and respaced"])
def test_a_renamed_copy_of_three_answers_is_flagged(disguise):
    # Three answers written in a way nobody else in the cohort chose (with comments), the
    # fourth in a common way; the copier takes the three, renamed, and writes the fourth.
    own = [
        "def total(xs):\n    # walk from both ends\n    lo, hi = 0, len(xs) - 1\n    acc = 0\n"
        "    while lo <= hi:\n        acc += xs[lo] if lo == hi else xs[lo] + xs[hi]\n"
        "        lo, hi = lo + 1, hi - 1\n    return acc",
        "def largest(xs):\n    # keep the best so far in a one-element list\n    best = [xs[0]]\n"
        "    for item in xs:\n        best = [item] if item > best[0] else best\n    return best[0]",
        "def count_words(text):\n    # sort, then count the runs\n    words = sorted(text.split())\n"
        "    out, run = {}, 1\n    for a, b in zip(words, words[1:] + [None]):\n"
        "        if a == b:\n            run += 1\n        else:\n            out[a], run = run, 1\n"
        "    return out",
    ]
    new = {"lo": "left", "hi": "right", "acc": "sum_", "best": "top", "item": "x",
           "words": "toks", "out": "res", "run": "streak", "a": "u", "b": "w"}  # fmt: skip
    renamed = ["\n".join(line if line.lstrip().startswith("#") else
                         re.sub(r"\b\w+\b", lambda m: new.get(m[0], m[0]), line)
                         for line in cell.split("\n")) for cell in own]  # fmt: skip
    if disguise != "renamed":
        renamed = ["\n".join(line.replace("    ", "  ") for line in cell.split("\n")
                             if not line.lstrip().startswith("#")) for cell in renamed]  # fmt: skip
    source = Code("cara", (*own, _written(200, [0, 0, 0, 1])[3]))
    copier = Code("dan", (*renamed, _written(201, [0, 0, 0, 2])[3]))
    report = compare("x", [*_common_cohort(), source, copier], released=(STUBS,))
    assert [(p.a, p.b) for p in report.flagged] == [("cara", "dan")]


def _spelled(cells: list[str], habit: int, blanks: tuple[int, ...] = ()) -> list[str]:
    """``cells`` as a student of spelling ``habit`` (0-63) writes them: with or without spaces
    around ``=``, around ``+`` and after commas, a blank line after the ``def`` and before the
    ``return`` or not, 4 or 2 spaces; and, not out of habit, a blank line before line
    ``blanks[i]`` of cell ``i`` (0: none)."""
    out = []
    for i, cell in enumerate(cells):
        lines = cell.split("\n")
        at = blanks[i] if i < len(blanks) else 0
        if 0 < at < len(lines) - 1:
            cell = "\n".join([*lines[:at], "", *lines[at:]])
        if habit & 1:
            cell = cell.replace(" = ", "=").replace(" += ", "+=")
        if habit & 2:
            cell = cell.replace(" + ", "+")
        if habit & 4:
            cell = cell.replace(":\n", ":\n\n", 1)
        if habit & 8:
            cell = cell.replace(", ", ",")
        if habit & 16:
            cell = cell.replace("\n    return", "\n\n    return")
        if habit & 32:
            cell = cell.replace("    ", "  ")
        out.append(cell)
    return out


def _spelled_cohort(size: int = 80) -> list[Code]:
    """``_common_cohort``'s students, each spelling their code their own way."""
    import random

    rng = random.Random(11)
    return [Code(c.key, tuple(_remarked(_spelled(list(c.cells), rng.randrange(64), _blanks(rng)),
                                        tuple(rng.randrange(len(REMARKS)) for _ in WAYS))))
            for c in _common_cohort(size)]  # fmt: skip


def _blanks(rng) -> tuple[int, ...]:
    """Where a student left a blank line in each of their four answers, if anywhere."""
    return tuple(rng.choice((0, 0, 2, 3, 4)) for _ in WAYS)


REMARKS = ("", "", "", "", "simple loop", "one pass", "edge case first", "todo check empty",
           "works on the examples", "as in the lecture", "keep it short", "my own version")  # fmt: skip
"""What a student may write as the first comment of an answer (mostly nothing)."""


def _remarked(cells: list[str], picks: tuple[int, ...]) -> list[str]:
    """``cells`` with the remark ``REMARKS[picks[i]]`` after cell ``i``'s ``def`` line."""
    out = []
    for cell, pick in zip(cells, (*picks, 0, 0, 0, 0), strict=False):
        head, _, rest = cell.partition("\n")
        indent = rest[: len(rest) - len(rest.lstrip())]
        out.append(f"{head}\n{indent}# {REMARKS[pick]}\n{rest}" if REMARKS[pick] else cell)
    return out


def test_an_answers_spelling_survives_renaming_and_dead_code_not_respacing():
    from grader.integrity.units import code_units, defined_names

    given, stubs = defined_names([STUBS]), defined_names([STUBS], functions=True)
    source = _spelled(_written(1, [0, 1, 0, 2]), 5)
    renamed = _spelled(_written(2, [0, 1, 0, 2]), 5)
    renamed[1] = renamed[1].replace("        if", '        if False:\n            print("x")\n'
                                    "        if", 1)  # fmt: skip
    respaced = _spelled(_written(1, [0, 1, 0, 2]), 4)
    spelling = [[u.aspects[2] for u in code_units(c, given, stubs)]
                for c in (source, renamed, respaced)]  # fmt: skip
    assert spelling[0] == spelling[1] and all(spelling[0])
    assert not set(spelling[0]) & set(spelling[2])  # `s=0` is not spelled as `s = 0`


def test_a_renamed_copy_of_three_common_answers_is_flagged_by_how_it_is_written():
    # The three answers are written in shapes a sixth of the cohort wrote too, each student
    # spacing their code their own way and now and then writing a remark; what gives the copy
    # away is that they are spelled and remarked as few of those wrote them (a renaming keeps
    # both).
    cohort = _spelled_cohort()
    source = _remarked(_spelled(_written(200, [1, 3, 4, 2]), 45, (3, 2, 3)), (5, 9, 11))
    copied = _remarked(_spelled(_written(201, [1, 3, 4, 2]), 45, (3, 2, 3)), (5, 9, 11))[:3]
    copier = (*copied, _spelled(_written(201, [1, 3, 4, 4]), 0)[3])
    twins = [Code("ada", tuple(_remarked(_spelled(_written(100, [1, 3, 4, 2]), 44), (5,)))),
             Code("ben", tuple(_spelled(_written(101, [1, 3, 4, 2]), 2)))]  # fmt: skip
    report = compare("x", [*cohort, Code("cara", tuple(source)), Code("dan", copier), *twins],
                     released=(STUBS,))  # fmt: skip
    assert [(p.a, p.b) for p in report.flagged] == [("cara", "dan")]
    pair = _pair_of(report, "ada", "ben")  # four answers alike, spelled each their own way
    assert pair is not None and pair.similarity < DEFAULT_THRESHOLD
    pair = _pair_of(report, "ada", "cara")  # alike, with one remark alike
    assert pair is not None and pair.similarity < DEFAULT_THRESHOLD


def test_two_students_who_copied_one_reference_are_flagged_together():
    # One renamed and respaced the whole reference, the other took two of its answers as they
    # are: alike in shape only, they are flagged through what both took from it.
    online = _written(300, [0, 1, 2, 2])
    online[0] = ("def total(xs):\n    lo, hi, acc = 0, len(xs) - 1, 0\n    while lo <= hi:\n"
                 "        acc += xs[lo] if lo == hi else xs[lo] + xs[hi]\n"
                 "        lo, hi = lo + 1, hi - 1\n    return acc")  # fmt: skip
    online[1] = ("def largest(xs):\n    best = [xs[0]]\n    for item in xs:\n"
                 "        best = [item] if item > best[0] else best\n    return best[0]")  # fmt: skip
    online[2] = ("def count_words(text):\n    table = {}\n    for word in sorted(text.split()):\n"
                 "        table[word] = 1 + table.get(word, 0)\n    return table")  # fmt: skip
    mine = r"\b(lo|hi|acc|best|item|table|word|s300|i300)\b"
    renamed = [_spelled([re.sub(mine, r"\1_", c)], 9)[0] for c in online]
    partial = [*online[:2], *_written(302, [3, 3, 3, 3])[2:]]
    report = compare("x", [*_common_cohort(), Code("ada", tuple(renamed)),
                           Code("ben", tuple(partial))],
                     released=(STUBS,), references=[Code("reference:web", tuple(online), "",
                                                         True)])  # fmt: skip
    flagged = {(p.a, p.b) for p in report.flagged}
    assert {("ada", "reference:web"), ("ben", "reference:web")} <= flagged
    assert ("ada", "ben") in flagged


def test_students_with_the_same_habits_are_not_flagged_for_each_answer_they_show_in():
    # Two students space their code alike (a habit: it shows in every answer) and chose the
    # same implementations, a tenth to a sixth of the cohort's, for all four questions: one
    # coincidence of habits, not four (counted four times, the pair would be flagged).
    cohort = _spelled_cohort()
    eve = _spelled(_written(400, [2, 2, 4, 1]), 21)
    fay = _spelled(_written(401, [2, 2, 4, 1]), 21)
    report = compare("x", [*cohort, Code("eve", tuple(eve)), Code("fay", tuple(fay))],
                     released=(STUBS,))  # fmt: skip
    pair = _pair_of(report, "eve", "fay")
    assert pair is not None and 0 < pair.similarity < DEFAULT_THRESHOLD
