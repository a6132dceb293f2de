"""An honest cohort for ``bench/similarity.py``: independent students, and planted copies.

    .venv/bin/python bench/similarity_corpus.py DEST [--students 60] [--seed 0] [--no-reference]
        [--corpus varied|narrow]

Writes a course folder ``DEST`` for a small assignment of its own, ``simbench`` (six questions,
each a function to write: a moving average, z-scores, word counts, the most frequent words,
the longest rising run, a confusion matrix), and a cohort of submissions for it:

* ``DEST/solutions/simbench/``: ``assignment.toml``, the instructor's notebook (solutions
  between ``### BEGIN SOLUTION`` markers) and its ``data/``; ``DEST/assignments/simbench/``:
  the released notebook (stubs ``# YOUR CODE HERE`` / ``raise NotImplementedError()`` after
  each function's docstring, setup code that loads the data) as ``grader release`` makes it;
* ``DEST/cohort/<student>/simbench.ipynb``: the students;
* ``DEST/reference/<name>/simbench.ipynb``: two solutions "found online" (``--reference``);
* ``DEST/ground-truth.json``: which pairs are planted copies and how each was disguised, and
  which implementation every student chose for every question.

**Independent students** are composed one by one: for each question a student picks one of 5
or 6 really different implementations (loops, numpy, comprehensions, recursion, helper
functions, the standard library), weighted by popularity and by the student's leaning (numpy
or plain Python), each with its own small variations (``+=`` or not, an intermediate variable
or not, where the imports go); some questions are left unanswered or half done (more often by
a student of little effort). On top of that each student has a style: how they name variables
(short, plain, long or camelCase, not always consistently), how much they comment, blank
lines, asserts, debug prints left in (live or commented out), whether they keep the given
docstring and ``# YOUR CODE HERE`` line, scratch cells that try their functions out.

**Two corpora** (``--corpus``). ``narrow`` is the above: every student spaces, quotes and
brackets every line exactly as the templates do, so two independent students who chose one
implementation (and the same alternatives inside it) write it alike, spaces and all, far more
often than real students do (one answer's shape shared by 10-90 of 582 students, and most of
them spaced alike). ``varied`` (the default) gives each student, on top of the above, habits
that real students differ by and that the templates fixed (:class:`Habits`): spaces around
arithmetic, around ``=`` and comparisons and after commas (PEP 8 or not), single or double
quotes, brackets around a condition, ``x += y`` or ``x = x + y``, naming the returned value
first, ``range(0, n)`` for ``range(n)``, ``b < a`` for ``a > b``, and how a list is tested
for emptiness; each is a habit of the student (the same in every answer, some always, some
often), none changes what the code does, and copies are made from these students exactly as
before (a renamer keeps the source's spaces and quotes, a respacer redoes them). So the
detector is judged on independent students who differ as real ones do, not more: two
students with the same habits still spell alike, and the implementations, their popularity
and the alternatives inside them are the narrow corpus's.

**Copies** are planted for a handful of source students (a new set per 60 independent
students): a copier's notebook is the source's, transformed by one or more of

* ``verbatim``: the source's code, unchanged, in the copier's own notebook;
* ``rename``: every local variable, helper function and helper parameter renamed
  consistently (the graded functions and their parameters keep the released names);
* ``comments_whitespace``: every comment removed and others written, blank lines redone,
  spaces around operators changed, indentation made 2 spaces where the source had 4;
* ``reorder``: the questions' cells in another order, helper functions moved after the
  function that calls them (or before);
* ``dead_code``: unused functions, ``if False:`` blocks and unused variables added;
* ``partial:N``: N (2 or 3) of the source's answers copied into an otherwise independent
  notebook;

and two copiers of the same source are also a planted pair (``shared-source``). With a
reference, one student copied the "online solution" with renames and new comments and another
copied three of its answers: each is a planted pair with the reference, and with each other.
Each planted pair has a ``scope`` in the ground truth: ``whole`` for a copy of every answer of
its source (the transformations the issue lists, alone or together), ``partial`` for a copy of
2 or 3 of them (a harder kind, beyond the issue's list), and for two copiers of one source
``whole`` only when both copied all of it.

Every graded function of every fully answered question still works after every transformation
(the test suite runs them), so a copy is never broken code a detector could tell apart.
Reproducible: the same ``--students`` and ``--seed`` give byte-identical files.
"""

from __future__ import annotations

import argparse
import ast
import builtins
import io
import itertools
import json
import keyword
import math
import random
import re
import tokenize
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat

ASSIGNMENT = "simbench"
NOTEBOOK = f"{ASSIGNMENT}.ipynb"
STUB = ("# YOUR CODE HERE", "raise NotImplementedError()")
PER_ROUND = 60
"""One set of planted copies per this many independent students."""
REFERENCES = ("online-solution", "github-2023")
"""The reference notebooks: the first is copied by two students, the second by nobody."""

# --- the assignment -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Question:
    key: str
    func: str
    params: str
    doc: str
    title: str
    text: str
    demo: str
    solution: str


QUESTIONS = (
    Question(
        "q1",
        "moving_average",
        "x, k",
        "The means of the windows x[i:i + k], for i = 0 .. len(x) - k.",
        "Moving average",
        "A thermometer is noisy; a moving average smooths it. Return the mean of every window "
        "of `k` consecutive values of `x` (a list or array), in order: `len(x) - k + 1` "
        "means (a list or an array).",
        "smoothed = moving_average(temperatures, 7)\nprint(len(smoothed), smoothed[:3])",
        'x = np.asarray(x, dtype=float)\nreturn np.convolve(x, np.ones(k) / k, mode="valid")',
    ),
    Question(
        "q2",
        "standardize",
        "x",
        "z-scores of x: (x - mean) / standard deviation (population); zeros if it is 0.",
        "Standardize",
        "Return the z-scores of `x` as an array: subtract the mean and divide by the "
        "*population* standard deviation (divide by n). A constant `x` has no spread: "
        "return zeros.",
        "z = standardize(temperatures)\n"
        "print(round(float(np.mean(z)), 6), round(float(np.std(z)), 6))",
        "x = np.asarray(x, dtype=float)\nsd = x.std()\nif sd == 0:\n    return np.zeros_like(x)\n"
        "return (x - x.mean()) / sd",
    ),
    Question(
        "q3",
        "word_counts",
        "text",
        "How often each word occurs in text (words: runs of letters, lower-cased).",
        "Word counts",
        "Return a dict from each word of `text` to its number of occurrences. A word is a "
        "maximal run of letters; `The` and `the` are the same word; punctuation is not part of "
        "a word.",
        'counts = word_counts(review)\nprint(len(counts), counts.get("the"))',
        'words = re.findall(r"[a-z]+", text.lower())\nreturn dict(Counter(words))',
    ),
    Question(
        "q4",
        "top_words",
        "counts, n",
        "The n most frequent (word, count) pairs, most frequent first, ties alphabetical.",
        "The most frequent words",
        "Given a dict of word counts, return a list of the `n` most frequent `(word, count)` "
        "tuples, the most frequent first; words with the same count in alphabetical order.",
        "print(top_words(counts, 5))",
        "return sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:n]",
    ),
    Question(
        "q5",
        "longest_rising_run",
        "x",
        "The length of the longest run of strictly increasing consecutive values of x.",
        "Longest rising run",
        "How many days in a row did it get warmer? Return the length of the longest stretch of "
        "consecutive values of `x` each strictly greater than the one before (1 for a "
        "single value, 0 for an empty `x`).",
        "print(longest_rising_run(temperatures), longest_rising_run([]), "
        "longest_rising_run([3, 2, 1]))",
        "best = current = 0\nfor i in range(len(x)):\n"
        "    current = current + 1 if i > 0 and x[i] > x[i - 1] else 1\n"
        "    best = max(best, current)\nreturn best",
    ),
    Question(
        "q6",
        "confusion_matrix",
        "y_true, y_pred, n_classes",
        "The (n_classes, n_classes) matrix of counts: row = true class, column = predicted.",
        "Confusion matrix",
        "Classes are the integers `0 .. n_classes - 1`. Return an integer array `m` where "
        "`m[t, p]` counts the samples of true class `t` predicted as `p`.",
        "print(confusion_matrix(y_true, y_pred, 3))",
        "m = np.zeros((n_classes, n_classes), dtype=int)\nfor t, p in zip(y_true, y_pred):\n"
        "    m[t, p] += 1\nreturn m",
    ),
)
GRADED = frozenset(q.func for q in QUESTIONS)
PARAMS = frozenset(p.strip() for q in QUESTIONS for p in q.params.split(","))

SETUP = """\
import numpy as np

temperatures = np.loadtxt("data/temperatures.csv", delimiter=",", skiprows=1, usecols=1)
with open("data/review.txt", encoding="utf-8") as f:
    review = f.read()
labels = np.loadtxt("data/labels.csv", delimiter=",", skiprows=1, dtype=int)
y_true, y_pred = labels[:, 0], labels[:, 1]
print(len(temperatures), "days,", len(review.split()), "words,", len(y_true), "labels")"""
SETUP_GLOBALS = frozenset(
    {"np", "temperatures", "f", "review", "labels", "y_true", "y_pred", "smoothed", "z"}
    | {"counts"}
)
INTRO = (
    "# Small functions\n\nSix short functions on a week of weather, a product review and a "
    "classifier's predictions. Write each one where it says `# YOUR CODE HERE`; the cell after "
    "it tries it out. Use any library you like."
)
REVIEW = (
    "I bought this kettle in March, and after three months of daily use I have mixed "
    "feelings. The good: it boils fast, the handle stays cool, and the lid opens with one "
    "hand. The bad: the water gauge is hard to read, the base wobbles on my counter, and the "
    "power light is far too bright at night. The kettle itself feels solid; the base does "
    "not. Customer service was friendly but slow: they answered my question about the base "
    "after two weeks, and the answer was to buy a new base. Would I buy it again? Maybe. The "
    "price was fair, the water tastes fine, and it is quiet. If the base were better, this "
    "would be a great kettle. For now it is a good kettle with a bad base.\n"
)


def _temperatures() -> list[float]:
    rng = random.Random(2024)  # the assignment's data: the same for every corpus
    return [round(19 + 6 * math.sin(day / 5) + rng.gauss(0, 1.6), 1) for day in range(60)]


def _labels() -> list[tuple[int, int]]:
    rng = random.Random(7)
    rows = []
    for _ in range(45):
        true = rng.randrange(3)
        rows.append((true, true if rng.random() < 0.7 else rng.randrange(3)))
    return rows


def write_data(folder: Path) -> None:
    data = folder / "data"
    data.mkdir(parents=True, exist_ok=True)
    temps = "".join(f"{day},{t}\n" for day, t in enumerate(_temperatures()))
    (data / "temperatures.csv").write_text("day,temperature\n" + temps, encoding="utf-8")
    (data / "review.txt").write_text(REVIEW, encoding="utf-8")
    rows = "".join(f"{t},{p}\n" for t, p in _labels())
    (data / "labels.csv").write_text("true,predicted\n" + rows, encoding="utf-8")


def stub_source(q: Question) -> str:
    return f'def {q.func}({q.params}):\n    """{q.doc}"""\n    {STUB[0]}\n    {STUB[1]}'


def solution_source(q: Question) -> str:
    body = "\n".join("    " + line if line else "" for line in q.solution.split("\n"))
    return (
        f'def {q.func}({q.params}):\n    """{q.doc}"""\n    ### BEGIN SOLUTION\n{body}\n'
        "    ### END SOLUTION"
    )


# --- implementations: templates -------------------------------------------------------------------
#
# ``$role`` is a name the student chooses (see NAMES); ``⟨a¦b¦c⟩`` one of alternatives; a line
# ``#c text`` is a comment the student may write, ``#a code`` an assert a defensive student
# adds, ``#p code`` a debug print (left in, commented out, or not written), ``#b`` a blank line
# a student may leave. Bodies are written at the function body's level (column 0 here).


@dataclass(frozen=True)
class Impl:
    id: str
    leaning: str  # "numpy", "python" or "functional"
    weight: float
    body: str
    helpers: str = ""
    imports: tuple[str, ...] = ()


# fmt: off
IMPLS: dict[str, tuple[Impl, ...]] = {
    "q1": (
        Impl("slice-loop", "python", 3, """\
#c ⟨one mean per window¦loop over every start position¦go through all the windows⟩
$out = []
for $i in range(len(x) - k + 1):
    $window = x[$i:$i + k]
    #p print($i, $window)
    $out.append(⟨sum($window) / k¦sum($window) / len($window)¦float(np.mean($window))⟩)
#b
return $out"""),
        Impl("sliding-sum", "python", 2, """\
#a assert k >= 1, "the window needs at least one value"
if len(x) < k:
    return []
#c ⟨sum of the first window¦start with the first k values⟩
⟨$total = sum(x[:k])¦$total = 0.0
for $v in x[:k]:
    $total += $v⟩
$out = [$total / k]
#b
#c ⟨slide the window: add the new value, drop the oldest¦\
update the sum instead of adding up every window⟩
for $i in range(k, len(x)):
    ⟨$total += x[$i] - x[$i - k]¦$total = $total + x[$i] - x[$i - k]⟩
    $out.append($total / k)
return $out"""),
        Impl("convolve", "numpy", 2, """\
#c ⟨a flat kernel of length k¦convolving with ones / k gives the moving average⟩
⟨$arr = np.asarray(x, dtype=float)¦$arr = np.array(x, dtype=float)¦$arr = np.asarray(x) * 1.0⟩
⟨return np.convolve($arr, np.ones(k) / k, mode="valid")¦$kernel = np.ones(k) / k
$out = np.convolve($arr, $kernel, mode="valid")
#p print($out.shape)
return $out⟩"""),
        Impl("cumsum", "numpy", 1.5, """\
#c ⟨prefix sums: the sum of x[i:i+k] is cs[i+k] - cs[i]¦\
cumulative sums, so each window is one subtraction⟩
$cs = ⟨np.cumsum(np.insert(np.asarray(x, dtype=float), 0, 0.0))¦\
np.concatenate(([0.0], np.cumsum(x)))¦np.r_[0.0, np.cumsum(x)]⟩
#p print($cs[:5])
return ($cs[k:] - $cs[:-k]) / k"""),
        Impl("comprehension", "functional", 2, """\
#c ⟨mean of each slice¦one list comprehension over the window starts⟩
⟨return [sum(x[$i:$i + k]) / k for $i in range(len(x) - k + 1)]¦\
return [float(np.mean(x[$i:$i + k])) for $i in range(len(x) - k + 1)]¦\
$out = [sum(x[$i:$i + k]) / k for $i in range(len(x) - k + 1)]
return $out⟩"""),
        Impl("helper-while", "python", 1, """\
$out = []
$start = 0
while $start + k <= len(x):
    $out.append($mean_fn(x[$start:$start + k]))
    $start += 1
return $out""", helpers="""\
def $mean_fn($vals):
    #c ⟨average of a list¦plain mean⟩
    ⟨return sum($vals) / len($vals)¦$s = 0
    for $v in $vals:
        $s += $v
    return $s / len($vals)⟩"""),
    ),
    "q2": (
        Impl("numpy", "numpy", 3, """\
$arr = ⟨np.asarray(x, dtype=float)¦np.array(x, dtype=float)¦np.array(x) * 1.0⟩
$mu = ⟨$arr.mean()¦np.mean($arr)⟩
$sd = ⟨$arr.std()¦np.std($arr)⟩
#p print("mean", $mu, "std", $sd)
#c ⟨a constant input has no spread: zeros¦avoid dividing by zero¦edge case⟩
if $sd == 0:
    return np.zeros_like($arr)
return ($arr - $mu) / $sd"""),
        Impl("loop-math", "python", 2, """\
$n = len(x)
$mu = ⟨sum(x) / $n¦math.fsum(x) / $n⟩
#c ⟨population variance: divide by n, not n - 1¦variance⟩
$var = 0.0
for $v in x:
    $var += ($v - $mu) ** 2
$sd = math.sqrt($var / $n)
if $sd == 0:
    return np.zeros($n)
⟨return np.array([($v - $mu) / $sd for $v in x])¦$out = []
for $v in x:
    $out.append(($v - $mu) / $sd)
return np.array($out)⟩""", imports=("import math",)),
        Impl("helpers", "python", 1.5, """\
$mu = $mean_fn(x)
$sd = $std_fn(x)
⟨if $sd == 0:¦if not $sd:⟩
    return np.zeros(len(x))
return np.array([($v - $mu) / $sd for $v in x])""", helpers="""\
def $mean_fn($vals):
    ⟨return sum($vals) / len($vals)¦return sum($vals) / float(len($vals))¦$s = sum($vals)
    return $s / len($vals)⟩
#b

def $std_fn($vals):
    #c ⟨population standard deviation¦divide by n⟩
    $m = $mean_fn($vals)
    return ⟨(sum(($v - $m) ** 2 for $v in $vals) / len($vals)) ** 0.5¦\
np.sqrt(np.mean([($v - $m) ** 2 for $v in $vals]))⟩"""),
        Impl("centered", "numpy", 1.5, """\
$arr = np.asarray(x, dtype=float)
$centered = $arr - $arr.mean()
#c ⟨std by hand¦root of the mean squared deviation⟩
$sd = np.sqrt(⟨np.mean($centered ** 2)¦($centered ** 2).mean()¦\
np.sum($centered ** 2) / len($arr)⟩)
⟨return $centered / $sd if $sd > 0 else np.zeros(len($arr))¦if $sd > 0:
    return $centered / $sd
return np.zeros_like($centered)⟩"""),
        Impl("statistics", "python", 1, """\
$mu = statistics.⟨fmean¦mean⟩(x)
$sd = statistics.pstdev(x)
#c ⟨pstdev is the population standard deviation¦not stdev, which divides by n - 1⟩
if $sd == 0:
    return np.zeros(len(x))
return (np.asarray(x, dtype=float) - $mu) / $sd""", imports=("import statistics",)),
    ),
    "q3": (
        Impl("regex-dict", "python", 3, """\
$wc = {}
⟨for $w in re.findall(r"[a-z]+", text.lower()):¦\
for $w in re.findall("[a-z]+", text.lower()):¦\
$words = re.findall(r"[a-zA-Z]+", text.lower())
for $w in $words:⟩
    ⟨$wc[$w] = $wc.get($w, 0) + 1¦if $w in $wc:
        $wc[$w] += 1
    else:
        $wc[$w] = 1⟩
return $wc""", imports=("import re",)),
        Impl("counter", "functional", 2.5, """\
$words = re.findall(⟨r"[a-z]+"¦"[a-z]+"¦r"[A-Za-z]+"⟩, text.lower())
#p print($words[:10])
⟨return dict(Counter($words))¦return dict(Counter($words))¦return Counter($words)¦\
$wc = Counter($words)
return dict($wc)⟩""", imports=("import re", "from collections import Counter")),
        Impl("char-loop", "python", 1.5, """\
$wc = {}
$current = ""
⟨#c ⟨the extra space at the end finishes the last word¦build each word one letter at a time⟩
for $ch in text.lower() + " ":
    if $ch.isalpha():
        $current += $ch
    elif $current:
        $wc[$current] = $wc.get($current, 0) + 1
        $current = ""¦for $ch in text.lower():
    if $ch.isalpha():
        $current = $current + $ch
    else:
        if $current != "":
            $wc[$current] = $wc.get($current, 0) + 1
        $current = ""
#c ⟨the last word¦don't forget the word at the very end⟩
if $current != "":
    $wc[$current] = $wc.get($current, 0) + 1⟩
return $wc"""),
        Impl("clean-split", "python", 1.5, """\
⟨$cleaned = ""
for $ch in text.lower():
    ⟨$cleaned += $ch if $ch in string.ascii_lowercase else " "¦if $ch in string.ascii_lowercase:
        $cleaned += $ch
    else:
        $cleaned += " "⟩¦#c ⟨replace punctuation by spaces¦punctuation becomes a space⟩
$cleaned = text.lower().translate(\
str.maketrans(string.punctuation, " " * len(string.punctuation)))⟩
$wc = {}
for $w in $cleaned.split():
    ⟨if $w in $wc:
        $wc[$w] += 1
    else:
        $wc[$w] = 1¦$wc[$w] = $wc.get($w, 0) + 1⟩
return $wc""", imports=("import string",)),
        Impl("defaultdict", "python", 1, """\
$wc = defaultdict(int)
#c ⟨split on anything that is not a letter¦non-letters separate words⟩
for $w in re.split(⟨r"[^a-z]+"¦"[^a-z]+"¦r"[^a-zA-Z]+"⟩, text.lower()):
    ⟨if $w:¦if $w != "":¦if len($w) > 0:⟩
        ⟨$wc[$w] += 1¦$wc[$w] = $wc[$w] + 1⟩
return ⟨dict($wc)¦dict($wc)¦$wc⟩""", imports=("import re", "from collections import defaultdict")),
    ),
    "q4": (
        Impl("sorted-lambda", "functional", 3, """\
#c ⟨highest count first, then alphabetical¦sort by -count, then by word⟩
⟨$items = sorted(counts.items(), key=lambda $kv: (-$kv[1], $kv[0]))
return $items[:n]¦\
return sorted(counts.items(), key=lambda $kv: (-$kv[1], $kv[0]))[:n]¦\
$items = sorted(counts.items(), key=lambda $kv: ($kv[1] * -1, $kv[0]))
#p print($items[:n])
return $items[:n]⟩"""),
        Impl("key-helper", "python", 1, """\
⟨return sorted(counts.items(), key=$key_fn)[:n]¦$items = sorted(counts.items(), key=$key_fn)
return $items[:n]¦$items = list(counts.items())
$items.sort(key=$key_fn)
return $items[:n]⟩""", helpers="""\
def $key_fn($pair):
    #c ⟨most frequent first, then alphabetical¦a negative count sorts descending⟩
    return (-$pair[1], $pair[0])"""),
        Impl("two-sorts", "python", 1.5, """\
#c ⟨sort by word first: the second sort is stable, so ties stay alphabetical¦\
python's sort is stable⟩
$by_word = ⟨sorted(counts.items())¦sorted(counts.items(), key=lambda $kv: $kv[0])⟩
$by_count = sorted($by_word, key=lambda $kv: $kv[1], reverse=True)
return $by_count[:n]"""),
        Impl("selection", "python", 1, """\
$remaining = dict(counts)
$result = []
#c ⟨pick the best remaining word n times¦selection: find the max, remove it, repeat⟩
while $remaining and len($result) < n:
    $best = None
    for $w, $c in $remaining.items():
        if $best is None or $c > $remaining[$best] or ($c == $remaining[$best] and $w < $best):
            $best = $w
    $result.append(($best, $remaining.pop($best)))
return $result"""),
        Impl("heapq", "functional", 1, """\
#c ⟨nsmallest of the negated count is the n largest¦heapq avoids sorting everything⟩
return heapq.nsmallest(n, counts.items(), key=lambda $kv: (-$kv[1], $kv[0]))""",
             imports=("import heapq",)),
        Impl("negate", "python", 1, """\
$pairs = [(-$c, $w) for $w, $c in counts.items()]
$pairs.sort()
#c ⟨tuples sort by the first element, then the second¦\
negative counts so the biggest come first⟩
return [($w, -$c) for $c, $w in $pairs[:n]]"""),
    ),
    "q5": (
        Impl("index-loop", "python", 3, """\
if len(x) == 0:
    return 0
$longest = 1
$run_len = 1
for $i in range(1, len(x)):
    if x[$i] > x[$i - 1]:
        $run_len += 1
        ⟨$longest = max($longest, $run_len)¦if $run_len > $longest:
            $longest = $run_len⟩
    else:
        #c ⟨the run is broken: start again¦reset⟩
        $run_len = 1
return $longest"""),
        Impl("zip-pairs", "functional", 2, """\
if len(x) == 0:
    return 0
$longest = $run_len = 1
#c ⟨compare each value with the one before¦neighbouring pairs⟩
for $prev, $nxt in zip(x, x[1:]):
    ⟨$run_len = $run_len + 1 if $nxt > $prev else 1¦if $nxt > $prev:
        $run_len += 1
    else:
        $run_len = 1⟩
    $longest = max($longest, $run_len)
return $longest"""),
        Impl("diff", "numpy", 1.5, """\
$arr = np.asarray(x)
if $arr.size == 0:
    return 0
$up = np.diff($arr) > 0
#c ⟨count consecutive increases; the run has one more value than steps¦longest streak of True⟩
$longest = $run_len = 0
for $flag in $up:
    $run_len = $run_len + 1 if $flag else 0
    $longest = max($longest, $run_len)
return int($longest) + 1"""),
        Impl("recursion", "python", 1, """\
$longest = 0
$i = 0
while $i < len(x):
    $length = $run_fn(x, $i)
    $longest = max($longest, $length)
    $i += $length
return $longest""", helpers="""\
def $run_fn($seq, $pos):
    #c ⟨length of the rising run that starts at $pos¦\
recursive: one more than the run from the next value⟩
    if $pos + 1 < len($seq) and $seq[$pos + 1] > $seq[$pos]:
        return 1 + $run_fn($seq, $pos + 1)
    return 1"""),
        Impl("groups", "python", 1, """\
$runs = []
$group = []
for $v in x:
    if $group and $v <= $group[-1]:
        $runs.append($group)
        $group = []
    $group.append($v)
if $group:
    $runs.append($group)
#p print($runs)
return max((len($r) for $r in $runs), default=0)"""),
    ),
    "q6": (
        Impl("zip-numpy", "numpy", 3, """\
$mat = np.zeros(⟨(n_classes, n_classes)¦[n_classes, n_classes]⟩, dtype=⟨int¦int¦np.int64⟩)
for $t, $p in zip(y_true, y_pred):
    ⟨$mat[$t, $p] += 1¦$mat[$t][$p] += 1¦$mat[$t, $p] = $mat[$t, $p] + 1⟩
return $mat"""),
        Impl("nested-lists", "python", 2, """\
$mat = ⟨[[0] * n_classes for _ in range(n_classes)]¦\
[[0 for _ in range(n_classes)] for _ in range(n_classes)]⟩
for $i in range(len(y_true)):
    $mat[y_true[$i]][y_pred[$i]] += 1
return np.array($mat)"""),
        Impl("masks", "numpy", 1, """\
$yt = np.asarray(y_true)
$yp = np.asarray(y_pred)
$mat = np.zeros((n_classes, n_classes), dtype=int)
for $t in range(n_classes):
    for $p in range(n_classes):
        $mat[$t, $p] = np.sum(($yt == $t) & ($yp == $p))
return $mat"""),
        Impl("bincount", "numpy", 1, """\
#c ⟨one number per (true, predicted) pair¦flatten the pair into one index⟩
$idx = np.asarray(y_true) * n_classes + np.asarray(y_pred)
⟨return np.bincount($idx, minlength=n_classes ** 2).reshape(n_classes, n_classes)¦\
$mat = np.bincount($idx, minlength=n_classes * n_classes)
return $mat.reshape((n_classes, n_classes))⟩"""),
        Impl("add-at", "numpy", 0.7, """\
$mat = np.zeros(⟨(n_classes, n_classes)¦[n_classes, n_classes]¦(n_classes,) * 2⟩, \
dtype=⟨int¦np.int64⟩)
#c ⟨add.at adds 1 once per pair, repeats included¦unbuffered: repeated pairs all count⟩
np.add.at($mat, ⟨(np.asarray(y_true), np.asarray(y_pred))¦(y_true, y_pred)¦\
(np.array(y_true), np.array(y_pred))⟩, 1)
return $mat"""),
        Impl("counter-pairs", "functional", 1, """\
$tally = Counter(zip(y_true, y_pred))
return np.array([[$tally[($t, $p)] for $p in range(n_classes)] for $t in range(n_classes)])""",
             imports=("from collections import Counter",)),
    ),
}
# fmt: on

PARTIALS: dict[str, tuple[str, ...]] = {
    "q1": (
        """\
$out = []
for $i in range(len(x)):
    #c ⟨TODO the last windows are too short¦not sure about the end of the list¦fix the end?⟩
    $out.append(sum(x[$i:$i + k]) / k)
return $out""",
        """\
$total = 0
for $v in x[:k]:
    $total += $v
return $total / k""",
    ),
    "q2": (
        """\
$mu = ⟨sum(x) / len(x)¦np.mean(x)⟩
#c ⟨TODO divide by the standard deviation¦still need the std¦std?⟩
⟨return np.array([$v - $mu for $v in x])¦return [$v - $mu for $v in x]⟩""",
        "return (x - np.mean(x)) / np.std(x)",
    ),
    "q3": (
        """\
$words = text.lower().split()
#c ⟨TODO punctuation is still attached to the words¦doesn't remove punctuation yet⟩
$wc = {}
for $w in $words:
    $wc[$w] = $wc.get($w, 0) + 1
return $wc""",
        """\
$words = text.split()
return {$w: $words.count($w) for $w in $words}""",
    ),
    "q4": (
        "return list(counts.items())[:n]",
        """\
#c ⟨TODO ties¦doesn't give the counts yet⟩
return sorted(counts, key=counts.get, reverse=True)[:n]""",
    ),
    "q5": (
        """\
$longest = 0
for $i in range(1, len(x)):
    if x[$i] > x[$i - 1]:
        $longest += 1
return $longest""",
        """\
#c ⟨TODO reset the count when it goes down¦doesn't reset yet⟩
$run_len = 1
for $i in range(len(x) - 1):
    if x[$i + 1] > x[$i]:
        $run_len += 1
return $run_len""",
    ),
    "q6": (
        """\
$mat = np.zeros((n_classes, n_classes))
#c ⟨TODO fill in the counts¦not done⟩
return $mat""",
        """\
$mat = np.zeros((n_classes, n_classes), dtype=int)
for $t, $p in zip(y_true, y_pred):
    if $t == $p:
        $mat[$t, $t] += 1
return $mat""",
    ),
}

SCRATCH: dict[str, tuple[str, ...]] = {
    "q1": (
        "moving_average([1, 2, 3, 4, 5], ⟨2¦3¦5⟩)",
        "$sample = ⟨[2, 4, 6, 8]¦[1, 1, 1, 1, 1]¦[10, 0, 10, 0]⟩\n"
        "print(moving_average($sample, 2))",
        "print(len(temperatures), len(moving_average(temperatures, ⟨3¦7¦30⟩)))",
    ),
    "q2": (
        "print(standardize([⟨2, 4, 4, 4, 5, 5, 7, 9¦1, 2, 3¦5, 5, 5⟩]))",
        "$sample = standardize(temperatures)\nprint($sample.min(), $sample.max())",
    ),
    "q3": (
        'word_counts("⟨The cat and the hat.¦a b a¦Hello, hello world!⟩")',
        "print(sum(counts.values()), len(review.split()))",
        "$sample = word_counts(review)\nprint(sorted($sample)[:10])",
    ),
    "q4": (
        "top_words(word_counts(review), ⟨3¦10¦1⟩)",
        'print(top_words({"a": 2, "b": 2, "c": 5}, 2))',
    ),
    "q5": (
        "longest_rising_run([⟨1, 2, 3, 1, 2¦5, 4, 3¦3, 1, 2, 3, 4, 0¦1⟩])",
        "print(temperatures[:12])",
    ),
    "q6": (
        "confusion_matrix([0, 1, 1, 2], [0, 1, 0, 2], 3)",
        "$sample = confusion_matrix(y_true, y_pred, 3)\nprint($sample.sum(), len(y_true))",
        "print(np.trace(confusion_matrix(y_true, y_pred, 3)) / len(y_true))",
    ),
}

# Names for each role: (short, plain, long); camelCase is made from the long ones.
NAMES: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "out": (("out", "res", "r"), ("result", "averages", "means", "output"),
            ("moving_avgs", "window_means", "result_list")),
    "i": (("i", "j"), ("i", "idx", "pos"), ("index", "position", "start_index")),
    "window": (("w", "win"), ("window", "chunk", "part"),
               ("current_window", "window_values", "sub_list")),
    "total": (("s", "t", "tot"), ("total", "acc", "window_sum"),
              ("running_total", "current_sum", "window_total")),
    "arr": (("a", "arr", "xs"), ("arr", "values", "data"),
            ("values_array", "data_array", "as_array")),
    "kernel": (("kw", "ker"), ("kernel", "weights"), ("uniform_kernel", "kernel_weights")),
    "cs": (("c", "cs"), ("cumsum", "csum", "prefix"),
           ("cumulative", "prefix_sums", "running_sums")),
    "mean_fn": (("avg", "mn"), ("mean", "average", "avg"),
                ("compute_mean", "calc_average", "get_mean")),
    "vals": (("v", "xs", "l"), ("vals", "values", "nums", "lst"),
             ("numbers", "value_list", "items_list")),
    "v": (("v", "e", "a"), ("val", "value", "num", "item"),
          ("element", "current_value", "number")),
    "s": (("s", "t"), ("total", "acc", "summ"), ("running_sum", "accumulator", "the_sum")),
    "start": (("st", "b"), ("start", "begin", "lo"), ("start_pos", "window_start", "left")),
    "mu": (("m", "mu", "mn"), ("mean", "avg", "mu"), ("mean_value", "average_val", "the_mean")),
    "sd": (("s", "sd", "sig"), ("std", "sd", "sigma", "stdev"),
           ("std_dev", "standard_dev", "spread_val")),
    "var": (("v2", "var"), ("var", "variance", "ss"),
            ("sum_sq", "squared_diffs", "variance_total")),
    "n": (("m", "ln", "cnt"), ("size", "length", "count"),
          ("n_values", "num_values", "length_of_x")),
    "centered": (("d", "dx", "c"), ("centered", "diffs", "dev"),
                 ("centered_values", "deviations", "differences")),
    "std_fn": (("sdev", "sd_of"), ("stdev", "sigma", "std"),
               ("compute_std", "calc_std", "get_std")),
    "m": (("m", "mm"), ("m", "mid", "avg"), ("mean_of_vals", "local_mean")),
    "wc": (("d", "c", "wc"), ("freq", "counter", "tally"),
           ("frequencies", "word_freq", "count_dict")),
    "w": (("w", "t", "wd"), ("word", "token", "w"), ("each_word", "word_token", "the_word")),
    "words": (("ws", "toks", "l"), ("words", "tokens"), ("word_list", "all_words", "token_list")),
    "current": (("cur", "buf", "b"), ("current", "word_so_far", "buf"),
                ("current_word", "letters_so_far", "partial_word")),
    "ch": (("c", "ch"), ("ch", "char", "letter"), ("character", "current_char", "symbol")),
    "cleaned": (("t", "cl", "s2"), ("cleaned", "clean", "plain"),
                ("clean_text", "letters_only", "stripped_text")),
    "items": (("it", "lst", "ps"), ("items", "ranked", "ordered"),
              ("sorted_items", "ranked_pairs", "ordered_words")),
    "kv": (("kv", "p", "t", "e"), ("pair", "item", "entry", "wc"),
           ("word_count", "key_value", "pair_item")),
    "key_fn": (("kf", "by", "k_fn"), ("rank_key", "sort_key", "order"),
               ("sort_by_count", "ranking_key", "make_sort_key")),
    "pair": (("p", "t", "kv"), ("pair", "item", "entry"),
             ("word_and_count", "the_pair", "tuple_item")),
    "by_word": (("a", "s1", "bw"), ("alpha", "by_word", "first"),
                ("sorted_by_word", "alphabetical", "words_sorted")),
    "by_count": (("b", "s2", "bc"), ("ranked", "by_count", "second"),
                 ("sorted_by_count", "by_frequency", "final_order")),
    "remaining": (("rem", "d", "left"), ("remaining", "rest", "pool"),
                  ("remaining_words", "still_left", "candidates")),
    "best": (("b", "bw", "mx"), ("best", "top", "winner"),
             ("best_word", "current_best", "top_word")),
    "c": (("c", "f", "q"), ("count", "freq", "cnt"), ("word_count_val", "frequency", "the_count")),
    "result": (("res", "r", "out"), ("result", "top", "answer"),
               ("top_list", "result_list", "final_result")),
    "pairs": (("ps", "l", "tl"), ("pairs", "tuples", "neg"),
              ("negated_pairs", "pair_list", "sortable")),
    "longest": (("b", "mx", "lg"), ("best", "longest", "max_len"),
                ("longest_run", "max_length", "best_length")),
    "run_len": (("c", "cur", "r"), ("current", "run", "length"),
                ("current_run", "run_length", "streak_length")),
    "prev": (("a", "p", "pr"), ("prev", "before", "last"),
             ("previous", "prev_value", "left_value")),
    "nxt": (("b", "q", "nx"), ("nxt", "after", "this"),
            ("next_value", "current_value", "right_value")),
    "up": (("u", "d", "inc"), ("up", "rising", "increases"),
           ("is_rising", "increasing_steps", "step_up")),
    "flag": (("f", "u", "b"), ("flag", "is_up", "step"), ("went_up", "step_is_up", "rising_step")),
    "run_fn": (("rl", "rn"), ("run_from", "rise_len", "climb"),
               ("rising_length_from", "run_length_at", "count_rise")),
    "seq": (("s", "a", "xs"), ("seq", "values", "arr"), ("sequence", "the_values", "series")),
    "pos": (("p", "st", "j"), ("pos", "start", "at"), ("start_index", "position", "begin_at")),
    "length": (("ln", "l", "m"), ("length", "size", "step"),
               ("run_size", "this_length", "segment_len")),
    "runs": (("rs", "l", "g"), ("runs", "groups", "segments"),
             ("all_runs", "run_list", "rising_groups")),
    "group": (("g", "cur", "r"), ("current", "group", "seg"),
              ("current_run", "current_group", "this_segment")),
    "r": (("r", "g", "s"), ("run", "grp", "seg"), ("each_run", "one_group", "segment")),
    "mat": (("m", "cm", "mat"), ("matrix", "cm", "conf"),
            ("conf_matrix", "counts_matrix", "result_matrix")),
    "t": (("t", "a", "i"), ("true", "actual", "t"), ("true_label", "actual_class", "true_class")),
    "p": (("p", "b", "j"), ("pred", "guess", "p"),
          ("predicted_label", "pred_class", "predicted_class")),
    "yt": (("a", "yt", "tv"), ("truth", "yt", "actual"),
           ("true_array", "truth_array", "actual_arr")),
    "yp": (("b", "yp", "pv"), ("preds", "yp", "guesses"),
           ("pred_array", "predicted_arr", "guess_array")),
    "idx": (("ix", "fl", "q"), ("flat", "index", "codes"),
            ("flat_index", "combined_index", "pair_codes")),
    "tally": (("pc", "cn", "d"), ("pair_counts", "tally", "counter"),
              ("counts_by_pair", "pair_counter", "label_pairs")),
    "sample": (("a", "t", "s"), ("test", "sample", "demo"),
               ("test_values", "small_example", "my_test")),
}  # fmt: skip
STYLES = ("short", "plain", "long", "camel")
IMPORTED = frozenset({"re", "math", "statistics", "string", "heapq", "Counter", "defaultdict"})
RESERVED = GRADED | PARAMS | SETUP_GLOBALS | IMPORTED | frozenset(dir(builtins))
RESERVED |= frozenset(keyword.kwlist)
"""Names a student's local never takes: shadowing these would change what the code does."""

ALTERNATIVE = re.compile(r"⟨([^⟨⟩]*)⟩")
ROLE = re.compile(r"\$([a-z_]+)")

# --- students -------------------------------------------------------------------------------------


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def name_options(role: str, style: str) -> tuple[str, ...]:
    short, plain, long = NAMES[role]
    return {"short": short, "plain": plain, "long": long, "camel": tuple(map(_camel, long))}[style]


@dataclass
class Style:
    """How one student writes code, whatever the question."""

    naming: str
    stray: float
    comment_rate: float
    capitalize: bool
    period: bool
    hash_space: bool
    blank_rate: float
    def_gap: int
    defensive: bool
    debug: str
    keep_doc: float
    keep_marker: float
    import_place: str
    scratch_rate: float
    leaning: str
    effort: float

    @classmethod
    def draw(cls, rng: random.Random) -> Style:
        return cls(
            naming=_weighted(rng, {"plain": 0.45, "short": 0.25, "long": 0.15, "camel": 0.15}),
            stray=rng.choice((0.0, 0.1, 0.3)),
            comment_rate=_weighted(rng, {0.0: 0.3, 0.25: 0.3, 0.6: 0.25, 0.95: 0.15}),
            capitalize=rng.random() < 0.4,
            period=rng.random() < 0.2,
            hash_space=rng.random() < 0.92,
            blank_rate=rng.choice((0.0, 0.0, 0.5, 1.0)),
            def_gap=rng.choice((1, 2, 2)),
            defensive=rng.random() < 0.2,
            debug=_weighted(rng, {"": 0.7, "commented": 0.2, "live": 0.1}),
            keep_doc=_weighted(rng, {1.0: 0.75, 0.5: 0.15, 0.0: 0.1}),
            keep_marker=_weighted(rng, {0.0: 0.65, 0.5: 0.1, 1.0: 0.25}),
            import_place=_weighted(rng, {"cell": 0.55, "setup": 0.3, "function": 0.15}),
            scratch_rate=rng.choice((0.0, 0.0, 0.15, 0.4)),
            leaning=_weighted(rng, {"mixed": 0.45, "numpy": 0.3, "python": 0.25}),
            effort=_weighted(rng, {1.0: 0.55, 0.8: 0.3, 0.5: 0.15}),
        )


def _weighted(rng: random.Random, weights: dict[Any, float]) -> Any:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


@dataclass
class Cell:
    role: str
    """``title``, ``setup``, ``md:q1``, ``answer:q1``, ``demo:q1``, ``scratch:q1``, ``extra``."""
    source: str
    id: str
    cell_type: str = "code"


@dataclass
class Student:
    name: str
    kind: str  # "independent", "copier" or "reference"
    cells: list[Cell]
    questions: dict[str, str]
    """Per question: the implementation, ``partial`` or ``unanswered``."""
    setup_imports: dict[str, list[str]] = field(default_factory=dict)
    """Per question: the import lines this student put in the setup cell for it."""

    def answer(self, key: str) -> Cell:
        return next(c for c in self.cells if c.role == f"answer:{key}")

    def code_cells(self) -> list[Cell]:
        return [c for c in self.cells if c.cell_type == "code"]


class Writer:
    """Renders templates the way one student writes."""

    def __init__(self, rng: random.Random, style: Style, habits: Habits | None = None):
        self.rng = rng
        self.style = style
        self.habits = habits
        self.names: dict[str, str] = {}

    def comment(self, text: str) -> str:
        if self.style.capitalize:
            text = text[0].upper() + text[1:]
        if self.style.period and not text.endswith(("?", ".")):
            text += "."
        return ("# " if self.style.hash_space else "#") + text

    def preferred(self, role: str) -> str:
        if role not in self.names:
            style = self.style.naming
            if self.rng.random() < self.style.stray:
                style = self.rng.choice(STYLES)
            self.names[role] = self.rng.choice(name_options(role, style))
        return self.names[role]

    def name(self, role: str, taken: set[str]) -> str:
        candidates = [self.preferred(role)]
        for style in STYLES:
            candidates += name_options(role, style)
        for candidate in candidates:
            if candidate not in taken and candidate not in RESERVED:
                return candidate
        base = candidates[0]
        suffix = 2
        while f"{base}{suffix}" in taken:
            suffix += 1
        return f"{base}{suffix}"

    def choose(self, text: str) -> str:
        """Pick one of each ``⟨a¦b⟩``, innermost first."""
        while (match := ALTERNATIVE.search(text)) is not None:
            pick = self.rng.choice(match.group(1).split("¦"))
            text = text[: match.start()] + pick + text[match.end() :]
        return text

    def lines(self, text: str) -> str:
        """Resolve the ``#c``, ``#a``, ``#p`` and ``#b`` lines."""
        out = []
        for line in text.split("\n"):
            stripped = line.lstrip()
            indent = line[: len(line) - len(stripped)]
            if stripped.startswith("#c "):
                if self.rng.random() < self.style.comment_rate:
                    out.append(indent + self.comment(stripped[3:]))
            elif stripped.startswith("#a "):
                if self.style.defensive:
                    out.append(indent + stripped[3:])
            elif stripped.startswith("#p "):
                if self.style.debug and self.rng.random() < 0.6:
                    prefix = "# " if self.style.debug == "commented" else ""
                    out.append(indent + prefix + stripped[3:])
            elif stripped == "#b":
                if self.rng.random() < self.style.blank_rate:
                    out.append("")
            else:
                out.append(line)
        return "\n".join(out)

    def render(self, *texts: str) -> list[str]:
        """The texts with alternatives and optional lines resolved and one set of names."""
        resolved = [self.lines(self.choose(text)) for text in texts]
        taken: set[str] = set()
        mapping: dict[str, str] = {}
        for text in resolved:
            for role in ROLE.findall(text):
                if role not in mapping:
                    mapping[role] = self.name(role, taken)
                    taken.add(mapping[role])
        return [ROLE.sub(lambda m: mapping[m.group(1)], text) for text in resolved]


def _indent(text: str, prefix: str = "    ") -> str:
    return "\n".join(prefix + line if line.strip() else "" for line in text.split("\n"))


def compose_answer(
    q: Question, impl: Impl | None, body: str | None, writer: Writer
) -> tuple[str, list[str]]:
    """One answer cell's source, and the import lines the student put in the setup cell."""
    style, rng = writer.style, writer.rng
    helpers = impl.helpers if impl else ""
    imports = list(impl.imports) if impl else []
    rendered_body, rendered_helpers = writer.render(body or "", helpers)
    if writer.habits is not None:
        rendered_body = writer.habits.vary(rendered_body, rng, body=True)
        rendered_helpers = writer.habits.vary(rendered_helpers, rng, body=False)
    place = style.import_place
    head = [f"def {q.func}({q.params}):"]
    if rng.random() < style.keep_doc:
        head.append(f'    """{q.doc}"""')
    if rng.random() < style.keep_marker:
        head.append(f"    {STUB[0]}")
    if imports and place == "function":
        head += [f"    {line}" for line in imports]
    function = "\n".join(head) + "\n" + _indent(rendered_body)
    gap = "\n" * (style.def_gap + 1)
    parts = [function]
    if rendered_helpers:
        if rng.random() < 0.75:
            parts.insert(0, rendered_helpers)
        else:
            parts.append(rendered_helpers)
    source = gap.join(parts)
    in_setup: list[str] = []
    if imports and place == "cell":
        source = "\n".join(imports) + "\n" + ("\n" if rng.random() < 0.7 else "") + source
    elif imports and place == "setup":
        in_setup = imports
    if writer.habits is not None:
        source = writer.habits.spell(source)
    return source, in_setup


def released_cells() -> list[Cell]:
    """The released notebook's cells, with the ids every student's copy starts from."""
    rng = random.Random("simbench-released")
    cells = [Cell("title", INTRO, _cell_id(rng), "markdown"), Cell("setup", SETUP, _cell_id(rng))]
    for number, q in enumerate(QUESTIONS, start=1):
        cells += [
            Cell(f"md:{q.key}", f"## Q{number}. {q.title}\n\n{q.text}", _cell_id(rng), "markdown"),
            Cell(f"answer:{q.key}", stub_source(q), _cell_id(rng)),
            Cell(f"demo:{q.key}", q.demo, _cell_id(rng)),
        ]
    return cells


def _cell_id(rng: random.Random) -> str:
    return f"{rng.getrandbits(32):08x}"


def _setup_with(imports: Iterable[str]) -> str:
    lines = SETUP.split("\n")
    extra = [line for line in dict.fromkeys(imports) if line not in lines]
    return "\n".join([*extra, *lines])


def compose_student(
    name: str, kind: str, rng: random.Random, complete: bool = False, varied: bool = False
) -> Student:
    """An independent student (``complete``: answers every question fully; ``varied``: with
    the habits of the varied corpus, :class:`Habits`)."""
    habits = Habits.draw(random.Random(rng.getrandbits(64))) if varied else None
    style = Style.draw(rng)
    writer = Writer(rng, style, habits)
    cells: list[Cell] = []
    questions: dict[str, str] = {}
    setup_imports: dict[str, list[str]] = {}
    by_key = {q.key: q for q in QUESTIONS}
    for cell in released_cells():
        key = cell.role.split(":")[-1]
        if cell.role.startswith("answer:"):
            q = by_key[key]
            lack = 1 - style.effort
            roll = rng.random()
            if not complete and roll < 0.04 + 0.35 * lack:
                questions[key] = "unanswered"
                if rng.random() < 0.2:
                    cell = Cell(cell.role, cell.source.replace(STUB[1], "pass"), cell.id)
                cells.append(cell)
                continue
            if not complete and roll < 0.08 + 0.7 * lack:
                questions[key] = "partial"
                source, _ = compose_answer(q, None, rng.choice(PARTIALS[key]), writer)
            else:
                impl = _pick_impl(rng, key, style.leaning)
                questions[key] = impl.id
                source, setup_imports[key] = compose_answer(q, impl, impl.body, writer)
            cells.append(Cell(cell.role, source, cell.id))
        elif cell.role.startswith("demo:"):
            cells.append(cell)
            while rng.random() < style.scratch_rate:
                (scratch,) = writer.render(rng.choice(SCRATCH[key]))
                scratch = habits.spell(scratch) if habits is not None else scratch
                cells.append(Cell(f"scratch:{key}", scratch, _cell_id(rng)))
        else:
            cells.append(cell)
    student = Student(name, kind, cells, questions, setup_imports)
    _set_setup(student)
    return student


def _set_setup(student: Student) -> None:
    setup = next(c for c in student.cells if c.role == "setup")
    setup.source = _setup_with(line for lines in student.setup_imports.values() for line in lines)


def _pick_impl(rng: random.Random, key: str, leaning: str) -> Impl:
    impls = IMPLS[key]
    boost = {"numpy": {"numpy": 2.0}, "python": {"python": 2.0, "functional": 1.3}}.get(leaning, {})
    weights = [impl.weight * boost.get(impl.leaning, 1.0) for impl in impls]
    return rng.choices(impls, weights=weights)[0]


# --- the varied corpus: habits ----------------------------------------------------------------

CORPORA = ("varied", "narrow")
"""``narrow``: every student writes the templates' code as the templates spell it (each with
their own names, comments, blank lines): independent students who chose one implementation
write it in the same shape and spacing far more often than real ones do. ``varied``: each
student also has :class:`Habits`."""
RETURNED = ("result", "res", "out", "answer", "ans", "output", "value")
"""Names a student gives the value they return (when they name it first)."""
COMPARE_FLIP = {"<": ">", ">": "<", "<=": ">=", ">=": "<="}
EMPTY = ("len({}) == 0", "not len({})", "len({}) < 1", "len({}) <= 0")


@dataclass
class Habits:
    """How one student writes code beyond what the templates say (the ``varied`` corpus).

    What real independent students differ by, each as a habit with its own strength, so that
    two students who chose one implementation write it alike only as often as their habits
    agree: the spaces they put around arithmetic, ``=`` and comparisons, and after commas;
    single or double quotes; brackets around a condition; ``x += y`` or ``x = x + y``;
    naming the returned value first or returning the expression; ``range(0, n)`` or
    ``range(n)``; ``b < a`` or ``a > b``; how they test that a list is empty. None of it
    changes what the code does (the test suite runs every answer).
    """

    tight_arith: bool
    cramped: bool
    commas: bool
    quote: str
    parens: float
    augmented: float
    plain: float
    name_return: float
    range_zero: float
    flip: float
    empty: str

    @classmethod
    def draw(cls, rng: random.Random) -> Habits:
        often = (0.0, 0.0, 0.5, 0.9)
        return cls(
            tight_arith=rng.random() < 0.3,
            cramped=rng.random() < 0.15,
            commas=rng.random() < 0.9,
            quote=_weighted(rng, {'"': 0.6, "'": 0.4}),
            parens=rng.choice((0.0, 0.0, 0.0, 0.0, 0.8)),
            augmented=rng.choice(often),
            plain=rng.choice(often),
            name_return=rng.choice((0.0, 0.0, 0.3, 0.7)),
            range_zero=rng.choice((0.0, 0.0, 0.0, 0.9)),
            flip=rng.choice((0.0, 0.0, 0.3)),
            empty=_weighted(rng, {EMPTY[0]: 0.6, EMPTY[1]: 0.2, EMPTY[2]: 0.15, EMPTY[3]: 0.05}),
        )

    def vary(self, text: str, rng: random.Random, body: bool) -> str:
        """``text`` (a rendered body at column 0, or helpers) written with these habits."""
        if not text.strip():
            return text
        lines = []
        for line in text.split("\n"):
            lines += self._line(line, rng, body, text)
        new = "\n".join(lines)
        try:
            ast.parse(new)
        except SyntaxError:
            return text
        return new

    def _line(self, line: str, rng: random.Random, body: bool, text: str) -> list[str]:
        indent = line[: len(line) - len(line.lstrip())]
        code = line.strip()
        if code.startswith("#") or not _balanced(code):
            return [line]
        code = re.sub(r"len\((\w+)\) == 0", lambda m: self.empty.format(m[1]), code)
        code = _range_zero(code) if rng.random() < self.range_zero else code
        header = re.fullmatch(r"(if|elif|while) (.+):", code)
        if header and rng.random() < self.flip:
            code = f"{header[1]} {_flipped(header[2])}:"
            header = re.fullmatch(r"(if|elif|while) (.+):", code)
        if header and rng.random() < self.parens and not header[2].startswith("("):
            code = f"{header[1]} ({header[2]}):"
        augmented = re.fullmatch(r"([A-Za-z_]\w*(?:\[[^\]=]*\])*) ([+\-*/])= (.+)", code)
        if augmented and rng.random() < self.plain:
            rest = augmented[3] if re.fullmatch(r"[\w.]+", augmented[3]) else f"({augmented[3]})"
            code = f"{augmented[1]} = {augmented[1]} {augmented[2]} {rest}"
        plain = re.fullmatch(r"([A-Za-z_]\w*) = ([A-Za-z_]\w*) \+ ([\w.]+)", code)
        if plain and plain[1] == plain[2] and rng.random() < self.augmented:
            code = f"{plain[1]} += {plain[3]}"
        returned = re.fullmatch(r"return (.+)", code)
        if (body and not indent and returned and rng.random() < self.name_return
                and not re.fullmatch(r"[\w.]+", returned[1])):  # fmt: skip
            name = next((n for n in RETURNED if not re.search(rf"\b{n}\b", text)), None)
            if name is not None:
                return [f"{indent}{name} = {returned[1]}", f"{indent}return {name}"]
        return [indent + code]

    def spell(self, source: str) -> str:
        """``source`` spaced and quoted this student's way (the code unchanged)."""
        new = respace(source, self.tight_arith, self.cramped, self.commas)
        new = _requoted(new, self.quote)
        return new if _same_code(new, source) else source


def _balanced(code: str) -> bool:
    depth = 0
    for ch in code:
        depth += ch in "([{"
        depth -= ch in ")]}"
        if depth < 0:
            return False
    return depth == 0 and not code.endswith("\\")


def _range_zero(code: str) -> str:
    """``range(n)`` written ``range(0, n)`` (one argument only)."""
    at = code.find("range(")
    if at < 0 or (at and (code[at - 1].isalnum() or code[at - 1] in "_.")):
        return code
    depth, end = 0, -1
    for i in range(at + 5, len(code)):
        depth += code[i] in "([{"
        depth -= code[i] in ")]}"
        if depth == 0:
            end = i
            break
        if depth == 1 and code[i] == ",":
            return code
    if end < 0:
        return code
    return f"{code[: at + 6]}0, {code[at + 6 :]}"


def _flipped(condition: str) -> str:
    """``a > b`` written ``b < a`` (one comparison of two operands; anything else as it is)."""
    try:
        tree = ast.parse(condition, mode="eval").body
    except SyntaxError:
        return condition
    if not isinstance(tree, ast.Compare) or len(tree.ops) != 1:
        return condition
    op = {ast.Lt: "<", ast.Gt: ">", ast.LtE: "<=", ast.GtE: ">="}.get(type(tree.ops[0]))
    if op is None:
        return condition
    return f"{ast.unparse(tree.comparators[0])} {COMPARE_FLIP[op]} {ast.unparse(tree.left)}"


def _requoted(source: str, quote: str) -> str:
    """Every one-line string literal that can be written in ``quote`` written so."""
    other = "'" if quote == '"' else '"'
    lines = source.split("\n")
    edits = []
    for tok in _tokens(source):
        if tok.type != tokenize.STRING or tok.start[0] != tok.end[0]:
            continue
        prefix = re.match(r"[A-Za-z]*", tok.string)
        head = prefix[0] if prefix else ""
        body = tok.string[len(head) :]
        if body.startswith(other * 3) or not body.startswith(other) or quote in body[1:-1]:
            continue
        if "\\" in body or "{" in body:
            continue
        edits.append((tok.start[0], tok.start[1], tok.end[1], f"{head}{quote}{body[1:-1]}{quote}"))
    for row, start, end, new in sorted(edits, reverse=True):
        line = lines[row - 1]
        lines[row - 1] = line[:start] + new + line[end:]
    return "\n".join(lines)


# --- transformations (what a copier does to the source's notebook) -------------------------------


def _tokens(source: str) -> list[tokenize.TokenInfo]:
    return list(tokenize.generate_tokens(io.StringIO(source + "\n").readline))


def _same_code(a: str, b: str) -> bool:
    return ast.dump(ast.parse(a)) == ast.dump(ast.parse(b))


def _edited_cells(student: Student) -> list[Cell]:
    """The cells a student wrote (answers, scratch, extras): never the given ones."""
    return [
        c
        for c in student.cells
        if c.cell_type == "code" and c.role.split(":")[0] in ("answer", "scratch", "extra")
    ]


def local_names(source: str) -> set[str]:
    """Names a renamer renames in ``source``: variables, helper functions and their parameters,
    lambda and comprehension variables (never a graded function or its parameters)."""
    tree = ast.parse(source)
    found: set[str] = set()
    graded_args: set[int] = set()
    imported: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef):
            if node.name in GRADED:
                graded_args.update(id(a) for a in node.args.args)
            else:
                found.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            found.add(node.id)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            imported.update((a.asname or a.name).split(".")[0] for a in node.names)
    for node in ast.walk(tree):
        if isinstance(node, ast.arg) and id(node) not in graded_args:
            found.add(node.arg)
    return found - imported - RESERVED


RENAME_POOL = (
    "acc", "tmp", "buf", "holder", "store", "bucket", "tally2", "num", "amount", "seq2", "lst2",
    "pos2", "ptr", "q", "z", "elem", "entry2", "token2", "piece", "chunk2", "block", "frame",
    "span", "segment2", "agg", "summ2", "mid2", "spread", "dev2", "score", "grid", "table",
    "board", "rows", "u", "w2", "val2", "element2", "thing", "stuff", "temp_list", "answer2",
    "output_vals", "collected", "found", "champion", "leader", "streak", "stretch", "record",
    "cursor", "walker", "probe", "slot", "cell", "box", "bag", "heap2", "stack", "queue",
    "x1", "x2", "y1", "y2", "aa", "bb", "cc", "dd", "ee", "ff", "gg", "hh", "kk", "mm2", "nn",
)  # fmt: skip
RENAME_FUNC_POOL = (
    "helper", "calc", "compute_it", "do_mean", "get_key", "ranker", "walk", "scan", "measure",
    "aux", "util_fn", "inner", "work", "crunch", "evaluate", "step_fn", "order_fn", "climb_fn",
)  # fmt: skip


def rename(student: Student, rng: random.Random) -> None:
    """Rename every local name in the student's own cells, consistently across the notebook."""
    cells = _edited_cells(student)
    names: set[str] = set()
    functions: set[str] = set()
    everything: set[str] = set()
    for cell in cells:
        names |= local_names(cell.source)
        tree = ast.parse(cell.source)
        functions |= {
            n.name
            for n in ast.walk(tree)
            if isinstance(n, ast.FunctionDef) and n.name not in GRADED
        }
        everything |= {t.string for t in _tokens(cell.source) if t.type == tokenize.NAME}
    free_vars = [n for n in RENAME_POOL if n not in everything and n not in RESERVED]
    free_funcs = [n for n in RENAME_FUNC_POOL if n not in everything and n not in RESERVED]
    rng.shuffle(free_vars)
    rng.shuffle(free_funcs)
    mapping = {}
    for name in sorted(names):
        pool = free_funcs if name in functions and free_funcs else free_vars
        mapping[name] = pool.pop() if pool else f"{name}_r"
    for cell in cells:
        new = rename_source(cell.source, mapping)
        ast.parse(new)
        cell.source = new


def rename_source(source: str, mapping: dict[str, str]) -> str:
    """``source`` with every name in ``mapping`` replaced, except attributes and keywords of a
    call (``key=``)."""
    lines = source.split("\n")
    tokens = [t for t in _tokens(source) if t.type not in (tokenize.NL, tokenize.COMMENT)]
    edits = []
    depth = 0
    for index, tok in enumerate(tokens):
        if tok.type == tokenize.OP and tok.string in "([{":
            depth += 1
        elif tok.type == tokenize.OP and tok.string in ")]}":
            depth -= 1
        if tok.type != tokenize.NAME or tok.string not in mapping:
            continue
        before = tokens[index - 1].string if index else ""
        after = tokens[index + 1].string if index + 1 < len(tokens) else ""
        if before == ".":
            continue
        if depth > 0 and after == "=" and before in ("(", ","):
            continue
        edits.append((tok.start[0], tok.start[1], tok.end[1], mapping[tok.string]))
    for row, start, end, new in sorted(edits, reverse=True):
        line = lines[row - 1]
        lines[row - 1] = line[:start] + new + line[end:]
    return "\n".join(lines)


COMMENTS = {
    "def": ("helper", "my own version", "small helper function", "used below"),
    "for": ("loop over the values", "go through every element", "main loop", "iterate"),
    "while": ("keep going until the end", "loop", "repeat until done"),
    "if": ("edge case", "special case", "check first", "handle this case"),
    "return": ("return the answer", "done", "result", "return it"),
    "import": ("need this", "imports",),
    "=": ("set up", "initialise", "store this", "compute this first", "keep track of this"),
}  # fmt: skip
"""What a copier writes above a line, by what the line does."""


def _comment_for(line: str, rng: random.Random) -> str | None:
    word = line.split(maxsplit=1)[0] if line.split() else ""
    if word in ("from", "import"):
        word = "import"
    if word not in COMMENTS:
        word = "=" if "=" in line and not line.endswith(":") else ""
    return rng.choice(COMMENTS[word]) if word else None


def strip_comments(source: str) -> str:
    lines = source.split("\n")
    for tok in reversed(_tokens(source)):
        if tok.type == tokenize.COMMENT:
            row, col = tok.start
            lines[row - 1] = lines[row - 1][:col].rstrip()
            if not lines[row - 1].strip():
                lines[row - 1] = "\0"  # a comment-only line: dropped
    return "\n".join(line for line in lines if line != "\0")


ARITH = {"+", "-", "*", "/", "//", "%", "**"}
SPACED = {"=", "+=", "-=", "*=", "/=", "==", "!=", "<", ">", "<=", ">="}


def respace(source: str, tight: bool, cramped: bool = False, commas: bool = True) -> str:
    """Spaces around operators redone on every line: ``tight`` (none around arithmetic) or
    loose (PEP 8); ``cramped``: none around ``=`` and comparisons either; ``commas``: a space
    after each comma. The code itself is unchanged."""
    lines = source.split("\n")
    rows: dict[int, list[tokenize.TokenInfo]] = {}
    skip: set[int] = set()
    ignored = (tokenize.NEWLINE, tokenize.NL, tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER)
    for tok in _tokens(source):
        if tok.type in ignored:
            continue
        if tok.start[0] != tok.end[0] or tok.type == tokenize.COMMENT:
            skip.update(range(tok.start[0], tok.end[0] + 1))
            continue
        rows.setdefault(tok.start[0], []).append(tok)
    stack: list[str] = []
    for row in sorted(rows):
        toks = rows[row]
        out = toks[0].string
        prev_unary = _unary(None, toks[0])
        _track(stack, toks[0])
        for prev, tok in itertools.pairwise(toks):
            unary = _unary(prev, tok)
            out += _sep(
                prev, tok, stack[-1] if stack else "", (tight, cramped, commas), prev_unary, unary
            )
            out += tok.string
            prev_unary = unary
            _track(stack, tok)
        if row not in skip:
            lines[row - 1] = lines[row - 1][: toks[0].start[1]] + out
    new = "\n".join(lines)
    return new if _same_code(new, source) else source


def _track(stack: list[str], tok: tokenize.TokenInfo) -> None:
    if tok.type == tokenize.OP and tok.string in "([{":
        stack.append(tok.string)
    elif tok.type == tokenize.OP and tok.string in ")]}" and stack:
        stack.pop()


def _wordy(tok: tokenize.TokenInfo) -> bool:
    return tok.type in (tokenize.NAME, tokenize.NUMBER, tokenize.STRING)


def _unary(prev: tokenize.TokenInfo | None, tok: tokenize.TokenInfo) -> bool:
    if tok.string not in ("-", "+", "*", "**"):
        return False
    if prev is None:
        return True
    if prev.type == tokenize.OP:
        return prev.string not in ")]}"
    return keyword.iskeyword(prev.string)


def _sep(
    prev: tokenize.TokenInfo,
    tok: tokenize.TokenInfo,
    bracket: str,
    habit: tuple[bool, bool, bool],
    prev_unary: bool,
    unary: bool,
) -> str:
    p, t = prev.string, tok.string
    tight, cramped, commas = habit
    if prev_unary:
        return ""
    if t in ARITH | SPACED and not unary:
        if t == "=" and bracket == "(":
            return ""
        return "" if (tight and t in ARITH) or (cramped and t in SPACED) else " "
    if prev.type == tokenize.OP and p in ARITH | SPACED:
        if p == "=" and bracket == "(":
            return ""
        return "" if (tight and p in ARITH) or (cramped and p in SPACED) else " "
    if _wordy(prev) and _wordy(tok):
        return " "
    if t in (",", ")", "]", "}", ":", ".") or p in ("(", "[", "{", "."):
        return ""
    if p == ",":
        return " " if commas else ""
    if p == ":":
        return "" if bracket == "[" else " "
    if t in ("(", "["):
        return " " if keyword.iskeyword(p) else ("" if _wordy(prev) or p in ")]}" else " ")
    return " "


def recomment(source: str, rng: random.Random, writer: Writer) -> str:
    """Comments and blank lines written anew (the source's ones are gone already)."""
    out: list[str] = []
    lines = [line for line in source.split("\n") if line.strip()]
    gap = rng.choice((1, 2))
    for index, line in enumerate(lines):
        stripped = line.lstrip()
        indent = line[: len(line) - len(stripped)]
        after_def = index and lines[index - 1].lstrip().startswith("def ")
        if index and not indent and stripped.startswith("def "):
            out += [""] * gap
        elif index and not after_def and rng.random() < 0.1:
            out.append("")
        comment = _comment_for(stripped, rng)
        if comment and not after_def and rng.random() < writer.style.comment_rate * 0.4:
            out.append(indent + writer.comment(comment))
        out.append(line)
    return "\n".join(out)


def reindent(source: str, width: int) -> str:
    lines = []
    for line in source.split("\n"):
        stripped = line.lstrip(" ")
        spaces = len(line) - len(stripped)
        if spaces % 4:
            return source
        lines.append(" " * (spaces // 4 * width) + stripped)
    new = "\n".join(lines)
    return new if _same_code(new, source) else source


def comments_whitespace(student: Student, rng: random.Random) -> None:
    writer = Writer(rng, Style.draw(rng))
    writer.style.comment_rate = rng.choice((0.3, 0.6, 1.0))
    tight = rng.random() < 0.5
    width = rng.choice((2, 4))
    for cell in _edited_cells(student):
        source = strip_comments(cell.source)
        source = respace(source, tight)
        source = recomment(source, rng, writer)
        source = reindent(source, width)
        if not _same_code(source, cell.source):
            raise AssertionError(f"comments_whitespace changed the code of {student.name}")
        cell.source = source


def _top_level_chunks(source: str) -> list[tuple[str, str]]:
    """The cell split into top-level statements, each with the comments above it: kind, text."""
    tree = ast.parse(source)
    lines = source.split("\n")
    chunks = []
    previous_end = 0
    for node in tree.body:
        end = node.end_lineno or node.lineno
        if isinstance(node, ast.Import | ast.ImportFrom):
            kind = "import"
        elif isinstance(node, ast.FunctionDef):
            kind = "def"
        else:
            kind = "other"
        chunks.append((kind, "\n".join(lines[previous_end:end]).strip("\n")))
        previous_end = end
    return chunks


def reorder(student: Student, rng: random.Random) -> None:
    """The questions' blocks in another order; in a cell with helpers, the functions too."""
    head = [c for c in student.cells if c.role in ("title", "setup")]
    blocks: dict[str, list[Cell]] = {}
    for cell in student.cells:
        if ":" in cell.role:
            blocks.setdefault(cell.role.split(":")[1], []).append(cell)
    order = list(blocks)
    while order == list(blocks):
        rng.shuffle(order)
    student.cells = head + [c for key in order for c in blocks[key]]
    for cell in _edited_cells(student):
        chunks = _top_level_chunks(cell.source)
        defs = [c for c in chunks if c[0] == "def"]
        if len(defs) < 2:
            continue
        shuffled = list(defs)
        while shuffled == defs:
            rng.shuffle(shuffled)
        imports = [text for kind, text in chunks if kind == "import"]
        others = [text for kind, text in chunks if kind == "other"]
        parts = ["\n".join(imports)] if imports else []
        parts += [text for _, text in shuffled] + others
        new = "\n\n\n".join(parts)
        ast.parse(new)
        cell.source = new


DEAD_FUNCTIONS = (
    "def show(values):\n    for value in values:\n        print(value)",
    "def check_lengths(a, b):\n    if len(a) != len(b):\n"
    '        raise ValueError("lengths differ")\n'
    "    return True",
    "def scale(values, factor=2):\n    scaled = []\n    for item in values:\n"
    "        scaled.append(item * factor)\n    return scaled",
    'def parse_row(line):\n    parts = line.strip().split(",")\n'
    "    return [float(part) for part in parts if part]",
    "def old_attempt(data):\n    total = 0\n    for d in data:\n        total = total + d\n"
    "    return total",
)
DEAD_BLOCKS = (
    "if False:\n    print(temperatures.shape)\n    print(review[:100])",
    "DEBUG = False",
    "unused_list = [t for t in range(10)]",
)
DEAD_LOCALS = ("unused = None", "debug = False", "temp_list = []", "counter_ = 0", "flag_ = True")


def dead_code(student: Student, rng: random.Random) -> None:
    """Unused functions, ``if False:`` blocks and unused variables, none of which run."""
    answers = [c for c in student.cells if c.role.startswith("answer:")]
    written = [c for c in answers if any(_is_written(f) for f in _graded_defs(c.source))]
    for cell in rng.sample(answers, k=min(2, len(answers))):
        dead = rng.choice(DEAD_FUNCTIONS)
        cell.source = (
            f"{dead}\n\n\n{cell.source}" if rng.random() < 0.5 else f"{cell.source}\n\n\n{dead}"
        )
    for cell in rng.sample(written, k=min(3, len(written))):
        cell.source = _insert_in_function(cell.source, rng)
    if written:
        cell = rng.choice(written)
        cell.source = f"{cell.source}\n\n{rng.choice(DEAD_BLOCKS)}"


def _graded_defs(source: str) -> list[ast.FunctionDef]:
    return [
        n for n in ast.parse(source).body if isinstance(n, ast.FunctionDef) and n.name in GRADED
    ]


def _is_written(node: ast.FunctionDef) -> bool:
    return not (
        isinstance(node.body[-1], ast.Raise)
        or (len(node.body) <= 2 and isinstance(node.body[-1], ast.Pass))
    )


def _insert_in_function(source: str, rng: random.Random) -> str:
    """An unused variable after the docstring and an ``if False:`` block before the last
    statement of the cell's graded function."""
    (node,) = _graded_defs(source)
    lines = source.split("\n")
    body = node.body
    first = body[0]
    has_doc = isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
    indent = " " * body[-1].col_offset
    param = node.args.args[0].arg
    block = [f"{indent}if False:", f'{indent}    print("checking", {param})']
    last = body[-1].lineno - 1
    lines[last:last] = block
    at = first.end_lineno if has_doc and first.end_lineno else first.lineno - 1
    lines[at:at] = [f"{indent}{rng.choice(DEAD_LOCALS)}"]
    new = "\n".join(lines)
    ast.parse(new)
    return new


TRANSFORMS: dict[str, Callable[[Student, random.Random], None]] = {
    "rename": rename,
    "comments_whitespace": comments_whitespace,
    "reorder": reorder,
    "dead_code": dead_code,
}

# --- the cohort -----------------------------------------------------------------------------------

PLAN: tuple[tuple[str, ...], ...] = (
    ("verbatim",),
    ("rename",),
    ("comments_whitespace",),
    ("reorder",),
    ("dead_code",),
    ("partial:3",),
    ("partial:2",),
    ("rename", "comments_whitespace", "reorder"),
    ("rename", "comments_whitespace", "reorder", "dead_code"),
    ("partial:3", "rename"),
)
"""The copiers planted per round; the ``rename`` and ``dead_code`` copiers share one source."""
SHARED = (1, 4)


def copy_of(
    source: Student,
    name: str,
    transforms: tuple[str, ...],
    rng: random.Random,
    varied: bool = False,
) -> tuple[Student, list[str]]:
    """A copier's student, and the questions copied."""
    copied = [k for k, v in source.questions.items() if v not in ("unanswered", "partial")]
    partial = next((t for t in transforms if t.startswith("partial:")), None)
    if partial is not None:
        student = compose_student(name, "copier", rng, varied=varied)
        copied = sorted(rng.sample(copied, k=int(partial.split(":")[1])))
        for key in copied:
            student.answer(key).source = source.answer(key).source
            student.questions[key] = source.questions[key]
            student.setup_imports[key] = list(source.setup_imports.get(key, []))
        _set_setup(student)
    else:
        cells = [Cell(c.role, c.source, c.id, c.cell_type) for c in source.cells]
        if "verbatim" in transforms:  # pasted into the copier's own notebook: its own cell ids
            for cell in cells:
                if cell.role.split(":")[0] in ("answer", "scratch"):
                    cell.id = _cell_id(rng)
        student = Student(name, "copier", cells, dict(source.questions), dict(source.setup_imports))
    for transform in transforms:
        if transform in TRANSFORMS:
            TRANSFORMS[transform](student, rng)
    return student, copied


def _eligible(student: Student, need: int) -> bool:
    answered = [v for v in student.questions.values() if v not in ("unanswered", "partial")]
    return len(answered) >= need


def build(
    dest: Path,
    students: int = PER_ROUND,
    seed: int = 0,
    reference: bool = True,
    corpus: str = "varied",
) -> dict[str, Any]:
    """Write the course, the cohort, the references and the ground truth under ``dest``."""
    if students < 12:
        raise ValueError("at least 12 independent students")
    if corpus not in CORPORA:
        raise ValueError(f"corpus {corpus!r}: one of {', '.join(CORPORA)}")
    varied = corpus == "varied"
    rng = random.Random(f"simbench:{seed}")
    rounds = max(1, round(students / PER_ROUND))
    total = students + rounds * len(PLAN) + (2 if reference else 0)
    numbers = list(range(1, total + 1))
    rng.shuffle(numbers)
    width = max(3, len(str(total)))
    ids = iter(f"student-{n:0{width}d}" for n in numbers)

    cohort = [
        compose_student(
            next(ids), "independent", random.Random(f"{seed}:student:{i}"), varied=varied
        )
        for i in range(students)
    ]
    pairs: list[dict[str, Any]] = []
    eligible = [s for s in cohort if _eligible(s, 5)]
    sources = rng.sample(eligible, k=min(len(eligible), rounds * (len(PLAN) - 1)))
    copiers: list[Student] = []
    for round_ in range(rounds):
        picked = sources[round_ * (len(PLAN) - 1) : (round_ + 1) * (len(PLAN) - 1)]
        round_sources = [*picked[: SHARED[1]], picked[SHARED[0]], *picked[SHARED[1] :]]
        made = []
        for index, (transforms, source) in enumerate(zip(PLAN, round_sources, strict=True)):
            crng = random.Random(f"{seed}:copy:{round_}:{index}")
            copier, copied = copy_of(source, next(ids), transforms, crng, varied)
            made.append(copier)
            pairs.append(_pair(copier.name, source.name, "copy", transforms, copied))
        one, two = (made[i] for i in SHARED)
        shared = sorted(set(_copied(pairs, one.name)) & set(_copied(pairs, two.name)))
        pairs.append(
            _pair(one.name, two.name, "shared-source", ("via " + round_sources[SHARED[0]].name,),
                  shared, _whole(PLAN[SHARED[0]]) and _whole(PLAN[SHARED[1]]))
        )  # fmt: skip
        copiers += made
    refs: list[Student] = []
    if reference:
        refs = [
            compose_student(
                name, "reference", random.Random(f"{seed}:reference:{name}"), True, varied
            )
            for name in REFERENCES
        ]
        online = refs[0]
        full, full_copied = copy_of(
            online, next(ids), ("rename", "comments_whitespace"), random.Random(f"{seed}:ref:1")
        )
        part, part_copied = copy_of(
            online, next(ids), ("partial:3",), random.Random(f"{seed}:r2"), varied
        )
        pairs.append(_pair(full.name, online.name, "reference", ("rename", "comments_whitespace"),
                           full_copied))  # fmt: skip
        pairs.append(_pair(part.name, online.name, "reference", ("partial:3",), part_copied))
        pairs.append(_pair(full.name, part.name, "shared-source", ("via " + online.name,),
                           sorted(set(full_copied) & set(part_copied)),
                           pairs[-2]["scope"] == pairs[-1]["scope"] == WHOLE))  # fmt: skip
        copiers += [full, part]

    course = dest
    write_course(course)
    everyone = sorted(cohort + copiers, key=lambda s: s.name)
    for student in everyone:
        write_notebook(student, course / "cohort" / student.name / NOTEBOOK)
    for ref in refs:
        write_notebook(ref, course / "reference" / ref.name / NOTEBOOK)
    truth = {
        "assignment": ASSIGNMENT,
        "seed": seed,
        "corpus": corpus,
        "independent_students": students,
        "cohort": "cohort",
        "reference_folder": "reference" if reference else None,
        "references": [r.name for r in refs],
        "pairs": pairs,
        "students": {s.name: {"kind": s.kind, "questions": s.questions} for s in everyone + refs},
    }
    (course / "ground-truth.json").write_text(json.dumps(truth, indent=1) + "\n")
    return truth


WHOLE, PARTIAL = "whole", "partial"
"""A planted pair's scopes: a copy of every answer of its source, or of some of them."""


def _pair(
    a: str,
    b: str,
    kind: str,
    transforms: tuple[str, ...],
    copied: list[str],
    whole: bool | None = None,
) -> dict[str, Any]:
    """A planted pair; ``whole``: a copy of all of its source (default: by ``transforms``)."""
    whole = _whole(transforms) if whole is None else whole
    return {"a": a, "b": b, "kind": kind, "transformations": list(transforms), "copied": copied,
            "scope": WHOLE if whole else PARTIAL}  # fmt: skip


def _whole(transforms: tuple[str, ...]) -> bool:
    return not any(t.startswith("partial:") for t in transforms)


def _copied(pairs: list[dict[str, Any]], name: str) -> list[str]:
    return next(p["copied"] for p in pairs if p["a"] == name and p["kind"] == "copy")


def notebook(cells: Iterable[Cell]) -> nbformat.NotebookNode:
    data = {
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "cells": [
            {"cell_type": "markdown", "id": c.id, "metadata": {}, "source": c.source}
            if c.cell_type == "markdown"
            else {
                "cell_type": "code",
                "id": c.id,
                "metadata": {},
                "source": c.source,
                "outputs": [],
                "execution_count": None,
            }
            for c in cells
        ],
    }
    nb = nbformat.from_dict(data)
    nbformat.validate(nb)
    return nb


def write_notebook(student: Student, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook(student.cells), str(path))


def write_course(course: Path) -> None:
    """``solutions/simbench`` (the instructor's) and ``assignments/simbench`` (released)."""
    toml = [f'title = "Small functions (similarity benchmark)"\nnotebook = "{NOTEBOOK}"\n']
    toml += [f'[questions.{q.key}]\ntitle = "{q.title}"\n' for q in QUESTIONS]
    released = released_cells()
    solution = [
        Cell(c.role, solution_source(QUESTIONS[int(c.role[-1]) - 1]), c.id)
        if c.role.startswith("answer:")
        else c
        for c in released
    ]
    for folder, cells in (("solutions", solution), ("assignments", released)):
        root = course / folder / ASSIGNMENT
        root.mkdir(parents=True, exist_ok=True)
        (root / "assignment.toml").write_text("\n".join(toml), encoding="utf-8")
        write_data(root)
        nbformat.write(notebook(cells), str(root / NOTEBOOK))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dest", type=Path)
    parser.add_argument("--students", type=int, default=PER_ROUND)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-reference", action="store_true")
    parser.add_argument("--corpus", choices=CORPORA, default=CORPORA[0])
    args = parser.parse_args()
    truth = build(args.dest, args.students, args.seed, not args.no_reference, args.corpus)
    kinds: dict[str, int] = {}
    for student in truth["students"].values():
        kinds[student["kind"]] = kinds.get(student["kind"], 0) + 1
    print(f"{args.dest}: {kinds}; {len(truth['pairs'])} planted pairs (ground-truth.json)")


if __name__ == "__main__":
    main()
