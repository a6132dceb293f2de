"""Feedback pages as people see them: Markdown, HTML in a real headless Chromium, `grader report`."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
from pathlib import Path

import pytest

from grader.feedback.markdown import md_escape, md_fence
from grader.feedback.report import (
    render_student_markdown,
    write_student_reports,
    write_summary,
)
from grader.models import CellError, CheckResult, QuestionResult, SubmissionResult
from tests.browser import Browser, needs_chromium
from tests.conftest import ROOT, run_grader
from tests.factories import cohort

ATTACK = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">'


def _hostile_result() -> SubmissionResult:
    """A result whose every student-controlled text tries to inject markup."""
    check = CheckResult(
        "test_add", "q1", "public", "failed", 0.0, 1.0,
        message=f"calling add() raised ValueError: {ATTACK}\n```\n| a | b |", hint="Add them.",
    )  # fmt: skip
    question = QuestionResult("q1", "Add", 0.0, 1.0, False, 0, 1)
    error = CellError(2, "error", "ValueError", ATTACK, traceback=f"Cell In[2]\n{ATTACK}")
    return SubmissionResult(
        "mini", f"eve{ATTACK}", True, 0.0, 1.0, (question,), (check,), (error,),
        notes=(f"note {ATTACK}",), timings={"total": 1.0},
    )  # fmt: skip


def test_markdown_escapes_student_text_and_fences_messages():
    assert md_escape("a|b <b>*x*</b>\nnext") == r"a\|b &lt;b&gt;\*x\*&lt;/b&gt; next"
    fenced = md_fence("code ``` inside")
    assert fenced.startswith("````text\n") and fenced.endswith("\n````")
    text = render_student_markdown(_hostile_result())
    outside_fences = re.sub(r"(`{3,})text\n.*?\n\1", "", text, flags=re.S)
    assert not re.search(r"(?<!\\)<", outside_fences), "every < outside code is escaped"
    assert "**Score: 0 / 1 (0%)**" in text
    assert "| `test_add` | q1 | failed | 0 / 1 |" in text
    assert "### Cell 3: ValueError" in text
    assert "*Hint:* Add them\\." not in text and "*Hint:* Add them." in text


@pytest.mark.slow
def test_student_page_from_the_gradebook_keeps_json_html_and_md(graded_mini, tmp_path):
    out = tmp_path / "out"  # a copy: other tests read the shared one
    shutil.copytree(graded_mini["out"], out)
    before = _rows(out)
    for page in out.glob("*.html"):
        page.unlink()
    done = run_grader("--course", str(ROOT / "tests/fixtures/course"), "report", "mini",
                      "--output", str(out))  # fmt: skip
    assert done.returncode == 0, done.stderr
    graded = [r for r in graded_mini["results"].values()]
    assert f"rendered {len(graded)} students of mini" in done.stdout
    for r in graded:
        stem = r["student"]
        assert json.loads((out / f"{stem}.json").read_text())["total"] == r["total"]
        assert (out / f"{stem}.html").is_file() and (out / f"{stem}.md").is_file()
    assert (out / "index.html").is_file()
    assert _rows(out) == before, "report grades nothing and writes nothing to the gradebook"


def test_report_without_a_gradebook_is_a_one_line_error(tmp_path):
    done = run_grader("report", "linear-algebra", "--output", str(tmp_path / "none"))
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        f"grader: error: no gradebook at {tmp_path / 'none' / 'gradebook.sqlite'}: "
        "grade linear-algebra first"
    ]


def _rows(out: Path) -> int:
    with sqlite3.connect(out / "gradebook.sqlite") as db:
        return int(db.execute("select count(*) from submissions").fetchone()[0])


@pytest.fixture(scope="module")
def browser():
    with Browser(width=1200, height=900) as b:
        yield b


@needs_chromium
@pytest.mark.slow
def test_demo_summary_in_chromium_shows_histogram_items_and_a_sortable_table(
    cohort_graded, cohort_out, browser, tmp_path
):
    out = tmp_path / "linear-algebra"  # a copy: other tests read the shared one
    shutil.copytree(cohort_out / "linear-algebra", out)
    graded = cohort_graded["linear-algebra"]
    done = run_grader("report", "linear-algebra", "--output", str(out))
    assert done.returncode == 0, done.stderr
    browser.open(out / "index.html")
    width, height = browser.screenshot(tmp_path / "summary.png")
    assert width == 1200 and height > 900, "a full-page screenshot of a long page"

    svg = browser.evaluate(
        "(() => { const r = document.querySelector('svg#histogram').getBoundingClientRect();"
        " return [r.width, r.height, document.querySelectorAll('svg#histogram rect.bar').length,"
        " [...document.querySelectorAll('svg#histogram title')].map(t => t.textContent)]; })()"
    )
    assert svg[0] >= 600 and svg[1] >= 200 and svg[2] == 10
    counts = [int(re.search(r": (\d+) submission", t).group(1)) for t in svg[3]]
    assert sum(counts) == sum(1 for r in graded.values() if r["gradable"])

    rows = browser.evaluate("[...document.querySelectorAll('#students tbody tr')].length")
    assert rows == len(graded)
    listed = browser.evaluate("document.getElementById('ungradable')?.innerText ?? ''")
    for student, r in graded.items():
        assert (student in listed) == (not r["gradable"]), student
    hardest = browser.evaluate("document.querySelector('#checks tr:nth-child(2)').innerText")
    assert "%" in hardest

    def order() -> list[str]:
        return browser.evaluate(
            "[...document.querySelectorAll('#students tbody tr td:first-child')]"
            ".map(td => td.innerText)"
        )

    def percent(student: str) -> float:
        r = graded[student]
        return 100 * r["total"] / r["possible"] if r["gradable"] and r["possible"] else -1

    browser.click("#students th[data-key=percent] button")
    ascending = [percent(s) for s in order()]
    assert ascending == sorted(ascending)
    browser.click("#students th[data-key=percent] button")
    descending = [percent(s) for s in order()]
    assert descending == sorted(descending, reverse=True) and descending != ascending
    assert browser.evaluate("location.hash") == "#sort=-percent"

    browser.open(out / "index.html", "#sort=student")
    assert order() == sorted(graded)
    for link in browser.evaluate("[...document.querySelectorAll('#students a')].map(a => a.href)"):
        assert Path(link.removeprefix("file://")).is_file(), link


@needs_chromium
@pytest.mark.slow
def test_demo_student_page_in_chromium_names_cells_and_hides_hidden_sources(
    cohort_graded, cohort_out, browser, tmp_path
):
    out = cohort_out / "data-wrangling"
    result = cohort_graded["data-wrangling"]["ben-blank"]
    browser.open(out / "ben-blank.html")
    browser.screenshot(tmp_path / "student.png")
    text = browser.evaluate("document.body.innerText")
    assert f"{result['total']:g} / {result['possible']:g}" in text
    shown = browser.evaluate("document.querySelectorAll('#checks tr.check-failed').length")
    assert shown == sum(1 for c in result["checks"] if c["status"] == "failed")
    assert re.search(r"Cell \d+", text) and "notebook cell" in text
    assert "/tmp/ipykernel" not in text
    hidden = ROOT / "solutions/data-wrangling/tests/hidden"
    for source in hidden.glob("test_*.py"):
        for line in source.read_text().splitlines():
            if len(line.strip()) > 30 and not line.strip().startswith(("#", '"', "def ", "@")):
                assert line.strip() not in text, f"hidden check source shown: {line}"


@needs_chromium
def test_student_html_in_chromium_shows_injected_markup_as_text(browser, tmp_path):
    result = _hostile_result()
    paths = write_student_reports(result, tmp_path)
    summary = write_summary("mini", [result], tmp_path)
    pages = {p: 0 for p in paths if p.suffix == ".html"} | {summary: 1}
    for page, own_scripts in pages.items():
        browser.open(page)
        assert browser.evaluate("typeof window.__pwned") == "undefined"
        assert browser.evaluate("document.scripts.length") == own_scripts
        assert browser.evaluate("document.images.length") == 0
        assert "<script>window.__pwned = 1</script>" in browser.evaluate("document.body.innerText")


@needs_chromium
def test_a_thousand_student_summary_opens_and_sorts_in_chromium(browser, tmp_path):
    results = cohort(1000)
    page = write_summary("linear-algebra", results, tmp_path)
    browser.open(page, "#sort=-seconds")
    assert browser.evaluate("document.querySelectorAll('#students tbody tr').length") == 1000
    seconds = browser.evaluate(
        "[...document.querySelectorAll('#students tbody tr td:last-child')]"
        ".map(td => parseFloat(td.dataset.value))"
    )
    assert seconds == sorted(seconds, reverse=True)
    browser.screenshot(tmp_path / "summary-1000.png", full_page=False)
    # Still usable: the table scrolls inside the page; the histogram stays in view at the top.
    assert (
        browser.evaluate("document.querySelector('svg#histogram').getBoundingClientRect().top")
        < 900
    )
