"""`assignment.toml` written back (the released copy) reads as the same assignment."""

from __future__ import annotations

import dataclasses
import datetime as dt
import tomllib

import pytest

from grader.authoring.tomlwrite import dump_assignment
from grader.config import load_assignment

FULL = """
title = "Linear \\"algebra\\" \\\\ for <everyone> — Ünïcode"
notebook = "linear-algebra.ipynb"
release = ["data/", "images/figure.png"]

[limits]
cell_timeout = 12.5
check_timeout = 3
memory_mb = 1024
recoveries = 0

[questions.q1]
title = "Normalize rows"

[questions."q 2"]
all_or_nothing = true

[questions.q-3_b]
title = "Tab\\there, quote \\" and a newline\\n"
all_or_nothing = false

[questions."é"]

[late]
deadline = 2026-01-10T13:00:00+01:00
grace_minutes = 15
penalty_per_day = 0.1
max_penalty = 0.3
"""


def round_trip(tmp_path, text: str):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "assignment.toml").write_text(text, encoding="utf-8")
    first = load_assignment(tmp_path / "a", "x")
    dumped = dump_assignment(first)
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "assignment.toml").write_text(dumped, encoding="utf-8")
    second = load_assignment(tmp_path / "b", "x")
    return first, dataclasses.replace(second, root=first.root), dumped


def test_every_setting_survives_a_round_trip(tmp_path):
    first, second, dumped = round_trip(tmp_path, FULL)
    assert second == first
    assert list(second.questions) == ["q1", "q 2", "q-3_b", "é"]  # in their order
    assert first.late is not None and first.late.deadline == dt.datetime(
        2026, 1, 10, 12, tzinfo=dt.UTC
    )
    assert first.limits.cell_timeout == 12.5 and first.limits.recoveries == 0
    assert tomllib.loads(dumped)["release"] == ["data/", "images/figure.png"]


def test_defaults_are_left_out_and_still_read_back(tmp_path):
    first, second, dumped = round_trip(tmp_path, 'notebook = "n.ipynb"\nrelease = []\n')
    assert second == first
    data = tomllib.loads(dumped)
    assert data == {"title": "a", "notebook": "n.ipynb", "release": [], "limits": {}}


@pytest.mark.parametrize(
    "late", ["zero_after_days = 3", "zero_after_days = 2.5\ngrace_minutes = 1"]
)
def test_zero_after_days_survives_a_round_trip(tmp_path, late):
    text = f'notebook = "n.ipynb"\n[late]\ndeadline = 2026-01-10T12:00:00Z\n{late}\n'
    first, second, _ = round_trip(tmp_path, text)
    assert second.late == first.late and first.late.zero_after_days in (3, 2.5)


def test_a_deadline_without_a_zone_is_written_as_utc(tmp_path):
    text = 'notebook = "n.ipynb"\n[late]\ndeadline = 2026-01-10T12:00:00\n'
    first, second, dumped = round_trip(tmp_path, text)
    assert second.late == first.late
    assert "deadline = 2026-01-10T12:00:00Z" in dumped


def test_keys_outside_our_schema_are_not_written(tmp_path):
    """tomlwrite's promise: only our schema's keys reach students (the loader refuses others,
    so nothing else can be in an assignment it writes)."""
    _, _, dumped = round_trip(tmp_path, FULL)
    top = set(tomllib.loads(dumped))
    assert top <= {"title", "notebook", "release", "limits", "questions", "late", "gradescope"}


def test_a_title_with_an_emoji_survives_a_round_trip(tmp_path):
    first, second, _ = round_trip(tmp_path, 'title = "Charts 📊"\nnotebook = "n.ipynb"\n')
    assert second == first


def test_a_deadline_with_a_fraction_of_a_second_survives_a_round_trip(tmp_path):
    text = 'notebook = "n.ipynb"\n[late]\ndeadline = 2026-01-10T11:59:59.999Z\n'
    first, second, _ = round_trip(tmp_path, text)
    assert second.late == first.late
