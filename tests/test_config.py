import datetime as dt

import pytest

from grader.config import load_assignment
from grader.errors import AssignmentError, ConfigError
from grader.settings import Limits


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


def _toml(tmp_path, text):
    (tmp_path / "assignment.toml").write_text(text)
    return tmp_path


def test_several_notebooks_and_manual_questions_with_a_rubric_load(tmp_path):
    from grader.config import load_assignment

    root = _toml(tmp_path, 'notebooks = ["problem1.ipynb", "problem2.ipynb"]\n'
                           '[questions.q8]\nmanual = true\npoints = 4\nnotebook = "problem2"\n'
                           '[[questions.q8.rubric]]\npoints = -1\ntext = "No justification"\n'
                           'key = "j"\n')  # fmt: skip
    assignment = load_assignment(root)
    assert assignment.notebooks == ("problem1.ipynb", "problem2.ipynb")
    assert assignment.notebook == "problem1.ipynb" and assignment.multi_notebook
    q8 = assignment.questions["q8"]
    assert (q8.manual, q8.points, q8.notebook) == (True, 4, "problem2")
    assert [(i.points, i.text, i.key) for i in q8.rubric] == [(-1.0, "No justification", "j")]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('notebook = "a.ipynb"\nnotebooks = ["b.ipynb"]\n', "not both"),
        ('notebooks = ["a.ipynb", "a.ipynb"]\n', "distinct"),
        ('notebooks = ["a.txt"]\n', ".ipynb"),
        ('notebook = "a.ipynb"\n[questions.q1]\n[[questions.q1.rubric]]\npoints = 1\ntext = "x"\n',
         "not manual"),
        ('notebook = "a.ipynb"\n[questions.q1]\nmanual = true\n[[questions.q1.rubric]]\n'
         'text = "x"\n', "must be a number"),
        ('notebook = "a.ipynb"\n[questions.q1]\nmanual = true\n[[questions.q1.rubric]]\n'
         'points = 1\ntext = "x"\nshortcut = "k"\n', "unknown key 'questions.q1.rubric.shortcut'"),
    ],
)  # fmt: skip
def test_bad_notebooks_or_rubrics_are_one_line_errors_naming_the_key(tmp_path, text, message):
    from grader.config import load_assignment
    from grader.errors import ConfigError

    with pytest.raises(ConfigError, match=message.replace(".", r"\.")):
        load_assignment(_toml(tmp_path, text))


def test_a_release_entry_may_hold_no_notebook_of_a_multi_notebook_assignment(tmp_path):
    from grader.config import load_assignment
    from grader.errors import AssignmentError

    (tmp_path / "extra").mkdir()
    (tmp_path / "extra" / "p2.ipynb").symlink_to(tmp_path / "p2.ipynb")
    root = _toml(tmp_path, 'notebooks = ["p1.ipynb", "p2.ipynb"]\nrelease = ["extra/"]\n')
    with pytest.raises(AssignmentError, match="solution notebook"):
        load_assignment(root)


def test_leaderboard_columns_load_in_order_with_desc_by_default(tmp_path):
    a = load_assignment(write(tmp_path, 'notebook = "a.ipynb"\n[gradescope]\nhidden_visibility = '
                              '"hidden"\n[[gradescope.leaderboard]]\nname = "Accuracy"\n'
                              '[[gradescope.leaderboard]]\nname = "Seconds"\norder = "asc"\n'))  # fmt: skip
    assert [(c.name, c.order) for c in a.gradescope.leaderboard] == [
        ("Accuracy", "desc"), ("Seconds", "asc")
    ]  # fmt: skip
    assert a.gradescope.hidden_visibility == "hidden"


@pytest.mark.parametrize(
    ("board", "message"),
    [
        ('[[gradescope.leaderboard]]\nname = "A"\norder = "up"\n', "order asc or desc"),
        ("[[gradescope.leaderboard]]\nvalue = 1\n", "gradescope.leaderboard.value"),
        ('[gradescope]\nleaderboard = "Accuracy"\n', "must be a list of tables"),
    ],
)
def test_a_bad_leaderboard_is_a_one_line_error(tmp_path, board, message):
    with pytest.raises(ConfigError, match=message):
        load_assignment(write(tmp_path, 'notebook = "a.ipynb"\n' + board))
