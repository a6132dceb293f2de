import numpy as np
import pytest


@pytest.mark.points(1)
@pytest.mark.hint("proj_v(u) = (u @ v) / (v @ v) * v.")
def test_project_example(nb):
    got = np.asarray(nb.function("project")(np.array([2.0, 1.0]), np.array([1.0, 1.0])))
    np.testing.assert_allclose(got, [1.5, 1.5], rtol=1e-7)


@pytest.mark.points(1)
@pytest.mark.hint("P = np.outer(v, v) / (v @ v).")
def test_projection_matrix_example(nb):
    got = np.asarray(nb.function("projection_matrix")(np.array([0.0, 2.0])))
    assert got.shape == (2, 2), f"expected shape (2, 2), got {got.shape}"
    np.testing.assert_allclose(got, [[0.0, 0.0], [0.0, 1.0]], rtol=1e-7, atol=1e-12)
