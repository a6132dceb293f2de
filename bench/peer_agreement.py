"""Grade the peer fixture courses with the real nbgrader and otter-grader, and with grader.

    python3 bench/peer_agreement.py [--write] [--rebuild] [--venvs /work/peer-venvs]

The fixtures are ``tests/fixtures/peers/`` (see its README.md): an nbgrader course
(``nbgrader/source/ml-basics/``, ``nbgrader/submitted/<student>/ml-basics/``) and an otter
course (master notebook, ``dist/autograder/ml-otter-autograder.zip``, ``folder/``,
``submissions/``). This script

1. makes the peers' venvs if they are missing (``VENVS/nbgrader``: ``nbgrader==0.9.*``;
   ``VENVS/otter``: ``otter-grader==7.*`` and ``ipykernel``; both with numpy, pandas and
   scikit-learn, from PyPI);
2. ``--rebuild``: regenerates the released forms with the tools themselves (``nbgrader
   generate_assignment``, ``otter assign`` on both master spellings, which must give the same
   tests) and reruns ``make.py`` so the submissions are made from them;
3. grades every submission with each tool: ``nbgrader autograde`` in a temporary course folder
   with its own gradebook, and ``otter run`` one submission at a time (``otter grade`` needs
   Docker), with the autograder zip that ``otter assign`` built and again with a zip that
   ``otter generate`` builds from the hand-written ``folder/tests/`` (the folder form must agree);
4. prints the per-question scores and compares them with ``tests/fixtures/peers/expected/``
   (``--write`` writes them there instead);
5. when ``grader import`` exists (``grader import --help`` exits 0), imports both courses with it,
   grades the same submissions with ``grader grade --format json`` and prints the per-question
   agreement; otherwise says that the grader column is skipped.

Its ratios (``bench/baseline.py``): the share of questions on which each peer gives the scores in
``expected/`` (and, with ``grader import``, grader agrees with the peer), 1.0 in the baseline
with no tolerance; ``--check`` fails on any change, and a peer whose scores differ from
``expected/`` (or that fails to run) fails the run in any case (exit 3).

Not a test: it installs packages and runs two other graders; never part of the test suite.
One notebook at a time (the machine is shared).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import baseline

ROOT = Path(__file__).resolve().parent.parent
PEERS = ROOT / "tests" / "fixtures" / "peers"
EXPECTED = PEERS / "expected"
NBG = PEERS / "nbgrader"
OTTER = PEERS / "otter"
AUTOGRADER_ZIP = OTTER / "dist" / "autograder" / "ml-otter-autograder.zip"
ASSIGNMENT = "ml-basics"
GRADER = ROOT / ".venv" / "bin" / "grader"
SPECS = {
    "nbgrader": ["nbgrader==0.9.*", "numpy", "pandas", "scikit-learn"],
    "otter": ["otter-grader==7.*", "ipykernel", "numpy", "pandas", "scikit-learn"],
}
# Points a tool may differ by and still agree (floating point: otter splits 2 points in thirds).
TOLERANCE = 1e-6


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def run(
    cmd: list[str], venv: Path | None = None, cwd: Path | None = None, check: bool = True
) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if venv is not None:  # the tools call their own console scripts (nbgrader needs alembic)
        env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
        env["VIRTUAL_ENV"] = str(venv)
        env["JUPYTER_PATH"] = str(venv / "share" / "jupyter")
        env.pop("JUPYTER_CONFIG_DIR", None)
    result = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    if check and result.returncode != 0:
        raise baseline.fail(
            f"{' '.join(cmd)} failed ({result.returncode}):\n"
            f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
        )
    return result


# --- the peers' venvs ---------------------------------------------------------------------------


def ensure_venv(venvs: Path, name: str) -> Path:
    venv = venvs / name
    tool = venv / "bin" / ("nbgrader" if name == "nbgrader" else "otter")
    kernel_ok = (venv / "bin" / "python").exists() and run(
        [str(venv / "bin" / "python"), "-c", "import ipykernel"], check=False
    ).returncode == 0
    if tool.exists() and kernel_ok:
        return venv
    log(f"making {venv} ({' '.join(SPECS[name])})")
    venvs.mkdir(parents=True, exist_ok=True)
    if not (venv / "bin" / "python").exists():
        run([sys.executable, "-m", "venv", str(venv)])
    run([str(venv / "bin" / "pip"), "install", "-q", *SPECS[name]])
    return venv


def versions(nbg_venv: Path, otter_venv: Path) -> dict[str, str]:
    """The versions as the tools print them."""
    nbg = run([str(nbg_venv / "bin" / "nbgrader"), "--version"], nbg_venv).stdout
    otter = run([str(otter_venv / "bin" / "otter"), "--version"], otter_venv).stdout
    pip_nbg = run([str(nbg_venv / "bin" / "pip"), "list", "--format=json"], nbg_venv).stdout
    pip_otter = run([str(otter_venv / "bin" / "pip"), "list", "--format=json"], otter_venv).stdout

    def pick(listing: str, names: tuple[str, ...]) -> str:
        found = {p["name"].lower(): p["version"] for p in json.loads(listing)}
        return ", ".join(f"{n} {found[n]}" for n in names if n in found)

    libs = ("numpy", "pandas", "scikit-learn", "ipykernel", "nbconvert", "nbclient")
    return {
        "nbgrader": " ".join(line.strip() for line in nbg.splitlines() if "version" in line),
        "nbgrader_libraries": pick(pip_nbg, libs),
        "otter": " ".join(
            line.strip()
            for line in otter.splitlines()
            if "Otter-Grader version" in line or "Python version" in line
        ),
        "otter_libraries": pick(pip_otter, libs),
    }


# --- rebuilding the released forms with the tools ------------------------------------------------


OTTER_TEMPLATES = (
    "run_autograder",
    "run_otter.py",
    "setup.sh",
    "environment.yml",
    "requirements.txt",
)
"""Files of otter's own templates in the zips it builds: not ours to commit."""


def fixture_zip(built: Path, dest: Path) -> None:
    """Copy an autograder zip, otter's template scripts replaced by a one-line stub each.

    The structure stays as otter builds it (what ``grader import otter`` must read); the
    stubs keep otter's own code out of the repository. ``otter run`` reads only the tests,
    ``otter_config.json`` and ``files/``.
    """
    stub = b"# written by otter assign from otter's own template; left out of this fixture\n"
    with zipfile.ZipFile(built) as src, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = stub if info.filename in OTTER_TEMPLATES else src.read(info)
            out.writestr(info, data)


def rebuild(nbg_venv: Path, otter_venv: Path) -> None:
    python = str(nbg_venv / "bin" / "python")  # has nbformat
    run([python, str(PEERS / "make.py")])
    with tempfile.TemporaryDirectory(prefix="peer-nbgrader-") as tmp:
        course = Path(tmp)
        shutil.copy(NBG / "nbgrader_config.py", course)
        shutil.copytree(NBG / "source", course / "source")
        run(["nbgrader", "generate_assignment", ASSIGNMENT, "--force"], nbg_venv, course)
        shutil.rmtree(NBG / "release", ignore_errors=True)
        shutil.copytree(course / "release", NBG / "release")
        log("nbgrader generate_assignment: release/ rewritten")
    built = {}
    for master in ("ml-otter.ipynb", "ml-otter-fenced.ipynb"):
        with tempfile.TemporaryDirectory(prefix="peer-otter-") as tmp:
            work = Path(tmp)
            shutil.copy(OTTER / master, work)
            shutil.copytree(OTTER / "data", work / "data")
            out = run(["otter", "assign", "-v", master, "dist"], otter_venv, work)
            if "All autograder tests passed" not in out.stdout + out.stderr:
                raise baseline.fail(f"otter assign {master}: the solution does not pass its tests")
            (zip_path,) = (work / "dist" / "autograder").glob("*.zip")
            with zipfile.ZipFile(zip_path) as zf:
                built[master] = {n: zf.read(n) for n in zf.namelist() if n.startswith("tests/")}
            if master == "ml-otter.ipynb":
                dist = OTTER / "dist"
                shutil.rmtree(dist, ignore_errors=True)
                shutil.copytree(work / "dist" / "student", dist / "student")
                (dist / "autograder").mkdir()
                for name in ("ml-otter.ipynb", "otter_config.json"):
                    shutil.copy(work / "dist" / "autograder" / name, dist / "autograder" / name)
                shutil.copytree(work / "dist" / "autograder" / "data", dist / "autograder" / "data")
                fixture_zip(zip_path, AUTOGRADER_ZIP)
    if built["ml-otter.ipynb"] != built["ml-otter-fenced.ipynb"]:
        raise baseline.fail("the raw-cell and the fenced master gave different tests")
    log("otter assign: dist/ rewritten; both master spellings give the same tests")
    run([python, str(PEERS / "make.py")])


# --- nbgrader ------------------------------------------------------------------------------------

READ_GRADEBOOK = r"""
import json, sys
from nbgrader.api import Gradebook
out = {}
with Gradebook(sys.argv[1]) as gb:
    for student in sys.argv[3:]:
        sub = gb.find_submission(sys.argv[2], student)
        grades, possible, manual = {}, {}, []
        for nb in sub.notebooks:
            for grade in nb.grades:
                key = f"{nb.name}/{grade.name}"
                possible[key] = grade.max_score
                if grade.auto_score is None and grade.manual_score is None:
                    grades[key] = "manual"
                else:
                    grades[key] = grade.score
                if grade.needs_manual_grade:
                    manual.append(key)
        out[student] = {"questions": grades, "possible_by_question": possible,
                        "total": sub.score, "possible": sub.max_score,
                        "needs_manual_grade": sorted(manual)}
print(json.dumps(out))
"""


def grade_nbgrader(venv: Path) -> dict[str, Any]:
    students = sorted(p.name for p in (NBG / "submitted").iterdir() if p.is_dir())
    with tempfile.TemporaryDirectory(prefix="peer-nbgrader-") as tmp:
        course = Path(tmp)
        shutil.copy(NBG / "nbgrader_config.py", course)
        shutil.copytree(NBG / "source", course / "source")
        shutil.copytree(NBG / "submitted", course / "submitted")
        setup = ["nbgrader", "generate_assignment", ASSIGNMENT, "--force"]
        log(f"{course}$ {' '.join(setup)}")
        run(setup, venv, course)
        warnings = {}
        for student in students:  # one at a time, to tell whose warnings are whose
            cmd = ["nbgrader", "autograde", ASSIGNMENT, "--student", student, "--force"]
            log(f"{course}$ {' '.join(cmd)}")
            result = run(cmd, venv, course)
            warnings[student] = [
                line.split("] ", 1)[-1].replace(str(course), "COURSE")
                for line in result.stderr.splitlines()
                if ("WARNING" in line or "ERROR" in line) and "over TCP" not in line
            ]
        db = f"sqlite:///{course / 'gradebook.db'}"
        out = run(
            [str(venv / "bin" / "python"), "-c", READ_GRADEBOOK, db, ASSIGNMENT, *students],
            venv,
            course,
        ).stdout
    scores = json.loads(out)
    for student, result in scores.items():
        result["autograde_warnings"] = warnings[student]
    commands = [
        " ".join(setup),
        f"nbgrader autograde {ASSIGNMENT} --student STUDENT --force (each student)",
    ]
    return {"commands": commands, "students": scores}


# --- otter ---------------------------------------------------------------------------------------

READ_PICKLE = r"""
import json, sys, dill
with open(sys.argv[1], "rb") as f:
    results = dill.load(f)
out = {}
for name, tf in results.results.items():
    out[name] = {"score": tf.score, "possible": tf.possible, "all_or_nothing": tf.all_or_nothing,
                 "cases": [{"name": r.test_case.name, "hidden": r.test_case.hidden,
                            "points": r.test_case.points, "passed": r.passed}
                           for r in tf.test_case_results]}
print(json.dumps(out))
"""


def manual_questions(master: Path) -> dict[str, float]:
    """Manual questions and their points, from the master notebook's raw question cells."""
    nb = json.loads(master.read_text(encoding="utf-8"))
    manual = {}
    for cell in nb["cells"]:
        source = "".join(cell["source"])
        if cell["cell_type"] != "raw" or not source.startswith("# BEGIN QUESTION"):
            continue
        config = dict(line.split(":", 1) for line in source.splitlines()[1:] if ":" in line)
        config = {k.strip(): v.strip() for k, v in config.items()}
        if config.get("manual") == "true":
            manual[config["name"]] = float(config.get("points", "0"))
    return manual


def otter_run(venv: Path, autograder: Path, submission: Path, name: str | None) -> dict[str, Any]:
    """``otter run`` on one submission; ``name``: the file name to give a notebook first."""
    with tempfile.TemporaryDirectory(prefix="peer-otter-") as tmp:
        out = Path(tmp) / "out"
        out.mkdir()
        if name is not None and submission.suffix == ".ipynb":
            (Path(tmp) / "in").mkdir()
            submission = Path(shutil.copy(submission, Path(tmp) / "in" / name))
        cmd = [
            "otter",
            "run",
            "-a",
            str(autograder),
            "-o",
            str(out),
            "-p",
            "--no-logo",
            str(submission),
        ]
        result = run(cmd, venv, out, check=False)
        gradescope = (
            json.loads((out / "results.json").read_text())
            if (out / "results.json").exists()
            else None
        )
        cases = None
        if (out / "results.pkl").exists():
            cases = json.loads(
                run(
                    [str(venv / "bin" / "python"), "-c", READ_PICKLE, str(out / "results.pkl")],
                    venv,
                    out,
                ).stdout
            )
    error = None
    if result.returncode != 0:
        lines = [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]
        error = lines[-1] if lines else f"exit {result.returncode}"
    return {"gradescope": gradescope, "cases": cases, "error": error}


def questions_of(
    got: dict[str, Any], manual: dict[str, float]
) -> tuple[dict[str, Any], float, float]:
    questions: dict[str, Any] = {}
    total = possible = 0.0
    for name, result in (got["cases"] or {}).items():
        questions[name] = round(result["score"], 6)
        total += result["score"]
        possible += result["possible"]
    for name in manual:
        questions[name] = "manual"
    return dict(sorted(questions.items())), round(total, 6), round(possible, 6)


def grade_otter(venv: Path, autograder: Path, as_named: bool = True) -> dict[str, Any]:
    """Every submission as the student would upload it (the notebook named ``ml-otter.ipynb``,
    the name its ``otter.Notebook("ml-otter.ipynb")`` cell reads); ``as_named``: also graded
    under its file name in ``submissions/`` (``<student>.ipynb``)."""
    manual = manual_questions(OTTER / "ml-otter.ipynb")
    students = {}
    for submission in sorted((OTTER / "submissions").iterdir()):
        student = submission.stem
        log(f"otter run -a {autograder.name} {submission.name} (as ml-otter.ipynb)")
        got = otter_run(venv, autograder, submission, "ml-otter.ipynb")
        questions, total, possible = questions_of(got, manual)
        gradescope = got["gradescope"] or {}
        students[student] = {
            "questions": questions,
            "total": total,
            "possible": possible,
            "gradescope_score": gradescope.get("score"),
            "cases": got["cases"],
            "error": got["error"],
        }
        if as_named and submission.suffix == ".ipynb":
            log(f"otter run -a {autograder.name} {submission.name}")
            named = otter_run(venv, autograder, submission, None)
            students[student]["as_named_file"] = {
                "questions": questions_of(named, manual)[0],
                "total": questions_of(named, manual)[1],
                "error": named["error"],
            }
    return {"manual": manual, "students": students}


def build_folder_autograder(venv: Path, work: Path) -> Path:
    """``otter generate`` from the hand-written folder form's tests/ (and its data)."""
    folder = work / "folder"
    shutil.copytree(OTTER / "folder", folder)
    zip_path = work / "folder-autograder.zip"
    run(["otter", "generate", "-t", "tests", "-o", str(zip_path), "data/scores.csv"], venv, folder)
    return zip_path


# --- grader --------------------------------------------------------------------------------------


def grader_available() -> bool:
    if not GRADER.exists():
        return False
    return run([str(GRADER), "import", "--help"], check=False).returncode == 0


def grade_with_grader(kind: str) -> dict[str, dict[str, Any]]:
    """Import one peer course with ``grader import`` and grade its submissions; per student, the
    points of each question by the name it had in the peer (``problem1/test_x`` or ``q1``)."""
    with tempfile.TemporaryDirectory(prefix="peer-grader-") as tmp:
        course = Path(tmp)
        if kind == "nbgrader":
            run(
                [
                    str(GRADER),
                    "--course",
                    str(course),
                    "import",
                    "nbgrader",
                    str(NBG / "source" / ASSIGNMENT),
                    "--name",
                    ASSIGNMENT,
                ]
            )
            name, submissions = ASSIGNMENT, [str(p) for p in sorted((NBG / "submitted").iterdir())]
        else:
            run(
                [
                    str(GRADER),
                    "--course",
                    str(course),
                    "import",
                    "otter",
                    str(OTTER / "ml-otter.ipynb"),
                    "--name",
                    "ml-otter",
                ]
            )
            name, submissions = "ml-otter", [str(OTTER / "submissions")]
        result = run(
            [
                str(GRADER),
                "--course",
                str(course),
                "grade",
                name,
                *submissions,
                "--jobs",
                "1",
                "--format",
                "json",
            ],
            check=False,
        )
        if result.returncode not in (0, 3, 4):
            raise baseline.fail(f"grader grade exited {result.returncode}: {result.stderr[-2000:]}")
    out: dict[str, dict[str, Any]] = {}
    for row in json.loads(result.stdout):
        questions: dict[str, Any] = {}
        for q in row.get("questions") or ():
            questions[q["name"]] = "manual" if q.get("awaiting") else q.get("score")
        out[row["student"]] = questions
    return out


def agreement(peer: dict[str, Any], ours: dict[str, dict[str, Any]]) -> tuple[int, int, list[str]]:
    agree = total = 0
    misses = []
    for student, result in peer["students"].items():
        got = ours.get(student, {})
        for question, want in result["questions"].items():
            short = question.split("/")[-1]
            candidates = [question, short, short.removeprefix("test_")]
            have = next((got[c] for c in candidates if c in got), "missing")
            same = (
                (have == want)
                if isinstance(want, str) or isinstance(have, str)
                else abs(float(have) - float(want)) <= TOLERANCE
            )
            total += 1
            agree += same
            if not same:
                misses.append(f"{student} {question}: peer {want}, grader {have}")
    return agree, total, misses


# --- main ----------------------------------------------------------------------------------------


def table(title: str, students: dict[str, Any]) -> str:
    questions = sorted({q for s in students.values() for q in s["questions"]})
    short = [q.split("/")[-1].replace("test_", "")[:12] for q in questions]
    lines = [title, f"{'student':24}" + "".join(f"{s:>13}" for s in short) + f"{'total':>9}"]
    for student, result in students.items():
        cells = []
        for q in questions:
            v = result["questions"].get(q, "-")
            cells.append(f"{v:>13}" if isinstance(v, str) else f"{v:>13.3g}")
        lines.append(f"{student:24}" + "".join(cells) + f"{result['total']:>9.3g}")
    return "\n".join(lines)


def compare(name: str, got: dict[str, Any]) -> float:
    """The share of expected questions (every student's) on which ``got`` gives the same score."""
    path = EXPECTED / f"{name}.json"
    if not path.exists():
        log(f"{path} does not exist yet (run with --write)")
        return 0.0
    want = json.loads(path.read_text())
    same = total = 0
    for student, expected in want["students"].items():
        result = got["students"].get(student, {}).get("questions", {})
        for question, score in expected["questions"].items():
            total += 1
            same += result.get(question, "missing") == score
        if result != expected["questions"]:
            log(f"{name}: {student} differs from {path.name}: {result} vs {expected['questions']}")
    return same / total if total else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--venvs", type=Path, default=Path("/work/peer-venvs"))
    parser.add_argument("--write", action="store_true", help="write expected/*.json")
    parser.add_argument(
        "--rebuild",
        action="store_true",
        help="regenerate release/ and dist/ with the tools, then the submissions",
    )
    baseline.add_arguments(parser)
    args = parser.parse_args()
    bench = baseline.Run("peer_agreement", args, settings={})

    nbg_venv = ensure_venv(args.venvs, "nbgrader")
    otter_venv = ensure_venv(args.venvs, "otter")
    tools = versions(nbg_venv, otter_venv)
    for key, value in tools.items():
        log(f"{key}: {value}")
    if args.rebuild:
        rebuild(nbg_venv, otter_venv)

    students = json.loads((PEERS / "students.json").read_text())
    nbg = grade_nbgrader(nbg_venv)
    otter = grade_otter(otter_venv, AUTOGRADER_ZIP)
    with tempfile.TemporaryDirectory(prefix="peer-otter-folder-") as tmp:
        folder_zip = build_folder_autograder(otter_venv, Path(tmp))
        folder = grade_otter(otter_venv, folder_zip, as_named=False)
    folder_diff = [
        f"{s}: master zip {r['questions']} vs folder form {folder['students'][s]['questions']}"
        for s, r in otter["students"].items()
        if any(
            isinstance(v, float)
            and abs(v - folder["students"][s]["questions"].get(q, -1)) > TOLERANCE
            for q, v in r["questions"].items()
        )
    ]

    nbg_doc = {
        "tool": tools["nbgrader"],
        "libraries": tools["nbgrader_libraries"],
        "assignment": ASSIGNMENT,
        "commands": nbg["commands"],
        "students": {
            s: {
                **r,
                "what": students["nbgrader"][s]["what"],
                "peer_fooled": students["nbgrader"][s]["peer_fooled"],
            }
            for s, r in nbg["students"].items()
        },
    }
    otter_doc = {
        "tool": tools["otter"],
        "libraries": tools["otter_libraries"],
        "autograder": str(AUTOGRADER_ZIP.relative_to(ROOT)),
        "commands": [
            "otter run -a ml-otter-autograder.zip -o OUT -p --no-logo DIR/ml-otter.ipynb "
            "(each submission copied to the released file name; zips as they are; one at a "
            "time: otter grade needs Docker)",
            "as_named_file: otter run -a ml-otter-autograder.zip -o OUT -p --no-logo "
            "submissions/STUDENT.ipynb",
        ],
        "manual": otter["manual"],
        "folder_form_agrees": not folder_diff,
        "students": {
            s: {
                **r,
                "what": students["otter"][s]["what"],
                "peer_fooled": students["otter"][s]["peer_fooled"],
            }
            for s, r in otter["students"].items()
        },
    }
    print(table(f"nbgrader ({tools['nbgrader']})", nbg_doc["students"]))
    print()
    print(table(f"otter ({tools['otter']})", otter_doc["students"]))
    print()
    print(
        "otter folder form (otter generate from folder/tests/):",
        "agrees with the master's autograder zip" if not folder_diff else "DIFFERS",
    )
    for line in folder_diff:
        print("  " + line)

    share: dict[str, float] = {}
    if args.write:
        EXPECTED.mkdir(parents=True, exist_ok=True)
        for name, doc in (("nbgrader", nbg_doc), ("otter", otter_doc)):
            (EXPECTED / f"{name}.json").write_text(json.dumps(doc, indent=2) + "\n")
            log(f"wrote {EXPECTED / (name + '.json')}")
    else:
        share = {
            name: compare(name, doc) for name, doc in (("nbgrader", nbg_doc), ("otter", otter_doc))
        }
        same = all(v == 1.0 for v in share.values())
        print("peer scores match expected/*.json" if same else "peer scores DIFFER from expected/")
    ratios = [
        baseline.Ratio(
            f"{name}_as_expected",
            value,
            "lower",
            0.0,
            f"share of expected/{name}.json's questions {name} scores the same",
        )
        for name, value in share.items()
    ]
    students = otter_doc["students"]
    ratios.append(
        baseline.Ratio(
            "otter_folder_form_agrees",
            1 - len(folder_diff) / max(len(students), 1),
            "lower",
            0.0,
            "share of students whose otter folder-form zip scores agree with the master's zip",
        )
    )

    print()
    if not grader_available():
        print("grader column skipped: `grader import --help` fails (grader import is not written)")
    else:
        for name, doc in (("nbgrader", nbg_doc), ("otter", otter_doc)):
            ours = grade_with_grader(name)
            honest = {
                "students": {s: r for s, r in doc["students"].items() if not r["peer_fooled"]}
            }
            agree, total, misses = agreement(honest, ours)
            print(
                f"grader vs {name}: {agree}/{total} questions agree "
                f"({100 * agree / max(total, 1):.1f}%), students the peer is fooled by left out"
            )
            for line in misses:
                print("  " + line)
            ratios.append(
                baseline.Ratio(
                    f"grader_agrees_with_{name}",
                    agree / max(total, 1),
                    "lower",
                    0.0,
                    f"share of {name}'s questions grader scores the same (students the peer is "
                    "fooled by left out)",
                )
            )
    if not args.write:
        if not all(v == 1.0 for v in share.values()):
            raise baseline.fail("peer scores differ from tests/fixtures/peers/expected/ (above)")
        bench.finish(
            ratios,
            "the peer fixture courses (tests/fixtures/peers/), 10 students each",
            note="Shares of questions scored alike, not timings: the same on a loaded machine"
            " as on a quiet one, so no tolerance (any change is a regression).",
        )


if __name__ == "__main__":
    main()
