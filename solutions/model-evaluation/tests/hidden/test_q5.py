import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler


def _folds(nb, n, k):
    folds = nb.function("kfold_indices")(n, k)
    assert isinstance(folds, (list, tuple)), f"return a list of pairs, got {type(folds).__name__}"
    assert len(folds) == k, f"n={n}, k={k}: expected {k} folds, got {len(folds)}"
    return [(np.asarray(train), np.asarray(test)) for train, test in folds]


@pytest.mark.points(1.5)
@pytest.mark.hint("Match KFold(n_splits=k) without shuffling, also when k does not divide n.")
def test_kfold_indices_match_kfold(nb):
    for n, k in ((23, 5), (100, 10), (7, 7), (5, 2), (31, 4)):
        ref = list(KFold(k).split(np.zeros(n)))
        for i, ((train, test), (ref_train, ref_test)) in enumerate(
            zip(_folds(nb, n, k), ref, strict=True)
        ):
            np.testing.assert_array_equal(test, ref_test, err_msg=f"n={n}, k={k}, fold {i} test")
            np.testing.assert_array_equal(train, ref_train, err_msg=f"n={n}, k={k}, fold {i} train")


@pytest.mark.points(1)
@pytest.mark.hint(
    "The test folds must partition range(n) (every index exactly once) and each training set "
    "must be the complement of its test fold."
)
def test_kfold_indices_partition(nb):
    n, k = 47, 6
    folds = _folds(nb, n, k)
    all_test = np.concatenate([test for _, test in folds])
    np.testing.assert_array_equal(np.sort(all_test), np.arange(n), err_msg="test folds")
    for train, test in folds:
        assert np.intersect1d(train, test).size == 0, "a training set overlaps its test fold"
        assert train.size + test.size == n, "train and test together must cover all samples"
    sizes = sorted(test.size for _, test in folds)
    assert sizes[-1] - sizes[0] <= 1, f"fold sizes must differ by at most one, got {sizes}"


@pytest.mark.points(2)
@pytest.mark.hint(
    "cross_val_accuracy must agree with cross_val_score(pipeline, X, y, cv=KFold(k)) on any "
    "data: fit a fresh scaler + logistic regression on each training fold only."
)
def test_cross_val_accuracy_other_data(nb):
    cross_val_accuracy = nb.function("cross_val_accuracy")
    X, y = make_classification(
        n_samples=157, n_features=8, n_informative=4, flip_y=0.1, random_state=3
    )
    X = X * np.array([1, 10, 100, 1000, 1, 0.1, 0.01, 5.0]) + 50.0  # wildly different scales
    for k in (4, 7):
        got = np.asarray(cross_val_accuracy(X, y, k), dtype=float)
        model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
        expected = cross_val_score(model, X, y, cv=KFold(k))
        assert got.shape == (k,), f"k={k}: expected {k} scores, got shape {got.shape}"
        np.testing.assert_allclose(got, expected, atol=1e-12, err_msg=f"k={k}")


@pytest.mark.points(1)
@pytest.mark.hint(
    "Fit the StandardScaler inside each fold, on the training indices only. Scaling all of X "
    "first leaks the test fold's statistics into training and hides a shift in the data."
)
def test_cross_val_accuracy_fits_scaler_inside_folds(nb):
    X, y = make_classification(
        n_samples=60, n_features=5, n_informative=3, n_redundant=0, flip_y=0.05, random_state=3
    )
    X[-12:, 0] = 30 * X[-12:, 0] + 40  # the last fold was measured on another scale
    got = np.asarray(nb.function("cross_val_accuracy")(X, y, 5), dtype=float)
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    expected = cross_val_score(model, X, y, cv=KFold(5))
    leaky = cross_val_score(
        LogisticRegression(max_iter=1000), StandardScaler().fit_transform(X), y, cv=KFold(5)
    )
    assert got.shape == (5,), f"expected 5 scores, got shape {got.shape}"
    assert not np.allclose(got, leaky, atol=1e-12), (
        "these are the scores of a scaler fitted on all of X before splitting: data leakage"
    )
    np.testing.assert_allclose(got, expected, atol=1e-12)
