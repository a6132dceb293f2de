"""Q4 public checks: PSI on examples worked out by hand, and a report consistent with them."""

import math

import numpy as np
import pytest

COLUMNS = ["psi", "ks_statistic", "p_value", "drifted"]


@pytest.mark.points(0.5)
@pytest.mark.hint("Two samples with the same values fill every bin alike: PSI 0.")
def test_psi_of_a_sample_against_itself_is_zero(nb):
    values = np.random.default_rng(401).normal(size=500)
    got = nb.function("psi")(values, values.copy())
    assert isinstance(got, float), f"psi should return a float, got {type(got).__name__}"
    assert abs(got) < 1e-12, f"psi of a sample against itself is {got}, expected 0"


@pytest.mark.points(1.5)
@pytest.mark.hint(
    "Bins from np.quantile(reference, ...): 0..99 in 4 bins gives 25 values per bin; 0..49 then "
    "fills the first two bins only, and the two empty ones count as 1e-4."
)
def test_psi_worked_example(nb):
    reference = np.arange(100.0)  # quartile edges 24.75, 49.5, 74.25: 25 values per bin
    current = np.arange(50.0)  # bins: 25, 25, 0, 0 -> shares 0.5, 0.5, 1e-4, 1e-4
    want = 2 * (0.5 - 0.25) * math.log(0.5 / 0.25) + 2 * (1e-4 - 0.25) * math.log(1e-4 / 0.25)
    got = nb.function("psi")(reference, current, n_bins=4)
    assert got == pytest.approx(want, rel=1e-9), f"psi = {got}, expected {want:.6f}"


@pytest.mark.points(1.5)
@pytest.mark.hint(
    "One row per column in the order given; psi and ks_statistic/p_value from your psi and "
    "ks_test; drifted = psi > psi_threshold and p_value < alpha."
)
def test_report_on_this_months_batch(nb):
    columns = nb["NUMERIC"]
    report = nb.eval("drift_report(X_train, batch, NUMERIC)")
    assert list(report.index) == list(columns), f"report index {list(report.index)}"
    assert list(report.columns) == COLUMNS, f"report columns {list(report.columns)}"
    psis, tests = nb.eval(
        "([psi(X_train[c], batch[c]) for c in NUMERIC],"
        " [ks_test(X_train[c], batch[c]) for c in NUMERIC])"
    )
    for column, psi, ks in zip(columns, psis, tests, strict=True):
        row = report.loc[column]
        assert row["psi"] == pytest.approx(psi, rel=1e-12), f"{column}: psi differs from psi()"
        assert (row["ks_statistic"], row["p_value"]) == pytest.approx(tuple(ks), rel=1e-12), (
            f"{column}: ks_statistic, p_value differ from ks_test()"
        )
        expected = bool(row["psi"] > 0.2 and row["p_value"] < 0.01)
        assert bool(row["drifted"]) == expected, f"{column}: drifted should be {expected}"


@pytest.mark.points(0.5)
@pytest.mark.hint("drifted lists the columns whose report row says drifted, in NUMERIC's order.")
def test_drifted_list_follows_the_report(nb):
    report = nb["report"]
    assert "drifted" in getattr(report, "columns", []), "report should have a column 'drifted'"
    want = [c for c in nb["NUMERIC"] if bool(report.loc[c, "drifted"])]
    got = nb["drifted"]
    assert isinstance(got, list) and got == want, f"drifted is {got!r}, the report says {want}"
