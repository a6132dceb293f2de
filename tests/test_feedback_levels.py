"""What students see of each check (`[feedback]`): levels, the reveal, every student-facing
output, and the instructor's outputs keeping everything. No kernel: results built by hand."""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil

import pytest

from grader.authoring.tomlwrite import dump_assignment
from grader.config import load_assignment
from grader.errors import ConfigError
from grader.feedback.levels import FeedbackConfig, for_student
from grader.feedback.report import render_summary, write_student_reports
from grader.integrations.formats import render
from grader.models import CheckResult, QuestionResult, SubmissionResult
from tests.conftest import COURSE

SECRET = "expected 0.8734 on the held-out rows, got 0.61"
PUBLIC = "expected shape (3,), got (3, 1)"
NOW = dt.datetime(2026, 12, 4, tzinfo=dt.UTC)


def result() -> SubmissionResult:
    checks = (
        CheckResult("test_shape", "q1", "public", "failed", 0.0, 1.0, PUBLIC, hint="Use ravel."),
        CheckResult(
            "test_heldout",
            "q1",
            "hidden",
            "failed",
            0.0,
            2.0,
            SECRET,
            hint="Fit on the training rows only.",
        ),
    )
    questions = (QuestionResult("q1", "Fit", 0.0, 3.0, False, 0, 2),)
    return SubmissionResult("mini", "ada", True, 0.0, 3.0, questions, checks)


@pytest.fixture
def mini(tmp_path):
    root = tmp_path / "mini"
    shutil.copytree(COURSE / "solutions" / "mini", root)
    return root


def configure(root, text):
    settings = root / "assignment.toml"
    settings.write_text(settings.read_text() + "\n" + text)
    return load_assignment(root, "mini")


def test_the_default_shows_every_message_as_before(mini):
    assert load_assignment(mini, "mini").feedback == FeedbackConfig()
    assert for_student(result(), FeedbackConfig(), NOW) == result()


@pytest.mark.parametrize(
    ("level", "message", "hint"),
    [("status", "", ""), ("hint", "", "Fit on the training rows only."), ("message", SECRET,
                                                                          "Fit on the training rows only.")],
)  # fmt: skip
def test_each_level_shows_what_it_says(level, message, hint):
    shown = for_student(result(), FeedbackConfig(hidden=level), NOW)
    hidden = shown.checks[1]
    assert (hidden.message, hidden.hint) == (message, hint)
    assert shown.checks[0] == result().checks[0]  # public stays at "message"
    assert (shown.total, hidden.status, hidden.points) == (0.0, "failed", 0.0)


def test_after_the_reveal_every_check_shows_its_message():
    config = FeedbackConfig("status", "status", reveal_after=NOW)
    assert for_student(result(), config, NOW - dt.timedelta(seconds=1)).checks[1].message == ""
    assert for_student(result(), config, NOW).checks[1].message == SECRET


def test_reveal_after_defaults_to_the_deadline(mini):
    a = configure(mini, '[late]\ndeadline = 2026-12-01T23:59:00Z\n\n[feedback]\nhidden = "hint"\n')
    assert a.feedback == FeedbackConfig(
        "message", "hint", dt.datetime(2026, 12, 1, 23, 59, tzinfo=dt.UTC))  # fmt: skip
    b = configure(mini, "reveal_after = 2027-01-01T00:00:00Z\n")
    assert b.feedback.reveal_after == dt.datetime(2027, 1, 1, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ('[feedback]\nhidden = "none"\n', "'feedback.hidden' must be one of status, hint, message"),
        ('[feedback]\nshow = "all"\n', "unknown key 'feedback.show'"),
        ("[feedback]\nreveal_after = 2026-12-08\n", "must be a date-time with a time zone"),
        (
            "[feedback]\nreveal_after = 2026-12-08T00:00:00\n",
            "must be a date-time with a time zone",
        ),
    ],
)
def test_a_bad_feedback_table_is_a_clear_error(mini, text, error):
    with pytest.raises(ConfigError, match=error):
        configure(mini, text)


def test_no_hidden_value_reaches_a_student_facing_output_under_hint(mini, tmp_path):
    assignment = configure(
        mini, '[feedback]\nhidden = "hint"\nreveal_after = 2099-01-01T00:00:00Z\n'
    )
    out = tmp_path / "out"
    write_student_reports(result(), out, assignment.feedback)
    student_facing = {
        "html": (out / "ada.html").read_text(),
        "md": (out / "ada.md").read_text(),
        **{fmt: render(fmt, [result()], assignment) for fmt in ("md", "junit", "gradescope")},
    }
    for name, text in student_facing.items():
        assert "0.8734" not in text and "held-out rows" not in text, name
        assert "Fit on the training rows only." in text or name == "junit", name
        assert "expected shape (3,)" in text or "expected shape (3,)" in text.replace("\\", ""), (
            name
        )
    instructor = {
        "json file": (out / "ada.json").read_text(),
        "--format json": render("json", [result()], assignment),
        "summary": render_summary("mini", [result()]),
    }
    for name, text in instructor.items():
        assert "0.8734" in text, name


def test_the_release_carries_the_levels_for_the_self_check(mini):
    assignment = configure(mini, '[feedback]\npublic = "hint"\nhidden = "status"\n')
    text = dump_assignment(assignment)
    assert '[feedback]\npublic = "hint"\nhidden = "status"\n' in text
    assert "[feedback]" not in dump_assignment(dataclasses.replace(assignment,
                                                                   feedback=FeedbackConfig()))  # fmt: skip
