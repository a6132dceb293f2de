"""Run one notebook as a plain Python script, then (optionally) its checks in the same process.

    python bench/plain_run.py NOTEBOOK [--checks SOLUTION_DIR]

The baseline of ``bench/vs_nbgrader.py``: no kernel, no sandbox, no separate check process.
Each code cell is ``exec``'d in one globals dict, in order, and an error in a cell is printed
and the next cell runs (as a notebook with ``allow_errors``). With ``--checks``, the
assignment's public and hidden pytest checks then run in this same process, with ``nb``
reading the script's globals directly (no bridge, no codec): the same check logic, none of
the isolation. Not safe for untrusted code: it is the cost floor, not a way to grade. The
checks' ``nb.figures()`` reads the figures recorded by grader's own recorder
(``grader/guest/figures.py``, started before the first cell, as in grader's kernels), and their
``leaderboard(name, value)`` fixture keeps the value (it does not change a verdict).

Data variants (an assignment with ``[variants]``, e.g. ``data-wrangling``): grader rebuilds each
student's own data and gives the checks the ``variant`` and ``variant_data`` fixtures. Here the
caller puts the student's files (built by ``grader.variants.build_variant``) over the released
ones in the working folder, with their ``variant.json``, as grader's working folder has them;
``variant`` is then the parameters of that ``variant.json`` and ``variant_data`` that folder
(the current folder when the checks start). Without a ``variant.json`` there, a check that asks
for either fails, as grader's do for an assignment without variants.

Ends with a summary line on stderr that ``bench/vs_nbgrader.py`` checks: ``NOTEBOOK: ran K code
cells, E raised`` and, with ``--checks``, ``NOTEBOOK: N/M questions passed``. Exits 0 even when
cells raise or checks fail (that is a result), and non-zero when pytest itself could not run
the checks (its exit code: interrupted, internal error, usage error or no checks collected).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import sys
import tempfile
import traceback
from pathlib import Path
from typing import Any

# grader's own recorder of matplotlib figures (what a check's ``nb.figures()`` reads), loaded
# from this checkout by path: the inline backend closes a figure once shown, so it records
# each figure as it is made, as grader's kernels do.
FIGURES = Path(__file__).resolve().parent.parent / "grader" / "guest" / "figures.py"
RECORDER = "_grader_figures"


def record_figures() -> None:
    """Record the figures made from now on in this process (once), as grader's kernels do."""
    if RECORDER in sys.modules:
        return
    spec = importlib.util.spec_from_file_location(RECORDER, FIGURES)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[RECORDER] = module
    spec.loader.exec_module(module)
    module.install()


# The line a kernel runs before a notebook's first cell to record its figures (nbgrader's and
# otter's kernels in bench/vs_nbgrader.py: ``--IPKernelApp.exec_lines``).
RECORD_FIGURES_LINE = (
    f"import sys as _s; _s.path.insert(0, {str(Path(__file__).resolve().parent)!r}); "
    "import plain_run as _p; _s.path.pop(0); _p.record_figures(); del _s, _p"
)


# A student's data-variant parameters in their working folder (grader.variants.PARAMS_FILE).
VARIANT_FILE = "variant.json"


class Estimator:
    """A scikit-learn estimator as checks see it: its attributes, and its class's name."""

    def __init__(self, estimator: Any) -> None:
        self.class_name = type(estimator).__name__
        self._estimator = estimator

    def __getattr__(self, name: str) -> Any:
        return getattr(self._estimator, name)


class Namespace:
    """The ``nb`` fixture of the contract, on this process's own globals."""

    def __init__(self, env: dict[str, Any], source: str, cell_errors: list[str]) -> None:
        self._env = env
        self.source = source
        self.cell_errors = cell_errors

    def __getitem__(self, name: str) -> Any:
        if name not in self._env:
            raise AssertionError(f"`{name}` is not defined")
        value = self._env[name]
        # The grader hands fitted estimators to checks as data with a ``class_name``.
        return Estimator(value) if hasattr(value, "get_params") else value

    def function(self, name: str) -> Any:
        return self[name]

    def eval(self, expression: str, **inputs: Any) -> Any:
        return eval(expression, self._env, dict(inputs))

    def figures(self) -> list[dict[str, Any]]:
        """The figures the notebook drew, as grader's ``nb.figures()`` describes them."""
        recorder = sys.modules.get(RECORDER)
        return recorder.described() if recorder is not None else []


def run_cells(path: Path) -> tuple[dict[str, Any], list[str], list[str]]:
    """Exec every code cell in order: the globals, each cell's source, and the errors."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    env: dict[str, Any] = {"__name__": "__main__"}
    sources = []
    errors = []
    for index, cell in enumerate(nb.get("cells", [])):
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else source
        sources.append(source)
        try:
            exec(compile(source, f"<cell {index}>", "exec"), env)
        except BaseException as exc:
            if isinstance(exc, KeyboardInterrupt):
                raise
            errors.append(f"cell {index}: {type(exc).__name__}")
            traceback.print_exc()
    return env, sources, errors


def run_checks_by_question(
    solution: Path | str, nb: Namespace, workdir: Path | str | None = None
) -> dict[str, str]:
    """Run the public and hidden checks on ``nb``; per question "passed" or what failed.

    ``workdir``: the student's working folder (None: the current folder), whose
    ``variant.json`` and files the ``variant`` and ``variant_data`` fixtures give.
    """
    import pytest

    solution = Path(solution)
    folder = Path(workdir if workdir is not None else os.getcwd()).resolve()

    class Plugin:
        def __init__(self) -> None:
            self.outcome: dict[str, list[str]] = {}
            self.reported: dict[str, float | str] = {}

        def pytest_configure(self, config: pytest.Config) -> None:
            for marker in ("points(n)", "question(name)", "hint(text)"):
                config.addinivalue_line("markers", marker)

        @pytest.fixture(scope="session")
        def nb(self) -> Namespace:
            return nb

        @pytest.fixture(scope="session")
        def hidden_data(self) -> Path:
            return solution / "tests" / "hidden" / "data"

        @pytest.fixture(scope="session")
        def variant(self) -> dict[str, Any]:
            params = json.loads(variant_file().read_text(encoding="utf-8"))
            return dict(params) if isinstance(params, dict) else {}

        @pytest.fixture(scope="session")
        def variant_data(self) -> Path:
            variant_file()
            return folder

        @pytest.fixture
        def leaderboard(self) -> Any:
            def report(name: str, value: float | str) -> None:
                self.reported[str(name)] = value

            return report

        @pytest.hookimpl(hookwrapper=True)
        def pytest_runtest_makereport(self, item: pytest.Item, call: Any) -> Any:
            report = (yield).get_result()
            if report.when == "call" or report.failed:
                marker = item.get_closest_marker("question")
                question = marker.args[0] if marker else Path(item.path).stem[5:]
                failed = self.outcome.setdefault(question, [])
                if report.failed:
                    failed.append(item.name)

    def variant_file() -> Path:
        path = folder / VARIANT_FILE
        if not path.is_file():
            pytest.fail(f"this check needs the student's data variant: no {path}")
        return path

    plugin = Plugin()
    folders = [str(solution / "tests" / v) for v in ("public", "hidden")]
    with tempfile.TemporaryDirectory() as tmp:
        ini = Path(tmp) / "pytest.ini"
        ini.write_text("[pytest]\n", encoding="utf-8")
        args = ["-c", str(ini), "--rootdir", str(solution / "tests"),
                "--import-mode=importlib", "--assert=plain", "--tb=no", "-q", "--no-header",
                "-p", "no:cacheprovider", "-W", "ignore::DeprecationWarning", *folders]  # fmt: skip
        if os.environ.get("PLAIN_RUN_VERBOSE"):
            args[args.index("--tb=no")] = "--tb=line"
            args.append("-rf")
        code = pytest.main(args, plugins=[plugin])
    if code not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
        raise ChecksDidNotRun(int(code))
    return {q: "passed" if not f else "failed: " + ", ".join(f) for q, f in plugin.outcome.items()}


class ChecksDidNotRun(Exception):
    """pytest could not run the checks: its exit code."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebook", type=Path)
    parser.add_argument("--checks", type=Path, help="the assignment's solutions/NAME folder")
    args = parser.parse_args()
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    sys.path.insert(0, str(args.notebook.parent))
    record_figures()
    env, sources, errors = run_cells(args.notebook)
    source = "\n\n".join(sources)
    print(f"{args.notebook}: ran {len(sources)} code cells, {len(errors)} raised", file=sys.stderr)
    if args.checks is not None:
        try:
            outcome = run_checks_by_question(args.checks.resolve(), Namespace(env, source, errors))
        except ChecksDidNotRun as exc:
            print(f"{args.notebook}: pytest exited {exc.args[0]}", file=sys.stderr)
            sys.exit(exc.args[0])
        passed = sum(v == "passed" for v in outcome.values())
        print(f"{args.notebook}: {passed}/{len(outcome)} questions passed", file=sys.stderr)


if __name__ == "__main__":
    main()
