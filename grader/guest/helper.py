"""The kernel-side half of the bridge. Its source is sent into the student's kernel.

It runs in the student's process, so nothing here is trusted by the grader: a student may
replace it, which only lets them misreport their own values, and whatever it answers is
decoded as plain data by :mod:`grader.guest.decode`. It never answers in the grader (which
imports it for the protocol's types).

One entry point, :func:`handle`, takes a :class:`Request` as JSON text and returns an object
whose ``_repr_mimebundle_`` carries an :class:`Answer` as JSON text under :data:`MIME` (the
in-notebook Checker reads it so). In a graded kernel, :func:`serve` answers each request that
arrives on the shell channel as a :data:`REQUEST_TYPE` message with a :data:`REPLY_TYPE`
message on the same channel: no cell is run for it (an execute request with a user expression
cost the kernel IPython's cell machinery, about 1.5 ms a request, 40-80 requests a notebook).
"""

from __future__ import annotations

import json
from typing import Any, Literal, TypedDict

from .codec import CodecError, dumps
from .decode import loads

MIME = "application/x-grader-value"
REQUEST_TYPE = "grader_request"
"""A shell message asking for an answer: ``{"request": <Request as JSON text>}``."""
REPLY_TYPE = "grader_reply"
"""Its reply on the shell channel: ``{"answer": <Answer as JSON text>}``, ``started`` in the
metadata (when the kernel began on it, as ipykernel's replies say)."""
_HIDE = ("<grader-bridge>", "<grader-codec>", "<grader-decode>", "<string>")


class Request(TypedDict):
    """What a check asks of the notebook.

    ``get``: the global ``name``; ``call``: the function ``name`` with ``payload`` (encoded
    ``[args, kwargs]``); ``evaluate``: ``expression`` with ``payload`` (encoded inputs) bound;
    ``run``: the statements in ``expression`` (an imported test that needs the live kernel),
    run after the notebook's cells, against its globals; the answer is None or what it raised.
    ``figures``: the figures the notebook drew, as data (:mod:`grader.guest.figures`).
    ``tests``: the notebook's test functions (named ``name``…) run with the definitions in
    ``expression`` in place of the notebook's own; the answer maps each to None or its failure.
    ``limit``: the largest answer, in bytes, the grader will read.
    """

    op: Literal["get", "call", "evaluate", "run", "figures", "tests"]
    name: str
    expression: str
    payload: str
    limit: int


ProblemKind = Literal["name", "type", "raised", "interrupted", "codec", "request"]


class Problem(TypedDict):
    """Why there is no value.

    ``kind``: ``raised`` the student's code raised (``interrupted``: stopped at the time limit),
    ``name`` no such global, ``type`` not a function, ``codec`` the value cannot travel as data,
    ``request`` the request itself was malformed.
    """

    kind: ProblemKind
    ename: str
    message: str
    traceback: str


class Answer(TypedDict, total=False):
    """``{"status": "ok", "value": <encoded>}`` or ``{"status": "error", "error": Problem}``."""

    status: Literal["ok", "error"]
    value: Any
    error: Problem


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


def _problem(kind: ProblemKind, ename: str, message: str, tb: str = "") -> _Answer:
    body: Problem = {
        "kind": kind, "ename": ename, "message": message[:2000], "traceback": tb[-6000:]
    }  # fmt: skip
    answer: Answer = {"status": "error", "error": body}
    return _Answer(json.dumps(answer))


def _raised(exc: BaseException) -> _Answer:
    import traceback

    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename not in _HIDE]
    for frame in frames:
        frame.filename = _cell_name(frame.filename)
    tb = "".join(traceback.format_list(frames)) + "".join(
        traceback.format_exception_only(type(exc), exc)
    )
    kind: ProblemKind = "interrupted" if isinstance(exc, KeyboardInterrupt) else "raised"
    return _problem(kind, type(exc).__name__, str(exc), tb)


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


def handle(request_json: str, namespace: dict[str, Any] | None = None) -> _Answer:
    """Answer one :class:`Request` against ``namespace`` (default: the notebook's globals)."""
    try:
        request: Request = json.loads(request_json)
        op, limit = request["op"], int(request["limit"])
    except (ValueError, KeyError, TypeError) as exc:
        return _problem("request", type(exc).__name__, f"malformed request: {exc}")
    ns = _user_ns() if namespace is None else namespace
    try:
        if op == "get":
            return _get(ns, request["name"], limit)
        if op == "call":
            return _call(ns, request["name"], request["payload"], limit)
        if op == "evaluate":
            return _evaluate(ns, request["expression"], request["payload"], limit)
        if op == "run":
            return _run(ns, request["expression"], limit)
        if op == "figures":
            return _figures(limit)
        if op == "tests":
            return _tests(ns, request["name"], request["expression"], limit)
    except (KeyError, CodecError) as exc:
        return _problem("request", type(exc).__name__, f"malformed request: {exc}")
    return _problem("request", "ValueError", f"malformed request: unknown op {op!r}")


def serve(endpoint: str = "") -> None:
    """Answer requests: on this IPython kernel's shell channel, and on ``endpoint`` if given.

    On the shell channel as :data:`REQUEST_TYPE` messages; at ``endpoint`` (the check worker's
    socket) on a socket of the bridge's own connected there. Either way the handler runs on
    the kernel's main thread, as a cell would (an interrupt reaches the student's code it
    calls); whatever fails is answered as a problem, never left unanswered. The bridge's
    socket (:func:`_serve_directly`) spares each request ipykernel's way with a shell message
    (its hand-over between threads, two status messages and two flushes: most of 1.2 ms a
    request); a request there takes about 0.25 ms.
    """
    import datetime as dt

    from IPython import get_ipython

    kernel = get_ipython().kernel

    async def on_request(stream: Any, ident: Any, parent: dict[str, Any]) -> None:
        started = dt.datetime.now(dt.UTC)
        try:
            text = handle(parent["content"]["request"]).text
        except BaseException as exc:
            text = _raised(exc).text
        kernel.session.send(
            stream, REPLY_TYPE, {"answer": text}, parent, ident=ident,
            metadata={"started": started},
        )  # fmt: skip

    kernel.shell_handlers[REQUEST_TYPE] = on_request
    if endpoint:
        _serve_directly(endpoint)


_DIRECT: dict[str, Any] = {}
"""The bridge's own socket and the task serving it (replaced when a new check worker boots)."""


def _serve_directly(endpoint: str) -> None:
    """Serve requests arriving on a socket connected to ``endpoint`` (the check worker's).

    A request is ``{"id": N, "request": <Request as JSON text>}``; its reply ``{"id": N,
    "answer": <Answer as JSON text>, "seconds": <spent on it>}``. Served by a task on the
    kernel's event loop, so on its main thread, between cells.
    """
    import asyncio
    import signal
    import time

    import zmq
    import zmq.asyncio

    old = _DIRECT.pop("task", None)
    if old is not None:
        old.cancel()
    if "socket" in _DIRECT:
        _DIRECT.pop("socket").close(linger=0)
    sock = zmq.asyncio.Context.instance().socket(zmq.DEALER)
    sock.setsockopt(zmq.LINGER, 0)
    sock.connect(endpoint)

    def answer(frame: bytes) -> bytes:
        started = time.perf_counter()
        try:
            asked = json.loads(frame)
            ident = asked["id"]
        except (ValueError, KeyError, TypeError):
            return b"{}"
        # As ipykernel does around a shell message's handler: an interrupt raises here.
        saved = signal.signal(signal.SIGINT, signal.default_int_handler)
        try:
            text = handle(str(asked.get("request", ""))).text
        except BaseException as exc:
            text = _raised(exc).text
        finally:
            signal.signal(signal.SIGINT, saved)
        reply = {"id": ident, "answer": text, "seconds": time.perf_counter() - started}
        return json.dumps(reply).encode()

    async def loop() -> None:
        while not sock.closed:
            try:
                frame = (await sock.recv_multipart())[-1]
                await sock.send_multipart([answer(frame)])
            except KeyboardInterrupt:  # an interrupt between requests: serve the next one
                continue
            except zmq.ZMQError:  # the socket closed (the loop ends), or a passing error
                await asyncio.sleep(0.01)

    _DIRECT["socket"] = sock
    _DIRECT["task"] = asyncio.get_running_loop().create_task(loop())


def _get(ns: dict[str, Any], name: str, limit: int) -> _Answer:
    """The value of a global of the notebook."""
    if name not in ns:
        return _problem("name", "NameError", f"`{name}` is not defined")
    return _ok(ns[name], limit)


def _call(ns: dict[str, Any], name: str, payload: str, limit: int) -> _Answer:
    """Call a function of the notebook with arguments sent by value."""
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


def _evaluate(ns: dict[str, Any], expression: str, payload: str, limit: int) -> _Answer:
    """Evaluate an expression against the notebook's globals, with inputs bound by value."""
    # Inputs join a copy of the globals (not eval's locals), so that lambdas and
    # comprehensions inside the expression see them too; the notebook's globals are untouched.
    scope = dict(ns)
    scope.update(loads(payload))
    try:
        result = eval(expression, scope)  # noqa: S307  (in the student's kernel)
    except BaseException as exc:
        return _raised(exc)
    return _ok(result, limit)


def _run(ns: dict[str, Any], source: str, limit: int) -> _Answer:
    """Run statements against the notebook's globals.

    In a copy of the mapping: the objects are the notebook's own, so a test can change one and
    read it back, but no global of the notebook is rebound.
    """
    scope = dict(ns)
    try:
        exec(compile(source, "<grader test>", "exec"), scope)  # noqa: S102  (the instructor's test)
    except BaseException as exc:
        return _raised(exc)
    return _ok(None, limit)


def _figures(limit: int) -> _Answer:
    """The figures the notebook drew, as data (none when no recorder is installed)."""
    import sys

    recorder = sys.modules.get("_grader_figures")
    try:
        found = recorder.described() if recorder is not None else []
    except BaseException as exc:  # a figure matplotlib cannot describe, or a tampered recorder
        return _raised(exc)
    return _ok(found, limit)


def _tests(ns: dict[str, Any], prefix: str, implementation: str, limit: int) -> _Answer:
    """Run the notebook's test functions against the instructor's ``implementation``.

    The test functions are the notebook's own top-level functions named ``prefix``… that take
    no arguments, in the order they were defined. The names ``implementation`` defines are
    bound in the notebook's globals in place of its own (and of every global that is the same
    object, such as an alias kept by a test) while each test runs, and restored after it.
    """
    import types

    scope = dict(ns)
    try:
        exec(compile(implementation, "<grader implementation>", "exec"), scope)  # noqa: S102
    except BaseException as exc:  # the instructor's implementation itself is broken
        return _raised(exc)
    bound = {k: v for k, v in scope.items() if k not in ns or ns[k] is not v}
    bound.pop("__builtins__", None)
    tests = [
        (name, f)
        for name, f in list(ns.items())
        if name.startswith(prefix) and isinstance(f, types.FunctionType) and _no_arguments(f, ns)
    ]
    replaced = dict(bound)
    for name, value in bound.items():
        if name in ns:
            replaced.update({k: value for k, v in ns.items() if v is ns[name]})
    outcomes: dict[str, str | None] = {}
    for name, test in tests:
        saved = {k: ns[k] for k in replaced if k in ns}
        ns.update(replaced)
        try:
            test()
            outcomes[name] = None
        except KeyboardInterrupt as exc:  # the check's time limit: stop every test
            return _raised(exc)
        except BaseException as exc:  # the test failed (or errored): that is its outcome
            outcomes[name] = f"{type(exc).__name__}: {exc}"[:500]
        finally:
            for k in replaced:
                if k in saved:
                    ns[k] = saved[k]
                else:
                    ns.pop(k, None)
    return _ok(outcomes, limit)


def _no_arguments(f: Any, ns: dict[str, Any]) -> bool:
    """Whether ``f`` is a function of the notebook itself that can be called with none."""
    import inspect

    if f.__globals__ is not ns:
        return False
    try:
        inspect.signature(f).bind()
    except (TypeError, ValueError):
        return False
    return True
