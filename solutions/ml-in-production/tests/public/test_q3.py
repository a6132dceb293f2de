"""Q3 public checks: the card's keys, and metrics that are the model's on the test split."""

import numpy as np
import pytest
from sklearn.metrics import accuracy_score, precision_score, recall_score, roc_auc_score

KEYS = ["intended_use", "limitations", "metrics", "sklearn_version", "training_data"]


@pytest.mark.points(1)
@pytest.mark.hint("card is a dict with exactly the five keys of the question, and the nested keys.")
def test_card_has_the_keys(nb):
    card = nb["card"]
    assert isinstance(card, dict), f"card should be a dict, got {type(card).__name__}"
    assert sorted(card) == KEYS, f"card keys {sorted(card)}, expected {KEYS}"
    assert isinstance(card["training_data"], dict) and sorted(card["training_data"]) == [
        "features", "n_rows", "positive_rate"], "training_data keys"  # fmt: skip
    assert isinstance(card["metrics"], dict) and sorted(card["metrics"]) == [
        "accuracy", "precision", "recall", "roc_auc"], "metrics keys"  # fmt: skip


@pytest.mark.points(2)
@pytest.mark.hint(
    "Compute the metrics from the model on X_test and y_test (predict for accuracy, precision "
    "and recall; predict_proba(...)[:, 1] for roc_auc). Never type them in."
)
def test_card_metrics_are_the_models_on_the_test_split(nb):
    metrics = nb["card"]["metrics"]
    y_test = np.asarray(nb["y_test"])
    predicted = np.asarray(nb.eval("model.predict(X_test)"))
    scores = np.asarray(nb.eval("model.predict_proba(X_test)[:, 1]"))
    want = {
        "accuracy": accuracy_score(y_test, predicted),
        "precision": precision_score(y_test, predicted),
        "recall": recall_score(y_test, predicted),
        "roc_auc": roc_auc_score(y_test, scores),
    }
    for name, value in want.items():
        got = metrics.get(name)
        assert isinstance(got, (int, float)) and not isinstance(got, bool), (
            f"metrics[{name!r}] should be a number, got {got!r}"
        )
        assert got == pytest.approx(value, rel=1e-9, abs=1e-12), (
            f"metrics[{name!r}] is {got}, the model's {name} on the test split is {value:.6f}"
        )
