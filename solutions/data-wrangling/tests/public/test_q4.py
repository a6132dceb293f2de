"""Q4 public checks: joining the tables."""

import numpy as np
import pandas as pd
import pytest

ADDED = ["region", "segment", "category", "revenue"]


@pytest.mark.hint("A left join on de-duplicated keys keeps exactly one row per order.")
def test_joined_keeps_every_order_once(nb):
    joined, clean = nb["joined"], nb["clean"]
    assert isinstance(joined, pd.DataFrame), f"`joined` should be a DataFrame, got {type(joined)}"
    missing = [c for c in ADDED if c not in joined.columns]
    assert not missing, f"`joined` lacks the columns {missing}"
    assert len(joined) == len(clean), (
        f"`clean` has {len(clean)} orders but `joined` has {len(joined)} rows: "
        "duplicate customers multiply rows, and an inner join loses orders"
    )
    assert list(joined["order_id"]) == list(clean["order_id"]), "keep the order of `orders`"


@pytest.mark.hint("drop_duplicates() on customers; fillna('Unknown') for the region.")
def test_join_tables_small_example(nb):
    orders = pd.DataFrame(
        {
            "order_id": [1, 2, 3],
            "customer_id": ["C1", "C9", "C1"],
            "product_id": ["P2", "P1", "P1"],
            "quantity": pd.array([2, 1, 3], dtype="Int64"),
            "unit_price": [2.5, 10.0, 4.0],
        }
    )
    customers = pd.DataFrame(
        {
            "customer_id": ["C1", "C2", "C1"],
            "region": ["North", "South", "North"],
            "segment": ["consumer", "business", "consumer"],
            "signup_date": ["2022-01-01", "2022-02-02", "2022-01-01"],
        }
    )
    products = pd.DataFrame(
        {"product_id": ["P1", "P2"], "category": ["Toys", "Books"], "list_price": [9.0, 3.0]}
    )
    got = nb.function("join_tables")(orders, customers, products)
    assert len(got) == 3, f"expected 3 rows (one per order), got {len(got)}"
    assert list(got["order_id"]) == [1, 2, 3], f"order changed: {list(got['order_id'])}"
    assert list(got["region"]) == ["North", "Unknown", "North"], f"regions {list(got['region'])}"
    assert list(got["category"]) == ["Books", "Toys", "Toys"], f"categories {list(got['category'])}"
    np.testing.assert_allclose(np.asarray(got["revenue"], dtype=float), [5.0, 10.0, 12.0])
