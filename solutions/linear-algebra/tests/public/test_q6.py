import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA


@pytest.mark.points(1)
@pytest.mark.hint("U, s, Vt = np.linalg.svd(A, full_matrices=False); keep the first k terms.")
def test_low_rank_approx_diagonal(nb):
    got = np.asarray(nb.function("low_rank_approx")(np.diag([3.0, 2.0, 1.0]), 1))
    np.testing.assert_allclose(got, np.diag([3.0, 0.0, 0.0]), atol=1e-12)


@pytest.mark.points(1)
@pytest.mark.hint("Cumulate s**2 / sum(s**2) and find the first k where it reaches frac.")
def test_energy_rank_diagonal(nb):
    energy_rank = nb.function("energy_rank")
    A = np.diag([3.0, 2.0, 1.0])  # energies 9/14, 13/14, 14/14
    got = energy_rank(A, 0.9)
    assert isinstance(got, (int, np.integer)), f"expected an int, got {type(got).__name__}"
    assert got == 2, f"energy_rank(diag(3, 2, 1), 0.9) should be 2, got {got}"
    assert energy_rank(A, 0.5) == 1, "energy_rank(diag(3, 2, 1), 0.5) should be 1"


@pytest.mark.points(1)
@pytest.mark.hint("digits_k90 = energy_rank(D, 0.90) on the centred digits matrix D.")
def test_digits_k90(nb):
    got = nb["digits_k90"]
    assert isinstance(got, (int, np.integer)), (
        f"digits_k90 should be an int, got {type(got).__name__}"
    )
    ratios = np.cumsum(PCA().fit(load_digits().data).explained_variance_ratio_)
    expected = int(np.argmax(ratios >= 0.9)) + 1
    assert got == expected, f"digits_k90 = {got} is not the number of components for 90% energy"
