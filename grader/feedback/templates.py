"""The one Jinja2 environment factory, per kind of document, each with its own escaping.

Every page and file the grader writes from a template comes from ``grader/templates`` through
:func:`environment`, whose kind fixes how a ``{{ value }}`` is escaped:

- ``html``: autoescaped (student text is text, never markup);
- ``markdown``: :func:`~grader.feedback.markdown.md_escape` as ``finalize``; the template's own
  markup (fences, inline code) comes from filters returning ``Markup``;
- ``shell``: every value shell-quoted; ``yaml``: every value a JSON string (which YAML reads as
  the same string).
"""

from __future__ import annotations

import functools
import json
import shlex
from collections.abc import Callable
from typing import Any, Literal

from jinja2 import Environment, PackageLoader

from grader.feedback.markdown import md_code_name, md_escape, md_fence
from grader.late import describe

Kind = Literal["html", "markdown", "shell", "yaml"]

STATUS_WORDS = {
    "passed": "passed",
    "failed": "failed",
    "error": "error: the check could not run on your answer",
    "timeout": "timed out: your code took longer than the check's time limit",
}
"""A check's status in plain words."""

_FINALIZE: dict[Kind, Callable[[Any], str]] = {
    "markdown": md_escape,
    "shell": lambda value: shlex.quote(str(value)),
    "yaml": lambda value: json.dumps(str(value)),
}


@functools.cache
def environment(kind: Kind) -> Environment:
    """The environment of the package's templates for documents of ``kind``."""
    options: dict[str, Any] = {"keep_trailing_newline": True}
    if kind in ("html", "markdown"):
        options.update(trim_blocks=True, lstrip_blocks=True)
    if kind == "html":
        env = Environment(loader=PackageLoader("grader", "templates"), autoescape=True, **options)
    else:
        env = Environment(
            loader=PackageLoader("grader", "templates"),
            autoescape=False,  # noqa: S701 -- not HTML: every value goes through finalize
            finalize=_FINALIZE[kind],
            **options,
        )
    env.filters["fence"] = md_fence
    env.filters["code_name"] = md_code_name
    env.filters["page"] = lambda student: safe_name(str(student)) + ".html"
    env.globals["status_words"] = STATUS_WORDS
    env.globals["describe"] = describe
    return env


def safe_name(student: str) -> str:
    """A file-name-safe form of a student's name."""
    cleaned = "".join(c if c.isalnum() or c in "-_.@" else "_" for c in student).strip(".")
    return cleaned or "student"
