"""Q2 public checks: the scaler is fitted on the training split only."""

import numpy as np
import pytest


@pytest.mark.hint(
    "Fit the StandardScaler on X_train only (scaler.fit(X_train)), never on X or X_test."
)
def test_scaler_learned_the_training_statistics(nb):
    scaler = nb["scaler"]
    assert getattr(scaler, "class_name", None) == "StandardScaler", (
        "scaler should be a StandardScaler"
    )
    X_train = nb["X_train"]
    np.testing.assert_allclose(
        scaler.mean_,
        np.mean(X_train, axis=0),
        rtol=1e-9,
        err_msg="scaler.mean_ is not the mean of X_train: the scaler saw other rows",
    )


@pytest.mark.hint("Transform both splits with the one scaler fitted on the training split.")
def test_scaled_splits(nb):
    train_s, test_s = np.asarray(nb["X_train_scaled"]), np.asarray(nb["X_test_scaled"])
    X_test = np.asarray(nb["X_test"], dtype=float)
    np.testing.assert_allclose(train_s.mean(axis=0), 0, atol=1e-9, err_msg="training means")
    np.testing.assert_allclose(train_s.std(axis=0), 1, atol=1e-9, err_msg="training stds")
    scaler = nb["scaler"]
    np.testing.assert_allclose(
        test_s,
        (X_test - scaler.mean_) / scaler.scale_,
        rtol=1e-9,
        atol=1e-9,
        err_msg="X_test_scaled should be scaler.transform(X_test)",
    )
