import numpy as np
import pytest


@pytest.mark.points(1)
@pytest.mark.hint(
    'A dict with keys "W1" (n_in, n_hidden), "b1" (n_hidden,), "W2" (n_hidden, n_out) and '
    '"b2" (n_out,); the biases are zero.'
)
def test_init_params_shapes(nb):
    got = nb.function("init_params")(3, 5, 2, seed=0)
    assert isinstance(got, dict), f"expected a dict, got {type(got).__name__}"
    shapes = {"W1": (3, 5), "b1": (5,), "W2": (5, 2), "b2": (2,)}
    assert set(got) == set(shapes), f"expected the keys {sorted(shapes)}, got {sorted(got)}"
    for key, shape in shapes.items():
        value = np.asarray(got[key])
        assert value.shape == shape, f"{key}: expected shape {shape}, got {value.shape}"
    np.testing.assert_array_equal(got["b1"], np.zeros(5), err_msg="b1 should start at zero")
    np.testing.assert_array_equal(got["b2"], np.zeros(2), err_msg="b2 should start at zero")


@pytest.mark.points(1)
@pytest.mark.hint(
    "P = softmax(tanh(X @ W1 + b1) @ W2 + b2), the softmax along each row (axis=1)."
)
def test_forward_example(nb):
    params = {
        "W1": np.array([[1.0, -1.0, 0.5], [0.0, 2.0, -0.5]]),
        "b1": np.array([0.1, 0.0, -0.2]),
        "W2": np.array([[1.0, 0.0], [0.5, -1.0], [-2.0, 1.0]]),
        "b2": np.array([0.0, 0.3]),
    }
    X = np.array([[0.5, 1.0], [-1.0, 0.0], [2.0, -1.5]])
    Z = np.tanh(X @ params["W1"] + params["b1"]) @ params["W2"] + params["b2"]
    expected = np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True)
    got = np.asarray(nb.function("forward")(params, X), dtype=float)
    assert got.shape == (3, 2), f"expected shape (3, 2), got {got.shape}"
    np.testing.assert_allclose(got, expected, rtol=1e-10)


@pytest.mark.points(1)
@pytest.mark.hint(
    "With W2 = 0 and b2 = 0 every class gets probability 1/K, so the mean cross-entropy is log K."
)
def test_loss_uniform_predictions(nb):
    params = {
        "W1": np.array([[0.3, -0.7], [1.1, 0.2]]),
        "b1": np.zeros(2),
        "W2": np.zeros((2, 4)),
        "b2": np.zeros(4),
    }
    X = np.array([[1.0, 2.0], [0.0, -1.0], [3.0, 0.5]])
    got = nb.function("loss")(params, X, np.array([0, 3, 1]))
    assert np.ndim(got) == 0, "loss must return a single number"
    np.testing.assert_allclose(float(got), np.log(4), rtol=1e-12)
