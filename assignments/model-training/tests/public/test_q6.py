"""Q6 public check: the honest score on pure noise."""

import pytest


@pytest.mark.hint("Put SelectKBest inside the pipeline that cross_val_score evaluates.")
def test_honest_score_is_near_chance_on_noise(nb):
    honest, leaky = nb["honest_score"], nb["leaky_score"]
    assert isinstance(honest, float), f"honest_score should be a float, got {type(honest).__name__}"
    assert 0.3 <= honest <= 0.7, f"on pure noise an honest estimate is near 0.5, got {honest:.2f}"
    assert leaky - honest >= 0.2, "the honest estimate should be far below the leaky one"
