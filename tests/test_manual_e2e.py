"""Manual grading end to end with real kernels: grade, export manual-csv, fill in, import, report."""

from __future__ import annotations

import csv
import io
import json
import shutil

import nbformat
import pytest

from grader.config import load_assignment
from grader.gradebook import Gradebook, default_url
from grader.review.app import ReviewConfig, create_app
from tests.conftest import COURSE, NOTEBOOKS, run_grader

ITEM = "q3 item 1: Says the mean is the sum divided by the count"


@pytest.mark.slow
def test_a_grade_filled_in_offline_reaches_the_total_the_page_and_a_forced_regrade(tmp_path):
    cohort = tmp_path / "multi"
    for student in ("ada", "gia"):
        shutil.copytree(NOTEBOOKS / "multi" / student, cohort / student)
    part2 = cohort / "ada" / "part2.ipynb"
    nb = nbformat.read(part2, as_version=4)
    nb.cells.append(
        nbformat.v4.new_markdown_cell("<!-- MANUAL: q3 -->\nAll of them <b>added</b> up.")
    )
    nbformat.write(nb, part2)
    out = tmp_path / "out"
    course = ["--course", str(COURSE)]
    graded = run_grader(*course, "grade", "multi", str(cohort), "--output", str(out), "--jobs", "2")
    assert graded.returncode == 0, graded.stderr
    assert json.loads((out / "ada.json").read_text())["total"] == 4

    exported = run_grader(*course, "export", "multi", "--to", "manual-csv", "--output", "-",
                          "--gradebook", f"sqlite:///{out / 'gradebook.sqlite'}")  # fmt: skip
    assert exported.returncode == 0, exported.stderr
    rows = list(csv.DictReader(io.StringIO(exported.stdout)))
    assert [(r["student"], r["answer"]) for r in rows] == [
        ("ada", "All of them <b>added</b> up."),
        ("gia", ""),
    ]
    rows[0].update({ITEM: "1", "comment": "Right: <script>x</script>"})
    sheet = tmp_path / "graded.csv"
    with sheet.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)

    imported = run_grader(*course, "import-grades", "multi", str(sheet), "--output", str(out))
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout == "imported 1 manual grades of multi (1 changed)\n"
    reported = run_grader(*course, "report", "multi", "--output", str(out))
    assert reported.returncode == 0, reported.stderr
    ada = json.loads((out / "ada.json").read_text())
    assert (ada["total"], ada["possible"]) == (7, 7)
    page = (out / "ada.html").read_text()
    assert "Says the mean is the sum divided by the count" in page
    assert "Right: &lt;script&gt;x&lt;/script&gt;" in page and "<script>x" not in page
    gia = json.loads((out / "gia.json").read_text())
    assert [q["name"] for q in gia["questions"] if q["awaiting"]] == ["q3"]

    again = run_grader(*course, "grade", "multi", str(cohort / "ada"), "--force", "--output",
                       str(out), "--format", "json", "--kernels", "cold")  # fmt: skip
    assert again.returncode == 0, again.stderr
    [forced] = json.loads(again.stdout)
    assert (forced["total"], forced["possible"]) == (7, 7)
    assert json.loads((out / "ada.json").read_text())["total"] == 7


@pytest.mark.slow
def test_an_answers_outputs_from_the_graded_run_reach_the_review_page(tmp_path):
    """A code cell marked as q3's answer draws a table and prints: the grading run's outputs
    are kept in the gradebook (never in the JSON output) and shown, sanitised, to the grader."""
    cohort = tmp_path / "multi"
    shutil.copytree(NOTEBOOKS / "multi" / "ada", cohort / "ada")
    part2 = cohort / "ada" / "part2.ipynb"
    nb = nbformat.read(part2, as_version=4)
    nb.cells.append(nbformat.v4.new_markdown_cell("<!-- MANUAL: q3 -->\nThe mean, *as a table*:"))
    nb.cells.append(nbformat.v4.new_code_cell(
        "# MANUAL: q3\nfrom IPython.display import HTML, display\n"
        "display(HTML('<table><tr><td>41.5</td></tr></table><script>window.x = 1</script>'))\n"
        "print('computed in', 'the kernel')"
    ))  # fmt: skip
    nb.cells[-1].outputs = [nbformat.v4.new_output("stream", text="stale, from the student\n")]
    nbformat.write(nb, part2)
    out = tmp_path / "out"
    graded = run_grader("--course", str(COURSE), "grade", "multi", str(cohort), "--output",
                        str(out), "--format", "json")  # fmt: skip
    assert graded.returncode == 0, graded.stderr
    assert "answers" not in json.loads(graded.stdout)[0]
    assert "answers" not in json.loads((out / "ada.json").read_text())

    book = Gradebook(default_url(out))
    try:
        answer = book.answers("multi")[("ada", "q3")]
    finally:
        book.close()
    assert [c.cell_type for c in answer.cells] == ["markdown", "code"]
    assert answer.cells[0].source == "The mean, *as a table*:"
    outputs = answer.cells[1].outputs
    assert [o["output_type"] for o in outputs] == ["display_data", "stream"]
    assert outputs[1]["text"] == "computed in the kernel\n"  # the graded run's, not the file's

    assignment = load_assignment(COURSE / "solutions" / "multi", "multi")
    app = create_app(ReviewConfig(assignment, default_url(out), "tess", token="t"))
    client = app.test_client()
    client.get("/?token=t")
    page = client.get(client.get("/q/q3").headers["Location"]).get_data(as_text=True)
    app.extensions["grader_review"].gradebook.close()
    assert "<em>as a table</em>" in page and "<td>41.5</td>" in page
    assert "computed in the kernel" in page and "<script>window.x" not in page
