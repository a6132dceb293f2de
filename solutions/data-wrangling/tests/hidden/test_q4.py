"""Q4 hidden checks: join_tables on the hidden export (duplicates and unknown customers)."""

import pandas as pd
import pytest


def reference_clean(raw):
    """Reference solutions of Q2 and Q3."""
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
    return clean


def reference_join(orders, customers, products):
    """Reference solution of Q4."""
    customers = customers.drop_duplicates(subset="customer_id")
    joined = orders.merge(
        customers[["customer_id", "region", "segment"]], on="customer_id", how="left"
    )
    joined = joined.merge(products[["product_id", "category"]], on="product_id", how="left")
    joined["region"] = joined["region"].fillna("Unknown")
    joined["revenue"] = (joined["quantity"] * joined["unit_price"]).astype("float64")
    return joined


@pytest.mark.points(2)
@pytest.mark.hint(
    "De-duplicate customers, left-join both tables, region 'Unknown' for unmatched customers, "
    "revenue = quantity * unit_price."
)
def test_join_tables_hidden_export(nb, hidden_data):
    clean = reference_clean(pd.read_csv(hidden_data / "orders.csv"))
    customers = pd.read_csv(hidden_data / "customers.csv")
    products = pd.read_csv(hidden_data / "products.csv")
    got = nb.function("join_tables")(clean, customers, products)
    want = reference_join(clean, customers, products)
    assert isinstance(got, pd.DataFrame), f"join_tables should return a DataFrame, got {type(got)}"
    assert len(got) == len(want), (
        f"expected {len(want)} rows (one per order), got {len(got)}; "
        "the hidden customer table has duplicate rows too"
    )
    assert list(got["order_id"]) == list(want["order_id"]), "keep the order of `orders`"
    for col in ["region", "segment", "category"]:
        assert col in got.columns, f"column {col!r} is missing"
        assert got[col].astype(object).where(got[col].notna(), None).tolist() == (
            want[col].astype(object).where(want[col].notna(), None).tolist()
        ), f"column {col!r} differs from the expected join"
    n_unknown = int((want["region"] == "Unknown").sum())
    assert int((got["region"] == "Unknown").sum()) == n_unknown, (
        f"{n_unknown} orders belong to customers missing from the customer table"
    )
    pd.testing.assert_series_equal(
        got["revenue"].astype("float64"), want["revenue"], check_exact=False
    )
