"""Q3 hidden checks: fill_missing on the hidden export."""

import pandas as pd
import pytest


@pytest.mark.points(2)
@pytest.mark.hint("groupby('product_id')['unit_price'].transform('median') fills per product.")
def test_fill_missing_hidden_export(nb, hidden_data, reference):
    orders = reference.types(pd.read_csv(hidden_data / "orders.csv"))
    # One product with no known price at all, so the fallback is exercised on this data too.
    rarest = orders["product_id"].value_counts().sort_index().idxmin()
    orders.loc[orders["product_id"] == rarest, "unit_price"] = float("nan")
    got = nb.function("fill_missing")(orders)
    want = reference.fill(orders)
    assert isinstance(got, pd.DataFrame), f"fill_missing should return a DataFrame, got {type(got)}"
    assert len(got) == len(want), f"expected {len(want)} rows, got {len(got)}"
    assert list(got.index) == list(range(len(want))), "reset the index to 0, 1, 2, ..."
    assert list(got["order_id"]) == list(want["order_id"]), "wrong rows kept, or order changed"
    assert pd.api.types.is_integer_dtype(got["quantity"]), (
        f"quantity should stay an integer column, got {got['quantity'].dtype}"
    )
    pd.testing.assert_series_equal(got["quantity"], want["quantity"], check_dtype=False)
    pd.testing.assert_series_equal(
        got["unit_price"].astype("float64"), want["unit_price"], check_exact=False
    )


@pytest.mark.hint("Work on a copy; don't fill or drop in place on the DataFrame you were given.")
def test_fill_missing_leaves_its_input_unchanged(nb, hidden_data, reference):
    orders = reference.types(pd.read_csv(hidden_data / "orders.csv"))
    result, after = nb.eval("[fill_missing(orders), orders]", orders=orders)
    kept = int(orders["customer_id"].notna().sum())
    assert isinstance(result, pd.DataFrame) and len(result) == kept, (
        f"fill_missing should return a DataFrame of the {kept} orders that have a customer"
    )
    pd.testing.assert_frame_equal(after, orders, obj="the DataFrame passed to fill_missing")
