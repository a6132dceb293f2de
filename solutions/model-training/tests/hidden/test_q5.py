"""Q5 hidden checks: the tuned k-NN on held-out wine; tune_knn on another data set."""

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_iris, load_wine
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler


@pytest.mark.points(2)
@pytest.mark.hint("Scale inside the pipeline: k-NN on unscaled wine features is far worse.")
def test_search_on_hidden_wine(nb, hidden_data):
    frame = pd.read_csv(hidden_data / "wine_holdout.csv")
    X, y = frame.drop(columns="target"), frame["target"].to_numpy()
    pred = np.asarray(nb.eval("search.predict(X)", X=X))
    assert pred.shape == y.shape, f"expected {len(y)} predictions, got shape {pred.shape}"
    accuracy = float(np.mean(pred == y))
    assert accuracy >= 0.9, f"expected accuracy >= 0.9 on held-out wine, got {accuracy:.3f}"


@pytest.mark.points(2)
@pytest.mark.hint(
    "n_neighbors in [1, 5, 9, 15], weights in ['uniform', 'distance'], cv=3, fitted on the "
    "data passed in."
)
def test_tune_knn_on_another_data_set(nb):
    X, y = load_iris(return_X_y=True, as_frame=True)
    best_score, best_params = nb.eval(
        "(lambda s: (float(s.best_score_), "
        "{k.rsplit('__', 1)[-1]: v for k, v in s.best_params_.items()}))(tune_knn(X, y))",
        X=X,
        y=y,
    )
    reference = GridSearchCV(
        Pipeline([("scale", StandardScaler()), ("knn", KNeighborsClassifier())]),
        {"knn__n_neighbors": [1, 5, 9, 15], "knn__weights": ["uniform", "distance"]},
        cv=3,
    ).fit(X, y)
    assert best_score == pytest.approx(reference.best_score_, abs=1e-9), (
        f"best CV accuracy {best_score:.4f}, expected {reference.best_score_:.4f}: "
        "check the grid, cv=3 and the scaler inside the pipeline"
    )
    scores = {
        (p["knn__n_neighbors"], p["knn__weights"]): s
        for p, s in zip(
            reference.cv_results_["params"], reference.cv_results_["mean_test_score"], strict=True
        )
    }
    chosen = (best_params.get("n_neighbors"), best_params.get("weights"))
    assert scores.get(chosen) == pytest.approx(reference.best_score_, abs=1e-9), (
        f"best_params_ {best_params} is not a best candidate"
    )


@pytest.mark.hint("Fit the search on Xw_train, yw_train only: the test split stays untouched.")
def test_search_was_fitted_on_the_training_split(nb):
    X, y = load_wine(return_X_y=True, as_frame=True)
    X_train, _, _, _ = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
    mean = np.asarray(nb.eval("search.best_estimator_[0].mean_"), dtype=float)
    np.testing.assert_allclose(
        mean,
        X_train.mean(axis=0),
        rtol=1e-9,
        err_msg="the refitted best model's scaler did not learn the wine training split's means",
    )
