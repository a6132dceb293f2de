"""Q7 hidden check: the digits model on noisy held-out digits."""

import numpy as np
import pandas as pd
import pytest


@pytest.mark.points(2)
@pytest.mark.hint("Aim for a model with comfortably more than 94% test accuracy.")
def test_digits_model_on_hidden_holdout(nb, hidden_data, leaderboard):
    frame = pd.read_csv(hidden_data / "digits_holdout.csv", dtype=float)
    X, y = frame.drop(columns="target"), frame["target"].to_numpy().astype(int)
    pred = np.asarray(nb.eval("digits_model.predict(X)", X=X))
    assert pred.shape == y.shape, f"expected {len(y)} predictions, got shape {pred.shape}"
    assert pred.dtype.kind in "iuf", f"predict digits as numbers 0-9, not {pred.dtype} values"
    accuracy = float(np.mean(pred == y))
    leaderboard("Held-out digits accuracy", round(accuracy, 4))
    assert accuracy >= 0.94, f"expected accuracy >= 0.94 on held-out digits, got {accuracy:.3f}"
