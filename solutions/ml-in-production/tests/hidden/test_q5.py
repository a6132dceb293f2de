"""Q5 hidden checks: how many planted bugs the student's tests catch.

A bug is caught when a test that passes on the correct rolling_zscore fails on the version
with the bug. Tests that read the function's code (inspect, dis, __code__) count for nothing.
"""

import pytest


@pytest.mark.points(1)
@pytest.mark.hint("Write at least four tests, each a function with no arguments named test_...")
def test_at_least_four_tests(nb, zscore_versions):
    outcomes = zscore_versions.correct_outcomes(nb)
    assert len(outcomes) >= 4, f"found {len(outcomes)} test function(s), expected at least 4"


@pytest.mark.points(1)
@pytest.mark.hint(
    "Test the function by calling it: no inspect, dis or __code__ in your tests or the helpers "
    "they use."
)
def test_tests_call_the_function_instead_of_reading_it(nb, zscore_versions):
    outcomes = zscore_versions.correct_outcomes(nb)
    assert outcomes, "no tests found: write functions with no arguments named test_..."
    offenders = zscore_versions.inspecting_tests(nb.source)
    assert not offenders, f"these tests read the function's code: {', '.join(offenders)}"


@pytest.mark.points(1)
@pytest.mark.hint(
    "Bug: the value is part of its own window. Work out one score by hand, e.g. for [1, 2, 3, 4] "
    "with window 3, and compare."
)
def test_catches_current_value_in_its_window(nb, zscore_versions):
    zscore_versions.assert_catches(nb, "current_in_window")


@pytest.mark.points(1)
@pytest.mark.hint("Bug: the sample standard deviation (ddof=1). An exact value by hand catches it.")
def test_catches_sample_std(nb, zscore_versions):
    zscore_versions.assert_catches(nb, "sample_std")


@pytest.mark.points(1)
@pytest.mark.hint("Bug: the leading nan positions are dropped. Check the length of the result.")
def test_catches_dropped_leading_nans(nb, zscore_versions):
    zscore_versions.assert_catches(nb, "drops_leading_nans")


@pytest.mark.points(1)
@pytest.mark.hint(
    "Bug: every flat window scores 0, so a spike after a flat line never alerts. Test a spike "
    "after a flat history of whole numbers."
)
def test_catches_flat_window_scored_zero(nb, zscore_versions):
    zscore_versions.assert_catches(nb, "flat_window_scores_zero")


@pytest.mark.points(1)
@pytest.mark.hint("Bug: window=1 is accepted. Test that too small a window raises ValueError.")
def test_catches_window_of_one_accepted(nb, zscore_versions):
    zscore_versions.assert_catches(nb, "accepts_window_one")


@pytest.mark.points(1)
@pytest.mark.hint(
    "Bug: the first score comes one position late. Check exactly which positions are nan."
)
def test_catches_first_score_one_late(nb, zscore_versions):
    zscore_versions.assert_catches(nb, "starts_one_late")
