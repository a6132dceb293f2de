"""Deadlines and late penalties: submission times, the penalty, and what users see of them."""

import datetime as dt
import json
import shutil
import sqlite3
import zipfile

import pytest

from grader.authoring.release import release
from grader.config import load_assignment
from grader.errors import ConfigError
from grader.grade import GradeOptions, grade_submission
from grader.late import TimeError, apply_late_policy, parse_time
from grader.models import SCHEMA_VERSION, SubmissionResult
from grader.sandbox import choose_isolation
from grader.settings import LatePolicy
from grader.submissions import find_submissions
from tests.conftest import NOTEBOOKS, run_grader

UTC = dt.UTC
DEADLINE = dt.datetime(2026, 1, 10, 12, 0, tzinfo=UTC)
LATE_TOML = """
[late]
deadline = 2026-01-10T12:00:00Z
grace_minutes = 15
penalty_per_day = 0.10
max_penalty = 0.30
"""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-01-10T12:00:00Z", dt.datetime(2026, 1, 10, 12, 0, tzinfo=UTC)),
        ("2026-01-10T13:00:00+01:00", dt.datetime(2026, 1, 10, 12, 0, tzinfo=UTC)),
        ("2026-01-10 12:00:00.250000 UTC", dt.datetime(2026, 1, 10, 12, 0, 0, 250000, tzinfo=UTC)),
        ("2026-01-10 13:00:00 +0100", dt.datetime(2026, 1, 10, 12, 0, tzinfo=UTC)),
        ("2026-01-10 13:00:00 Europe/Paris", dt.datetime(2026, 1, 10, 12, 0, tzinfo=UTC)),
        ("2026-01-10 12:00:00\n", dt.datetime(2026, 1, 10, 12, 0, tzinfo=UTC)),
    ],
)
def test_submission_times_in_iso_and_nbgrader_formats(text, expected):
    assert parse_time(text) == expected


@pytest.mark.parametrize("text", ["yesterday", "2026-01-10 12:00:00 Mars/Olympus", ""])
def test_unreadable_times_are_refused(text):
    with pytest.raises(TimeError):
        parse_time(text)


def result(total=5.0, possible=10.0, gradable=True):
    return SubmissionResult("a", "ada", gradable, total, possible)


POLICY = LatePolicy(deadline=DEADLINE, grace_minutes=15, penalty_per_day=0.1, max_penalty=0.3)


@pytest.mark.parametrize(
    ("late_by", "days", "penalty"),
    [
        (dt.timedelta(minutes=-5), 0, 0.0),
        (dt.timedelta(minutes=15), 0, 0.0),  # inside the grace period
        (dt.timedelta(minutes=16), 1, 1.0),  # 10% of 10 possible points
        (dt.timedelta(days=1, minutes=1), 2, 2.0),  # a second started day
        (dt.timedelta(days=9), 9, 3.0),  # capped at 30%
    ],
)
def test_penalty_per_started_day_of_the_possible_points_with_a_cap(late_by, days, penalty):
    out = apply_late_policy(result(), POLICY, DEADLINE + late_by)
    assert (out.days_late, out.penalty, out.total) == (days, penalty, 5.0 - penalty)
    assert out.score_before_penalty == 5.0
    assert out.submitted_at == (DEADLINE + late_by).isoformat().replace("+00:00", "Z")


def test_zero_after_days_and_never_more_than_the_score():
    zero = LatePolicy(deadline=DEADLINE, penalty_per_day=0.1, zero_after_days=2)
    assert apply_late_policy(result(), zero, DEADLINE + dt.timedelta(days=2)).total == 3.0
    after = apply_late_policy(result(), zero, DEADLINE + dt.timedelta(days=2, seconds=1))
    assert (after.total, after.penalty) == (0.0, 5.0)
    low = apply_late_policy(result(total=0.5), POLICY, DEADLINE + dt.timedelta(days=3))
    assert (low.total, low.penalty) == (0.0, 0.5)


def test_reapplying_starts_from_the_score_before_the_penalty():
    late = apply_late_policy(result(), POLICY, DEADLINE + dt.timedelta(days=2))
    on_time = apply_late_policy(late, POLICY, DEADLINE)
    assert (on_time.total, on_time.penalty, on_time.days_late) == (5.0, 0.0, 0)


def test_unknown_time_or_ungradable_takes_nothing():
    assert apply_late_policy(result(), POLICY, None).penalty == 0.0
    ungradable = apply_late_policy(result(0, 0, False), POLICY, DEADLINE + dt.timedelta(days=3))
    assert ungradable.penalty == 0.0 and ungradable.days_late == 3


def test_version_1_results_read_as_the_current_schema_without_penalty():
    v1 = {"schema_version": 1, "assignment": "a", "student": "ada", "gradable": True,
          "total": 4.0, "possible": 5.0, "percent": 80.0}  # fmt: skip
    got = SubmissionResult.from_dict(v1)
    assert (got.total, got.penalty, got.schema_version) == (4.0, 0.0, SCHEMA_VERSION)
    assert SubmissionResult.from_dict(got.to_dict()) == got
    with pytest.raises(ValueError, match="newer"):
        SubmissionResult.from_dict({**v1, "schema_version": SCHEMA_VERSION + 1})


def test_a_released_assignment_keeps_zero_after_days_loadable(course, tmp_path):
    toml = course / "solutions" / "mini" / "assignment.toml"
    toml.write_text(
        toml.read_text() + "\n[late]\ndeadline = 2026-01-10T12:00:00Z\nzero_after_days = 3\n"
    )
    assignment = load_assignment(course / "solutions" / "mini")
    release(assignment, tmp_path / "released")
    again = load_assignment(tmp_path / "released")
    assert again.late == assignment.late and again.late.zero_after_days == 3


def test_gradescope_visibility_key_is_checked(course):
    toml = course / "solutions" / "mini" / "assignment.toml"
    base = toml.read_text()
    toml.write_text(base + '\n[gradescope]\nhidden_visibility = "hidden"\n')
    assert load_assignment(toml.parent).gradescope.hidden_visibility == "hidden"
    toml.write_text(base + '\n[gradescope]\nhidden_visibility = "soon"\n')
    with pytest.raises(ConfigError, match="hidden_visibility"):
        load_assignment(toml.parent)
    toml.write_text(base + '\n[gradescope]\nvisibility = "hidden"\n')
    with pytest.raises(ConfigError, match=r"unknown key 'gradescope\.visibility'"):
        load_assignment(toml.parent)


@pytest.fixture
def late_course(course):
    toml = course / "solutions" / "mini" / "assignment.toml"
    toml.write_text(toml.read_text() + LATE_TOML)
    return course


def student(folder, name, notebook="correct", timestamp=None):
    (folder / name).mkdir(parents=True)
    shutil.copy(NOTEBOOKS / "mini" / f"{notebook}.ipynb", folder / name / "mini.ipynb")
    if timestamp is not None:
        (folder / name / "timestamp.txt").write_text(timestamp)


def without_timings(result):
    """A result as JSON data without what differs from one run to the next."""
    kept = {k: v for k, v in result.items() if k not in ("timings", "kernels")}
    kept["checks"] = [{k: v for k, v in c.items() if k != "duration"} for c in result["checks"]]
    return kept


def grade_json(course, out, *args):
    done = run_grader("--course", str(course), "grade", "mini", *map(str, args),
                      "--format", "json", "--output", str(out))  # fmt: skip
    assert done.returncode == 0, done.stderr
    return {r["student"]: r for r in json.loads(done.stdout)}, done.stderr


@pytest.mark.slow
def test_late_penalty_from_timestamps_and_zip_times_kept_on_regrade(late_course, tmp_path):
    cohort = tmp_path / "cohort"
    student(cohort, "ada", timestamp="2026-01-11 13:00:00.000000 UTC\n")  # 25 h late
    student(cohort, "ben", timestamp="2026-01-10 12:10:00 UTC")  # within the grace period
    student(cohort, "cid", timestamp="half past never")
    archive = tmp_path / "late.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        info = zipfile.ZipInfo("dan/mini.ipynb", date_time=(2026, 1, 14, 9, 0, 0))  # 4 days
        zf.writestr(info, (NOTEBOOKS / "mini" / "correct.ipynb").read_bytes())
    out = tmp_path / "out"

    results, _ = grade_json(late_course, out, cohort, archive)
    ada, ben, cid, dan = (results[s] for s in ("ada", "ben", "cid", "dan"))
    assert (ada["days_late"], ada["penalty"], ada["total"]) == (2, 1.1, 4.4)
    assert ada["score_before_penalty"] == 5.5 and ada["submitted_at"] == "2026-01-11T13:00:00Z"
    assert ada["percent"] == 80.0
    assert (ben["penalty"], ben["total"], ben["days_late"]) == (0.0, 5.5, 0)
    assert cid["penalty"] == 0.0 and cid["submitted_at"] is None
    assert any("timestamp.txt" in n and "on time" in n for n in cid["notes"])
    assert (dan["submitted_at"], dan["days_late"], dan["penalty"]) == (
        "2026-01-14T09:00:00Z",
        4,
        1.65,
    )
    # The library grades the same: late policy and notes are part of grade_submission.
    assignment = load_assignment(late_course / "solutions" / "mini")
    options = GradeOptions(isolation=choose_isolation("auto")[0], warm_kernels=False)
    with find_submissions(assignment, [cohort]) as found:
        by_library = {
            s.student: json.loads(json.dumps(grade_submission(assignment, s, options).to_dict()))
            for s in found
            if s.student in ("ada", "cid")
        }
    for name, got in by_library.items():
        assert without_timings(got) == without_timings(results[name])

    html = (out / "ada.html").read_text()
    assert 'id="late"' in html and "late penalty of 1.1 points" in html
    assert 'id="late"' not in (out / "ben.html").read_text()

    again, stderr = grade_json(late_course, out, cohort)
    assert stderr.count("unchanged, not graded again") == 3
    assert again["ada"]["total"] == 4.4 and again["ada"]["penalty"] == 1.1

    # The same notebook handed in again on time is graded again and loses its penalty.
    (cohort / "ada" / "timestamp.txt").write_text("2026-01-10T11:00:00Z")
    again, stderr = grade_json(late_course, out, cohort / "ada" / "mini.ipynb")
    assert "unchanged" not in stderr
    assert (again["ada"]["total"], again["ada"]["penalty"]) == (5.5, 0.0)


@pytest.mark.slow
def test_submitted_at_flag_and_two_submissions_of_one_student(late_course, tmp_path):
    folder = tmp_path / "batch"
    student(folder, "ada", "correct")
    shutil.copy(NOTEBOOKS / "mini" / "partially-correct.ipynb", folder / "ada.ipynb")
    out = tmp_path / "out"
    done = run_grader("--course", str(late_course), "grade", "mini", str(folder), "--format",
                      "json", "--output", str(out), "--submitted-at", "2026-01-10T14:00:00Z")  # fmt: skip
    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout)
    assert sorted((r["total"], r["penalty"]) for r in results) == [(2.45, 0.55), (4.95, 0.55)]
    with sqlite3.connect(out / "gradebook.sqlite") as db:
        stored = db.execute("select total from submissions order by total").fetchall()
    assert stored == [(2.45,), (4.95,)]  # each recorded with its own stamp

    bad = run_grader("--course", str(late_course), "grade", "mini", str(folder),
                     "--submitted-at", "tomorrow")  # fmt: skip
    assert bad.returncode == 2 and "--submitted-at" in bad.stderr
