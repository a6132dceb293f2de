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
from collections.abc import Iterable
from typing import Any, Protocol


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
    """A namespace holding each of ``names`` the notebook defines, fetched through ``nb``."""
    namespace: dict[str, Any] = {"__name__": "__grader_imported_test__"}
    for name in names:
        if name not in nb:
            continue  # the test raises NameError itself, where it reads the name
        if nb.eval(f"callable({name})"):
            namespace[name] = nb.function(name)
        else:
            namespace[name] = nb[name]
    return namespace


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
