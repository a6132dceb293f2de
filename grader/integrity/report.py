"""``grader similarity``: find the submissions, compare them, write the page.

The page (``reports/NAME/similarity.html``) says first that a similarity is evidence for a
person to look at, never a grade; then each student's highest match, and each flagged pair
side by side with the shared code marked. The summary page links to it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from grader.config import Assignment
from grader.errors import GraderError
from grader.feedback.report import SIMILARITY_PAGE, write_report, write_summary
from grader.feedback.templates import environment
from grader.gradebook import default_url, latest_results
from grader.integrity.similarity import (
    DEFAULT_THRESHOLD,
    Similarity,
    compare,
    read_codes,
    reference_submissions,
    released_code,
)
from grader.submissions import find_submissions

MAX_PAIRS_SHOWN = 100
"""Flagged pairs shown side by side on the page (the JSON output lists them all)."""


@dataclass(frozen=True)
class Checked:
    """What ``grader similarity`` found and wrote."""

    report: Similarity
    page: Path


def check_similarity(
    assignment: Assignment,
    paths: Sequence[Path],
    references: Sequence[Path] = (),
    threshold: float = DEFAULT_THRESHOLD,
    out_dir: Path | None = None,
) -> Checked:
    """Compare the submissions at ``paths`` (as ``grader grade`` finds them) pair by pair.

    Writes the page into ``out_dir`` and, when the folder has a gradebook, the summary
    again (it links to the page).

    Raises:
        SubmissionError: nothing to compare at ``paths``.
        ReportError: the page cannot be written.
    """
    with find_submissions(assignment, paths) as found:
        codes = read_codes(found)
    refs = read_codes(reference_submissions(references), reference=True)
    report = compare(assignment.name, codes, released_code(assignment), refs, threshold)
    out = out_dir or Path("reports") / assignment.name
    page = out / SIMILARITY_PAGE
    write_report(page, render_page(report))
    try:
        write_summary(assignment.name, latest_results(default_url(out), assignment.name), out)
    except GraderError:
        pass  # nothing graded here yet: no summary to link from
    return Checked(report, page)


def segments(text: str, regions: Sequence[tuple[int, int]]) -> list[tuple[str, bool]]:
    """``text`` cut into (piece, shared) runs, the shared ones at ``regions``."""
    out: list[tuple[str, bool]] = []
    at = 0
    for start, end in sorted(regions):
        start, end = max(start, at), min(end, len(text))
        if start >= end:
            continue
        if start > at:
            out.append((text[at:start], False))
        out.append((text[start:end], True))
        at = end
    if at < len(text):
        out.append((text[at:], False))
    return out


def render_page(report: Similarity) -> str:
    """The similarity page of ``report``."""
    shown = []
    for pair in report.flagged[:MAX_PAIRS_SHOWN]:
        other = report.references if pair.reference else report.codes
        shown.append(
            (
                pair,
                segments(report.codes[pair.a].text, pair.regions_a),
                segments(other[pair.b].text, pair.regions_b),
            )
        )
    return (
        environment("html")
        .get_template("similarity.html.j2")
        .render(
            s=report,
            shown=shown,
            more=max(0, len(report.flagged) - MAX_PAIRS_SHOWN),
            highest=sorted(
                report.highest().items(),
                key=lambda kv: (-(kv[1].similarity if kv[1] else 0), kv[0]),
            ),
            unreadable=[c for c in report.codes.values() if c.problem],
        )
    )


def render_text(report: Similarity) -> str:
    """The flagged pairs for the terminal, one per line, and what was left out."""
    lines = [
        f"{len(report.codes)} submissions, {len(report.pairs)} pairs share code; "
        f"{len(report.flagged)} at or above {report.threshold:g}:"
    ]
    for pair in report.flagged:
        source = " (reference)" if pair.reference else ""
        lines.append(f"  {pair.similarity:.2f}  {pair.a}  {pair.b}{source}")
    for code in report.codes.values():
        if code.problem:
            lines.append(f"  not compared: {code.key}: {code.problem}")
    lines.append("A similarity is evidence for a person to look at, never a grade.")
    return "\n".join(lines) + "\n"
