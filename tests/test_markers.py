import pytest

from grader.authoring.markers import MarkerError, strip_code, strip_markdown


def test_nbgrader_block_becomes_stub_with_its_indentation():
    src = "def f(x):\n    ### BEGIN SOLUTION\n    y = x * 2\n    return y\n    ### END SOLUTION\n"
    assert strip_code(src) == ("def f(x):\n    # YOUR CODE HERE\n    raise NotImplementedError()")


def test_single_hash_block_spelling_is_accepted():
    src = "# BEGIN SOLUTION\nx = 1\n# END SOLUTION\nprint(x)"
    assert strip_code(src) == "# YOUR CODE HERE\nraise NotImplementedError()\nprint(x)"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("x = 42  # SOLUTION", "x = ..."),
        ("    model = fit(X, y=3)  # SOLUTION", "    model = ..."),
        ("d['k'] = {'a': 1}  # SOLUTION", "d['k'] = ..."),
        ("total += compute(a == b)  # SOLUTION", "total += ..."),
        ("    return a + b  # SOLUTION", "    return ..."),
        ("print(secret)  # SOLUTION", "..."),
        ("x == 3  # SOLUTION", "..."),
    ],
)
def test_otter_line_marker_keeps_left_hand_side(line, expected):
    assert strip_code(line) == expected


def test_code_without_markers_is_unchanged():
    src = "a = 1\nb = a + 1  # a comment\n"
    assert strip_code(src) == src.rstrip("\n")


def test_markdown_answer_region_is_replaced():
    src = "Why?\n<!-- BEGIN SOLUTION -->\nBecause.\n<!-- END SOLUTION -->\nMore."
    assert strip_markdown(src) == "Why?\nYOUR ANSWER HERE\nMore."


@pytest.mark.parametrize(
    "src",
    ["### BEGIN SOLUTION\nx = 1", "x = 1\n### END SOLUTION", "# BEGIN SOLUTION\n# BEGIN SOLUTION"],
)
def test_unbalanced_markers_are_an_error(src):
    with pytest.raises(MarkerError):
        strip_code(src)
