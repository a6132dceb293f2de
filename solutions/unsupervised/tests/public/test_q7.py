import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.metrics import adjusted_rand_score

# Eight points: true classes 4 and 9, clusters named 2, 5 and 8.
TRUE = np.array([4, 4, 4, 4, 9, 9, 9, 9])
PRED = np.array([5, 5, 5, 8, 8, 8, 2, 2])


@pytest.mark.points(1)
@pytest.mark.hint(
    "One row per class and one column per cluster, both in sorted order of the label VALUES "
    "(np.unique), whatever the labels are; integer counts."
)
def test_contingency_table_example(nb):
    got = np.asarray(nb.function("contingency_table")(TRUE, PRED))
    assert got.shape == (2, 3), f"expected shape (2, 3) (classes x clusters), got {got.shape}"
    assert np.issubdtype(got.dtype, np.integer), f"expected integer counts, got dtype {got.dtype}"
    np.testing.assert_array_equal(got, [[0, 3, 1], [2, 0, 2]])


@pytest.mark.points(0.5)
@pytest.mark.hint(
    "Purity: for each CLUSTER (column) take its largest class count, add these up, divide by n."
)
def test_purity_example(nb):
    got = nb.function("purity")(TRUE, PRED)
    assert np.ndim(got) == 0, "purity must return a single number"
    # cluster 2: 2 of class 9; cluster 5: 3 of class 4; cluster 8: 2 of class 9 -> 7/8
    np.testing.assert_allclose(float(got), 7 / 8, rtol=1e-12)


@pytest.mark.points(1)
@pytest.mark.hint(
    "ARI = (index - expected) / (max - expected), from the pairs within the cells, the rows and "
    "the columns of the contingency table; compare with sklearn's adjusted_rand_score."
)
def test_adjusted_rand_index_example(nb):
    ari = nb.function("adjusted_rand_index")
    got = ari(TRUE, PRED)
    assert np.ndim(got) == 0, "adjusted_rand_index must return a single number"
    np.testing.assert_allclose(float(got), adjusted_rand_score(TRUE, PRED), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(float(ari(TRUE, 10 - TRUE)), 1.0, rtol=1e-12,
                               err_msg="the same partition under other names")  # fmt: skip


@pytest.mark.points(1)
@pytest.mark.hint(
    "digits_labels = kmeans_best_of(Z_digits, 10, n_init=5, seed=0)[1]; digits_ari is your "
    "adjusted_rand_index(y_digits, digits_labels)."
)
def test_digits_ari(nb):
    _, y = load_digits(return_X_y=True)
    labels = np.asarray(nb["digits_labels"])
    assert labels.shape == (1797,), f"digits_labels: expected shape (1797,), got {labels.shape}"
    assert len(np.unique(labels)) == 10, "digits_labels should hold 10 clusters"
    got = nb["digits_ari"]
    assert np.ndim(got) == 0, "digits_ari should be a single number"
    np.testing.assert_allclose(float(got), adjusted_rand_score(y, labels), rtol=1e-9)
