"""Notebooks as Colab, VS Code and JupyterLite save them grade by their code.

Each is the mini assignment's correct notebook rewritten the way that editor writes a file
(our own rewrites, following what each puts in a notebook): Colab's nbformat 4.0 without cell
ids and with its ``colab`` and ``accelerator`` metadata and per-cell ``outputId``; VS Code's
``vscode`` metadata and a cell split in two; JupyterLite's Pyodide kernelspec and widget state;
a notebook whose kernelspec names another language, with a pasted image in a Markdown cell and
cells reordered. Every one must score exactly as the original.
"""

import copy
import json

import pytest

from tests.conftest import COURSE, NOTEBOOKS, run_grader

pytestmark = pytest.mark.slow

ORIGINAL = json.loads((NOTEBOOKS / "mini" / "correct.ipynb").read_text())
PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="


def colab():
    nb = copy.deepcopy(ORIGINAL)
    nb["nbformat_minor"] = 0
    nb["metadata"] = {"colab": {"provenance": [], "name": "mini.ipynb", "toc_visible": True},
                      "kernelspec": {"name": "python3", "display_name": "Python 3"},
                      "language_info": {"name": "python"}, "accelerator": "GPU"}  # fmt: skip
    for n, cell in enumerate(nb["cells"]):
        cell.pop("id", None)
        cell["metadata"] = {"id": f"cell{n}abc", "colab": {"base_uri": "https://localhost/"}}
        if cell["cell_type"] == "code":
            cell["metadata"]["outputId"] = f"out-{n}"
    return nb


def vscode():
    nb = copy.deepcopy(ORIGINAL)
    nb["metadata"] = {"kernelspec": {"name": "python3", "display_name": ".venv (3.11.9)",
                                     "language": "python"},
                      "vscode": {"interpreter": {"hash": "ab" * 32}},
                      "language_info": {"name": "python", "version": "3.11.9"}}  # fmt: skip
    for cell in nb["cells"]:
        cell["metadata"] = {"vscode": {"languageId": cell["cell_type"]}}
    first, *rest = "".join(nb["cells"][1]["source"]).split("\n\n")  # the imports cell, in two
    split = copy.deepcopy(nb["cells"][1])
    nb["cells"][1]["source"], split["source"], split["id"] = first, "\n\n".join(rest), "split1"
    nb["cells"].insert(2, split)
    return nb


def jupyterlite():
    nb = copy.deepcopy(ORIGINAL)
    nb["metadata"] = {
        "kernelspec": {"name": "python", "display_name": "Python (Pyodide)", "language": "python"},
        "language_info": {"name": "python", "version": "3.11.3", "mimetype": "text/x-python"},
        "widgets": {"application/vnd.jupyter.widget-state+json": {
            "version_major": 2, "version_minor": 0, "state": {"abc": {"model_name": "IntSlider"}}}},
    }  # fmt: skip
    return nb


def other_language():
    nb = copy.deepcopy(ORIGINAL)
    nb["metadata"] = {"kernelspec": {"name": "ir", "display_name": "R", "language": "R"}}
    nb["cells"][0]["attachments"] = {"plot.png": {"image/png": PNG}}
    nb["cells"][0]["source"] = (
        "".join(nb["cells"][0]["source"]) + "\n\n![plot](attachment:plot.png)"
    )
    nb["cells"][2], nb["cells"][3] = nb["cells"][3], nb["cells"][2]  # two definitions swapped
    return nb


def test_notebooks_saved_by_other_editors_score_as_the_original(tmp_path):
    cohort = tmp_path / "cohort"
    cohort.mkdir()
    for name, make in [("original", lambda: ORIGINAL), ("colab", colab), ("vscode", vscode),
                       ("jupyterlite", jupyterlite), ("other-language", other_language)]:  # fmt: skip
        (cohort / f"{name}.ipynb").write_text(json.dumps(make(), indent=1))
    done = run_grader("--course", str(COURSE), "grade", "mini", str(cohort), "--format", "json",
                      "--output", str(tmp_path / "out"), "--jobs", "2")  # fmt: skip
    assert done.returncode == 0, done.stderr
    results = {r["student"]: r for r in json.loads(done.stdout)}

    def outcome(r):
        return (r["total"], r["gradable"], r["cell_errors"],
                sorted((c["name"], c["status"]) for c in r["checks"]))  # fmt: skip

    reference = outcome(results.pop("original"))
    assert reference[0] == 5.5 and reference[1]
    assert {s: outcome(r) for s, r in results.items()} == dict.fromkeys(results, reference)


def test_a_notebook_whose_structure_differs_from_the_release_says_so_in_a_note(tmp_path):
    cohort = tmp_path / "cohort"
    cohort.mkdir()
    for name, make in [("original", lambda: ORIGINAL), ("vscode", vscode),
                       ("other-language", other_language)]:  # fmt: skip
        (cohort / f"{name}.ipynb").write_text(json.dumps(make(), indent=1))
    done = run_grader("--course", str(COURSE), "grade", "mini", str(cohort), "--format", "json",
                      "--output", str(tmp_path / "out"))  # fmt: skip
    assert done.returncode == 0, done.stderr
    notes = {r["student"]: r["notes"] for r in json.loads(done.stdout)}
    shape = ("the notebook has {} code cells where the release has 3 (cells added, deleted, "
             "split or merged): graded by its code as it is")  # fmt: skip
    assert notes["original"] == [shape.format(4)]  # its own cell for the data, beside the release's
    assert notes["vscode"] == [shape.format(5)]
    assert notes["other-language"] == [
        "the notebook's kernelspec is R (R): graded as Python", shape.format(4)
    ]  # fmt: skip
