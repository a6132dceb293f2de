"""How much two students' answers of one shape say that one copied: evidence, pair by pair.

:mod:`grader.integrity.units` cuts each submission into answers and describes each by its
*shape* and by three *aspects* of how it is written beyond its shape: the names as written,
the comments, and the spelling (spaces, blank lines, indentation, quotes, brackets). Two
submissions with an answer of the same shape have evidence for a copy: the surprise of what
they agree on if the second student had written like a random other one, by the chain rule
(``P(shape and aspects) = P(shape) * P(first aspect | shape) * ...``):

* the shape: ``log((n - 1 + PRIOR_OTHERS) / (others + 1))``, ``others`` being how many other
  students of the cohort (of ``n``) wrote that shape too (the second student counted among
  those who wrote it, and as if :data:`PRIOR_OTHERS` more students had written something
  else, so that a small class can still call an answer rare);
* then each aspect on which the two agree (names, comments, spelling, in that order; an
  aspect one of them lacks, no comment say, is no evidence): ``log(1 / p)``, ``p`` the chance
  that another student who agrees with them so far agrees on this aspect too. Of the ``k``
  others who agree with them so far, ``j`` agree on it too; counted as the shape is (the
  second student among them) and with :data:`PRIOR_WEIGHT` imaginary students who agree at the
  cohort's own rate ``rho``: ``p = (j + 1 + PRIOR_WEIGHT * rho) / (k + 1 + PRIOR_WEIGHT)``.
  ``rho`` is measured on every pair of students who wrote a shape in common, among answers of
  about the same size (:func:`size_class`; a longer answer has more to write differently):
  for each set of aspects, the share of those pairs who agree on all of it (the step from one
  set to a larger one is the ratio of the two, so that aspects that go together, one
  student's habits, are not counted twice).

Alone, a cohort of ``n`` cannot call an answer rarer than about ``1 / n``: two answers nobody
else wrote are what chance gives about one pair of a cohort. An answer also written with the
names, comments and spacing of few others is rarer than that by the rate of such agreement,
which the cohort measures where it can: on the many pairs who wrote one shape. A renaming
keeps the spelling and the comments; recommenting and respacing keep the names.

A student's habits (how they name, comment and space their code) show in every answer they
write: once two students agree on an aspect in one answer, their agreeing on it in another is
no more surprising than the cohort's rate of such repeats (:func:`_habits`, measured on the
pairs that the evidence without this rule does not flag: a copy agrees in every answer it
took and would pass for a habit). So the answer whose agreement on an aspect is the most
surprising counts fully, and each further one at most ``log(1 / repeat rate)`` from it
(:func:`_aspects`).

The evidence of an answer smaller than :data:`FULL_SIZE` syntax nodes counts in proportion.
The evidence from the shape of an answer the two did not write alike (the same names or the
same comments, :data:`WRITTEN`) counts in proportion to the *coverage*: the share of the
smaller side's answers the two have in common (a disguised copy has all of its source's
answers; independent students who chose one implementation often wrote it in the same shape,
on some questions, not on all). A shape more than ``common_share`` of the cohort wrote (and
more than :data:`COMMON_MIN`) is boilerplate.

A pair is flagged (similarity 0.5) when its evidence reaches ``log(pairs compared) +``
:data:`SIGNIFICANCE`: evidence that chance alone would give about one pair in ``e ** 2`` (7)
cohorts, if students wrote their answers independently of each other and a pair's evidence
were one surprise. It is a sum over answers and aspects, whose tail is heavier: on the
benchmark's corpora no independent pair reached it in 25 cohorts of 60, and one to three did
in 4 of 10 cohorts of 500 (docs/grading.md). The similarity is the evidence over twice that,
at most 1. Two students each flagged with a third (a student or a reference) on an answer all
three share have it from one source (:func:`through_common_source`).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import combinations

from grader.integrity.units import Unit

FULL_SIZE = 30
"""A unit this big (a few lines) weighs fully; a smaller one in proportion."""
PRIOR_OTHERS = 10
"""Students assumed to have written something else besides the cohort (a small cohort cannot
say by itself that an answer is rare)."""
PRIOR_WEIGHT = PRIOR_OTHERS
"""How many students' worth the cohort's rate of agreement on an aspect weighs against the
others who wrote the answer's shape (as many as the students assumed besides the cohort)."""
SIGNIFICANCE = 2.0
"""Evidence (natural log) beyond the number of pairs compared that a flagged pair needs."""
COMMON_MIN = 4
"""An answer's shape is boilerplate only when more than this many submissions have it too."""
ASPECTS = 3
"""Names, comments, spelling (:attr:`Unit.aspects`)."""
WRITTEN = (0, 1)
"""The aspects (names, comments) on which two answers that agree are written alike: their
evidence from the shape is not in proportion to the coverage."""

Key = tuple[str, int, tuple[str, ...]]
"""A shape, a set of aspects (a bit mask) and the unit's digests of those aspects."""


@dataclass(frozen=True)
class UnitMatch:
    """What two submissions' units share."""

    similarity: float
    spans_a: tuple[tuple[int, int], ...]
    spans_b: tuple[tuple[int, int], ...]
    shapes: frozenset[str] = frozenset()
    """The shapes of the answers they share."""


def _keys(unit: Unit) -> list[Key]:
    """The unit's shape with each set of the aspects it has (the empty set: its shape alone)."""
    have = [i for i in range(ASPECTS) if unit.aspects[i]]
    keys = []
    for mask in range(1 << ASPECTS):
        if all(i in have for i in range(ASPECTS) if mask >> i & 1):
            keys.append((unit.shape, mask, tuple(unit.aspects[i] for i in _bits(mask))))
    return keys


def _bits(mask: int) -> list[int]:
    return [i for i in range(ASPECTS) if mask >> i & 1]


CLASSES = range(3, 8)
"""Size classes: answers of 8-15, 16-31, 32-63, 64-127, 128 or more syntax nodes."""


def size_class(size: int) -> int:
    """The size class (:data:`CLASSES`) of an answer of ``size`` syntax nodes."""
    return min(CLASSES[-1], max(CLASSES[0], size.bit_length() - 1))


Rates = dict[tuple[int, int], float]
"""Per size class and set of aspects (a bit mask), the cohort's rate of agreement."""


def _rates(df: Counter[Key], sizes: dict[str, int]) -> Rates:
    """Per size class and set of aspects, how often two students who wrote one shape agree.

    The share of the pairs of students who wrote one shape (both with those aspects) who agree
    on all of them, for the answers of each size class, drawn towards the share over every
    size by :data:`PRIOR_WEIGHT` pairs' worth (a class with few pairs says little by itself);
    the share over every size is add-one smoothed.
    """
    pairs: Counter[tuple[int, int]] = Counter()
    agree: Counter[tuple[int, int]] = Counter()
    holding: Counter[tuple[str, int]] = Counter()
    for (shape, mask, _), count in df.items():
        if shape in sizes and mask:
            agree[size_class(sizes[shape]), mask] += count * (count - 1) // 2
            holding[shape, mask] += count
    for (shape, mask), count in holding.items():
        pairs[size_class(sizes[shape]), mask] += count * (count - 1) // 2
    rates: Rates = {}
    for mask in range(1, 1 << ASPECTS):
        every = (sum(agree[c, mask] for c in CLASSES) + 1) / (
            sum(pairs[c, mask] for c in CLASSES) + 2
        )
        for c in CLASSES:
            drawn = agree[c, mask] + PRIOR_WEIGHT * every
            rates[c, mask] = drawn / (pairs[c, mask] + PRIOR_WEIGHT)
    return rates


def answer_evidence(
    one: Unit, two: Unit, others: int, df: Counter[Key], rates: Rates, n: int,
    mine: int,
) -> tuple[float, list[float]]:  # fmt: skip
    """The evidence of two students' answers of one shape: from the shape, from each aspect.

    ``others``: the other students of the cohort who wrote the shape; ``mine``: how many of
    the two are in the cohort (their own answers do not count as others').
    """
    shape = math.log((n - 1 + PRIOR_OTHERS) / (others + 1))
    agreed = 0
    steps = [0.0] * ASPECTS
    before = others
    for i in range(ASPECTS):
        if not one.aspects[i] or one.aspects[i] != two.aspects[i]:
            continue
        mask = agreed | 1 << i
        key = (one.shape, mask, tuple(one.aspects[b] for b in _bits(mask)))
        now = max(0, df[key] - mine)
        size = size_class(min(one.size, two.size))
        rho = min(1.0, rates[size, mask] / (rates[size, agreed] if agreed else 1.0))
        steps[i] = math.log((before + 1 + PRIOR_WEIGHT) / (now + 1 + PRIOR_WEIGHT * rho))
        agreed, before = mask, now
    weight = min(1.0, min(one.size, two.size) / FULL_SIZE)
    return shape * weight, [step * weight for step in steps]


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
    left_out = {u.shape for u in given}
    df: Counter[Key] = Counter()
    for name in members & set(units):
        df.update({key for u in units[name] for key in _keys(u)})
    common = max(COMMON_MIN, common_share * n)
    defining = Counter(f for name in members & set(units) for f in
                       {f for u in units[name] for f in u.defines})  # fmt: skip
    holders: dict[str, dict[str, Unit]] = defaultdict(dict)
    for name, found in units.items():
        for unit in found:
            dead = not unit.used and all(
                defining[f] < max(2, common_share * n) for f in unit.defines
            )
            if not dead and unit.shape not in left_out and df[unit.shape, 0, ()] <= common:
                holders[unit.shape].setdefault(name, unit)
    rates = _rates(df, {s: next(iter(h.values())).size for s, h in holders.items()})
    counted = {name: sum(1 for s in {u.shape for u in found} if name in holders.get(s, {}))
               for name, found in units.items()}  # fmt: skip
    agreements: dict[tuple[str, str], list[Agreement]] = defaultdict(list)
    spans: dict[tuple[str, str], tuple[list[tuple[int, int]], list[tuple[int, int]]]] = {}
    for shape, by_name in holders.items():
        for a, b in combinations(sorted(by_name), 2):
            if a not in members and b not in members:
                continue  # two references
            one, two = by_name[a], by_name[b]
            mine = (a in members) + (b in members)
            from_shape, steps = answer_evidence(
                one, two, df[shape, 0, ()] - mine, df, rates, n, mine
            )
            both = [bool(one.aspects[i] and two.aspects[i]) for i in range(ASPECTS)]
            agree = [both[i] and one.aspects[i] == two.aspects[i] for i in range(ASPECTS)]
            agreements[a, b].append(Agreement(shape, from_shape, steps, both, agree))
            where = spans.setdefault((a, b), ([], []))
            where[0].extend(one.spans)
            where[1].extend(two.spans)
    references = len(set(units) - members)
    needed = math.log(max(1.0, n * (n - 1) / 2 + n * references)) + SIGNIFICANCE

    def evidence(pair: tuple[str, str], habits: list[float]) -> float:
        answers = agreements[pair]
        coverage = len(answers) / max(1, min(counted[pair[0]], counted[pair[1]]))
        written = sum(x.shape_evidence for x in answers if any(x.agree[i] for i in WRITTEN))
        alone = sum(x.shape_evidence for x in answers) - written
        return written + alone * coverage + _aspects(answers, habits)

    # The habits are measured on the pairs that are not copies by their evidence without them
    # (a copy agrees on every answer it took: it would pass for a habit).
    cohort_pairs = [p for p in agreements if p[0] in members and p[1] in members]
    plain = [0.0] * ASPECTS
    habits = _habits([agreements[p] for p in cohort_pairs if evidence(p, plain) < needed])
    matches = {}
    for pair, where in spans.items():
        value = evidence(pair, habits) / (2 * needed)
        if value > 0:
            matches[pair] = UnitMatch(
                min(1.0, value),
                tuple(sorted(where[0])),
                tuple(sorted(where[1])),
                frozenset(x.shape for x in agreements[pair]),
            )
    return matches


@dataclass(frozen=True)
class Agreement:
    """What two students' answers of one shape agree on, and its evidence."""

    shape: str
    shape_evidence: float
    steps: list[float]
    """The evidence of each aspect they agree on (0 for the others)."""
    both: list[bool]
    """Each aspect both answers have."""
    agree: list[bool]


def _habits(found: list[list[Agreement]]) -> list[float]:
    """Per aspect, how often two students who agreed on it in one answer agree in another.

    Their habits (naming, commenting, spacing) make it likelier than agreeing at all.
    Measured on the pairs ``found`` (each pair's answers of one shape), drawn towards how
    often they agree at all (add-one smoothed) by :data:`PRIOR_WEIGHT` answers' worth.
    """
    rates = []
    for i in range(ASPECTS):
        agree = total = again = after = 0
        for answers in found:
            had = sum(x.both[i] for x in answers)
            same = sum(x.agree[i] for x in answers)
            agree, total = agree + same, total + had
            again, after = again + same * (same - 1), after + same * (had - 1)
        once = (agree + 1) / (total + 2)
        rates.append(max(once, (again + PRIOR_WEIGHT * once) / (after + PRIOR_WEIGHT)))
    return rates


def _aspects(answers: list[Agreement], habits: list[float]) -> float:
    """The evidence of the aspects a pair agrees on over its answers.

    The answer whose agreement on an aspect is the most surprising counts fully; once the two
    agree on it there, their agreeing on it in another answer is no more surprising than the
    cohort's rate of such repeats (:func:`_habits`): the chain rule over the answers.
    """
    total = 0.0
    for i in range(ASPECTS):
        steps = sorted((x.steps[i] for x in answers if x.agree[i]), reverse=True)
        cap = -math.log(habits[i]) if habits[i] > 0 else math.inf  # 0: no habits known
        if steps:
            total += steps[0] + sum(min(step, cap) for step in steps[1:])
    return total


def through_common_source(
    matches: dict[tuple[str, str], UnitMatch], threshold: float, references: Iterable[str] = ()
) -> dict[tuple[str, str], UnitMatch]:
    """``matches`` with each pair that copied from one source flagged as such.

    Two students each flagged with a third (a student or a reference) on an answer they both
    share with it, and share with each other, have that answer from one source: whoever copied
    from whom, their pair is at least as similar as the weaker of their two links to it.
    """
    partners: dict[str, dict[str, UnitMatch]] = defaultdict(dict)
    for (a, b), match in matches.items():
        if match.similarity >= threshold:
            partners[a][b] = match
            partners[b][a] = match
    refs = set(references)
    out = dict(matches)
    for links in partners.values():
        for a, b in combinations(sorted(links), 2):
            own = out.get((a, b))
            if own is None or {a, b} <= refs:
                continue  # nothing in common (references are never paired)
            common = links[a].shapes & links[b].shapes & own.shapes
            weaker = min(links[a].similarity, links[b].similarity)
            if common and weaker > own.similarity:
                out[a, b] = UnitMatch(weaker, own.spans_a, own.spans_b, own.shapes)
    return out
