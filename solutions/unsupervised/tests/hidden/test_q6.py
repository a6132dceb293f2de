import numpy as np
import pytest


def _axes_with_line(figures, x_values, y_values):
    """((figure number, axes index), axes) of a line whose points are (x_values, y_values)."""
    x_values, y_values = np.asarray(x_values, dtype=float), np.asarray(y_values, dtype=float)
    for fig in figures:
        for i, ax in enumerate(fig["axes"]):
            for line in ax["lines"]:
                x, y = np.asarray(line["x"], dtype=float), np.asarray(line["y"], dtype=float)
                if (
                    x.shape == x_values.shape
                    and y.shape == y_values.shape
                    and np.allclose(x, x_values)
                    and np.allclose(y, y_values, rtol=1e-9)
                ):
                    return (fig["number"], i), ax
    return None, None


@pytest.mark.points(1.5)
@pytest.mark.hint(
    "scan_k must loop over the ks it is given (any values, in their order) and use its seed: "
    "KMeans(n_clusters=k, n_init=5, random_state=seed) for each."
)
def test_scan_k_other_data(nb, ref):
    rng = np.random.default_rng(601)
    X = np.vstack([rng.normal(loc=c, size=(60, 3)) for c in (0.0, 5.0, 10.0, 15.0)])
    ks = [3, 6, 4]
    got = nb.function("scan_k")(X, ks, seed=7)
    assert isinstance(got, (tuple, list)) and len(got) == 2, "return a pair (inertias, silhouettes)"
    inertias, sils = (np.asarray(v, dtype=float) for v in got)
    ref_inertias, ref_sils = ref.scan(X, ks, seed=7)
    assert inertias.shape == (3,) and sils.shape == (3,), "one inertia and one silhouette per k"
    np.testing.assert_allclose(inertias, ref_inertias, rtol=1e-6, err_msg="inertias")
    np.testing.assert_allclose(sils, ref_sils, rtol=1e-6, err_msg="silhouettes")


@pytest.mark.points(0.5)
@pytest.mark.hint(
    "Label the elbow plot: x axis the number of clusters k, y axis 'inertia', and a title."
)
def test_elbow_plot_labelled(nb, ref):
    _, ks = ref.mystery()
    _, ax = _axes_with_line(nb.figures(), ks, nb["inertias_mystery"])
    assert ax is not None, "no line of inertias_mystery against ks in any figure"
    assert ax["xlabel"].strip(), "the elbow plot's x axis has no label"
    assert "inertia" in ax["ylabel"].lower(), f"the elbow plot's y label is {ax['ylabel']!r}"
    assert ax["title"].strip(), "the elbow plot has no title"


@pytest.mark.points(1)
@pytest.mark.hint(
    "Draw the silhouette curve too: ax_sil.plot(ks, silhouettes_mystery, ...), with its axes "
    "labelled and a title."
)
def test_silhouette_curve_is_drawn(nb, ref):
    _, ks = ref.mystery()
    sils = np.asarray(nb["silhouettes_mystery"], dtype=float)
    figures = nb.figures()
    where, ax = _axes_with_line(figures, ks, sils)
    assert ax is not None, "no line of silhouettes_mystery against ks in any figure"
    elbow, _ = _axes_with_line(figures, ks, nb["inertias_mystery"])
    assert elbow != where, "put the silhouettes on their own axes (ax_sil), not on the elbow's"
    assert ax["xlabel"].strip() and ax["ylabel"].strip(), "label both axes of the silhouette plot"
    assert ax["title"].strip(), "the silhouette plot has no title"
