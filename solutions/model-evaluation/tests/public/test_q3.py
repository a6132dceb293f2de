import numpy as np
import pytest
from sklearn import metrics

Y_TRUE = np.array([0, 0, 1, 1, 1, 2, 2, 2, 2, 0])
Y_PRED = np.array([0, 1, 1, 1, 2, 2, 2, 0, 2, 0])


@pytest.mark.points(1)
@pytest.mark.hint(
    "TP is the diagonal, FP the column sums minus the diagonal, FN the row sums minus the "
    "diagonal; F1 = 2 TP / (2 TP + FP + FN) for every class at once."
)
def test_per_class_f1_example(nb):
    cm = metrics.confusion_matrix(Y_TRUE, Y_PRED)
    got = np.asarray(nb.function("per_class_f1")(cm), dtype=float)
    assert got.shape == (3,), f"expected one F1 per class, shape (3,), got {got.shape}"
    np.testing.assert_allclose(got, metrics.f1_score(Y_TRUE, Y_PRED, average=None), rtol=1e-10)


@pytest.mark.points(1)
@pytest.mark.hint("Macro F1 is the plain mean of the per-class F1 scores.")
def test_macro_f1_example(nb):
    got = nb.function("macro_f1")(Y_TRUE, Y_PRED)
    assert np.ndim(got) == 0, "macro_f1 must return a single number"
    expected = metrics.f1_score(Y_TRUE, Y_PRED, average="macro")
    np.testing.assert_allclose(float(got), expected, rtol=1e-10)
