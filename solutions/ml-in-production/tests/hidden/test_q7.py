"""Q7 hidden checks: daily rates of a hidden, shuffled log and alerts against the reference."""

import numpy as np
import pandas as pd
import pytest


@pytest.mark.points(1.5)
@pytest.mark.hint(
    "Group by the log's date column (not by position), use the threshold argument, and sort "
    "the dates."
)
def test_daily_rates_of_a_shuffled_hidden_log(nb, ref, hidden_data):
    log = pd.read_csv(f"{hidden_data}/requests_hidden.csv")
    log = log.sample(frac=1.0, random_state=701)  # rows out of order, index kept
    got, scores = nb.eval(
        "(daily_positive_rate(model, L, threshold=0.3), model.predict_proba(L[FEATURES])[:, 1])",
        L=log,
    )
    assert isinstance(got, pd.Series), f"expected a Series, got {type(got).__name__}"
    want = ref.daily_rates(scores, log["date"].to_numpy(), threshold=0.3)
    labels = [str(d) for d in got.index]
    assert labels == list(want.index), (
        f"the index should be the log's dates, sorted: {list(want.index[:2])}..., "
        f"not {labels[:2]}..."
    )
    np.testing.assert_allclose(got.to_numpy(dtype=float), want.to_numpy(), rtol=1e-12, atol=0)


@pytest.mark.points(1.5)
@pytest.mark.hint(
    "Alert on abs(z) > z_limit: drops alert as well as jumps, inf alerts, nan never; use the "
    "window and z_limit arguments."
)
def test_alerts_on_edge_cases(nb, ref):
    rng = np.random.default_rng(702)
    values = np.concatenate([[0.25] * 4, [0.5], rng.normal(0.3, 0.02, 12), [0.125], [0.375] * 3])
    rates = pd.Series(values, index=[f"d{i:02d}" for i in range(len(values))])
    for window, z_limit in [(3, 2.0), (4, 3.0), (6, 2.5)]:
        want = ref.rate_alerts(rates, window, z_limit)
        got = nb.function("rate_alerts")(rates, window=window, z_limit=z_limit)
        assert list(got) == want, f"window={window}, z_limit={z_limit}: {got!r}, expected {want}"
    assert ref.rate_alerts(rates, 4, 3.0)[:1] == ["d04"], "check data: the jump alerts"
    assert "d17" in ref.rate_alerts(rates, 6, 2.5), "check data: the drop alerts"


@pytest.mark.points(1)
@pytest.mark.hint("The promotion day of the hidden log should alert, and nothing else.")
def test_alerts_on_the_hidden_log(nb, ref, hidden_data):
    log = pd.read_csv(f"{hidden_data}/requests_hidden.csv")
    got, scores = nb.eval(
        "(rate_alerts(daily_positive_rate(model, L)), model.predict_proba(L[FEATURES])[:, 1])",
        L=log,
    )
    want = ref.rate_alerts(ref.daily_rates(scores, log["date"].to_numpy()))
    assert want == ["2025-06-20"], "check data"
    assert list(got) == want, f"alerts on the hidden log: got {got!r}, expected {want}"
