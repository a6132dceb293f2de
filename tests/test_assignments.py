"""The course's own assignments: each validates, and the demo cohort scores as written down."""

import csv
import io
import json
import re
import shutil
from html.parser import HTMLParser

import pytest

from grader.config import solution_assignment
from grader.demo import demo_grades, import_demo_grades
from grader.models import SubmissionResult
from tests.conftest import ASSIGNMENTS, COHORT, ROOT, grade_cohort, run_grader

pytestmark = pytest.mark.slow


def test_the_course_assignments_are_present_and_listed_in_the_readme():
    assert ASSIGNMENTS == ["data-wrangling", "linear-algebra", "ml-in-production",
                           "model-evaluation", "model-training", "optimization",
                           "probability-statistics", "unsupervised"]  # fmt: skip
    course = (ROOT / "README.md").read_text().split("## The course", 1)[1].split("\n## ", 1)[0]
    assert re.findall(r"^\| `([a-z-]+)` \|", course, re.MULTILINE) == [
        "linear-algebra",
        "data-wrangling",
        "model-training",
        "model-evaluation",
        "probability-statistics",
        "optimization",
        "unsupervised",
        "ml-in-production",
    ]


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_assignment_validates(name):
    done = run_grader("validate", name)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_released_copy_is_up_to_date(name, tmp_path):
    course = tmp_path / "course"
    (course / "solutions").mkdir(parents=True)
    (course / "solutions" / name).symlink_to(ROOT / "solutions" / name)
    assert run_grader("--course", str(course), "release", name).returncode == 0
    fresh = course / "assignments" / name
    committed = ROOT / "assignments" / name
    fresh_files = sorted(p.relative_to(fresh) for p in fresh.rglob("*") if p.is_file())
    committed_files = sorted(p.relative_to(committed) for p in committed.rglob("*") if p.is_file())
    assert fresh_files == committed_files
    for rel in fresh_files:
        assert (fresh / rel).read_bytes() == (committed / rel).read_bytes(), rel


def test_demo_cohort_has_forty_plus_submissions_of_every_kind():
    expected = json.loads((COHORT / "expected.json").read_text())
    notebooks = sorted(COHORT.glob("*/*.ipynb"))
    assert len(notebooks) >= 40
    assert {(p.parent.name, p.stem) for p in notebooks} == {
        (student, name) for student, scores in expected.items() for name in scores
    }


def test_demo_cohort_scores_exactly_as_expected(cohort_graded):
    expected = json.loads((COHORT / "expected.json").read_text())
    for name in ASSIGNMENTS:
        got = {student: r["total"] for student, r in cohort_graded[name].items()}
        want = {student: scores[name] for student, scores in expected.items()}
        assert got == want, name


def test_grading_again_gives_identical_results(cohort_graded, tmp_path):
    """A sixth of the cohort graded again (every assignment, every student in one or two of
    them; another sixth is run again by test_checker's in-notebook parity)."""
    again = grade_cohort(tmp_path, part=0)

    def outcome(graded):
        return {
            (name, student): (r["total"], r["gradable"],
                              [(c["name"], c["status"], c["points"]) for c in r["checks"]])
            for name, results in graded.items() for student, r in results.items()
        }  # fmt: skip

    first = {name: {s: cohort_graded[name][s] for s in again[name]} for name in again}
    assert sum(len(v) for v in again.values()) == 16  # 12 students (not jack) x 8 / 6
    assert outcome(again) == outcome(first)


# -- the question graded by hand: model-evaluation Q8 and its bundled grades ------------------

MANUAL_CSV = COHORT / "model-evaluation-manual.csv"
HOSTILE = ("<script>", "onerror=", "https://example.com/")
"""What leo-huge-output's Q8 answer holds that a page must never make live."""


@pytest.fixture(scope="module")
def manual_graded(cohort_graded, cohort_out, tmp_path_factory):
    """A copy of the cohort's model-evaluation gradebook (as graded by ``cohort_graded``) with
    the bundled manual grades imported by ``grader import-grades``, twice, and the reports
    rendered again by ``grader report``."""
    out = tmp_path_factory.mktemp("manual")
    for f in (cohort_out / "model-evaluation").glob("gradebook.sqlite*"):
        shutil.copy2(f, out / f.name)
    imported = [
        run_grader("import-grades", "model-evaluation", str(MANUAL_CSV), "--output", str(out))
        for _ in range(2)
    ]
    reported = run_grader("report", "model-evaluation", "--output", str(out))
    return {"out": out, "imported": imported, "reported": reported}


def _export(out, to):
    dest = out / f"export-{to}.csv"
    done = run_grader("export", "model-evaluation", "--to", to, "--output", str(dest),
                      "--gradebook", f"sqlite:///{out / 'gradebook.sqlite'}")  # fmt: skip
    assert done.returncode == 0, done.stderr
    return dest.read_text(encoding="utf-8")


def test_cohort_notebooks_are_autograded_without_the_manual_question(cohort_graded):
    graded = cohort_graded["model-evaluation"]
    awaiting = {s: [q["name"] for q in r["questions"] if q["awaiting"]] for s, r in graded.items()}
    assert awaiting == {s: ([] if s == "mia-empty" else ["q8"]) for s in graded}
    assert {r["possible"] for s, r in graded.items() if s != "mia-empty"} == {58}


def test_bundled_manual_grades_give_the_expected_manual_totals(manual_graded):
    first, again = manual_graded["imported"]
    assert first.returncode == 0, first.stderr
    assert first.stdout == "imported 12 manual grades of model-evaluation (12 changed)\n"
    assert again.stdout == "imported 12 manual grades of model-evaluation (0 changed)\n"
    assert manual_graded["reported"].returncode == 0, manual_graded["reported"].stderr
    out = manual_graded["out"]
    want = {s: scores["model-evaluation"] for s, scores in
            json.loads((COHORT / "expected-manual.json").read_text()).items()}  # fmt: skip
    autograded = json.loads((COHORT / "expected.json").read_text())
    assert set(want) == set(autograded)
    assert any(want[s] != autograded[s]["model-evaluation"] for s in want)

    reported = {s: json.loads((out / f"{s}.json").read_text())["total"] for s in want}
    assert reported == want
    exported = {r["student"]: float(r["total"])
                for r in csv.DictReader(io.StringIO(_export(out, "csv")))}  # fmt: skip
    assert exported == want
    ada = json.loads((out / "ada-complete.json").read_text())
    assert (ada["possible"], [q["name"] for q in ada["questions"] if q["awaiting"]]) == (62, [])


def test_bundled_manual_grades_are_what_the_export_writes_back(manual_graded):
    """The file is in exactly the manual-csv format: exported again, it comes back unchanged."""
    assert _export(manual_graded["out"], "manual-csv") == MANUAL_CSV.read_text(encoding="utf-8")


def test_hostile_answer_is_exported_as_written_and_inert_on_the_feedback_page(manual_graded):
    out = manual_graded["out"]
    rows = {r["student"]: r for r in csv.DictReader(io.StringIO(_export(out, "manual-csv")))}
    answer = rows["leo-huge-output"]["answer"]
    assert all(fragment in answer for fragment in HOSTILE), answer
    assert answer.startswith("<script>alert(") and "<img src=x onerror=" in answer

    page = _Elements()
    page.feed((out / "leo-huge-output.html").read_text(encoding="utf-8"))
    assert "script" not in page.tags
    assert [a for a in page.attributes if a.startswith("on")] == []
    assert [src for src in page.sources if "example.com" in src] == []
    # the grader's comment quotes the markup: it shows as text
    assert "<script>" in page.text and "<img onerror=...>" in page.text
    assert "Graded by instructor" in page.text


class _Elements(HTMLParser):
    """The tags, attribute names, image sources and text of an HTML page."""

    def __init__(self):
        super().__init__()
        self.tags, self.attributes, self.sources, self.parts = set(), [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.attributes += [name for name, _ in attrs]
        self.sources += [value or "" for name, value in attrs if name in ("src", "href")]

    def handle_data(self, data):
        self.parts.append(data)

    @property
    def text(self):
        return "".join(self.parts)


def test_demo_imports_the_bundled_grades_and_reports_them(cohort_graded, cohort_out, tmp_path):
    """What ``grader demo`` does after grading model-evaluation, on a copy of its gradebook."""
    for f in (cohort_out / "model-evaluation").glob("gradebook.sqlite*"):
        shutil.copy2(f, tmp_path / f.name)
    graded = [SubmissionResult.from_dict(r) for r in cohort_graded["model-evaluation"].values()]
    grades = demo_grades(ROOT, "model-evaluation")
    assert grades == MANUAL_CSV
    done, results = import_demo_grades(
        solution_assignment(ROOT, "model-evaluation"), grades, tmp_path, graded
    )
    assert (done.rows, done.changed) == (12, 12)
    assert [r.student for r in results] == [r.student for r in graded]
    want = json.loads((COHORT / "expected-manual.json").read_text())
    assert {r.student: r.total for r in results} == {
        s: scores["model-evaluation"] for s, scores in want.items()
    }
    page = (tmp_path / "kim-memory-hog.html").read_text(encoding="utf-8")
    assert "57 / 62" in page and "awaiting manual grading" not in page.lower()


def test_the_roc_figure_a_student_drew_is_on_their_feedback_page(cohort_graded, cohort_out):
    """model-evaluation Q9 (`# FIGURE: q9`): the image from the graded run, beside its score."""
    page = (cohort_out / "model-evaluation" / "ada-complete.html").read_text(encoding="utf-8")
    section = page.split('id="figure-q9"', 1)[1].split("</section>", 1)[0]
    assert section.count('<img src="data:image/png;base64,') == 1 and "3.5 / 3.5" in section
    assert 'id="figure-q9"' not in (cohort_out / "linear-algebra" / "ada-complete.html").read_text()
