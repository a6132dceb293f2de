"""Reference implementations shared by the hidden checks, as the `ref` fixture.

They are written for clarity, not speed, and independently of the solution notebook where an
independent route exists (the loss from log P, the numerical gradients by an explicit loop).
"""

from types import SimpleNamespace

import numpy as np
import pytest


def fd_gradient(f, x, h=1e-5):
    """Central differences, entry by entry (the checks' own, not the student's)."""
    x = np.array(x, dtype=float)
    grad = np.zeros_like(x)
    flat, gflat = x.reshape(-1), grad.reshape(-1)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + h
        up = f(x)
        flat[i] = old - h
        down = f(x)
        flat[i] = old
        gflat[i] = (up - down) / (2 * h)
    return grad


def quadratic(x, A, b):
    return float(0.5 * x @ A @ x - b @ x)


def logistic_loss(w, X, y):
    z = X @ w
    return float(np.mean(np.logaddexp(0.0, z) - y * z))


def random_spd(d, eigenvalues, seed):
    """A symmetric positive-definite matrix with the given eigenvalues."""
    Q, _ = np.linalg.qr(np.random.default_rng(seed).standard_normal((d, d)))
    return Q @ np.diag(eigenvalues) @ Q.T


def gd_steps_to_tolerance(A, b, lr, tol, max_steps):
    x = np.zeros_like(b)
    for k in range(max_steps + 1):
        g = A @ x - b
        if np.linalg.norm(g) <= tol:
            return k
        if not np.all(np.isfinite(g)):
            return -1
        x = x - lr * g
    return -1


def random_params(d, h, k, seed, scale=1.0):
    rng = np.random.default_rng(seed)
    return {
        "W1": scale * rng.normal(size=(d, h)),
        "b1": scale * rng.normal(size=h),
        "W2": scale * rng.normal(size=(h, k)),
        "b2": scale * rng.normal(size=k),
    }


def logits(params, X):
    return np.tanh(X @ params["W1"] + params["b1"]) @ params["W2"] + params["b2"]


def forward(params, X):
    Z = logits(params, X)
    Z = Z - Z.max(axis=1, keepdims=True)
    E = np.exp(Z)
    return E / E.sum(axis=1, keepdims=True)


def net_loss(params, X, y):
    Z = logits(params, X)
    # log-softmax through scipy-free log-sum-exp
    top = Z.max(axis=1, keepdims=True)
    log_p = Z - top - np.log(np.exp(Z - top).sum(axis=1, keepdims=True))
    return float(-np.mean(log_p[np.arange(len(y)), y]))


def net_numerical_grads(params, X, y, h=1e-5):
    grads = {}
    for key in params:
        def loss_of(value, key=key):
            return net_loss({**params, key: value}, X, y)

        grads[key] = fd_gradient(loss_of, params[key], h)
    return grads


def net_backward(params, X, y):
    """Analytic gradients (used where a check needs exact values, e.g. one training step)."""
    n = len(y)
    A1 = np.tanh(X @ params["W1"] + params["b1"])
    dZ2 = forward(params, X)
    dZ2[np.arange(n), y] -= 1.0
    dZ2 /= n
    dZ1 = (dZ2 @ params["W2"].T) * (1.0 - A1**2)
    return {"W1": X.T @ dZ1, "b1": dZ1.sum(0), "W2": A1.T @ dZ2, "b2": dZ2.sum(0)}


def make_moons(n, noise=0.2, seed=0):
    """The notebook's data distribution (the checks draw their own samples from it)."""
    rng = np.random.default_rng(seed)
    n_upper = n // 2
    t_upper = rng.uniform(0, np.pi, n_upper)
    t_lower = rng.uniform(0, np.pi, n - n_upper)
    upper = np.column_stack([np.cos(t_upper), np.sin(t_upper)])
    lower = np.column_stack([1 - np.cos(t_lower), 0.5 - np.sin(t_lower)])
    X = np.vstack([upper, lower]) + rng.normal(scale=noise, size=(n, 2))
    y = np.concatenate([np.zeros(n_upper, dtype=int), np.ones(n - n_upper, dtype=int)])
    order = rng.permutation(n)
    return X[order], y[order]


def make_spirals(n_per_class, n_classes=3, noise=0.2, seed=0):
    """Interleaved spiral arms, one per class: no linear classifier does better than ~55%."""
    rng = np.random.default_rng(seed)
    X, y = [], []
    for c in range(n_classes):
        r = rng.uniform(0.1, 1.0, n_per_class)
        t = 2 * np.pi * c / n_classes + 4 * r + rng.normal(scale=noise, size=n_per_class)
        X.append(np.column_stack([r * np.cos(t), r * np.sin(t)]))
        y.append(np.full(n_per_class, c))
    X, y = np.vstack(X), np.concatenate(y)
    order = rng.permutation(len(y))
    return X[order], y[order]


def unpack_params(got, shapes):
    """The student's params dict, checked for keys and shapes, as float arrays."""
    assert isinstance(got, dict), f"expected a dict of parameters, got {type(got).__name__}"
    assert set(got) == set(shapes), f"expected the keys {sorted(shapes)}, got {sorted(got)}"
    out = {}
    for key, shape in shapes.items():
        value = np.asarray(got[key], dtype=float)
        assert value.shape == shape, f"{key}: expected shape {shape}, got {value.shape}"
        out[key] = value
    return out


def unpack_network(got, n_in, n_out):
    """A trained network's params dict with any number of hidden units."""
    assert isinstance(got, dict), f"expected a dict of parameters, got {type(got).__name__}"
    keys = {"W1", "b1", "W2", "b2"}
    assert keys <= set(got), f"expected the keys W1, b1, W2, b2, got {sorted(got)}"
    W1 = np.asarray(got["W1"], dtype=float)
    assert W1.ndim == 2 and W1.shape[0] == n_in, f"W1: expected shape ({n_in}, H), got {W1.shape}"
    n_hidden = W1.shape[1]
    shapes = {"W1": (n_in, n_hidden), "b1": (n_hidden,), "W2": (n_hidden, n_out), "b2": (n_out,)}
    return unpack_params({key: got[key] for key in shapes}, shapes)


@pytest.fixture
def ref():
    return SimpleNamespace(
        fd_gradient=fd_gradient,
        quadratic=quadratic,
        logistic_loss=logistic_loss,
        random_spd=random_spd,
        gd_steps_to_tolerance=gd_steps_to_tolerance,
        random_params=random_params,
        forward=forward,
        net_loss=net_loss,
        net_numerical_grads=net_numerical_grads,
        net_backward=net_backward,
        make_moons=make_moons,
        make_spirals=make_spirals,
        unpack_params=unpack_params,
        unpack_network=unpack_network,
    )
