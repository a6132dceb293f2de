"""Run an imported otter-grader test case as our check, in the check process.

Checks written by ``grader import otter`` call one of two functions here:

- :func:`run_doctest_case`: an OK-format case, a doctest. Its examples run with the standard
  library's ``doctest`` (``DocTestParser``, ``DocTestRunner`` with option flags 0, as otter's
  ``otter/test_files/ok_test.py`` ``run_doctest`` runs them) against a namespace holding the
  doctest's free names fetched from the notebook; the printed output is compared here, in the
  check process. A hidden case's failure message names what was expected and what came out,
  never the example's source.
- :func:`run_exception_case`: an exception-based ``@test_case`` function. Its test file's
  module-level code (imports, constants) and the function are executed here; the function is
  called with the student's names its parameters name, fetched by value (``None`` for a name
  the notebook lacks, as ``otter/test_files/exception_test.py`` ``test_case.call_func`` does).
  A parameter named ``env`` gets :class:`NotebookEnv`, a read-only mapping of the notebook's
  globals fetched by value on access: changing it changes nothing in the student's kernel.

A name is fetched by :func:`grader.checks.imported.fetch`.
"""

from __future__ import annotations

import doctest
import inspect
from collections.abc import Iterator, Mapping
from typing import Any

from grader.checks.imported import MISSING, NotebookLike, fetch, free_names


def namespace(nb: NotebookLike, names: list[str]) -> dict[str, Any]:
    """A namespace holding each of ``names`` the notebook defines (a missing one left out)."""
    found = {name: fetch(nb, name) for name in names}
    return {"__name__": "__otter_case__"} | {k: v for k, v in found.items() if v is not MISSING}


class NotebookEnv(Mapping[str, Any]):
    """``env`` of an exception-based case: the notebook's globals, each fetched on access."""

    def __init__(self, nb: NotebookLike) -> None:
        self._nb = nb

    def __getitem__(self, name: str) -> Any:
        value = fetch(self._nb, name)
        if value is MISSING:
            raise KeyError(name)
        return value

    def __iter__(self) -> Iterator[str]:
        names = self._nb.eval("[k for k in globals() if not k.startswith('_')]")
        return iter(names if isinstance(names, list) else [])

    def __len__(self) -> int:
        return sum(1 for _ in self)


def run_doctest_case(nb: NotebookLike, name: str, text: str, hidden: bool = False) -> None:
    """Run one OK-format case; raise AssertionError when an example's output differs.

    Raises:
        AssertionError: the output differs or an example raised unexpectedly.
    """
    examples = doctest.DocTestParser().get_examples(text, name)
    names = free_names("\n".join(e.source for e in examples))
    test = doctest.DocTest(examples, namespace(nb, names), name, None, None, text)
    runner = _Runner(optionflags=0)
    runner.run(test, out=lambda _text: None, clear_globs=False)
    if runner.problems:
        raise AssertionError(_message(name, runner.problems, hidden))


def run_exception_case(nb: NotebookLike, prelude: str, source: str, function: str) -> None:
    """Run one exception-based case: ``function`` defined by ``source`` after ``prelude``.

    Raises:
        Exception: whatever the test function raises (the case fails).
    """
    scope: dict[str, Any] = {"__name__": "__otter_case__", "test_case": _test_case}
    exec(compile(prelude + "\n" + source, f"<{function}>", "exec"), scope)  # noqa: S102
    target = scope[function]
    if isinstance(target, _Decorated):
        target = target.func
    kwargs: dict[str, Any] = {}
    for param in inspect.signature(target).parameters:
        if param == "env":
            kwargs[param] = NotebookEnv(nb)
        else:
            value = fetch(nb, param)
            kwargs[param] = None if value is MISSING else value
    target(**kwargs)


class _Runner(doctest.DocTestRunner):
    """Records each failing example instead of printing a report."""

    def __init__(self, optionflags: int) -> None:
        super().__init__(verbose=False, optionflags=optionflags)
        self.problems: list[tuple[doctest.Example, str]] = []

    def report_failure(self, out: Any, test: Any, example: doctest.Example, got: str) -> None:
        self.problems.append((example, f"expected:\n{example.want}got:\n{got or '(nothing)'}"))

    def report_unexpected_exception(
        self, out: Any, test: Any, example: doctest.Example, exc_info: Any
    ) -> None:
        exc = exc_info[1]
        self.problems.append((example, f"raised {type(exc).__name__}: {exc}"))


def _message(name: str, problems: list[tuple[doctest.Example, str]], hidden: bool) -> str:
    example, what = problems[0]
    if hidden:
        return f"{name}: {what}".rstrip()
    return f"{name}: failed example:\n    {example.source.rstrip()}\n{what}".rstrip()


class _Decorated:
    def __init__(self, func: Any) -> None:
        self.func = func


def _test_case(*_args: Any, **_kwargs: Any) -> Any:
    """Stands for otter's ``test_case`` decorator, kept in the case's source."""
    return _Decorated
