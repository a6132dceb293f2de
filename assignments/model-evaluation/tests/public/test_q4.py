import numpy as np
import pytest
from sklearn import metrics


@pytest.mark.points(1.5)
@pytest.mark.hint(
    "thresholds = [inf] + the distinct scores in decreasing order; at each threshold t count "
    "the positives and negatives with score >= t. Tied scores give one point."
)
def test_roc_points_example(nb):
    y_true = np.array([0, 0, 1, 1, 0, 1, 1, 0])
    scores = np.array([0.1, 0.4, 0.35, 0.8, 0.4, 0.4, 0.9, 0.2])
    got = nb.function("roc_points")(y_true, scores)
    assert isinstance(got, (tuple, list)) and len(got) == 3, "return (fpr, tpr, thresholds)"
    fpr, tpr, thresholds = (np.asarray(a, dtype=float) for a in got)
    ref_fpr, ref_tpr, ref_thr = metrics.roc_curve(y_true, scores, drop_intermediate=False)
    assert thresholds.shape == ref_thr.shape, (
        f"expected {ref_thr.size} thresholds (inf and the distinct scores), got {thresholds.size}"
    )
    np.testing.assert_allclose(thresholds, ref_thr, rtol=1e-12)
    np.testing.assert_allclose(fpr, ref_fpr, rtol=1e-12, atol=1e-12, err_msg="fpr")
    np.testing.assert_allclose(tpr, ref_tpr, rtol=1e-12, atol=1e-12, err_msg="tpr")


@pytest.mark.points(1)
@pytest.mark.hint("Sum (x[i+1] - x[i]) * (y[i] + y[i+1]) / 2 over consecutive points.")
def test_auc_trapezoid_example(nb):
    got = nb.function("auc_trapezoid")(np.array([0.0, 0.5, 1.0]), np.array([0.0, 1.0, 1.0]))
    assert np.ndim(got) == 0, "auc_trapezoid must return a single number"
    np.testing.assert_allclose(float(got), 0.75, rtol=1e-12)


@pytest.mark.points(1)
@pytest.mark.hint(
    "test_auc = auc_trapezoid(fpr, tpr) with (fpr, tpr) from roc_points(y_test, y_score)."
)
def test_test_auc(nb):
    got = nb["test_auc"]
    assert isinstance(got, (float, np.floating)), (
        f"test_auc should be a float, got {type(got).__name__}"
    )
    expected = metrics.roc_auc_score(np.asarray(nb["y_test"]), np.asarray(nb["y_score"]))
    np.testing.assert_allclose(float(got), expected, rtol=1e-10)
