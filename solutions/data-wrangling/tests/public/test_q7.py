"""Q7 public checks: melting the targets, attainment."""

import numpy as np
import pandas as pd
import pytest


@pytest.mark.hint("wide.melt(id_vars='region', var_name='month', value_name='target'), then sort.")
def test_targets_long_small_example(nb):
    wide = pd.DataFrame({"region": ["West", "East"], "2031-02": [20, 40], "2031-01": [10, 30]})
    got = nb.function("targets_long")(wide)
    assert isinstance(got, pd.DataFrame), f"targets_long should return a DataFrame, got {type(got)}"
    assert list(got.columns) == ["region", "month", "target"], f"columns {list(got.columns)}"
    assert list(got["region"]) == ["East", "East", "West", "West"], "sort by region, then month"
    assert list(got["month"]) == ["2031-01", "2031-02", "2031-01", "2031-02"]
    assert pd.api.types.is_float_dtype(got["target"]), "target should be float"
    np.testing.assert_allclose(got["target"], [30.0, 40.0, 10.0, 20.0])
    assert list(got.index) == [0, 1, 2, 3], "reset the index"


@pytest.mark.hint("Sum booked revenue per (region, month), left-merge onto the targets, fill 0.")
def test_attainment_small_example(nb):
    joined = pd.DataFrame(
        {
            "order_id": [1, 2, 3, 4, 5],
            "order_date": pd.to_datetime(
                ["2031-01-05", "2031-01-20", "2031-02-03", "2031-01-09", "2031-01-10"]
            ),
            "status": pd.Categorical(["shipped", "pending", "cancelled", "shipped", "shipped"]),
            "region": ["East", "East", "East", "Unknown", "West"],
            "revenue": [100.0, 50.0, 999.0, 70.0, 5.0],
        }
    )
    targets = pd.DataFrame(
        {
            "region": ["East", "East", "West", "West"],
            "month": ["2031-01", "2031-02", "2031-01", "2031-02"],
            "target": [300.0, 100.0, 10.0, 10.0],
        }
    )
    got = nb.function("attainment")(joined, targets)
    assert len(got) == 4, f"one row per target, got {len(got)} rows"
    assert list(got["region"]) == list(targets["region"]), "keep the targets' rows and order"
    assert list(got["month"]) == list(targets["month"]), "keep the targets' rows and order"
    np.testing.assert_allclose(got["revenue"], [150.0, 0.0, 5.0, 0.0], err_msg="revenue")
    np.testing.assert_allclose(got["attainment"], [0.5, 0.0, 0.5, 0.0], err_msg="attainment")
