"""Q7 hidden checks: targets_long and attainment on the hidden export."""

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


def reference_long(wide):
    """Reference solution of Q7.1."""
    long = wide.melt(id_vars="region", var_name="month", value_name="target")
    long["target"] = long["target"].astype("float64")
    return long.sort_values(["region", "month"]).reset_index(drop=True)


def reference_attainment(joined, targets):
    """Reference solution of Q7.2."""
    booked = joined[joined["status"].isin(["shipped", "pending"])]
    actual = (
        booked.assign(month=booked["order_date"].dt.strftime("%Y-%m"))
        .groupby(["region", "month"], as_index=False)["revenue"]
        .sum()
    )
    result = targets.merge(actual, on=["region", "month"], how="left")
    result["revenue"] = result["revenue"].fillna(0.0)
    result["attainment"] = result["revenue"] / result["target"]
    return result


@pytest.mark.hint("Don't hard-code regions or months: melt every column except 'region'.")
def test_targets_long_hidden_export(nb, hidden_data):
    wide = pd.read_csv(hidden_data / "targets.csv")
    got = nb.function("targets_long")(wide)
    want = reference_long(wide)
    assert isinstance(got, pd.DataFrame), f"targets_long should return a DataFrame, got {type(got)}"
    assert list(got.columns) == ["region", "month", "target"], f"columns {list(got.columns)}"
    assert len(got) == len(want), f"expected {len(want)} rows (regions x months), got {len(got)}"
    assert list(got["region"]) == list(want["region"]), "wrong regions or order"
    assert [str(m) for m in got["month"]] == list(want["month"]), "wrong months or order"
    np.testing.assert_allclose(got["target"].astype(float), want["target"])
    assert list(got.index) == list(range(len(want))), "reset the index"


@pytest.mark.points(2)
@pytest.mark.hint(
    "Booked orders only; month = order_date.dt.strftime('%Y-%m'); group by region and month; "
    "left-merge onto the targets; missing revenue is 0.0."
)
def test_attainment_hidden_export(nb, hidden_data):
    joined = load_joined(hidden_data)
    targets = reference_long(pd.read_csv(hidden_data / "targets.csv"))
    got = nb.function("attainment")(joined, targets)
    want = reference_attainment(joined, targets)
    assert isinstance(got, pd.DataFrame), f"attainment should return a DataFrame, got {type(got)}"
    assert len(got) == len(want), f"expected one row per target ({len(want)}), got {len(got)}"
    assert list(got["region"]) == list(want["region"]), "keep the targets' rows and order"
    assert [str(m) for m in got["month"]] == list(want["month"]), "keep the targets' rows"
    np.testing.assert_allclose(got["revenue"].astype(float), want["revenue"], err_msg="revenue")
    np.testing.assert_allclose(
        got["attainment"].astype(float), want["attainment"], err_msg="attainment"
    )
