import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler


@pytest.mark.points(1.5)
@pytest.mark.hint(
    "For n=10, k=3 the test folds are [0..3], [4..6], [7..9]: the first n % k folds get one "
    "extra sample; the training set is everything else."
)
def test_kfold_indices_example(nb):
    folds = nb.function("kfold_indices")(10, 3)
    assert isinstance(folds, (list, tuple)), f"return a list of pairs, got {type(folds).__name__}"
    assert len(folds) == 3, f"expected 3 folds, got {len(folds)}"
    for (train, test), (ref_train, ref_test) in zip(
        folds, KFold(3).split(np.zeros(10)), strict=True
    ):
        np.testing.assert_array_equal(np.asarray(test), ref_test, err_msg="test indices")
        np.testing.assert_array_equal(np.asarray(train), ref_train, err_msg="train indices")


@pytest.mark.points(1.5)
@pytest.mark.hint(
    "In every fold build a new make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)),"
    " fit it on the training indices only and score it on the test indices."
)
def test_cross_val_accuracy_breast_cancer(nb):
    X, y = load_breast_cancer(return_X_y=True)
    got = np.asarray(nb.function("cross_val_accuracy")(X, 1 - y, 5), dtype=float)
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    expected = cross_val_score(model, X, 1 - y, cv=KFold(5))
    assert got.shape == (5,), f"expected 5 scores, got shape {got.shape}"
    np.testing.assert_allclose(got, expected, atol=1e-12)
