"""Made-up results for ``bench/summary_scale.py`` (no grading involved).

The benchmark's own fixed workload: 4 questions of 3 checks a student, about one in 97 students
ungradable and one in 89 timed out. It began as a copy of ``tests/factories.py`` and is kept
here, not imported from ``tests/``, so that the workload behind the stored baseline
(``bench/baselines/summary_scale.json``) changes only when the benchmark does.
"""

from __future__ import annotations

import random

from grader.models import CellError, CheckResult, QuestionResult, SubmissionResult

MESSAGES = (
    "2 of 4 entries differ (shape (2, 2); tolerance: rtol=1e-07, atol=0)",
    "`normalize_rows` is not defined",
    "calling fit() raised ValueError: Input contains NaN",
    "column 'price': 3 of 10 rows differ",
)


def cohort(size: int, seed: int = 0, assignment: str = "linear-algebra") -> list[SubmissionResult]:
    """``size`` results of a 4-question, 12-check assignment; a few ungradable or timed out."""
    rng = random.Random(seed)
    results = []
    for i in range(size):
        student = f"student-{i:05d}"
        if i % 97 == 13:
            results.append(
                SubmissionResult(assignment, student, False, 0.0, 0.0, reason="not valid JSON")
            )
            continue
        skill = rng.random()
        checks = []
        for q in range(1, 5):
            for k in range(3):
                passed = rng.random() < skill * (1.1 - 0.2 * q)
                status = "passed" if passed else ("timeout" if i % 89 == 7 else "failed")
                checks.append(
                    CheckResult(
                        name=f"test_q{q}_{k}",
                        question=f"q{q}",
                        visibility="hidden" if k == 2 else "public",
                        status=status,
                        points=1.0 if passed else 0.0,
                        possible=1.0,
                        message="" if passed else rng.choice(MESSAGES),
                    )
                )
        questions = tuple(
            QuestionResult(
                name=f"q{q}",
                title=f"Question {q}",
                score=sum(c.points for c in checks if c.question == f"q{q}"),
                possible=3.0,
                all_or_nothing=False,
                passed=sum(c.passed for c in checks if c.question == f"q{q}"),
                checks=3,
            )
            for q in range(1, 5)
        )
        errors = (
            (CellError(3, "timeout", "CellTimeoutError", "did not finish"),) if i % 89 == 7 else ()
        )
        results.append(
            SubmissionResult(
                assignment,
                student,
                True,
                sum(c.points for c in checks),
                12.0,
                questions,
                tuple(checks),
                errors,
                timings={"total": round(1.5 + rng.random(), 3)},
            )
        )
    return results
