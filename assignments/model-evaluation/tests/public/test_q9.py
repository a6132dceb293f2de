import re

import pytest


def roc_axes(nb):
    """The axes of the student's figures whose labels name the two rates."""
    return [
        ax
        for fig in nb.figures()
        for ax in fig["axes"]
        if re.search(r"false positive|\bfpr\b", ax["xlabel"], re.IGNORECASE)
        and re.search(r"true positive|\btpr\b|recall|sensitivity", ax["ylabel"], re.IGNORECASE)
    ]


@pytest.mark.points(1)
@pytest.mark.hint("Label the axes: ax.set(xlabel='False positive rate', ylabel='True positive rate').")
def test_a_figure_has_the_roc_axes_labelled(nb):
    assert roc_axes(nb), (
        "no figure has 'False positive rate' along x and 'True positive rate' along y"
    )
