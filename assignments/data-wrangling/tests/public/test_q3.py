"""Q3 public checks: missing values."""

import numpy as np
import pandas as pd
import pytest


def typed(rows):
    """A small typed orders table, as type_orders returns it."""
    df = pd.DataFrame(
        rows, columns=["order_id", "customer_id", "product_id", "quantity", "unit_price", "status"]
    )
    df["quantity"] = df["quantity"].astype("Int64")
    df["unit_price"] = df["unit_price"].astype("float64")
    df["status"] = df["status"].astype("category")
    return df


@pytest.mark.hint("Drop rows without customer_id, then fill unit_price and quantity.")
def test_clean_has_no_missing_values(nb):
    clean, orders = nb["clean"], nb["orders"]
    assert isinstance(clean, pd.DataFrame), f"`clean` should be a DataFrame, got {type(clean)}"
    missing = clean[["customer_id", "unit_price", "quantity"]].isna().sum()
    assert missing.sum() == 0, f"`clean` still has missing values: {missing.to_dict()}"
    kept = int(orders["customer_id"].notna().sum())
    assert len(clean) == kept, f"expected {kept} rows (orders with a customer), got {len(clean)}"
    assert list(clean.index) == list(range(len(clean))), "reset the index to 0, 1, 2, ..."


@pytest.mark.hint(
    "Compute the product medians after dropping the rows without customer; "
    "fall back to the median of all known prices."
)
def test_fill_missing_small_example(nb):
    orders = typed(
        [
            [1, "C1", "P1", 2, 10.0, "shipped"],
            [2, None, "P1", 1, 1000.0, "shipped"],  # dropped: its price must not count
            [3, "C2", "P1", None, np.nan, "pending"],
            [4, "C1", "P1", 1, 14.0, "shipped"],
            [5, "C3", "P2", 3, np.nan, "shipped"],  # P2 has no known price
            [6, "C3", "P3", 1, 30.0, "returned"],
        ]
    )
    got = nb.function("fill_missing")(orders)
    assert list(got["order_id"]) == [1, 3, 4, 5, 6], f"kept orders {list(got['order_id'])}"
    np.testing.assert_allclose(
        np.asarray(got["unit_price"], dtype=float),
        [10.0, 12.0, 14.0, 14.0, 30.0],
        err_msg="order 3 should get P1's median 12.0, order 5 the overall median 14.0",
    )
    assert list(got["quantity"]) == [2, 1, 1, 3, 1], f"quantities {list(got['quantity'])}"
