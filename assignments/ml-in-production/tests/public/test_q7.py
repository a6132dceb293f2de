"""Q7 public checks: the daily share of predicted churners, and alerts on a small example."""

import numpy as np
import pandas as pd
import pytest


def _series(got):
    assert isinstance(got, pd.Series), f"expected a pandas Series, got {type(got).__name__}"
    return got


@pytest.mark.points(1.5)
@pytest.mark.hint(
    "Group the requests by their date and take the share with predict_proba(...)[:, 1] >= "
    "threshold; one entry per date, dates in increasing order."
)
def test_daily_rates_of_the_log(nb):
    got = _series(nb.eval("daily_positive_rate(model, requests)"))
    scores = np.asarray(nb.eval("model.predict_proba(requests[FEATURES])[:, 1]"))
    dates = np.asarray(nb.eval("requests['date'].astype(str).to_numpy()"))
    want = pd.Series(scores >= 0.5).groupby(dates).mean()
    labels = [str(d) for d in got.index]
    assert labels == list(want.index), (
        f"the index should be the log's dates, sorted: {list(want.index[:2])}..., "
        f"not {labels[:2]}..."
    )
    np.testing.assert_allclose(got.to_numpy(dtype=float), want.to_numpy(), rtol=1e-12, atol=0)


@pytest.mark.points(1)
@pytest.mark.hint(
    "abs(rolling_zscore(rates, window)) > z_limit: a jump after a flat history scores inf and "
    "alerts; the first window days are nan and never alert."
)
def test_alerts_on_a_small_example(nb):
    days = [f"2025-01-{d:02d}" for d in range(1, 10)]
    rates = pd.Series([0.25] * 5 + [0.5] + [0.25] * 3, index=days)
    got = nb.function("rate_alerts")(rates, window=5)
    assert list(got) == ["2025-01-06"], f"expected the alert ['2025-01-06'], got {got!r}"


@pytest.mark.points(1)
@pytest.mark.hint("alert_days = rate_alerts(daily_rates) with the defaults (window 14, z_limit 3).")
def test_alert_days_follow_the_rates(nb):
    got = nb["alert_days"]
    want = nb.eval("rate_alerts(daily_positive_rate(model, requests))")
    assert isinstance(got, list) and got == want, f"alert_days is {got!r}, expected {want}"
    assert len(got) >= 1, "the log has a day that should alert"
