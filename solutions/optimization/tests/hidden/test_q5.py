import numpy as np
import pytest


def _gradients(seed, shape, count):
    rng = np.random.default_rng(seed)
    return [rng.normal(size=shape) * 10.0 ** rng.uniform(-3, 1) for _ in range(count)]


def _pair(got, names):
    count = names.count(",") + 1
    assert isinstance(got, (tuple, list)) and len(got) == count, f"return {names}"
    return [np.asarray(a, dtype=float) for a in got]


@pytest.mark.points(1.5)
@pytest.mark.hint(
    "Each call: v_new = beta * v + g, w_new = w - lr * v_new. Feed the returned w and v into the "
    "next call; the arrays may be matrices."
)
def test_momentum_sequence(nb):
    momentum_step = nb.function("momentum_step")
    w = np.random.default_rng(501).normal(size=(2, 3))
    v = np.zeros((2, 3))
    w_ref, v_ref = w.copy(), v.copy()
    for g in _gradients(502, (2, 3), 6):
        w, v = _pair(momentum_step(w, g, v, 0.05, beta=0.8), "(w_new, v_new)")
        v_ref = 0.8 * v_ref + g
        w_ref = w_ref - 0.05 * v_ref
        assert w.shape == (2, 3), f"expected shape (2, 3), got {w.shape}"
        np.testing.assert_allclose(v, v_ref, rtol=1e-10, atol=1e-14, err_msg="v")
        np.testing.assert_allclose(w, w_ref, rtol=1e-10, atol=1e-14, err_msg="w")


@pytest.mark.points(0.5)
@pytest.mark.hint("With beta = 0 momentum is plain gradient descent: w - lr * g.")
def test_momentum_without_memory_is_gradient_descent(nb):
    w, g, v = np.array([1.0, 2.0, 3.0]), np.array([0.5, -0.5, 2.0]), np.array([9.0, 9.0, 9.0])
    w_new, v_new = _pair(nb.function("momentum_step")(w, g, v, 0.1, beta=0.0), "(w_new, v_new)")
    np.testing.assert_allclose(w_new, w - 0.1 * g, rtol=1e-12)
    np.testing.assert_allclose(v_new, g, rtol=1e-12)


@pytest.mark.points(2)
@pytest.mark.hint(
    "m and s are running means of g and g**2 (elementwise); divide them by 1 - beta1**t and "
    "1 - beta2**t, and add eps outside the square root: m_hat / (sqrt(s_hat) + eps)."
)
def test_adam_sequence(nb):
    adam_step = nb.function("adam_step")
    shape = (3, 2)
    w = np.random.default_rng(503).normal(size=shape)
    m, s = np.zeros(shape), np.zeros(shape)
    w_ref, m_ref, s_ref = w.copy(), m.copy(), s.copy()
    lr, b1, b2, eps = 0.02, 0.8, 0.99, 1e-6
    for t, g in enumerate(_gradients(504, shape, 8), start=1):
        got = adam_step(w, g, m, s, t, lr=lr, beta1=b1, beta2=b2, eps=eps)
        w, m, s = _pair(got, "(w_new, m_new, s_new)")
        m_ref = b1 * m_ref + (1 - b1) * g
        s_ref = b2 * s_ref + (1 - b2) * g**2
        w_ref = w_ref - lr * (m_ref / (1 - b1**t)) / (np.sqrt(s_ref / (1 - b2**t)) + eps)
        np.testing.assert_allclose(m, m_ref, rtol=1e-10, atol=1e-15, err_msg=f"m at t={t}")
        np.testing.assert_allclose(s, s_ref, rtol=1e-10, atol=1e-15, err_msg=f"s at t={t}")
        np.testing.assert_allclose(w, w_ref, rtol=1e-10, atol=1e-14, err_msg=f"w at t={t}")


@pytest.mark.points(1)
@pytest.mark.hint(
    "The bias corrections use the step number t you are given: at t = 1000 the correction of m "
    "is almost 1 but that of s (1 - 0.999**1000 = 0.63) is not."
)
def test_adam_late_step(nb):
    rng = np.random.default_rng(505)
    w, g = rng.normal(size=4), rng.normal(size=4)
    m, s = rng.normal(size=4) * 0.1, rng.uniform(0.01, 0.1, size=4)
    got = nb.function("adam_step")(w, g, m, s, 1000)
    w_new, m_new, s_new = _pair(got, "(w_new, m_new, s_new)")
    m_ref = 0.9 * m + 0.1 * g
    s_ref = 0.999 * s + 0.001 * g**2
    w_ref = w - 0.001 * (m_ref / (1 - 0.9**1000)) / (np.sqrt(s_ref / (1 - 0.999**1000)) + 1e-8)
    np.testing.assert_allclose(w_new, w_ref, rtol=1e-10)


@pytest.mark.points(0.5)
@pytest.mark.hint(
    "Adam divides the mean gradient by its root-mean-square: multiplying every gradient by 1000 "
    "should leave the steps (almost) unchanged."
)
def test_adam_is_scale_invariant(nb):
    adam_step = nb.function("adam_step")
    gradients = _gradients(506, (5,), 4)
    finals = []
    for scale in (1.0, 1000.0):
        w, m, s = np.zeros(5), np.zeros(5), np.zeros(5)
        for t, g in enumerate(gradients, start=1):
            w, m, s = _pair(adam_step(w, scale * g, m, s, t, lr=0.1), "(w_new, m_new, s_new)")
        finals.append(w)
    np.testing.assert_allclose(finals[1], finals[0], rtol=1e-3, atol=1e-8)
