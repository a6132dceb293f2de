"""Q1 public checks: the stratified split."""

import numpy as np
import pandas as pd
import pytest


@pytest.mark.hint("split_data(X, y) should hold out 25% of the rows, stratified by y.")
def test_notebook_split_shapes_and_balance(nb):
    X_train, X_test, y_test = nb["X_train"], nb["X_test"], nb["y_test"]
    assert np.shape(X_train) == (426, 30), f"X_train has shape {np.shape(X_train)}, not (426, 30)"
    assert np.shape(X_test) == (143, 30), f"X_test has shape {np.shape(X_test)}, not (143, 30)"
    share = float(np.mean(y_test))
    assert abs(share - 357 / 569) < 0.005, (
        f"class 1 makes up {share:.3f} of y_test but {357 / 569:.3f} of y: use stratify=y"
    )


@pytest.mark.hint("Pass stratify=y to train_test_split.")
def test_split_data_keeps_class_proportions(nb):
    X = pd.DataFrame({"a": np.arange(40.0), "b": np.arange(40.0) ** 2})
    y = pd.Series([0] * 32 + [1] * 8)
    X_train, X_test, _, y_test = nb.function("split_data")(X, y)
    assert len(X_test) == 10 and len(y_test) == 10, f"expected 10 test rows, got {len(X_test)}"
    assert len(X_train) == 30, f"expected 30 training rows, got {len(X_train)}"
    assert int(np.sum(y_test)) == 2, (
        f"a stratified test split has 2 of the 8 positives, got {int(np.sum(y_test))}"
    )
