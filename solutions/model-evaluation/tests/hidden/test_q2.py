import numpy as np
import pytest
from sklearn import metrics

SKLEARN = {
    "precision": metrics.precision_score,
    "recall": metrics.recall_score,
    "f1": metrics.f1_score,
}


def _compare(nb, y_true, y_pred, pos_label):
    for name, reference in SKLEARN.items():
        got = nb.function(name)(y_true, y_pred, pos_label=pos_label)
        assert np.ndim(got) == 0, f"{name} must return a single number"
        expected = reference(y_true, y_pred, pos_label=pos_label, zero_division=0)
        np.testing.assert_allclose(float(got), expected, rtol=1e-10, atol=1e-12, err_msg=name)


@pytest.mark.points(2)
@pytest.mark.hint("Count TP, FP and FN for the positive class and apply the definitions.")
def test_metrics_random_binary(nb):
    rng = np.random.default_rng(111)
    y_true = rng.integers(0, 2, size=250)
    y_pred = np.where(rng.random(250) < 0.7, y_true, 1 - y_true)
    got = nb.function("accuracy")(y_true, y_pred)
    np.testing.assert_allclose(float(got), metrics.accuracy_score(y_true, y_pred), rtol=1e-10)
    _compare(nb, y_true, y_pred, pos_label=1)


@pytest.mark.points(1)
@pytest.mark.hint("pos_label decides which class is positive: with pos_label=0, class 0 is.")
def test_metrics_pos_label_zero(nb):
    rng = np.random.default_rng(112)
    y_true = rng.integers(0, 2, size=80)
    y_pred = np.where(rng.random(80) < 0.6, y_true, 1 - y_true)
    _compare(nb, y_true, y_pred, pos_label=0)


@pytest.mark.points(1)
@pytest.mark.hint("Compare labels with == pos_label, so string labels such as 'spam' work too.")
def test_metrics_string_labels(nb):
    y_true = np.array(["spam", "ham", "spam", "ham", "ham", "spam", "spam", "ham"])
    y_pred = np.array(["spam", "spam", "ham", "ham", "ham", "spam", "spam", "spam"])
    got = nb.function("accuracy")(y_true, y_pred)
    np.testing.assert_allclose(float(got), metrics.accuracy_score(y_true, y_pred), rtol=1e-10)
    _compare(nb, y_true, y_pred, pos_label="spam")


@pytest.mark.points(1.5)
@pytest.mark.hint(
    "Return 0.0 when a denominator is zero: precision with no predicted positives, recall "
    "with no actual positives, F1 when TP + FP + FN = 0. Never nan, never an exception."
)
def test_metrics_zero_division(nb):
    no_predicted = (np.array([1, 0, 1, 0]), np.array([0, 0, 0, 0]))
    no_actual = (np.array([0, 0, 0, 0]), np.array([0, 1, 0, 0]))
    all_negative = (np.array([0, 0, 0]), np.array([0, 0, 0]))
    for y_true, y_pred in (no_predicted, no_actual, all_negative):
        _compare(nb, y_true, y_pred, pos_label=1)


@pytest.mark.points(0.5)
@pytest.mark.hint("Perfect predictions have accuracy, precision, recall and F1 all equal to 1.")
def test_metrics_perfect_predictions(nb):
    y = np.array([0, 1, 1, 0, 1])
    for name in ("accuracy", "precision", "recall", "f1"):
        np.testing.assert_allclose(float(nb.function(name)(y, y)), 1.0, rtol=1e-12, err_msg=name)
