import numpy as np
import pytest

SHAPES = {"W1": (2, 3), "b1": (3,), "W2": (3, 2), "b2": (2,)}


def _setup():
    rng = np.random.default_rng(7)
    params = {key: rng.normal(size=shape) for key, shape in SHAPES.items()}
    X = rng.normal(size=(6, 2))
    y = np.array([0, 1, 1, 0, 1, 0])
    return params, X, y


def _grads(nb, params, X, y):
    got = nb.function("backward")(params, X, y)
    assert isinstance(got, dict), f"backward should return a dict, got {type(got).__name__}"
    assert set(got) == set(SHAPES), f"expected the keys {sorted(SHAPES)}, got {sorted(got)}"
    out = {}
    for key, shape in SHAPES.items():
        out[key] = np.asarray(got[key], dtype=float)
        assert out[key].shape == shape, f"d{key}: expected shape {shape}, got {out[key].shape}"
    return out


@pytest.mark.points(1)
@pytest.mark.hint(
    "Each gradient has the shape of its parameter; the bias gradients sum over the rows (axis=0)."
)
def test_backward_shapes(nb):
    _grads(nb, *_setup())


@pytest.mark.points(2)
@pytest.mark.hint(
    "This compares backward with central differences of YOUR loss at the check's own weights. "
    "Start from dZ2 = (P - Y) / n and apply the chain rule layer by layer; tanh' = 1 - tanh**2."
)
def test_backward_matches_numerical_gradient_of_your_loss(nb):
    params, X, y = _setup()
    h = 1e-5
    perturbed, where = [], []
    for key in SHAPES:
        for idx in np.ndindex(SHAPES[key]):
            for sign in (1.0, -1.0):
                value = params[key].copy()
                value[idx] += sign * h
                perturbed.append({**params, key: value})
            where.append((key, idx))
    values = np.asarray(
        nb.eval("[loss(p, X, y) for p in plist]", plist=perturbed, X=X, y=y), dtype=float
    )
    numerical = {key: np.zeros(shape) for key, shape in SHAPES.items()}
    for j, (key, idx) in enumerate(where):
        numerical[key][idx] = (values[2 * j] - values[2 * j + 1]) / (2 * h)
    grads = _grads(nb, params, X, y)
    for key in SHAPES:
        np.testing.assert_allclose(grads[key], numerical[key], rtol=1e-5, atol=1e-8, err_msg=key)


@pytest.mark.points(1)
@pytest.mark.hint(
    "For every key, ||g_backprop - g_numerical|| / (||g_backprop|| + ||g_numerical||); return the "
    "largest. A correct backward gives about 1e-9."
)
def test_grad_check_error_is_small(nb):
    got = nb.function("grad_check_error")(*_setup())
    assert np.ndim(got) == 0, "grad_check_error must return a single number"
    assert 0 <= float(got) < 1e-6, f"expected a relative error below 1e-6, got {got}"
