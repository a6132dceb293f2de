"""Q1 hidden checks: split_data matches a seeded, stratified train_test_split."""

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_wine
from sklearn.model_selection import train_test_split


def assert_same_split(got, want):
    names = ["X_train", "X_test", "y_train", "y_test"]
    assert isinstance(got, tuple | list) and len(got) == 4, (
        "return X_train, X_test, y_train, y_test"
    )
    for name, g, w in zip(names, got, want, strict=True):
        assert len(g) == len(w), f"{name} has {len(g)} rows, expected {len(w)}"
        assert list(g.index) == list(w.index), f"{name} holds other rows than expected"


@pytest.mark.points(2)
@pytest.mark.hint("Use the test_size and seed arguments (random_state=seed), and stratify=y.")
def test_split_data_uses_its_arguments(nb):
    X, y = load_wine(return_X_y=True, as_frame=True)
    got = nb.function("split_data")(X, y, test_size=0.3, seed=7)
    want = train_test_split(X, y, test_size=0.3, random_state=7, stratify=y)
    assert_same_split(got, want)


@pytest.mark.hint("Defaults: test_size=0.25, seed=0; always stratify=y.")
def test_split_data_defaults_on_imbalanced_labels(nb):
    rng = np.random.default_rng(11)
    X = pd.DataFrame(rng.normal(size=(200, 3)), columns=["u", "v", "w"], index=rng.permutation(200))
    y = pd.Series(np.r_[np.zeros(190, int), np.ones(10, int)][rng.permutation(200)], index=X.index)
    got = nb.function("split_data")(X, y)
    want = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
    assert_same_split(got, want)
    assert int(got[3].sum()) == int(want[3].sum()), "the test split should keep the 5% minority"
