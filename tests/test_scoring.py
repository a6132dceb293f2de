from grader.config import Assignment, QuestionConfig
from grader.models import CheckResult
from grader.scoring import score, ungradable


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


def test_a_schema_2_result_reads_as_schema_3_with_no_grader_failure_and_unknown_isolation():
    from grader.models import SCHEMA_VERSION, SubmissionResult

    old = {"schema_version": 2, "assignment": "a", "student": "s", "gradable": True,
           "total": 1.0, "possible": 2.0, "penalty": 0.0}  # fmt: skip
    result = SubmissionResult.from_dict(old)
    assert SCHEMA_VERSION == 3 and result.schema_version == 3
    assert not result.grader_failure and result.isolation == "" and result.sandboxed
    again = SubmissionResult.from_dict(result.to_dict())
    assert again == result
