"""The grader-side half of the bridge: the ``nb`` object checks use to reach the notebook.

Checks run in a worker process outside the sandbox. Each ``nb[...]``, ``nb.function(...)`` or
``nb.eval(...)`` becomes one :class:`~grader.guest.helper.Request` that an :class:`Asker`
answers: in the check worker :class:`grader.checks.kernel_client.KernelBridge`, over the
kernel's shell channel; in a student's own notebook the Checker's local one. The answer is
JSON text decoded here by :mod:`grader.guest.decode` (never unpickled).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from importlib.resources import files
from typing import Any, Literal, Protocol

from grader.guest import codec, decode, figures
from grader.guest.helper import Answer, Request
from grader.models import CellError


class Asker(Protocol):
    """What :class:`Notebook` sends its requests to: the kernel's bridge, or a local one."""

    def ask(self, request: Request, what: str) -> Any:
        """Have the kernel helper answer ``request``; its answer decoded as data."""


def request(
    op: Literal["get", "call", "evaluate", "run", "figures", "tests"],
    *,
    name: str = "",
    expression: str = "",
    payload: str = "",
) -> Request:
    """A request to the kernel helper (``limit`` is set by the bridge that sends it)."""
    return {"op": op, "name": name, "expression": expression, "payload": payload, "limit": 0}


class StudentError(Exception):
    """The student's code raised, a name is missing, or a value cannot travel as data.

    ``ename`` and ``evalue`` are what the student's code raised (its exception's class name
    and message; "" otherwise), so a check can expect one: ``with pytest.raises(StudentError)
    as info: f(bad)`` then ``assert info.value.ename == "ValueError"``. Importable as
    ``from grader import StudentError``.
    """

    def __init__(self, message: str, ename: str = "", evalue: str = "") -> None:
        super().__init__(message)
        self.ename = ename
        self.evalue = evalue


class BridgeTimeout(Exception):
    """A request to the kernel ran past the check time limit."""


class KernelUnavailable(Exception):
    """The kernel is gone (died, wedged, or never finished the notebook)."""


GUEST_PACKAGE = "_grader_guest"
"""The name the guest modules have in the student's kernel (``grader`` may not be there)."""
KERNEL_MODULES = (("codec", "<grader-codec>"), ("decode", "<grader-decode>"),
                  ("helper", "<grader-bridge>"))  # fmt: skip
"""The guest modules the bridge needs in the kernel, each after those it imports, with the
file name its tracebacks show (the helper hides these from the student)."""


@functools.cache
def bootstrap_code() -> str:
    """Python that installs the kernel helper as module ``_grader_bridge`` (globals untouched).

    The guest modules become the package :data:`GUEST_PACKAGE` in the kernel's ``sys.modules``
    (so their relative imports of each other resolve there as in the grader), each run from its
    source text; the helper is also ``_grader_bridge``.
    """
    guest = files("grader.guest")
    boot = [
        "import sys as _s, types as _t\n",
        f"_p = _t.ModuleType({GUEST_PACKAGE!r}); _p.__path__ = []; _s.modules[_p.__name__] = _p\n",
    ]
    for name, shown in KERNEL_MODULES:
        source = guest.joinpath(f"{name}.py").read_text(encoding="utf-8")
        boot.append(
            f"_m = _t.ModuleType({GUEST_PACKAGE + '.' + name!r}); _m.__package__ = _p.__name__\n"
            f"_s.modules[_m.__name__] = _m; setattr(_p, {name!r}, _m)\n"
            f"exec(compile({source!r}, {shown!r}, 'exec'), _m.__dict__)\n"
        )
    boot.append(f"_s.modules['_grader_bridge'] = _s.modules['{GUEST_PACKAGE}.helper']\n")
    # Run in a throwaway namespace: the student's globals are untouched. The figure recorder
    # is installed at a kernel's start; in a student's own kernel (the Checker) from here on.
    return f"exec({''.join(boot)!r}, {{}})\n" + figures.startup_code()


def decode_answer(text: str, what: str, timeout: float, max_bytes: int) -> Any:
    """Read the kernel helper's answer as data, or raise what it reports.

    Raises:
        StudentError: the student's code raised, a name is missing, or the answer is not data.
        BridgeTimeout: the call was interrupted at its time limit.
    """
    if len(text) > max_bytes:
        raise StudentError(f"{what}: the value is too large to transfer")
    try:
        answer: Answer = json.loads(text)
    except ValueError:
        raise StudentError(f"{what}: the notebook sent back malformed data") from None
    if not isinstance(answer, dict):
        raise StudentError(f"{what}: the notebook sent back malformed data")
    if answer.get("status") == "ok":
        try:
            return decode.decode_tree(answer.get("value"))
        except (codec.CodecError, RecursionError) as exc:
            raise StudentError(f"{what}: the value cannot be read as data: {exc}") from None
    error = answer.get("error")
    if not isinstance(error, dict):
        raise StudentError(f"{what}: the notebook sent back malformed data")
    ename = str(error.get("ename", "Error"))[:100]
    message = str(error.get("message", ""))[:2000]
    if error.get("kind") == "interrupted":
        raise BridgeTimeout(f"{what} did not finish within {timeout:g} s")
    if error.get("kind") == "raised":
        tb = str(error.get("traceback", ""))[-4000:]
        shown = f"{what} raised {ename}: {message}" + (f"\n{tb}" if tb else "")
        raise StudentError(shown, ename, message)
    raise StudentError(message or f"{what} failed: {ename}")


class Notebook:
    """The ``nb`` fixture: the student's executed notebook, reached only by value."""

    def __init__(
        self,
        bridge: Asker | None,
        source: str,
        cell_errors: list[CellError],
        unavailable: str = "",
    ) -> None:
        self._bridge = bridge
        self._unavailable = unavailable
        self.source = source
        """The code of the notebook's code cells, joined by blank lines."""
        self.cell_errors = list(cell_errors)
        """The errors the notebook's cells raised when it ran."""
        self.finished = True
        """Whether every cell has run (False in an ``after_cell`` check): :meth:`run` needs it."""

    def _ask(self, request: Request, what: str) -> Any:
        if self._bridge is None:
            raise KernelUnavailable(self._unavailable or "the notebook's kernel is not available")
        return self._bridge.ask(request, what)

    def __getitem__(self, name: str) -> Any:
        """The value of the notebook's global ``name``."""
        if not isinstance(name, str):
            raise TypeError("nb[...] takes a variable name")
        return self._ask(request("get", name=name), f"reading `{name}`")

    def __contains__(self, name: str) -> bool:
        try:
            self[name]
        except StudentError:
            return False
        return True

    def function(self, name: str) -> Callable[..., Any]:
        """A proxy that calls the notebook's function ``name`` in the kernel, by value."""
        if not isinstance(name, str):
            raise TypeError("nb.function(...) takes a function name")

        def proxy(*args: Any, **kwargs: Any) -> Any:
            payload = codec.dumps([list(args), kwargs])
            return self._ask(request("call", name=name, payload=payload), f"calling {name}()")

        proxy.__name__ = name
        return proxy

    def eval(self, expression: str, **inputs: Any) -> Any:
        """Evaluate ``expression`` in the kernel with ``inputs`` bound by value."""
        payload = codec.dumps(inputs)
        asked = request("evaluate", expression=expression, payload=payload)
        return self._ask(asked, f"evaluating `{expression}`")

    def run(self, source: str) -> None:
        """Run ``source`` in the student's kernel, against the notebook's globals.

        Only for imported tests that need the live kernel (they change a student's object and
        read it back, say): it runs after every cell of the notebook has, and what it raises
        fails the check. Everything else reaches the notebook by value.
        """
        if not self.finished:
            raise KernelUnavailable(
                "a test runs in the notebook's kernel only after all of its cells have run "
                "(not in an after_cell check)"
            )
        self._ask(request("run", expression=source), "running the test in the notebook")

    def figures(self) -> list[dict[str, Any]]:
        """The student's matplotlib figures, oldest first, as plain data.

        Each figure pyplot made while the notebook ran (the newest 50), shown and closed or
        not: ``{"number", "suptitle", "axes": [...]}``, each axes with its ``title``,
        ``xlabel``, ``ylabel``, ``xscale``, ``yscale``, ``xlim``, ``ylim``, ``legend`` (its
        texts), ``lines`` (``label``, ``x``, ``y``), ``scatters`` (``label``, ``offsets``,
        ``colors``, ``array``: the values a colormap coloured), ``bars`` (``label``, ``x``
        centres, ``heights``) and ``images`` (``shape``). Numbers come as float arrays; dates
        or categories as lists of str.
        """
        return self._ask(request("figures"), "reading the notebook's figures")  # type: ignore[no-any-return]

    def student_tests(self, implementation: str, prefix: str = "test_") -> dict[str, str | None]:
        """Run the student's own test functions against ``implementation`` (Python source).

        The tests are the notebook's top-level functions named ``prefix``… that take no
        arguments. While each runs, the names ``implementation`` defines replace the
        notebook's own (an alias of one is replaced too). The answer maps each test's name to
        None when it passed, else ``"ExceptionName: message"``; an empty dict when the student
        wrote none. All of them together run under the check's time limit.
        """
        if not self.finished:
            raise KernelUnavailable(
                "the student's tests run only after all of the notebook's cells have run "
                "(not in an after_cell check)"
            )
        asked = request("tests", name=prefix, expression=implementation)
        return self._ask(asked, "running the student's tests")  # type: ignore[no-any-return]
