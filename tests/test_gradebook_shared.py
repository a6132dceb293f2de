"""One PostgreSQL gradebook shared by graders running at once, end to end (real kernels).

Two ``grader grade`` processes grading halves of one cohort into the same gradebook, and a
``grader grade`` with ``grader report`` beside it: every result is there once, attempts counted
right. On the server ``GRADER_TEST_POSTGRES_URL`` names (:mod:`tests.pg`; skipped without one).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.conftest import COURSE, NOTEBOOKS, ROOT

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]

VERSIONS = ["correct", "partially-correct", "raises", "missing-name", "empty"]
"""The mini notebooks the students hand in, in turn (each grades quickly, each differently)."""


def cohort(folder: Path, students: int) -> list[Path]:
    """``students`` submissions of mini, one folder each: ``s01/mini.ipynb``, ..."""
    paths = []
    for n in range(1, students + 1):
        path = folder / f"s{n:02d}" / "mini.ipynb"
        path.parent.mkdir(parents=True)
        shutil.copy(NOTEBOOKS / "mini" / f"{VERSIONS[n % len(VERSIONS)]}.ipynb", path)
        paths.append(path)
    return paths


def start(url: str, *args: str) -> subprocess.Popen[str]:
    """A ``grader`` process on the shared gradebook at ``url``, running."""
    return subprocess.Popen(
        [sys.executable, "-m", "grader", "--course", str(COURSE), *args, "--gradebook", url],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        stdin=subprocess.DEVNULL, env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )  # fmt: skip


def finish(run: subprocess.Popen[str]) -> str:
    stdout, stderr = run.communicate(timeout=500)
    assert run.returncode == 0, stderr[-3000:]
    return stdout


def stored(url: str) -> list[tuple[str, int, int]]:
    """(student, attempt, checks recorded) of every stored result, by student and attempt."""
    engine = sa.create_engine(url, poolclass=sa.NullPool)
    try:
        with engine.connect() as conn:
            found = conn.execute(
                sa.text(
                    "select s.name, b.attempt, (select count(*) from check_results c "
                    "where c.submission_id = b.id) from submissions b "
                    "join students s on s.id = b.student_id order by s.name, b.attempt"
                )
            )
            return [(name, int(attempt), int(checks)) for name, attempt, checks in found]
    finally:
        engine.dispose()


def test_two_graders_grading_halves_into_one_gradebook_store_every_result_once(
    postgres_url, tmp_path
):
    paths = cohort(tmp_path / "cohort", 8)
    # s01 is in both halves, a different version in each: two versions of one student, graded
    # at once by two graders, are attempts 1 and 2 (in whichever order they finish).
    other = tmp_path / "other" / "s01" / "mini.ipynb"
    other.parent.mkdir(parents=True)
    shutil.copy(NOTEBOOKS / "mini" / "correct.ipynb", other)
    assert other.read_bytes() != paths[0].read_bytes()
    halves = [[str(p) for p in paths[:4]], [str(other)] + [str(p) for p in paths[4:]]]
    runs = [
        start(postgres_url, "grade", "mini", *half, "--format", "json", "--jobs", "1",
              "--output", str(tmp_path / f"out{i}"))
        for i, half in enumerate(halves)
    ]  # fmt: skip
    printed = [json.loads(finish(run)) for run in runs]

    graded = {(r["student"], len(r["checks"])) for results in printed for r in results}
    rows = stored(postgres_url)
    assert [(name, attempt) for name, attempt, _ in rows] == [("s01", 1), ("s01", 2)] + [
        (f"s{n:02d}", 1) for n in range(2, 9)
    ]
    assert {(name, checks) for name, _, checks in rows} == graded

    again = json.loads(finish(start(postgres_url, "grade", "mini", *map(str, paths),
                                    "--format", "json", "--output", str(tmp_path / "again"))))  # fmt: skip
    assert len(again) == 8
    assert stored(postgres_url) == rows  # nothing graded twice: every result was there


def test_a_report_beside_a_grader_on_one_gradebook_reads_whole_results(postgres_url, tmp_path):
    paths = cohort(tmp_path / "cohort", 8)
    finish(start(postgres_url, "grade", "mini", *map(str, paths[:2]),
                 "--output", str(tmp_path / "first")))  # fmt: skip
    grading = start(postgres_url, "grade", "mini", *map(str, paths[2:]), "--jobs", "1",
                    "--output", str(tmp_path / "graded"))  # fmt: skip
    seen = []
    while grading.poll() is None or not seen:
        out = tmp_path / f"report{len(seen)}"
        finish(start(postgres_url, "report", "mini", "--output", str(out)))
        reports = [json.loads(p.read_text()) for p in out.glob("s*.json")]
        assert all(r["assignment"] == "mini" and r["checks"] for r in reports if r["gradable"])
        seen.append(len(reports))
        time.sleep(0.2)
    finish(grading)
    assert seen == sorted(seen) and 2 <= seen[0] and seen[-1] <= 8, seen
    assert len(stored(postgres_url)) == 8
    final = tmp_path / "final"
    finish(start(postgres_url, "report", "mini", "--output", str(final)))
    assert len(list(final.glob("s*.json"))) == 8
