"""Q4 hidden checks: the regressor on held-out data; make_regressor on another table."""

import numpy as np
import pandas as pd
import pytest


@pytest.mark.points(2)
@pytest.mark.hint("Fit reg on Xd_train, yd_train with scaled numeric and one-hot 'sex' columns.")
def test_reg_on_hidden_holdout(nb, hidden_data):
    frame = pd.read_csv(hidden_data / "diabetes_holdout.csv", dtype={"sex": str})
    X, y = frame.drop(columns="target"), frame["target"].to_numpy()
    pred = np.asarray(nb.eval("reg.predict(X)", X=X), dtype=float)
    assert pred.shape == y.shape, f"expected {len(y)} predictions, got shape {pred.shape}"
    r2 = 1 - np.sum((y - pred) ** 2) / np.sum((y - y.mean()) ** 2)
    assert r2 >= 0.28, f"expected R^2 >= 0.28 on held-out data, got {r2:.3f}"


def shop_table(rng, n, colours):
    """A table whose target depends on a category in a non-monotonic way."""
    effect = {"blue": 8.0, "green": -6.0, "red": 4.0, "purple": 0.0}
    frame = pd.DataFrame(
        {
            "colour": rng.choice(colours, size=n),
            "size_cm": rng.uniform(10, 200, size=n),
            "weight_kg": rng.uniform(0.1, 3.0, size=n),
        }
    )
    y = 0.05 * frame["size_cm"] - 2.0 * frame["weight_kg"] + frame["colour"].map(effect)
    return frame, (y + rng.normal(0, 0.3, size=n)).to_numpy()


@pytest.mark.points(2)
@pytest.mark.hint(
    "Use the numeric and categorical arguments as the column lists; "
    "OneHotEncoder(handle_unknown='ignore') for the categorical ones."
)
def test_make_regressor_on_another_table(nb):
    rng = np.random.default_rng(42)
    X_fit, y_fit = shop_table(rng, 300, ["blue", "green", "red"])
    X_new, y_new = shop_table(rng, 100, ["blue", "green", "red"])
    X_odd, _ = shop_table(rng, 5, ["purple"])
    X_pred = pd.concat([X_new, X_odd], ignore_index=True)
    pred = nb.eval(
        "make_regressor(num, cat).fit(Xf, yf).predict(Xp)",
        num=["size_cm", "weight_kg"],
        cat=["colour"],
        Xf=X_fit,
        yf=y_fit,
        Xp=X_pred,
    )
    pred = np.asarray(pred, dtype=float)
    pred_new, pred_odd = pred[: len(X_new)], pred[len(X_new) :]
    r2 = 1 - np.sum((y_new - pred_new) ** 2) / np.sum((y_new - y_new.mean()) ** 2)
    assert r2 >= 0.95, (
        f"R^2 = {r2:.3f} on a table where the colour matters: "
        "one-hot encode the categorical columns"
    )
    assert np.all(np.isfinite(pred_odd)), "predictions for an unseen colour should be finite"
