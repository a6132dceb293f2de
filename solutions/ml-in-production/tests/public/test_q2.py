"""Q2 public checks: a valid request passes, a missing column is named, predictions are right."""

import numpy as np
import pandas as pd
import pytest

from grader import StudentError

GOOD = pd.DataFrame(
    {
        "age": [23, 47, 71],
        "tenure_months": [2, 30, 64],
        "monthly_charges": [39.5, 70.25, 101.0],
        "support_calls": [4, 1, 0],
        "plan": ["basic", "standard", "premium"],
    }
)


def rejection(call):
    """The first line of the message of the ValueError that call() raises in the notebook."""
    try:
        call()
    except StudentError as exc:
        first = str(exc).split("\n", 1)[0]
        assert exc.ename == "ValueError", f"expected a ValueError, got: {first}"
        return exc.evalue.split("\n", 1)[0]
    raise AssertionError("the request was accepted: expected a ValueError")


@pytest.mark.points(1)
@pytest.mark.hint("validate_request returns None for a request that matches the schema.")
def test_a_valid_request_is_accepted(nb):
    got = nb.function("validate_request")(GOOD)
    assert got is None, f"validate_request should return None for a valid request, got {got!r}"


@pytest.mark.points(1)
@pytest.mark.hint("Raise ValueError with the missing column's name in the message's first line.")
def test_a_missing_column_is_named(nb):
    message = rejection(lambda: nb.function("validate_request")(GOOD.drop(columns="tenure_months")))
    assert "tenure_months" in message, f"the message does not name the missing column: {message}"


@pytest.mark.points(1)
@pytest.mark.hint("predict_churn returns model.predict_proba(df[FEATURES])[:, 1], one per row.")
def test_predict_churn_gives_the_models_probabilities(nb):
    got = np.asarray(nb.eval("predict_churn(model, R)", R=GOOD), dtype=float)
    want = np.asarray(nb.eval("model.predict_proba(R[FEATURES])[:, 1]", R=GOOD))
    assert got.shape == (3,), f"expected one probability per row, shape (3,), got {got.shape}"
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=0)
