"""grader import otter: the three input forms of tests/fixtures/peers/otter, the check helpers
(grader/checks/otter_cases.py) against a fake notebook, errors, the CLI; and (slow) the whole
course imported, released, validated and graded against otter's own scores."""

import copy
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import numpy as np
import pytest
from click.testing import CliRunner

from grader.authoring.importing.otter import import_otter
from grader.authoring.importing.otter_tests import case_points, read_test_file, yaml_subset
from grader.checks.imported import ClassStandIn
from grader.checks.otter_cases import run_doctest_case, run_exception_case
from grader.cli import main
from grader.config import load_assignment
from grader.errors import AssignmentError
from grader.guest.codec import EstimatorData

OTTER = Path(__file__).parent / "fixtures" / "peers" / "otter"
EXPECTED = json.loads((OTTER.parent / "expected" / "otter.json").read_text())
MASTER, FENCED = OTTER / "ml-otter.ipynb", OTTER / "ml-otter-fenced.ipynb"
ZIP, FOLDER = OTTER / "dist" / "autograder" / "ml-otter-autograder.zip", OTTER / "folder"


def _import(tmp_path, source, name="ml", solution=None):
    report = import_otter(source, tmp_path / "solutions", name, solution)
    return report, tmp_path / "solutions" / name


def _checks(root):
    """{(question, visibility): [(test name, points)]} read from the written check files."""
    out = {}
    for path in sorted((root / "tests").glob("*/test_*.py")):
        text = path.read_text()
        points = [float(x.split(")")[0]) for x in text.split("@pytest.mark.points(")[1:]]
        names = [x.split("(")[0] for x in text.split("\ndef ")[1:]]
        out[(path.stem[5:], path.parent.name)] = list(zip(names, points, strict=True))
    return out


# ------------------------------------------------------------------ the three forms


def test_the_raw_cell_and_fenced_masters_give_identical_assignments(tmp_path):
    _, raw = _import(tmp_path / "a", MASTER)
    _, fenced = _import(tmp_path / "b", FENCED)
    files = sorted(p.relative_to(raw) for p in raw.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(fenced) for p in fenced.rglob("*") if p.is_file())
    for rel in files:
        if rel.suffix != ".ipynb":
            assert (raw / rel).read_bytes() == (fenced / rel).read_bytes(), rel
    cells = [nbformat.read(d / "ml.ipynb", as_version=4).cells for d in (raw, fenced)]
    assert [(c.cell_type, c.source) for c in cells[0]] == [
        (c.cell_type, c.source) for c in cells[1]
    ]


def test_the_master_gives_otter_s_questions_points_and_hidden_split(tmp_path):
    report, root = _import(tmp_path, MASTER)
    assert report.questions == ("q1", "q2", "q3", "q4", "q5") and report.manual == ("q5",)
    assert report.checks == 11
    third = 2 / 3
    assert _checks(root) == {
        ("q1", "hidden"): [("test_q1_2", third), ("test_q1_3", third)],
        ("q1", "public"): [("test_q1_1", third)],
        ("q2", "hidden"): [("test_q2_2", 1.0), ("test_q2_3", 2.0)],
        ("q2", "public"): [("test_q2_1", 1.0)],
        ("q3", "hidden"): [("test_q3_3", 1.0)],
        ("q3", "public"): [("test_q3_1", 1.0), ("test_q3_2", 1.0)],
        ("q4", "hidden"): [("test_q4_2", 0.5)],
        ("q4", "public"): [("test_q4_1", 0.5)],
    }
    # the same points per case as otter itself gave (expected/otter.json, ada's cases)
    for q, result in EXPECTED["students"]["ada-correct"]["cases"].items():
        ours = sorted(p for (qq, _), cases in _checks(root).items() if qq == q for _, p in cases)
        assert ours == pytest.approx(sorted(c["points"] for c in result["cases"]))
    assignment = load_assignment(root)
    assert assignment.notebook == "ml.ipynb" and assignment.release == ("data/",)
    assert assignment.all_or_nothing("q3") and not assignment.all_or_nothing("q1")
    assert assignment.questions["q5"].manual and assignment.questions["q5"].points == 2
    assert (root / "data" / "scores.csv").read_bytes() == (OTTER / "data/scores.csv").read_bytes()


def test_the_zip_gives_the_master_s_checks_byte_for_byte(tmp_path):
    report, root = _import(tmp_path / "z", ZIP)
    _, master = _import(tmp_path / "m", MASTER)
    for path in (master / "tests").rglob("*.py"):
        assert (root / path.relative_to(master)).read_text() == path.read_text()
    assert report.questions == ("q1", "q2", "q3", "q4") and report.manual == ()
    assert any("manually graded" in n.text for n in report.notes)  # q5 is not in the zip
    assert load_assignment(root).release == ("data/",)
    nb = nbformat.read(root / "ml.ipynb", as_version=4)
    sources = "\n".join(c.source for c in nb.cells)
    assert "otter" not in sources and "grader.check" not in sources
    assert "_Type your answer here" not in sources and "# BEGIN SOLUTION" in sources


def test_the_folder_gives_the_same_points_and_split(tmp_path):
    report, root = _import(tmp_path / "d", FOLDER)
    _, master = _import(tmp_path / "m", MASTER)
    assert _checks(root) == _checks(master)
    assert load_assignment(root).all_or_nothing("q3")
    assert "run_exception_case" in (root / "tests/hidden/test_q4.py").read_text()
    assert any("no solution markers" in n.text for n in report.notes)


def test_every_check_file_collects(tmp_path):
    _, root = _import(tmp_path, MASTER)
    _, folder = _import(tmp_path, FOLDER, name="d")
    out = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", "--import-mode=importlib",
         str(root / "tests"), str(folder / "tests")],
        capture_output=True, text=True, cwd=tmp_path, check=False,
    )  # fmt: skip
    assert out.returncode == 0, out.stdout + out.stderr
    assert "22 tests collected" in out.stdout


def test_each_check_cell_becomes_a_checkpoint_its_question_s_checks_wait_for(tmp_path):
    report, root = _import(tmp_path, MASTER)
    assert report.notes == ()  # q4's later rebinding of mean_score is no longer a difference
    cells = [c.source for c in nbformat.read(root / f"{root.name}.ipynb", as_version=4).cells]
    marks = [c.split("\n")[0] for c in cells if c.startswith("# CHECK:")]
    assert marks == ["# CHECK: q1", "# CHECK: q2", "# CHECK: q3", "# CHECK: q4"]
    rebinds = next(
        i
        for i, c in enumerate(cells)
        if "mean_score = " in c
        and "CHECK" not in c
        and i > cells.index(next(c for c in cells if c.startswith("# CHECK: q4")))
    )
    assert rebinds  # the provided cell that rebinds mean_score comes after q4's checkpoint
    assert "pytest.mark.after_cell('q4')" in (root / "tests/public/test_q4.py").read_text()


# ------------------------------------------------------------------ rules of otter


def test_points_resolve_as_otter_does():
    assert case_points(2, [None, None, None], "x") == pytest.approx([2 / 3] * 3)
    assert case_points([1, 1, 2], [None] * 3, "x") == [1, 1, 2]
    assert case_points(3, [2, None, None], "x") == [2, 0.5, 0.5]
    assert case_points(None, [None, None], "x") == [0.5, 0.5]
    assert case_points(None, [1, None], "x") == [1, 0.0]
    assert case_points({"each": 2}, [None, None], "x") == [2, 2]
    with pytest.raises(AssignmentError, match="lists 2 values for 3 tests"):
        case_points([1, 1], [None] * 3, "x")


def test_an_ok_case_without_hidden_is_hidden_and_an_exception_case_is_public():
    ok = read_test_file("test = {'name': 'q', 'points': 1, 'suites': [{'cases': "
                        "[{'code': '>>> 1\\n1'}], 'type': 'doctest'}]}", "t.py")  # fmt: skip
    assert ok.cases[0].hidden and ok.cases[0].name == "q - 1"
    exc = read_test_file(
        "from otter.test_files import test_case\nOK_FORMAT = False\nname = 'q'\n"
        "@test_case()\ndef a(x):\n    assert x\n",
        "t.py",
    )
    assert not exc.cases[0].hidden and exc.cases[0].points == 1.0


def test_the_yaml_subset_reads_otter_configs_and_refuses_the_rest():
    text = "name: q2\npoints:\n    - 1\n    - 1.5\nmanual: false  # c\nfiles: [a.csv, 'b c']\n"
    assert yaml_subset(text, "w") == {
        "name": "q2", "points": [1, 1.5], "manual": False, "files": ["a.csv", "b c"]
    }  # fmt: skip
    assert yaml_subset("generate:\n  pdf: true\n  seed: {each: 2}\n", "w") == {
        "generate": {"pdf": True, "seed": {"each": 2}}
    }
    with pytest.raises(AssignmentError, match="line 1: unsupported YAML"):
        yaml_subset("text: |\n  a\n", "w")


# ------------------------------------------------------------------ the check helpers


class FakeNotebook:
    """The student's globals reached as the bridge does: functions as proxies, values copied;
    a value that cannot travel as data (a function, a module, a class) raises as nb[...] does."""

    def __init__(self, **values):
        self.values = values

    def __contains__(self, name):
        return name in self.values

    def __getitem__(self, name):
        value = self.values[name]
        if callable(value) or type(value).__name__ == "module":
            raise ValueError(f"{name} cannot travel as data")
        return copy.deepcopy(value)

    def function(self, name):
        return lambda *a, **k: self.values[name](*a, **k)

    def eval(self, expression, **inputs):
        return eval(expression, dict(self.values) | inputs)


def test_a_doctest_compares_output_in_the_check_process():
    patched = type(np)("numpy")
    patched.allclose = lambda *a, **k: True  # the student's patched numpy stays in the kernel
    nb = FakeNotebook(np=patched, standardize=lambda x: x, scores={"hours": [1.0, 2.0]})
    with pytest.raises(AssertionError, match="expected:\nTrue\ngot:\nFalse"):
        run_doctest_case(
            nb, "q1 - 1", ">>> bool(np.allclose(standardize([1.0, 3.0]), [-1, 1]))\nTrue"
        )
    nb.values["standardize"] = lambda x: np.asarray(x) - 2.0
    run_doctest_case(nb, "q1 - 1", ">>> bool(np.allclose(standardize([1.0, 3.0]), [-1, 1]))\nTrue")


def test_doctest_uses_otter_s_option_flags_and_hides_a_hidden_case_s_source():
    nb = FakeNotebook(count=lambda: {"tp": 1})
    run_doctest_case(nb, "c", ">>> count()['tp'] == 1\n1")  # True for 1: flags 0, as otter
    with pytest.raises(AssertionError) as info:
        run_doctest_case(nb, "c", ">>> count()['tp'] + 41  # secret\n0", hidden=True)
    assert str(info.value) == "c: expected:\n0\ngot:\n42"
    with pytest.raises(AssertionError, match=r"failed example:\n    count\(\)\['tp'\] \+ 1"):
        run_doctest_case(nb, "c", ">>> count()['tp'] + 1\n3")


def test_a_class_of_the_notebook_recognises_an_estimator_that_came_as_data():
    from sklearn.linear_model import LinearRegression, LogisticRegression

    clf = EstimatorData("sklearn.linear_model._logistic", "LogisticRegression", {}, {})
    nb = FakeNotebook(clf=clf, LogisticRegression=LogisticRegression)
    run_doctest_case(nb, "q2 - 1", ">>> isinstance(clf, LogisticRegression)\nTrue")
    assert not isinstance(clf, ClassStandIn(LinearRegression))
    with pytest.raises(AssertionError, match="NameError"):
        run_doctest_case(FakeNotebook(), "q", ">>> isinstance(clf, LogisticRegression)\nTrue")


def test_an_exception_case_gets_the_student_s_names_by_value_and_env():
    nb = FakeNotebook(mean_score=3.5, scores={"score": np.array([3.0, 4.0])})
    case = "@test_case(points=None, hidden=False)\ndef t(mean_score, missing):\n" \
           "    assert missing is None\n    assert isinstance(mean_score, float), 'float!'\n"  # fmt: skip
    run_exception_case(nb, "import numpy", case, "t")
    env_case = "def v(env):\n    assert abs(env['mean_score'] - env['scores']['score'].mean()) < 1e-9\n" \
               "    env['scores']['score'][0] = 0\n    assert 'nothing' not in env\n"  # fmt: skip
    run_exception_case(nb, "", env_case, "v")
    assert nb.values["scores"]["score"][0] == 3.0  # env holds copies
    nb.values["mean_score"] = np.array([1.0])
    with pytest.raises(AssertionError, match="float!"):
        run_exception_case(nb, "", case, "t")


# ------------------------------------------------------------------ errors and the CLI


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: _notebook(d / "plain.ipynb", "x = 1"), "not an otter master notebook"),
        (
            lambda d: _notebook(d / "m.ipynb", "# ASSIGNMENT CONFIG\nname: m", raw=True),
            "no questions",
        ),
        (lambda d: _zip(d / "a.zip", {"otter_config.json": "{}"}), r"not an otter autograder zip"),
        (lambda d: _folder(d, 2), "2 notebooks in"),
        (lambda d: _folder(d, 0, tests=False), "no tests/"),
    ],
)
def test_what_cannot_be_imported_is_refused_in_one_line(tmp_path, make, message):
    source = tmp_path / "src"
    source.mkdir()
    path = make(source)
    with pytest.raises(AssignmentError, match=message) as info:
        import_otter(path, tmp_path / "solutions", "x", None)
    assert "\n" not in str(info.value)


def test_an_existing_destination_is_not_overwritten(tmp_path):
    (tmp_path / "solutions" / "ml").mkdir(parents=True)
    (tmp_path / "solutions" / "ml" / "keep.txt").write_text("mine")
    with pytest.raises(AssignmentError, match="already exists"):
        import_otter(MASTER, tmp_path / "solutions", "ml", None)
    assert (tmp_path / "solutions" / "ml" / "keep.txt").read_text() == "mine"


def test_the_cli_prints_the_summary_and_the_notes(tmp_path):
    result = CliRunner().invoke(main, ["--course", str(tmp_path), "import", "otter", str(ZIP)])
    assert result.exit_code == 0, result.output
    assert "imported ml-otter: 1 notebook(s), 4 questions (0 manual), 11 checks" in result.output
    assert "manually graded" in result.output
    again = CliRunner().invoke(main, ["--course", str(tmp_path), "import", "otter", str(ZIP)])
    assert again.exit_code == 1 and "already exists" in again.output


def _notebook(path, source, raw=False):
    cell = nbformat.v4.new_raw_cell(source) if raw else nbformat.v4.new_code_cell(source)
    nbformat.write(nbformat.v4.new_notebook(cells=[cell]), path)
    return path


def _zip(path, members):
    with zipfile.ZipFile(path, "w") as zf:
        for name, text in members.items():
            zf.writestr(name, text)
    return path


def _folder(path, notebooks, tests=True):
    if tests:
        shutil.copytree(FOLDER / "tests", path / "tests")
    for i in range(notebooks):
        _notebook(path / f"n{i}.ipynb", "x = 1")
    return path


# ------------------------------------------------------------------ end to end (slow)

# Where we give another score than otter, on purpose:
# - mallory patched np.allclose/np.isclose in her kernel; our checks run in the check process,
#   so q1 is 0 (otter, fooled: 1.333);
# - finn: otter refuses the notebook (no otter metadata); we grade him like ada.
# q4 is checked at its check cell, before the provided cell rebinding mean_score (otter#890),
# as otter does; gia deleted that cell, so hers is checked at the end: 0 from both.
OURS_DIFFER = {("mallory-patches-numpy", "q1"): 0.0}


@pytest.mark.slow
def test_the_imported_course_releases_validates_and_grades_as_otter(tmp_path):
    grader = [str(Path(sys.executable).parent / "grader"), "--course", str(tmp_path)]
    env = {"PYTHONWARNINGS": "ignore", "GRADER_WARNINGS": "error", "PATH": "/usr/bin:/bin"}

    def run(*args):
        return subprocess.run(
            [*grader, *args], capture_output=True, text=True, env=env, check=False
        )

    assert run("import", "otter", str(MASTER)).returncode == 0
    released = run("release", "ml-otter")
    assert released.returncode == 0, released.stderr
    text = (tmp_path / "assignments/ml-otter/ml-otter.ipynb").read_text()
    assert "<!-- MANUAL: q5 -->" in text and "YOUR ANSWER HERE" in text
    validated = run("validate", "ml-otter")
    assert validated.returncode == 0, validated.stdout + validated.stderr
    # submissions/ holds <student>.ipynb files and ivan-zipped.zip: one row each
    graded = run("grade", "ml-otter", str(OTTER / "submissions"), "--format", "json")
    assert graded.returncode == 0, graded.stderr
    rows = json.loads(graded.stdout)
    results = {r["student"]: r for r in rows}
    assert sorted(r["student"] for r in rows) == sorted(EXPECTED["students"])
    for student, expected in EXPECTED["students"].items():
        ours = {q["name"]: q["score"] for q in results[student]["questions"]}
        # q5 (manual, 2 points) awaits a grader: not in the total's possible, never a 0 of 12
        (manual,) = [q for q in results[student]["questions"] if q["name"] == "q5"]
        assert results[student]["possible"] == 10
        assert manual["manual"] and manual["awaiting"] and manual["possible"] == 2
        like = EXPECTED["students"]["ada-correct"] if student == "finn-stripped" else expected
        for q in ("q1", "q2", "q3", "q4"):
            want = OURS_DIFFER.get((student, q), like["questions"][q])
            assert ours[q] == pytest.approx(want, abs=1e-5), (student, q)
