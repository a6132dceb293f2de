"""Q2 hidden checks: type_orders on the hidden export; the count of orders without customer."""

import numpy as np
import pandas as pd
import pytest

STATUSES = ["cancelled", "pending", "returned", "shipped"]


@pytest.mark.points(2)
@pytest.mark.hint("Every column of the hidden export must come out typed as in the question.")
def test_type_orders_hidden_export(nb, hidden_data, reference):
    raw = pd.read_csv(hidden_data / "orders.csv")
    got = nb.function("type_orders")(raw)
    want = reference.types(raw)
    assert isinstance(got, pd.DataFrame), f"type_orders should return a DataFrame, got {type(got)}"
    assert list(got.columns) == list(want.columns), f"columns changed: {list(got.columns)}"
    assert len(got) == len(want), f"expected {len(want)} rows, got {len(got)}"
    assert pd.api.types.is_datetime64_any_dtype(got["order_date"]), "order_date is not datetime"
    assert got["quantity"].dtype == "Int64", f"quantity dtype is {got['quantity'].dtype}"
    assert isinstance(got["status"].dtype, pd.CategoricalDtype), "status is not a category"
    assert sorted(got["status"].cat.categories) == STATUSES, (
        f"status categories should be {STATUSES}, got {list(got['status'].cat.categories)}"
    )
    pd.testing.assert_series_equal(
        got["order_date"].astype("datetime64[ns]"), want["order_date"].astype("datetime64[ns]")
    )
    pd.testing.assert_series_equal(got["quantity"], want["quantity"])
    pd.testing.assert_series_equal(got["unit_price"].astype("float64"), want["unit_price"])
    assert list(got["status"].astype(str)) == list(want["status"].astype(str)), "wrong statuses"
    for col in ["order_id", "customer_id", "product_id"]:
        pd.testing.assert_series_equal(got[col], want[col], check_dtype=False)


@pytest.mark.hint("Work on a copy (raw.copy()); don't assign into the DataFrame you were given.")
def test_type_orders_leaves_its_input_unchanged(nb, hidden_data):
    raw = pd.read_csv(hidden_data / "orders.csv")
    result, after = nb.eval("[type_orders(raw), raw]", raw=raw)
    assert isinstance(result, pd.DataFrame) and len(result) == len(raw), (
        f"type_orders should return a DataFrame with the input's {len(raw)} rows"
    )
    pd.testing.assert_frame_equal(after, raw, obj="the DataFrame passed to type_orders")


@pytest.mark.hint("n_missing_customer = the number of rows whose customer_id is missing (int).")
def test_n_missing_customer(nb, reference, variant_data):
    want = int(reference.mine(variant_data, "orders.csv")["customer_id"].isna().sum())
    got = nb["n_missing_customer"]
    assert isinstance(got, int | np.integer) and not isinstance(got, bool), (
        f"n_missing_customer should be an int, got {type(got).__name__}"
    )
    assert got == want, (
        f"n_missing_customer is {got}, but {want} of your orders have no customer_id"
    )
