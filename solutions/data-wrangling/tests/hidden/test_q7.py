"""Q7 hidden checks: targets_long and attainment on the hidden export."""

import numpy as np
import pandas as pd
import pytest


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
def test_attainment_hidden_export(nb, hidden_data, reference):
    joined = reference.load_joined(hidden_data)
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
