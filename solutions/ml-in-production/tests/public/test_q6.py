"""Q6 public checks: the fingerprint of the customers, and two identical runs."""

import hashlib

import pytest

KEYS = ["data_sha256", "seed", "sklearn_version", "test_auc"]


@pytest.mark.points(1)
@pytest.mark.hint('sha256 of customers.to_csv(index=False, lineterminator="\\n") in UTF-8, hex.')
def test_fingerprint_of_the_customers(nb):
    text = nb["customers"].to_csv(index=False, lineterminator="\n")
    want = hashlib.sha256(text.encode("utf-8")).hexdigest()
    got = nb["customers_sha256"]
    assert got == want, f"customers_sha256 is {got!r}, expected {want}"


@pytest.mark.points(1)
@pytest.mark.hint(
    "Seed both the split and the forest (random_state=seed): two runs with seed 7 must give "
    "identical records."
)
def test_two_runs_with_one_seed_are_identical(nb):
    run_a, run_b = nb["run_a"], nb["run_b"]
    assert isinstance(run_a, dict) and sorted(run_a) == KEYS, f"run_a keys: expected {KEYS}"
    assert run_a["seed"] == 7, f"run_a's seed is {run_a['seed']!r}, expected 7"
    assert run_a == run_b, f"run_a and run_b differ: {run_a} vs {run_b}"
