"""Q6 hidden checks: fingerprints of frames the checks make, and run records recomputed."""

import pandas as pd
import pytest


@pytest.mark.points(1.5)
@pytest.mark.hint(
    "The digest of the CSV text of the frame passed in: a changed value, row order or column "
    "order gives another one."
)
def test_fingerprints_of_other_frames(nb, ref):
    frame = pd.DataFrame({"a": [1, 2, 3], "b": [0.5, 0.25, 2.0], "c": ["x", "y", "z"]})
    variants = {
        "the frame": frame,
        "one value changed": frame.assign(b=[0.5, 0.25, 2.5]),
        "rows reordered": frame.iloc[[2, 0, 1]],
        "columns reordered": frame[["c", "a", "b"]],
    }
    digests = {}
    for what, df in variants.items():
        got = nb.function("data_fingerprint")(df)
        want = ref.fingerprint(df)
        assert got == want, f"{what}: data_fingerprint gave {got!r}, expected {want}"
        digests[what] = got
    assert len(set(digests.values())) == 4, "check data: four different frames"


@pytest.mark.points(2)
@pytest.mark.hint(
    "Split with train_test_split(df[FEATURES], df[TARGET], test_size=0.25, random_state=seed, "
    "stratify=df[TARGET]), fit the forest with random_state=seed, AUC on the test part."
)
def test_run_record_on_other_data(nb, ref):
    df, got = nb.eval("(customers.iloc[300:1100], reproducible_run(customers.iloc[300:1100], 11))")
    assert isinstance(got, dict), f"reproducible_run should return a dict, got {type(got).__name__}"
    assert got.get("data_sha256") == ref.fingerprint(df), "data_sha256 is not the fingerprint of df"
    assert got.get("seed") == 11, f"seed is {got.get('seed')!r}, expected 11"
    assert got.get("sklearn_version") == nb.eval("__import__('sklearn').__version__"), (
        "sklearn_version is not the running version"
    )
    want = ref.run_record_auc(df, 11)
    assert isinstance(got.get("test_auc"), float), "test_auc should be a float"
    assert got["test_auc"] == pytest.approx(want, rel=1e-12), (
        f"test_auc is {got['test_auc']}, expected {want:.6f}"
    )


@pytest.mark.points(1)
@pytest.mark.hint("The seed argument must reach both the split and the forest.")
def test_the_seed_decides_the_run(nb):
    runs = nb.eval("[reproducible_run(customers.iloc[:400], s)['test_auc'] for s in (5, 5, 6)]")
    assert runs[0] == runs[1], f"the same seed gave two different test AUCs: {runs[0]}, {runs[1]}"
    assert runs[0] != runs[2], "seeds 5 and 6 gave the same test AUC: is the seed used?"
