"""``grader new NAME``: a new assignment that validates at once, and the course around it.

The assignment is a working example of everything an author needs first: an assignment.toml
naming every key (the optional ones commented out), a solution notebook whose one question
uses both marker spellings (an nbgrader-style block and an otter-style line), a public and a
hidden check, released data and hidden data. The files are the package's own
(``grader/templates/new/``) with the assignment's name and title put in.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from string import Template

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from grader.errors import AssignmentError

NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
GITIGNORE = "reports/\n__pycache__/\n.ipynb_checkpoints/\n"
"""A new course's .gitignore: the reports and gradebook are made again by grading."""

VALUES = [4.1, 5.3, 2.2, 7.8, 6.0, 3.4, 5.9, 4.4, 8.1, 1.7, 5.0, 6.6]
UNSEEN = [-3.0, 0.5, 2.25, 10.0, -0.75]


@dataclass(frozen=True)
class Scaffolded:
    """What :func:`new_assignment` made."""

    folder: Path
    """``solutions/NAME/``."""
    made: tuple[Path, ...]
    """Every file and folder made, the course's own included."""


def new_assignment(course: Path, name: str, title: str = "") -> Scaffolded:
    """Make ``course/solutions/NAME/``, and the course layout where there is none.

    Raises:
        AssignmentError: the name is not a plain lowercase name, or the assignment exists.
    """
    if not NAME.match(name):
        raise AssignmentError(
            f"{name!r} is not an assignment name: use lowercase letters, digits, '-' and '_'"
        )
    folder = course / "solutions" / name
    if folder.exists():
        raise AssignmentError(f"{folder} already exists")
    made: list[Path] = []
    for sub in ("assignments", "reports"):
        if not (course / sub).exists():
            (course / sub).mkdir(parents=True)
            made.append(course / sub)
    if not (course / ".gitignore").exists():
        _write(course / ".gitignore", GITIGNORE, made)
    fill = {"name": name, "title": json.dumps(title or name.replace("-", " ").capitalize())}
    _write(folder / "assignment.toml", _template("assignment.toml.txt", fill), made)
    _write(folder / f"{name}.ipynb", nbformat.writes(_notebook(title or name)) + "\n", made)
    _write(folder / "data" / "values.csv", "\n".join(map(str, VALUES)) + "\n", made)
    tests = folder / "tests"
    _write(tests / "public" / "test_q1.py", _template("public_check.py.txt", fill), made)
    _write(tests / "hidden" / "test_q1.py", _template("hidden_check.py.txt", fill), made)
    _write(tests / "hidden" / "data" / "unseen.csv", "\n".join(map(str, UNSEEN)) + "\n", made)
    return Scaffolded(folder, tuple(made))


def _template(file: str, fill: dict[str, str]) -> str:
    text = files("grader").joinpath("templates", "new", file).read_text(encoding="utf-8")
    return Template(text).substitute(fill)


def _write(path: Path, text: str, made: list[Path]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    made.append(path)


def _notebook(title: str) -> nbformat.NotebookNode:
    """The solution notebook: one question, in both marker spellings."""
    nb: nbformat.NotebookNode = new_notebook(
        cells=[
            new_markdown_cell(
                f"# {title}\n\nWrite your code where a cell says `# YOUR CODE HERE` (and delete "
                "the `raise NotImplementedError()` line), and replace each `...` with an "
                "expression that computes the answer. Check your work with `grader check`."
            ),
            new_code_cell('import numpy as np\n\nvalues = np.loadtxt("data/values.csv")'),
            new_markdown_cell(
                "## Q1. The mean of squares\n\n`mean_of_squares(xs)` returns the mean of the "
                "squares of the values in `xs`. Then set `n_above_mean` to the number of "
                "`values` greater than their mean."
            ),
            new_code_cell(
                "def mean_of_squares(xs):\n"
                "    xs = np.asarray(xs, dtype=float)\n"
                "    ### BEGIN SOLUTION\n"
                "    return float(np.mean(xs**2))\n"
                "    ### END SOLUTION"
            ),
            new_code_cell(
                "n_above_mean = int((values > values.mean()).sum())  # SOLUTION\n"
                "print(mean_of_squares(values), n_above_mean)"
            ),
        ],
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        },
    )
    return nb
