import numpy as np
import pytest
from scipy import stats


@pytest.mark.points(1)
@pytest.mark.hint(
    "It must agree with scipy.stats.sem: which divisor does the sample standard deviation use?"
)
def test_standard_error_matches_scipy(nb):
    standard_error = nb.function("standard_error")
    rng = np.random.default_rng(21)
    for n in (2, 10, 333):
        x = rng.gamma(2.0, 3.0, size=n)
        got = standard_error(x)
        assert np.ndim(got) == 0, "standard_error must return a single number"
        np.testing.assert_allclose(float(got), stats.sem(x), rtol=1e-10, err_msg=f"n={n}")


@pytest.mark.points(1)
@pytest.mark.hint("Fit a line to log(se) against log(n): the slope is the exponent p of c * n**p.")
def test_loglog_slope_other_exponent(nb):
    loglog_slope = nb.function("loglog_slope")
    ns = np.array([5.0, 20.0, 80.0, 500.0])
    got = loglog_slope(ns, 7.0 * ns**-0.7)
    assert np.ndim(got) == 0, "loglog_slope must return a single number (the slope alone)"
    np.testing.assert_allclose(float(got), -0.7, rtol=1e-9)
    noisy = 2.0 * ns**-0.5 * np.exp(np.array([0.05, -0.02, 0.03, -0.04]))
    expected = np.polyfit(np.log(ns), np.log(noisy), 1)[0]
    np.testing.assert_allclose(float(loglog_slope(ns, noisy)), expected, rtol=1e-9)


@pytest.mark.points(1.5)
@pytest.mark.hint(
    "For every n the simulated SE must be close to sigma / sqrt(n) = 2 / sqrt(n): the sd of "
    "the n_reps sample MEANS (one per row), not of all the draws, and it must come from a "
    "simulation with rng (another seed, another value)."
)
def test_simulate_se_statistical(nb):
    # Statistical check: for each n, |SE_sim / (2 / sqrt(n)) - 1| <= 0.12. The worst case is
    # n = 4 (skewed means, relative sd 0.021, 5.7 sd): failure probability 1.1e-8 there by a
    # moment-matched chi-square, under 1e-7 even allowing for the extra skew (NOTES.md); the
    # other two are below 1e-12 (tolerances.py).
    simulate_se = nb.function("simulate_se")
    for n, seed in ((4, 1), (100, 2), (400, 3)):
        got = float(simulate_se(n, 2000, seed=seed))
        theory = 2.0 / np.sqrt(n)
        assert abs(got / theory - 1) <= 0.12, (
            f"n={n}: simulated SE {got:.4f} is not within 12% of 2 / sqrt(n) = {theory:.4f}"
        )
    # A simulation depends on its seed (two continuous results coincide with probability 0).
    assert float(simulate_se(100, 2000, seed=2)) != float(simulate_se(100, 2000, seed=5)), (
        "seeds 2 and 5 gave the same SE: simulate it from rng, do not return the formula"
    )


@pytest.mark.points(0.5)
@pytest.mark.hint(
    "se_slope must be the float your loglog_slope computes from the simulated ns and ses (not a "
    "typed-in number); it should be close to -0.5."
)
def test_se_slope(nb):
    # The slope of 5 points whose log SE has sd <= 0.021 has sd <= 0.005: |slope + 0.5| > 0.06
    # is a 12-sd event for a correct notebook.
    got = nb["se_slope"]
    assert isinstance(got, (float, np.floating)), (
        f"se_slope should be a float, got {type(got).__name__}"
    )
    ns, ses = np.asarray(nb["ns"], dtype=float), np.asarray(nb["ses"], dtype=float)
    expected = np.polyfit(np.log(ns), np.log(ses), 1)[0]
    np.testing.assert_allclose(float(got), expected, rtol=1e-9, err_msg="not the slope of ses")
    assert abs(float(got) + 0.5) <= 0.06, f"se_slope = {float(got):.3f}, expected about -0.5"
