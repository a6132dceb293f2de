"""Q8 public checks: normalising within groups."""

import numpy as np
import pandas as pd
import pytest

FRAME = pd.DataFrame({"g": ["a", "a", "a", "b", "b"], "x": [1.0, 2.0, 3.0, 10.0, 30.0]})


@pytest.mark.hint("(x - group mean) / group std with ddof=0: groupby(by)[col].transform(...).")
def test_zscore_within_small_example(nb):
    got = nb.function("zscore_within")(FRAME, "x", "g")
    s = np.sqrt(2 / 3)
    np.testing.assert_allclose(
        np.asarray(got, dtype=float),
        [-1 / s, 0.0, 1 / s, -1.0, 1.0],
        rtol=1e-9,
        err_msg="z-scores within each group, population standard deviation (ddof=0)",
    )


@pytest.mark.hint("(x - group min) / (group max - group min).")
def test_minmax_within_small_example(nb):
    got = nb.function("minmax_within")(FRAME, "x", "g")
    np.testing.assert_allclose(np.asarray(got, dtype=float), [0.0, 0.5, 1.0, 0.0, 1.0])
