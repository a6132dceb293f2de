"""Submissions as text: the linear-algebra solution as a percent script, Markdown and Quarto.

Each is graded exactly as the same code in an ``.ipynb``: one batch of four students, through
the real command line and real kernels.
"""

import json

import jupytext
import pytest

from tests.conftest import ROOT, run_grader

pytestmark = pytest.mark.slow

SOLUTION = ROOT / "solutions" / "linear-algebra" / "linear-algebra.ipynb"


def test_the_solution_as_py_md_and_qmd_grades_exactly_as_the_notebook(tmp_path):
    nb = jupytext.read(SOLUTION)
    cohort = tmp_path / "cohort"
    for student, suffix, fmt in [("as-notebook", ".ipynb", "ipynb"), ("as-script", ".py",
                                  "py:percent"), ("as-markdown", ".md", "md"),
                                 ("as-quarto", ".qmd", "Rmd")]:  # fmt: skip
        (cohort / student).mkdir(parents=True)
        text = jupytext.writes(nb, fmt=fmt)
        if suffix == ".qmd":  # Quarto's front matter and chunks, which R Markdown's reader reads
            text = (
                "---\ntitle: Linear algebra\njupyter: python3\n---\n\n" + text.split("---\n", 2)[-1]
            )
        (cohort / student / f"linear-algebra{suffix}").write_text(text)
    done = run_grader("grade", "linear-algebra", str(cohort), "--format", "json", "--jobs", "2",
                      "--output", str(tmp_path / "out"))  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    results = {r["student"]: r for r in json.loads(done.stdout)}

    def outcome(r):
        return (r["total"], r["possible"], r["gradable"], r["cell_errors"],
                [(c["name"], c["status"], c["points"]) for c in r["checks"]])  # fmt: skip

    reference = outcome(results.pop("as-notebook"))
    assert reference[0] == reference[1] == 57.5
    assert {s: outcome(r) for s, r in results.items()} == dict.fromkeys(
        ["as-script", "as-markdown", "as-quarto"], reference
    )
