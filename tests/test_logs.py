"""The grader's warnings policy: with GRADER_WARNINGS=error, its own warnings are errors."""

import warnings

import pytest

from grader.logs import warnings_policy


@pytest.fixture
def filters():
    """Python's warning filters, restored after the test (the policy changes them)."""
    with warnings.catch_warnings():
        warnings.resetwarnings()
        yield


def test_without_the_variable_warnings_stay_warnings(filters, monkeypatch):
    monkeypatch.delenv("GRADER_WARNINGS", raising=False)
    warnings_policy()
    with pytest.warns(UserWarning):
        warnings.warn("only a warning", UserWarning, stacklevel=1)


def test_with_the_variable_the_graders_own_warnings_are_errors(filters, monkeypatch):
    monkeypatch.setenv("GRADER_WARNINGS", "error")
    warnings_policy()
    with pytest.raises(FutureWarning):
        warnings.warn("a pandas change ahead", FutureWarning, stacklevel=1)


def test_the_tolerated_third_party_deprecations_are_not_errors(filters, monkeypatch):
    monkeypatch.setenv("GRADER_WARNINGS", "error")
    warnings_policy()
    warnings.warn_explicit(
        "datetime.utcnow() is deprecated", DeprecationWarning, "session.py", 1,
        module="jupyter_client.session",
    )  # fmt: skip
    with pytest.raises(DeprecationWarning):
        warnings.warn_explicit(
            "datetime.utcnow() is deprecated", DeprecationWarning, "gradebook.py", 1,
            module="grader.gradebook",
        )  # fmt: skip
