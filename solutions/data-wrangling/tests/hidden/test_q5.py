"""Q5 hidden checks: region_summary on the hidden export; top_region on the released one."""

import numpy as np
import pandas as pd
import pytest

COLUMNS = ["n_orders", "n_customers", "revenue", "avg_order_value"]


def reference_joined(raw, customers, products):
    """Reference solutions of Q2 to Q4: the typed, cleaned and joined orders."""
    orders = raw.copy()
    orders["order_date"] = pd.to_datetime(orders["order_date"], format="%Y-%m-%d")
    price = orders["unit_price"].astype("string").str.strip()
    price = price.mask(price.isin(["", "N/A"])).str.replace("[$,]", "", regex=True)
    orders["unit_price"] = pd.to_numeric(price).astype("float64")
    orders["quantity"] = orders["quantity"].astype("Int64")
    orders["status"] = orders["status"].str.strip().str.lower().astype("category")
    clean = orders.dropna(subset=["customer_id"]).reset_index(drop=True)
    overall_median = clean["unit_price"].median()  # of the known prices
    median = clean.groupby("product_id")["unit_price"].transform("median")
    clean["unit_price"] = clean["unit_price"].fillna(median).fillna(overall_median)
    clean["quantity"] = clean["quantity"].fillna(1)
    customers = customers.drop_duplicates(subset="customer_id")
    joined = clean.merge(
        customers[["customer_id", "region", "segment"]], on="customer_id", how="left"
    )
    joined = joined.merge(products[["product_id", "category"]], on="product_id", how="left")
    joined["region"] = joined["region"].fillna("Unknown")
    joined["revenue"] = (joined["quantity"] * joined["unit_price"]).astype("float64")
    return joined


def load_joined(folder):
    """The reference joined table of the export in `folder`."""
    return reference_joined(
        pd.read_csv(folder / "orders.csv"),
        pd.read_csv(folder / "customers.csv"),
        pd.read_csv(folder / "products.csv"),
    )


def released_joined(nb):
    """The reference joined table of the released export, read in the notebook's folder."""
    tables = [
        nb.eval("__import__('pandas').read_csv(path)", path=f"data/{name}.csv")
        for name in ["orders", "customers", "products"]
    ]
    return reference_joined(*tables)


def reference_summary(joined):
    """Reference solution of Q5."""
    booked = joined[joined["status"].isin(["shipped", "pending"])]
    summary = booked.groupby("region").agg(
        n_orders=("order_id", "count"),
        n_customers=("customer_id", "nunique"),
        revenue=("revenue", "sum"),
    )
    summary["avg_order_value"] = summary["revenue"] / summary["n_orders"]
    return summary.sort_values("revenue", ascending=False)


@pytest.mark.points(2)
@pytest.mark.hint(
    "Only shipped and pending orders count; n_customers counts distinct customers (nunique)."
)
def test_region_summary_hidden_export(nb, hidden_data):
    joined = load_joined(hidden_data)
    got = nb.function("region_summary")(joined)
    want = reference_summary(joined)
    assert isinstance(got, pd.DataFrame), (
        f"region_summary should return a DataFrame, got {type(got)}"
    )
    assert list(got.columns) == COLUMNS, f"columns should be {COLUMNS}, got {list(got.columns)}"
    assert list(got.index) == list(want.index), (
        f"regions (sorted by revenue) should be {list(want.index)}, got {list(got.index)}"
    )
    for col in ["n_orders", "n_customers"]:
        assert list(got[col]) == list(want[col]), f"{col}: expected {list(want[col])}"
    for col in ["revenue", "avg_order_value"]:
        np.testing.assert_allclose(got[col], want[col], rtol=1e-9, err_msg=f"column {col!r}")


@pytest.mark.hint("top_region is the index label of the first row of the sorted summary.")
def test_top_region(nb):
    joined = released_joined(nb)
    want = reference_summary(joined).index[0]
    got = nb["top_region"]
    assert isinstance(got, str), f"top_region should be a str, got {type(got).__name__}"
    assert got == want, f"top_region is {got!r}; check which region has the highest revenue"
