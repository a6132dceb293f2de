"""Q4 public checks: the regression pipeline with a ColumnTransformer."""

import pytest
from sklearn.datasets import load_diabetes
from sklearn.model_selection import train_test_split

NUMERIC = ["age", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6"]


@pytest.mark.hint("Pipeline([('prep', ColumnTransformer([...])), ('model', Ridge(alpha=1.0))])")
def test_make_regressor_structure(nb):
    steps = nb.eval(
        "[type(step).__name__ for _, step in make_regressor(num, cat).steps]",
        num=NUMERIC,
        cat=["sex"],
    )
    assert steps == ["ColumnTransformer", "Ridge"], (
        f"expected ColumnTransformer, Ridge; got {steps}"
    )
    parts = nb.eval(
        "sorted((type(t).__name__, list(cols))"
        " for _, t, cols in make_regressor(num, cat)[0].transformers)",
        num=NUMERIC,
        cat=["sex"],
    )
    assert parts == [("OneHotEncoder", ["sex"]), ("StandardScaler", NUMERIC)], (
        f"scale the numeric columns and one-hot encode the categorical ones; got {parts}"
    )


@pytest.mark.hint("reg = make_regressor(NUMERIC, CATEGORICAL).fit(Xd_train, yd_train)")
def test_reg_scores_on_the_test_split(nb):
    X, y = load_diabetes(return_X_y=True, as_frame=True, scaled=False)
    X["sex"] = X["sex"].astype(int).astype(str)
    _, X_test, _, y_test = train_test_split(X, y, test_size=0.25, random_state=0)
    r2 = nb.eval("reg.score(X, y)", X=X_test, y=y_test)
    assert r2 >= 0.3, f"expected test R^2 >= 0.3, got {r2:.3f}"
