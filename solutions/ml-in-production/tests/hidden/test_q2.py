"""Q2 hidden checks: every kind of bad request is refused by name, good ones are answered."""

import numpy as np
import pandas as pd
import pytest


def _validate(nb, ref, frame, **kwargs):
    return ref.rejection(lambda: nb.function("validate_request")(frame, **kwargs))


@pytest.mark.points(1.5)
@pytest.mark.hint(
    "A numeric column must have a numeric dtype (pd.api.types.is_numeric_dtype): text such as "
    '"n/a" or "41" makes the column object or str, and comparing it with numbers is not a check.'
)
def test_text_in_a_numeric_column(nb, ref):
    frame = ref.good_requests(6, seed=201)
    charges = frame.astype({"monthly_charges": object})
    charges.loc[3, "monthly_charges"] = "n/a"
    message = _validate(nb, ref, charges)
    assert "monthly_charges" in message, f"the message does not name monthly_charges: {message}"
    ages = frame.assign(age=[str(a) for a in frame["age"]])
    message = _validate(nb, ref, ages)
    assert "age" in message, f"ages sent as text: the message does not name age: {message}"


@pytest.mark.points(1.5)
@pytest.mark.hint("Compare every numeric column with its schema's min and max (both inclusive).")
def test_values_out_of_range(nb, ref):
    frame = ref.good_requests(8, seed=202)
    for column, value in [("age", 130), ("support_calls", -1), ("monthly_charges", 1e6),
                          ("tenure_months", 601)]:  # fmt: skip
        bad = frame.copy()
        bad.loc[5, column] = value
        message = _validate(nb, ref, bad)
        assert column in message, f"{column} = {value}: the message does not name it: {message}"


@pytest.mark.points(1)
@pytest.mark.hint("The range is inclusive: min and max are valid; so are floats like 40.0.")
def test_boundary_values_are_accepted(nb, ref):
    frame = ref.good_requests(4, seed=203)
    frame["age"] = [18.0, 100.0, 40.0, 65.5]
    frame["tenure_months"] = [0, 600, 12, 1]
    frame["monthly_charges"] = [0.0, 1000.0, 55.5, 20.0]
    frame["support_calls"] = [0, 100, 3, 0]
    got = nb.function("validate_request")(frame)
    assert got is None, f"a valid request at the range limits was not accepted: {got!r}"


@pytest.mark.points(1.5)
@pytest.mark.hint("Check each schema column for missing values (NaN or None) with isna().")
def test_missing_values(nb, ref):
    frame = ref.good_requests(6, seed=204)
    calls = frame.astype({"support_calls": float})
    calls.loc[2, "support_calls"] = np.nan
    message = _validate(nb, ref, calls)
    assert "support_calls" in message, f"a NaN in support_calls: the message says: {message}"
    plans = frame.astype({"plan": object})
    plans.loc[4, "plan"] = None
    message = _validate(nb, ref, plans)
    assert "plan" in message, f"a missing plan: the message does not name plan: {message}"


@pytest.mark.points(1)
@pytest.mark.hint("Every value of a categorical column must be one of the schema's values.")
def test_unknown_plan(nb, ref):
    frame = ref.good_requests(5, seed=205)
    frame.loc[1, "plan"] = "platinum"
    message = _validate(nb, ref, frame)
    assert "plan" in message, f"an unknown plan: the message does not name plan: {message}"


@pytest.mark.points(1)
@pytest.mark.hint("Use the schema argument, not the SCHEMA global and not a fixed list of columns.")
def test_the_schema_argument_is_used(nb, ref):
    schema = {"dose_mg": {"min": 0.0, "max": 50.0}, "route": {"values": ["oral", "iv"]}}
    good = pd.DataFrame({"dose_mg": [0.0, 12.5, 50.0], "route": ["oral", "iv", "iv"]})
    got = nb.function("validate_request")(good, schema=schema)
    assert got is None, f"a request valid for the schema given was refused: {got!r}"
    message = _validate(nb, ref, good.assign(dose_mg=[1.0, 75.0, 2.0]), schema=schema)
    assert "dose_mg" in message, f"dose_mg out of the given schema's range: message {message}"


@pytest.mark.points(1)
@pytest.mark.hint("Extra columns are ignored and columns may come in any order: use df[FEATURES].")
def test_extra_and_reordered_columns(nb, ref):
    frame = ref.good_requests(40, seed=206)
    frame.insert(2, "customer_id", np.arange(1000, 1040))
    frame = frame[frame.columns[::-1]]
    got = np.asarray(nb.eval("predict_churn(model, R)", R=frame), dtype=float)
    want = np.asarray(nb.eval("model.predict_proba(R[FEATURES])[:, 1]", R=frame))
    assert got.shape == (40,), f"expected 40 probabilities, got shape {got.shape}"
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=0)


@pytest.mark.points(1)
@pytest.mark.hint("predict_churn must call validate_request before predicting.")
def test_predict_churn_refuses_a_bad_request(nb, ref):
    frame = ref.good_requests(5, seed=207)
    frame.loc[0, "age"] = 250
    message = ref.rejection(lambda: nb.eval("predict_churn(model, R)", R=frame))
    assert "age" in message, f"an age of 250: the message does not name age: {message}"
