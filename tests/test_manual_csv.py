"""The offline round trip of manual grades: export --to manual-csv, edit, import-grades.

No kernel: results are scored from made-up checks and recorded in a temporary gradebook with
the paths of notebooks written here.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import nbformat
import pytest
from click.testing import CliRunner

from grader.cli import main
from grader.gradebook import Gradebook, Stamp, default_url, latest_results
from grader.integrations.export import export_grades
from grader.integrations.manual_csv import ManualCsvError, import_grades
from grader.scoring import ungradable
from tests.test_manual import checked, multi

ANSWER = "The sum divided by the count.\n\n<b>really</b>"


def notebook(path: Path, *cells: nbformat.NotebookNode) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nbformat.v4.new_notebook(cells=list(cells)), path)
    return str(path)


@pytest.fixture
def book(tmp_path):
    """ada answered q3; ben's notebooks are gone; cara has no marked cell; dan is ungradable."""
    gradebook = Gradebook(default_url(tmp_path / "out"))
    md, code = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell
    ada = (
        notebook(tmp_path / "ada" / "part1.ipynb", code("def add(a, b):\n    return a + b")),
        notebook(
            tmp_path / "ada" / "part2.ipynb",
            code("def mean(xs): ..."),
            md("<!-- MANUAL: q3 -->\n" + ANSWER),
        ),
    )
    cara = (notebook(tmp_path / "cara" / "part2.ipynb", md("I did not answer")),)
    gradebook.record(checked("ada"), Stamp("a", "a", None, ada))
    gradebook.record(
        checked("ben"), Stamp("b", "b", None, (str(tmp_path / "ben" / "part2.ipynb"),))
    )
    gradebook.record(checked("cara"), Stamp("c", "c", None, cara))
    gradebook.record(ungradable(multi(), "dan", "no notebook"), Stamp("d", "d", None))
    yield gradebook
    gradebook.close()


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def write(path: Path, table: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(table[0]))
        writer.writeheader()
        writer.writerows(table)
    return path


ITEM = "q3 item 1: Says the mean is the sum divided by the count"


def test_the_export_has_a_row_per_student_and_manual_question_with_the_answer(book):
    table = rows(export_grades(multi(), "manual-csv", book.url))
    assert [(r["student"], r["question"], r["possible"], r["points"]) for r in table] == [
        ("ada", "q3", "3", ""), ("ben", "q3", "3", ""), ("cara", "q3", "3", "")
    ]  # fmt: skip
    ada, ben, cara = table
    assert (ada["answer"], ada["answer_missing"]) == (ANSWER, "")
    assert ben["answer"] == "" and "no longer at" in ben["answer_missing"]
    assert cara["answer_missing"] == "no cell marked MANUAL: q3 in part2.ipynb"
    assert list(ada)[6:] == [ITEM, "adjustment", "comment", "grader"]
    assert ada[ITEM] == ada["adjustment"] == ada["comment"] == ada["grader"] == ""


def test_a_filled_in_csv_imports_into_the_totals_and_exports_back(book, tmp_path):
    table = rows(export_grades(multi(), "manual-csv", book.url))
    table[0].update({ITEM: "1", "comment": "Right, <i>and</i> short", "grader": "tess"})
    table[1].update({"points": "1.5"})  # just the points: the adjustment makes them
    path = write(tmp_path / "graded.csv", table)
    done = import_grades(multi(), book.url, path)
    assert (done.rows, done.changed) == (2, 2)
    totals = {r.student: (r.total, r.possible) for r in latest_results(book.url, "multi", multi())}
    assert totals == {"ada": (7, 7), "ben": (5.5, 7), "cara": (4, 4), "dan": (0, 0)}
    again = rows(export_grades(multi(), "manual-csv", book.url))
    assert [(r["points"], r[ITEM], r["adjustment"], r["comment"]) for r in again] == [
        ("3", "1", "0", "Right, <i>and</i> short"), ("1.5", "0", "1.5", ""), ("", "", "", "")
    ]  # fmt: skip
    assert again[0]["grader"] == "tess" and again[1]["grader"]  # blank: the OS user


def test_importing_the_same_file_twice_changes_nothing(book, tmp_path):
    table = rows(export_grades(multi(), "manual-csv", book.url))
    table[0].update({ITEM: "1", "adjustment": "-0.5", "points": "2.5"})
    path = write(tmp_path / "graded.csv", table)
    assert import_grades(multi(), book.url, path).changed == 1
    before = book.manual_grades("multi")
    assert import_grades(multi(), book.url, path).changed == 0
    assert book.manual_grades("multi") == before
    exported = write(
        tmp_path / "exported.csv", rows(export_grades(multi(), "manual-csv", book.url))
    )
    assert import_grades(multi(), book.url, exported).changed == 0  # its own export, too


@pytest.mark.parametrize(
    ("row", "error"),
    [
        ({"student": "zoe"}, "row 3: unknown student 'zoe'"),
        ({"question": "q9"}, "row 3: unknown question 'q9' (not a manual question)"),
        ({"question": "q1"}, "row 3: unknown question 'q1' (not a manual question)"),
        ({"points": "4"}, "row 3: points 4 out of range 0 to 3"),
        ({"points": "-1"}, "row 3: points -1 out of range 0 to 3"),
        ({"points": "three"}, "row 3: points 'three' is not a number"),
        ({"adjustment": "nan"}, "row 3: adjustment 'nan' is not a number"),
        ({ITEM: "yes"}, "row 3: column q3 item 1: 'yes' is not 1, 0 or blank"),
        ({ITEM: "1", "points": "2", "adjustment": "0"},
         "row 3: points 2 disagree with the items and adjustment (3): change or clear one"),
        ({"student": "ada"}, "row 3: ada q3 appears twice"),
        ({"student": "dan"}, "row 3: dan has no gradable q3 to grade"),
    ],
)  # fmt: skip
def test_a_bad_row_is_a_one_line_error_naming_it_and_nothing_is_written(book, tmp_path, row, error):
    table = rows(export_grades(multi(), "manual-csv", book.url))
    table[0].update({ITEM: "1"})  # a good row before the bad one: not written either
    table[1].update({"comment": "fine", **row})
    path = write(tmp_path / "bad.csv", table)
    with pytest.raises(ManualCsvError) as caught:
        import_grades(multi(), book.url, path)
    assert str(caught.value) == f"{path}: {error}"
    assert book.manual_grades("multi") == {}


@pytest.mark.parametrize(
    ("column", "error"),
    [
        ("q3 item 2: gone", "column 'q3 item 2: gone': no such rubric item"),
        ("q1 item 1", "column 'q1 item 1': no such rubric item"),
        ("bonus", "unknown column 'bonus'"),
    ],
)
def test_an_unknown_column_is_an_error_naming_it(book, tmp_path, column, error):
    table = [{**r, column: ""} for r in rows(export_grades(multi(), "manual-csv", book.url))]
    table[0].update({ITEM: "1"})
    path = write(tmp_path / "bad.csv", table)
    with pytest.raises(ManualCsvError, match=f"^{path}: {error}$"):
        import_grades(multi(), book.url, path)
    assert book.manual_grades("multi") == {}


def test_import_grades_on_the_command_line(book, tmp_path):
    course = tmp_path / "course"
    (course / "solutions").mkdir(parents=True)
    (course / "solutions" / "multi").symlink_to(multi().root)
    table = rows(export_grades(multi(), "manual-csv", book.url))
    table[0].update({ITEM: "1"})
    good = write(tmp_path / "good.csv", table)
    base = ["--course", str(course), "import-grades", "multi"]
    runner = CliRunner()
    done = runner.invoke(main, [*base, str(good), "--gradebook", book.url])
    assert done.exit_code == 0, done.output
    assert done.stdout == "imported 1 manual grades of multi (1 changed)\n"
    table[2].update({"points": "x"})
    bad = write(tmp_path / "bad.csv", table)
    failed = runner.invoke(main, [*base, str(bad), "--gradebook", book.url])
    assert failed.exit_code == 1
    assert failed.output == f"grader: error: {bad}: row 4: points 'x' is not a number\n"
    out = runner.invoke(main, ["--course", str(course), "export", "multi", "--to", "manual-csv",
                               "--gradebook", book.url, "--output", "-"])  # fmt: skip
    assert out.exit_code == 0 and rows(out.stdout)[0]["points"] == "3"
