"""Q6 hidden checks: monthly_revenue on the hidden export; best_month on the student's data."""

import numpy as np
import pandas as pd
import pytest


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
def test_monthly_revenue_hidden_export(nb, hidden_data, reference):
    joined = reference.load_joined(hidden_data)
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
def test_best_month(nb, reference, variant_data):
    want = reference_monthly(reference.my_joined(variant_data)).sum(axis=1).idxmax()
    got = nb.eval("str(best_month)")
    assert got == want, f"best_month is {got!r}; check which month has the highest total"
