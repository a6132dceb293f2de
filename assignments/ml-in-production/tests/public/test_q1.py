"""Q1 public checks: the model survives a save and a load, as a bundle."""

import numpy as np
import pytest


@pytest.mark.points(1)
@pytest.mark.hint(
    "save_model(model, path) writes the file and returns the path; load_model(path) gives back a "
    "model whose predict_proba is identical (np.array_equal) to the original's."
)
def test_save_and_load_give_identical_predictions(nb):
    path = "check-artifacts/public/churn.joblib"
    returned = nb.eval("str(save_model(model, p))", p=path)
    assert returned.replace("\\", "/").endswith("check-artifacts/public/churn.joblib"), (
        f"save_model should return the path it saved to, got {returned!r}"
    )
    got = np.asarray(nb.eval("load_model(p).predict_proba(X_test)", p=path))
    want = np.asarray(nb.eval("model.predict_proba(X_test)"))
    assert got.shape == want.shape, f"probabilities of shape {got.shape}, expected {want.shape}"
    assert np.array_equal(got, want), "the reloaded model's probabilities differ from the model's"


@pytest.mark.points(1)
@pytest.mark.hint(
    'The file holds a dict: {"model": model, "sklearn_version": sklearn.__version__, '
    '"features": list of the column names in model.feature_names_in_}.'
)
def test_the_file_holds_the_bundle(nb):
    path = "check-artifacts/public/bundle.joblib"
    nb.eval("str(save_model(model, p))", p=path)
    bundle = nb.eval(
        "(lambda b: [sorted(b), b['sklearn_version'], [str(f) for f in b['features']],"
        " type(b['model']).__name__] if isinstance(b, dict) else type(b).__name__)"
        "(__import__('joblib').load(p))",
        p=path,
    )
    assert isinstance(bundle, list), f"the file should hold the bundle, a dict; it holds a {bundle}"
    keys, version, features, model_type = bundle
    assert keys == ["features", "model", "sklearn_version"], f"bundle keys {keys}"
    assert version == nb.eval("__import__('sklearn').__version__"), (
        f"sklearn_version is {version!r}, not the running scikit-learn's version"
    )
    assert features == nb.eval("[str(f) for f in model.feature_names_in_]"), (
        f"features {features} are not the model's feature_names_in_"
    )
    assert model_type == "Pipeline", f"the bundle's model is a {model_type}, expected the Pipeline"


@pytest.mark.points(0.5)
@pytest.mark.hint('pickle_risk is one letter, "a" to "d"; safer_format one lower-case word.')
def test_answers_are_well_formed(nb):
    risk, fmt = nb["pickle_risk"], nb["safer_format"]
    assert risk in ("a", "b", "c", "d"), f'pickle_risk should be one of "a".."d", got {risk!r}'
    assert isinstance(fmt, str) and fmt.strip() and " " not in fmt.strip(), (
        f"safer_format should be a single word, got {fmt!r}"
    )
