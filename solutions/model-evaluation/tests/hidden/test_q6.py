import numpy as np
import pandas as pd
import pytest
from sklearn.calibration import calibration_curve
from sklearn.metrics import brier_score_loss


def _heldout(hidden_data):
    data = pd.read_csv(hidden_data / "digits8_heldout.csv")
    return data["y_true"].to_numpy(), data["prob_nb"].to_numpy(), data["score_lr"].to_numpy()


def _reference_ece(y_true, y_prob, n_bins):
    # an independent route: np.digitize for the bins, explicit loop over them
    ids = np.digitize(y_prob, np.linspace(0.0, 1.0, n_bins + 1)[1:-1], right=True)
    return sum(
        np.mean(ids == b) * abs(y_true[ids == b].mean() - y_prob[ids == b].mean())
        for b in np.unique(ids)
    )


@pytest.mark.points(1)
@pytest.mark.hint(
    "p = 0 belongs to the first bin, p = 1 to the last one, and a p exactly on an inner edge "
    "to the bin below it (bins closed on the right)."
)
def test_bin_ids_edges(nb):
    bin_ids = nb.function("bin_ids")
    p = np.array([0.0, 0.25, 0.3, 0.5, 0.5001, 0.75, 0.9, 1.0])
    for n_bins in (2, 4):
        got = np.asarray(bin_ids(p, n_bins))
        expected = np.digitize(p, np.linspace(0, 1, n_bins + 1)[1:-1], right=True)
        np.testing.assert_array_equal(got, expected, err_msg=f"n_bins={n_bins}")


@pytest.mark.points(1.5)
@pytest.mark.hint("reliability_curve must match calibration_curve for any number of bins.")
def test_reliability_curve_heldout(nb, hidden_data):
    y_true, prob_nb, score_lr = _heldout(hidden_data)
    reliability_curve = nb.function("reliability_curve")
    for probs in (prob_nb, score_lr):
        for n_bins in (5, 10, 15):
            got = reliability_curve(y_true, probs, n_bins=n_bins)
            assert isinstance(got, (tuple, list)) and len(got) == 2, "return (prob_true, prob_pred)"
            ref_true, ref_pred = calibration_curve(y_true, probs, n_bins=n_bins)
            for name, g, r in (("prob_true", got[0], ref_true), ("prob_pred", got[1], ref_pred)):
                g = np.asarray(g, dtype=float)
                assert g.shape == r.shape, (
                    f"n_bins={n_bins}: {name} should have one entry per non-empty bin "
                    f"({r.size}), got {g.size}"
                )
                np.testing.assert_allclose(g, r, rtol=1e-10, err_msg=f"{name}, n_bins={n_bins}")


@pytest.mark.points(1.5)
@pytest.mark.hint("ECE = sum over non-empty bins of (n_b / n) * |fraction true_b - mean prob_b|.")
def test_ece_heldout(nb, hidden_data):
    y_true, prob_nb, score_lr = _heldout(hidden_data)
    ece = nb.function("expected_calibration_error")
    for probs in (prob_nb, score_lr):
        for n_bins in (5, 10):
            got = ece(y_true, probs, n_bins=n_bins)
            assert np.ndim(got) == 0, "expected_calibration_error must return a single number"
            expected = _reference_ece(y_true, probs, n_bins)
            np.testing.assert_allclose(float(got), expected, rtol=1e-9, err_msg=f"n_bins={n_bins}")


@pytest.mark.points(1)
@pytest.mark.hint(
    "A constant prediction c puts everything in one bin: the ECE is |mean(y) - c|. A model "
    "whose probabilities are the true ones has an ECE close to 0."
)
def test_ece_sanity(nb):
    ece = nb.function("expected_calibration_error")
    y = np.array([1, 0, 0, 1, 0, 0, 0, 1])
    np.testing.assert_allclose(float(ece(y, np.full(8, 0.7))), abs(y.mean() - 0.7), rtol=1e-10)
    rng = np.random.default_rng(141)
    p = rng.uniform(size=20000)
    y_cal = (rng.uniform(size=20000) < p).astype(int)
    got = float(ece(y_cal, p))
    assert got < 0.02, f"a calibrated model should have a small ECE, got {got:.3f}"


@pytest.mark.points(0.5)
@pytest.mark.hint("Brier score = mean of (y_prob - y_true) ** 2.")
def test_brier_score_heldout(nb, hidden_data):
    y_true, prob_nb, _ = _heldout(hidden_data)
    got = nb.function("brier_score")(y_true, prob_nb)
    np.testing.assert_allclose(float(got), brier_score_loss(y_true, prob_nb), rtol=1e-10)
