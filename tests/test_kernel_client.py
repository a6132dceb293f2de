"""The nb bridge against a real sandboxed kernel, with this test process as the check worker."""

import asyncio
import functools
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from grader.checks.bridge import BridgeTimeout, KernelUnavailable, Notebook, StudentError
from grader.checks.kernel_client import KernelBridge
from grader.execute import run_notebook
from grader.sandbox import bwrap_problem, choose_isolation
from grader.sandbox.kernel import sandboxed_kernel
from grader.sandbox.warm import KernelFactory
from grader.settings import Limits

pytestmark = pytest.mark.slow

CELLS = [
    "import numpy as np\nimport pandas as pd",
    "def double(x):\n    return x * 2",
    "def broken(x):\n    raise ValueError('nope: ' + str(x))",
    "class Liar:\n    def __eq__(self, other):\n        return True\nliar = Liar()",
    "months = pd.Series([1.0, 2.0], index=pd.period_range('2024-01', periods=2, freq='M'))",
    "import signal, time\n"
    "def stubborn():\n"
    "    signal.signal(signal.SIGINT, signal.SIG_IGN)\n"
    "    while True:\n"
    "        time.sleep(0.01)",
]


def with_notebook(check, cells=CELLS, factory=None):
    """Run ``cells`` in a sandboxed kernel, then call check(nb) from this process.

    ``factory``: a coroutine function giving a warm-kernel factory (else the kernel is cold).
    """

    async def main():
        nb = new_notebook(cells=[new_code_cell(c) for c in cells])
        zygote = await factory() if factory is not None else None
        try:
            spool = zygote.spool if zygote is not None else None
            with tempfile.TemporaryDirectory(prefix="grader-work-", dir=spool) as tmp:
                isolation, _ = choose_isolation("auto")
                limits = Limits(cell_timeout=10, check_timeout=2)
                async with sandboxed_kernel(Path(tmp), limits, isolation, 60, zygote) as kernel:
                    assert kernel.warm == (zygote is not None)
                    execution = await run_notebook(nb, kernel, limits)
                    assert execution.cell_errors == []
                    bridge = KernelBridge(kernel.connection, timeout=2, max_bytes=1 << 20)
                    try:
                        return await asyncio.to_thread(check, Notebook(bridge, "", []))
                    finally:
                        bridge.close()
        finally:
            if zygote is not None:
                await zygote.close()

    return asyncio.run(main())


def test_the_helper_is_sent_only_to_a_kernel_that_lacks_it():
    def check(nb):  # the answer, and how often the helper's source was sent to the kernel
        return nb.function("double")(21), nb._bridge.boots

    assert with_notebook(check) == (42, 1)  # a cold kernel
    start = warm_with()
    assert with_notebook(check, CELLS, start) == (42, 0)  # its zygote installed it
    removed = [*CELLS, "import sys\ndel sys.modules['_grader_bridge']"]
    assert with_notebook(check, removed, start) == (42, 1)
    spoilt = [*CELLS, "import sys\nsys.modules['_grader_bridge'] = None"]  # its import fails
    assert with_notebook(check, spoilt, start) == (42, 1)


def test_a_test_run_in_the_kernel_sees_the_live_objects_and_its_failure_fails_the_check():
    def check(nb):
        nb.run("items = [double(2)]\nassert items == [4]")  # the kernel's own function
        with pytest.raises(StudentError, match="AssertionError: liar fools it"):
            nb.run("assert liar != liar, 'liar fools it'")  # a live object, not data
        with pytest.raises(StudentError, match="`items` is not defined"):
            nb["items"]  # run in a copy of the globals: the test bound nothing there
        nb.finished = False  # as in an after_cell check: not before every cell has run
        with pytest.raises(KernelUnavailable, match="only after all of its cells"):
            nb.run("pass")

    with_notebook(check)


def test_values_functions_and_expressions_cross_by_value():
    def check(nb):
        np.testing.assert_array_equal(nb.function("double")(np.arange(3)), [0, 2, 4])
        assert nb.eval("[double(v) for v in xs]", xs=[1, 2]) == [2, 4]
        assert nb.eval("(lambda: double(k))()", k=5) == 10
        assert nb.function("double")("{limit}") == "{limit}{limit}"
        pd.testing.assert_series_equal(
            nb["months"],
            pd.Series([1.0, 2.0], index=pd.period_range("2024-01", periods=2, freq="M")),
        )
        with pytest.raises(StudentError, match="`nothing` is not defined"):
            nb["nothing"]
        with pytest.raises(StudentError, match="raised ValueError: nope: 3"):
            nb.function("broken")(3)
        with pytest.raises(StudentError, match="cannot travel as data"):
            nb["liar"]
        with pytest.raises(StudentError, match="too large"):
            nb.eval("np.zeros(10**6)")

    with_notebook(check)


def test_call_that_ignores_interrupts_times_out_and_abandons_the_kernel():
    def check(nb):
        with pytest.raises(BridgeTimeout, match="did not finish within 2 s"):
            nb.function("stubborn")()
        with pytest.raises(KernelUnavailable, match="stopped responding"):
            nb.function("double")(1)

    with_notebook(check)


PLOTS = [
    "import matplotlib.pyplot as plt\nimport numpy as np",
    # shown and closed by plt.show() inside the cell
    "fig, ax = plt.subplots()\n"
    "ax.plot([0, 1, 2], [0, 1, 4], label='squares')\n"
    "ax.scatter([1, 2], [3, 4], c=[0, 1], label='points')\n"
    "ax.set(title='Growth', xlabel='x', ylabel='y', yscale='log')\n"
    "ax.legend()\n"
    "plt.show()",
    # shown and closed by the inline backend at the end of the cell
    "fig2, (left, right) = plt.subplots(1, 2)\n"
    "fig2.suptitle('Two')\n"
    "left.bar(['a', 'b'], [3, 5])\n"
    "right.imshow(np.zeros((4, 6)))",
    "plt.figure()\nplt.plot(['mon', 'tue'], [1, 2])\nplt.close('all')",
]


def warm_with(*preload):
    """A warm kernel's factory (its zygote preloads ``preload``), or a skip without bubblewrap."""
    if bwrap_problem() is not None:
        pytest.skip(f"warm kernels need bubblewrap: {bwrap_problem()}")
    return functools.partial(KernelFactory.start, list(preload))


KERNELS = {  # the recorder installed in the kernel, or in its zygote before or after pyplot
    "cold": lambda: None,
    "warm": warm_with,
    "warm-with-pyplot": lambda: warm_with("matplotlib.pyplot"),
}


@pytest.mark.parametrize("kernel", KERNELS)
def test_figures_come_back_as_data_after_the_backend_closed_them(kernel):
    def check(nb):
        figures = nb.figures()
        assert [f["suptitle"] for f in figures] == ["", "Two", ""]
        (growth,) = figures[0]["axes"]
        assert (growth["title"], growth["xlabel"], growth["ylabel"]) == ("Growth", "x", "y")
        assert (growth["xscale"], growth["yscale"]) == ("linear", "log")
        assert growth["legend"] == ["squares", "points"]
        (line,) = growth["lines"]
        assert line["label"] == "squares"
        np.testing.assert_array_equal(line["y"], [0, 1, 4])
        (points,) = growth["scatters"]
        np.testing.assert_array_equal(points["offsets"], [[1, 3], [2, 4]])
        np.testing.assert_array_equal(points["array"], [0, 1])
        left, right = figures[1]["axes"]
        np.testing.assert_array_equal(left["bars"][0]["heights"], [3, 5])
        np.testing.assert_array_equal(left["bars"][0]["x"], [0, 1])
        assert right["images"] == [{"shape": (4, 6)}]
        assert figures[2]["axes"][0]["lines"][0]["x"] == ["mon", "tue"]  # categories as text

    with_notebook(check, PLOTS, KERNELS[kernel]())


@pytest.mark.parametrize("kernel", ["cold", "warm"])
def test_a_notebook_without_plots_has_no_figures_and_never_imports_matplotlib(kernel):
    def check(nb):
        assert nb.figures() == []
        assert nb.eval("__import__('sys').modules.get('matplotlib') is None")

    with_notebook(check, CELLS[:2], KERNELS[kernel]())


STUDENT_TESTS = [
    "def clip(x, low, high):\n    return max(low, min(x, high))",
    "keep = clip",  # an alias: replaced too, so a test cannot call the original through it
    "def test_inside():\n    assert clip(5, 0, 10) == 5",
    "def test_bounds():\n    assert keep(-1, 0, 10) == 0\n    assert clip(11, 0, 10) == 10",
    "def test_needs_an_argument(x):\n    raise AssertionError('never run')",
    "def helper_not_a_test():\n    raise AssertionError('never run')",
]


def test_the_students_tests_run_against_each_implementation_and_the_globals_come_back():
    def check(nb):
        good = "def clip(x, low, high):\n    return min(max(x, low), high)"
        assert nb.student_tests(good) == {"test_inside": None, "test_bounds": None}
        no_upper = "def clip(x, low, high):\n    return max(x, low)"
        assert nb.student_tests(no_upper) == {
            "test_inside": None,
            "test_bounds": "AssertionError: ",
        }
        assert nb.function("keep")(20, 0, 10) == 10  # the notebook's own clip is back
        assert nb.student_tests(good, prefix="nothing_") == {}
        with pytest.raises(StudentError, match="SyntaxError"):
            nb.student_tests("def clip(:")
        with pytest.raises(BridgeTimeout):
            nb.student_tests("def clip(x, low, high):\n    while True:\n        pass")

    with_notebook(check, STUDENT_TESTS)


HOOKED = [
    "def double(x):\n    return x * 2",
    "ran = []\nget_ipython().events.register('post_execute', lambda: ran.append(1))",
]


def test_a_request_runs_no_cell_in_the_students_kernel():
    def check(nb):
        before = nb.eval("len(ran)")
        for i in range(5):
            assert nb.function("double")(i) == 2 * i
        return before, nb.eval("len(ran)")

    before, after = with_notebook(check, HOOKED)
    assert before >= 1  # the cell that registered the hook ran under it
    assert after == before  # no request ran a cell


@pytest.mark.parametrize("own_socket", [True, False], ids=["own-socket", "shell"])
def test_requests_go_on_the_bridges_own_socket_where_it_can_bind_one_else_on_the_shell(
    monkeypatch, own_socket
):
    if not own_socket:  # as where the kernel does not talk over unix sockets
        monkeypatch.setattr(KernelBridge, "_bind_direct", lambda self, path: None)

    def check(nb):
        assert nb.function("double")(21) == 42
        # Without the shell channel's handler only the bridge's own socket still answers.
        nb.run("get_ipython().kernel.shell_handlers.pop('grader_request')")
        try:
            return nb.function("double")(4)
        except (BridgeTimeout, KernelUnavailable) as exc:
            return type(exc).__name__

    assert with_notebook(check, HOOKED) == (8 if own_socket else "BridgeTimeout")


@pytest.mark.parametrize("stop", ["task'].cancel", "socket'].close"])
def test_a_student_who_removes_the_helpers_handler_costs_only_their_own_time_limit(stop):
    def check(nb):
        # Both ways the helper answers: the shell channel, and the bridge's own socket (its
        # task stopped, or the socket closed, once this request has been answered).
        nb.run(
            "import asyncio, _grader_bridge\n"
            "get_ipython().kernel.shell_handlers.pop('grader_request')\n"
            f"asyncio.get_running_loop().call_later(0.1, _grader_bridge._DIRECT['{stop})\n"
        )
        time.sleep(0.5)
        with pytest.raises((BridgeTimeout, KernelUnavailable)):
            nb["double"]

    with_notebook(check, HOOKED)


GIANT = """
import asyncio, tempfile
from pathlib import Path
from nbformat.v4 import new_code_cell, new_notebook
from grader.execute import run_notebook
from grader.sandbox import choose_isolation
from grader.sandbox.kernel import sandboxed_kernel
from grader.settings import Limits
CELLS = [
    "k = get_ipython().kernel\\n"
    "k.session.send(k.iopub_socket, 'stream', {'name': 'stdout', 'text': 'x' * 300_000_000},"
    " parent=k.get_parent('shell'))",
    "answer = 42",
]
async def main():
    nb = new_notebook(cells=[new_code_cell(c) for c in CELLS])
    with tempfile.TemporaryDirectory() as tmp:
        limits = Limits(cell_timeout=20)
        async with sandboxed_kernel(Path(tmp), limits, choose_isolation('auto')[0]) as kernel:
            await run_notebook(nb, kernel, limits)
asyncio.run(main())
print(next(l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM:')))
"""


def test_a_forged_giant_message_is_refused_by_the_graders_client():
    # The student's own session sends one 300 MB message on iopub, past the output cap that
    # print() goes through; the grader's client refuses anything over MAX_MESSAGE (64 MiB).
    done = subprocess.run([sys.executable, "-c", GIANT], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    # The grader's peak memory (VmHWM: this process's own, unlike ru_maxrss, which a process
    # inherits from the one that started it): 0.9-1.2 GB without the cap, 50 MB with it.
    assert int(done.stdout.split()[-1]) < 250 * 1024  # KiB
