"""A data variant per student: the seed, the generator, the roster, and grading each student
against their own data (copying a neighbour's numbers earns nothing)."""

from __future__ import annotations

import json
import shutil

import nbformat
import pytest

from grader.config import load_assignment
from grader.errors import ConfigError, VariantError
from grader.variants import build_variant, course_secret, read_roster, variant_seed
from tests.conftest import COHORT, COURSE, ROOT, run_grader


@pytest.fixture
def course(tmp_path, monkeypatch):
    monkeypatch.delenv("GRADER_SECRET", raising=False)
    dest = tmp_path / "course"
    shutil.copytree(COURSE, dest)
    return dest


def variants(course):
    return load_assignment(course / "solutions" / "variants", "variants")


def test_the_seed_depends_on_the_secret_the_assignment_and_the_student():
    seeds = {
        variant_seed(s, a, k) for s in (b"one", b"two") for a in ("x", "y") for k in ("ada", "ben")
    }
    assert len(seeds) == 8
    assert variant_seed(b"one", "x", "ada") == variant_seed(b"one", "x", "ada")


def test_a_variant_is_rebuilt_identically_and_differs_between_students(course, tmp_path):
    assignment = variants(course)
    with pytest.raises(ConfigError, match="no course secret: set GRADER_SECRET"):
        course_secret(assignment)
    course_secret(assignment, create=True)
    assert (course / "solutions" / ".secret").stat().st_mode & 0o777 == 0o600
    first = build_variant(assignment, "ada", tmp_path / "a1")
    again = build_variant(assignment, "ada", tmp_path / "a2")
    other = build_variant(assignment, "ben", tmp_path / "b")
    assert first.params == again.params and set(first.params) == {"n", "centre"}
    data = [
        (p / "data" / "numbers.csv").read_text() for p in (first.folder, again.folder, other.folder)
    ]
    assert data[0] == data[1] != data[2]
    assert json.loads((first.folder / "variant.json").read_text()) == first.params


def test_a_broken_generator_is_a_clear_error(course, tmp_path):
    (course / "solutions" / "variants" / "make_data.py").write_text(
        "def make_variant(rng, student):\n    raise ValueError('no numbers for ' + student)\n"
    )
    assignment = variants(course)
    course_secret(assignment, create=True)
    with pytest.raises(
        VariantError, match=r"make_data\.py failed for ada: ValueError: no numbers for ada"
    ):
        build_variant(assignment, "ada", tmp_path / "v")


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("name\nada\n", "has no 'student' column"),
        ("student\nada\n../ben\n", "row 3: '../ben' is not a student key"),
        ("student\n\n", "has no 'student' column|is not a student key"),
    ],
)
def test_a_bad_roster_is_a_clear_error(tmp_path, text, error):
    path = tmp_path / "roster.csv"
    path.write_text(text)
    with pytest.raises(ConfigError, match=error):
        read_roster(path)


def test_a_roster_keeps_its_order_once_each(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_text("student,email\nben,b@x\nada,a@x\nben,b@x\n")
    assert read_roster(path) == ["ben", "ada"]


def _answer(release, code):
    nb = nbformat.read(release / "variants.ipynb", as_version=4)
    nb.cells[2].source = code
    return nb


@pytest.mark.slow
def test_each_student_is_graded_on_their_own_data_and_a_copied_answer_loses(course, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("student\nada\nben\n")
    on = ["--course", str(course)]
    import numpy as np

    students = course / "assignments" / "variants" / "students"
    ada, ben = students / "ada", students / "ben"
    # A copied count loses only where the two counts differ: they coincide for 1 secret in 20
    # (20-39 numbers each), so a release with such a secret is made again with a new one.
    for _ in range(10):
        done = run_grader(*on, "release", "variants", "--roster", str(roster))
        assert done.returncode == 0, done.stderr
        assert "2 students' copies" in done.stdout
        assert (course / "solutions" / ".secret").is_file()
        ada_values = np.loadtxt(ada / "data" / "numbers.csv")
        if len(ada_values) != len(np.loadtxt(ben / "data" / "numbers.csv")):
            break
        (course / "solutions" / ".secret").unlink()
    assert (ada / "data" / "numbers.csv").read_text() != (ben / "data" / "numbers.csv").read_text()
    assert not (ada / "make_data.py").exists() and not (ada / "tests" / "hidden").exists()
    honest = "def mean_of(xs):\n    return sum(xs) / len(xs)\n\nanswer = mean_of(values)\ncount = len(values)"
    copied = (
        "def mean_of(xs):\n    return sum(xs) / len(xs)\n\n"
        f"answer = {float(ada_values.mean())!r}\ncount = {len(ada_values)}"
    )
    cohort = tmp_path / "cohort"
    for student, code, release in (("ada", honest, ada), ("ben", copied, ben)):
        (cohort / student).mkdir(parents=True)
        nbformat.write(_answer(release, code), cohort / student / "variants.ipynb")

    graded = run_grader(*on, "grade", "variants", str(cohort), "--format", "json",
                        "--output", str(tmp_path / "out"))  # fmt: skip
    assert graded.returncode == 0, graded.stderr
    results = {r["student"]: r for r in json.loads(graded.stdout)}
    assert (results["ada"]["total"], results["ada"]["possible"]) == (4, 4)
    assert results["ben"]["total"] == 1  # the public check only: the numbers are ada's
    assert {c["name"]: c["status"] for c in results["ben"]["checks"]} == {
        "test_mean_of_small": "passed",
        "test_answer_is_the_mean_of_your_numbers": "failed",
        "test_count_is_yours": "failed",
    }

    # On a Dask cluster the seeds are derived here and travel with the submissions: the workers
    # (whose environment has no GRADER_SECRET, and whose copy of the assignment no .secret)
    # grade each student on their own data all the same.
    pytest.importorskip("distributed")
    remote = run_grader(*on, "grade", "variants", str(cohort), "--cluster", "dask", "--jobs", "1",
                        "--force", "--format", "json", "--output", str(tmp_path / "remote"))  # fmt: skip
    assert remote.returncode == 0, remote.stderr[-3000:]
    assert {r["student"]: (r["total"], [c["status"] for c in r["checks"]])
            for r in json.loads(remote.stdout)} == {
        s: (r["total"], [c["status"] for c in r["checks"]]) for s, r in results.items()
    }  # fmt: skip

    mine = tmp_path / "ada-self"
    shutil.copytree(ada, mine)
    nbformat.write(_answer(ada, honest), mine / "variants.ipynb")
    checked = run_grader("check", str(mine / "variants.ipynb"))
    assert checked.returncode == 0, checked.stderr
    assert "passed" in checked.stdout and "failed" not in checked.stdout.split("hidden")[0]

    (course / "solutions" / ".secret").unlink()
    again = run_grader(
        *on, "grade", "variants", str(cohort), "--force", "--output", str(tmp_path / "o2")
    )
    assert again.returncode == 1
    assert "no course secret" in again.stderr and len(again.stderr.strip().splitlines()) == 1


@pytest.mark.slow
def test_the_demo_data_wrangling_gives_each_student_their_own_release_and_self_check(
    tmp_path, monkeypatch
):
    """The course's data-wrangling has a variant per student: `grader release --roster` makes
    each demo student's copy from the demo course's secret, and `grader check` in a student's
    own copy checks their notebook against their own data; finn-hardcoded typed in
    ada-complete's numbers, which are not his."""
    import pandas as pd

    monkeypatch.delenv("GRADER_SECRET", raising=False)
    course = tmp_path / "course"
    (course / "solutions").mkdir(parents=True)
    (course / "solutions" / "data-wrangling").symlink_to(ROOT / "solutions" / "data-wrangling")
    shutil.copy(ROOT / "solutions" / ".secret", course / "solutions" / ".secret")
    roster = tmp_path / "roster.csv"
    roster.write_text("student\nada-complete\nfinn-hardcoded\n")
    done = run_grader("--course", str(course), "release", "data-wrangling", "--roster", str(roster))
    assert done.returncode == 0, done.stderr
    students = course / "assignments" / "data-wrangling" / "students"
    ada, finn = students / "ada-complete", students / "finn-hardcoded"
    for mine in (ada, finn):
        assert not (mine / "variants.py").exists() and not (mine / "make_data.py").exists()
        assert not (mine / "tests" / "hidden").exists()
        assert sorted(p.name for p in (mine / "data").iterdir()) == [
            "customers.csv", "orders.csv", "products.csv", "targets.csv"
        ]  # fmt: skip
    orders = {s: pd.read_csv(p / "data" / "orders.csv") for s, p in (("ada", ada), ("finn", finn))}
    assert json.loads((ada / "variant.json").read_text())["n_orders"] == len(orders["ada"])
    assert len(orders["ada"]) != len(orders["finn"])
    # The same release rebuilt gives the same data: the demo's scores do not move.
    again = build_variant(load_assignment(ROOT / "solutions" / "data-wrangling",
                                          "data-wrangling"), "finn-hardcoded", tmp_path / "f")  # fmt: skip
    assert (again.folder / "data" / "orders.csv").read_bytes() == (
        finn / "data" / "orders.csv"
    ).read_bytes()

    # Finn's n_missing_customer is Ada's count, not his own.
    typed = COHORT / "finn-hardcoded" / "data-wrangling.ipynb"
    assert "n_missing_customer = 10" in typed.read_text()
    assert [int(o["customer_id"].isna().sum()) for o in orders.values()] == [10, 16]

    shutil.copy(COHORT / "ada-complete" / "data-wrangling.ipynb", ada / "mine.ipynb")
    out = " ".join(run_grader("check", str(ada / "mine.ipynb")).stdout.split())
    assert "Public checks: 14 of 14 passed" in out and "✗" not in out

    shutil.copy(typed, finn / "mine.ipynb")
    out = " ".join(run_grader("check", str(finn / "mine.ipynb")).stdout.split())
    assert "Public checks: 11 of 14 passed" in out
    assert "sort by revenue, highest first" in out  # Ada's order of the regions
    assert "add up to the booked revenue" in out  # Ada's months, not his
