"""Q6 hidden checks: monthly_revenue on the hidden export; best_month on the released one."""

import numpy as np
import pandas as pd
import pytest


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


def reference_monthly(joined):
    """Reference solution of Q6."""
    booked = joined[joined["status"].isin(["shipped", "pending"])]
    booked = booked.assign(month=booked["order_date"].dt.strftime("%Y-%m"))
    table = booked.pivot_table(
        index="month", columns="category", values="revenue", aggfunc="sum", fill_value=0.0
    )
    return table.sort_index().sort_index(axis=1).astype("float64")


@pytest.mark.points(2)
@pytest.mark.hint(
    "Booked orders only; pivot_table(index=month, columns='category', values='revenue', "
    "aggfunc='sum', fill_value=0); sort rows and columns."
)
def test_monthly_revenue_hidden_export(nb, hidden_data):
    joined = load_joined(hidden_data)
    # The labels become text in the kernel, so that a Period index ("2024-01") is accepted too.
    got = nb.eval("monthly_revenue(joined).rename(index=str, columns=str)", joined=joined)
    want = reference_monthly(joined)
    assert isinstance(got, pd.DataFrame), (
        f"monthly_revenue should return a DataFrame, got {type(got)}"
    )
    assert [str(m) for m in got.index] == list(want.index), (
        f"rows should be the months {list(want.index)}, got {[str(m) for m in got.index]}"
    )
    assert [str(c) for c in got.columns] == list(want.columns), (
        f"columns should be the categories {list(want.columns)}, got {list(got.columns)}"
    )
    np.testing.assert_allclose(
        got.to_numpy(dtype=float), want.to_numpy(), rtol=1e-9, err_msg="wrong revenue totals"
    )


@pytest.mark.hint("best_month: sum each row over the categories, then idxmax().")
def test_best_month(nb):
    want = reference_monthly(released_joined(nb)).sum(axis=1).idxmax()
    got = nb.eval("str(best_month)")
    assert got == want, f"best_month is {got!r}; check which month has the highest total"
