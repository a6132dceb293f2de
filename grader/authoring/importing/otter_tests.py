"""otter's test files and configs read, and our check files written (for :mod:`.otter`).

Test files are read without running them: OK format (``test = {...}`` read with
``ast.literal_eval``; a case without ``hidden`` is hidden: ``otter/test_files/ok_test.py``
``OKTestFile.from_spec``) or exception-based (``OK_FORMAT = False``, ``@test_case(...)``
functions in definition order; ``hidden`` defaults to False: ``otter/test_files/
exception_test.py`` ``test_case``, ``ExceptionTestFile._from_compiled_code``). Case names are
otter's: ``"q1 - 1"`` unless the case names itself.

Points per case (:func:`case_points`, ``otter/test_files/abstract_test.py``
``TestFile.resolve_test_file_points``): a list gives each case its points; a number is what is
left after the cases' own points, split evenly among the others (``points: 2`` over three
cases: 2/3 each); with no number, cases without points share 1 point when no case has points,
else get 0. ``points: {each: N}`` is N per case (``otter/assign/tests_manager.py``
``_create_test_file_info``).

The YAML of otter's configs is read by :func:`yaml_subset`, since PyYAML is not a run-time
dependency: block mappings and lists, flow lists ``[a, b]`` and mappings ``{each: 1}`` of
scalars, plain or quoted scalars, comments. Anything else (``|``, ``>``, anchors, tabs) is
refused with the line, rather than read wrongly.
"""

from __future__ import annotations

import ast
import json
import re
import textwrap
from dataclasses import dataclass
from typing import Any

from grader.checks.imported import free_names
from grader.errors import AssignmentError

Points = int | float


@dataclass(frozen=True)
class Case:
    """One otter test case: a doctest (``kind="doctest"``) or a ``@test_case`` function."""

    name: str
    hidden: bool
    points: Points
    kind: str
    body: str
    """The doctest text, or the function's source (decorators included)."""
    function: str = ""
    prelude: str = ""
    """An exception-based file's module-level code (its imports and constants)."""


@dataclass(frozen=True)
class Question:
    """One otter question, its cases' points resolved."""

    name: str
    cases: tuple[Case, ...] = ()
    all_or_nothing: bool = False
    manual: bool = False
    points: Points = 0


def case_points(total: Any, own: list[Points | None], where: str) -> list[Points]:
    """Each case's points as otter resolves them (see the module docstring)."""
    if isinstance(total, dict) and set(total) <= {"each"}:
        total = total.get("each", 1) * len(own)
    if isinstance(total, list):
        if len(total) != len(own) or not all(_number(p) for p in total):
            raise AssignmentError(
                f"{where}: 'points' lists {len(total)} values for {len(own)} tests"
            )
        own, total = list(total), None
    elif total is not None and not _number(total):
        raise AssignmentError(f"{where}: 'points' must be a number or a list")
    given = [p for p in own if p is not None]
    if total is not None:
        if sum(given) > total:
            raise AssignmentError(f"{where}: the tests' own points exceed the question's")
        rest = sum(1 for p in own if p is None)
        share = (total - sum(given)) / rest if rest else 0.0
    else:
        share = 1 / own.count(None) if None in own and not any(given) else 0.0
    return [share if p is None else p for p in own]


def question(config: dict[str, Any], raw: list[tuple[Case, Points | None]], where: str) -> Question:
    """A question from its config (``name``, ``points``, ...) and its cases with own points."""
    name = str(config["name"])
    points = case_points(config.get("points"), [p for _, p in raw], f"{where}: question {name}")
    cases = tuple(
        Case(c.name or f"{name} - {i + 1}", c.hidden, p, c.kind, c.body, c.function, c.prelude)
        for i, ((c, _), p) in enumerate(zip(raw, points, strict=True))
    )
    manual = config.get("manual", False) is True
    total = config.get("points") if manual else 0
    aon = config.get("all_or_nothing", False) is True
    return Question(name, cases, aon, manual, total if isinstance(total, int | float) else 0)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


# ------------------------------------------------------------------ reading test files


def read_test_file(source: str, where: str) -> Question:
    """An otter test file (OK format or exception-based) as a :class:`Question`."""
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        raise AssignmentError(f"{where}: not valid Python: {exc.msg}") from None
    consts = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name):
                consts[target.id] = node.value
    if _literal(consts.get("OK_FORMAT"), True, where) is False or _test_functions(tree):
        return _exception_file(source, tree, consts, where)
    if "test" not in consts:
        raise AssignmentError(f"{where}: neither an OK-format test (test = {{...}}) nor @test_case")
    spec = _literal(consts["test"], None, where)
    suites = spec.get("suites") if isinstance(spec, dict) else None
    if not isinstance(suites, list) or len(suites) != 1 or "name" not in spec:
        raise AssignmentError(f"{where}: an OK-format test needs a name and one suite")
    suite = suites[0]
    if suite.get("type", "doctest") != "doctest" or suite.get("setup") or suite.get("teardown"):
        raise AssignmentError(f"{where}: only doctest suites without setup/teardown are supported")
    raw = [
        (Case(str(c.get("name", "")), c.get("hidden", True) is not False, 0, "doctest",
              textwrap.dedent(c["code"])), c.get("points"))
        for c in suite.get("cases", [])
    ]  # fmt: skip
    return question(spec, raw, where)


def _exception_file(
    source: str, tree: ast.Module, consts: dict[str, ast.expr], where: str
) -> Question:
    if "name" not in consts:
        raise AssignmentError(f"{where}: an exception-based test file without 'name'")
    lines = source.split("\n")
    prelude = [ast.get_source_segment(source, n) or "" for n in tree.body if _prelude(n)]
    found: dict[str, tuple[Case, Points | None]] = {}
    for func, decorator in _test_functions(tree):
        kw = {k.arg: _literal(k.value, None, where) for k in decorator.keywords if k.arg}
        first = min([d.lineno for d in func.decorator_list] + [func.lineno])
        body = "\n".join(lines[first - 1 : func.end_lineno])
        case = Case(str(kw.get("name") or ""), kw.get("hidden") is True, 0, "exception", body,
                    func.name, "\n".join(prelude))  # fmt: skip
        found[func.name] = (case, kw.get("points"))
    keys = [k for k in ("name", "points", "all_or_nothing") if k in consts]
    config: dict[str, Any] = {k: _literal(consts[k], None, where) for k in keys}
    return question(config, list(found.values()), where)


def _test_functions(tree: ast.Module) -> list[tuple[ast.FunctionDef, ast.Call]]:
    out = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            for d in node.decorator_list:
                if (
                    isinstance(d, ast.Call)
                    and isinstance(d.func, ast.Name)
                    and d.func.id == "test_case"
                ):
                    out.append((node, d))
    return out


def _prelude(node: ast.stmt) -> bool:
    """Module-level code a case needs: not otter's own import, settings or test functions."""
    if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("otter"):
        return False
    if isinstance(node, ast.Assign) and all(
        isinstance(t, ast.Name) and t.id in ("OK_FORMAT", "name", "points", "all_or_nothing")
        for t in node.targets
    ):
        return False
    return not (isinstance(node, ast.FunctionDef) and node.decorator_list)


def _literal(node: ast.expr | None, default: Any, where: str) -> Any:
    if node is None:
        return default
    try:
        return ast.literal_eval(node)
    except ValueError:
        raise AssignmentError(f"{where}: line {node.lineno}: not a literal value") from None


# ------------------------------------------------------------------ writing our checks


def check_files(q: Question, at_checkpoint: bool = False) -> dict[str, str]:
    """``{"public": text, "hidden": text}`` for the question's cases (absent when none).

    ``at_checkpoint``: the question has a check cell, so its checks wait for the cell marked
    ``# CHECK: <name>`` (``@pytest.mark.after_cell``), as otter runs them where it stands.
    """
    out = {}
    for kind in ("public", "hidden"):
        cases = [(i, c) for i, c in enumerate(q.cases, 1) if c.hidden == (kind == "hidden")]
        if cases:
            out[kind] = _check_file(q.name, kind, cases, at_checkpoint)
    return out


def check_stem(name: str) -> str:
    """The file stem of a question's checks: ``test_<name>``, made a valid module name."""
    return "test_" + re.sub(r"\W", "_", name)


def _check_file(qname: str, kind: str, cases: list[tuple[int, Case]], at: bool) -> str:
    safe = re.sub(r"\W", "_", qname)
    head = [
        f'"""{qname}: {kind} cases imported from otter-grader (grader import otter)."""',
        "", "import pytest", "",
        "from grader.checks.otter_cases import run_doctest_case, run_exception_case", "",
    ]  # fmt: skip
    marks = [f"pytest.mark.after_cell({qname!r})"] if at else []
    if check_stem(qname) != f"test_{qname}":
        marks.append(f"pytest.mark.question({qname!r})")
    if marks:
        head += [f"pytestmark = [{', '.join(marks)}]", ""]
    body = []
    for index, case in cases:
        if case.kind == "doctest":
            call = f"run_doctest_case(nb, {case.name!r}, {case.body!r}, hidden={case.hidden})"
        else:
            call = (f"run_exception_case(\n        nb,\n        {case.prelude!r},\n"
                    f"        {case.body!r},\n        {case.function!r},\n    )")  # fmt: skip
        body += ["", f"@pytest.mark.points({case.points!r})", f"def test_{safe}_{index}(nb):",
                 f'    """{case.name}"""', f"    {call}", ""]  # fmt: skip
    return "\n".join(head + body).rstrip() + "\n"


def case_source(case: Case) -> str:
    """The Python a case runs (a doctest's examples joined), for :func:`checked_names`."""
    if case.kind == "doctest":
        import doctest

        return "\n".join(e.source for e in doctest.DocTestParser().get_examples(case.body))
    return case.body


def checked_names(case: Case) -> set[str]:
    """The notebook names a case reads (free names, parameters, constant ``env[...]`` keys)."""
    if case.kind == "doctest":
        return set(free_names(case_source(case)))
    tree = ast.parse(case.body)
    func = next(n for n in tree.body if isinstance(n, ast.FunctionDef))
    names = {a.arg for a in func.args.args if a.arg != "env"}
    for node in ast.walk(func):
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name):
            if node.value.id == "env" and isinstance(node.slice, ast.Constant):
                names.add(str(node.slice.value))
    return names


def bound_names(source: str) -> set[str]:
    """Names a cell binds at the notebook's top level (not inside its functions or classes)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    names: set[str] = set()
    todo: list[ast.AST] = list(tree.body)
    while todo:
        node = todo.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
            continue
        if isinstance(node, ast.Lambda):
            continue
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            names.add(node.id)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
        todo.extend(ast.iter_child_nodes(node))
    return names


# ------------------------------------------------------------------ YAML subset


def yaml_subset(text: str, where: str) -> dict[str, Any]:
    """Read the YAML subset of otter's configs (module docstring) into a mapping."""
    lines = []
    for number, line in enumerate(text.split("\n"), 1):
        if "\t" in line[: len(line) - len(line.lstrip())]:
            raise AssignmentError(f"{where}: line {number}: tabs in indentation")
        if line.strip() and not line.lstrip().startswith("#"):
            lines.append((len(line) - len(line.lstrip()), line.strip(), number))
    if not lines:
        return {}
    value, end = _block(lines, 0, lines[0][0], where)
    if end != len(lines) or not isinstance(value, dict):
        raise AssignmentError(f"{where}: line {lines[min(end, len(lines) - 1)][2]}: not a mapping")
    return value


def _block(lines: list[tuple[int, str, int]], i: int, indent: int, where: str) -> tuple[Any, int]:
    if lines[i][1] == "-" or lines[i][1].startswith("- "):
        items: list[Any] = []
        while i < len(lines) and lines[i][0] == indent and lines[i][1].startswith("-"):
            rest = lines[i][1][1:].strip()
            i += 1
            if rest:
                items.append(_scalar(rest, where, lines[i - 1][2]))
            elif i < len(lines) and lines[i][0] > indent:
                value, i = _block(lines, i, lines[i][0], where)
                items.append(value)
            else:
                items.append(None)
        return items, i
    mapping: dict[str, Any] = {}
    while i < len(lines) and lines[i][0] == indent:
        level, content, number = lines[i]
        key, colon, rest = content.partition(":")
        if not colon or not key.strip() or (rest and not rest[0].isspace()):
            raise AssignmentError(f"{where}: line {number}: expected 'key: value'")
        i += 1
        if rest.strip():
            mapping[key.strip()] = _scalar(rest.strip(), where, number)
        elif i < len(lines) and (lines[i][0] > level or lines[i][1].startswith("- ")):
            mapping[key.strip()], i = _block(lines, i, lines[i][0], where)
        else:
            mapping[key.strip()] = None
    if i < len(lines) and lines[i][0] > indent:
        raise AssignmentError(f"{where}: line {lines[i][2]}: unexpected indentation")
    return mapping, i


def _scalar(text: str, where: str, number: int) -> Any:
    if text[0] in "\"'":
        quote = text[0]
        end = text.find(quote, 1)
        while quote == "'" and end + 1 < len(text) and text[end + 1] == "'":
            end = text.find(quote, end + 2)
        tail = text[end + 1 :].strip() if end > 0 else "x"
        if end < 0 or (tail and not tail.startswith("#")):
            raise AssignmentError(f"{where}: line {number}: unsupported quoted value")
        inner = text[: end + 1]
        return json.loads(inner) if quote == '"' else inner[1:-1].replace("''", "'")
    text = re.sub(r"\s+#.*$", "", text).strip()
    if text[0] in "|>&*!%@`":
        raise AssignmentError(f"{where}: line {number}: unsupported YAML ({text[:20]})")
    if text.startswith("[") and text.endswith("]"):
        inner = text[1:-1].strip()
        return [_scalar(x.strip(), where, number) for x in inner.split(",")] if inner else []
    if text.startswith("{") and text.endswith("}"):
        pairs = [p.partition(":") for p in text[1:-1].split(",") if p.strip()]
        return {k.strip(): _scalar(v.strip(), where, number) for k, _, v in pairs}
    lowered = text.lower()
    if lowered in ("true", "yes", "on", "false", "no", "off"):
        return lowered in ("true", "yes", "on")
    if lowered in ("null", "~"):
        return None
    if re.fullmatch(r"[-+]?\d+", text):
        return int(text)
    if re.fullmatch(r"[-+]?(\d+\.\d*|\.\d+|\d+)([eE][-+]?\d+)?", text):
        return float(text)
    return text
