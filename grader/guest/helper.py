"""The kernel-side half of the bridge. Its source is sent into the student's kernel.

It runs in the student's process, so nothing here is trusted by the grader: a student may
replace it, which only lets them misreport their own values, and whatever it answers is
decoded as plain data by :mod:`grader.guest.codec`. It never runs in the grader.

Every answer is an object whose ``_repr_mimebundle_`` carries JSON text under
:data:`MIME`; the grader asks for it as a ``user_expressions`` entry of an execute request,
so the answer travels on the shell channel in the execute reply.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # in the kernel these names come from the codec source, executed first
    from grader.guest.codec import CodecError, dumps, loads

MIME = "application/x-grader-value"
_HIDE = ("<grader-bridge>", "<grader-codec>", "<string>")


class _Answer:
    def __init__(self, text: str) -> None:
        self.text = text

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        return {MIME: self.text}


def _ok(value: Any, limit: int) -> _Answer:
    try:
        return _Answer('{"status":"ok","value":' + dumps(value, limit) + "}")
    except CodecError as exc:
        return _problem("codec", "CodecError", str(exc))
    except RecursionError:
        return _problem("codec", "CodecError", "the value is nested too deeply")


def _problem(kind: str, ename: str, message: str, tb: str = "") -> _Answer:
    import json

    body = {"kind": kind, "ename": ename, "message": message[:2000], "traceback": tb[-6000:]}
    return _Answer(json.dumps({"status": "error", "error": body}))


def _raised(exc: BaseException) -> _Answer:
    import traceback

    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename not in _HIDE]
    for frame in frames:
        frame.filename = _cell_name(frame.filename)
    tb = "".join(traceback.format_list(frames)) + "".join(
        traceback.format_exception_only(type(exc), exc)
    )
    return _problem("raised", type(exc).__name__, str(exc), tb)


def _cell_name(filename: str) -> str:
    """``Cell In[4]`` for the file IPython compiled a cell into, as its own tracebacks say."""
    from IPython import get_ipython

    try:
        label = get_ipython().compile.format_code_name(filename)
    except Exception:  # an IPython without it: keep the file name
        label = None
    return f"{label[0]} {label[1]}" if label else filename


def _user_ns() -> dict[str, Any]:
    from IPython import get_ipython

    shell = get_ipython()
    ns: dict[str, Any] = shell.user_ns
    return ns


def get(name: str, limit: int) -> _Answer:
    """The value of a global of the notebook."""
    ns = _user_ns()
    if name not in ns:
        return _problem("name", "NameError", f"`{name}` is not defined")
    return _ok(ns[name], limit)


def call(name: str, payload: str, limit: int) -> _Answer:
    """Call a function of the notebook with arguments sent by value."""
    ns = _user_ns()
    if name not in ns:
        return _problem("name", "NameError", f"`{name}` is not defined")
    func = ns[name]
    if not callable(func):
        return _problem("type", "TypeError", f"`{name}` is not a function")
    args, kwargs = loads(payload)
    try:
        result = func(*args, **kwargs)
    except BaseException as exc:  # the student's error, reported as data
        return _raised(exc)
    return _ok(result, limit)


def evaluate(expression: str, payload: str, limit: int) -> _Answer:
    """Evaluate an expression against the notebook's globals, with inputs bound by value."""
    # Inputs join a copy of the globals (not eval's locals), so that lambdas and
    # comprehensions inside the expression see them too; the notebook's globals are untouched.
    scope = dict(_user_ns())
    scope.update(loads(payload))
    try:
        result = eval(expression, scope)  # noqa: S307  (in the student's kernel)
    except BaseException as exc:
        return _raised(exc)
    return _ok(result, limit)
