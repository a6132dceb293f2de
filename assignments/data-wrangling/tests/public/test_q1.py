"""Q1 public checks: parse_price on a few hand-written prices."""

import numpy as np
import pandas as pd
import pytest


@pytest.mark.hint(
    "Strip the spaces, remove '$' and ',' with Series.str.replace, then pd.to_numeric."
)
def test_parse_price_examples(nb):
    got = nb.function("parse_price")(pd.Series([" $1,234.50", "$3.00 ", "$0.99"]))
    assert isinstance(got, pd.Series), f"parse_price should return a Series, got {type(got)}"
    np.testing.assert_allclose(
        np.asarray(got, dtype=float), [1234.5, 3.0, 0.99], err_msg="wrong parsed prices"
    )


@pytest.mark.hint("Turn '' and 'N/A' into missing values before calling pd.to_numeric.")
def test_parse_price_missing_markers(nb):
    got = nb.function("parse_price")(pd.Series(["N/A", "", None, "$5.00"]))
    assert pd.api.types.is_float_dtype(got), f"expected a float Series, got dtype {got.dtype}"
    assert got.isna().tolist() == [True, True, True, False], (
        f"'N/A', '' and None should become NaN and '$5.00' 5.0, got {got.tolist()}"
    )
    assert got.iloc[3] == pytest.approx(5.0), f"'$5.00' should become 5.0, got {got.iloc[3]}"
