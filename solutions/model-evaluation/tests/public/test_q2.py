import numpy as np
import pytest
from sklearn import metrics

Y_TRUE = np.array([1, 0, 1, 1, 0, 0, 1, 0, 1, 1])
Y_PRED = np.array([1, 0, 0, 1, 1, 0, 1, 0, 0, 1])  # TP 4, FP 1, FN 2, TN 3


def _check(nb, name, expected):
    got = nb.function(name)(Y_TRUE, Y_PRED)
    assert np.ndim(got) == 0, f"{name} must return a single number"
    np.testing.assert_allclose(float(got), expected, rtol=1e-10, err_msg=name)


@pytest.mark.points(0.5)
@pytest.mark.hint("accuracy = (TP + TN) / n: the mean of y_true == y_pred.")
def test_accuracy_example(nb):
    _check(nb, "accuracy", metrics.accuracy_score(Y_TRUE, Y_PRED))


@pytest.mark.points(0.5)
@pytest.mark.hint("precision = TP / (TP + FP): of the predicted positives, the share that are.")
def test_precision_example(nb):
    _check(nb, "precision", metrics.precision_score(Y_TRUE, Y_PRED))


@pytest.mark.points(0.5)
@pytest.mark.hint("recall = TP / (TP + FN): of the actual positives, the share found.")
def test_recall_example(nb):
    _check(nb, "recall", metrics.recall_score(Y_TRUE, Y_PRED))


@pytest.mark.points(0.5)
@pytest.mark.hint("F1 = 2 TP / (2 TP + FP + FN), the harmonic mean of precision and recall.")
def test_f1_example(nb):
    _check(nb, "f1", metrics.f1_score(Y_TRUE, Y_PRED))
