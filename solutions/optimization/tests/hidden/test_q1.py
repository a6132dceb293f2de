import numpy as np
import pytest


@pytest.mark.points(1.5)
@pytest.mark.hint(
    "Use the CENTRAL difference (f(x + h e_i) - f(x - h e_i)) / (2h) with the h you are given: "
    "the forward difference is far less accurate for the same h."
)
def test_numerical_gradient_is_central(nb):
    x = np.array([0.3, -1.2, 2.0])
    got = np.asarray(nb.eval("numerical_gradient(lambda v: np.exp(v).sum(), x, h=1e-2)", x=x))
    assert got.shape == (3,), f"expected shape (3,), got {got.shape}"
    central = (np.exp(x + 1e-2) - np.exp(x - 1e-2)) / 2e-2  # off by about h^2/6 = 2e-5 relative
    np.testing.assert_allclose(got, central, rtol=1e-9)
    np.testing.assert_allclose(got, np.exp(x), rtol=1e-4)


@pytest.mark.points(1)
@pytest.mark.hint("Perturb one entry of the matrix at a time; the result has the matrix's shape.")
def test_numerical_gradient_matrix_argument(nb, ref):
    rng = np.random.default_rng(101)
    W, u = rng.normal(size=(3, 4)), rng.normal(size=4)
    got = np.asarray(
        nb.eval("numerical_gradient(lambda M: np.tanh(M @ u).sum() + 0.5 * (M * M).sum(), W)",
                W=W, u=u),
        dtype=float,
    )  # fmt: skip
    assert got.shape == (3, 4), f"expected shape (3, 4), got {got.shape}"
    exact = np.outer(1 - np.tanh(W @ u) ** 2, u) + W
    np.testing.assert_allclose(got, exact, rtol=1e-6, atol=1e-8)


@pytest.mark.points(0.5)
@pytest.mark.hint(
    "Work on a copy (np.array(x, dtype=float)), or put every entry back: the caller's x must "
    "be unchanged afterwards."
)
def test_numerical_gradient_leaves_x_unchanged(nb):
    x = np.array([1.5, -0.5, 2.5, 0.25])
    after = nb.eval("(numerical_gradient(lambda v: (v ** 3).sum(), x), x)[1]", x=x)
    np.testing.assert_array_equal(np.asarray(after), x, err_msg="numerical_gradient changed x")


@pytest.mark.points(0.5)
@pytest.mark.hint(
    "An integer array cannot hold x + 1e-6: the step is truncated away. Convert x to float first."
)
def test_numerical_gradient_integer_input(nb):
    got = nb.eval("numerical_gradient(lambda v: (v * v).sum(), x)", x=np.array([1, 2, 3]))
    np.testing.assert_allclose(np.asarray(got, dtype=float), [2.0, 4.0, 6.0], rtol=1e-6)


@pytest.mark.points(1.5)
@pytest.mark.hint(
    "Return two arrays of absolute errors, one entry per step in hs: |(f(x+h) - f(x))/h - df(x)| "
    "and |(f(x+h) - f(x-h))/(2h) - df(x)|."
)
def test_difference_errors_other_function(nb):
    hs = np.array([10.0**-k for k in range(1, 13)])
    x = 0.3
    got = nb.eval("difference_errors(lambda t: np.exp(2 * t), lambda t: 2 * np.exp(2 * t), x, hs)",
                  x=x, hs=hs)  # fmt: skip
    assert isinstance(got, (tuple, list)) and len(got) == 2, (
        "return a pair (forward_errors, central_errors)"
    )
    forward, central = (np.asarray(a, dtype=float) for a in got)
    assert forward.shape == central.shape == (12,), "one error per step in hs"
    f = lambda t: np.exp(2 * t)  # noqa: E731
    exact = 2 * np.exp(2 * x)
    expected_forward = np.abs((f(x + hs) - f(x)) / hs - exact)
    expected_central = np.abs((f(x + hs) - f(x - hs)) / (2 * hs) - exact)
    np.testing.assert_allclose(forward, expected_forward, rtol=1e-6, atol=1e-15, err_msg="forward")
    np.testing.assert_allclose(central, expected_central, rtol=1e-6, atol=1e-15, err_msg="central")


@pytest.mark.points(0.5)
@pytest.mark.hint("best_h_forward = hs[np.argmin(forward_errors)]: near sqrt(eps), about 1e-8.")
def test_best_h_forward(nb):
    got = nb["best_h_forward"]
    assert np.ndim(got) == 0, "best_h_forward should be a single number"
    hs = np.array([10.0**-k for k in range(1, 17)])
    forward = np.abs((np.sin(1.0 + hs) - np.sin(1.0)) / hs - np.cos(1.0))
    np.testing.assert_allclose(float(got), hs[np.argmin(forward)], rtol=1e-9)
