import itertools

import numpy as np
import pytest
from scipy import stats

# Minutes of focus time logged by two teams; whole numbers, so ties are exact.
X = np.array([12.0, 15.0, 9.0, 20.0, 17.0, 11.0, 16.0])
Y = np.array([10.0, 8.0, 13.0, 11.0, 7.0, 14.0, 9.0, 15.0])


def _exact_permutation_p(x, y):
    """The exact two-sided permutation p-value: every split of the pool, enumerated."""
    pooled = np.concatenate([x, y])
    d = []
    for idx in itertools.combinations(range(len(pooled)), len(x)):
        m = np.zeros(len(pooled), dtype=bool)
        m[list(idx)] = True
        d.append(pooled[m].mean() - pooled[~m].mean())
    return float(np.mean(np.abs(np.array(d)) >= abs(x.mean() - y.mean())))


@pytest.mark.points(0.5)
@pytest.mark.hint("mean(x) - mean(y), in that order.")
def test_mean_difference_example(nb):
    got = nb.function("mean_difference")(X, Y)
    np.testing.assert_allclose(float(got), X.mean() - Y.mean(), rtol=1e-12)


@pytest.mark.points(1)
@pytest.mark.hint(
    "Each group keeps its own variance (ddof=1) over its own size; the degrees of freedom follow "
    "the Welch-Satterthwaite formula, and the p-value counts both tails of Student's t."
)
def test_welch_t_test_example(nb):
    got = nb.function("welch_t_test")(X, Y)
    assert isinstance(got, (tuple, list)) and len(got) == 2, "return a pair (t, p)"
    ref = stats.ttest_ind(X, Y, equal_var=False)
    np.testing.assert_allclose(float(got[0]), ref.statistic, rtol=1e-9, err_msg="t")
    np.testing.assert_allclose(float(got[1]), ref.pvalue, rtol=1e-9, err_msg="p")


@pytest.mark.points(1.5)
@pytest.mark.hint(
    "Shuffle the pooled values, split them at len(x), and count the shuffles at least as extreme "
    "as the data in either direction (absolute values, >=); mind the +1 in the numerator and the "
    "denominator."
)
def test_permutation_test_p_value(nb):
    # Statistical check: your shuffles differ from ours, so your p-value is compared with the
    # exact one (all 6,435 splits, p0 = 0.0779). With 20,000 shuffles the count is
    # Binomial(20000, p0): |p - p0| > 0.015 (7.9 sd) has probability below 1e-12
    # (tolerances.py; NOTES.md).
    got = nb.function("permutation_test")(X, Y, 20_000, seed=1)
    assert isinstance(got, (tuple, list)) and len(got) == 2, "return a pair (d, p)"
    np.testing.assert_allclose(float(got[0]), X.mean() - Y.mean(), rtol=1e-12, err_msg="d")
    p0 = _exact_permutation_p(X, Y)
    assert abs(float(got[1]) - p0) <= 0.015, (
        f"p-value {float(got[1]):.4f}; the exact permutation p-value is {p0:.4f}"
    )
