"""A student's answer made safe to show: Markdown, code, outputs, images."""

import re

import pytest

from grader.models import AnswerCell, ManualAnswer
from grader.review.answers import answer_pieces, markdown_html, output_piece, sanitise

PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        '<a href="javascript:alert(1)">x</a>',
        "<iframe src=https://example.invalid></iframe>",
        "<style>body{display:none}</style>",
        '<svg onload="alert(1)"></svg>',
        '<div style="background:url(https://example.invalid/t.png)">x</div>',
        '<link rel="stylesheet" href="https://example.invalid/x.css">',
        '<object data="https://example.invalid/x"></object>',
        '<form action="https://example.invalid"><input name=q></form>',
    ],
)
def test_html_that_could_run_or_load_anything_is_made_inert(hostile):
    for clean in (str(sanitise(hostile)), str(markdown_html(hostile))):
        lowered = " ".join(re.findall(r"<[a-z][^>]*>", clean.lower()))  # real tags only
        for bad in ("<script", "onerror=", "onload=", "javascript:", "<iframe", "<style",
                    "style=", "<link", "<object", "<form", "<svg", "example.invalid\""):  # fmt: skip
            assert bad not in lowered, (hostile, clean)


def test_markdown_is_rendered_and_raw_html_in_it_shows_as_text():
    html = str(
        markdown_html(
            "# Why\n\nThe **median** <b>resists</b> outliers.\n\n| a | b |\n|---|---|\n| 1 | 2 |"
        )
    )
    assert "<h1>Why</h1>" in html and "<strong>median</strong>" in html
    assert "&lt;b&gt;resists&lt;/b&gt;" in html
    assert "<table>" in html and "<td>1</td>" in html


def test_images_are_kept_only_as_data_of_image_types_that_decode():
    assert output_piece({"output_type": "display_data", "data": {"image/png": PNG + "\n"}}).src == (
        "data:image/png;base64," + PNG
    )
    broken = output_piece({"output_type": "display_data",
                           "data": {"image/png": "%%%", "text/plain": "<Figure>"}})  # fmt: skip
    assert (broken.kind, broken.text) == ("text", "<Figure>")
    remote = str(markdown_html("![plot](https://example.invalid/p.png)"))
    assert remote == '<p><img alt="plot"></p>\n'
    html_image = str(sanitise('<img src="data:text/html;base64,PHNjcmlwdD4=">'))
    assert "data:" not in html_image


def test_an_image_pasted_into_markdown_is_shown_from_its_attachment():
    html = str(markdown_html("![my plot](attachment:plot.png) ![gone](attachment:nope.png)",
                             {"plot.png": {"image/png": PNG}}))  # fmt: skip
    assert f'<img src="data:image/png;base64,{PNG}" alt="my plot">' in html
    assert '<img alt="gone">' in html


def test_svg_is_shown_only_as_an_image():
    piece = output_piece({"output_type": "display_data",
                          "data": {"image/svg+xml": "<svg><script>alert(1)</script></svg>"}})  # fmt: skip
    assert piece.kind == "image" and piece.src.startswith("data:image/svg+xml;base64,")


def test_code_is_highlighted_and_escaped_and_outputs_follow_their_cell():
    answer = ManualAnswer("q8", (
        AnswerCell("markdown", "Look:"),
        AnswerCell("code", "print('<b>')", outputs=(
            {"output_type": "stream", "name": "stdout", "text": ["<b>\n"]},
            {"output_type": "error", "ename": "E", "evalue": "v",
             "traceback": ["\x1b[31mE\x1b[0m: v"]},
        )),
    ))  # fmt: skip
    pieces = answer_pieces(answer)
    assert [p.kind for p in pieces] == ["markdown", "code", "text", "error"]
    assert "&#39;&lt;b&gt;&#39;" in str(pieces[1].html) or "'&lt;b&gt;'" in str(pieces[1].html)
    assert pieces[2].text == "<b>\n"  # plain text: the template escapes it
    assert pieces[3].text == "E: v"


def test_a_huge_output_is_cut():
    piece = output_piece({"output_type": "stream", "name": "stdout", "text": "x" * 100_000})
    assert len(piece.text) < 21_000 and piece.text.endswith("(cut)")
