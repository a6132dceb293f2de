"""`grader review` as graders use it: the real command, in a real headless Chromium.

The gradebook is made up (tests/review_data.py: six students' answers to q3 of the fixture
course's multi assignment, one of them hostile); the server is the `grader review` command
line, started as an instructor would, its address read from what it prints.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time

import pytest

from grader.config import load_assignment
from grader.gradebook import latest_results
from tests.browser import Browser, needs_chromium
from tests.conftest import ROOT
from tests.review_data import review_course

pytestmark = needs_chromium

STUDENTS = ["ada", "ben", "cara", "dan", "eve", "mallory"]


@pytest.fixture
def server(tmp_path):
    """`grader review multi` on a free port: (its address with the token, course, gradebook)."""
    course, url = review_course(tmp_path, STUDENTS)
    process = subprocess.Popen(
        [sys.executable, "-m", "grader", "--course", str(course), "review", "multi",
         "--grader", "tess"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        stdin=subprocess.DEVNULL, env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )  # fmt: skip
    try:
        line = process.stdout.readline()
        match = re.search(r"open (http://127\.0\.0\.1:\d+/\?token=\S+)", line)
        assert match, line + process.stderr.read()
        yield match[1], course, url
    finally:
        process.terminate()
        process.communicate(timeout=10)


def totals(course, url):
    assignment = load_assignment(course / "solutions" / "multi", "multi")
    return {r.student: r.total for r in latest_results(url, "multi", assignment)}


def on_answer_page(browser):
    browser.wait_until("document.body && document.body.dataset.ready === '1'")
    return browser.evaluate("document.querySelector('#student').textContent")


def saved(browser, before=None):
    """Wait until the page says its last change is saved (a newer save than ``before``)."""
    browser.wait_until(
        "document.querySelector('#status').textContent.startsWith('Saved')"
        + (f" && document.querySelector('#status').dataset.saved !== {json.dumps(before)}"
           if before else "")
    )  # fmt: skip
    return browser.evaluate("document.querySelector('#status').dataset.saved")


def next_ungraded(browser, current):
    browser.press("n")
    browser.wait_until(
        f"document.querySelector('#student') && "
        f"document.querySelector('#student').textContent !== {json.dumps(current)}"
    )
    return on_answer_page(browser)


def test_five_answers_graded_with_the_mouse_and_with_keys_stay_graded(server):
    address, course, url = server
    with Browser() as browser:
        browser.goto(address)
        assert browser.evaluate("location.search") == ""  # the token left the address
        browser.click("a.grade")
        student = on_answer_page(browser)
        graded = {}
        for n in range(5):
            if n < 3:  # the mouse
                browser.click('#items input[data-item="1"]')
            else:  # the keys: m then c
                browser.press("m")
                first = saved(browser)
                browser.press("c")
                saved(browser, first)
            stamp = saved(browser)
            if n == 1:
                browser.click("#comment")
                browser.type_text("Clear, but say why the mean moves.")
                browser.press("Escape")  # leaves the box: what was typed is saved
                saved(browser, stamp)
            graded[student] = n
            if n < 4:
                student = next_ungraded(browser, student)
        assert browser.evaluate("document.querySelector('#done').textContent") == "5"
        browser.goto(address.split("?")[0])  # a reload, from the start
        assert "5 / 6" in browser.evaluate("document.querySelector('#questions').textContent")
        browser.click("a.grade")  # the one left ungraded
        assert on_answer_page(browser) not in graded
    got = totals(course, url)
    want = {s: 4 + (3 if n < 3 else 5) for s, n in graded.items()}
    want = {s: min(t, 7) for s, t in want.items()}  # q3 is worth 3: clamped
    assert {s: got[s] for s in graded} == want
    assignment = load_assignment(course / "solutions" / "multi", "multi")
    commented = [q.comment for r in latest_results(url, "multi", assignment)
                 for q in r.questions if q.comment]  # fmt: skip
    assert commented == ["Clear, but say why the mean moves."]


def test_editing_a_rubric_item_changes_the_totals_and_the_feedback_shows_the_grade(server):
    address, course, url = server
    with Browser() as browser:
        browser.goto(address)
        browser.click("a.grade")
        student = on_answer_page(browser)
        browser.click('#items input[data-item="2"]')
        saved(browser)
        browser.click("#comment")
        browser.type_text("Names the median: good.")
        browser.press("Escape")
        browser.wait_until("document.querySelector('#status').textContent.includes('Saved')")
        assert browser.evaluate("document.querySelector('#total').textContent") == "6"
        page = browser.evaluate("location.pathname")
        browser.click('a[href$="/rubric"]')
        browser.wait_until("document.querySelector('#rubric') !== null && "
                           "document.readyState === 'complete'")  # fmt: skip
        browser.evaluate(
            "document.querySelector('input[aria-label=\"points of item 2\"]').value = '1'"
        )
        browser.click("#save-2")
        browser.wait_until("document.querySelector('#saved') !== null")
        assert "1 grade" in browser.evaluate("document.querySelector('#rubric').textContent")
        browser.goto(address.split("?")[0] + page.lstrip("/"))
        on_answer_page(browser)
        assert browser.evaluate("document.querySelector('#total').textContent") == "5"
        browser.click("#feedback")
        browser.wait_until("location.pathname.startsWith('/student/') && "
                           "document.readyState === 'complete'")  # fmt: skip
        feedback = browser.evaluate("document.body.innerText")
        assert "Names another measure of the centre" in feedback
        assert "Names the median: good." in feedback
        assert re.search(r"5 / 7", feedback)
    assert totals(course, url)[student] == 5


def test_two_browsers_grading_the_same_answer_both_keep_their_change(server):
    address, course, url = server
    with Browser() as one, Browser() as two:
        for browser in (one, two):
            browser.goto(address)
            browser.click("a.grade")
        student = on_answer_page(one)
        assert on_answer_page(two) == student
        one.click('#items input[data-item="1"]')
        two.click('#items input[data-item="2"]')
        saved(one)
        saved(two)
        two.click('#items input[data-item="3"]')
        time.sleep(0.2)
        saved(two)
        for browser in (one, two):
            browser.goto(address.split("?")[0])
            browser.click("a.grade")  # the first ungraded is another student now
        assert on_answer_page(one) != student
    assert totals(course, url)[student] == 4 + 3  # 3 + 2 - 1, clamped to q3's 3 points


def test_a_hostile_answer_runs_nothing_and_loads_nothing(server):
    address, _, _ = server
    with Browser() as browser:
        browser.goto(address)
        browser.click("a.grade")
        for _ in STUDENTS:
            if on_answer_page(browser) == "mallory":
                break
            current = on_answer_page(browser)
            browser.click("#next")
            browser.wait_until(f"document.querySelector('#student') && "
                               f"document.querySelector('#student').textContent !== {json.dumps(current)}")  # fmt: skip
        assert on_answer_page(browser) == "mallory"
        time.sleep(0.5)  # an onerror or a remote image would have fired by now
        assert browser.evaluate("typeof window.pwned") == "undefined"
        loaded = browser.evaluate(
            "performance.getEntriesByType('resource').map(e => e.name).join(' ')"
        )
        assert "example.invalid" not in loaded
        assert browser.evaluate("document.querySelectorAll('#answer script, #answer iframe, "
                                "#answer [onerror], #answer a[href^=javascript]').length") == 0  # fmt: skip
        text = browser.evaluate("document.querySelector('#answer').innerText")
        assert "<script>window.pwned = 1</script>" in text  # shown, as text
        browser.click("#feedback")
        browser.wait_until("location.pathname.startsWith('/student/') && "
                           "document.readyState === 'complete'")  # fmt: skip
        time.sleep(0.3)
        assert browser.evaluate("typeof window.pwned") == "undefined"


def test_without_the_token_nothing_is_shown_and_nothing_can_be_saved(server):
    address, course, url = server
    base = address.split("?")[0]
    with Browser() as browser:
        browser.goto(base)
        assert "open the address" in browser.evaluate("document.body.innerText")
        status = browser.evaluate(
            "fetch('/api/q/q3/0000000000000000', {method: 'POST', headers: "
            "{'Content-Type': 'application/json'}, body: '{\"item\": 1}'}).then(r => r.status)"
        )
        assert status == 403
    assert totals(course, url) == dict.fromkeys(STUDENTS, 4)
