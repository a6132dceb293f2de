"""The kernel helper (grader.guest.helper) answering requests in-process, read by the bridge.

The same bootstrap the bridge sends into a kernel installs the helper here; answers are decoded
by the grader's own reader (grader.checks.bridge.decode_answer), so each test is one round trip
of the real protocol without a kernel.
"""

from __future__ import annotations

import json
import sys

import numpy as np
import pytest

from grader.checks.bridge import BridgeTimeout, StudentError, bootstrap_code, decode_answer, request
from grader.guest import codec

LIMIT = 1 << 20


@pytest.fixture(scope="module")
def helper():
    exec(bootstrap_code(), {})
    return sys.modules.pop("_grader_bridge")


def ask(helper, req, namespace, limit=LIMIT):
    answer = helper.handle(json.dumps({**req, "limit": limit}), namespace)
    return decode_answer(answer._repr_mimebundle_()["application/x-grader-value"], "asking",
                         timeout=1, max_bytes=limit)  # fmt: skip


def test_a_global_comes_back_by_value(helper):
    ns = {"weights": np.arange(6.0).reshape(2, 3)}
    got = ask(helper, request("get", name="weights"), ns)
    np.testing.assert_array_equal(got, ns["weights"])
    assert got is not ns["weights"]


def test_a_call_sends_arguments_and_returns_the_result_by_value(helper):
    ns = {"scale": lambda x, factor=1: [v * factor for v in x]}
    payload = codec.dumps([[[1, 2, 3]], {"factor": 2}])
    assert ask(helper, request("call", name="scale", payload=payload), ns) == [2, 4, 6]


def test_an_expression_sees_its_inputs_and_leaves_the_globals_untouched(helper):
    ns = {"offset": 10}
    payload = codec.dumps({"xs": [1, 2]})
    got = ask(
        helper, request("evaluate", expression="[x + offset for x in xs]", payload=payload), ns
    )
    assert got == [11, 12]
    assert ns == {"offset": 10}


def test_what_the_student_raised_comes_back_with_its_message_and_traceback(helper):
    def broken(x):
        raise ValueError(f"bad {x}")

    payload = codec.dumps([[3], {}])
    with pytest.raises(StudentError, match=r"asking raised ValueError: bad 3") as raised:
        ask(helper, request("call", name="broken", payload=payload), {"broken": broken})
    assert "grader-bridge" not in str(raised.value)  # the helper's own frames are hidden
    assert (raised.value.ename, raised.value.evalue) == ("ValueError", "bad 3")
    import grader

    assert grader.StudentError is StudentError  # what checks import to expect a raise


def test_an_interrupted_call_is_a_time_out_not_the_student_s_error(helper):
    def slow():
        raise KeyboardInterrupt

    with pytest.raises(BridgeTimeout, match="did not finish within 1 s"):
        ask(helper, request("call", name="slow", payload=codec.dumps([[], {}])), {"slow": slow})


@pytest.mark.parametrize(
    ("req", "ns", "message"),
    [
        (request("get", name="missing"), {}, "`missing` is not defined"),
        (
            request("call", name="x", payload=codec.dumps([[], {}])),
            {"x": 3},
            "`x` is not a function",
        ),
        (request("get", name="handle"), {"handle": open}, "cannot"),
    ],
)
def test_a_missing_name_a_non_function_or_a_value_that_cannot_travel_fails_clearly(
    helper, req, ns, message
):
    with pytest.raises(StudentError, match=message):
        ask(helper, req, ns)


def test_a_value_over_the_limit_is_refused_by_the_helper(helper):
    with pytest.raises(StudentError, match="too large"):
        ask(helper, request("get", name="big"), {"big": "x" * 5000}, limit=1000)


@pytest.mark.parametrize("text", ["not json", '{"op": "get"}', '{"op": "delete", "limit": 1}'])
def test_a_malformed_request_is_answered_as_such(helper, text):
    answer = json.loads(helper.handle(text, {})._repr_mimebundle_()["application/x-grader-value"])
    assert answer["status"] == "error" and answer["error"]["kind"] == "request"


def test_without_a_namespace_the_helper_reads_the_interactive_shell_s_globals(helper):
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    try:
        shell.run_cell("answer = 41 + 1", store_history=False)
        answer = helper.handle(json.dumps({**request("get", name="answer"), "limit": LIMIT}))
        text = answer._repr_mimebundle_()["application/x-grader-value"]
        assert decode_answer(text, "reading", 1, LIMIT) == 42
    finally:
        InteractiveShell.clear_instance()


def test_a_test_run_in_the_kernel_changes_the_notebook_s_objects_but_rebinds_no_global(helper):
    ns = {"items": [1, 2]}
    assert (
        ask(helper, request("run", expression="items.append(3)\nassert len(items) == 3\nx = 1"), ns)
        is None
    )
    assert ns == {"items": [1, 2, 3]}


def test_what_a_test_run_in_the_kernel_raises_fails_it(helper):
    with pytest.raises(StudentError, match="AssertionError: three items"):
        ask(
            helper,
            request("run", expression="assert len(items) == 3, 'three items'"),
            {"items": []},
        )
