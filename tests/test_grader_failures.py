"""A failure of the grader's own machinery is one submission's result, not the batch's end."""

from __future__ import annotations

import asyncio
import contextlib

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
    assert (result.isolation, result.kernels) == ("limits", "cold")
    assert result.summary() == f"ada: grader failure: {error}"
