"""Q6 public checks: the month x category pivot."""

import re

import numpy as np
import pytest


@pytest.mark.hint("Rows 'YYYY-MM' (Series.dt.strftime), columns categories, fill_value=0.")
def test_monthly_layout(nb):
    kind = nb.eval("type(monthly).__name__")
    assert kind == "DataFrame", f"`monthly` should be a DataFrame, got {kind}"
    # The labels become text in the kernel, so that a Period index ("2024-01") is accepted too.
    monthly, joined = nb.eval("monthly.rename(index=str, columns=str)"), nb["joined"]
    labels = [str(m) for m in monthly.index]
    assert all(re.fullmatch(r"\d{4}-\d{2}", m) for m in labels), (
        f"rows should be labelled 'YYYY-MM', got {labels[:3]}"
    )
    assert labels == sorted(labels), "sort the months"
    assert list(monthly.columns) == sorted(joined["category"].dropna().unique()), (
        "one column per category, sorted by name"
    )
    assert not monthly.isna().any().any(), "use 0.0 where a category sold nothing"
    booked = joined[joined["status"].astype(str).isin(["shipped", "pending"])]
    np.testing.assert_allclose(
        monthly.to_numpy().sum(),
        booked["revenue"].sum(),
        err_msg="the table should add up to the booked revenue (shipped and pending orders)",
    )
