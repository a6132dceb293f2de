"""Q5 public checks: the grid search."""

import pytest


@pytest.mark.hint(
    "GridSearchCV(Pipeline([scaler, knn]), grid with 4 x 2 candidates, cv=3).fit(...)"
)
def test_search_setup(nb):
    assert nb.eval("type(search).__name__") == "GridSearchCV", "search should be a GridSearchCV"
    assert nb.eval("search.cv") == 3, "use cv=3"
    steps = nb.eval("[type(step).__name__ for _, step in search.estimator.steps]")
    assert steps == ["StandardScaler", "KNeighborsClassifier"], (
        "the searched estimator should be a pipeline of a StandardScaler and a "
        f"KNeighborsClassifier, got {steps}"
    )
    n = nb.eval("len(search.cv_results_['params'])")
    assert n == 8, f"expected 8 candidates (4 values of n_neighbors x 2 weights), got {n}"


@pytest.mark.hint("best_params = search.best_params_")
def test_best_params(nb):
    best = nb["best_params"]
    assert isinstance(best, dict), f"best_params should be a dict, got {type(best).__name__}"
    assert best == nb.eval("search.best_params_"), "best_params should be search.best_params_"
