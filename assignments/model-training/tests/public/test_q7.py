"""Q7 public check: the digits model on the test split."""

import pytest
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split


@pytest.mark.hint("Fit digits_model on Xg_train, yg_train; a scaled SVC or k-NN does well.")
def test_digits_model_on_the_test_split(nb):
    X, y = load_digits(return_X_y=True, as_frame=True)
    _, X_test, _, y_test = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
    accuracy = nb.eval("digits_model.score(X, y)", X=X_test, y=y_test)
    assert accuracy >= 0.94, f"expected test accuracy >= 0.94, got {accuracy:.3f}"
