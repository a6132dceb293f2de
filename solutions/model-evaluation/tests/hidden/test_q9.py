import re

import numpy as np
import pytest
from sklearn import metrics


def lines(nb):
    """Every line of every axes the notebook drew, as (x, y) float arrays."""
    found = []
    for fig in nb.figures():
        for ax in fig["axes"]:
            for line in ax["lines"]:
                x, y = line["x"], line["y"]
                if isinstance(x, np.ndarray) and isinstance(y, np.ndarray) and x.shape == y.shape:
                    found.append((x, y))
    return found


def points(x, y):
    return set(zip(np.round(x, 9).tolist(), np.round(y, 9).tolist(), strict=True))


@pytest.mark.points(1.5)
@pytest.mark.hint(
    "Plot fpr along x and tpr along y, from roc_points(y_test, y_score), as rates in [0, 1]."
)
def test_the_curve_is_the_roc_curve_of_the_test_set(nb):
    y_test, y_score = np.asarray(nb["y_test"]), np.asarray(nb["y_score"])
    every = points(*metrics.roc_curve(y_test, y_score, drop_intermediate=False)[:2])
    corners = points(*metrics.roc_curve(y_test, y_score, drop_intermediate=True)[:2])
    drawn = [points(x, y) for x, y in lines(nb)]
    assert any(corners <= p <= every for p in drawn), (
        "no line of your figures goes through the ROC curve's points of the test set, from "
        "(0, 0) to (1, 1), and only through them"
    )


@pytest.mark.points(0.5)
@pytest.mark.hint("ax.plot([0, 1], [0, 1], '--', label='random guessing')")
def test_the_diagonal_of_random_guessing_is_drawn(nb):
    assert any(
        len(x) >= 2 and np.allclose(x, y) and np.isclose(x.min(), 0) and np.isclose(x.max(), 1)
        for x, y in lines(nb)
    ), "no line from (0, 0) to (1, 1) along the diagonal"


@pytest.mark.points(0.5)
@pytest.mark.hint("Label the curve with its AUC, e.g. label=f'AUC = {test_auc:.3f}', and call ax.legend().")
def test_the_legend_gives_the_auc(nb):
    auc = metrics.roc_auc_score(np.asarray(nb["y_test"]), np.asarray(nb["y_score"]))
    texts = [t for fig in nb.figures() for ax in fig["axes"] for t in ax["legend"]]
    numbers = [float(n) for t in texts for n in re.findall(r"\d*\.\d+", t)]
    assert any(abs(n - auc) <= 5e-4 for n in numbers), (
        f"no legend entry gives the AUC to 3 decimals (legend: {texts})"
    )
