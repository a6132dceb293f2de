import numpy as np
import pytest


def _problem(seed, d=5):
    rng = np.random.default_rng(seed)
    return rng.normal(size=d), rng.normal(size=(d, d)), rng.normal(size=d)


@pytest.mark.points(2)
@pytest.mark.hint(
    "Differentiate 0.5 * sum_ij x_i A_ij x_j with respect to x_k: x_k appears both as x_i and "
    "as x_j, and both terms count. A is not symmetric here, so A @ x - b is not the gradient."
)
def test_quadratic_grad_nonsymmetric_matches_numerical(nb, ref):
    quadratic_grad = nb.function("quadratic_grad")
    for seed in (201, 202):
        x, A, b = _problem(seed)
        got = np.asarray(quadratic_grad(x, A, b), dtype=float)
        assert got.shape == (5,), f"expected shape (5,), got {got.shape}"
        numerical = ref.fd_gradient(lambda v: ref.quadratic(v, A, b), x)
        np.testing.assert_allclose(got, numerical, rtol=1e-6, atol=1e-8)


@pytest.mark.points(1)
@pytest.mark.hint("quadratic(x, A, b) = 0.5 * x @ A @ x - b @ x for any square A.")
def test_quadratic_value_random(nb, ref):
    x, A, b = _problem(203, d=7)
    got = nb.function("quadratic")(x, A, b)
    assert np.ndim(got) == 0, "quadratic must return a single number"
    np.testing.assert_allclose(float(got), ref.quadratic(x, A, b), rtol=1e-10)


@pytest.mark.points(1)
@pytest.mark.hint(
    "The Hessian is the derivative of your gradient with respect to x; it is always symmetric, "
    "even when A is not."
)
def test_quadratic_hessian_nonsymmetric(nb):
    _, A, _ = _problem(204, d=4)
    got = np.asarray(nb.function("quadratic_hessian")(A), dtype=float)
    assert got.shape == (4, 4), f"expected shape (4, 4), got {got.shape}"
    np.testing.assert_allclose(got, got.T, atol=1e-12, err_msg="a Hessian is symmetric")
    np.testing.assert_allclose(got, 0.5 * (A + A.T), rtol=1e-10, atol=1e-12)
