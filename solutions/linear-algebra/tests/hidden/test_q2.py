import numpy as np
import pytest


def _reference_projection(u, v):
    # least-squares coefficient of u on the single column v, an independent route to proj_v(u)
    t, *_ = np.linalg.lstsq(v[:, None], u, rcond=None)
    return v * t[0]


@pytest.mark.points(1)
@pytest.mark.hint("proj_v(u) = (u @ v) / (v @ v) * v, for vectors of any length.")
def test_project_random_vectors(nb):
    project = nb.function("project")
    rng = np.random.default_rng(21)
    for d in (3, 7):
        u, v = rng.normal(size=d), rng.normal(size=d)
        got = np.asarray(project(u, v))
        assert got.shape == (d,), f"expected shape ({d},), got {got.shape}"
        np.testing.assert_allclose(got, _reference_projection(u, v), rtol=1e-7, atol=1e-12)
        assert abs((u - got) @ v) < 1e-9, "the residual u - proj_v(u) is not orthogonal to v"


@pytest.mark.points(1)
@pytest.mark.hint("Projecting onto the zero vector gives the zero vector, not nan.")
def test_project_onto_zero_vector(nb):
    got = np.asarray(nb.function("project")(np.array([1.0, -2.0, 3.0]), np.zeros(3)))
    assert not np.isnan(got).any(), "projection onto the zero vector produced nan"
    np.testing.assert_allclose(got, np.zeros(3), atol=1e-12)


@pytest.mark.points(1)
@pytest.mark.hint(
    "P must be symmetric, idempotent (P @ P == P), of rank 1, with P @ u == project(u, v)."
)
def test_projection_matrix_properties(nb):
    rng = np.random.default_rng(22)
    v, u = rng.normal(size=5), rng.normal(size=5)
    P = np.asarray(nb.function("projection_matrix")(v))
    assert P.shape == (5, 5), f"expected shape (5, 5), got {P.shape}"
    np.testing.assert_allclose(P, P.T, atol=1e-12, err_msg="P is not symmetric")
    np.testing.assert_allclose(P @ P, P, atol=1e-10, err_msg="P @ P != P")
    assert np.linalg.matrix_rank(P) == 1, "a projection onto a line has rank 1"
    np.testing.assert_allclose(P @ u, _reference_projection(u, v), rtol=1e-7, atol=1e-12)


@pytest.mark.points(1)
@pytest.mark.hint("For v = 0 return the d x d zero matrix.")
def test_projection_matrix_zero_vector(nb):
    got = np.asarray(nb.function("projection_matrix")(np.zeros(4)))
    assert got.shape == (4, 4), f"expected shape (4, 4), got {got.shape}"
    assert not np.isnan(got).any(), "the zero vector produced nan"
    np.testing.assert_allclose(got, np.zeros((4, 4)), atol=1e-12)
