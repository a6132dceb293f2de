"""The order in which a question's answers are graded, and who is shown under what name.

Each manual question has its own queue: every student whose latest result is gradable, in a
pseudo-random order fixed by the assignment, the question and the student's key (so graders
do not grade in alphabetical order, and the order stays the same across restarts and grows
without reshuffling when a student is added). In anonymous mode a student is shown as
"Student N", N their place in one such order per assignment.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Collection, Iterable
from dataclasses import dataclass


def _rank(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def queue_order(assignment: str, question: str, students: Iterable[str]) -> list[str]:
    """``students`` in the question's stable pseudo-random order."""
    return sorted(set(students), key=lambda s: (_rank(assignment, question, s), s))


def pseudonyms(assignment: str, students: Iterable[str]) -> dict[str, str]:
    """A stable "Student N" for each student, the same in every question of the assignment."""
    ordered = sorted(set(students), key=lambda s: (_rank(assignment, "", s), s))
    return {s: f"Student {n}" for n, s in enumerate(ordered, 1)}


def student_id(secret: bytes, student: str) -> str:
    """An opaque identifier of ``student`` for URLs (no name in them, even anonymous)."""
    return hmac.new(secret, student.encode(), hashlib.sha256).hexdigest()[:16]


@dataclass(frozen=True)
class Queue:
    """One question's answers in grading order, and which are graded."""

    question: str
    students: tuple[str, ...]
    graded: frozenset[str]

    @property
    def done(self) -> int:
        """How many of the queue's answers are graded."""
        return sum(1 for s in self.students if s in self.graded)

    def place(self, student: str) -> int:
        """The student's place in the queue, from 0 (-1: not in it)."""
        try:
            return self.students.index(student)
        except ValueError:
            return -1

    def next_ungraded(self, after: str | None = None) -> str | None:
        """The first ungraded student after ``after`` (wrapping round), or None when all are."""
        start = self.place(after) + 1 if after is not None else 0
        order = self.students[start:] + self.students[:start]
        return next((s for s in order if s not in self.graded and s != after), None)

    def neighbour(self, student: str, step: int) -> str | None:
        """The student ``step`` places away (-1 before, +1 after), or None past either end."""
        place = self.place(student) + step
        return self.students[place] if 0 <= place < len(self.students) else None


def build_queue(
    assignment: str, question: str, students: Iterable[str], graded: Collection[str]
) -> Queue:
    """The queue of ``question`` over ``students``, with those in ``graded`` graded."""
    order = tuple(queue_order(assignment, question, students))
    return Queue(question, order, frozenset(s for s in order if s in graded))
