"""Q6 hidden checks: honest_cv_accuracy reproduces the leak-free estimate."""

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer
from sklearn.feature_selection import SelectKBest, f_classif
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline


def reference(X, y, k, seed):
    pipeline = make_pipeline(SelectKBest(f_classif, k=k), LogisticRegression(max_iter=1000))
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=seed)
    return float(cross_val_score(pipeline, X, y, cv=folds).mean())


def leaky(X, y, k, seed):
    selected = SelectKBest(f_classif, k=k).fit_transform(X, y)
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=seed)
    return float(cross_val_score(LogisticRegression(max_iter=1000), selected, y, cv=folds).mean())


@pytest.mark.points(2)
@pytest.mark.hint("Use the k and seed arguments: SelectKBest(f_classif, k=k), random_state=seed.")
def test_honest_cv_accuracy_on_new_noise(nb):
    rng = np.random.default_rng(90210)
    X = rng.normal(size=(120, 800))
    y = rng.permutation(np.repeat([0, 1], 60))
    got = nb.function("honest_cv_accuracy")(X, y, k=10, seed=3)
    want = reference(X, y, k=10, seed=3)
    assert leaky(X, y, k=10, seed=3) > want + 0.2, "check data: the leak should show here"
    assert float(got) == pytest.approx(want, abs=1e-9), (
        f"expected the leak-free estimate {want:.3f}, got {float(got):.3f}"
    )


@pytest.mark.hint("Return the mean of the 5 fold accuracies (a float).")
def test_honest_cv_accuracy_on_real_data(nb):
    X, y = load_breast_cancer(return_X_y=True)
    got = nb.function("honest_cv_accuracy")(X, y, k=5, seed=1)
    want = reference(X, y, k=5, seed=1)
    assert float(got) == pytest.approx(want, abs=1e-9), f"expected {want:.4f}, got {float(got):.4f}"
