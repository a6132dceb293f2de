"""`grader export NAME --to csv|canvas|gradescope`, end to end.

The Gradescope autograder is run as Gradescope would run it, against a fake /autograder tree
in a temporary folder, with this environment's grader in place of what setup.sh installs.
"""

import csv
import io
import json
import os
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import NOTEBOOKS, run_grader

LATE = "\n[late]\ndeadline = 2026-01-10T12:00:00Z\npenalty_per_day = 0.10\n"
SPEC = "grader @ git+https://example.org/course/grader.git@v1"


@pytest.fixture
def late_course(course):
    toml = course / "solutions" / "mini" / "assignment.toml"
    toml.write_text(toml.read_text() + LATE)
    return course


@pytest.mark.slow
def test_csv_and_canvas_from_the_gradebook(late_course, tmp_path):
    cohort = tmp_path / "cohort"
    for student, notebook in [("ada", "correct"), ("ben", "partially-correct"),
                              ("zed", "unreadable-json")]:  # fmt: skip
        (cohort / student).mkdir(parents=True)
        shutil.copy(NOTEBOOKS / "mini" / f"{notebook}.ipynb", cohort / student / "mini.ipynb")
    (cohort / "ada" / "timestamp.txt").write_text("2026-01-11 12:30:00 UTC")  # 2 started days
    graded = run_grader("--course", str(late_course), "grade", "mini", str(cohort))
    assert graded.returncode == 0, graded.stderr

    done = run_grader("--course", str(late_course), "export", "mini", "--to", "csv")
    assert done.returncode == 0, done.stderr
    path = late_course / "reports" / "mini" / "mini-grades.csv"
    assert f"wrote {path}" in done.stdout
    rows = {r["student"]: r for r in csv.DictReader(io.StringIO(path.read_text()))}
    assert set(rows) == {"ada", "ben", "zed"}
    ada, ben, zed = rows["ada"], rows["ben"], rows["zed"]
    assert (ada["total"], ada["score_before_penalty"], ada["late_penalty"]) == ("4.4", "5.5", "1.1")
    assert (ada["days_late"], ada["submitted_at"], ada["percent"]) == (
        "2",
        "2026-01-11T12:30:00Z",
        "80.00",
    )
    assert (ben["total"], ben["q1"], ben["q2"], ben["late_penalty"]) == ("3", "3", "0", "0")
    assert zed["gradable"] == "false" and zed["reason"] and zed["q1"] == ""

    done = run_grader("--course", str(late_course), "export", "mini", "--to", "canvas",
                      "--output", "-", "--canvas-id", "4711")  # fmt: skip
    assert done.returncode == 0, done.stderr
    table = list(csv.reader(io.StringIO(done.stdout)))
    assert table[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Mini (4711)"]
    assert table[1] == ["Points Possible", "", "", "", "", "5.5"]
    assert table[2:] == [["ada", "", "", "ada", "", "4.4"], ["ben", "", "", "ben", "", "3"],
                         ["zed", "", "", "zed", "", ""]]  # fmt: skip


def test_export_without_a_gradebook_says_so(course):
    done = run_grader("--course", str(course), "export", "mini", "--to", "canvas")
    assert done.returncode == 1
    assert done.stderr.startswith("grader: error: no gradebook at") and "grade mini" in done.stderr
    assert not (course / "reports" / "mini" / "gradebook.sqlite").exists()


def build_autograder(course, tmp_path):
    archive = tmp_path / "autograder.zip"
    done = run_grader("--course", str(course), "export", "mini", "--to", "gradescope",
                      "--output", str(archive), "--install", SPEC)  # fmt: skip
    assert done.returncode == 0, done.stderr
    return archive


def test_autograder_zip_holds_scripts_checks_and_no_solution(course, tmp_path):
    archive = build_autograder(course, tmp_path)
    with zipfile.ZipFile(archive) as zf:
        infos = {i.filename: i for i in zf.infolist()}
        setup = zf.read("setup.sh").decode()
    assert "solutions/mini/tests/hidden/test_q2.py" in infos
    assert "solutions/mini/tests/hidden/data/factor.txt" in infos
    assert "solutions/mini/data/points.csv" in infos
    assert not any(name.endswith(".ipynb") for name in infos)  # no solution notebook
    for script in ("setup.sh", "run_autograder"):
        assert stat.S_IMODE(infos[script].external_attr >> 16) == 0o755
    assert f"pip install '{SPEC}'" in setup
    for script in ("setup.sh", "run_autograder"):
        extracted = tmp_path / script
        extracted.write_bytes(zipfile.ZipFile(archive).read(script))
        assert subprocess.run(["bash", "-n", str(extracted)]).returncode == 0


def run_autograder(root):
    env = {**os.environ, "GRADER_AUTOGRADER_ROOT": str(root), "PYTHONWARNINGS": "ignore",
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}  # fmt: skip
    env.pop("GITHUB_STEP_SUMMARY", None)
    done = subprocess.run([str(root / "source" / "run_autograder")], cwd=root, env=env,
                          capture_output=True, text=True, timeout=600)  # fmt: skip
    assert done.returncode == 0, done.stderr
    return json.loads((root / "results" / "results.json").read_text()), done


@pytest.mark.slow
def test_run_autograder_writes_gradescope_results(late_course, tmp_path):
    archive = build_autograder(late_course, tmp_path)
    root = tmp_path / "autograder"
    with zipfile.ZipFile(archive) as zf:
        zf.extractall(root / "source")
    (root / "source" / "run_autograder").chmod(0o755)  # extractall drops the mode bits
    (root / "submission").mkdir()

    # Nothing submitted: a results.json that says what to do.
    results, _ = run_autograder(root)
    assert results["score"] == 0 and "Submit one notebook, named mini.ipynb" in results["output"]

    # A correct notebook submitted an hour late (Gradescope's time): full marks minus 10%.
    shutil.copy(NOTEBOOKS / "mini" / "correct.ipynb", root / "submission" / "whatever.ipynb")
    (root / "submission_metadata.json").write_text(
        json.dumps({"created_at": "2026-01-10T05:00:00.000000-08:00", "users": []})
    )
    results, _ = run_autograder(root)
    assert results["score"] == 4.95
    names = {t["name"]: t for t in results["tests"]}
    assert names["Late penalty"]["score"] == -0.55
    checks = [t for n, t in names.items() if n != "Late penalty"]
    assert {t["status"] for t in checks} == {"passed"} and sum(
        t["max_score"] for t in checks
    ) == 5.5
    assert {t["visibility"] for t in checks} == {"visible", "after_published"}
    assert "np.testing" not in json.dumps(results)
