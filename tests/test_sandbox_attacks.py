"""The adversarial suite: one submission per attack class, graded in one batch with an honest one.

The fixture assignment ``vault`` (tests/fixtures/course/solutions/vault) has four questions:
q1 a secret only the hidden data knows, q2 ``add``, q3 ``mean``, q4 ``answer = 42``. Each attack
notebook (tests/fixtures/notebooks/attacks/) would score on the question it attacks only if the
attack worked. Every attack must score 0 there, finish within the submission's time limit,
leave the honest submission's result untouched, and leave a reason the student can read.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.conftest import COURSE, NOTEBOOKS, leftover_processes, run_grader

pytestmark = pytest.mark.slow
ATTACKS = NOTEBOOKS / "attacks"
SUBMISSION_TIMEOUT = 90  # vault's assignment.toml

# attack notebook -> (question it attacks, text the student is shown for it)
EXPECTED = {
    "reads-hidden-checks-and-data": ("q1", "secret is not the hidden token"),
    "reads-other-submissions": ("q4", "answer should be 42"),
    "forges-results-on-stdout": ("q2", "`add` is not defined"),
    "patches-pytest-numpy-builtins": ("q3", "cannot travel as data"),
    "eq-always-true": ("q2", "AlwaysEqual cannot travel as data"),
    "pickle-payload": ("q2", "Payload cannot travel as data"),
    "huge-value-through-bridge": ("q3", "nested too deeply"),
    "never-returning-call": ("q2", "did not finish within 3 s"),
    "exits-the-interpreter": ("q4", "the kernel died in cell 5"),
    "kills-the-parent": ("q4", "answer should be 42"),
    "fork-bomb": ("q4", "did not finish within 5 seconds"),
    "memory-bomb": ("q4", "MemoryError"),
    "infinite-loop-ignoring-interrupts": ("q4", "did not stop when interrupted"),
    "fills-the-disk": ("q4", "`answer` is not defined"),
    "network-access": ("q4", "answer should be 42"),
    "output-flood": ("q4", "output beyond the limit (64 KiB a cell"),
    "report-injection": ("q2", "calling add() raised ValueError"),
    "tampers-with-ipykernel": ("q3", "sent back malformed data"),
    "notebook-json-tricks": ("q3", "tolerance: rtol=1e-07"),
}
PICKLE_MARKER = Path("/tmp/grader-pwned-by-pickle")


def _grade(*paths: Path, out: Path, kernels: str = "warm") -> dict[str, dict]:
    done = run_grader(
        "--course", str(COURSE), "grade", "vault", *map(str, paths),
        "--format", "json", "--output", str(out), "--jobs", "2", "--kernels", kernels,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return {r["student"]: r for r in json.loads(done.stdout)}


@pytest.fixture(scope="module", params=["warm", "cold"])
def attacked(request, tmp_path_factory):
    """The batch graded with warm kernels (forked from one zygote), then with cold ones."""
    PICKLE_MARKER.unlink(missing_ok=True)
    out = tmp_path_factory.mktemp(f"attack-reports-{request.param}")
    return {"results": _grade(ATTACKS, out=out, kernels=request.param), "out": out}


def _question_score(result, question):
    return next(q["score"] for q in result["questions"] if q["name"] == question)


def test_every_attack_class_has_a_notebook():
    assert sorted(p.stem for p in ATTACKS.glob("*.ipynb")) == sorted([*EXPECTED, "honest"])


@pytest.mark.parametrize("attack", sorted(EXPECTED))
def test_attack_scores_zero_on_the_question_it_attacks(attacked, attack):
    question, _ = EXPECTED[attack]
    result = attacked["results"][attack]
    assert result["gradable"], result.get("reason")
    assert _question_score(result, question) == 0


@pytest.mark.parametrize("attack", sorted(EXPECTED))
def test_attack_finishes_within_its_time_limit(attacked, attack):
    assert attacked["results"][attack]["timings"]["total"] < SUBMISSION_TIMEOUT


@pytest.mark.parametrize("attack", sorted(EXPECTED))
def test_attack_leaves_the_student_a_clear_reason(attacked, attack):
    _, reason = EXPECTED[attack]
    result = attacked["results"][attack]
    shown = [c.get("message") or "" for c in result["checks"]]
    shown += [f"{e['ename']}: {e['evalue']}" for e in result["cell_errors"]]
    shown += [result.get("reason", ""), *result.get("notes", [])]
    assert any(reason in text for text in shown), shown


def test_the_honest_submission_is_untouched_by_the_attacks_beside_it(attacked, tmp_path):
    alone = _grade(ATTACKS / "honest.ipynb", out=tmp_path)["honest"]
    beside = attacked["results"]["honest"]

    def outcome(r):
        return [(c["name"], c["status"], c.get("message")) for c in r["checks"]], r["total"]

    assert outcome(beside) == outcome(alone)
    assert beside["total"] == 5  # everything but the secret


def test_the_hidden_data_and_checks_never_reach_the_student(attacked):
    result = attacked["results"]["reads-hidden-checks-and-data"]
    assert "vault-token" not in json.dumps(result)


def test_nothing_from_the_kernel_is_unpickled(attacked):
    assert not PICKLE_MARKER.exists()


def test_no_student_process_is_left_behind(attacked):
    assert leftover_processes() == []


def test_output_flood_is_capped_in_the_result_and_the_report(attacked):
    result = attacked["results"]["output-flood"]
    assert any("output beyond the limit" in n for n in result["notes"])
    assert (attacked["out"] / "output-flood.html").stat().st_size < 256 * 1024


@pytest.mark.skipif(shutil.which("chromium") is None, reason="chromium is not installed")
def test_report_injection_runs_no_script_in_a_real_browser(attacked):
    page = attacked["out"] / "report-injection.html"
    html = page.read_text()
    assert "<script>document.title" not in html and "&lt;script&gt;" in html
    with tempfile.TemporaryDirectory() as profile:
        dom = subprocess.run(
            ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             f"--user-data-dir={profile}", "--dump-dom", page.as_uri()],
            capture_output=True, text=True, timeout=60, check=False, stdin=subprocess.DEVNULL,
        )  # fmt: skip
    assert "<body" in dom.stdout, dom.stderr[-2000:]
    title = re.search(r"<title>(.*?)</title>", dom.stdout, re.S)
    assert title is not None and "pwned" not in title.group(1)


def test_strict_sandbox_refuses_to_run_without_bubblewrap(tmp_path):
    bin_dir = _path_without_bwrap(tmp_path)
    done = _grader_with_path(bin_dir, "--sandbox", "strict", tmp_path / "out")
    assert done.returncode == 1
    assert done.stderr.strip().splitlines()[-1].startswith("grader: error: --sandbox=strict")
    assert "bubblewrap is not usable" in done.stderr


def test_without_bubblewrap_the_grader_warns_once_and_grades_with_limits(tmp_path):
    bin_dir = _path_without_bwrap(tmp_path)
    done = _grader_with_path(bin_dir, "--sandbox", "auto", tmp_path / "out")
    assert done.returncode == 0, done.stderr
    assert done.stderr.count("bubblewrap is not usable") == 1
    assert json.loads(done.stdout)[0]["total"] == 5


def _path_without_bwrap(tmp_path: Path) -> Path:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("prlimit", "setpriv", "sh", "cp"):
        found = shutil.which(tool)
        if found:
            (bin_dir / tool).symlink_to(found)
    return bin_dir


def _grader_with_path(bin_dir: Path, *args) -> subprocess.CompletedProcess[str]:
    *flags, out = args
    env = {**os.environ, "PATH": str(bin_dir), "PYTHONWARNINGS": "ignore"}
    return subprocess.run(
        [sys.executable, "-m", "grader", "--course", str(COURSE), "grade", "vault",
         str(ATTACKS / "honest.ipynb"), "--format", "json", "--output", str(out), *flags],
        capture_output=True, text=True, timeout=300, env=env, stdin=subprocess.DEVNULL,
    )  # fmt: skip
