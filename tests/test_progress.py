"""Progress on stderr: a live bar on a terminal, log lines elsewhere."""

import io

from grader.models import SubmissionResult
from grader.progress import batch_progress

GOOD = SubmissionResult("mini", "ada", True, 5.5, 5.5)
BAD = SubmissionResult("mini", "ben", False, 0, 5.5, reason="the notebook is not valid JSON")


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_plain_stream_gets_one_numbered_line_per_submission():
    out = io.StringIO()
    with batch_progress("grading mini", 2, out) as progress:
        progress.advance(GOOD, reused=False)
        progress.advance(BAD, reused=True)
    assert out.getvalue().splitlines() == [
        "[1/2] ada: 5.5/5.5 (100%)",
        "[2/2] ben: not gradable: the notebook is not valid JSON (unchanged, not graded again)",
    ]


def test_terminal_gets_a_bar_with_counts_and_failures():
    out = Terminal()
    with batch_progress("grading mini", 2, out) as progress:
        progress.advance(GOOD, reused=False)
        progress.advance(BAD, reused=False)
    text = out.getvalue()
    assert "grading mini" in text and "2/2" in text and "1 ungradable" in text
    assert progress.ungradable == 1
