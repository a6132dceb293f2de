"""The bundled demo cohort: ``examples/cohort/<student>/<assignment>.ipynb``."""

from __future__ import annotations

from pathlib import Path

from grader.errors import SubmissionError
from grader.submissions import Submission


def demo_cohort(course: Path) -> dict[str, list[Submission]]:
    """The demo submissions of each assignment that has a solution in ``course``.

    Raises:
        SubmissionError: the course has no demo cohort.
    """
    cohort = course / "examples" / "cohort"
    if not cohort.is_dir():
        raise SubmissionError(f"no demo cohort at {cohort}")
    found: dict[str, list[Submission]] = {}
    for student in sorted(p for p in cohort.iterdir() if p.is_dir()):
        for notebook in sorted(student.glob("*.ipynb")):
            if (course / "solutions" / notebook.stem).is_dir():
                found.setdefault(notebook.stem, []).append(Submission(student.name, notebook))
    if not found:
        raise SubmissionError(f"the demo cohort at {cohort} holds no notebooks")
    return found
