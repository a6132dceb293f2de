"""Q8 hidden checks: group-wise normalisation with edge cases and on the hidden export."""

import numpy as np
import pandas as pd
import pytest


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
def test_normalisation_hidden_export(nb, hidden_data, reference):
    joined = reference.load_joined(hidden_data)
    z = nb.function("zscore_within")(joined, "unit_price", "region")
    check_against(z, reference_z(joined, "unit_price", "region"), "zscore_within")
    m = nb.function("minmax_within")(joined, "revenue", "category")
    check_against(m, reference_minmax(joined, "revenue", "category"), "minmax_within")
