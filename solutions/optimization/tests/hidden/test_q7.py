import numpy as np
import pytest


def _check_against_numerical(nb, ref, params, X, y):
    got = nb.function("backward")(params, X, y)
    shapes = {key: value.shape for key, value in params.items()}
    grads = ref.unpack_params(got, shapes)
    numerical = ref.net_numerical_grads(params, X, y)
    for key in shapes:
        # central differences with h = 1e-5 are accurate to about 1e-10 here
        np.testing.assert_allclose(grads[key], numerical[key], rtol=1e-5, atol=1e-8, err_msg=key)


@pytest.mark.points(3)
@pytest.mark.hint(
    "Go backwards from dZ2 = (P - Y) / n: through the product with W2, then through tanh (its "
    "derivative can be written with A1), then through the product with X. Each gradient has its "
    "parameter's shape; a bias is added to every row, so its gradient sums over the rows."
)
def test_backward_three_classes(nb, ref):
    params = ref.random_params(4, 5, 3, seed=701)
    rng = np.random.default_rng(702)
    X, y = rng.normal(size=(30, 4)), rng.integers(0, 3, size=30)
    _check_against_numerical(nb, ref, params, X, y)


@pytest.mark.points(1)
@pytest.mark.hint("A batch of one sample must work: keep the arrays two-dimensional.")
def test_backward_single_sample(nb, ref):
    params = ref.random_params(3, 4, 2, seed=703)
    _check_against_numerical(nb, ref, params, np.array([[0.5, -1.0, 2.0]]), np.array([1]))


@pytest.mark.points(1)
@pytest.mark.hint(
    "The loss is a mean over the n samples, so every gradient carries the factor 1/n; the bias "
    "gradients sum dZ over the rows."
)
def test_backward_moons_sized_batch(nb, ref):
    params = ref.random_params(2, 16, 2, seed=704, scale=1.5)
    X, y = ref.make_moons(200, seed=705)
    _check_against_numerical(nb, ref, params, X, y)


@pytest.mark.points(0.5)
@pytest.mark.hint(
    "When both gradients of a parameter are exactly zero (all-zero weights), that parameter "
    "contributes 0: do not divide 0 by 0."
)
def test_grad_check_error_all_zero_weights(nb):
    params = {"W1": np.zeros((2, 3)), "b1": np.zeros(3), "W2": np.zeros((3, 2)), "b2": np.zeros(2)}
    X = np.array([[1.0, 2.0], [-1.0, 0.5], [0.0, 1.0]])
    got = nb.function("grad_check_error")(params, X, np.array([0, 0, 1]))
    assert np.ndim(got) == 0, "grad_check_error must return a single number"
    assert np.isfinite(float(got)) and 0 <= float(got) < 1e-6, f"expected about 0, got {got}"


@pytest.mark.points(1)
@pytest.mark.hint(
    "grad_check_error must really compare backward() with numerical gradients of loss(): given "
    "a backward that returns wrong gradients (all ones), it must report a large error."
)
def test_grad_check_error_catches_a_wrong_backward(nb, ref):
    params = ref.random_params(2, 3, 2, seed=706)
    X = np.random.default_rng(707).normal(size=(8, 2))
    y = np.array([0, 1, 1, 0, 0, 1, 0, 1])
    # the student's grad_check_error, run with `backward` replaced by a wrong one
    expression = (
        "(lambda fn: type(fn)(fn.__code__, {**fn.__globals__, 'backward': wrong}, fn.__name__,"
        " fn.__defaults__, fn.__closure__))(grad_check_error)(params, X, y)"
    )
    got = nb.eval(
        f"(lambda wrong: {expression})("
        "lambda p, X, y: {key: value * 0.0 + 1.0 for key, value in p.items()})",
        params=params, X=X, y=y,
    )  # fmt: skip
    assert np.ndim(got) == 0, "grad_check_error must return a single number"
    assert float(got) > 0.1, (
        f"with a wrong backward, grad_check_error returned {float(got):.2e}: it does not compare "
        "backward with numerical gradients"
    )
