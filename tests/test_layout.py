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

# The layers, lowest first: a module imports only from its own layer or the ones below it.
# Every module of grader must have a layer (the most specific prefix that names it).
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("guest: runs in the student's kernel or the zygote", ("grader.guest",)),
    ("base: settings, results, notebooks, submissions", (
        "grader.release_rules",
        "grader", "grader.authoring", "grader.feedback", "grader.integrations", "grader.student",
        "grader.errors", "grader.models", "grader.logs", "grader.config", "grader.settings",
        "grader.notebook", "grader.late", "grader.scoring", "grader.tracebacks", "grader.manual",
        "grader.watchdog", "grader.progress", "grader.submissions", "grader.feedback.markdown",
        "grader.feedback.levels", "grader.feedback.images", "grader.variants",
        "grader.review", "grader.review.queue", "grader.integrity",
    )),
    ("runtime: kernels, checks, the gradebook, rendering, release", (
        "grader.sandbox", "grader.checks", "grader.execute", "grader.gradebook", "grader.grading_key",
        "grader.authoring.markers", "grader.authoring.tomlwrite", "grader.authoring.release",
        "grader.authoring.importing", "grader.authoring.scaffold",
        "grader.feedback.templates", "grader.feedback.summary",
        "grader.review.answers", "grader.review.rubric", "grader.review.patches", "grader.integrity.similarity",
        "grader.integrity.units", "grader.integrity.shapes", "grader.integrity.evidence",
    )),
    ("grade: one submission", ("grader.grade",)),
    ("batch: many submissions, here or on a cluster, and their reports", (
        "grader.cohort", "grader.integrations.cluster", "grader.integrations.cluster_worker",
        "grader.feedback.report",
        "grader.authoring.validate", "grader.student.selfcheck",
    )),
    ("front ends: the command line, CI formats and exports, the in-notebook Checker", (
        "grader.cli", "grader.integrations.formats", "grader.integrations.export", "grader.integrations.lms",
        "grader.integrations.ci", "grader.student.checker", "grader.__main__",
        "grader.integrations.manual_csv", "grader.review.app", "grader.review.server", "grader.demo",
        "grader.integrity.report",
    )),
]  # fmt: skip

PACKAGES = {
    "grader",
    "grader.authoring",
    "grader.feedback",
    "grader.integrations",
    "grader.student",
    "grader.review",
    "grader.integrity",
}
"""Packages named in LAYERS for their own (empty or lazy) ``__init__`` only: matched exactly."""

# Imports that break the layering, each with its reason: (importing module, imported module).
ALLOWED = {
    # TYPE_CHECKING only: in the sandbox the zygote's sources run in order, in one namespace.
    ("grader.guest.zygote", "grader.guest.protocol"),
    ("grader.guest.zygote", "grader.guest.confine"),
    ("grader.guest.zygote", "grader.guest.prepared"),
    ("grader.guest.prepared", "grader.guest.protocol"),
    ("grader.guest.confine", "grader.guest.protocol"),
    # The package's public API, re-exported lazily (``from grader import Checker``, and the
    # ``StudentError`` a check expects when the student's code must raise).
    ("grader", "grader.student.checker"),
    ("grader", "grader.checks.bridge"),
}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def grader_imports(path: Path) -> set[str]:
    """Every module of grader that ``path`` imports, anywhere in it (lazy and TYPE_CHECKING too).

    Relative imports are the guest modules' own (they resolve in the kernel too, where the guest
    package has another name): they name a sibling guest module, and are not counted here.
    """
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                assert path.parent == GUEST and node.level == 1, f"{path.name}: relative import"
                assert (GUEST / f"{node.module}.py").is_file(), f"{path.name}: {node.module}"
                continue
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


def layer_of(module: str) -> int | None:
    """The index in LAYERS of the most specific prefix naming ``module`` (PACKAGES: exactly)."""
    best: tuple[int, int] | None = None
    for index, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            named = module == prefix or (prefix not in PACKAGES and module.startswith(prefix + "."))
            if named and (best is None or len(prefix) > best[1]):
                best = (index, len(prefix))
    return None if best is None else best[0]


IMPORTS = {module_name(p): grader_imports(p) for p in sorted(PACKAGE.rglob("*.py"))}


def test_guest_code_imports_nothing_of_grader():
    assert GUEST_FILES, "no guest sources found"
    guest = {(m, n) for m, names in IMPORTS.items() if layer_of(m) == 0 for n in names}
    assert guest - ALLOWED == set()


def test_guest_sources_run_without_grader():
    # Each guest file runs as a module of a package of another name (as in the kernel), so its
    # relative imports find its siblings and nothing else.
    program = (
        "import json, sys, types\n"
        "sys.modules['grader'] = None  # any import of grader now raises ImportError\n"
        "package = types.ModuleType('_guest_under_test')\n"
        "package.__path__ = [json.loads(sys.argv[3])]\n"
        "sys.modules[package.__name__] = package\n"
        "for path in json.loads(sys.argv[1]):\n"
        "    source = open(path, encoding='utf-8').read()\n"
        "    name = '_guest_under_test._' + path.rsplit('/', 1)[-1].removesuffix('.py')\n"
        "    exec(compile(source, path, 'exec'), {'__name__': name, '__package__': package.__name__})\n"
        "exec(sys.argv[2], {})  # the bridge's bootstrap: codec, then helper, as text\n"
        "assert '_grader_bridge' in sys.modules\n"
        "assert 'grader' not in {m.split('.')[0] for m, v in sys.modules.items() if v}\n"
    )
    paths = json.dumps([str(p) for p in GUEST_FILES])
    run = subprocess.run(
        [sys.executable, "-I", "-c", program, paths, bootstrap_code(), json.dumps(str(GUEST))],
        capture_output=True, text=True, timeout=120, cwd="/",
    )  # fmt: skip
    assert run.returncode == 0, run.stderr


def test_every_module_has_a_layer():
    assert [m for m in IMPORTS if layer_of(m) is None] == []


def test_no_module_imports_a_layer_above_its_own():
    upward = {
        (f"{mod} ({LAYERS[layer_of(mod)][0].split(':')[0]})",
         f"{name} ({LAYERS[layer_of(name)][0].split(':')[0]})")
        for mod, names in IMPORTS.items()
        for name in names
        if (mod, name) not in ALLOWED and layer_of(name) > layer_of(mod)
    }  # fmt: skip
    assert upward == set()


def test_allowed_exceptions_are_still_needed():
    stale = {(mod, name) for mod, name in ALLOWED if name not in IMPORTS.get(mod, set())}
    assert stale == set()
