import numpy as np
import pytest
from sklearn.metrics import confusion_matrix


@pytest.mark.points(1.5)
@pytest.mark.hint(
    "With labels=None use the sorted union of the labels in y_true and y_pred, so a label "
    "that only occurs in the predictions still gets a row and a column."
)
def test_confusion_matrix_random_multiclass(nb):
    rng = np.random.default_rng(101)
    y_true = rng.integers(0, 5, size=300)
    y_pred = np.where(rng.random(300) < 0.6, y_true, rng.integers(0, 6, size=300))
    got = np.asarray(nb.function("confusion_matrix_by_hand")(y_true, y_pred))
    expected = confusion_matrix(y_true, y_pred)
    assert got.shape == expected.shape, f"expected shape {expected.shape}, got {got.shape}"
    np.testing.assert_array_equal(got, expected)
    assert np.issubdtype(got.dtype, np.integer), f"expected integer counts, got {got.dtype}"


@pytest.mark.points(1)
@pytest.mark.hint(
    "Labels can be strings: map each label to its position instead of using it as an index."
)
def test_confusion_matrix_string_labels(nb):
    y_true = np.array(["cat", "dog", "dog", "bird", "cat", "bird", "dog"])
    y_pred = np.array(["cat", "cat", "dog", "bird", "dog", "cat", "dog"])
    got = np.asarray(nb.function("confusion_matrix_by_hand")(y_true, y_pred))
    np.testing.assert_array_equal(got, confusion_matrix(y_true, y_pred))


@pytest.mark.points(1)
@pytest.mark.hint(
    "When labels is given, it fixes the order of the rows and columns, and a label that never "
    "occurs still gets an (all-zero) row and column."
)
def test_confusion_matrix_given_label_order(nb):
    y_true = np.array([0, 1, 2, 2, 1, 0, 2])
    y_pred = np.array([0, 2, 2, 1, 1, 0, 0])
    labels = [2, 0, 3, 1]
    got = np.asarray(nb.function("confusion_matrix_by_hand")(y_true, y_pred, labels=labels))
    np.testing.assert_array_equal(got, confusion_matrix(y_true, y_pred, labels=labels))


@pytest.mark.points(1)
@pytest.mark.hint("Samples whose true or predicted label is not in `labels` are left out.")
def test_confusion_matrix_ignores_unlisted_labels(nb):
    rng = np.random.default_rng(102)
    y_true, y_pred = rng.integers(0, 4, size=60), rng.integers(0, 4, size=60)
    got = np.asarray(nb.function("confusion_matrix_by_hand")(y_true, y_pred, labels=[1, 3]))
    assert got.shape == (2, 2), f"expected shape (2, 2), got {got.shape}"
    np.testing.assert_array_equal(got, confusion_matrix(y_true, y_pred, labels=[1, 3]))
