from grader.config import Assignment
from grader.models import CheckResult
from grader.scoring import score, ungradable
from grader.settings import QuestionConfig


def check(q, status, possible=1.0, name="t"):
    return CheckResult(name, q, "hidden", status, possible if status == "passed" else 0.0, possible)


def assignment(**questions):
    return Assignment(name="a", root=None, title="A", notebook="a.ipynb", questions=questions)  # type: ignore[arg-type]


def test_points_add_up_per_question_with_float_points():
    r = score(
        assignment(),
        "s",
        [check("q1", "passed", 1.5), check("q1", "failed", 2), check("q2", "passed")],
    )
    assert (r.total, r.possible) == (2.5, 4.5)
    assert [(q.name, q.score, q.possible) for q in r.questions] == [
        ("q1", 1.5, 3.5),
        ("q2", 1.0, 1.0),
    ]


def test_all_or_nothing_question_scores_zero_unless_every_check_passes():
    a = assignment(q1=QuestionConfig(all_or_nothing=True))
    assert score(a, "s", [check("q1", "passed"), check("q1", "timeout")]).total == 0
    assert score(a, "s", [check("q1", "passed"), check("q1", "passed")]).total == 2


def test_questions_follow_the_order_of_assignment_toml():
    a = assignment(q2=QuestionConfig(), q1=QuestionConfig())
    assert [
        q.name for q in score(a, "s", [check("q1", "passed"), check("q2", "passed")]).questions
    ] == ["q2", "q1"]


def test_ungradable_is_distinct_from_zero():
    r = ungradable(assignment(), "s", "bad json")
    assert not r.gradable and r.reason == "bad json" and r.to_dict()["gradable"] is False


def test_a_schema_2_result_reads_as_the_current_schema_with_no_grader_failure_or_manual():
    from grader.models import SCHEMA_VERSION, SubmissionResult

    old = {"schema_version": 2, "assignment": "a", "student": "s", "gradable": True,
           "total": 1.0, "possible": 2.0, "penalty": 0.0,
           "questions": [{"name": "q1", "title": "", "score": 1.0, "possible": 2.0,
                          "all_or_nothing": False, "passed": 1, "checks": 2}]}  # fmt: skip
    result = SubmissionResult.from_dict(old)
    assert SCHEMA_VERSION == 4 and result.schema_version == 4
    assert result.awaiting_manual == () and result.questions[0].notebook == ""
    assert not result.grader_failure and result.isolation == "" and result.sandboxed
    again = SubmissionResult.from_dict(result.to_dict())
    assert again == result


def test_a_manual_question_awaits_grading_outside_the_total_never_as_zero():
    a = assignment(q1=QuestionConfig(), q8=QuestionConfig(manual=True, points=4))
    result = score(a, "ada", [check("q1", "passed", 2), check("q1", "failed", 1)])
    assert (result.total, result.possible) == (2, 3)
    (q8,) = result.awaiting_manual
    assert (q8.name, q8.possible, q8.manual, q8.awaiting) == ("q8", 4, True, True)
    assert result.summary() == "ada: 2/3 (67%); awaiting manual grading: q8 (4 points)"
