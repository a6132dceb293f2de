"""Where the checks' time goes: each result's timings split the checks stage in five."""

import json

import pytest

from grader.checks.runner import CHECK_STAGES
from tests.conftest import NOTEBOOKS, run_grader

pytestmark = pytest.mark.slow

COSTLY = """
import time

import pytest


@pytest.mark.question("q1")
def test_a_student_function_that_takes_its_time(nb):
    assert nb.eval("__import__('time').sleep(0.4) or 1") == 1


@pytest.mark.question("q1")
def test_a_check_that_computes_a_while(nb):
    time.sleep(0.4)
    assert nb["__name__"] == "__main__"
"""


def test_the_checks_time_is_split_into_handover_pytest_bridge_kernel_and_own_work(course, tmp_path):
    (course / "solutions" / "mini" / "tests" / "public" / "test_q1_costly.py").write_text(COSTLY)
    done = run_grader("--course", str(course), "grade", "mini",
                      str(NOTEBOOKS / "mini" / "correct.ipynb"), "--format", "json",
                      "--output", str(tmp_path / "out"))  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    (result,) = json.loads(done.stdout)
    assert all(c["status"] == "passed" for c in result["checks"]), result["checks"]
    timings = result["timings"]
    split = {stage: timings[stage] for stage in CHECK_STAGES}
    assert all(seconds >= 0 for seconds in split.values()), split
    # The kernel slept 0.4 s in a request, the check 0.4 s of its own (not the kernel's).
    assert 0.4 <= split["checks_kernel"] < timings["checks"] - 0.4, split
    assert 0.4 <= split["checks_own"], split
    # The five parts are the whole of the checks stage (bar the grader's own bookkeeping).
    assert abs(sum(split.values()) - timings["checks"]) < 0.05, (split, timings["checks"])
