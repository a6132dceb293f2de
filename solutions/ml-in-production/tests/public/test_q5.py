"""Q5 public checks: your tests pass on the correct rolling_zscore and catch one bug.

The hidden checks run them against more versions of rolling_zscore, each with another bug.
"""

import pytest

CORRECT = '''
import numpy as np


def rolling_zscore(values, window):
    """How unusual each value is compared with the `window` values just before it."""
    if isinstance(window, bool) or not isinstance(window, (int, np.integer)) or window < 2:
        raise ValueError(f"window must be an integer of at least 2, got {window!r}")
    x = np.asarray(values, dtype=float)
    z = np.full(len(x), np.nan)
    for i in range(window, len(x)):
        history = x[i - window:i]
        mean, std = history.mean(), history.std()
        if std > 0:
            z[i] = (x[i] - mean) / std
        elif x[i] == mean:
            z[i] = 0.0
        else:
            z[i] = np.inf if x[i] > mean else -np.inf
    return z
'''

# The sign is flipped everywhere: a value above its history gets a negative score.
SIGN_FLIPPED = (
    CORRECT.replace("(x[i] - mean) / std", "(mean - x[i]) / std")
    .replace("np.inf if x[i] > mean else -np.inf", "-np.inf if x[i] > mean else np.inf")
)


_runs = {}


def _passing(nb):
    # the student's tests on the correct function, run once for both checks
    if id(nb) not in _runs:
        _runs[id(nb)] = (nb, nb.student_tests(CORRECT))
    outcomes = _runs[id(nb)][1]
    assert outcomes, "no tests found: write functions with no arguments named test_..."
    passing = [name for name, outcome in outcomes.items() if outcome is None]
    failing = {name: outcome for name, outcome in outcomes.items() if outcome is not None}
    return passing, failing


@pytest.mark.points(2)
@pytest.mark.hint(
    "Every test must pass on a correct rolling_zscore: check your expected values by hand "
    "(population std, ddof=0; the window is the values before i, not including it)."
)
def test_your_tests_pass_on_the_correct_function(nb):
    passing, failing = _passing(nb)
    assert not failing, "tests failing on the correct function: " + "; ".join(
        f"{name}: {outcome}" for name, outcome in failing.items()
    )


@pytest.mark.points(1)
@pytest.mark.hint("Is a value above its history scored as positive? Test the sign of a score.")
def test_your_tests_catch_a_flipped_sign(nb):
    passing, _ = _passing(nb)
    assert passing, "none of your tests passes on the correct function, so none can catch a bug"
    outcomes = nb.student_tests(SIGN_FLIPPED)
    assert any(outcomes.get(name) is not None for name in passing), (
        "your tests that pass on the correct function also pass with the sign flipped"
    )
