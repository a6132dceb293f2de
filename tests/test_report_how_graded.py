"""The feedback page and the summary say how a notebook was graded and name grader failures."""

from __future__ import annotations

from grader.feedback.report import render_student_html, render_summary
from grader.models import CellError, SubmissionResult


def _result(**fields) -> SubmissionResult:
    base = {"assignment": "a", "student": "ada", "gradable": True, "total": 1.0, "possible": 2.0,
            "isolation": "bwrap", "kernels": "warm"}  # fmt: skip
    return SubmissionResult(**{**base, **fields})


def test_a_notebook_graded_without_the_sandbox_says_so_on_its_page_and_in_the_summary():
    plain = _result(isolation="limits", kernels="cold")
    assert "did not run inside the sandbox" in render_student_html(plain)
    assert "did not run inside the sandbox" not in render_student_html(_result())
    assert "(not sandboxed)" in render_summary("a", [plain])
    assert "(not sandboxed)" not in render_summary("a", [_result()])


def test_a_grader_failure_tells_the_student_it_is_not_their_fault_and_will_be_retried():
    failed = _result(gradable=False, total=0.0, possible=0.0, grader_failure=True,
                     reason="the check worker died without a result")  # fmt: skip
    page = render_student_html(failed)
    assert "not your fault" in page and "the check worker died" in page
    summary = render_summary("a", [failed])
    assert "grader failure (not the student's; a re-run retries it)" in summary


def test_a_skipped_cell_shows_what_it_did_to_the_kernel():
    skipped = CellError(3, "skipped", "KernelDied", "the kernel stopped; a fresh kernel ran the "
                        "other cells without this one")  # fmt: skip
    page = render_student_html(_result(cell_errors=(skipped,)))
    assert "Cell 4" in page and "a fresh kernel ran the other cells without this one" in page
    assert "stopped the kernel and was skipped" in render_summary(
        "a", [_result(cell_errors=(skipped,))]
    )
