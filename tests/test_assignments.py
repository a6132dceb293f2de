"""The course's own assignments: each validates, and the demo cohort scores as written down."""

import json

import pytest

from tests.conftest import ROOT, run_grader

pytestmark = pytest.mark.slow
ASSIGNMENTS = sorted(p.name for p in (ROOT / "solutions").iterdir() if p.is_dir())


def test_the_four_course_assignments_are_present():
    assert ASSIGNMENTS == ["data-wrangling", "linear-algebra", "model-evaluation", "model-training"]


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_assignment_validates(name):
    done = run_grader("validate", name)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_released_copy_is_up_to_date(name, tmp_path):
    course = tmp_path / "course"
    (course / "solutions").mkdir(parents=True)
    (course / "solutions" / name).symlink_to(ROOT / "solutions" / name)
    assert run_grader("--course", str(course), "release", name).returncode == 0
    fresh = course / "assignments" / name
    committed = ROOT / "assignments" / name
    fresh_files = sorted(p.relative_to(fresh) for p in fresh.rglob("*") if p.is_file())
    committed_files = sorted(p.relative_to(committed) for p in committed.rglob("*") if p.is_file())
    assert fresh_files == committed_files
    for rel in fresh_files:
        assert (fresh / rel).read_bytes() == (committed / rel).read_bytes(), rel


def test_demo_cohort_scores_exactly_as_expected(tmp_path):
    expected = json.loads((ROOT / "examples" / "cohort" / "expected.json").read_text())
    for name in ASSIGNMENTS:
        done = run_grader("grade", name, str(ROOT / "examples" / "cohort"), "--format", "json",
                          "--output", str(tmp_path / name))  # fmt: skip
        assert done.returncode == 0, done.stderr
        got = {r["student"]: r["total"] for r in json.loads(done.stdout)}
        want = {student: scores[name] for student, scores in expected.items() if name in scores}
        assert got == want, name
