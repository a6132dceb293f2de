"""Liveness: no student can stall, crash or quietly drop out of a batch.

Each hostile notebook of tests/fixtures/notebooks/liveness/ is graded in a batch of 10 with
honest peers. The batch must finish within the hostile submission's own time limit (plus the
batch's fixed costs), every honest result must be what grading it alone gives, and no process
may be left behind. Then the grader's own machinery is attacked: the zygote killed, a check
worker killed mid-check, SIGTERM to `grader grade` in the middle of a batch.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from grader.sandbox.reaper import process_tree
from tests.conftest import COURSE, NOTEBOOKS, ROOT, leftover_processes, run_grader

pytestmark = pytest.mark.slow
LIVENESS = NOTEBOOKS / "liveness"
SUBMISSION_TIMEOUT = 40  # the liveness assignment's limit
BATCH_COST = 30
"""Seconds a batch of 10 may take beyond one submission's limit: the zygote, the check workers'
fork server and nine honest submissions on two cores."""
HOSTILE = sorted(p.stem for p in LIVENESS.glob("*.ipynb") if not p.stem.startswith("honest"))
HONEST = [f"honest-{i}" for i in range(1, 10)]


def _outcome(result: dict) -> tuple:
    """What a student sees of a result (not its timings)."""
    checks = [(c["name"], c["status"], c["points"], c.get("message")) for c in result["checks"]]
    return result["gradable"], result["total"], checks


def _batch(tmp_path: Path, hostile: str) -> Path:
    folder = tmp_path / "batch"
    folder.mkdir()
    for name in [hostile, *HONEST]:
        shutil.copy(LIVENESS / f"{name}.ipynb", folder / f"{name}.ipynb")
    return folder


def _grade(*paths: Path, out: Path, kernels: str = "warm", timeout: float = 300):
    started = time.monotonic()
    done = run_grader(
        "--course", str(COURSE), "grade", "liveness", *map(str, paths),
        "--format", "json", "--output", str(out), "--jobs", "2", "--kernels", kernels,
        timeout=timeout,
    )  # fmt: skip
    results = {r["student"]: r for r in json.loads(done.stdout or "[]")}
    return done, results, time.monotonic() - started


@pytest.fixture(scope="module")
def honest_alone(tmp_path_factory):
    """Each honest peer graded alone (one batch of cold kernels, one at a time)."""
    out = tmp_path_factory.mktemp("alone")
    results = {}
    for name in HONEST:
        done, graded, _ = _grade(LIVENESS / f"{name}.ipynb", out=out / name, kernels="cold")
        assert done.returncode == 0, done.stderr[-2000:]
        results[name] = _outcome(graded[name])
    return results


def test_fixture_every_hostile_class_has_a_notebook():
    assert len(HOSTILE) >= 8 and all((LIVENESS / f"{n}.ipynb").is_file() for n in HONEST)


@pytest.mark.parametrize(
    ("hostile", "kernels"),
    [(h, "warm") for h in HOSTILE]
    + [("garbage-into-sockets", "cold")],  # cold kernels: the same code paths but the start
)
def test_a_hostile_notebook_costs_the_batch_at_most_its_own_time_limit(
    hostile, kernels, tmp_path, honest_alone
):
    done, results, seconds = _grade(
        _batch(tmp_path, hostile), out=tmp_path / "out", kernels=kernels
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert seconds < SUBMISSION_TIMEOUT + BATCH_COST, seconds
    assert sorted(results) == sorted([hostile, *HONEST])
    for name in HONEST:
        assert _outcome(results[name]) == honest_alone[name], name
    assert results[hostile]["timings"].get("total", 0) < SUBMISSION_TIMEOUT + 5
    assert leftover_processes() == []


@pytest.mark.parametrize("hostile", ["segfaults", "closes-its-fds", "stops-reading-shell"])
def test_the_cell_that_kills_the_kernel_is_skipped_and_the_rest_still_counts(hostile, tmp_path):
    done, results, _ = _grade(LIVENESS / f"{hostile}.ipynb", out=tmp_path, kernels="cold")
    assert done.returncode == 0, done.stderr[-3000:]
    result = results[hostile]
    skipped = [e for e in result["cell_errors"] if e["kind"] == "skipped"]
    assert skipped, result["cell_errors"]
    scores = {q["name"]: q["score"] for q in result["questions"]}
    assert scores["q1"] > 0 and scores["q2"] > 0 and scores["q3"] > 0, scores
    assert any("fresh kernel" in n for n in result["notes"])
    page = (tmp_path / f"{hostile}.html").read_text()
    assert "a fresh kernel ran the other cells without this one" in page


def test_recoveries_zero_turns_recovery_off(tmp_path):
    course = tmp_path / "course"
    shutil.copytree(COURSE, course)
    toml = course / "solutions" / "liveness" / "assignment.toml"
    toml.write_text(toml.read_text().replace("[limits]\n", "[limits]\nrecoveries = 0\n"))
    done = run_grader(
        "--course", str(course), "grade", "liveness", str(LIVENESS / "segfaults.ipynb"),
        "--format", "json", "--output", str(tmp_path / "out"), "--kernels", "cold",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout)[0]
    assert not any(e["kind"] == "skipped" for e in result["cell_errors"])
    assert "the kernel died" in result["reason"]


def _parent(pid: int) -> int:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0
    return int(stat.rsplit(")", 1)[1].split()[1])


def _descends(pid: int, ancestor: int) -> bool:
    while pid > 1:
        if pid == ancestor:
            return True
        pid = _parent(pid)
    return False


def _zygote_pids(under: int) -> list[int]:
    """The warm-kernel zygotes started by process ``under`` (other graders on this machine
    have theirs: never touch those)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or not _descends(int(entry.name), under):
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
        except (OSError, NotADirectoryError):
            continue
        if b"The warm-kernel zygote" in cmdline and b"bwrap" not in cmdline.split(b"\0")[0]:
            pids.append(int(entry.name))
    return pids


def _slow(name: str, folder: Path, seconds: float) -> None:
    """An honest notebook whose first cell takes ``seconds`` (to act on a running batch)."""
    nb = nbformat.read(LIVENESS / "honest.ipynb", as_version=4)
    nb.cells.insert(0, nbformat.v4.new_code_cell(f"import time\ntime.sleep({seconds})"))
    nbformat.write(nb, folder / f"{name}.ipynb")


def _popen(*args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    env.pop("GITHUB_STEP_SUMMARY", None)
    return subprocess.Popen(
        [sys.executable, "-m", "grader", "--course", str(COURSE), *args],
        cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def test_the_zygote_killed_mid_batch_costs_no_student_their_grade(tmp_path, honest_alone):
    folder = _batch(tmp_path, "honest")
    for i in range(3):
        _slow(f"slow-{i}", folder, 2)
    run = _popen("grade", "liveness", str(folder), "--format", "json", "--output",
                 str(tmp_path / "out"), "--jobs", "2", "--kernels", "warm")  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while not (pids := _zygote_pids(run.pid)) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert pids, "the zygote did not start"
        time.sleep(1.0)
        for pid in pids:
            os.kill(pid, signal.SIGKILL)
    except BaseException:
        run.kill()
        run.communicate(timeout=30)
        raise
    stdout, stderr = run.communicate(timeout=SUBMISSION_TIMEOUT * 3)
    assert run.returncode == 0, stderr[-3000:]
    results = {r["student"]: r for r in json.loads(stdout)}
    assert len(results) == 13
    for name in HONEST:
        assert _outcome(results[name]) == honest_alone[name], name
    assert all(results[f"slow-{i}"]["total"] == results["honest"]["total"] for i in range(3))
    assert leftover_processes() == []


def _check_workers(grader: int) -> dict[int, float]:
    """Pid → age in seconds of each process forked by the fork server of ``grader``."""
    servers, children = set(), {}
    ours = process_tree(grader)
    ticks = os.sysconf("SC_CLK_TCK")
    uptime = float(Path("/proc/uptime").read_text().split()[0])
    for entry in Path("/proc").iterdir():
        try:
            cmdline = (entry / "cmdline").read_bytes()
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, NotADirectoryError, IndexError):
            continue
        if b"multiprocessing.forkserver" in cmdline and int(entry.name) in ours:
            servers.add(int(entry.name))
            children[int(entry.name)] = (int(stat[1]), uptime - int(stat[19]) / ticks)
    return {pid: age for pid, (ppid, age) in children.items() if ppid in servers}


def test_a_check_worker_killed_mid_check_is_a_grader_failure_retried_next_run(
    tmp_path, honest_alone
):
    folder = _batch(tmp_path, "honest")
    nb = nbformat.read(LIVENESS / "honest.ipynb", as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(
        "import time\n_add = add\ndef add(a, b):\n    time.sleep(2.5)\n    return _add(a, b)"
    ))  # fmt: skip
    nbformat.write(nb, folder / "slow-check.ipynb")
    out = tmp_path / "out"
    run = _popen("grade", "liveness", str(folder), "--format", "json", "--output", str(out),
                 "--jobs", "2")  # fmt: skip
    killed, deadline = [], time.monotonic() + 90
    while run.poll() is None and not killed and time.monotonic() < deadline:
        for pid, age in _check_workers(run.pid).items():
            # An honest submission's checks take a fraction of a second (a few seconds on a
            # machine loaded by tests running side by side); slow-check's, 5 s at least (two
            # checks call its add, which sleeps 2.5 s).
            if age > 4.0:
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)
        time.sleep(0.05)
    stdout, stderr = run.communicate(timeout=120)
    assert killed, "no long-running check worker was seen"
    assert run.returncode == 4, stderr[-3000:]
    results = {r["student"]: r for r in json.loads(stdout)}
    assert len(results) == 11
    failure = results["slow-check"]
    assert failure["grader_failure"] and not failure["gradable"]
    assert "check worker died" in failure["reason"]
    assert "run the same command again" in stderr
    for name in HONEST:
        assert _outcome(results[name]) == honest_alone[name], name
    # A re-run grades exactly the failed submission again (the others are kept).
    again = run_grader("--course", str(COURSE), "grade", "liveness", str(folder), "--format",
                       "json", "--output", str(out), "--jobs", "2")  # fmt: skip
    assert again.returncode == 0, again.stderr[-3000:]
    regraded = {r["student"]: r for r in json.loads(again.stdout)}
    assert regraded["slow-check"]["gradable"] and regraded["slow-check"]["total"] > 0
    assert again.stderr.count("(unchanged, not graded again)") == 10


def test_sigterm_stops_a_batch_within_seconds_and_a_rerun_finishes_it(tmp_path):
    folder = _batch(tmp_path, "honest")
    for i in range(4):
        _slow(f"slow-{i}", folder, 6)
    out = tmp_path / "out"
    run = _popen("grade", "liveness", str(folder), "--output", str(out), "--jobs", "2")
    deadline = time.monotonic() + 60
    while not _zygote_pids(run.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(2.0)  # kernels are running cells now
    sent = time.monotonic()
    run.send_signal(signal.SIGTERM)
    _, stderr = run.communicate(timeout=30)
    assert time.monotonic() - sent < 5, "grader grade took over 5 s to stop"
    assert run.returncode == 128 + signal.SIGTERM, stderr[-3000:]
    assert "stopped by SIGTERM" in stderr and "run the same command again" in stderr
    assert "Traceback" not in stderr
    assert leftover_processes() == []
    again = run_grader("--course", str(COURSE), "grade", "liveness", str(folder), "--format",
                       "json", "--output", str(out), "--jobs", "2")  # fmt: skip
    assert again.returncode == 0, again.stderr[-3000:]
    results = json.loads(again.stdout)
    assert len(results) == 14 and all(r["gradable"] for r in results)
