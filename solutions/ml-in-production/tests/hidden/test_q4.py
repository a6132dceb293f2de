"""Q4 hidden checks: PSI against the checks' reference (bins from the reference sample, ties,
empty bins, other bin counts), the KS test, and reports on two hidden batches."""

import numpy as np
import pandas as pd
import pytest

COLUMNS = ["psi", "ks_statistic", "p_value", "drifted"]


@pytest.mark.points(1.5)
@pytest.mark.hint(
    "Cut the bins at the quantiles of the reference (the first argument), never of the current "
    "sample: bins that move with the new data hide part of the shift."
)
def test_psi_bins_come_from_the_reference(nb, ref):
    rng = np.random.default_rng(402)
    reference = rng.uniform(0, 1, 3000)
    current = rng.uniform(0, 1, 1200) ** 2  # piled up near 0
    want = ref.psi(reference, current)
    assert abs(want - ref.psi(current, reference)) > 0.05, "check data: the bins must matter here"
    got = nb.function("psi")(reference, current)
    assert got == pytest.approx(want, rel=1e-9), f"psi = {got}, expected {want:.6f}"


@pytest.mark.points(1.5)
@pytest.mark.hint(
    "Whole numbers repeat, so several quantile edges coincide: bin with "
    "np.digitize(v, edges[1:-1]) and floor every share at 1e-4, including empty bins."
)
def test_psi_with_ties_and_empty_bins(nb, ref):
    rng = np.random.default_rng(403)
    reference = rng.poisson(2.0, 2500)
    current = rng.poisson(4.0, 900)
    got = nb.function("psi")(reference, current)
    assert got == pytest.approx(ref.psi(reference, current), rel=1e-9), (
        f"psi on whole numbers = {got}, expected {ref.psi(reference, current):.6f}"
    )
    far = np.full(300, 50.0)  # every current value above the reference's maximum
    got = nb.function("psi")(reference, far)
    want = ref.psi(reference, far)
    assert np.isfinite(got) and got == pytest.approx(want, rel=1e-9), (
        f"psi with all current values in one bin = {got}, expected {want:.6f}"
    )


@pytest.mark.points(1)
@pytest.mark.hint("Use n_bins: n_bins + 1 quantile edges.")
def test_psi_other_bin_counts(nb, ref):
    rng = np.random.default_rng(404)
    reference = rng.normal(10, 2, 2000)
    current = rng.normal(10.5, 2.5, 700)
    for n_bins in (5, 20):
        got = nb.function("psi")(reference, current, n_bins=n_bins)
        want = ref.psi(reference, current, n_bins)
        assert got == pytest.approx(want, rel=1e-9), (
            f"n_bins={n_bins}: psi {got}, expected {want:.6f}"
        )


@pytest.mark.points(1)
@pytest.mark.hint("Return (statistic, pvalue) of scipy.stats.ks_2samp(reference, current).")
def test_ks_test(nb):
    from scipy import stats

    rng = np.random.default_rng(405)
    a, b = rng.normal(0, 1, 400), rng.normal(0.2, 1, 300)
    got = nb.function("ks_test")(a, b)
    assert isinstance(got, (tuple, list)) and len(got) == 2, f"expected a pair, got {got!r}"
    want = stats.ks_2samp(a, b)
    assert tuple(got) == pytest.approx((want.statistic, want.pvalue), rel=1e-12), (
        f"ks_test gave {tuple(got)}, expected ({want.statistic:.6f}, {want.pvalue:.6g})"
    )


def _compare(got, want):
    assert isinstance(got, pd.DataFrame), f"drift_report should return a DataFrame, got {type(got)}"
    assert list(got.index) == list(want.index), f"report index {list(got.index)}"
    assert list(got.columns) == COLUMNS, f"report columns {list(got.columns)}"
    for column in want.index:
        for key in ("psi", "ks_statistic", "p_value"):
            assert float(got.loc[column, key]) == pytest.approx(want.loc[column, key], rel=1e-9), (
                f"{column}: {key} is {got.loc[column, key]}, expected {want.loc[column, key]:.6g}"
            )
        assert bool(got.loc[column, "drifted"]) == bool(want.loc[column, "drifted"]), (
            f"{column}: drifted should be {bool(want.loc[column, 'drifted'])}"
        )


@pytest.mark.points(1.5)
@pytest.mark.hint("A batch of younger, newer customers: age and tenure_months have drifted.")
def test_report_on_a_shifted_batch(nb, ref, hidden_data):
    batch = pd.read_csv(f"{hidden_data}/batch_shifted.csv")
    reference = nb["X_train"]
    want = ref.drift_report(reference, batch, ref.NUMERIC)
    assert list(want.index[want["drifted"]]) == ["age", "tenure_months"], "check data"
    _compare(nb.eval("drift_report(X_train, B, NUMERIC)", B=batch), want)


@pytest.mark.points(1)
@pytest.mark.hint("A batch from the training distribution: nothing has drifted.")
def test_report_on_a_stable_batch(nb, ref, hidden_data):
    batch = pd.read_csv(f"{hidden_data}/batch_stable.csv")
    want = ref.drift_report(nb["X_train"], batch, ref.NUMERIC)
    assert not want["drifted"].any(), "check data"
    _compare(nb.eval("drift_report(X_train, B, NUMERIC)", B=batch), want)


@pytest.mark.points(1)
@pytest.mark.hint("Use the columns (in their order), n_bins, psi_threshold and alpha arguments.")
def test_report_arguments(nb, ref, hidden_data):
    batch = pd.read_csv(f"{hidden_data}/batch_stable.csv")
    columns = ["support_calls", "monthly_charges", "age"]
    options = {"n_bins": 8, "psi_threshold": 0.006, "alpha": 0.95}
    want = ref.drift_report(nb["X_train"], batch, columns, **options)
    assert want["drifted"].sum() == 2, "check data: the loose thresholds flag two columns"
    got = nb.eval("drift_report(X_train, B, C, **O)", B=batch, C=columns, O=options)
    _compare(got, want)
