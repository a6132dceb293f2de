"""The cohort summary's numbers: distribution, item analysis, who needs a look."""

from __future__ import annotations

from grader.feedback.summary import summarize
from grader.models import CheckResult, SubmissionResult
from tests.factories import cohort


def _result(student: str, total: float, statuses: list[str], **kw) -> SubmissionResult:
    checks = tuple(
        CheckResult(f"test_{i}", "q1", "hidden", s, float(s == "passed"), 1.0, message=f"m{i}")
        for i, s in enumerate(statuses)
    )
    return SubmissionResult("a", student, True, total, 4.0, checks=checks, **kw)


def test_histogram_counts_every_gradable_submission_once_with_full_marks_in_the_last_bar():
    results = [_result("x", 4.0, []), _result("y", 0.0, []), _result("z", 1.9, [])]
    results.append(SubmissionResult("a", "w", False, 0.0, 0.0, reason="not valid JSON"))
    s = summarize("a", results)
    assert [b.count for b in s.bins] == [1, 0, 0, 0, 1, 0, 0, 0, 0, 1]
    assert (s.submissions, s.gradable, s.tallest_bin) == (4, 3, 1)
    assert [row.student for row in s.ungradable] == ["w"]
    assert s.ungradable[0].reason == "not valid JSON"


def test_item_analysis_lists_the_hardest_check_first_with_its_most_common_message():
    results = [
        _result("x", 1.0, ["passed", "failed", "timeout"]),
        _result("y", 2.0, ["passed", "passed", "failed"]),
        _result("z", 1.0, ["failed", "passed", "failed"]),
    ]
    s = summarize("a", results)
    hardest = s.checks[0]
    assert (hardest.name, hardest.passed, hardest.failed, hardest.timeouts) == ("test_2", 0, 3, 1)
    assert hardest.messages == (("m2", 3),)
    assert [c.name for c in s.checks] == ["test_2", "test_0", "test_1"]
    assert [row.student for row in s.timed_out] == ["x"]


def test_a_thousand_students_summarize_with_consistent_totals():
    results = cohort(1000)
    s = summarize("linear-algebra", results)
    assert s.submissions == 1000 == len(s.students)
    assert sum(b.count for b in s.bins) == s.gradable == 1000 - len(s.ungradable)
    for c in s.checks:
        assert c.passed + c.failed == s.gradable
        assert sum(n for _, n in c.messages) <= c.failed
    assert s.timed_out and all(row.gradable for row in s.timed_out)


def test_a_grader_failure_and_an_unsandboxed_result_are_told_apart_in_the_summary():
    from grader.feedback.summary import summarize
    from grader.models import SubmissionResult

    failed = SubmissionResult("a", "ada", False, 0, 0, reason="grader failure: x",
                              grader_failure=True, isolation="bwrap", kernels="warm")  # fmt: skip
    plain = SubmissionResult("a", "bo", True, 1, 1, isolation="limits", kernels="cold")
    rows = {r.student: r for r in summarize("a", [failed, plain]).students}
    assert rows["ada"].state == "grader failure"
    assert rows["bo"].state == "graded" and not rows["bo"].sandboxed
