"""Q3 public checks: the classification pipeline."""

import pytest
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split


@pytest.mark.hint("Pipeline([('scale', StandardScaler()), ('model', LogisticRegression(...))])")
def test_make_classifier_builds_an_unfitted_pipeline(nb):
    steps = nb.eval("[type(step).__name__ for _, step in make_classifier().steps]")
    assert steps == ["StandardScaler", "LogisticRegression"], (
        f"expected the steps StandardScaler, LogisticRegression; got {steps}"
    )
    assert nb.eval("make_classifier()[-1].max_iter") == 1000, (
        "use LogisticRegression(max_iter=1000)"
    )
    assert not nb.eval("hasattr(make_classifier()[0], 'mean_')"), "return the pipeline unfitted"


@pytest.mark.hint("clf = make_classifier().fit(X_train, y_train)")
def test_clf_scores_well_on_the_test_split(nb):
    X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    _, X_test, _, y_test = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
    accuracy = nb.eval("clf.score(X, y)", X=X_test, y=y_test)
    assert accuracy >= 0.94, f"expected test accuracy >= 0.94, got {accuracy:.3f}"
