import numpy as np
import pandas as pd
import pytest
from scipy.stats import mannwhitneyu
from sklearn import metrics


def _roc(nb, y_true, scores):
    got = nb.function("roc_points")(y_true, scores)
    assert isinstance(got, (tuple, list)) and len(got) == 3, "return (fpr, tpr, thresholds)"
    return tuple(np.asarray(a, dtype=float) for a in got)


@pytest.mark.points(1.5)
@pytest.mark.hint(
    "Many scores tie in real data: take np.unique of the scores (decreasing) as thresholds, "
    "so that each group of ties moves the curve in one step."
)
def test_roc_points_with_many_ties(nb, hidden_data):
    data = pd.read_csv(hidden_data / "digits8_heldout.csv")
    y_true, scores = data["y_true"].to_numpy(), data["score_lr"].to_numpy()
    fpr, tpr, thresholds = _roc(nb, y_true, scores)
    ref_fpr, ref_tpr, ref_thr = metrics.roc_curve(y_true, scores, drop_intermediate=False)
    assert thresholds.shape == ref_thr.shape, (
        f"expected {ref_thr.size} thresholds (inf and the distinct scores), got {thresholds.size}"
    )
    np.testing.assert_allclose(thresholds, ref_thr, rtol=1e-12)
    np.testing.assert_allclose(fpr, ref_fpr, atol=1e-12, err_msg="fpr")
    np.testing.assert_allclose(tpr, ref_tpr, atol=1e-12, err_msg="tpr")


@pytest.mark.points(1)
@pytest.mark.hint(
    "The ROC curve starts at (0, 0) for threshold inf and ends at (1, 1); fpr and tpr never "
    "decrease."
)
def test_roc_points_shape_of_curve(nb):
    rng = np.random.default_rng(131)
    y_true = rng.integers(0, 2, size=120)
    scores = rng.normal(size=120) + y_true
    fpr, tpr, thresholds = _roc(nb, y_true, scores)
    assert thresholds[0] == np.inf, "the first threshold must be np.inf"
    assert (fpr[0], tpr[0]) == (0.0, 0.0), "the curve must start at (0, 0)"
    assert (fpr[-1], tpr[-1]) == (1.0, 1.0), "the curve must end at (1, 1)"
    assert np.all(np.diff(fpr) >= 0) and np.all(np.diff(tpr) >= 0), "fpr/tpr must not decrease"
    assert np.all(np.diff(thresholds) < 0), "thresholds must be strictly decreasing"


@pytest.mark.points(1.5)
@pytest.mark.hint(
    "The AUC of roc_points + auc_trapezoid must equal P(score of a positive > score of a "
    "negative) + 0.5 P(tie), i.e. roc_auc_score, also with ties."
)
def test_auc_equals_mann_whitney_probability(nb, hidden_data):
    roc_points, auc_trapezoid = nb.function("roc_points"), nb.function("auc_trapezoid")
    data = pd.read_csv(hidden_data / "digits8_heldout.csv")
    rng = np.random.default_rng(132)
    y_rand = rng.integers(0, 2, size=200)
    cases = [
        (data["y_true"].to_numpy(), data["prob_nb"].to_numpy()),
        (data["y_true"].to_numpy(), data["score_lr"].to_numpy()),
        (y_rand, rng.normal(size=200) + 0.7 * y_rand),
    ]
    for y_true, scores in cases:
        fpr, tpr, _ = roc_points(y_true, scores)
        got = float(auc_trapezoid(fpr, tpr))
        pos, neg = scores[y_true == 1], scores[y_true == 0]
        expected = mannwhitneyu(pos, neg).statistic / (len(pos) * len(neg))
        np.testing.assert_allclose(got, expected, rtol=1e-9)


@pytest.mark.points(1)
@pytest.mark.hint("The trapezoid rule must also handle unevenly spaced x values.")
def test_auc_trapezoid_uneven_spacing(nb):
    rng = np.random.default_rng(133)
    x = np.sort(rng.uniform(0, 3, size=25))
    y = np.sin(x) + 2
    got = nb.function("auc_trapezoid")(x, y)
    np.testing.assert_allclose(float(got), np.trapezoid(y, x), rtol=1e-12)


@pytest.mark.points(0.5)
@pytest.mark.hint("Perfectly separated scores give AUC 1; reversed scores give AUC 0.")
def test_auc_perfect_and_reversed(nb):
    roc_points, auc_trapezoid = nb.function("roc_points"), nb.function("auc_trapezoid")
    y_true = np.array([0, 0, 0, 1, 1])
    scores = np.array([0.1, 0.2, 0.3, 0.8, 0.9])
    for s, expected in ((scores, 1.0), (-scores, 0.0)):
        fpr, tpr, _ = roc_points(y_true, s)
        np.testing.assert_allclose(float(auc_trapezoid(fpr, tpr)), expected, atol=1e-12)
