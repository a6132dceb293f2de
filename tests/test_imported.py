"""Imported tests (grader.checks.imported) run in the check process against a notebook reached
by value; here the notebook is a fake with the same interface."""

import numpy as np
import pytest

from grader.checks.imported import free_names, kernel_only_reason, run_test


class FakeNotebook:
    """The student's globals, reached as the bridge would: functions as proxies, values copied."""

    def __init__(self, **values):
        self.values = values
        self.asked: list[str] = []

    def __contains__(self, name):  # as the real one: by reading the value
        try:
            self[name]
        except (KeyError, TypeError):
            return False
        return True

    def __getitem__(self, name):
        self.asked.append(name)
        value = self.values[name]
        if callable(value) or type(value).__name__ == "module":
            raise TypeError(f"`{name}` cannot travel as data")  # as the codec refuses it
        return value.copy() if hasattr(value, "copy") else value

    def function(self, name):
        self.asked.append(name)
        return lambda *a, **k: self.values[name](*a, **k)

    def eval(self, expression, **inputs):
        scope = dict(self.values)
        scope.update(inputs)  # as the helper binds inputs: in a copy of the globals
        return eval(expression, scope)


def test_free_names_leave_out_what_the_test_binds_imports_and_builtins():
    source = (
        "import numpy as np\nfrom math import isclose\nx = f(2)\n"
        "def helper(v):\n    return v + offset\n"
        "assert isclose(helper(x), len(data))\n[y for y in data]\n"
    )
    assert free_names(source) == ["f", "offset", "data"]


def test_a_test_runs_against_the_notebook_s_values_and_functions_by_value():
    nb = FakeNotebook(normalize=lambda m: m / np.linalg.norm(m, axis=1, keepdims=True),
                      weights=np.array([3.0, 4.0]))  # fmt: skip
    run_test(nb, "import numpy as np\ngot = normalize(np.array([[3.0, 4.0]]))\n"
                 "assert np.allclose(got, [[0.6, 0.8]])\nassert weights.sum() == 7")  # fmt: skip
    assert sorted(nb.asked) == ["normalize", "weights"]


def test_a_failed_assertion_fails_with_its_message():
    nb = FakeNotebook(f=lambda x: x + 1)
    with pytest.raises(AssertionError, match="f must double"):
        run_test(nb, "assert f(2) == 4, 'f must double'")


def test_a_name_the_notebook_lacks_raises_name_error_as_in_the_notebook():
    with pytest.raises(NameError, match="'missing'"):
        run_test(FakeNotebook(), "assert missing(1) == 1")


def test_the_last_expression_is_the_test_s_value_for_partial_credit():
    nb = FakeNotebook(score_of=lambda: 3)
    assert run_test(nb, "s = score_of()\nfloat(s) / 2") == 1.5
    assert run_test(nb, "assert score_of() == 3") is None


def test_mutating_the_notebook_s_copy_cannot_change_the_student_s_object():
    nb = FakeNotebook(data=np.zeros(3))
    run_test(nb, "data[0] = 5\nassert data[0] == 5")
    assert nb.values["data"][0] == 0


@pytest.mark.parametrize(
    ("source", "why"),
    [
        ("model.fit(X, y)\nassert model.coef_[0] > 0", "calls a method of the notebook's `model`"),
        ("counter.value = 3\nassert bump() == 4", "assigns into the notebook's `counter`"),
        ("assert make() is make()", "identity"),
        ("import sys\nassert 'x' in sys.stdout.getvalue()", "printed"),
        ("assert f(2) == 4\nassert g is not None", ""),
    ],
)
def test_tests_that_need_the_live_kernel_are_named_with_the_reason(source, why):
    got = kernel_only_reason(source)
    assert (why in got) if why else got == ""


def test_a_module_is_this_process_s_own_and_only_one_already_imported_or_of_the_stdlib():
    import json
    import types

    from grader.checks.imported import MISSING, fetch

    nb = FakeNotebook(js=json, other=types.ModuleType("a_module_not_loaded_here"))
    assert fetch(nb, "js") is json
    assert fetch(nb, "other") is MISSING  # never imported on the student's word
    assert fetch(nb, "nothing") is MISSING


def test_an_estimator_s_fitted_attributes_come_as_data_and_its_methods_run_in_the_kernel():
    from sklearn.linear_model import LinearRegression

    from grader.checks.imported import EstimatorProxy, fetch
    from grader.guest import codec, decode

    model = LinearRegression().fit([[0.0], [1.0]], [0.0, 2.0])

    class EstimatorNotebook(FakeNotebook):
        def __getitem__(self, name):
            return decode.loads(codec.dumps(self.values[name]))  # as it travels

    nb = EstimatorNotebook(model=model)
    got = fetch(nb, "model")
    assert isinstance(got, EstimatorProxy)
    assert got.coef_[0] == pytest.approx(2.0)  # by value
    assert got.predict([[2.0]])[0] == pytest.approx(4.0)  # called in the "kernel"
