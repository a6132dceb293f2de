"""Q4 hidden checks: join_tables on the hidden export (duplicates and unknown customers)."""

import pandas as pd
import pytest


@pytest.mark.points(2)
@pytest.mark.hint(
    "De-duplicate customers, left-join both tables, region 'Unknown' for unmatched customers, "
    "revenue = quantity * unit_price."
)
def test_join_tables_hidden_export(nb, hidden_data, reference):
    clean = reference.clean(pd.read_csv(hidden_data / "orders.csv"))
    customers = pd.read_csv(hidden_data / "customers.csv")
    products = pd.read_csv(hidden_data / "products.csv")
    got = nb.function("join_tables")(clean, customers, products)
    want = reference.join(clean, customers, products)
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
