import numpy as np
import pytest

SHAPES = {"W1": (400, 300), "b1": (300,), "W2": (300, 200), "b2": (200,)}


@pytest.mark.points(1.5)
@pytest.mark.hint(
    "W1 ~ N(0, 1/n_in) and W2 ~ N(0, 1/n_hidden): standard normal draws divided by "
    "sqrt(n_in) and sqrt(n_hidden) (a variance of 1/n is a standard deviation of 1/sqrt(n))."
)
def test_init_params_scale(nb, ref):
    params = ref.unpack_params(nb.function("init_params")(400, 300, 200, seed=3), SHAPES)
    # 120,000 and 60,000 draws: the sample std is within 0.5% of the true one (2 standard
    # errors), so the 5% tolerance fails only a wrong scale
    for key, n in (("W1", 400), ("W2", 300)):
        std = params[key].std()
        assert abs(std * np.sqrt(n) - 1.0) < 0.05, (
            f"{key}: standard deviation {std:.4f}, "
            f"expected about 1/sqrt({n}) = {1 / np.sqrt(n):.4f}"
        )
        assert abs(params[key].mean()) < 0.05 / np.sqrt(n), f"{key}: the mean should be about 0"


@pytest.mark.points(1)
@pytest.mark.hint(
    "Draw everything from np.random.default_rng(seed): the same seed gives the same parameters, "
    "another seed other ones."
)
def test_init_params_seeded(nb, ref):
    init_params = nb.function("init_params")
    shapes = {"W1": (4, 6), "b1": (6,), "W2": (6, 3), "b2": (3,)}
    a = ref.unpack_params(init_params(4, 6, 3, seed=11), shapes)
    b = ref.unpack_params(init_params(4, 6, 3, seed=11), shapes)
    c = ref.unpack_params(init_params(4, 6, 3, seed=12), shapes)
    for key in ("W1", "W2"):
        np.testing.assert_array_equal(a[key], b[key], err_msg=f"{key}: same seed, other values")
        assert not np.allclose(a[key], c[key]), f"{key}: seeds 11 and 12 give the same values"


@pytest.mark.points(1)
@pytest.mark.hint(
    "The weights must be random so that hidden units differ (zeros or a constant never break the "
    "symmetry); only the biases start at zero."
)
def test_init_params_breaks_symmetry(nb, ref):
    shapes = {"W1": (2, 8), "b1": (8,), "W2": (8, 2), "b2": (2,)}
    p = ref.unpack_params(nb.function("init_params")(2, 8, 2, seed=0), shapes)
    columns = p["W1"].T
    distinct = len({tuple(np.round(c, 12)) for c in columns})
    assert distinct == 8, f"only {distinct} of the 8 hidden units have distinct weights"
    assert np.linalg.matrix_rank(p["W2"]) == 2, "W2 must be random too"
    np.testing.assert_array_equal(p["b1"], 0.0, err_msg="b1 should be zero")
    np.testing.assert_array_equal(p["b2"], 0.0, err_msg="b2 should be zero")


@pytest.mark.points(1)
@pytest.mark.hint(
    "Subtract each row's maximum before np.exp: exp(1000) is inf and inf / inf is nan. "
    "The softmax of a row does not change when a constant is subtracted from it."
)
def test_softmax_large_entries(nb):
    Z = np.array([[1000.0, 999.0, -1000.0], [-800.0, -801.0, -805.0], [0.0, 0.0, 0.0]])
    got = np.asarray(nb.function("softmax")(Z), dtype=float)
    assert got.shape == (3, 3), f"expected shape (3, 3), got {got.shape}"
    assert not np.isnan(got).any(), "softmax produced nan"
    e = np.exp([1.0, 0.0])
    expected = [e[0] / e.sum(), e[1] / e.sum(), 0.0]
    np.testing.assert_allclose(got[0], expected, rtol=1e-12, atol=1e-300)
    row = np.exp([0.0, -1.0, -5.0])
    np.testing.assert_allclose(got[1], row / row.sum(), rtol=1e-12)
    np.testing.assert_allclose(got[2], [1 / 3] * 3, rtol=1e-12)


@pytest.mark.points(1)
@pytest.mark.hint("forward: tanh hidden layer, then the softmax of A1 @ W2 + b2, row by row.")
def test_forward_random(nb, ref):
    params = ref.random_params(4, 6, 3, seed=601)
    X = np.random.default_rng(602).normal(size=(20, 4))
    got = np.asarray(nb.function("forward")(params, X), dtype=float)
    assert got.shape == (20, 3), f"expected shape (20, 3), got {got.shape}"
    np.testing.assert_allclose(got, ref.forward(params, X), rtol=1e-10, atol=1e-15)


@pytest.mark.points(1)
@pytest.mark.hint("loss: the mean over the samples of -log P[i, y_i].")
def test_loss_random(nb, ref):
    params = ref.random_params(3, 5, 4, seed=603)
    rng = np.random.default_rng(604)
    X, y = rng.normal(size=(25, 3)), rng.integers(0, 4, size=25)
    got = nb.function("loss")(params, X, y)
    assert np.ndim(got) == 0, "loss must return a single number"
    np.testing.assert_allclose(float(got), ref.net_loss(params, X, y), rtol=1e-10)


@pytest.mark.points(1)
@pytest.mark.hint(
    "When the network is confidently wrong, P[i, y_i] underflows to 0 and log gives -inf: "
    "compute log P as Z - max - log(sum(exp(Z - max))) (log-sum-exp) instead."
)
def test_loss_confidently_wrong(nb, ref):
    params = ref.random_params(2, 4, 2, seed=605, scale=30.0)  # logits in the hundreds
    rng = np.random.default_rng(606)
    X, y = rng.normal(size=(12, 2)), rng.integers(0, 2, size=12)
    got = float(nb.function("loss")(params, X, y))
    assert np.isfinite(got), f"the loss is {got}; it must stay finite"
    np.testing.assert_allclose(got, ref.net_loss(params, X, y), rtol=1e-9)
