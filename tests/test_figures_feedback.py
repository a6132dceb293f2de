"""Figures on the feedback page: the cells marked ``# FIGURE: <question>`` keep their images.

Pure (no kernel): a notebook as the graded run left it goes through ``capture_answers``, the
gradebook and the student's page. The figures as data for checks (``nb.figures()``) are tested
against a real kernel in tests/test_kernel_client.py.
"""

from __future__ import annotations

import base64
import dataclasses

from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from grader.feedback.report import render_from_gradebook, render_student_html
from grader.gradebook import Gradebook, Stamp, default_url
from grader.manual import capture_answers
from tests.test_manual import checked, multi

PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n" + bytes(40)).decode()


def graded_notebook():
    plot = new_code_cell("# FIGURE: q2\nplt.plot(xs)")
    plot.outputs = [
        new_output("stream", name="stdout", text="drawn\n"),
        new_output("display_data", data={"image/png": PNG, "text/plain": "<Figure>"}),
        new_output("display_data", data={"image/png": "not base64 <script>"}),
    ]
    stray = new_code_cell("# FIGURE: q9\nplt.plot(xs)")  # no such question: ignored
    words = new_markdown_cell("# FIGURE: q2\nnot code")  # a Markdown cell draws nothing
    return new_notebook(cells=[plot, stray, words])


def test_a_figure_cell_keeps_only_its_images_for_its_autograded_question():
    answers = capture_answers(graded_notebook(), multi(), "part2.ipynb")
    figures = [a for a in answers if a.figure]
    assert [(a.question, len(a.cells)) for a in figures] == [("q2", 1)]
    outputs = figures[0].cells[0].outputs
    assert [list(o["data"]) for o in outputs] == [["image/png"], ["image/png"]]
    assert all(not a.figure for a in answers if a.question == "q3")  # the manual question


def test_the_students_page_shows_the_figure_beside_the_question_and_drops_a_forged_one():
    answers = capture_answers(graded_notebook(), multi(), "part2.ipynb")
    page = render_student_html(dataclasses.replace(checked(), answers=answers))
    section = page.split('id="figure-q2"', 1)[1].split("</section>", 1)[0]
    assert "1 of 2 checks passed" not in section and "2 of 2 checks passed" in section
    assert section.count("<img ") == 1 and f'src="data:image/png;base64,{PNG}"' in section
    assert "<script>" not in page and "figure-q1" not in page


def test_a_page_without_figures_has_no_figure_section():
    assert "Your figures" not in render_student_html(checked())


def test_grader_report_shows_the_figures_kept_in_the_gradebook(tmp_path):
    url = default_url(tmp_path / "out")
    answers = capture_answers(graded_notebook(), multi(), "part2.ipynb")
    book = Gradebook(url)
    book.record(dataclasses.replace(checked(), answers=answers), Stamp("c", "k", None))
    book.close()
    render_from_gradebook("multi", url, tmp_path / "pages", multi())
    page = (tmp_path / "pages" / "ada.html").read_text()
    assert f'src="data:image/png;base64,{PNG}"' in page
