"""The course index `grader demo` writes: every assignment's line, linking its summary."""

from grader.feedback.report import AssignmentRow, write_course_index
from grader.models import SubmissionResult


def result(student, total, gradable=True):
    return SubmissionResult("la", student, gradable, total, 10.0 if gradable else 0.0)


def test_the_course_index_links_each_summary_with_its_mean_and_counts(tmp_path):
    rows = [
        AssignmentRow.of("la", "Linear <b>algebra</b>", [result("ada", 10), result("ben", 5),
                                                          result("mia", 0, gradable=False)]),
        AssignmentRow.of("empty", "", [result("mia", 0, gradable=False)]),
    ]  # fmt: skip
    assert (rows[0].graded, rows[0].mean, rows[0].percent, rows[0].ungradable) == (2, 7.5, 75, 1)
    page = write_course_index(tmp_path, rows, "My course").read_text()
    assert '<a href="la/index.html">la</a>' in page and "7.5 / 10 (75%)" in page
    assert "Linear &lt;b&gt;algebra&lt;/b&gt;" in page  # a title is text, never markup
    assert '<a href="empty/index.html">empty</a>' in page and "none graded" in page
