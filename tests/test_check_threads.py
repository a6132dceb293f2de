"""Checks run their numerical libraries on one thread: a batch runs --jobs workers at once."""

import json
import shutil

import pytest

from tests.conftest import COURSE, NOTEBOOKS, run_grader

pytestmark = pytest.mark.slow

THREADS_CHECK = """
import numpy as np
import sklearn.cluster
from threadpoolctl import threadpool_info


def test_numerical_libraries_use_one_thread(nb):
    pools = threadpool_info()
    assert pools, "no BLAS or OpenMP library is loaded"
    assert {(p["internal_api"], p["num_threads"]) for p in pools} == {
        (p["internal_api"], 1) for p in pools
    }, pools
"""


def test_a_checks_blas_and_openmp_libraries_run_on_one_thread(tmp_path):
    course = tmp_path / "course"
    shutil.copytree(COURSE, course)
    (course / "solutions" / "mini" / "tests" / "hidden" / "test_threads.py").write_text(
        THREADS_CHECK
    )
    done = run_grader("--course", str(course), "grade", "mini", str(NOTEBOOKS / "mini" /
                      "correct.ipynb"), "--output", str(tmp_path / "out"), "--format", "json",
                      env={"OMP_NUM_THREADS": "", "OPENBLAS_NUM_THREADS": ""})  # fmt: skip
    assert done.returncode == 0, done.stderr
    [result] = json.loads(done.stdout)
    [check] = [
        c for c in result["checks"] if c["name"] == "test_numerical_libraries_use_one_thread"
    ]
    assert check["status"] == "passed", check["message"]
