"""A failure of the grader's own machinery is one submission's result, not the batch's end."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses

import pytest

import grader.grade as grade
from grader.config import load_assignment
from grader.errors import KernelError, SandboxError
from grader.grade import GradeOptions, grade_submission_async
from grader.submissions import Submission
from tests.conftest import COURSE, NOTEBOOKS


@pytest.mark.parametrize(
    "error",
    [
        KernelError("the sandboxed kernel did not start (it died within 60 s)"),
        SandboxError("all 4096 student uids are in use: too many graders at once"),
    ],
)
def test_a_kernel_that_cannot_start_or_no_free_uid_is_a_grader_failure(monkeypatch, error):
    @contextlib.asynccontextmanager
    async def failing(*args, **kwargs):
        raise error
        yield  # pragma: no cover

    monkeypatch.setattr(grade, "sandboxed_kernel", failing)
    assignment = load_assignment(COURSE / "solutions" / "mini")
    submission = Submission("ada", NOTEBOOKS / "mini" / "correct.ipynb")
    result = asyncio.run(grade_submission_async(assignment, submission, GradeOptions("limits")))
    assert result.grader_failure and not result.gradable
    assert result.reason == str(error)
    assert (result.isolation, result.kernels) == ("limits", "")  # no kernel ran
    assert result.summary() == f"ada: grader failure: {error}"


class _DyingZygote:
    """A warm-kernel factory whose zygote dies while the first kernel starts."""

    gone = False


def test_a_zygote_dying_while_a_kernel_starts_grades_the_submission_again_cold(monkeypatch):
    zygote = _DyingZygote()
    calls: list[object] = []

    async def grade_once(assignment, submission, options, kernels):
        calls.append(kernels)
        if kernels is not None:
            zygote.gone = True
            raise KernelError("the sandboxed kernel did not start (it died within 60 s)")
        return dataclasses.replace(
            grade.ungradable(assignment, submission.student, "graded cold"), kernels="cold"
        )

    monkeypatch.setattr(grade, "_grade", grade_once)
    assignment = load_assignment(COURSE / "solutions" / "mini")
    submission = Submission("ada", NOTEBOOKS / "mini" / "correct.ipynb")
    result = asyncio.run(
        grade_submission_async(assignment, submission, GradeOptions("bwrap"), zygote)  # type: ignore[arg-type]
    )
    assert calls == [zygote, None]
    assert not result.grader_failure and result.reason == "graded cold"
    assert result.kernels == "cold"


def test_a_kernel_failure_with_the_zygote_alive_is_a_grader_failure_not_retried(monkeypatch):
    zygote = _DyingZygote()
    calls: list[object] = []

    async def grade_once(assignment, submission, options, kernels):
        calls.append(kernels)
        raise KernelError("the warm kernel did not start: no message")

    monkeypatch.setattr(grade, "_grade", grade_once)
    assignment = load_assignment(COURSE / "solutions" / "mini")
    submission = Submission("ada", NOTEBOOKS / "mini" / "correct.ipynb")
    result = asyncio.run(
        grade_submission_async(assignment, submission, GradeOptions("bwrap"), zygote)  # type: ignore[arg-type]
    )
    assert calls == [zygote]
    assert result.grader_failure
