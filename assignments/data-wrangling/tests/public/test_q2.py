"""Q2 public checks: the typed orders table."""

import numpy as np
import pandas as pd
import pytest

STATUSES = {"cancelled", "pending", "returned", "shipped"}


@pytest.mark.hint("order_date datetime, unit_price float, quantity 'Int64', status 'category'.")
def test_orders_has_the_right_dtypes(nb, variant):
    orders = nb["orders"]
    assert isinstance(orders, pd.DataFrame), f"`orders` should be a DataFrame, got {type(orders)}"
    assert len(orders) == variant["n_orders"], (
        f"`orders` should hold every row of your data/orders.csv ({variant['n_orders']}), "
        f"got {len(orders)}"
    )
    assert pd.api.types.is_datetime64_any_dtype(orders["order_date"]), (
        f"order_date should be datetimes, got {orders['order_date'].dtype}"
    )
    assert pd.api.types.is_float_dtype(orders["unit_price"]), (
        f"unit_price should be float, got {orders['unit_price'].dtype}"
    )
    assert orders["quantity"].dtype == "Int64", (
        f"quantity should be 'Int64', got {orders['quantity'].dtype}"
    )
    assert isinstance(orders["status"].dtype, pd.CategoricalDtype), (
        f"status should be a category, got {orders['status'].dtype}"
    )
    assert set(orders["status"].cat.categories) == STATUSES, (
        f"status categories should be {sorted(STATUSES)}, "
        f"got {list(orders['status'].cat.categories)}"
    )


@pytest.mark.hint("Strip and lower-case the status labels before converting to 'category'.")
def test_type_orders_small_example(nb):
    raw = pd.DataFrame(
        {
            "order_id": [1, 2, 3],
            "customer_id": ["C1", None, "C2"],
            "product_id": ["P1", "P2", "P1"],
            "order_date": ["2024-01-31", "2024-02-01", "2023-12-25"],
            "quantity": [2.0, np.nan, 1.0],
            "unit_price": ["$1,000.00", " $5.50 ", "N/A"],
            "status": [" Shipped", "PENDING", "cancelled"],
        }
    )
    got = nb.function("type_orders")(raw)
    assert list(got.columns) == list(raw.columns), f"columns changed: {list(got.columns)}"
    assert list(got["order_date"].dt.strftime("%Y-%m-%d")) == list(raw["order_date"]), (
        "order_date should hold the dates of the raw column, as datetimes"
    )
    assert got["quantity"].dtype == "Int64", f"quantity dtype is {got['quantity'].dtype}"
    assert got["quantity"].isna().tolist() == [False, True, False], (
        "a missing quantity should be <NA>, the others kept"
    )
    np.testing.assert_allclose(
        np.asarray(got["unit_price"], dtype=float), [1000.0, 5.5, np.nan], equal_nan=True
    )
    assert list(got["status"].astype(str)) == ["shipped", "pending", "cancelled"]
