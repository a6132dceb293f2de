"""The course's own assignments: each validates, and the demo cohort scores as written down."""

import json

import pytest

from tests.conftest import ASSIGNMENTS, COHORT, ROOT, grade_cohort, run_grader

pytestmark = pytest.mark.slow


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


def test_demo_cohort_has_forty_plus_submissions_of_every_kind():
    expected = json.loads((COHORT / "expected.json").read_text())
    notebooks = sorted(COHORT.glob("*/*.ipynb"))
    assert len(notebooks) >= 40
    assert {(p.parent.name, p.stem) for p in notebooks} == {
        (student, name) for student, scores in expected.items() for name in scores
    }


def test_demo_cohort_scores_exactly_as_expected(cohort_graded):
    expected = json.loads((COHORT / "expected.json").read_text())
    for name in ASSIGNMENTS:
        got = {student: r["total"] for student, r in cohort_graded[name].items()}
        want = {student: scores[name] for student, scores in expected.items()}
        assert got == want, name


def test_grading_again_gives_identical_results(cohort_graded, tmp_path):
    """Half the cohort graded again (every assignment, every student in two of them; the
    other half is run again by test_checker's whole-cohort parity)."""
    again = grade_cohort(tmp_path, half=0)

    def outcome(graded):
        return {
            (name, student): (r["total"], r["gradable"],
                              [(c["name"], c["status"], c["points"]) for c in r["checks"]])
            for name, results in graded.items() for student, r in results.items()
        }  # fmt: skip

    first = {name: {s: cohort_graded[name][s] for s in again[name]} for name in again}
    assert sum(len(v) for v in again.values()) >= 24
    assert outcome(again) == outcome(first)
