import numpy as np
import pytest


def _rolls(means):
    means = np.asarray(means, dtype=float)
    totals = means * np.arange(1, len(means) + 1)
    return np.round(np.diff(totals, prepend=0.0))


@pytest.mark.points(1)
@pytest.mark.hint("running_mean(x)[k] must be the mean of x[:k + 1] for any float array.")
def test_running_mean_random(nb):
    x = np.random.default_rng(11).normal(3.0, 2.0, size=500)
    got = np.asarray(nb.function("running_mean")(x))
    assert got.shape == (500,), f"expected shape (500,), got {got.shape}"
    expected = [x[: k + 1].mean() for k in range(500)]
    np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-12)


@pytest.mark.points(0.5)
@pytest.mark.hint(
    "Integer input gives float means ([1, 2] -> [1.0, 1.5]); one value is its own mean; "
    "an empty input gives an empty array."
)
def test_running_mean_edge_cases(nb):
    running_mean = nb.function("running_mean")
    np.testing.assert_allclose(np.asarray(running_mean(np.array([1, 2]))), [1.0, 1.5])
    np.testing.assert_allclose(np.asarray(running_mean(np.array([-7.5]))), [-7.5])
    assert np.asarray(running_mean(np.array([]))).shape == (0,), "empty input: expected shape (0,)"


@pytest.mark.points(1)
@pytest.mark.hint(
    "After 200,000 fair rolls the running mean must be close to 3.5 and every face 1..6 must come "
    "up about 1/6 of the time: check the range of values you draw."
)
def test_die_running_mean_converges(nb):
    # Statistical check. For a correct function the final mean has sd sqrt(35/12 / 200000)
    # = 0.0038, so |mean - 3.5| > 0.035 (9.2 sd) has probability < 6.1e-9 by Hoeffding's
    # inequality (2 exp(-2 n t^2 / 5^2)); a face frequency off 1/6 by more than 0.01 (12 sd)
    # has probability < 2e-17 per face (Hoeffding, 2 exp(-2 n t^2)). See NOTES.md.
    means = np.asarray(nb.function("die_running_mean")(200_000, seed=7), dtype=float)
    assert means.shape == (200_000,), f"expected shape (200000,), got {means.shape}"
    assert abs(means[-1] - 3.5) <= 0.035, f"mean of 200,000 rolls is {means[-1]:.4f}, not ~3.5"
    freqs = np.bincount(_rolls(means).astype(int), minlength=7)[1:7] / 200_000
    assert np.all(np.abs(freqs - 1 / 6) <= 0.01), f"face frequencies {np.round(freqs, 4)}"


@pytest.mark.points(1)
@pytest.mark.hint(
    "seed may be a np.random.Generator: np.random.default_rng(seed) then returns that very "
    "generator, so two calls with it continue the stream and give different rolls. Do not "
    "create another generator or reseed inside the function."
)
def test_die_running_mean_accepts_generator(nb):
    # Two calls drawing 30 rolls each from one generator coincide with probability 6**-30.
    first, second = nb.eval(
        "(lambda g: (die_running_mean(30, g), die_running_mean(30, g)))"
        "(__import__('numpy').random.default_rng(5))"
    )
    for means in (first, second):
        rolls = _rolls(means)
        assert rolls.shape == (30,) and np.all((rolls >= 1) & (rolls <= 6)), "invalid rolls"
    assert not np.array_equal(np.asarray(first), np.asarray(second)), (
        "two calls with the same Generator gave the same rolls: the generator was not used"
    )


@pytest.mark.points(0.5)
@pytest.mark.hint("Different seeds must give different rolls: draw from rng, not a fixed seed.")
def test_die_running_mean_depends_on_seed(nb):
    # 50 identical rolls under two seeds: probability 6**-50.
    die_running_mean = nb.function("die_running_mean")
    a = np.asarray(die_running_mean(50, seed=1))
    b = np.asarray(die_running_mean(50, seed=2))
    assert not np.array_equal(a, b), "seeds 1 and 2 gave the same rolls"
