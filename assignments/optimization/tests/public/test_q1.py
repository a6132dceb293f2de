import numpy as np
import pytest


@pytest.mark.points(1)
@pytest.mark.hint(
    "For each entry i: (f(x + h e_i) - f(x - h e_i)) / (2 h), where e_i is 1 in entry i and 0 "
    "elsewhere."
)
def test_numerical_gradient_polynomial(nb):
    # f(v) = v0^2 + 3 v0 v1 + 2 v1^3 has gradient (2 v0 + 3 v1, 3 v0 + 6 v1^2) = (-4, 27) here
    got = nb.eval(
        "numerical_gradient(lambda v: v[0]**2 + 3*v[0]*v[1] + 2*v[1]**3, x)",
        x=np.array([1.0, -2.0]),
    )
    got = np.asarray(got, dtype=float)
    assert got.shape == (2,), f"expected shape (2,), got {got.shape}"
    np.testing.assert_allclose(got, [-4.0, 27.0], rtol=1e-6)


@pytest.mark.points(1)
@pytest.mark.hint(
    "x may be a matrix: loop over every index (np.ndindex(x.shape) gives them all) and "
    "return an array of x's shape."
)
def test_numerical_gradient_of_a_matrix(nb):
    W = np.array([[1.0, -2.0, 0.5], [3.0, 0.0, -1.0]])
    got = np.asarray(nb.eval("numerical_gradient(lambda M: (M * M).sum(), W)", W=W), dtype=float)
    assert got.shape == (2, 3), f"expected shape (2, 3), got {got.shape}"
    np.testing.assert_allclose(got, 2 * W, rtol=1e-6, atol=1e-8)


@pytest.mark.points(1)
@pytest.mark.hint(
    "For f(x) = x^3 at x = 1 the forward difference is off by 3h + h^2 and the central one by "
    "h^2; return (forward_errors, central_errors) as absolute values."
)
def test_difference_errors_cubic(nb):
    got = nb.eval(
        "difference_errors(lambda t: t**3, lambda t: 3 * t**2, 1.0, hs)", hs=np.array([0.1, 0.01])
    )
    assert isinstance(got, (tuple, list)) and len(got) == 2, (
        "return a pair (forward_errors, central_errors)"
    )
    forward, central = (np.asarray(a, dtype=float) for a in got)
    np.testing.assert_allclose(forward, [0.31, 0.0301], rtol=1e-6, err_msg="forward errors")
    np.testing.assert_allclose(central, [0.01, 0.0001], rtol=1e-6, err_msg="central errors")


@pytest.mark.points(1)
@pytest.mark.hint("best_h_central = hs[np.argmin(central_errors)] in the experiment cell.")
def test_best_h_central(nb):
    got = nb["best_h_central"]
    assert np.ndim(got) == 0, "best_h_central should be a single number"
    hs = np.array([10.0**-k for k in range(1, 17)])
    central = np.abs((np.sin(1.0 + hs) - np.sin(1.0 - hs)) / (2 * hs) - np.cos(1.0))
    expected = hs[np.argmin(central)]
    np.testing.assert_allclose(float(got), expected, rtol=1e-9)
