"""The package layout: guest code stands alone, and the lower layers import nothing above them.

Fast (no kernels): imports are read with ``ast``; the guest sources are executed in a child
interpreter where ``grader`` cannot be imported.
"""

import ast
import json
import subprocess
import sys
from pathlib import Path

import grader
from grader.checks.bridge import bootstrap_code

PACKAGE = Path(grader.__file__).resolve().parent
GUEST = PACKAGE / "guest"
GUEST_FILES = sorted(p for p in GUEST.glob("*.py") if p.name != "__init__.py")

# Imports of grader that break a rule below and are kept as they are (moves only, no refactor):
# (importing module, imported module).
ALLOWED = {
    # TYPE_CHECKING only: in the kernel these names come from the codec source, executed first.
    ("grader.guest.helper", "grader.guest.codec"),
    # A lazy import inside run_checks' failure path, in the check worker (never in a kernel):
    # numpy and pandas explain an assertion's differences where checks run.
    ("grader.checks.plugin", "grader.checks.explain"),
}

LOWER = ("grader.errors", "grader.config", "grader.models")
ABOVE_LOWER = (
    "grader.sandbox", "grader.checks", "grader.feedback", "grader.integrations",
    "grader.student", "grader.cli", "grader.cohort", "grader.grade",
)  # fmt: skip
ABOVE_RUNTIME = (
    "grader.cohort", "grader.cli", "grader.feedback", "grader.integrations", "grader.student",
)  # fmt: skip
ABOVE_GRADE = ("grader.cohort", "grader.cli", "grader.integrations", "grader.student")


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def grader_imports(path: Path) -> set[str]:
    """Every module of grader that ``path`` imports, anywhere in it (lazy and TYPE_CHECKING too)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path.name}: relative import"
            if node.module is None:
                continue
            names.add(node.module)
            if node.module == "grader" or node.module.startswith("grader."):
                # ``from grader.sandbox import reaper`` imports grader.sandbox.reaper.
                modules = {module_name(p) for p in PACKAGE.rglob("*.py")}
                names.update(
                    f"{node.module}.{a.name}"
                    for a in node.names
                    if f"{node.module}.{a.name}" in modules
                )
    return {n for n in names if n == "grader" or n.startswith("grader.")}


def under(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


IMPORTS = {module_name(p): grader_imports(p) for p in sorted(PACKAGE.rglob("*.py"))}


def violations(importers: tuple[str, ...], forbidden: tuple[str, ...]) -> set[tuple[str, str]]:
    return {
        (mod, name)
        for mod, names in IMPORTS.items()
        if under(mod, importers)
        for name in names
        if under(name, forbidden) and (mod, name) not in ALLOWED
    }


def test_guest_code_imports_nothing_of_grader():
    assert GUEST_FILES, "no guest sources found"
    assert violations(("grader.guest",), ("grader",)) == set()


def test_guest_sources_run_without_grader():
    program = (
        "import json, sys\n"
        "sys.modules['grader'] = None  # any import of grader now raises ImportError\n"
        "for path in json.loads(sys.argv[1]):\n"
        "    source = open(path, encoding='utf-8').read()\n"
        "    exec(compile(source, path, 'exec'), {'__name__': '_guest_under_test'})\n"
        "exec(sys.argv[2], {})  # the bridge's bootstrap: codec, then helper, as text\n"
        "assert '_grader_bridge' in sys.modules\n"
        "assert 'grader' not in {m.split('.')[0] for m, v in sys.modules.items() if v}\n"
    )
    paths = json.dumps([str(p) for p in GUEST_FILES])
    run = subprocess.run(
        [sys.executable, "-I", "-c", program, paths, bootstrap_code()],
        capture_output=True, text=True, timeout=120, cwd="/",
    )  # fmt: skip
    assert run.returncode == 0, run.stderr


def test_lower_layers_import_nothing_above_them():
    assert violations(LOWER, ABOVE_LOWER) == set()


def test_checks_and_sandbox_import_nothing_of_the_front_ends():
    assert violations(("grader.checks", "grader.sandbox"), ABOVE_RUNTIME) == set()


def test_grade_imports_nothing_of_the_cohort_or_front_ends():
    assert violations(("grader.grade",), ABOVE_GRADE) == set()


def test_allowed_exceptions_are_still_needed():
    stale = {(mod, name) for mod, name in ALLOWED if name not in IMPORTS.get(mod, set())}
    assert stale == set()
