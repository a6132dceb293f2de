import numpy as np
import pytest


@pytest.mark.points(1.5)
@pytest.mark.hint("Row k + 1 is row k minus lr times the gradient at row k; row 0 is x0.")
def test_gradient_descent_matches_reference(nb, ref):
    A = ref.random_spd(4, [5.0, 2.0, 1.0, 0.5], seed=401)
    b = np.random.default_rng(402).normal(size=4)
    x0 = np.array([1.0, -1.0, 2.0, 0.0])
    lr = 0.2
    got = np.asarray(nb.eval("gradient_descent(lambda x: A @ x - b, x0, lr, 25)",
                             A=A, b=b, x0=x0, lr=lr), dtype=float)  # fmt: skip
    assert got.shape == (26, 4), f"expected shape (26, 4), got {got.shape}"
    expected = [x0]
    for _ in range(25):
        expected.append(expected[-1] - lr * (A @ expected[-1] - b))
    np.testing.assert_allclose(got, np.array(expected), rtol=1e-10, atol=1e-12)


@pytest.mark.points(0.5)
@pytest.mark.hint("With n_steps = 0 the only iterate is x0: shape (1, d).")
def test_gradient_descent_zero_steps(nb):
    x0 = np.array([3.0, -4.0])
    got = np.asarray(nb.eval("gradient_descent(lambda x: 2 * x, x0, 0.1, 0)", x0=x0), dtype=float)
    assert got.shape == (1, 2), f"expected shape (1, 2), got {got.shape}"
    np.testing.assert_allclose(got[0], x0)


@pytest.mark.points(0.5)
@pytest.mark.hint("gradient_descent must work with any gradient function, not only a quadratic's.")
def test_gradient_descent_nonlinear_gradient(nb):
    x0 = np.array([1.0, -0.5, 0.25])
    got = np.asarray(nb.eval("gradient_descent(lambda x: np.sinh(x), x0, 0.3, 10)", x0=x0))
    expected = [x0]
    for _ in range(10):
        expected.append(expected[-1] - 0.3 * np.sinh(expected[-1]))
    np.testing.assert_allclose(got, np.array(expected), rtol=1e-10, atol=1e-14)


@pytest.mark.points(1.5)
@pytest.mark.hint(
    "2 / L with L the largest EIGENVALUE of A: not its largest entry, its largest diagonal entry, "
    "its trace or its smallest eigenvalue (A need not be diagonal)."
)
def test_largest_stable_lr_random(nb, ref):
    largest_stable_lr = nb.function("largest_stable_lr")
    for seed, spectrum in ((403, [10.0, 3.0, 1.0]), (404, [0.5, 0.4, 0.1, 0.01, 0.3])):
        A = ref.random_spd(len(spectrum), spectrum, seed)
        got = largest_stable_lr(A)
        assert np.ndim(got) == 0, "largest_stable_lr must return a single number"
        np.testing.assert_allclose(float(got), 2 / max(spectrum), rtol=1e-9)


@pytest.mark.points(1)
@pytest.mark.hint(
    "The returned rate must be the threshold itself: gradient descent converges at 98% of it "
    "and diverges at 102% of it (1/L is safe, but not the largest stable rate)."
)
def test_largest_stable_lr_is_the_threshold(nb, ref):
    A = ref.random_spd(3, [8.0, 2.0, 1.0], seed=405)
    b = np.array([1.0, 0.0, -1.0])
    lr_max = float(nb.function("largest_stable_lr")(A))
    below = ref.gd_steps_to_tolerance(A, b, 0.98 * lr_max, tol=1e-8, max_steps=20_000)
    above = ref.gd_steps_to_tolerance(A, b, 1.02 * lr_max, tol=1e-8, max_steps=20_000)
    assert below >= 0, f"gradient descent with 98% of {lr_max:.4g} does not converge"
    assert above == -1, f"gradient descent with 102% of {lr_max:.4g} still converges"


@pytest.mark.points(1.5)
@pytest.mark.hint(
    "Start from x = 0 and count gradient steps until ||A @ x - b|| <= tol; check the norm "
    "before each step (0 steps if x0 is already good enough)."
)
def test_steps_to_tolerance_matches_reference(nb, ref):
    steps_to_tolerance = nb.function("steps_to_tolerance")
    A = ref.random_spd(5, [4.0, 3.0, 1.0, 0.5, 0.2], seed=406)
    b = np.random.default_rng(407).normal(size=5)
    for frac, tol in ((0.5, 1e-6), (0.9, 1e-9)):
        lr = frac * 2 / 4.0
        expected = ref.gd_steps_to_tolerance(A, b, lr, tol, 10_000)
        got = steps_to_tolerance(A, b, lr, tol=tol, max_steps=10_000)
        assert np.ndim(got) == 0, "steps_to_tolerance must return one number"
        # rounding can move the step where the norm crosses tol by one
        assert abs(int(got) - expected) <= 1, f"lr = {lr:.3f}: expected {expected} steps, got {got}"


@pytest.mark.points(1)
@pytest.mark.hint(
    "Return -1 when the tolerance is not reached within max_steps: a rate above 2/L diverges "
    "(the norm grows to inf, then nan, and nan <= tol is False), a tiny rate crawls."
)
def test_steps_to_tolerance_reports_failure(nb, ref):
    steps_to_tolerance = nb.function("steps_to_tolerance")
    A = ref.random_spd(3, [6.0, 2.0, 1.0], seed=408)
    b = np.array([1.0, 2.0, 3.0])
    got = steps_to_tolerance(A, b, 1.05 * 2 / 6.0, tol=1e-6, max_steps=10_000)
    assert got == -1, f"a learning rate above 2/L diverges: expected -1, got {got}"
    got = steps_to_tolerance(A, b, 1e-4, tol=1e-6, max_steps=50)
    assert got == -1, f"a tiny learning rate cannot converge in 50 steps: expected -1, got {got}"


@pytest.mark.points(0.5)
@pytest.mark.hint("When b = 0 the start x = 0 is the minimiser: 0 steps are needed.")
def test_steps_to_tolerance_already_converged(nb, ref):
    A = ref.random_spd(3, [3.0, 2.0, 1.0], seed=409)
    got = nb.function("steps_to_tolerance")(A, np.zeros(3), 0.1)
    assert got == 0, f"expected 0 steps, got {got}"


@pytest.mark.points(1)
@pytest.mark.hint(
    "steps_table maps each fraction in `fractions` to steps_to_tolerance(A_demo, b_demo, "
    "fraction * largest_stable_lr(A_demo)), -1 where it did not converge."
)
def test_steps_table(nb, ref):
    table = nb["steps_table"]
    assert isinstance(table, dict), f"steps_table should be a dict, got {type(table).__name__}"
    Q, _ = np.linalg.qr(np.random.default_rng(4).standard_normal((2, 2)))
    A = Q @ np.diag([25.0, 1.0]) @ Q.T
    b = np.array([1.0, -2.0])
    for frac in (0.01, 0.1, 0.5, 0.9, 0.99, 1.01):
        assert frac in table, f"steps_table has no entry for {frac}"
        expected = ref.gd_steps_to_tolerance(A, b, frac * 2 / 25.0, 1e-6, 10_000)
        got = int(table[frac])
        assert abs(got - expected) <= (0 if expected == -1 else 1), (
            f"fraction {frac}: expected {expected} steps, got {got}"
        )
