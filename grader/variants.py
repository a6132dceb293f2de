"""A data variant per student: copying a neighbour's numbers earns nothing.

An assignment with ``[variants] generator = "variants.py"`` has, in its solutions folder, a
module with ``make_variant(rng, student) -> dict``: it writes the student's data files (paths
relative to the current folder, e.g. ``data/sales.csv``) and returns the parameters the checks
need, as JSON-able values. Its ``rng`` is ``numpy.random.default_rng(seed)``, the seed derived
from the course secret, the assignment and the student's key (HMAC-SHA256): a student cannot
pick another's variant, and the instructor can always rebuild one.

The course secret is ``GRADER_SECRET`` (an environment variable) or ``solutions/.secret`` (made
by the first ``grader release --roster``; the solutions folder is never released).

The generator is the instructor's code: it runs in a separate Python process (its own current
folder), never inside a student's sandbox, and its output is read back as JSON.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import json
import os
import secrets
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader.config import Assignment
from grader.errors import AssignmentError, ConfigError, VariantError

SECRET_ENV = "GRADER_SECRET"  # noqa: S105 -- a variable's name
SECRET_FILE = ".secret"  # noqa: S105 -- a file's name
PARAMS_FILE = "variant.json"
"""The student's parameters, in their release and in their working folder."""
GENERATOR_TIMEOUT = 120.0

_RUN = """
import importlib.util, json, sys
import numpy as np
path, student, seed = sys.argv[1], sys.argv[2], int(sys.argv[3])
spec = importlib.util.spec_from_file_location("grader_variants", path)
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
params = module.make_variant(np.random.default_rng(seed), student)
if not isinstance(params, dict):
    raise TypeError("make_variant must return a dict of parameters")
sys.stdout.write("\\n" + json.dumps(params))
"""


@dataclass(frozen=True)
class Variant:
    """One student's variant: their parameters and the folder of their files."""

    params: dict[str, Any]
    folder: Path


def secret_path(assignment: Assignment) -> Path:
    """Where the course secret is kept: ``solutions/.secret`` beside the assignment's folder."""
    return assignment.root.parent / SECRET_FILE


def course_secret(assignment: Assignment, create: bool = False) -> bytes:
    """The course secret (``create``: make ``solutions/.secret`` when there is none).

    Raises:
        ConfigError: there is none (and ``create`` is False).
    """
    if value := os.environ.get(SECRET_ENV, ""):
        return value.encode()
    path = secret_path(assignment)
    if path.is_file():
        return path.read_bytes().strip()
    if not create:
        raise ConfigError(
            f"{assignment.name} has data variants, and there is no course secret: set "
            f"{SECRET_ENV} or keep the {path} that `grader release --roster` made"
        )
    path.write_text(secrets.token_hex(32) + "\n", encoding="utf-8")
    path.chmod(0o600)
    return path.read_bytes().strip()


def variant_seed(secret: bytes, assignment: str, student: str) -> int:
    """The seed of ``student``'s variant of ``assignment`` (64 bits)."""
    digest = hmac.new(secret, f"{assignment}\0{student}".encode(), hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big")


def secret_digest(assignment: Assignment) -> str:
    """A digest of the course secret for the grading key ("" without variants).

    A new secret makes new variants: every submission is graded again.
    """
    if not assignment.variants:
        return ""
    return hashlib.sha256(b"grader-variants\0" + course_secret(assignment)).hexdigest()


def build_variant(
    assignment: Assignment, student: str, folder: Path, seed: int | None = None
) -> Variant:
    """Write ``student``'s files into ``folder`` (made if needed) with their parameters.

    ``seed``: their variant's seed, when derived already (None: from the course secret here).

    Raises:
        ConfigError: no course secret.
        VariantError: the generator failed, timed out or returned no dict.
    """
    if seed is None:
        seed = variant_seed(course_secret(assignment), assignment.name, student)
    folder.mkdir(parents=True, exist_ok=True)
    generator = str((assignment.root / assignment.variants).resolve())
    try:
        done = subprocess.run(
            [sys.executable, "-c", _RUN, generator, student, str(seed)],
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=GENERATOR_TIMEOUT,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired as exc:
        raise VariantError(
            f"{assignment.variants} took over {GENERATOR_TIMEOUT:g} s for {student}"
        ) from exc
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise VariantError(f"{assignment.variants} failed for {student}: {last}")
    try:
        params = json.loads(done.stdout.rsplit("\n", 1)[-1])
    except ValueError as exc:
        raise VariantError(f"{assignment.variants} gave no parameters for {student}") from exc
    (folder / PARAMS_FILE).write_text(json.dumps(params, indent=2) + "\n", encoding="utf-8")
    return Variant(params, folder)


def released_variant(assignment: Assignment) -> Variant | None:
    """The variant a student's own release holds (its ``variant.json``), if it is one."""
    path = assignment.root / PARAMS_FILE
    if assignment.variants or not path.is_file():
        return None
    try:
        params = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise AssignmentError(f"{path} cannot be read: {exc}") from exc
    return Variant(params if isinstance(params, dict) else {}, assignment.root)


def read_roster(path: Path) -> list[str]:
    """The student keys of a roster CSV (its ``student`` column), in order, once each.

    Raises:
        ConfigError: the file cannot be read, has no ``student`` column, or a key is empty
            or not a plain name.
    """
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            rows = list(csv.DictReader(fh))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise ConfigError(f"cannot read the roster {path}: {exc}") from exc
    if not rows or "student" not in rows[0]:
        raise ConfigError(f"the roster {path} has no 'student' column")
    students: dict[str, None] = {}
    for number, row in enumerate(rows, 2):
        key = (row.get("student") or "").strip()
        if not key or key.startswith(".") or "/" in key or "\\" in key:
            raise ConfigError(f"the roster {path}, row {number}: {key!r} is not a student key")
        students[key] = None
    return list(students)
