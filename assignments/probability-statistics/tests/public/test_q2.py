import numpy as np
import pytest


@pytest.mark.points(1)
@pytest.mark.hint(
    "Use the sample standard deviation (divisor n - 1) and divide it by the square root of the "
    "sample size."
)
def test_standard_error_example(nb):
    got = nb.function("standard_error")(np.array([2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]))
    assert np.ndim(got) == 0, "standard_error must return a single number"
    # s^2 = 32 / 7, n = 8
    np.testing.assert_allclose(float(got), np.sqrt(32 / 7 / 8), rtol=1e-10)


@pytest.mark.points(1)
@pytest.mark.hint("Fit a straight line to log(se) against log(n) and return its slope alone.")
def test_loglog_slope_exact_power_law(nb):
    ns = np.array([10.0, 100.0, 1000.0])
    got = nb.function("loglog_slope")(ns, 3.0 / np.sqrt(ns))
    assert np.ndim(got) == 0, "loglog_slope must return a single number"
    np.testing.assert_allclose(float(got), -0.5, rtol=1e-9)


@pytest.mark.points(1)
@pytest.mark.hint(
    "Check what numpy's exponential expects (the mean or the rate?), and take the sd of the "
    "n_reps sample means, not of the single draws: it should be close to 2 / sqrt(n)."
)
def test_simulate_se_close_to_theory(nb):
    # Statistical check: accepts any correct draws. The relative error of the sd of 2000 means
    # has sd about 0.017 at n = 25, so 12% is about 7 sd: a correct function fails with
    # probability below 1e-11 (NOTES.md, tolerances.py).
    got = nb.function("simulate_se")(25, 2000, seed=0)
    assert np.ndim(got) == 0, "simulate_se must return a single number"
    theory = 2.0 / np.sqrt(25)
    assert abs(float(got) / theory - 1) <= 0.12, (
        f"simulated SE {float(got):.4f} is not within 12% of 2 / sqrt(25) = {theory:.4f}"
    )
