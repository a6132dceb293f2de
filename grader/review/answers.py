"""A student's answer made safe to show: Markdown rendered, code highlighted, outputs kept.

Everything here is built from what the student wrote or what their code printed, so all of it
is hostile until sanitised. Markdown is rendered by markdown-it with raw HTML off (a ``<script>``
in the text shows as text), then cleaned by nh3 (ammonia) with a short list of tags and
attributes; HTML outputs (a pandas table) are cleaned the same way. Images are kept only as
``data:`` URLs of image types whose bytes decode (a remote image never loads: it keeps its
alt text), SVG only inside ``<img>`` (where it can neither run script nor fetch). The page's
Content-Security-Policy is the second wall (:mod:`grader.review.app`).

The result is a list of :class:`Piece` for the template: text, highlighted code, sanitised
HTML or an image, each escaped or sanitised before it reaches the page.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import PythonLexer

from grader.execute import ANSI
from grader.feedback.images import image_src, joined, output_image
from grader.models import AnswerCell, ManualAnswer

MAX_TEXT = 20_000
"""Characters of one text output shown (the rest is cut, with a mark)."""

_TAGS = {
    "p", "b", "i", "u", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "em", "strong", "del",
    "s", "code", "pre", "blockquote", "ul", "ol", "li", "a", "img", "table", "thead", "tbody",
    "tfoot", "tr", "th", "td", "caption", "span", "div", "sub", "sup", "kbd", "dl", "dt", "dd",
}  # fmt: skip
_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "th": {"align", "colspan", "rowspan"},
    "td": {"align", "colspan", "rowspan"},
    "ol": {"start"},
    "span": {"class"},
    "code": {"class"},
    "div": {"class"},
    "pre": {"class"},
}
_NO_HTML = Markup("")
_CLASS = re.compile(r"^(?:highlight|language-[\w+-]{1,30}|[a-z]{1,3}\d?)$")

Kind = Literal["markdown", "code", "text", "error", "html", "image"]


@dataclass(frozen=True)
class Piece:
    """One thing to show, safe as it is: ``html`` is sanitised markup, the rest plain values."""

    kind: Kind
    text: str = ""
    """``text`` and ``error``: plain text (the template escapes it)."""
    html: Markup = _NO_HTML
    """``markdown``, ``code`` and ``html``: sanitised or library-highlighted markup."""
    src: str = ""
    """``image``: a ``data:`` URL of a checked image."""


def answer_pieces(answer: ManualAnswer) -> list[Piece]:
    """Every piece of ``answer``, cell by cell, each cell's outputs after it."""
    pieces: list[Piece] = []
    for cell in answer.cells:
        pieces.extend(cell_pieces(cell))
    return pieces


def cell_pieces(cell: AnswerCell) -> list[Piece]:
    """A cell's source, shown as the student wrote it, then its outputs."""
    if cell.cell_type == "markdown":
        return [Piece("markdown", html=markdown_html(cell.source, cell.attachments))]
    if cell.cell_type != "code":
        return [Piece("text", text=_cut(cell.source))] if cell.source.strip() else []
    pieces = [Piece("code", html=code_html(cell.source))] if cell.source.strip() else []
    for output in cell.outputs:
        piece = output_piece(output)
        if piece is not None:
            pieces.append(piece)
    return pieces


def code_html(source: str) -> Markup:
    """Python source highlighted by Pygments (which escapes it)."""
    formatter = HtmlFormatter(cssclass="highlight", nowrap=False)
    return Markup(highlight(_cut(source), PythonLexer(), formatter))  # noqa: S704 -- escaped


def markdown_html(text: str, attachments: Mapping[str, Any] | None = None) -> Markup:
    """Markdown rendered with raw HTML off, then sanitised; pasted images (attachments) shown."""
    renderer = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
    return sanitise(renderer.render(_cut(text)), attachments or {})


def sanitise(html: str, attachments: Mapping[str, Any] | None = None) -> Markup:
    """``html`` with only harmless tags and attributes, and only checked ``data:`` images."""

    def keep(tag: str, attribute: str, value: str) -> str | None:
        if tag == "img" and attribute == "src":
            return image_src(value, attachments or {})
        if attribute == "class":
            return " ".join(c for c in value.split() if _CLASS.match(c)) or None
        return value

    clean = nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "data", "attachment"},
        attribute_filter=keep,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
    return Markup(clean)  # noqa: S704 -- sanitised by nh3 just above


def output_piece(output: Mapping[str, Any]) -> Piece | None:
    """One output of the graded run, as the most faithful safe piece (None: nothing to show)."""
    kind = output.get("output_type")
    if kind == "stream":
        return Piece("text", text=_cut(joined(output.get("text", ""))))
    if kind == "error":
        trace = "\n".join(ANSI.sub("", str(line)) for line in output.get("traceback", ()))
        words = f"{output.get('ename', '')}: {output.get('evalue', '')}"
        return Piece("error", text=_cut(trace or words))
    data = output.get("data", {})
    if not isinstance(data, Mapping):
        return None
    src = output_image(data)
    if src:
        return Piece("image", src=src)
    if "text/html" in data:
        return Piece("html", html=sanitise(_cut(joined(data["text/html"]))))
    if "text/markdown" in data:
        return Piece("markdown", html=markdown_html(joined(data["text/markdown"])))
    for mime in ("text/latex", "text/plain"):
        if mime in data:
            return Piece("text", text=_cut(joined(data[mime])))
    return None


def _cut(text: str) -> str:
    return text if len(text) <= MAX_TEXT else text[:MAX_TEXT] + "\n… (cut)"


def highlight_css() -> str:
    """The stylesheet of highlighted code."""
    return str(HtmlFormatter(cssclass="highlight").get_style_defs(".highlight"))
