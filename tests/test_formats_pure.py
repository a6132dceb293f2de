"""The documents of `--format json|gradescope|junit|md` from results built by hand (no kernel).

`test_formats.py` checks the same documents end to end on a graded batch; here every field is
pinned on results whose every value is known, including the ones grading rarely produces
(a late penalty, an error and a time-out, an all-or-nothing question lost, hostile text).
"""

from __future__ import annotations

import dataclasses
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from grader.config import Assignment
from grader.errors import SubmissionError
from grader.integrations.formats import below, json_chunks, render, to_gradescope, to_json, to_junit
from grader.models import (
    SCHEMA_VERSION,
    AppliedItem,
    CellError,
    CheckResult,
    QuestionResult,
    SubmissionResult,
)
from grader.settings import GRADESCOPE_VISIBILITIES, GradescopeConfig, LeaderboardColumn
from tests.gradescope_schema import RESULTS

INJECTION = "<img src=x onerror=alert(1)> | **bold** `code` [link](http://evil.example)"
NOT_XML = "ansi \x1b[31mred\x1b[0m and a NUL \x00"


def assignment(hidden_visibility: str = "after_published") -> Assignment:
    return Assignment(
        name="mini", root=Path("/nowhere/mini"), title="Mini <&> \"one\"", notebook="mini.ipynb",
        gradescope=GradescopeConfig(hidden_visibility),
    )  # fmt: skip


def ada() -> SubmissionResult:
    """Full marks on q1 (public + hidden), q2 all-or-nothing lost: one pass, one failure."""
    checks = (
        CheckResult("test_add_small", "q1", "public", "passed", 2.0, 2.0, duration=0.25),
        CheckResult("test_add_big", "q1", "hidden", "passed", 1.0, 1.0),
        CheckResult("test_total_type", "q2", "public", "passed", 1.0, 1.0),
        CheckResult(
            "test_total_value",
            "q2",
            "hidden",
            "failed",
            0.0,
            1.5,
            message="expected 6, got 5",
            hint="Sum every row.",
        ),
    )
    questions = (
        QuestionResult("q1", "Add", 3.0, 3.0, False, 2, 2),
        QuestionResult("q2", "Total", 0.0, 2.5, True, 1, 2),
    )
    return SubmissionResult("mini", "ada", True, 3.0, 5.5, questions, checks,
                            timings={"total": 12.6})  # fmt: skip


def late_ben() -> SubmissionResult:
    """Full marks before a penalty of 1.1 (two started days late)."""
    checks = (CheckResult("test_add_small", "q1", "public", "passed", 5.5, 5.5),)
    questions = (QuestionResult("q1", "Add", 5.5, 5.5, False, 1, 1),)
    return SubmissionResult(
        "mini", "ben", True, 4.4, 5.5, questions, checks, submitted_at="2026-01-11T12:30:00Z",
        minutes_late=1470.0, days_late=2, penalty=1.1, timings={"total": 3.0},
    )  # fmt: skip


def broken_eve() -> SubmissionResult:
    """An error and a time-out, student text that injects markup, a cell error and a note."""
    checks = (
        CheckResult("test_add_small", "q1", "public", "error", 0.0, 1.0,
                    message=f"calling add() raised ValueError: {INJECTION}\n{NOT_XML}"),
        CheckResult("test_add_big", "q1", "hidden", "timeout", 0.0, 1.0,
                    message="did not finish in 10 s"),
    )  # fmt: skip
    questions = (QuestionResult("q1", INJECTION, 0.0, 2.0, False, 0, 2),)
    errors = (CellError(2, "error", "ValueError", INJECTION),)
    return SubmissionResult("mini", "eve", True, 0.0, 2.0, questions, checks, errors,
                            notes=(f"note {INJECTION}",))  # fmt: skip


def ungradable_zed() -> SubmissionResult:
    return SubmissionResult("mini", "zed", False, 0.0, 0.0, reason="the notebook is not valid JSON")


# --- json -------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [0, 1, 3])
def test_json_streamed_a_result_at_a_time_is_the_whole_list_dumped(count):
    results = [ada(), late_ben(), ungradable_zed()][:count]
    pieces = list(json_chunks(iter(results)))
    assert len(pieces) == count + 1
    assert "".join(pieces) == json.dumps([r.to_dict() for r in results], indent=2)


def test_json_is_a_list_of_versioned_results_that_read_back_equal():
    results = [ada(), late_ben(), ungradable_zed()]
    data = json.loads(to_json(results))
    assert [r["student"] for r in data] == ["ada", "ben", "zed"]
    assert {r["schema_version"] for r in data} == {SCHEMA_VERSION}
    ben = data[1]
    assert (ben["total"], ben["score_before_penalty"], ben["penalty"]) == (4.4, 5.5, 1.1)
    assert (ben["percent"], ben["days_late"], ben["submitted_at"]) == (
        80.0,
        2,
        "2026-01-11T12:30:00Z",
    )
    assert data[2]["gradable"] is False and data[2]["reason"] == "the notebook is not valid JSON"
    assert [SubmissionResult.from_dict(r) for r in data] == results


# --- gradescope ---------------------------------------------------------------------------


def test_gradescope_has_a_test_per_check_with_status_score_and_visibility():
    doc = json.loads(to_gradescope([ada()], assignment()))
    assert doc["score"] == 3.0 and doc["execution_time"] == 13
    assert doc["stdout_visibility"] == "hidden"
    assert (doc["output_format"], doc["test_output_format"], doc["test_name_format"]) == (
        "md", "md", "text"
    )  # fmt: skip
    assert doc["output"].startswith("Score: 3 / 5.5 \\(55%\\)")  # Markdown, escaped
    assert doc["extra_data"] == {"assignment": "mini", "student": "ada", "gradable": True,
                                 "possible": 5.5, "schema_version": SCHEMA_VERSION}  # fmt: skip
    tests = {t["name"]: t for t in doc["tests"]}
    assert list(tests) == ["q1: test_add_small", "q1: test_add_big", "q2: test_total_type",
                           "q2: test_total_value"]  # fmt: skip
    assert [t["number"] for t in doc["tests"]] == ["1.1", "1.2", "2.1", "2.2"]
    assert [t["tags"] for t in doc["tests"]] == [["q1"], ["q1"], ["q2"], ["q2"]]
    assert tests["q1: test_add_big"]["extra_data"] == {"status": "passed", "kind": "hidden"}
    assert [t["status"] for t in doc["tests"]] == ["passed", "passed", "passed", "failed"]
    assert [t["visibility"] for t in doc["tests"]] == [
        "visible", "after_published", "visible", "after_published"
    ]  # fmt: skip
    assert [t["max_score"] for t in doc["tests"]] == [2.0, 1.0, 1.0, 1.5]
    # q2 is all or nothing and lost: its passing check scores 0, and says why.
    assert tests["q2: test_total_type"]["score"] == 0.0
    assert "all or nothing" in tests["q2: test_total_type"]["output"]
    assert sum(t["score"] for t in doc["tests"]) == doc["score"]
    failed = tests["q2: test_total_value"]["output"]
    assert failed.split("\n\n")[:3] == ["**failed**", "```text\nexpected 6, got 5\n```",
                                         "Hint: Sum every row."]  # fmt: skip
    assert tests["q1: test_add_small"]["output"] == ""  # a pass says nothing


def test_gradescope_shows_a_graded_manual_question_as_a_test_and_an_awaiting_one_in_the_overview():
    base = ada()
    graded = QuestionResult("q3", "Why", 2.5, 3.0, False, 0, 0, manual=True,
                            rubric=(AppliedItem(1, "Names the median", 2.0),), adjustment=0.5,
                            comment="Good.", graded_by="tess")  # fmt: skip
    waiting = QuestionResult("q4", "Plot", 0.0, 2.0, False, 0, 0, manual=True, awaiting=True)
    result = dataclasses.replace(base, questions=(*base.questions, graded, waiting), total=5.5,
                                 possible=8.5)  # fmt: skip
    doc = json.loads(to_gradescope([result], assignment()))
    manual = doc["tests"][-1]
    assert manual == {
        "name": "q3: graded by hand", "name_format": "text", "number": "3.1", "score": 2.5,
        "max_score": 3.0, "status": "failed", "output_format": "md", "tags": ["q3"],
        "output": "- +2 Names the median\n- Adjustment: +0.5\n\nGood.\n\nGraded by tess",
        "visibility": "visible", "extra_data": {"status": "graded by hand"},
    }  # fmt: skip
    assert sum(t["score"] for t in doc["tests"]) == doc["score"] == 5.5
    assert "Awaiting manual grading: q4 \\(2 more points\\)" in doc["output"].split("  \n")
    assert "q4" not in {t["name"].split(":")[0] for t in doc["tests"]}


@pytest.mark.parametrize("visibility", GRADESCOPE_VISIBILITIES)
def test_gradescope_hidden_checks_take_the_configured_visibility(visibility):
    doc = json.loads(to_gradescope([ada()], assignment(visibility)))
    by_check = {t["name"].split(": ")[1]: t["visibility"] for t in doc["tests"]}
    assert by_check["test_add_big"] == by_check["test_total_value"] == visibility
    assert by_check["test_add_small"] == by_check["test_total_type"] == "visible"


def test_gradescope_late_penalty_is_a_visible_test_of_negative_score():
    doc = json.loads(to_gradescope([late_ben()], assignment()))
    assert doc["score"] == 4.4
    penalty = doc["tests"][-1]
    assert penalty["name"] == "Late penalty"
    assert (penalty["score"], penalty["max_score"], penalty["status"]) == (-1.1, 0, "failed")
    assert penalty["visibility"] == "visible"
    assert "2 started days" in penalty["output"] and "late penalty 1.1 points" in penalty["output"]
    assert round(sum(t["score"] for t in doc["tests"]), 6) == doc["score"]
    assert "late penalty 1.1" in doc["output"]


def test_gradescope_errors_and_timeouts_fail_with_their_status_in_the_output():
    doc = json.loads(to_gradescope([broken_eve()], assignment()))
    assert [t["status"] for t in doc["tests"]] == ["failed", "failed"]  # Gradescope has no more
    assert doc["tests"][0]["output"].startswith("**error**\n\n```text\ncalling add() raised Val")
    assert doc["tests"][1]["output"] == "**timeout**\n\n```text\ndid not finish in 10 s\n```"
    assert [t["extra_data"]["status"] for t in doc["tests"]] == ["error", "timeout"]
    assert "Cell 3: ValueError" in doc["output"] and "note &lt;img" in doc["output"]
    assert "execution_time" not in doc  # no timing known


def test_gradescope_of_an_ungradable_submission_says_why_with_no_tests():
    doc = json.loads(to_gradescope([ungradable_zed()], assignment()))
    assert doc["score"] == 0.0 and doc["tests"] == []
    assert doc["output"] == "Not graded: the notebook is not valid JSON"
    assert doc["extra_data"]["gradable"] is False


@pytest.mark.parametrize("count", [0, 2])
def test_gradescope_refuses_anything_but_one_submission(count):
    with pytest.raises(SubmissionError, match=f"one submission, and there are {count}"):
        to_gradescope([ada(), late_ben()][:count], assignment())


# --- junit --------------------------------------------------------------------------------


def junit(*results: SubmissionResult) -> ET.Element:
    text = to_junit(list(results), assignment())
    assert text.startswith("<?xml version='1.0' encoding='utf-8'?>")
    return ET.fromstring(text)  # well-formed, or this raises


def test_junit_has_a_suite_per_submission_and_a_case_per_check():
    root = junit(ada(), late_ben(), broken_eve(), ungradable_zed())
    assert root.tag == "testsuites" and root.get("name") == 'Mini <&> "one"'
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert list(suites) == ["ada", "ben", "eve", "zed"]
    ada_suite = suites["ada"]
    cases = ada_suite.findall("testcase")
    assert [(c.get("classname"), c.get("name")) for c in cases] == [
        ("mini.ada.q1", "test_add_small"), ("mini.ada.q1", "test_add_big"),
        ("mini.ada.q2", "test_total_type"), ("mini.ada.q2", "test_total_value"),
    ]  # fmt: skip
    assert cases[0].get("time") == "0.250" and ada_suite.get("time") == "12.600"
    failure = cases[3].find("failure")
    assert failure is not None and failure.get("type") == "failed"
    assert failure.get("message") == "expected 6, got 5"
    assert failure.text == "expected 6, got 5\nHint: Sum every row."
    assert all(c.find("failure") is None and c.find("error") is None for c in cases[:3])
    counts = {k: ada_suite.get(k) for k in ("tests", "failures", "errors", "skipped")}
    assert counts == {"tests": "4", "failures": "1", "errors": "0", "skipped": "0"}
    totals = {k: root.get(k) for k in ("tests", "failures", "errors")}
    assert totals == {"tests": "9", "failures": "2", "errors": "3"}  # ben's penalty, eve, zed
    assert root.get("time") == "15.600"


def test_junit_properties_carry_score_possible_and_the_penalty():
    suites = {s.get("name"): s for s in junit(ada(), late_ben()).findall("testsuite")}
    props = {n: {p.get("name"): p.get("value") for p in s.iter("property")}
             for n, s in suites.items()}  # fmt: skip
    assert props["ada"] == {"score": "3", "possible": "5.5", "percent": "54.55", "gradable": "true"}
    assert props["ben"] == {
        "score": "4.4", "possible": "5.5", "percent": "80.00", "gradable": "true",
        "submitted_at": "2026-01-11T12:30:00Z", "late_penalty": "1.1",
        "score_before_penalty": "5.5",
    }  # fmt: skip
    late = suites["ben"].find("testcase[@name='on_time']/failure")
    assert late is not None and late.get("type") == "late" and "2 started days" in late.text


def test_junit_errors_timeouts_and_ungradable_are_errors():
    suites = {s.get("name"): s for s in junit(broken_eve(), ungradable_zed()).findall("testsuite")}
    eve = suites["eve"]
    assert [e.get("type") for e in eve.iter("error")] == ["error", "timeout"]
    assert eve.find("testcase/failure") is None and eve.get("errors") == "2"
    [zed_case] = suites["zed"].findall("testcase")
    error = zed_case.find("error")
    assert zed_case.get("name") == "gradable" and error.get("type") == "ungradable"
    assert error.get("message") == "the notebook is not valid JSON"


def test_junit_keeps_student_text_as_text_and_replaces_what_xml_cannot_hold():
    text = to_junit([broken_eve()], assignment())
    assert "<img" not in text  # escaped in the document...
    error = ET.fromstring(text).find(".//testcase[@name='test_add_small']/error")
    assert INJECTION in error.get("message")  # ...and read back as the same text
    assert "\x1b" not in error.text and "\x00" not in error.text
    assert "ansi \ufffd[31mred\ufffd[0m and a NUL \ufffd" in error.text


def test_junit_failure_message_is_the_first_line_cut_to_a_thousand_characters():
    check = CheckResult("test_long", "q1", "public", "failed", 0, 1, message="x" * 3000 + "\nmore")
    result = SubmissionResult("mini", "ada", True, 0.0, 1.0, checks=(check,))
    failure = junit(result).find(".//failure")
    assert failure.get("message") == "x" * 1000
    assert failure.text == "x" * 3000 + "\nmore"


# --- markdown -----------------------------------------------------------------------------


def test_markdown_has_a_score_table_then_each_submission():
    md = render("md", [ada(), late_ben(), ungradable_zed()], assignment())
    assert md.startswith('## Mini &lt;&amp;&gt; "one"\n')
    assert "| ada | 3 / 5.5 | 55% |  |  |" in md
    assert "| ben | 4.4 / 5.5 | 80% | 1.1 |  |" in md
    assert "| zed | not graded | | | the notebook is not valid JSON |" in md
    assert "### ben: 4.4 / 5.5 (80%)" in md
    assert "**Late:** Submitted 2026-01-11T12:30:00Z" in md and "before the penalty: 5.5" in md
    assert "| q2: Total (all or nothing) | 0 / 2.5 | 1 of 2 |" in md
    assert "| test\\_total\\_value (hidden) | q2 | failed | 0 / 1.5 |" in md
    assert "expected 6, got 5 Hint: Sum every row. |" in md
    assert "**Not graded:** the notebook is not valid JSON" in md
    assert md.count("<details><summary>Checks</summary>") == 2  # not for the ungradable one


def test_markdown_of_one_submission_has_no_score_table():
    md = render("md", [ada()], assignment())
    assert "| Student |" not in md and "### ada: 3 / 5.5 (55%)" in md


def test_markdown_escapes_whatever_the_student_wrote():
    md = render("md", [broken_eve()], assignment())
    escaped = r"&lt;img src=x onerror=alert\(1\)&gt; \| \*\*bold\*\* \`code\` \[link\]\(http://evil.example\)"
    assert md.count(escaped) == 4  # the question title, the message, the cell error, the note
    assert "<img" not in md and "**bold**" not in md and "](http" not in md
    assert "\x1b" not in md and "\x00" not in md
    # Student text stays on its table row: every row of the checks table has its 6 pipes.
    rows = [line for line in md.splitlines() if line.startswith("| test")]
    assert len(rows) == 2
    assert all(len(re.findall(r"(?<!\\)\|", row)) == 6 for row in rows)


def test_render_knows_every_document_format_and_refuses_others():
    for fmt in ("json", "gradescope", "junit", "md"):
        assert render(fmt, [ada()], assignment())
    with pytest.raises(ValueError, match="no document format 'text'"):
        render("text", [ada()], assignment())


def test_below_counts_the_final_score_and_every_ungradable_submission():
    results = [ada(), late_ben(), ungradable_zed()]  # 54.5%, 80% after its penalty, ungradable
    assert [r.student for r in below(results, 54.5)] == ["zed"]
    assert [r.student for r in below(results, 55)] == ["ada", "zed"]
    assert [r.student for r in below(results, 81)] == ["ada", "ben", "zed"]
    assert [r.student for r in below(results, 0)] == ["zed"]


def test_the_students_markdown_has_one_table_row_per_question():
    from grader.feedback.report import render_student_markdown

    md = render_student_markdown(ada())
    assert (
        "| q1: Add | 3 / 3 | 2 of 2 |\n| q2: Total (all or nothing) | 0 / 2.5 | 1 of 2 |\n\n## Checks"
        in md
    )


# --- gradescope: the whole spec ------------------------------------------------------------


def board_assignment():
    return dataclasses.replace(assignment(), gradescope=GradescopeConfig(
        leaderboard=(LeaderboardColumn("Accuracy"), LeaderboardColumn("Seconds", "asc"),
                     LeaderboardColumn("Never reported"))))  # fmt: skip


def reporting_ada():
    base = ada()
    checks = list(base.checks)
    checks[0] = dataclasses.replace(checks[0], reported={"Accuracy": 0.9312})
    checks[3] = dataclasses.replace(checks[3], reported={"Seconds": 12.5})  # a failed check's
    return dataclasses.replace(base, checks=tuple(checks))


def test_gradescope_leaderboard_has_each_reported_column_with_its_order():
    doc = json.loads(to_gradescope([reporting_ada()], board_assignment()))
    assert doc["leaderboard"] == [{"name": "Accuracy", "value": 0.9312},
                                  {"name": "Seconds", "value": 12.5, "order": "asc"}]  # fmt: skip
    assert "leaderboard" not in json.loads(to_gradescope([ada()], assignment()))


@pytest.mark.parametrize("which", ["ada", "late_ben", "broken_eve", "ungradable_zed", "board"])
def test_every_gradescope_document_follows_gradescopes_schema(which):
    made = {"ada": ada, "late_ben": late_ben, "broken_eve": broken_eve,
            "ungradable_zed": ungradable_zed, "board": reporting_ada}[which]()  # fmt: skip
    doc = json.loads(to_gradescope([made], board_assignment()))
    jsonschema.validate(doc, RESULTS)


def test_the_schema_refuses_what_gradescope_would_not_read():
    doc = json.loads(to_gradescope([ada()], assignment()))
    for broken in ({**doc, "tests": [{**doc["tests"][0], "status": "error"}]},
                   {**doc, "output_format": "markdown"}, {**doc, "stdout_visiblity": "hidden"},
                   {**doc, "leaderboard": [{"name": "x", "value": 1, "order": "up"}]}):  # fmt: skip
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(broken, RESULTS)
