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
