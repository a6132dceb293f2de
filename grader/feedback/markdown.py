"""Markdown escaping: the one way student text reaches a Markdown page.

Markdown templates render with :func:`md_escape` as Jinja's ``finalize``: every ``{{ value }}``
becomes literal text on one line. What a template means as markup (a code fence, a check's
name in backticks) is built here and returned as :class:`~markupsafe.Markup`, which
``md_escape`` passes through.
"""

from __future__ import annotations

import re

from markupsafe import Markup

MAX_MESSAGE = 1000
"""Characters of one value kept on a Markdown line (a message, a reason)."""

_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_MD_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_MD_PUNCTUATION = set("\\`*_[]{}()#+!|~")


def md_escape(value: object) -> str:
    """A value as literal Markdown text on one line (a table cell or after a heading mark).

    ``Markup`` (the template's own markup) passes through; anything else is flattened to one
    line, cut to :data:`MAX_MESSAGE` characters, and every character Markdown or HTML could
    read as markup is escaped.
    """
    if isinstance(value, Markup):
        return str(value)
    text = " ".join(_CONTROL.sub(" ", str(value)).split())
    if len(text) > MAX_MESSAGE:
        text = text[:MAX_MESSAGE] + "…"
    out = []
    for char in text:
        if char in _MD_ENTITIES:
            out.append(_MD_ENTITIES[char])
        elif char in _MD_PUNCTUATION:
            out.append("\\" + char)
        else:
            out.append(char)
    return "".join(out)


def md_fence(text: object) -> Markup:
    """``text`` in a code fence longer than any run of backticks inside it."""
    body = str(text).rstrip("\n")
    longest = max((len(run) for run in re.findall(r"`+", body)), default=0)
    fence = "`" * max(3, longest + 1)
    return Markup(f"{fence}text\n{body}\n{fence}")  # noqa: S704 -- Markdown: the fence holds it


def md_code_name(name: object) -> Markup:
    """A name (a check's) as inline code: only word characters, dots and brackets kept."""
    return Markup("`" + re.sub(r"[^\w.\[\]-]", "_", str(name)) + "`")  # noqa: S704
