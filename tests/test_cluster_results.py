"""What the client makes of a finished task on a cluster (no cluster needed)."""

import json
from pathlib import Path

from grader.config import load_assignment
from grader.integrations.cluster import _result
from grader.models import SubmissionResult
from grader.scoring import ungradable
from grader.submissions import Submission
from tests.conftest import COURSE

MINI = load_assignment(COURSE / "solutions" / "mini", "mini")
ADA = Submission("ada", Path("ada.ipynb"), None, (), "")


class Finished:
    def __init__(self, value: str) -> None:
        self.value = value

    def result(self) -> str:
        return self.value


class Failed:
    def result(self) -> str:
        raise RuntimeError("worker tcp://10.0.0.7:4242 lost while grading")


def test_a_worker_s_result_is_read_back_as_it_was_sent():
    sent = ungradable(MINI, "ada", "not a notebook")
    got = _result(MINI, ADA, Finished(json.dumps(sent.to_dict(answers=True))))
    assert isinstance(got, SubmissionResult)
    assert got.to_dict() == sent.to_dict()


def test_a_task_that_failed_on_the_cluster_is_that_student_s_grader_failure():
    got = _result(MINI, ADA, Failed())
    assert got.student == "ada" and got.grader_failure and not got.gradable
    assert got.reason == (
        "grading on the cluster failed: RuntimeError: worker tcp://10.0.0.7:4242 lost while grading"
    )
