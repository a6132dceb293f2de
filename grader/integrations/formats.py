"""Results as documents for other systems: our JSON, Gradescope, JUnit XML, Markdown.

Each format is one function of the results (and the assignment where it needs settings).
What a student wrote or printed reaches these documents only as text: escaped for XML by
ElementTree (characters XML cannot hold are replaced), and for Markdown by the template
environment's ``finalize`` (so it cannot add markup, links or HTML to a CI job summary).
A hidden check's source never appears, only its name, message and hint.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol, TypeVar

from grader.config import Assignment
from grader.errors import SubmissionError
from grader.feedback.levels import for_student
from grader.feedback.markdown import MAX_MESSAGE, md_escape, md_fence
from grader.feedback.templates import environment
from grader.late import describe
from grader.models import CheckResult, QuestionResult, SubmissionResult

FORMATS = ("text", "json", "gradescope", "junit", "md")
"""The values of ``grader grade --format``."""


def to_json(results: Sequence[SubmissionResult]) -> str:
    """The results as a JSON list (the schema of ``SubmissionResult.to_dict``)."""
    return "".join(json_chunks(results))


def json_chunks(results: Iterable[SubmissionResult]) -> Iterator[str]:
    """:func:`to_json`'s text, a piece per result (so a batch's results can stream through).

    The same text as ``json.dumps`` of the whole list with ``indent=2``.
    """
    first = True
    for result in results:
        item = json.dumps(result.to_dict(), indent=2).replace("\n", "\n  ")
        yield ("[\n  " if first else ",\n  ") + item
        first = False
    yield "[]" if first else "\n]"


def to_gradescope(results: Sequence[SubmissionResult], assignment: Assignment) -> str:
    """Gradescope's autograder ``results.json`` for the one submission in ``results``.

    ``score`` is the final score (after any late penalty, which also appears as a test of
    negative score); one test per check, public ones ``visible``, hidden ones as
    ``[gradescope] hidden_visibility`` says (default ``after_published``), each numbered
    ``<question>.<check>`` in the assignment's order, tagged with its question, with our own
    status in ``extra_data``; one visible test per manual question graded (its items,
    adjustment and comment); the overview names those still awaiting manual grading (in
    Gradescope, a manual question of its own). Outputs are Markdown (``md``): what a student
    wrote or printed sits in code fences or is escaped. With ``[[gradescope.leaderboard]]``
    columns, ``leaderboard`` holds each value a check reported for one.

    Raises:
        SubmissionError: ``results`` does not hold exactly one submission.
    """
    if len(results) != 1:
        raise SubmissionError(
            f"--format gradescope describes one submission, and there are {len(results)}"
        )
    [result] = _shown(results, assignment)
    questions = {q.name: q for q in result.questions}
    order = {name: n for n, name in enumerate(questions, 1)}
    seen: dict[str, int] = {}
    tests: list[dict[str, Any]] = []
    for check in result.checks:
        seen[check.question] = seen.get(check.question, 0) + 1
        tests.append(
            {
                "name": f"{check.question}: {check.name}",
                "name_format": "text",
                "number": f"{order.get(check.question, len(order) + 1)}.{seen[check.question]}",
                "score": _check_score(check, questions.get(check.question)),
                "max_score": check.possible,
                "status": "passed" if check.passed else "failed",
                "output": _check_output(check, questions.get(check.question)),
                "output_format": "md",
                "tags": [check.question, *([check.notebook] if check.notebook else [])],
                "visibility": (
                    "visible"
                    if check.visibility == "public"
                    else assignment.gradescope.hidden_visibility
                ),
                "extra_data": {"status": check.status, "kind": check.visibility},
            }
        )
    tests += [
        {
            "name": f"{q.name}: graded by hand",
            "name_format": "text",
            "number": f"{order[q.name]}.1",
            "score": q.score,
            "max_score": q.possible,
            "status": "passed" if q.score >= q.possible else "failed",
            "output": _manual_output(q),
            "output_format": "md",
            "tags": [q.name],
            "visibility": "visible",
            "extra_data": {"status": "graded by hand"},
        }
        for q in result.questions
        if q.manual and not q.awaiting
    ]
    if result.penalty:
        tests.append(
            {
                "name": "Late penalty",
                "score": -result.penalty,
                "max_score": 0,
                "status": "failed",
                "output": md_escape(describe(result)),
                "output_format": "md",
                "tags": ["late"],
                "visibility": "visible",
            }
        )
    document: dict[str, Any] = {
        "score": result.total,
        "output": _overview(result),
        "output_format": "md",
        "test_output_format": "md",
        "test_name_format": "text",
        "stdout_visibility": "hidden",
        "extra_data": {
            "assignment": result.assignment,
            "student": result.student,
            "gradable": result.gradable,
            "possible": result.possible,
            "schema_version": result.schema_version,
        },
        "tests": tests,
    }
    if assignment.gradescope.leaderboard:
        document["leaderboard"] = _leaderboard(result, assignment)
    if "total" in result.timings:
        document["execution_time"] = round(result.timings["total"])
    return json.dumps(document, indent=2)


def _leaderboard(result: SubmissionResult, assignment: Assignment) -> list[dict[str, Any]]:
    """Each leaderboard column with the value a check reported.

    A column no check reported a value for is left out: the student is not ranked on it.
    """
    reported: dict[str, float | str] = {}
    for check in result.checks:
        reported.update(check.reported)
    board = []
    for column in assignment.gradescope.leaderboard:
        if column.name in reported:
            entry: dict[str, Any] = {"name": column.name, "value": reported[column.name]}
            if column.order == "asc":
                entry["order"] = "asc"
            board.append(entry)
    return board


def _check_score(check: CheckResult, question: QuestionResult | None) -> float:
    """A check's points, 0 when its all-or-nothing question was lost."""
    if question is not None and question.all_or_nothing and question.passed < question.checks:
        return 0.0
    return check.points


def _check_output(check: CheckResult, question: QuestionResult | None) -> str:
    """Markdown: the status, the message in a code fence, the hint escaped."""
    lines = []
    if not check.passed:
        lines.append(f"**{check.status}**")
        if check.message:
            lines.append(str(md_fence(check.message)))
        if check.hint:
            lines.append(f"Hint: {md_escape(check.hint)}")
    if question is not None and question.all_or_nothing:
        lines.append(
            md_escape(f"{question.name} is all or nothing: its points need every check to pass.")
        )
    return "\n\n".join(lines)


def _manual_output(question: QuestionResult) -> str:
    """Markdown: a graded manual question's items, adjustment and comment, one per line."""
    lines = [f"- {item.points:+g} {md_escape(item.text)}" for item in question.rubric]
    if question.adjustment:
        lines.append(f"- Adjustment: {question.adjustment:+g}")
    if question.comment:
        lines.append("\n" + md_escape(question.comment))
    if question.graded_by:
        lines.append("\nGraded by " + md_escape(question.graded_by))
    return "\n".join(lines)


def _overview(result: SubmissionResult) -> str:
    """Markdown: the score and what stopped or slowed the notebook, each line escaped."""
    return "  \n".join(md_escape(line) for line in _overview_lines(result))


def _overview_lines(result: SubmissionResult) -> list[str]:
    if not result.gradable:
        return [f"Not graded: {result.reason}"]
    lines = [f"Score: {result.total:g} / {result.possible:g} ({result.percent:.0f}%)"]
    if waiting := result.awaiting_manual:
        names = ", ".join(q.name for q in waiting)
        points = sum(q.possible for q in waiting)
        lines.append(f"Awaiting manual grading: {names} ({points:g} more points)")
    if late := describe(result):
        lines.append(late)
    if result.reason:
        lines.append(result.reason)
    for error in result.cell_errors:
        lines.append(f"Cell {error.cell + 1}: {error.ename or error.kind}: {error.evalue}")
    lines += result.notes
    return lines


def to_junit(results: Sequence[SubmissionResult], assignment: Assignment) -> str:
    """JUnit XML: a ``testsuite`` per submission, a ``testcase`` per check.

    A failed check is a ``failure``, an error or time-out an ``error``; an ungradable
    submission is one ``error`` test case; a late penalty is a ``failure`` test case. Scores
    are ``properties`` of each suite.
    """
    root = ET.Element("testsuites", name=_xml(assignment.title))
    counts = {"tests": 0, "failures": 0, "errors": 0}
    time = 0.0
    for result in _shown(results, assignment):
        suite = ET.SubElement(root, "testsuite", name=_xml(result.student))
        props = ET.SubElement(suite, "properties")
        for key, value in _properties(result).items():
            ET.SubElement(props, "property", name=key, value=_xml(value))
        mine = {"tests": 0, "failures": 0, "errors": 0}
        prefix = f"{assignment.name}.{result.student}"
        if not result.gradable:
            _case(suite, prefix, "gradable", "error", "ungradable", result.reason, mine)
        for check in result.checks:
            kind = {"passed": "", "failed": "failure"}.get(check.status, "error")
            detail = check.message + (f"\nHint: {check.hint}" if check.hint else "")
            case = _case(suite, f"{prefix}.{check.question}", check.name, kind, check.status,
                         detail, mine)  # fmt: skip
            case.set("time", f"{check.duration:.3f}")
        if result.penalty:
            _case(suite, prefix, "on_time", "failure", "late", describe(result), mine)
        seconds = result.timings.get("total", 0.0)
        time += seconds
        suite.set("tests", str(mine["tests"]))
        suite.set("failures", str(mine["failures"]))
        suite.set("errors", str(mine["errors"]))
        suite.set("skipped", "0")
        suite.set("time", f"{seconds:.3f}")
        for key in counts:
            counts[key] += mine[key]
    for key, count in counts.items():
        root.set(key, str(count))
    root.set("time", f"{time:.3f}")
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True)


def _case(
    suite: ET.Element,
    classname: str,
    name: str,
    kind: str,
    kind_type: str,
    detail: str,
    counts: dict[str, int],
) -> ET.Element:
    case = ET.SubElement(suite, "testcase", classname=_xml(classname), name=_xml(name))
    counts["tests"] += 1
    if kind:
        counts["failures" if kind == "failure" else "errors"] += 1
        first = detail.strip().splitlines()[0] if detail.strip() else kind_type
        element = ET.SubElement(case, kind, message=_xml(first[:MAX_MESSAGE]), type=kind_type)
        element.text = _xml(detail)
    return case


def _properties(result: SubmissionResult) -> dict[str, str]:
    props = {
        "score": f"{result.total:g}",
        "possible": f"{result.possible:g}",
        "percent": f"{result.percent:.2f}",
        "gradable": str(result.gradable).lower(),
    }
    if result.submitted_at:
        props["submitted_at"] = result.submitted_at
    if result.penalty:
        props["late_penalty"] = f"{result.penalty:g}"
        props["score_before_penalty"] = f"{result.score_before_penalty:g}"
    return props


_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml(text: str) -> str:
    """``text`` with the characters XML 1.0 cannot hold (e.g. ANSI escapes) replaced."""
    return _NOT_XML.sub("\ufffd", text)


def to_markdown(results: Sequence[SubmissionResult], assignment: Assignment) -> str:
    """Markdown for a CI job summary (``results.md.j2``): scores, then each submission."""
    template = environment("markdown").get_template("results.md.j2")
    return template.render(results=_shown(results, assignment), title=assignment.title).rstrip()


def _shown(results: Sequence[SubmissionResult], assignment: Assignment) -> list[SubmissionResult]:
    """``results`` as students may see them now (``[feedback]``: these documents are theirs)."""
    return [for_student(r, assignment.feedback) for r in results]


def render(fmt: str, results: Sequence[SubmissionResult], assignment: Assignment) -> str:
    """The document of ``fmt`` (any of :data:`FORMATS` but ``text``)."""
    if fmt == "json":
        return to_json(results)
    if fmt == "gradescope":
        return to_gradescope(results, assignment)
    if fmt == "junit":
        return to_junit(results, assignment)
    if fmt == "md":
        return to_markdown(results, assignment)
    raise ValueError(f"no document format {fmt!r}")


def append_step_summary(
    path: Path, results: Sequence[SubmissionResult], assignment: Assignment
) -> None:
    """Append the Markdown of ``results`` to a GitHub Actions step summary file.

    Raises:
        OSError: the file cannot be written.
    """
    with path.open("a", encoding="utf-8") as fh:
        fh.write(to_markdown(results, assignment) + "\n")


class Scored(Protocol):
    """A result, or a batch's line of one: whether it was gradable, and its percentage."""

    @property
    def gradable(self) -> bool: ...  # noqa: D102

    @property
    def percent(self) -> float: ...  # noqa: D102


S = TypeVar("S", bound=Scored)


def below(results: Sequence[S], percent: float) -> list[S]:
    """The results under ``percent`` (an ungradable one always is)."""
    return [r for r in results if not r.gradable or r.percent < percent]
