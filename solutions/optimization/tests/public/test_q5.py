import numpy as np
import pytest


@pytest.mark.points(1)
@pytest.mark.hint("v_new = beta * v + g, then w_new = w - lr * v_new; return (w_new, v_new).")
def test_momentum_one_step(nb):
    got = nb.function("momentum_step")(
        np.array([1.0, 2.0]), np.array([0.5, -1.0]), np.array([0.1, 0.1]), 0.1, beta=0.9
    )
    assert isinstance(got, (tuple, list)) and len(got) == 2, "return a pair (w_new, v_new)"
    w_new, v_new = (np.asarray(a, dtype=float) for a in got)
    np.testing.assert_allclose(v_new, [0.59, -0.91], rtol=1e-12, err_msg="v_new")
    np.testing.assert_allclose(w_new, [0.941, 2.091], rtol=1e-12, err_msg="w_new")


@pytest.mark.points(1)
@pytest.mark.hint(
    "At t = 1 from m = s = 0 the bias corrections give m_hat = g and s_hat = g**2, so every "
    "coordinate moves by about lr, against the sign of its gradient."
)
def test_adam_first_step(nb):
    w, g = np.ones(3), np.array([0.3, -2.0, 1e-3])
    got = nb.function("adam_step")(w, g, np.zeros(3), np.zeros(3), 1, lr=0.01)
    assert isinstance(got, (tuple, list)) and len(got) == 3, "return (w_new, m_new, s_new)"
    w_new, m_new, s_new = (np.asarray(a, dtype=float) for a in got)
    np.testing.assert_allclose(m_new, 0.1 * g, rtol=1e-12, err_msg="m_new")
    np.testing.assert_allclose(s_new, 0.001 * g**2, rtol=1e-12, err_msg="s_new")
    expected = w - 0.01 * g / (np.abs(g) + 1e-8)
    np.testing.assert_allclose(w_new, expected, rtol=1e-10, err_msg="w_new")
