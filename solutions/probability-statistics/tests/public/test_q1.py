import numpy as np
import pytest


def _rolls(means):
    # The rolls behind a running mean: k * mean_k - (k - 1) * mean_(k-1).
    means = np.asarray(means, dtype=float)
    totals = means * np.arange(1, len(means) + 1)
    return np.diff(totals, prepend=0.0)


@pytest.mark.points(1)
@pytest.mark.hint(
    "Element k averages the first k + 1 values: divide the running sums by how many values each "
    "one holds."
)
def test_running_mean_example(nb):
    got = np.asarray(nb.function("running_mean")(np.array([2.0, 4.0, 6.0, 8.0])))
    assert got.shape == (4,), f"expected shape (4,), got {got.shape}"
    np.testing.assert_allclose(got, [2.0, 3.0, 4.0, 5.0], rtol=1e-12)


@pytest.mark.points(1)
@pytest.mark.hint(
    "The rolls must be whole numbers from 1 to 6 drawn with rng (is the upper end of your range "
    "included?), and the same seed must give the same rolls."
)
def test_die_running_mean_valid_and_reproducible(nb):
    die_running_mean = nb.function("die_running_mean")
    first = np.asarray(die_running_mean(20, seed=0), dtype=float)
    assert first.shape == (20,), f"expected shape (20,), got {first.shape}"
    rolls = _rolls(first)
    np.testing.assert_allclose(rolls, np.round(rolls), atol=1e-9, err_msg="rolls are not whole")
    assert np.all((np.round(rolls) >= 1) & (np.round(rolls) <= 6)), (
        f"the rolls behind your running mean are not all in 1..6: {np.round(rolls)}"
    )
    again = np.asarray(die_running_mean(20, seed=0), dtype=float)
    np.testing.assert_array_equal(again, first, err_msg="the same seed gave different rolls")
