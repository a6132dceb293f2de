"""Q5 hidden checks: region_summary on the hidden export; top_region on the student's data."""

import numpy as np
import pandas as pd
import pytest

COLUMNS = ["n_orders", "n_customers", "revenue", "avg_order_value"]


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
def test_region_summary_hidden_export(nb, hidden_data, reference):
    joined = reference.load_joined(hidden_data)
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
def test_top_region(nb, reference, variant_data):
    joined = reference.my_joined(variant_data)
    want = reference_summary(joined).index[0]
    got = nb["top_region"]
    assert isinstance(got, str), f"top_region should be a str, got {type(got).__name__}"
    assert got == want, f"top_region is {got!r}; check which region has the highest revenue"
