"""Q1 hidden checks: saving to new folders, loading what the file holds, refusing a mismatch."""

import numpy as np
import pytest

from grader import StudentError

DUMMY = "__import__('sklearn.dummy', fromlist=['DummyClassifier']).DummyClassifier"
LOGREG = "__import__('sklearn.linear_model', fromlist=['LogisticRegression']).LogisticRegression"


@pytest.mark.points(2)
@pytest.mark.hint(
    "Create the parent folders (Path(path).parent.mkdir(parents=True, exist_ok=True)), return "
    "a pathlib.Path, and have load_model read the file it is given (two files, two models)."
)
def test_two_models_in_new_folders(nb):
    path_a = "check-artifacts/hidden/deep/er/a.joblib"
    path_b = "check-artifacts/hidden/other/b.joblib"
    kinds = nb.eval(
        "[type(save_model(model, pa)).__name__,"
        f" type(save_model({DUMMY}(strategy='constant', constant=1).fit(X_train, y_train), pb))"
        ".__name__]",
        pa=path_a,
        pb=path_b,
    )
    assert all(kind in ("PosixPath", "WindowsPath", "Path") for kind in kinds), (
        f"save_model should return a pathlib.Path, got {kinds}"
    )
    got_b = np.asarray(nb.eval("load_model(pb).predict(X_test)", pb=path_b))
    got_a = np.asarray(nb.eval("load_model(pa).predict_proba(X_test)", pa=path_a))
    assert np.all(got_b == 1), "the model loaded from the second file is not the one saved there"
    assert np.array_equal(got_a, np.asarray(nb.eval("model.predict_proba(X_test)"))), (
        "the model loaded from the first file does not predict like the one saved there"
    )


@pytest.mark.points(1)
@pytest.mark.hint("The bundle's features come from the model saved (its feature_names_in_).")
def test_bundle_of_another_model(nb):
    path = "check-artifacts/hidden/two-columns.joblib"
    nb.eval(
        f"str(save_model({LOGREG}().fit(X_train[['age', 'tenure_months']], y_train), p))", p=path
    )
    features = nb.eval("[str(f) for f in __import__('joblib').load(p)['features']]", p=path)
    assert features == ["age", "tenure_months"], (
        f"a model fitted on age and tenure_months was saved with features {features}"
    )
    got = np.asarray(nb.eval("load_model(p).predict_proba(X_test[['age', 'tenure_months']])",
                             p=path))  # fmt: skip
    want = np.asarray(nb.eval(
        f"{LOGREG}().fit(X_train[['age', 'tenure_months']], y_train)"
        ".predict_proba(X_test[['age', 'tenure_months']])"))  # fmt: skip
    assert np.array_equal(got, want), "the reloaded two-column model predicts differently"


def _old_bundle(nb, path, version):
    nb.eval("__import__('os').makedirs('check-artifacts/hidden', exist_ok=True)")
    nb.eval(
        "__import__('joblib').dump({'model': model, 'sklearn_version': v,"
        " 'features': [str(f) for f in model.feature_names_in_]}, p)",
        p=path,
        v=version,
    )


@pytest.mark.points(1.5)
@pytest.mark.hint(
    "Compare the bundle's sklearn_version with sklearn.__version__ and raise ValueError when "
    "they differ, before returning the model."
)
def test_a_bundle_from_another_version_is_refused(nb):
    path = "check-artifacts/hidden/old.joblib"
    _old_bundle(nb, path, "0.24.2")
    try:
        nb.function("load_model")(path)
    except StudentError as exc:
        first = str(exc).split("\n", 1)[0]
        assert exc.ename == "ValueError", f"expected a ValueError, got: {first}"
        return
    raise AssertionError("a model saved by scikit-learn 0.24.2 was loaded without complaint")


@pytest.mark.points(0.5)
@pytest.mark.hint("Name both versions in the message: the one that saved the file and yours.")
def test_the_refusal_names_both_versions(nb):
    path = "check-artifacts/hidden/older.joblib"
    _old_bundle(nb, path, "1.0.2")
    running = nb.eval("__import__('sklearn').__version__")
    try:
        nb.function("load_model")(path)
    except StudentError as exc:
        message = str(exc)
        assert "1.0.2" in message and running in message, (
            f"the message should name 1.0.2 and {running}: {message.splitlines()[0]}"
        )
        return
    raise AssertionError("a model saved by scikit-learn 1.0.2 was loaded without complaint")


@pytest.mark.points(1)
@pytest.mark.hint("What does unpickling do with the instructions stored in the file?")
def test_pickle_risk(nb):
    assert nb["pickle_risk"] == "b", "that is not the reason"


@pytest.mark.points(1)
@pytest.mark.hint("A format made for scikit-learn models that loads without unpickling.")
def test_safer_format(nb):
    answer = nb["safer_format"]
    assert isinstance(answer, str), f"safer_format should be a str, got {type(answer).__name__}"
    name = answer.strip().lower().removesuffix(".io")
    assert name in ("skops", "onnx"), f"{answer!r} is not a format that avoids unpickling"
