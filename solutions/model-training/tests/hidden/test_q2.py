"""Q2 hidden checks: leakage of test rows into the scaler."""

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer, load_wine
from sklearn.model_selection import train_test_split


@pytest.mark.points(2)
@pytest.mark.hint("Split first, then fit the scaler on the training split only.")
def test_scaler_saw_only_the_training_rows(nb):
    X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    X_train, X_test, _, _ = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
    got = np.asarray(nb.eval("scaler.mean_"), dtype=float)
    for name, rows in [("the whole data set", X), ("the test split", X_test)]:
        assert not np.allclose(got, rows.mean(axis=0), rtol=1e-9), (
            f"the scaler's mean_ is the mean of {name}: it was fitted on rows it must not see"
        )
    np.testing.assert_allclose(
        got,
        X_train.mean(axis=0),
        rtol=1e-9,
        err_msg="the scaler's mean_ should be the mean of the seeded, stratified training split",
    )
    np.testing.assert_allclose(
        np.asarray(nb.eval("scaler.scale_"), dtype=float),
        X_train.std(axis=0, ddof=0),
        rtol=1e-9,
        err_msg="the scaler's scale_ should be the standard deviation of the training split",
    )


@pytest.mark.points(2)
@pytest.mark.hint("Use the seed argument; transform both splits with the training-fitted scaler.")
def test_split_and_scale_on_other_data(nb):
    X, y = load_wine(return_X_y=True, as_frame=True)
    got = nb.eval(
        "(lambda r: (r[0], r[1], list(r[3].index), r[4].mean_))(split_and_scale(X, y, seed=5))",
        X=X,
        y=y,
    )
    train_s, test_s, test_index, mean = got
    train_s, test_s = np.asarray(train_s, dtype=float), np.asarray(test_s, dtype=float)
    X_train, X_test, _, y_test = train_test_split(X, y, test_size=0.25, random_state=5, stratify=y)
    assert test_index == list(y_test.index), "split with split_data(X, y, seed=seed)"
    mu, sd = X_train.mean(axis=0).to_numpy(), X_train.std(axis=0, ddof=0).to_numpy()
    np.testing.assert_allclose(mean, mu, rtol=1e-9, err_msg="scaler fitted on the wrong rows")
    np.testing.assert_allclose(train_s, (X_train - mu) / sd, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(
        test_s,
        (X_test - mu) / sd,
        rtol=1e-7,
        atol=1e-9,
        err_msg="the test split must be scaled with the training statistics",
    )
