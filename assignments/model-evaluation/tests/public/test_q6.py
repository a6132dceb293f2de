import numpy as np
import pytest
from sklearn.calibration import calibration_curve
from sklearn.metrics import brier_score_loss


def _reference_ece(y_true, y_prob, n_bins=10):
    prob_true, prob_pred = calibration_curve(y_true, y_prob, n_bins=n_bins)
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    counts = np.histogram(np.digitize(y_prob, edges[1:-1], right=True), bins=np.arange(n_bins + 1))[
        0
    ]
    weights = counts[counts > 0] / len(y_prob)
    return float(np.sum(weights * np.abs(prob_true - prob_pred)))


@pytest.mark.points(1)
@pytest.mark.hint(
    "Bins are closed on the right: 0.1 is in bin 0 and 1.0 in the last bin. "
    "np.searchsorted(np.linspace(0, 1, n_bins + 1)[1:-1], p) does exactly this."
)
def test_bin_ids_example(nb):
    p = np.array([0.0, 0.05, 0.1, 0.15, 0.55, 0.99, 1.0])
    got = np.asarray(nb.function("bin_ids")(p, 10))
    np.testing.assert_array_equal(got, [0, 0, 0, 1, 5, 9, 9])


@pytest.mark.points(1)
@pytest.mark.hint("In each non-empty bin: the mean of y_true and the mean of y_prob.")
def test_reliability_curve_example(nb):
    y_true = np.array([0, 0, 1, 0, 1, 1, 1, 0, 1, 1])
    y_prob = np.array([0.05, 0.15, 0.18, 0.42, 0.45, 0.61, 0.72, 0.77, 0.93, 0.97])
    got = nb.function("reliability_curve")(y_true, y_prob, n_bins=5)
    assert isinstance(got, (tuple, list)) and len(got) == 2, "return (prob_true, prob_pred)"
    ref_true, ref_pred = calibration_curve(y_true, y_prob, n_bins=5)
    np.testing.assert_allclose(np.asarray(got[0], dtype=float), ref_true, rtol=1e-12)
    np.testing.assert_allclose(np.asarray(got[1], dtype=float), ref_pred, rtol=1e-12)


@pytest.mark.points(0.5)
@pytest.mark.hint("Brier score = mean of (y_prob - y_true) ** 2.")
def test_brier_score_example(nb):
    y_true, y_prob = np.array([0, 1, 1, 0]), np.array([0.1, 0.8, 0.4, 0.3])
    got = nb.function("brier_score")(y_true, y_prob)
    np.testing.assert_allclose(float(got), brier_score_loss(y_true, y_prob), rtol=1e-12)


@pytest.mark.points(1.5)
@pytest.mark.hint(
    "ece_logistic = expected_calibration_error(y_test, y_score), and likewise for "
    "p_naive_bayes; the ECE weights each bin's |fraction true - mean prob| by n_b / n."
)
def test_ece_values(nb):
    y_test = np.asarray(nb["y_test"])
    for name, probs in (("ece_logistic", "y_score"), ("ece_naive_bayes", "p_naive_bayes")):
        got = nb[name]
        assert isinstance(got, (float, np.floating)), (
            f"{name} should be a float, got {type(got).__name__}"
        )
        expected = _reference_ece(y_test, np.asarray(nb[probs]))
        np.testing.assert_allclose(float(got), expected, rtol=1e-9, err_msg=name)
