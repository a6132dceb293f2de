"""Q1 hidden checks: parse_price on the hidden export and on awkward inputs."""

import numpy as np
import pandas as pd
import pytest


def expected_price(text):
    """Reference: strip, drop '$' and ',', '' / 'N/A' / NaN -> NaN."""
    cleaned = text.astype("string").str.strip()
    cleaned = cleaned.mask(cleaned.isin(["", "N/A"]))
    cleaned = cleaned.str.replace("$", "", regex=False).str.replace(",", "", regex=False)
    return pd.to_numeric(cleaned).astype("float64")


@pytest.mark.points(2)
@pytest.mark.hint("Strip the '$' and ',' then convert with pd.to_numeric; '' and 'N/A' are NaN.")
def test_parse_price_hidden_export(nb, hidden_data):
    raw = pd.read_csv(hidden_data / "orders.csv")
    got = nb.function("parse_price")(raw["unit_price"])
    assert isinstance(got, pd.Series), f"parse_price should return a Series, got {type(got)}"
    want = expected_price(raw["unit_price"])
    assert len(got) == len(want), f"expected {len(want)} prices, got {len(got)}"
    pd.testing.assert_series_equal(
        got.astype("float64"), want, check_names=False, check_index_type=False
    )


@pytest.mark.hint("Keep the input's index: use vectorised Series methods, not a list.")
def test_parse_price_keeps_index_and_parses_large_numbers(nb):
    text = pd.Series(["$1,234,567.89", " $12 ", "N/A", "$0.05"], index=[10, 3, 7, 99], name="p")
    got = nb.function("parse_price")(text)
    assert list(got.index) == [10, 3, 7, 99], f"the index changed: {list(got.index)}"
    np.testing.assert_allclose(
        np.asarray(got, dtype=float), [1234567.89, 12.0, np.nan, 0.05], equal_nan=True
    )
