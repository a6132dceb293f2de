"""Q8 hidden checks: group-wise normalisation with edge cases and on the hidden export."""

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


def reference_z(df, col, by):
    """Reference z-score within groups (ddof=0, constant group -> 0.0, NaN stays NaN)."""
    groups = df.groupby(by)[col]
    std = groups.transform("std", ddof=0)
    z = (df[col] - groups.transform("mean")) / std
    return z.mask(std.eq(0) & df[col].notna(), 0.0)


def reference_minmax(df, col, by):
    """Reference min-max within groups (constant group -> 0.0, NaN stays NaN)."""
    groups = df.groupby(by)[col]
    low, high = groups.transform("min"), groups.transform("max")
    return ((df[col] - low) / (high - low)).mask(high.eq(low) & df[col].notna(), 0.0)


def awkward_frame():
    """Shuffled index, a one-row group, a constant group and missing values."""
    rng = np.random.default_rng(5)
    frame = pd.DataFrame(
        {
            "shop": ["k", "k", "k", "solo", "flat", "flat", "k", "m", "m", "m", "m", "flat"],
            "sales": rng.normal(50, 20, size=12).round(1),
        },
        index=[31, 7, 12, 3, 99, 40, 5, 18, 2, 66, 8, 1],
    )
    frame.loc[[99, 40, 1], "sales"] = 4.0
    frame.loc[[12, 66], "sales"] = np.nan
    return frame


def check_against(got, want, what):
    assert isinstance(got, pd.Series), f"{what} should return a Series, got {type(got)}"
    assert list(got.index) == list(want.index), f"{what}: keep the input's index"
    got = got.astype(float)
    assert got.isna().tolist() == want.isna().tolist(), (
        f"{what}: missing values should stay NaN and nothing else should be NaN "
        "(a constant or one-row group gets 0.0)"
    )
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12, err_msg=what)


@pytest.mark.hint("A group whose values are all equal gets 0.0; NaN stays NaN; keep the index.")
def test_zscore_within_edge_cases(nb):
    frame = awkward_frame()
    got = nb.function("zscore_within")(frame, "sales", "shop")
    check_against(got, reference_z(frame, "sales", "shop"), "zscore_within")


@pytest.mark.hint("A group whose values are all equal gets 0.0; NaN stays NaN; keep the index.")
def test_minmax_within_edge_cases(nb):
    frame = awkward_frame()
    got = nb.function("minmax_within")(frame, "sales", "shop")
    check_against(got, reference_minmax(frame, "sales", "shop"), "minmax_within")


@pytest.mark.hint("Normalise within the group given by the 'by' argument, whatever its name.")
def test_normalisation_hidden_export(nb, hidden_data):
    joined = load_joined(hidden_data)
    z = nb.function("zscore_within")(joined, "unit_price", "region")
    check_against(z, reference_z(joined, "unit_price", "region"), "zscore_within")
    m = nb.function("minmax_within")(joined, "revenue", "category")
    check_against(m, reference_minmax(joined, "revenue", "category"), "minmax_within")
