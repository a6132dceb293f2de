"""`grader ci init`: the workflow parses, runs on push, and its commands work.

The workflow's `run:` steps are executed here, in a temporary student repository (the
released assignment), as GitHub's runner would execute them: bash -eo pipefail, the
workflow's and the step's environment. Only the install steps are replaced (the grader of this
environment is on PATH instead), and `uses:` steps (checkout, setup-python) are not run.
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import NOTEBOOKS, run_grader

SPEC = "grader @ git+https://example.org/course/grader.git@v1"


def init(course, *args):
    dest = course / "grade.yml"
    done = run_grader("--course", str(course), "ci", "init", "mini", "--output", str(dest),
                      "--install", SPEC, *args)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert f"wrote {dest}" in done.stdout
    return yaml.safe_load(dest.read_text())


def test_workflow_is_valid_yaml_that_grades_on_push(course):
    workflow = init(course, "--fail-under", "60")
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert "push" in triggers
    assert workflow["env"] == {"ASSIGNMENT": "mini", "NOTEBOOK": "assignments/mini/mini.ipynb",
                               "GRADER_INSTALL": SPEC, "FAIL_UNDER": "60"}  # fmt: skip
    steps = workflow["jobs"]["grade"]["steps"]
    uses = [s["uses"].split("@")[0] for s in steps if "uses" in s]
    assert uses[:2] == ["actions/checkout", "actions/setup-python"]
    assert steps[1]["with"]["python-version"] == "3.11"
    by_id = {s.get("id"): s for s in steps}
    assert "apt-get install -y bubblewrap" in by_id["install-bubblewrap"]["run"]
    assert by_id["install-grader"]["run"] == 'python -m pip install "$GRADER_INSTALL"'
    assert "--format md" in by_id["grade"]["run"]
    assert "${{" not in by_id["grade"]["run"]  # values reach the script only through env


def test_odd_values_stay_strings(course):
    workflow = init(course)
    assert workflow["env"]["FAIL_UNDER"] == ""
    done = run_grader("--course", str(course), "ci", "init", "mini", "--output",
                      str(course / "odd.yml"), "--install", 'x: "y" # z\n  evil: 1')  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert yaml.safe_load((course / "odd.yml").read_text())["env"]["GRADER_INSTALL"] == (
        'x: "y" # z\n  evil: 1'
    )


def run_steps(workflow, repo, runner):
    """Run the workflow's run: steps as GitHub would; the return code of the first failure."""
    env = {**os.environ, **{k: str(v) for k, v in workflow["env"].items()},
           "RUNNER_TEMP": str(runner), "GITHUB_STEP_SUMMARY": str(runner / "summary.md"),
           "PYTHONWARNINGS": "ignore",
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}  # fmt: skip
    for step in workflow["jobs"]["grade"]["steps"]:
        if "run" not in step or step.get("id", "").startswith("install-"):
            continue
        step_env = {k: re.sub(r"\$\{\{\s*github\.actor\s*\}\}", "octocat", str(v))
                    for k, v in step.get("env", {}).items()}  # fmt: skip
        done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c",
                               step["run"]], cwd=repo, env={**env, **step_env},
                              capture_output=True, text=True, timeout=600)  # fmt: skip
        if done.returncode:
            return done
    return done


@pytest.fixture
def student_repo(course, tmp_path):
    """A student repository: the released assignment only (no solutions, no hidden checks)."""
    released = run_grader("--course", str(course), "release", "mini")
    assert released.returncode == 0, released.stderr
    repo = tmp_path / "repo"
    shutil.copytree(course / "assignments", repo / "assignments")
    runner = tmp_path / "runner"
    runner.mkdir()
    return repo, runner


@pytest.mark.slow
@pytest.mark.parametrize(("notebook", "code", "score"), [("correct", 0, "2 / 2"),
                                                         ("empty", 3, "0 / 2")])  # fmt: skip
def test_the_workflow_grades_the_pushed_notebook(course, student_repo, notebook, code, score):
    repo, runner = student_repo
    workflow = init(course, "--fail-under", "60")
    shutil.copy(NOTEBOOKS / "mini" / f"{notebook}.ipynb", repo / "assignments/mini/mini.ipynb")
    done = run_steps(workflow, repo, runner)
    assert done.returncode == code, done.stderr
    assert "public checks only" in done.stderr
    summary = (runner / "summary.md").read_text()
    assert summary.startswith("## Mini") and f"### octocat: {score}" in summary
    assert "(hidden)" not in summary
    assert (runner / "feedback" / "octocat.html").is_file()  # what the artifact step uploads
