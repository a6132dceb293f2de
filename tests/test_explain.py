"""Readable messages from numpy's and pandas' testing functions while checks run."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from grader.checks.explain import readable_assertions


def _message(name: str, *args, **kwargs) -> str:
    """The message of ``np.testing.<name>`` or ``pd.testing.<name>``, looked up as a check does."""
    with readable_assertions(), pytest.raises(AssertionError) as info:
        module = pd.testing if name.endswith(("frame_equal", "series_equal")) else np.testing
        getattr(module, name)(*args, **kwargs)
    return str(info.value)


def test_allclose_lists_the_first_differing_entries_with_their_index_and_the_tolerance():
    got = np.array([[0.6, 0.8], [1.0, 0.0]])
    text = _message("assert_allclose", got, [[0.6, 0.8], [0.7, 0.7]], atol=1e-3)
    assert text.splitlines() == [
        "2 of 4 entries differ (shape (2, 2); tolerance: rtol=1e-07, atol=0.001)",
        "  at [1, 0]: got 1.0, expected 0.7",
        "  at [1, 1]: got 0.0, expected 0.7",
    ]


def test_a_shape_mismatch_says_both_shapes_and_dtypes():
    text = _message("assert_allclose", np.ones(3), np.ones((3, 2)))
    assert text.splitlines() == [
        "shape (3,), expected (3, 2)",
        "dtype float64, expected dtype float64",
    ]


def test_many_differences_are_cut_after_five_and_counted():
    text = _message("assert_array_equal", np.arange(100), np.arange(100) * 2)
    lines = text.splitlines()
    assert lines[0] == "99 of 100 entries differ (shape (100,); tolerance: exact)"
    assert lines[1:6] == [f"  at [{i}]: got {i}, expected {2 * i}" for i in range(1, 6)]
    assert lines[6] == "  … and 94 more"


def test_the_check_authors_err_msg_comes_first():
    text = _message("assert_array_equal", [1, 2], [1, 3], err_msg="counts per class")
    assert text.splitlines()[0] == "counts per class"


def test_a_different_kind_of_dtype_is_named():
    text = _message("assert_array_equal", np.array(["1", "2"]), np.array([1, 2]))
    assert "dtype <U1, expected dtype int64" in text


def test_almost_equal_states_its_decimals_and_scalars_read_as_got_expected():
    text = _message("assert_array_almost_equal", [1.0, 2.0], [1.0, 2.1], decimal=2)
    assert "tolerance: 2 decimals" in text and "at [1]: got 2.0, expected 2.1" in text
    text = _message("assert_allclose", 2.5, 3.0)
    assert text == "got 2.5, expected 3.0 (tolerance: rtol=1e-07, atol=0)"


def test_frames_name_missing_extra_columns_dtypes_and_differing_rows():
    got = pd.DataFrame({"a": [1, 2, 3], "b": [1.0, 2.0, 3.0]}, index=["x", "y", "z"])
    want = pd.DataFrame({"a": [1, 2, 4], "c": [1.0, 2.0, 3.0]}, index=["x", "y", "z"])
    text = _message("assert_frame_equal", got, want)
    assert text.splitlines() == [
        "missing columns: ['c']",
        "unexpected columns: ['b']",
        "column 'a': 1 of 3 rows differ",
        "  row 'z': got 3, expected 4",
    ]


def test_frames_report_dtype_and_missing_values_compare_equal():
    got = pd.DataFrame({"a": [1, 2], "b": ["x", None]})
    want = pd.DataFrame({"a": [1.0, 2.0], "b": ["x", None]})
    text = _message("assert_frame_equal", got, want)
    assert text == "column 'a': dtype int64, expected float64"


def test_frames_report_row_count_and_series_their_rows():
    text = _message("assert_frame_equal", pd.DataFrame({"a": [1]}), pd.DataFrame({"a": [1, 2]}))
    assert text.splitlines()[0] == "1 rows, expected 2"
    text = _message(
        "assert_series_equal", pd.Series([1.0, 2.0, np.nan]), pd.Series([1.0, 2.0, 3.0])
    )
    assert text.splitlines() == ["1 of 3 rows differ", "  row 2: got nan, expected 3.0"]


def test_what_passes_still_passes_and_the_functions_are_restored_after():
    original = np.testing.assert_allclose
    with readable_assertions():
        np.testing.assert_allclose([1.0, 2.0], [1.0, 2.0 + 1e-9])
        pd.testing.assert_frame_equal(pd.DataFrame({"a": [1]}), pd.DataFrame({"a": [1]}))
        assert np.testing.assert_allclose is not original
    assert np.testing.assert_allclose is original


def test_a_message_it_cannot_improve_is_numpys_own():
    text = _message("assert_equal", {"a": 1}, {"a": 2})
    assert "ACTUAL: 1" in text and "DESIRED: 2" in text
