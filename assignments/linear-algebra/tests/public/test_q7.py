import numpy as np
import pytest
import scipy.linalg


@pytest.mark.points(1)
@pytest.mark.hint("s = np.linalg.svd(A, compute_uv=False); the condition number is s[0] / s[-1].")
def test_condition_number_diagonal(nb):
    got = nb.function("condition_number")(np.diag([2.0, -1.0, 1e-3]))
    assert np.ndim(got) == 0, "condition_number must return a single number"
    np.testing.assert_allclose(float(got), 2000.0, rtol=1e-10)


@pytest.mark.points(1)
@pytest.mark.hint("H[i, j] = 1 / (i + j + 1) with 0-based indices: H[0, 0] = 1.")
def test_hilbert_3(nb):
    got = np.asarray(nb.function("hilbert")(3))
    expected = [[1, 1 / 2, 1 / 3], [1 / 2, 1 / 3, 1 / 4], [1 / 3, 1 / 4, 1 / 5]]
    assert got.shape == (3, 3), f"expected shape (3, 3), got {got.shape}"
    np.testing.assert_allclose(got, expected, rtol=1e-12)


@pytest.mark.points(1)
@pytest.mark.hint(
    "Loop n = 1, 2, ... and stop at the first n with condition_number(hilbert(n)) > 1e10."
)
def test_first_ill_conditioned_n(nb):
    got = nb["first_ill_conditioned_n"]
    assert isinstance(got, (int, np.integer)), (
        f"first_ill_conditioned_n should be an int, got {type(got).__name__}"
    )
    expected = next(n for n in range(1, 30) if np.linalg.cond(scipy.linalg.hilbert(n)) > 1e10)
    assert got == expected, f"cond(H_{got}) is not the first above 1e10"
