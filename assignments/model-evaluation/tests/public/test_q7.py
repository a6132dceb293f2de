import numpy as np
import pytest


@pytest.mark.points(1)
@pytest.mark.hint(
    "bias^2: mean over points of (mean prediction - f_true)^2; variance: mean over points of "
    "predictions.var(axis=0)."
)
def test_bias_variance_example(nb):
    predictions = np.array([[1.0, 2.0], [3.0, 4.0]])  # mean prediction [2, 3]
    got = nb.function("bias_variance")(predictions, np.array([2.0, 2.0]))
    assert isinstance(got, (tuple, list)) and len(got) == 2, "return (bias_squared, variance)"
    np.testing.assert_allclose([float(got[0]), float(got[1])], [0.5, 1.0], rtol=1e-12)


@pytest.mark.points(1)
@pytest.mark.hint("best_degree is the entry of `degrees` with the smallest bias^2 + variance.")
def test_best_degree(nb):
    got = nb["best_degree"]
    assert isinstance(got, (int, np.integer)), (
        f"best_degree should be an int, got {type(got).__name__}"
    )
    predictions, f_grid = np.asarray(nb["predictions"]), np.asarray(nb["f_grid"])
    degrees = list(nb["degrees"])
    mse = ((predictions - f_grid) ** 2).mean(axis=(1, 2))  # = bias^2 + variance per degree
    assert got == degrees[int(np.argmin(mse))], f"degree {got} does not have the smallest error"
