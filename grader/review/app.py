"""The review web app: grade manual questions in a browser, one question across all students.

A Flask app over the gradebook, with our Jinja2 templates (autoescaped). Every request needs
the server's token: the URL ``grader review`` prints carries it once (``?token=``), the app
then keeps it in a cookie for this host and port and redirects to the URL without it. Every
write also needs it in the ``X-Review-Token`` header (the page's script sends it; a form on
another site cannot), or for the rubric form as a field. Every page is sent with a
Content-Security-Policy that lets only our own script and stylesheet run and only ``data:``
images load, so student HTML that slipped past sanitising could still do nothing.

Grades are saved one change at a time (:class:`grader.manual.Patch`): a click on a rubric item,
an adjustment, a comment. Two graders on the same answer both keep their changes.
"""

from __future__ import annotations

import dataclasses
import math
import os
import secrets
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask, Response, abort, jsonify, redirect, request
from werkzeug.exceptions import HTTPException

from grader.config import Assignment
from grader.errors import GraderError
from grader.feedback.levels import for_student
from grader.feedback.report import render_student_html
from grader.feedback.templates import environment
from grader.gradebook import Gradebook
from grader.manual import ManualGrade, answer_text, apply_manual_grades, question_score
from grader.models import AnswerCell, ManualAnswer, SubmissionResult
from grader.review.answers import answer_pieces, highlight_css
from grader.review.patches import read_patch
from grader.review.queue import Queue, build_queue, pseudonyms, student_id
from grader.review.rubric import edit_rubric_item
from grader.settings import QuestionConfig, RubricItem

TOKEN_HEADER = "X-Review-Token"  # noqa: S105 -- a header name
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
FEEDBACK_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'"
"""The student's feedback page (its stylesheet is inline): no script at all."""


@dataclass(frozen=True)
class ReviewConfig:
    """What ``grader review`` serves."""

    assignment: Assignment
    gradebook_url: str
    grader: str
    """Who grades, when the page does not say (the OS user by default)."""
    anonymous: bool = False
    """Show students as "Student N", never by name."""
    token: str = field(default_factory=lambda: secrets.token_urlsafe(24))


@dataclass
class _State:
    config: ReviewConfig
    assignment: Assignment
    gradebook: Gradebook
    secret: bytes


@dataclass(frozen=True)
class _Cohort:
    """The gradebook as one request sees it."""

    results: dict[str, SubmissionResult]
    grades: dict[tuple[str, str], ManualGrade]
    names: dict[str, str]
    ids: dict[str, str]


def create_app(config: ReviewConfig) -> Flask:
    """The review app for ``config`` (the gradebook is opened now)."""
    app = Flask(__name__, static_folder=str(Path(__file__).parent / "static"))
    state = _State(config, config.assignment, Gradebook(config.gradebook_url), os.urandom(16))
    html = environment("html")

    def page(template: str, status: int = 200, **values: Any) -> Response:
        body = html.get_template(template).render(
            assignment=state.assignment, token=config.token, anonymous=config.anonymous, **values
        )
        return Response(body, status=status, mimetype="text/html")

    def cohort() -> _Cohort:
        name = state.assignment.name
        results = {r.student: r for r in state.gradebook.latest(name) if r.gradable}
        names = pseudonyms(name, results) if config.anonymous else {s: s for s in results}
        ids = {student_id(state.secret, s): s for s in results}
        return _Cohort(results, state.gradebook.manual_grades(name), names, ids)

    def queue_of(question: str, seen: _Cohort) -> Queue:
        students = [s for s, r in seen.results.items() if _asks(r, question)]
        graded = {s for (s, q) in seen.grades if q == question}
        return build_queue(state.assignment.name, question, students, graded)

    def manual_question(question: str) -> QuestionConfig:
        config_q = state.assignment.questions.get(question)
        if config_q is None or not config_q.manual:
            abort(404, f"{question} is not a manual question of {state.assignment.name}")
        return config_q

    def student_of(seen: _Cohort, sid: str) -> str:
        student = seen.ids.get(sid)
        if student is None:
            abort(404, "no such student in the gradebook (graded again since?)")
        return student

    def sid_of(student: str) -> str:
        return student_id(state.secret, student)

    @app.before_request
    def require_token() -> Response | None:
        cookie = f"grader-review-{request.host.rpartition(':')[2] or '80'}"
        given = request.args.get("token")
        if given is not None and secrets.compare_digest(given, config.token):
            args = urllib.parse.urlencode([(k, v) for k, v in request.args.items() if k != "token"])
            target = request.path + ("?" + args if args else "")
            response = redirect(target)
            response.set_cookie(cookie, config.token, httponly=True, samesite="Strict")
            return response  # type: ignore[return-value]
        held = request.cookies.get(cookie, "")
        if not secrets.compare_digest(held, config.token):
            abort(403, "open the address `grader review` printed, with its token")
        if request.method != "GET" and request.endpoint != "rubric":
            header = request.headers.get(TOKEN_HEADER, "")
            if not secrets.compare_digest(header, config.token):
                abort(403, f"a change needs the {TOKEN_HEADER} header")
        return None

    @app.after_request
    def protect(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Cache-Control"] = "no-store"
        return response

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response:
        message = str(exc.description or exc.name)
        if request.path.startswith("/api/"):
            response = jsonify(error=message)
            response.status_code = exc.code or 400
            return response
        return page("review_message.html.j2", status=exc.code or 400, message=message)

    @app.errorhandler(GraderError)
    def grader_error(exc: GraderError) -> Response:
        if request.path.startswith("/api/"):
            response = jsonify(error=str(exc))
            response.status_code = 409
            return response
        return page("review_message.html.j2", status=409, message=str(exc))

    @app.get("/highlight.css")
    def highlight() -> Response:
        return Response(highlight_css(), mimetype="text/css")

    @app.get("/")
    def index() -> Response:
        seen = cohort()
        questions = [
            (name, q, queue_of(name, seen))
            for name, q in state.assignment.questions.items()
            if q.manual
        ]
        return page("review_index.html.j2", questions=questions)

    @app.get("/q/<question>")
    def start(question: str) -> Response:
        manual_question(question)
        seen = cohort()
        queue = queue_of(question, seen)
        first = queue.next_ungraded() or (queue.students[0] if queue.students else None)
        if first is None:
            abort(404, f"no graded submission answers {question} yet: grade the notebooks first")
        return redirect(f"/q/{question}/{sid_of(first)}")  # type: ignore[return-value]

    @app.get("/q/<question>/<sid>")
    def answer(question: str, sid: str) -> Response:
        config_q = manual_question(question)
        seen = cohort()
        student = student_of(seen, sid)
        queue = queue_of(question, seen)
        grade = seen.grades.get((student, question))
        answers = state.gradebook.answers(state.assignment.name, student)
        shown = answers.get((student, question)) or _from_files(
            state.gradebook, state.assignment, student, question
        )

        def link(other: str | None) -> str:
            return f"/q/{question}/{sid_of(other)}" if other else ""

        return page(
            "review_answer.html.j2",
            question=question,
            q=config_q,
            student=seen.names[student],
            sid=sid,
            place=queue.place(student) + 1,
            queue=queue,
            answer=shown,
            pieces=answer_pieces(shown),
            items=_items(config_q),
            grade=grade,
            score=question_score(config_q, grade) if grade else None,
            total=_totals(seen.results[student], seen.grades, state.assignment),
            previous=link(queue.neighbour(student, -1)),
            following=link(queue.neighbour(student, 1)),
            ungraded=link(queue.next_ungraded(student)),
            feedback=f"/student/{sid}",
            grader=config.grader,
        )

    @app.post("/api/q/<question>/<sid>")
    def save(question: str, sid: str) -> Response:
        config_q = manual_question(question)
        seen = cohort()
        student = student_of(seen, sid)
        if not _asks(seen.results[student], question):
            abort(404, f"{student}'s latest result has no {question}")
        patch, who = read_patch(request.get_json(silent=True), config_q, config.grader)
        grade = state.gradebook.patch_manual_grade(
            state.assignment.name, student, question, patch, who
        )
        grades = {**seen.grades, (student, question): grade}
        queue = queue_of(question, dataclasses.replace(seen, grades=grades))
        total, possible = _totals(seen.results[student], grades, state.assignment)
        return jsonify(
            items=list(grade.items),
            adjustment=grade.adjustment,
            comment=grade.comment,
            grader=grade.grader,
            graded_at=grade.graded_at,
            score=question_score(config_q, grade),
            total=total,
            possible=possible,
            done=queue.done,
            count=len(queue.students),
        )

    @app.route("/q/<question>/rubric", methods=["GET", "POST"], endpoint="rubric")
    def rubric(question: str) -> Response:
        config_q = manual_question(question)
        message = ""
        status = 200
        if request.method == "POST":
            form = request.form
            if not secrets.compare_digest(form.get("token", ""), config.token):
                abort(403, "the rubric form needs the page's token")
            try:
                number = int(form["number"]) if form.get("number") else None
                points = float(form.get("points", ""))
                if not math.isfinite(points):
                    raise ValueError
            except ValueError:
                abort(400, "points must be a number")
            try:
                state.assignment = edit_rubric_item(
                    state.assignment,
                    question,
                    number,
                    points,
                    form.get("text", ""),
                    form.get("key", "").strip(),
                )
            except GraderError as exc:
                message, status = str(exc), 400
            else:
                return redirect(f"/q/{question}/rubric?saved=1")  # type: ignore[return-value]
            config_q = manual_question(question)
        seen = cohort()
        used = {
            n: sum(1 for (_, q), g in seen.grades.items() if q == question and n in g.items)
            for n in range(1, len(config_q.rubric) + 1)
        }
        return page(
            "review_rubric.html.j2",
            status=status,
            question=question,
            q=config_q,
            used=used,
            message=message,
            saved=request.args.get("saved") == "1",
        )

    @app.get("/student/<sid>")
    def feedback(sid: str) -> Response:
        seen = cohort()
        student = student_of(seen, sid)
        result = apply_manual_grades(seen.results[student], seen.grades, state.assignment)
        result = for_student(result, state.assignment.feedback)  # as the student sees it
        if config.anonymous:
            result = dataclasses.replace(result, student=seen.names[student])
        response = Response(render_student_html(result), mimetype="text/html")
        response.headers["Content-Security-Policy"] = FEEDBACK_CSP
        return response

    app.extensions["grader_review"] = state
    return app


def _asks(result: SubmissionResult, question: str) -> bool:
    """Whether ``result`` has manual question ``question``."""
    return any(q.name == question and q.manual for q in result.questions)


def _items(config: QuestionConfig) -> list[tuple[int, RubricItem, str]]:
    """Each rubric item with its number and shortcut (its key, else its number up to 9)."""
    taken = {item.key for item in config.rubric if item.key}
    out = []
    for n, item in enumerate(config.rubric, 1):
        key = item.key or (str(n) if n <= 9 and str(n) not in taken else "")
        out.append((n, item, key))
    return out


def _totals(
    result: SubmissionResult, grades: Mapping[tuple[str, str], ManualGrade], assignment: Assignment
) -> tuple[float, float]:
    scored = apply_manual_grades(result, grades, assignment)
    return scored.total, scored.possible


def _from_files(
    gradebook: Gradebook, assignment: Assignment, student: str, question: str
) -> ManualAnswer:
    """An answer from a result graded before answers were kept: its text, from the notebook."""
    paths = gradebook.notebook_paths(assignment.name).get(student, ())
    text, why = answer_text(paths, assignment, question)
    cells = (AnswerCell("markdown", text),) if text else ()
    return ManualAnswer(question, cells, note=why)
