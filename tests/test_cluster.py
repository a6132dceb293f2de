"""Grading on a Dask cluster: the same scores as grading here, in warm kernels."""

import json
import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import COURSE, NOTEBOOKS, run_grader

pytestmark = pytest.mark.slow
distributed = pytest.importorskip("distributed")


def outcome(results):
    return {
        r["student"]: (r["total"], r["gradable"], [(c["name"], c["status"]) for c in r["checks"]])
        for r in results
    }


@pytest.fixture(scope="module")
def cluster():
    import dask

    with dask.config.set({"distributed.worker.daemon": False}):
        cluster = distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, dashboard_address=None, processes=True
        )
        yield cluster
        cluster.close()


@pytest.fixture(scope="module")
def scheduler(cluster):
    return cluster.scheduler_address


def zygotes_of(cluster) -> list[int]:
    """The warm-kernel zygotes now running under the cluster's workers."""
    with distributed.Client(cluster) as client:
        workers = set(client.run(os.getpid).values())
    found = []
    for entry in Path("/proc").iterdir():
        try:
            cmdline = (entry / "cmdline").read_bytes()
            pid, parent = (
                int(entry.name),
                int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]),
            )
        except (OSError, ValueError, IndexError):
            continue
        if b"The warm-kernel zygote" in cmdline and b"bwrap" not in cmdline.split(b"\0")[0]:
            while parent > 1 and parent not in workers:
                try:
                    parent = int(
                        Path(f"/proc/{parent}/stat").read_text().rsplit(")", 1)[1].split()[1]
                    )
                except (OSError, ValueError, IndexError):
                    break
            if parent in workers:
                found.append(pid)
    return found


def test_a_cohort_graded_on_a_dask_scheduler_scores_as_graded_here_in_warm_kernels(
    graded_mini, cluster, scheduler, tmp_path
):
    done = run_grader("--course", str(COURSE), "grade", "mini", str(NOTEBOOKS / "mini"),
                      "--scheduler", scheduler, "--format", "json", "--output", str(tmp_path))  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    remote = json.loads(done.stdout)
    assert outcome(remote) == outcome(graded_mini["results"].values())
    assert (tmp_path / "gradebook.sqlite").is_file() and (tmp_path / "correct.html").is_file()
    if shutil.which("bwrap") is not None:  # warm kernels need bubblewrap, as on one machine
        ran = [r for r in remote if r["kernels"]]
        assert ran and {r["kernels"] for r in ran} == {"warm"}
        assert {r["kernels"] for r in graded_mini["results"].values() if r["kernels"]} == {"warm"}
    # The batch is over: its zygotes are stopped, though the workers go on.
    assert zygotes_of(cluster) == []


def test_cluster_dask_starts_a_local_cluster(tmp_path):
    done = run_grader("--course", str(COURSE), "grade", "mini",
                      str(NOTEBOOKS / "mini" / "correct.ipynb"), "--cluster", "dask",
                      "--jobs", "1", "--format", "json", "--output", str(tmp_path))  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    assert [r["total"] for r in json.loads(done.stdout)] == [5.5]


def test_an_unreachable_scheduler_is_a_one_line_error(tmp_path):
    done = run_grader("--course", str(COURSE), "grade", "mini",
                      str(NOTEBOOKS / "mini" / "correct.ipynb"), "--scheduler",
                      "tcp://127.0.0.1:9", "--output", str(tmp_path), timeout=120)  # fmt: skip
    assert done.returncode == 1
    assert done.stderr.strip().splitlines()[-1].startswith("grader: error: cannot reach the Dask")
