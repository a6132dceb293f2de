"""The check files a batch's fork server imported once (grader.checks.precollect).

Each scenario runs in a fresh Python process (the fork server is one per process): check jobs
without a kernel, through the real fork server and check workers.
"""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from grader.checks import precollect
from tests.conftest import NOTEBOOKS, ROOT, run_grader

STATE_CHECK = """
import os

from numpy.testing import assert_array_equal

IMPORTED_IN = os.getpid()
SEEN = []


def test_imported_before_the_fork():
    assert IMPORTED_IN != os.getpid(), "the check file was imported in the worker"


def test_module_state_is_the_students_own():
    SEEN.append(os.getpid())
    assert SEEN == [os.getpid()], SEEN


def test_numpy_testing_is_readable_when_imported():
    assert getattr(assert_array_equal, "__grader_explains__", False)


def test_the_session_was_configured_and_collected_before_the_fork(request):
    assert request.session.grader_started_in != os.getpid(), "pytest started in the worker"
    assert request.session.grader_collected_in == request.session.grader_started_in


def test_session_fixtures_are_the_students_own(once_a_student):
    assert once_a_student == [os.getpid()], once_a_student
"""

STATE_CONFTEST = """
import os

import pytest

CALLS = []


def pytest_sessionstart(session):
    session.grader_started_in = os.getpid()


def pytest_collection_finish(session):
    session.grader_collected_in = os.getpid()


@pytest.fixture(scope="session")
def once_a_student():
    CALLS.append(os.getpid())
    return list(CALLS)
"""

SCRIPT = """
import asyncio, json, sys
from grader.checks.plugin import CheckJob
from grader.checks.worker import run_checks_in_worker, warm_up
from grader.errors import AssignmentError

warmed, runs = json.loads(sys.argv[1])
warm_up(warmed)
out = []
for folders, edit in runs:
    if edit:
        open(edit[0], "w").write(edit[1])
    job = CheckJob(test_dirs=tuple(("public", f) for f in folders), hidden_data="",
                   connection=None, unavailable="no kernel", source="")
    try:
        results, _ = asyncio.run(run_checks_in_worker(job, 60))
        out.append({r.name: [r.status, r.message] for r in results})
    except AssignmentError as exc:
        out.append({"assignment error": str(exc)})
print(json.dumps(out))
"""


def _run(warmed: list[str], runs: list[tuple[list[str], tuple[str, str] | None]]) -> list:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, json.dumps([warmed, runs])],
        cwd=ROOT, capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def _course(root: Path, files: dict[str, str]) -> str:
    public = root / "tests" / "public"
    public.mkdir(parents=True)
    for name, text in files.items():
        (public / name).write_text(textwrap.dedent(text))
    return str(public)


def _passed(run: dict) -> dict:
    return {name: status for name, (status, _) in run.items()}


@pytest.fixture(scope="module")
def two_courses(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str, list]:
    base = tmp_path_factory.mktemp("precollect")
    first = _course(base / "a", {"conftest.py": STATE_CONFTEST, "test_q1.py": STATE_CHECK})
    second = _course(base / "b", {"test_q1.py": "def test_other():\n    assert True\n"})
    edited = "import os\n\nIMPORTED_IN = os.getpid()\n\n\ndef test_edited():\n"
    edited += "    assert IMPORTED_IN == os.getpid(), 'the stale module was used'\n"
    runs = [
        ([first], None),  # two students of one batch
        ([first], None),
        ([second], None),  # another assignment, the same module name (public.test_q1)
        ([first], (str(Path(first) / "test_q1.py"), edited)),  # the file changed since
    ]
    return first, second, _run([first], runs)


def test_a_batch_s_workers_use_the_check_files_imported_once_each_with_its_own_state(
    two_courses,
):
    _, _, runs = two_courses
    expected = {
        "test_imported_before_the_fork": "passed",
        "test_module_state_is_the_students_own": "passed",
        "test_numpy_testing_is_readable_when_imported": "passed",
        "test_the_session_was_configured_and_collected_before_the_fork": "passed",
        "test_session_fixtures_are_the_students_own": "passed",
    }
    assert _passed(runs[0]) == expected, runs[0]
    assert _passed(runs[1]) == expected, runs[1]


def test_what_the_fork_server_imported_is_dropped_for_other_or_changed_files(two_courses):
    _, _, runs = two_courses
    assert _passed(runs[2]) == {"test_other": "passed"}
    assert _passed(runs[3]) == {"test_edited": "passed"}, runs[3]


def test_a_check_file_added_during_a_batch_is_collected_by_the_next_worker(tmp_path):
    folder = _course(tmp_path / "g", {"conftest.py": STATE_CONFTEST, "test_q1.py": STATE_CHECK})
    added = (str(Path(folder) / "test_q2.py"), "def test_added():\n    pass\n")
    before, after = _run([folder], [([folder], None), ([folder], added)])
    assert "test_added" not in before
    assert after["test_added"][0] == "passed"
    # The prepared session was not this job's any more: pytest started in the worker.
    prepared = "test_the_session_was_configured_and_collected_before_the_fork"
    assert (before[prepared][0], after[prepared][0]) == ("passed", "failed")


BATCHES_SCRIPT = """
import asyncio, json, sys
from grader.checks.plugin import CheckJob
from grader.checks.worker import run_checks_in_worker, warm_up

out = []
for folders in json.loads(sys.argv[1]):  # one batch after another, as `grader demo` grades
    warm_up(folders)
    job = CheckJob(test_dirs=tuple(("public", f) for f in folders), hidden_data="",
                   connection=None, unavailable="no kernel", source="")
    results, _ = asyncio.run(run_checks_in_worker(job, 60))
    out.append({r.name: [r.status, r.message] for r in results})
print(json.dumps(out))
"""

MODULES_CHECK = """
import os
import sys


def test_modules(request):
    seen = {name: name in sys.modules for name in ("scipy.stats", "sklearn.metrics")}
    prepared = request.session.grader_started_in != os.getpid()
    assert False, repr((seen, prepared))
"""


def test_each_batch_of_a_process_gets_a_fork_server_for_its_own_check_files(tmp_path):
    first = _course(tmp_path / "a", {"conftest.py": STATE_CONFTEST, "test_q1.py": STATE_CHECK})
    second = _course(tmp_path / "b", {"conftest.py": STATE_CONFTEST, "test_q1.py": MODULES_CHECK})
    done = subprocess.run(
        [sys.executable, "-c", BATCHES_SCRIPT, json.dumps([[first], [second]])],
        cwd=ROOT, capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    a, b = json.loads(done.stdout.strip().splitlines()[-1])
    assert all(status == "passed" for status, _ in a.values()), a
    # The second batch's checks were imported and collected before the fork too, by a fork
    # server that imported what they import (no scipy.stats, no scikit-learn) and no more.
    status, message = b["test_modules"]
    seen = {"scipy.stats": False, "sklearn.metrics": False}
    assert (status, message) == ("failed", repr((seen, True))), b


def test_a_fork_server_that_knows_no_check_files_imports_what_checks_commonly_do(tmp_path):
    folder = _course(tmp_path / "c", {"conftest.py": STATE_CONFTEST, "test_q1.py": MODULES_CHECK})
    [run] = _run([], [([folder], None)])  # no batch named its check files (a cluster worker)
    seen = {"scipy.stats": True, "sklearn.metrics": True}
    assert run["test_modules"] == ["failed", repr((seen, False))], run


FAILS_IN_THE_FORK_SERVER = """
import os

IMPORTED_IN = os.getpid()


def pytest_sessionstart(session):
    if os.getpid() == IMPORTED_IN:  # the fork server, preparing the session
        raise RuntimeError("not here")
    session.grader_started_in = os.getpid()
"""


def test_a_session_that_cannot_be_prepared_is_run_by_each_worker_as_before(tmp_path):
    folder = _course(
        tmp_path / "h",
        {"conftest.py": FAILS_IN_THE_FORK_SERVER, "test_q1.py": MODULES_CHECK},
    )
    [run] = _run([folder], [([folder], None)])
    seen = {"scipy.stats": False, "sklearn.metrics": False}
    assert run["test_modules"] == ["failed", repr((seen, False))], run  # ran, not prepared


def test_a_check_file_that_fails_to_import_is_still_reported_broken(tmp_path):
    broken = "import pytest\n\nraise RuntimeError('bad check file')\n\n\ndef test_x():\n    pass\n"
    skipped = "import pytest\n\npytest.skip('not yet', allow_module_level=True)\n\n\n"
    skipped += "def test_skipped_module():\n    pass\n"
    good = "def test_good():\n    pass\n"
    folder = _course(tmp_path / "c", {"test_a.py": good, "test_b.py": skipped})
    other = _course(tmp_path / "d", {"test_a.py": good, "test_b.py": broken})
    # Each run in its own process: the fork server imported that folder's files.
    [with_skip] = _run([folder], [([folder], None)])
    [with_error] = _run([other], [([other], None)])
    assert _passed(with_skip) == {"test_good": "passed"}
    assert "bad check file" in with_error["assignment error"]


def test_checks_see_the_grader_s_environment_not_what_its_fork_server_started_with(tmp_path):
    # The fork server starts with its own import path (PYTHONSAFEPATH, PYTHONPATH); a check,
    # and what it starts, see the grader's values of those.
    grader_s = {name: os.environ.get(name) for name in ("PYTHONSAFEPATH", "PYTHONPATH")}
    check = "import json\nimport os\n\n\ndef test_environment():\n"
    check += (
        "    seen = {name: os.environ.get(name) for name in ('PYTHONSAFEPATH', 'PYTHONPATH')}\n"
    )
    check += f"    assert seen == json.loads({json.dumps(grader_s)!r}), seen\n"
    folder = _course(tmp_path / "f", {"test_q1.py": check})
    [run] = _run([folder], [([folder], None)])
    assert run["test_environment"][0] == "passed", run
    assert precollect.RESTORE not in json.dumps(run)


def test_the_files_pytest_imports_first_are_a_folder_s_conftest_and_check_files(tmp_path):
    for name in ("test_b.py", "conftest.py", "a_test.py", "helper.py", "test_c.txt"):
        (tmp_path / name).write_text("")
    found = [Path(p).name for p in precollect.check_files(str(tmp_path))]
    assert found == ["conftest.py", "a_test.py", "test_b.py"]


CONTRACT_CHECK = (
    STATE_CHECK
    + """

import warnings

import pytest


def test_tmp_path_and_monkeypatch(tmp_path, monkeypatch):
    monkeypatch.setenv("GRADER_PRECOLLECT_TEST", "1")
    (tmp_path / "f").write_text("x")
    assert os.environ["GRADER_PRECOLLECT_TEST"] == "1" and (tmp_path / "f").read_text() == "x"


@pytest.mark.skip(reason="not graded")
def test_skipped():
    raise AssertionError("a skipped check ran")


def test_warns():
    with pytest.warns(UserWarning, match="careful"):
        warnings.warn("careful", UserWarning)


def test_capsys(capsys):
    print("shown")
    assert capsys.readouterr().out == "shown\\n"
"""
)


@pytest.mark.slow
def test_a_cli_batch_imports_and_collects_the_check_files_once_and_each_student_gets_them_fresh(
    course, tmp_path
):
    hidden = course / "solutions" / "mini" / "tests" / "hidden"
    (hidden / "test_contract.py").write_text(CONTRACT_CHECK)
    (hidden / "conftest.py").write_text(STATE_CONFTEST)
    batch = tmp_path / "batch"
    batch.mkdir()
    for name in ("correct", "partially-correct"):
        (batch / f"{name}.ipynb").write_bytes((NOTEBOOKS / "mini" / f"{name}.ipynb").read_bytes())
    done = run_grader("--course", str(course), "grade", "mini", str(batch), "--jobs", "2",
                      "--output", str(tmp_path / "out"), "--format", "json")  # fmt: skip
    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout)
    assert len(results) == 2
    for result in results:
        contract = {c["name"]: c["status"] for c in result["checks"]
                    if c["name"].startswith("test_") and c["question"] == "contract"}  # fmt: skip
        assert contract == {
            "test_imported_before_the_fork": "passed",
            "test_module_state_is_the_students_own": "passed",
            "test_numpy_testing_is_readable_when_imported": "passed",
            "test_the_session_was_configured_and_collected_before_the_fork": "passed",
            "test_session_fixtures_are_the_students_own": "passed",
            "test_tmp_path_and_monkeypatch": "passed",
            "test_skipped": "passed",  # a skipped check is not failed (it did not run)
            "test_warns": "passed",
            "test_capsys": "passed",
        }, (result["student"], [c for c in result["checks"] if c["question"] == "contract"])


CONSOLE_SCRIPT = """import sys
from grader.cli import main
if __name__ == "__main__":
    sys.exit(main())
"""
"""What pip writes as the `grader` command."""


def _grade_with_the_script(
    course: Path, tmp_path: Path, notebooks: tuple[str, ...], cwd: Path, **env: str
) -> subprocess.CompletedProcess[str]:
    """``grader grade mini`` of the mini ``notebooks``, run as that script from ``cwd``."""
    script = tmp_path / "bin" / "grader"
    script.parent.mkdir()
    script.write_text(CONSOLE_SCRIPT)
    batch = tmp_path / "batch"
    batch.mkdir()
    for name in notebooks:
        (batch / f"{name}.ipynb").write_bytes((NOTEBOOKS / "mini" / f"{name}.ipynb").read_bytes())
    base = {k: v for k, v in os.environ.items() if k != "GITHUB_STEP_SUMMARY"}
    done = subprocess.run(
        [sys.executable, str(script), "--course", str(course), "grade", "mini", str(batch),
         "--jobs", "1", "--output", str(tmp_path / "out"), "--format", "json"],
        cwd=cwd, capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL,
        env={**base, "PYTHONWARNINGS": "ignore", **env},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return done


@pytest.mark.slow
def test_check_workers_of_the_grader_console_script_do_not_import_the_cli_again(course, tmp_path):
    # CPython's fork server never imports a script (it drops the path), so every check worker
    # runs it again, as `__mp_main__`, before its target: what the script imports must already
    # be in the fork server.
    names = ("correct", "partially-correct", "missing-name")
    done = _grade_with_the_script(course, tmp_path, names, ROOT, PYTHONPROFILEIMPORTTIME="1")
    assert len(json.loads(done.stdout)) == 3
    # Python prints each import in each process (the check workers' before they silence
    # their stderr): the command's own and the fork server's, not one a worker.
    cli_imports = [
        line for line in done.stderr.splitlines()
        if line.startswith("import time:") and line.rsplit("|", 1)[-1].strip() == "grader.cli"
    ]  # fmt: skip
    assert len(cli_imports) == 2, cli_imports


def test_the_fork_server_ends_without_tearing_down_what_it_imported(tmp_path):
    marker = tmp_path / "torn-down"
    check = f"import atexit\n\natexit.register(lambda: open({str(marker)!r}, 'w').close())\n\n\n"
    check += "def test_q():\n    pass\n"
    folder = _course(tmp_path / "e", {"test_q1.py": check})
    [run] = _run([folder], [([folder], None)])  # returns once the fork server's stderr closed
    assert _passed(run) == {"test_q": "passed"}
    # The check file was imported in the fork server, which registered its exit handler; the
    # fork server left without running it (nor unloading its modules).
    assert not marker.exists()


def test_the_preimport_module_changes_no_exit_outside_the_fork_server():
    code = "import atexit, sys\natexit.register(lambda: print('exit handlers ran'))\n"
    code += "import grader.checks.preimport\nsys.exit(3)\n"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, timeout=60, stdin=subprocess.DEVNULL)  # fmt: skip
    assert (done.returncode, done.stdout) == (3, "exit handlers ran\n"), done.stderr


@pytest.mark.slow
def test_check_workers_import_what_the_grader_imports_whatever_the_current_folder_holds(
    course, tmp_path
):
    # The fork server is `python -c` in the current folder: a folder there named like a module
    # it imports must not replace that module (Python 3.11 puts the current folder first).
    here = tmp_path / "course-folder"
    (here / "grader").mkdir(parents=True)
    (here / "grader" / "__init__.py").write_text("WHOSE = 'the folder'\n")  # and no more
    done = _grade_with_the_script(course, tmp_path, ("correct", "partially-correct"), here)
    results = {r["student"]: r for r in json.loads(done.stdout)}
    assert all(r["gradable"] and not r["grader_failure"] for r in results.values()), results
    assert results["correct"]["total"] == results["correct"]["possible"]
