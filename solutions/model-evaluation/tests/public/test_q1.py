import numpy as np
import pytest
from sklearn.metrics import confusion_matrix


@pytest.mark.points(1)
@pytest.mark.hint("Rows are the true labels, columns the predicted ones, both in sorted order.")
def test_confusion_matrix_binary_example(nb):
    y_true = np.array([0, 1, 1, 0, 1, 1])
    y_pred = np.array([0, 1, 0, 1, 1, 1])
    got = np.asarray(nb.function("confusion_matrix_by_hand")(y_true, y_pred))
    assert got.shape == (2, 2), f"expected shape (2, 2), got {got.shape}"
    np.testing.assert_array_equal(got, confusion_matrix(y_true, y_pred))


@pytest.mark.points(1)
@pytest.mark.hint(
    "Three labels give a 3 x 3 matrix; C[i, j] counts true label i predicted as label j."
)
def test_confusion_matrix_three_classes(nb):
    y_true = np.array([2, 0, 2, 2, 0, 1])
    y_pred = np.array([0, 0, 2, 2, 0, 2])
    got = np.asarray(nb.function("confusion_matrix_by_hand")(y_true, y_pred))
    np.testing.assert_array_equal(got, confusion_matrix(y_true, y_pred))


@pytest.mark.points(1)
@pytest.mark.hint(
    "A false negative is a malignant tumour (true 1) predicted benign (0): "
    "row 1, column 0 of the confusion matrix of y_test and y_pred."
)
def test_n_false_negatives(nb):
    got = nb["n_false_negatives"]
    assert isinstance(got, (int, np.integer)), (
        f"n_false_negatives should be an int, got {type(got).__name__}"
    )
    y_test, y_pred = np.asarray(nb["y_test"]), np.asarray(nb["y_pred"])
    expected = int(np.sum((y_test == 1) & (y_pred == 0)))
    assert got == expected, f"n_false_negatives = {got} is not the number of missed malignant cases"
