import datetime as dt

import pytest

from grader.config import Limits, load_assignment
from grader.errors import AssignmentError, ConfigError


def write(tmp_path, text):
    (tmp_path / "assignment.toml").write_text(text)
    return tmp_path


def test_defaults_fill_what_the_file_leaves_out(tmp_path):
    a = load_assignment(write(tmp_path, 'notebook = "a.ipynb"\n'))
    assert a.limits == Limits()
    assert a.title == tmp_path.name
    assert a.release == ()
    assert a.late is None


def test_values_from_the_file_override_defaults(tmp_path):
    a = load_assignment(
        write(
            tmp_path,
            'title = "T"\nnotebook = "a.ipynb"\nrelease = ["data/"]\n[limits]\ncell_timeout = 5\n'
            "[questions.q1]\ntitle = 'Q'\nall_or_nothing = true\n"
            "[late]\ndeadline = 2026-12-01T23:59:00Z\npenalty_per_day = 0.1\n",
        )
    )
    assert a.limits.cell_timeout == 5 and a.limits.memory_mb == 2048
    assert a.all_or_nothing("q1") and a.question_title("q1") == "Q"
    assert a.late is not None and a.late.deadline == dt.datetime(2026, 12, 1, 23, 59, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('notebook = "a.ipynb"\ncolour = "red"\n', "colour"),
        ('notebook = "a.ipynb"\n[limits]\ncell_timeot = 3\n', "limits.cell_timeot"),
        ('notebook = "a.ipynb"\n[questions.q1]\npoints = 3\n', "questions.q1.points"),
    ],
)
def test_unknown_key_is_an_error_naming_key_and_file(tmp_path, text, key):
    with pytest.raises(ConfigError) as err:
        load_assignment(write(tmp_path, text))
    assert f"'{key}'" in str(err.value) and "assignment.toml" in str(err.value)


def test_wrong_type_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match="cell_timeout"):
        load_assignment(write(tmp_path, 'notebook = "a.ipynb"\n[limits]\ncell_timeout = "5"\n'))


def test_with_limits_applies_command_line_overrides(tmp_path):
    a = load_assignment(write(tmp_path, 'notebook = "a.ipynb"\n'))
    assert a.with_limits(cell_timeout=3, memory_mb=None).limits.cell_timeout == 3


def test_missing_file_is_an_assignment_error(tmp_path):
    with pytest.raises(AssignmentError):
        load_assignment(tmp_path)


def test_release_defaults_to_data_when_the_folder_exists(tmp_path):
    (tmp_path / "data").mkdir()
    assert load_assignment(write(tmp_path, 'notebook = "a.ipynb"\n')).release == ("data/",)


def test_an_explicit_empty_release_is_kept_even_with_data(tmp_path):
    (tmp_path / "data").mkdir()
    a = load_assignment(write(tmp_path, 'notebook = "a.ipynb"\nrelease = []\n'))
    assert a.release == ()


def test_allowed_release_entries_load(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "tests" / "public").mkdir(parents=True)
    (tmp_path / "data" / "x.csv").write_text("1\n")
    (tmp_path / "data" / "alias.csv").symlink_to("x.csv")
    text = 'notebook = "a.ipynb"\nrelease = ["data/", "tests/public", "./data/x.csv", "missing"]\n'
    assert len(load_assignment(write(tmp_path, text)).release) == 4


@pytest.mark.parametrize(
    ("entry", "why"),
    [
        ("tests/hidden", "hidden checks"),
        ("tests/hidden/data/", "hidden checks"),
        ("tests", "hidden checks"),
        ("data/../tests/hidden", "hidden checks"),
        (".", "whole assignment"),
        ("", "relative path"),
        ("/etc", "relative path"),
        ("../other", "leads outside"),
        ("a.ipynb", "solution notebook"),
        ("assignment.toml", "assignment.toml"),
        ("up", "leads outside"),
        ("peek", "hidden checks"),
        ("data", "holds the link data/secret"),
    ],
)
def test_a_forbidden_release_entry_is_refused_at_load(tmp_path, entry, why):
    (tmp_path / "tests" / "hidden" / "data").mkdir(parents=True)
    (tmp_path / "data").mkdir()
    (tmp_path / "up").symlink_to(tmp_path.parent)
    (tmp_path / "peek").symlink_to(tmp_path / "tests" / "hidden")
    (tmp_path / "data" / "secret").symlink_to(tmp_path / "tests" / "hidden" / "data")
    with pytest.raises(AssignmentError) as err:
        load_assignment(write(tmp_path, f'notebook = "a.ipynb"\nrelease = ["{entry}"]\n'))
    message = str(err.value)
    assert why in message and f"'{entry}'" in message and "assignment.toml" in message
    assert "\n" not in message
