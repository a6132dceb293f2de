"""Run a test written for another grader (an nbgrader test cell, an otter case) as our check.

Such a test is Python that names the student's globals directly (``assert f(2) == 4``). Here
it runs in the check process, never in the student's kernel: every free name of the test that
the test does not bind itself, and that is not a builtin, is fetched through ``nb`` first,
functions as call-by-value proxies (``nb.function``) and everything else as a value
(``nb[name]``). A name the notebook does not define is left out, so the test fails with
Python's own ``NameError``, as it would have in the notebook.

A test that needs the live kernel (it mutates the student's objects and reads them back, or
relies on object identity or on what the student's code prints) cannot run this way; the
importer says so per check (:func:`kernel_only_reason`).
"""

from __future__ import annotations

import ast
import builtins
import importlib
import sys
from collections.abc import Iterable
from typing import Any, Protocol

from grader.guest.codec import EstimatorData


class NotebookLike(Protocol):
    """What of the ``nb`` fixture an imported test needs."""

    def __getitem__(self, name: str) -> Any:
        """The value of a global."""

    def __contains__(self, name: str) -> bool:
        """Whether the notebook defines a global."""

    def function(self, name: str) -> Any:
        """A call-by-value proxy of a function of the notebook."""

    def eval(self, expression: str, **inputs: Any) -> Any:
        """An expression evaluated in the kernel."""


def free_names(source: str) -> list[str]:
    """The names ``source`` reads but never binds, builtins left out, in order of first use."""
    tree = ast.parse(source)
    bound: set[str] = set()
    read: dict[str, None] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            if isinstance(node.ctx, ast.Load):
                read[node.id] = None
            else:
                bound.add(node.id)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            bound.add(node.name)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            bound.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bound.add(node.name)
    return [n for n in read if n not in bound and not hasattr(builtins, n)]


def notebook_namespace(nb: NotebookLike, names: Iterable[str]) -> dict[str, Any]:
    """A namespace holding each of ``names`` the notebook defines, fetched through ``nb``.

    A name the notebook lacks is left out: the test raises NameError itself, where it reads it.
    """
    namespace: dict[str, Any] = {"__name__": "__grader_imported_test__"}
    for name in names:
        value = fetch(nb, name)
        if value is not MISSING:
            namespace[name] = value
    return namespace


MISSING = object()
"""What :func:`fetch` gives for a name the notebook does not define."""

_KIND = (
    "None if __grader_name not in globals() else (lambda v: "
    "('module', v.__name__) if type(v).__name__ == 'module' else "
    "('class', v.__module__, v.__qualname__) if isinstance(v, type) else "
    "('function',) if callable(v) else ('value',))(globals()[__grader_name])"
)


def fetch(nb: NotebookLike, name: str) -> Any:
    """The notebook's global ``name`` as the check process can use it (:data:`MISSING` if none).

    One ``nb.eval`` asks the kernel what it is (the name travels as data). A module is this
    process's own module of that name (a student cannot patch it), and only one already
    imported here or of the standard library, so a student cannot make the check process import
    anything else; a class importable here by module and name becomes :class:`ClassStandIn`;
    another callable a call-by-value proxy (``nb.function``); a fitted estimator its data with
    its methods called in the kernel (:class:`EstimatorProxy`); anything else its value.
    """
    kind = nb.eval(_KIND, __grader_name=name)
    if not isinstance(kind, tuple) or not kind:
        return MISSING
    if kind[0] == "module" and isinstance(kind[1], str):
        return _module(kind[1]) or MISSING
    if kind[0] == "class" and len(kind) == 3:
        cls = _import_class(str(kind[1]), str(kind[2]))
        return ClassStandIn(cls) if cls is not None else nb.function(name)
    if kind[0] in ("class", "function"):
        return nb.function(name)
    value = nb[name]
    return EstimatorProxy(nb, name, value) if isinstance(value, EstimatorData) else value


def _module(name: str) -> Any:
    if name in sys.modules or name.split(".")[0] in sys.stdlib_module_names:
        try:
            return importlib.import_module(name)
        except ImportError:
            return None
    return None


class ClassStandIn:
    """A class of the notebook, as the same class imported in the check process."""

    def __init__(self, cls: type) -> None:
        self.cls = cls

    def __instancecheck__(self, obj: Any) -> bool:
        if isinstance(obj, EstimatorData | EstimatorProxy):
            found = _import_class(obj.module, obj.class_name)
            return found is not None and issubclass(found, self.cls)
        return isinstance(obj, self.cls)

    def __subclasscheck__(self, other: type) -> bool:
        return issubclass(other, self.cls)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """A new instance, made in the check process."""
        return self.cls(*args, **kwargs)

    def __getattr__(self, attr: str) -> Any:
        return getattr(self.cls, attr)

    def __repr__(self) -> str:
        return repr(self.cls)


class EstimatorProxy:
    """A fitted estimator of the notebook: its data here, its methods called in the kernel."""

    def __init__(self, nb: NotebookLike, name: str, data: EstimatorData) -> None:
        self._nb, self._name, self._data = nb, name, data

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("__"):
            raise AttributeError(attr)
        try:
            return getattr(self._data, attr)
        except AttributeError:
            if not self._nb.eval(f"callable(getattr({self._name}, {attr!r}, None))"):
                raise
        nb, name = self._nb, self._name

        def method(*args: Any, **kwargs: Any) -> Any:
            code = f"{name}.{attr}(*__grader_args, **__grader_kwargs)"
            return nb.eval(code, __grader_args=list(args), __grader_kwargs=kwargs)

        method.__name__ = attr
        return method


def _import_class(module: str, qualname: str) -> type | None:
    if module == "__main__":  # the student's own class: only the kernel has it
        return None
    try:
        found: Any = importlib.import_module(module)
        for part in qualname.split("."):
            found = getattr(found, part)
    except (ImportError, AttributeError, ValueError):
        return None
    return found if isinstance(found, type) else None


def run_test(nb: NotebookLike, source: str, filename: str = "<imported test>") -> Any:
    """Run ``source`` against the notebook; the value of its last line if that is an expression.

    Raises whatever the test raises (``AssertionError`` for a failed assertion); the caller's
    check fails with it.
    """
    tree = ast.parse(source, filename)
    last: ast.expr | None = None
    if tree.body and isinstance(final := tree.body[-1], ast.Expr):
        tree.body.pop()
        last = final.value
    namespace = notebook_namespace(nb, free_names(source))
    exec(compile(tree, filename, "exec"), namespace)  # noqa: S102  (the instructor's own test)
    if last is None:
        return None
    return eval(compile(ast.Expression(last), filename, "eval"), namespace)  # noqa: S307


def kernel_only_reason(source: str) -> str:
    """Why ``source`` cannot run outside the kernel ("" when it can).

    It cannot when it changes a student's object and reads it back (an attribute or item
    assigned on a free name, a method call whose result is discarded), compares identity
    (``is`` between non-constants), or reads what was printed (``capsys``, ``sys.stdout``).
    """
    names = set(free_names(source))
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute | ast.Subscript) and isinstance(node.ctx, ast.Store):
            if _root_name(node) in names:
                return f"it assigns into the notebook's `{_root_name(node)}`"
        if (
            isinstance(node, ast.Expr)
            and isinstance(node.value, ast.Call)
            and isinstance(node.value.func, ast.Attribute)
            and _root_name(node.value.func) in names
        ):
            return f"it calls a method of the notebook's `{_root_name(node.value.func)}` for effect"
        if isinstance(node, ast.Compare) and any(
            isinstance(op, ast.Is | ast.IsNot) for op in node.ops
        ):
            operands = [node.left, *node.comparators]
            if not any(isinstance(o, ast.Constant) for o in operands):
                return "it compares objects by identity"
        if isinstance(node, ast.Attribute) and node.attr in ("stdout", "stderr"):
            return "it reads what was printed"
    return ""


def _root_name(node: ast.expr) -> str:
    while isinstance(node, ast.Attribute | ast.Subscript | ast.Call):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else ""


def cell_points(value: Any, points: float) -> float:
    """The points nbgrader gives a test cell whose last line evaluated to ``value``.

    As ``nbgrader/utils.py`` ``determine_grade`` / ``get_partial_grade`` read it: the value's
    text as a float in ``[0, points]``; None, a non-number or a negative one gives full points.

    Raises:
        AssertionError: the score is 0, or above ``points`` (nbgrader refuses that).
    """
    if value is None:
        return points
    try:
        score = float(repr(value))
    except ValueError:
        return points
    if not score >= 0.0:
        return points
    assert score <= points, f"the test's value {score} is above the cell's {points} points"
    assert score > 0, f"the test's value is {value!r}: 0 of {points} points"
    return score
