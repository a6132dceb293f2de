"""Write an :class:`~grader.config.Assignment` back as ``assignment.toml`` (the released copy).

Only the keys of our own schema are written, so nothing the instructor keeps beside them
reaches students; a manual question's rubric stays with the instructor too.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

from grader.config import Assignment
from grader.settings import LatePolicy, Limits, QuestionConfig

Scalar = str | bool | int | float | dt.datetime | None


def dump_assignment(assignment: Assignment) -> str:
    """The TOML text of ``assignment``'s settings."""
    lines = [
        f"title = {_value(assignment.title)}",
        (
            "notebooks = [" + ", ".join(_value(n) for n in assignment.notebooks) + "]"
            if assignment.multi_notebook
            else f"notebook = {_value(assignment.notebook)}"
        ),
        "release = [" + ", ".join(_value(r) for r in assignment.release) + "]",
        "",
        "[limits]",
        *_table(assignment.limits, Limits()),
    ]
    for name, question in assignment.questions.items():
        public = dataclasses.replace(question, rubric=())
        lines += ["", f"[questions.{_key(name)}]", *_table(public, QuestionConfig())]
    if assignment.late is not None:
        defaults = LatePolicy(deadline=assignment.late.deadline)
        lines += ["", "[late]", f"deadline = {_value(assignment.late.deadline)}"]
        lines += _table(assignment.late, defaults)
    feedback = assignment.feedback
    if feedback.restricts:  # the self-check shows what grading will show
        lines += ["", "[feedback]", f"public = {_value(feedback.public)}"]
        lines += [f"hidden = {_value(feedback.hidden)}"]
        if feedback.reveal_after is not None:
            lines += [f"reveal_after = {_value(feedback.reveal_after)}"]
    return "\n".join(lines) + "\n"


def _table(obj: Limits | QuestionConfig | LatePolicy, defaults: object | None) -> list[str]:
    out = []
    for f in dataclasses.fields(obj):
        value: Scalar = getattr(obj, f.name)
        if value is None or value == ():
            continue
        if defaults is not None and getattr(defaults, f.name) == value and f.name != "title":
            continue
        out.append(f"{f.name} = {_value(value)}")
    return out


def _value(value: Scalar) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")  # to the microsecond
    if isinstance(value, int | float):
        return repr(value)
    return _string(str(value))


def _string(text: str) -> str:
    """A TOML basic string: JSON's escapes, but characters beyond ASCII kept as they are.

    JSON would write those beyond the BMP as surrogate pairs, which TOML refuses; and DEL,
    which TOML does not allow raw, is escaped.
    """
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def _key(name: str) -> str:
    bare = name.replace("-", "").replace("_", "").isalnum() and name.isascii()
    return name if bare else _string(name)
