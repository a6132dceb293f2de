"""Q5 public checks: the region summary."""

import numpy as np
import pandas as pd
import pytest

COLUMNS = ["n_orders", "n_customers", "revenue", "avg_order_value"]


@pytest.mark.hint(
    "Named aggregation, then avg_order_value = revenue / n_orders, sorted descending."
)
def test_summary_layout(nb):
    summary = nb["summary"]
    assert isinstance(summary, pd.DataFrame), (
        f"`summary` should be a DataFrame, got {type(summary)}"
    )
    assert list(summary.columns) == COLUMNS, (
        f"columns should be {COLUMNS}, got {list(summary.columns)}"
    )
    assert summary.index.is_unique, "one row per region"
    assert summary["revenue"].is_monotonic_decreasing, "sort by revenue, highest first"
    np.testing.assert_allclose(
        summary["avg_order_value"],
        summary["revenue"] / summary["n_orders"],
        err_msg="avg_order_value should be revenue / n_orders",
    )
