"""Q3 hidden checks: the classifier on held-out data and on another data set."""

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_breast_cancer, load_wine
from sklearn.model_selection import train_test_split


def holdout(hidden_data):
    frame = pd.read_csv(hidden_data / "breast_cancer_holdout.csv")
    return frame.drop(columns="target"), frame["target"].to_numpy()


@pytest.mark.points(2)
@pytest.mark.hint("Fit the pipeline on X_train, y_train; scale inside the pipeline.")
def test_clf_on_hidden_holdout(nb, hidden_data):
    X, y = holdout(hidden_data)
    pred = np.asarray(nb.eval("clf.predict(X)", X=X))
    assert pred.shape == y.shape, f"expected {len(y)} predictions, got shape {pred.shape}"
    accuracy = float(np.mean(pred == y))
    assert accuracy >= 0.92, f"expected accuracy >= 0.92 on held-out data, got {accuracy:.3f}"


@pytest.mark.hint("Fit clf on the training split only (the split of Q1), not on X or X_test.")
def test_clf_was_fitted_on_the_training_split(nb):
    X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    X_train, _, _, _ = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
    mean = np.asarray(nb.eval("clf[0].mean_"), dtype=float)
    np.testing.assert_allclose(
        mean,
        X_train.mean(axis=0),
        rtol=1e-9,
        err_msg="clf's scaler did not learn the training split's means: it saw other rows",
    )


@pytest.mark.hint("make_classifier() must build a new pipeline that works on any data set.")
def test_make_classifier_on_another_data_set(nb):
    X, y = load_wine(return_X_y=True, as_frame=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.3, random_state=3, stratify=y
    )
    accuracy = nb.eval(
        "make_classifier().fit(Xa, ya).score(Xb, yb)", Xa=X_train, ya=y_train, Xb=X_test, yb=y_test
    )
    assert accuracy >= 0.9, f"expected >= 0.9 accuracy on the wine data, got {accuracy:.3f}"
