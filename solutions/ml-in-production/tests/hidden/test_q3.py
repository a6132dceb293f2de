"""Q3 hidden checks: the card is computed from the data given, is plain JSON, and says enough."""

import numpy as np
import pytest
from sklearn.metrics import accuracy_score, precision_score, recall_score, roc_auc_score


@pytest.mark.points(2)
@pytest.mark.hint(
    "make_model_card must compute everything from its arguments: the number of rows and the "
    "positive rate of y_train, the metrics on the X_test and y_test it is given."
)
def test_card_of_other_data(nb):
    n_test = nb.eval("len(X_test)")
    rows = np.random.default_rng(303).choice(n_test, size=250, replace=True)
    # the card of the first 500 training rows and a resample of the test rows, with what the
    # check needs to recompute it: the resample's labels and the model's outputs on it
    card, y_small, features, y_other, predicted, scores = nb.eval(
        "(lambda A, b, C, d: (make_model_card(model, A, b, C, d), b, list(A.columns), d,"
        " model.predict(C), model.predict_proba(C)[:, 1]))(X_train.iloc[:500], y_train.iloc[:500],"
        " X_test.iloc[R].reset_index(drop=True), y_test.iloc[R].reset_index(drop=True))",
        R=rows,
    )
    assert isinstance(card, dict), f"make_model_card returned a {type(card).__name__}, not a dict"
    data = card.get("training_data", {})
    assert data.get("n_rows") == 500, f"training_data n_rows {data.get('n_rows')}, expected 500"
    assert list(data.get("features", [])) == features, "training_data features"
    rate = float(np.mean(np.asarray(y_small)))
    assert data.get("positive_rate") == pytest.approx(rate, rel=1e-12), (
        f"positive_rate {data.get('positive_rate')}, expected {rate:.6f}"
    )
    want = {
        "accuracy": accuracy_score(y_other, predicted),
        "precision": precision_score(y_other, predicted),
        "recall": recall_score(y_other, predicted),
        "roc_auc": roc_auc_score(y_other, scores),
    }
    for name, value in want.items():
        got = card.get("metrics", {}).get(name)
        assert isinstance(got, (int, float)) and got == pytest.approx(value, rel=1e-9), (
            f"on other test data, metrics[{name!r}] is {got!r}, expected {value:.6f}"
        )


@pytest.mark.points(1)
@pytest.mark.hint(
    "Only plain Python values: float(...) and int(...) around numpy numbers, lists not arrays, "
    "so that json.dumps(card) works."
)
def test_card_is_plain_json(nb):
    ok = nb.eval(
        "(lambda j: (lambda text: j.loads(text) == card)(j.dumps(card)))(__import__('json'))"
    )
    assert ok is True, "json.loads(json.dumps(card)) does not give the card back"


@pytest.mark.points(1)
@pytest.mark.hint(
    "intended_use: a real sentence; limitations: a list of at least two non-empty strings; "
    "sklearn_version: sklearn.__version__."
)
def test_card_says_enough(nb):
    card = nb["card"]
    use = card.get("intended_use")
    assert isinstance(use, str) and len(use.strip()) >= 30, f"intended_use is too short: {use!r}"
    limits = card.get("limitations")
    assert isinstance(limits, list) and len(limits) >= 2, (
        f"limitations should be a list of at least two strings, got {limits!r}"
    )
    assert all(isinstance(item, str) and len(item.strip()) >= 10 for item in limits), (
        "each limitation should be a sentence"
    )
    assert card.get("sklearn_version") == nb.eval("__import__('sklearn').__version__"), (
        f"sklearn_version {card.get('sklearn_version')!r} is not the running version"
    )
