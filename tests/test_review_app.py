"""The review app through Flask's test client: the token, saving changes, the rubric, errors.

No browser and no kernel (tests/test_review_browser.py drives it in Chromium); the gradebook is
a real SQLite file holding made-up results with answers (tests/review_data.py).
"""

from __future__ import annotations

import re

import pytest

from grader.config import load_assignment
from grader.gradebook import Gradebook, latest_results
from grader.review.app import CSP, TOKEN_HEADER, ReviewConfig, create_app
from tests.review_data import review_course

STUDENTS = ["ada", "ben", "cara", "mallory"]


@pytest.fixture
def review(tmp_path):
    course, url = review_course(tmp_path, STUDENTS)
    assignment = load_assignment(course / "solutions" / "multi", "multi")
    config = ReviewConfig(assignment, url, grader="tess", token="secret-token")
    app = create_app(config)
    client = app.test_client()
    yield client, config, course
    app.extensions["grader_review"].gradebook.close()


def signed_in(client):
    response = client.get("/?token=secret-token")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    return client


def sids(client) -> dict[str, str]:
    """Each student's id in the app's URLs, read from the pages (as a person would click)."""
    found = {}
    location = client.get("/q/q3").headers["Location"]
    while location:
        page = client.get(location).get_data(as_text=True)
        student = re.search(r'<h1 id="student">([^<]+)</h1>', page)[1]
        found[student] = location.rsplit("/", 1)[1]
        following = re.search(r'<a id="next" href="([^"]+)"', page)
        location = following[1] if following else ""
    return found


def save(client, sid, **change):
    return client.post(f"/api/q/q3/{sid}", json=change, headers={TOKEN_HEADER: "secret-token"})


def test_without_the_token_every_page_and_every_write_is_refused(review):
    client, _, _ = review
    for path in ("/", "/q/q3", "/q/q3/rubric", "/highlight.css", "/static/review.js"):
        assert client.get(path).status_code == 403, path
    assert client.get("/?token=wrong").status_code == 403
    assert save(client, "0" * 16, item=1).status_code == 403
    assert client.post("/q/q3/rubric", data={"number": "1", "points": "9"}).status_code == 403


def test_the_token_is_kept_in_a_cookie_for_this_port_and_leaves_the_address(review):
    client, _, _ = review
    response = client.get("/q/q3?token=secret-token&x=1")
    assert response.status_code == 302
    assert response.headers["Location"] == "/q/q3?x=1"
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("grader-review-80=secret-token") or "grader-review-" in cookie
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert client.get("/").status_code == 200


def test_a_write_needs_the_token_header_even_with_the_cookie(review):
    client, _, _ = review
    signed_in(client)
    sid = sids(client)["ada"]
    refused = client.post(f"/api/q/q3/{sid}", json={"item": 1})
    assert refused.status_code == 403
    assert "X-Review-Token" in refused.get_json()["error"]


def test_every_page_forbids_script_but_ours_and_every_remote_load(review):
    client, _, _ = review
    signed_in(client)
    sid = sids(client)["mallory"]
    page = client.get(f"/q/q3/{sid}")
    assert page.headers["Content-Security-Policy"] == CSP
    assert "script-src 'self'" in CSP and "img-src 'self' data:" in CSP
    text = page.get_data(as_text=True)
    tags = re.findall(r"<[a-zA-Z][^>]*>", text)  # the page's real tags, not escaped text
    assert not [t for t in tags if re.search(r"\son\w+\s*=", t)]
    assert not [t for t in tags if "example.invalid" in t or "javascript:" in t]
    assert [t for t in tags if t.startswith("<script")] == [
        '<script src="/static/review.js" defer>'
    ]
    assert not [t for t in tags if t.startswith(("<iframe", "<style", '<link rel="import'))]
    assert "&lt;script&gt;window.pwned = 1&lt;/script&gt;" in text  # shown, as text
    assert '<img alt="remote">' in text and "<b>bold</b>" in text
    feedback = client.get(f"/student/{sid}")
    assert "script-src" not in feedback.headers["Content-Security-Policy"]


def test_the_queue_is_every_gradable_student_in_a_stable_shuffled_order(review, tmp_path):
    client, config, _ = review
    signed_in(client)
    order = list(sids(client))
    assert sorted(order) == sorted(STUDENTS)
    again = create_app(config).test_client()
    signed_in(again)
    assert list(sids(again)) == order
    assert order != sorted(order)  # not alphabetical


def test_each_change_is_saved_as_it_happens_with_who_and_when(review):
    client, config, _ = review
    signed_in(client)
    ada = sids(client)["ada"]
    body = save(client, ada, item=1, on=True).get_json()
    assert (body["items"], body["score"], body["total"], body["possible"]) == ([1], 3, 7, 7)
    assert (
        body["grader"] == "tess" and body["graded_at"] and (body["done"], body["count"]) == (1, 4)
    )
    body = save(client, ada, item=3, on=True, grader="uma").get_json()
    assert (body["items"], body["score"], body["grader"]) == ([1, 3], 2, "uma")
    body = save(client, ada, adjustment=0.5).get_json()
    assert body["score"] == 2.5
    body = save(client, ada, comment="Good, but <b>outliers</b> do move the mean.").get_json()
    assert body["items"] == [1, 3] and body["adjustment"] == 0.5
    stored = latest_results(config.gradebook_url, "multi", config.assignment)
    q3 = next(q for r in stored if r.student == "ada" for q in r.questions if q.name == "q3")
    assert (q3.score, q3.comment, q3.graded_by, q3.awaiting) == (
        2.5, "Good, but <b>outliers</b> do move the mean.", "tess", False)  # fmt: skip
    page = client.get(f"/q/q3/{ada}").get_data(as_text=True)
    assert 'data-item="1" data-key="m" checked' in page and "Graded by tess" in page


def test_graded_as_it_is_counts_an_answer_worth_nothing(review):
    client, _, _ = review
    signed_in(client)
    ben = sids(client)["ben"]
    body = save(client, ben).get_json()
    assert (body["score"], body["total"], body["possible"], body["done"]) == (0, 4, 7, 1)


def test_next_ungraded_skips_the_graded_and_says_when_all_are(review):
    client, _, _ = review
    signed_in(client)
    ids = sids(client)
    order = list(ids)
    for student in order[1:3]:
        save(client, ids[student])
    page = client.get(f"/q/q3/{ids[order[0]]}").get_data(as_text=True)
    assert f'id="next-ungraded" href="/q/q3/{ids[order[3]]}"' in page
    assert client.get("/q/q3").headers["Location"] == f"/q/q3/{ids[order[0]]}"
    for student in (order[0], order[3]):
        save(client, ids[student])
    assert 'id="all-graded"' in client.get(f"/q/q3/{ids[order[0]]}").get_data(as_text=True)
    assert "4 / 4" in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"item": 4}, "item must be a rubric item's number, 1 to 3"),
        ({"item": "1"}, "item must be a rubric item's number, 1 to 3"),
        ({"item": 1, "on": "yes"}, "on must be true or false"),
        ({"adjustment": "lots"}, "adjustment must be a number of points"),
        ({"adjustment": 1e300}, "adjustment must be a number of points"),
        ({"comment": 3}, "comment must be text (at most 20,000 characters)"),
        ({"points": 3}, "unknown field: ['points']"),
        ({"grader": ""}, "grader must be a name"),
    ],
)
def test_a_bad_change_is_a_4xx_with_a_message_and_changes_nothing(review, change, message):
    client, config, _ = review
    signed_in(client)
    ada = sids(client)["ada"]
    response = save(client, ada, **change)
    assert response.status_code == 400
    assert response.get_json() == {"error": message}
    book = Gradebook(config.gradebook_url)
    assert book.manual_grades("multi") == {}
    book.close()


def test_unknown_pages_and_students_are_404s_with_a_message_never_a_traceback(review):
    client, _, _ = review
    signed_in(client)
    for path in ("/q/q1", "/q/nope/rubric", "/q/q3/ffffffffffffffff", "/student/x", "/nothing"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "Traceback" not in response.get_data(as_text=True)
    assert save(client, "ffffffffffffffff", item=1).get_json() == {
        "error": "no such student in the gradebook (graded again since?)"
    }
    assert client.post("/api/q/q3/x", data="not json", headers={TOKEN_HEADER: "secret-token"},
                       content_type="application/json").status_code in (400, 404)  # fmt: skip


def test_editing_a_rubric_item_rescores_every_grade_that_uses_it(review):
    client, config, course = review
    signed_in(client)
    ids = sids(client)
    for student in ("ada", "ben"):
        save(client, ids[student], item=2, on=True)
    save(client, ids["cara"], item=1, on=True)
    response = client.post(
        "/q/q3/rubric",
        data={"token": "secret-token", "number": "2", "points": "1", "text": "Names the median",
              "key": "c"},
    )  # fmt: skip
    assert response.status_code == 302
    toml = (course / "solutions" / "multi" / "assignment.toml").read_text()
    assert 'text = "Names the median"' in toml and "points = 1\n" in toml
    stored = {r.student: r for r in latest_results(config.gradebook_url, "multi",
                                                   load_assignment(course / "solutions" / "multi", "multi"))}  # fmt: skip
    assert [stored[s].total for s in ("ada", "ben", "cara")] == [5, 5, 7]
    page = client.get(f"/q/q3/{ids['ada']}").get_data(as_text=True)
    assert "Names the median" in page and 'id="total">5<' in page
    rubric = client.get("/q/q3/rubric").get_data(as_text=True)
    assert "2 grades" in rubric


def test_a_bad_rubric_edit_is_refused_with_its_reason_and_the_file_unchanged(review):
    client, _, course = review
    signed_in(client)
    settings = course / "solutions" / "multi" / "assignment.toml"
    before = settings.read_text()
    response = client.post(
        "/q/q3/rubric", data={"token": "secret-token", "number": "2", "points": "1", "text": "x",
                              "key": "m"},
    )  # fmt: skip
    assert response.status_code == 400
    assert "uses a shortcut key twice" in response.get_data(as_text=True)
    assert client.post("/q/q3/rubric", data={"token": "secret-token", "points": "x",
                                             "text": "y"}).status_code == 400  # fmt: skip
    assert settings.read_text() == before


def test_anonymous_mode_never_shows_a_name(review):
    _, config, _ = review
    from dataclasses import replace

    app = create_app(replace(config, anonymous=True))
    anon = app.test_client()
    signed_in(anon)
    names = sids(anon)
    assert sorted(names) == ["Student 1", "Student 2", "Student 3", "Student 4"]
    for sid in names.values():
        for path in (f"/q/q3/{sid}", f"/student/{sid}"):
            text = anon.get(path).get_data(as_text=True)
            for student in STUDENTS:
                assert f">{student}<" not in text and f"for {student}" not in text
    app.extensions["grader_review"].gradebook.close()
