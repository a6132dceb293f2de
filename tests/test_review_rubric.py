"""Editing a rubric in assignment.toml: in place or at the end, comments kept, never broken."""

import shutil

import pytest

from grader.config import load_assignment
from grader.errors import ConfigError
from grader.grading_key import assignment_hash
from grader.review.rubric import edit_rubric_item
from tests.conftest import COURSE


@pytest.fixture
def multi(tmp_path):
    root = tmp_path / "multi"
    shutil.copytree(COURSE / "solutions" / "multi", root)
    settings = root / "assignment.toml"
    settings.write_text("# The instructor's note\n" + settings.read_text().replace(
        'key = "m"', 'key = "m"  # m for mean'))  # fmt: skip
    return load_assignment(root, "multi")


def test_an_item_changed_in_place_keeps_the_files_comments(multi):
    edited = edit_rubric_item(multi, "q3", 1, 2.5, "Says sum over count", "s")
    assert edited.questions["q3"].rubric[0].points == 2.5
    assert edited.questions["q3"].rubric[0].text == "Says sum over count"
    text = (multi.root / "assignment.toml").read_text()
    assert text.startswith("# The instructor's note\n")
    assert 'key = "s"' in text


def test_an_item_added_goes_at_the_end_and_without_a_key_has_none(multi):
    edited = edit_rubric_item(multi, "q3", None, -1, "Forgets the count")
    items = edited.questions["q3"].rubric
    assert [(i.points, i.text, i.key) for i in items][1:] == [(-1.0, "Forgets the count", "")]
    assert items[0].text == "Says the mean is the sum divided by the count"


@pytest.mark.parametrize(
    ("question", "number", "text", "key", "error"),
    [
        ("q1", 1, "x", "", "q1 is not a manual question of multi"),
        ("q3", 5, "x", "", "q3 has no rubric item 5"),
        ("q3", 1, "  ", "", "needs a 'text'"),
        ("q3", None, "x", "m", "uses a shortcut key twice"),
        ("q3", 1, "x", "ab", "must be one character"),
    ],
)
def test_a_bad_edit_is_an_error_and_the_file_is_unchanged(multi, question, number, text, key,
                                                            error):  # fmt: skip
    before = (multi.root / "assignment.toml").read_bytes()
    with pytest.raises(ConfigError, match=error):
        edit_rubric_item(multi, question, number, 1, text, key)
    assert (multi.root / "assignment.toml").read_bytes() == before


def test_a_rubric_edit_does_not_change_the_grading_key_but_a_setting_does(multi):
    key = assignment_hash(multi)
    edited = edit_rubric_item(multi, "q3", 1, 1, "Another text")
    assert assignment_hash(edited) == key
    settings = multi.root / "assignment.toml"
    settings.write_text(settings.read_text().replace("cell_timeout = 5", "cell_timeout = 6"))
    assert assignment_hash(load_assignment(multi.root, "multi")) != key
