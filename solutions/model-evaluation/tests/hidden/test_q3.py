import numpy as np
import pytest
from sklearn import metrics


@pytest.mark.points(1.5)
@pytest.mark.hint("per_class_f1 must work for any number of classes, straight from the matrix.")
def test_per_class_f1_random(nb):
    rng = np.random.default_rng(121)
    y_true = rng.integers(0, 6, size=400)
    y_pred = np.where(rng.random(400) < 0.5, y_true, rng.integers(0, 6, size=400))
    cm = metrics.confusion_matrix(y_true, y_pred, labels=range(6))
    got = np.asarray(nb.function("per_class_f1")(cm), dtype=float)
    np.testing.assert_allclose(got, metrics.f1_score(y_true, y_pred, average=None), rtol=1e-10)


@pytest.mark.points(1)
@pytest.mark.hint(
    "A class with 2 TP + FP + FN = 0 (it never occurs and is never predicted) has F1 = 0, "
    "not nan: divide only where the denominator is positive (np.divide(..., where=...))."
)
def test_per_class_f1_empty_class(nb):
    cm = np.array([[5, 1, 0], [2, 4, 0], [0, 0, 0]])
    got = np.asarray(nb.function("per_class_f1")(cm), dtype=float)
    assert not np.isnan(got).any(), "an empty class produced nan"
    np.testing.assert_allclose(got, [10 / 13, 8 / 11, 0.0], rtol=1e-10)


@pytest.mark.points(1)
@pytest.mark.hint("A class that is never predicted has TP = 0, so its F1 is 0.")
def test_macro_f1_class_never_predicted(nb):
    y_true = np.array([0, 1, 2, 2, 1, 0, 2, 1])
    y_pred = np.array([0, 1, 1, 1, 1, 0, 0, 1])
    got = nb.function("macro_f1")(y_true, y_pred)
    expected = metrics.f1_score(y_true, y_pred, average="macro", zero_division=0)
    np.testing.assert_allclose(float(got), expected, rtol=1e-10)


@pytest.mark.points(1)
@pytest.mark.hint(
    "Average over every label found in y_true or y_pred, including one that only appears "
    "in the predictions; labels may be strings."
)
def test_macro_f1_string_labels_and_prediction_only_label(nb):
    y_true = np.array(["a", "b", "c", "a", "b", "c", "a"])
    y_pred = np.array(["a", "b", "d", "a", "c", "c", "b"])
    got = nb.function("macro_f1")(y_true, y_pred)
    expected = metrics.f1_score(y_true, y_pred, average="macro", zero_division=0)
    np.testing.assert_allclose(float(got), expected, rtol=1e-10)
