"""Self-checking on the machines students have, simulated on this Linux one.

macOS, Windows, Colab and JupyterHub have no bubblewrap, and macOS and Windows no ``prlimit``
or ``setpriv``: `grader check` then runs the kernel under grader/guest/launch.py (the limits the
platform's ``resource`` module offers) and says once, plainly, that grading uses the full
sandbox. The student path must import where Linux-only modules do not exist.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.conftest import COURSE, NOTEBOOKS, ROOT

NOBODY = 65534


def _bare_path(tmp_path: Path) -> Path:
    """A PATH with a shell and nothing else: no bwrap, prlimit or setpriv."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "sh").symlink_to(shutil.which("sh") or "/bin/sh")
    return bin_dir


def _check(
    notebook: Path, env: dict[str, str], user: int | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "grader", "check", str(notebook)],
        cwd=notebook.parent, capture_output=True, text=True, timeout=300, env=env,
        stdin=subprocess.DEVNULL, user=user, group=user, extra_groups=[] if user else None,
    )  # fmt: skip


def _interpreter_usable_by(user: int) -> bool:
    try:
        done = subprocess.run([sys.executable, "-c", "pass"], user=user, group=user,
                              extra_groups=[], capture_output=True, cwd="/", check=False)  # fmt: skip
    except PermissionError:
        return False
    return done.returncode == 0


@pytest.fixture
def released(tmp_path):
    course = tmp_path / "course"
    shutil.copytree(COURSE, course)
    done = subprocess.run([sys.executable, "-m", "grader", "--course", str(course), "release",
                           "mini"], capture_output=True, text=True, cwd=ROOT, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    folder = course / "assignments" / "mini"
    shutil.copy(NOTEBOOKS / "mini" / "correct.ipynb", folder / "mine.ipynb")
    return folder


def _verdicts(stdout: str) -> list[str]:
    text = " ".join(stdout.split())
    return [line for line in ("Public checks: 1 of 1 passed", "Public checks: 0 of 1 passed",
                              "hint: Return a + b.") if line in text]  # fmt: skip


@pytest.mark.slow
@pytest.mark.parametrize("as_user", ["this user", "an unprivileged user"])
def test_the_self_check_gives_the_same_verdicts_without_bubblewrap_prlimit_or_setpriv(
    released, tmp_path, as_user, request
):
    user = None
    where = tmp_path
    if as_user == "an unprivileged user":
        if os.geteuid() != 0:
            pytest.skip("runs as another user only when the tests run as root (CI does)")
        if not _interpreter_usable_by(NOBODY):
            pytest.skip(f"this Python ({sys.executable}) is not reachable by other users here")
        user = NOBODY
        where = Path(tempfile.mkdtemp(prefix="grader-student-"))  # pytest's tmp is root's only
        request.addfinalizer(lambda: shutil.rmtree(where, ignore_errors=True))
        released = Path(shutil.copytree(released, where / "mini"))
    home = where / "home"
    home.mkdir()
    if user is not None:
        for path in [where, *where.rglob("*")]:
            os.chown(path, NOBODY, NOBODY, follow_symlinks=False)
    full = {**os.environ, "PYTHONWARNINGS": "ignore", "HOME": str(home)}
    bare = {"PATH": str(_bare_path(where)), "HOME": str(home), "PYTHONWARNINGS": "ignore"}
    for notebook in ("mine.ipynb", "mini.ipynb"):
        linux = _check(released / notebook, full)
        other = _check(released / notebook, bare, user)
        assert linux.returncode == other.returncode == 0, other.stderr[-2000:]
        assert _verdicts(other.stdout) == _verdicts(linux.stdout) != []
        assert other.stderr.count("grading will run it in the full sandbox") == 1, other.stderr
        assert "Traceback" not in other.stderr


AS_ON_WINDOWS = """
import atexit, multiprocessing, sys, zmq
# As on Windows: zmq without unix sockets (an ipc address is refused here), no fork server.
has = zmq.has
zmq.has = lambda feature: False if feature == "ipc" else has(feature)
for name in ("bind", "connect"):
    real = getattr(zmq.Socket, name)
    def refuse(self, address, _real=real):
        if str(address).startswith("ipc://"):
            raise zmq.ZMQError(zmq.EPROTONOSUPPORT, "no ipc transport here")
        return _real(self, address)
    setattr(zmq.Socket, name, refuse)
multiprocessing.get_all_start_methods = lambda: ["spawn"]
import grader.checks.worker as worker
atexit.register(lambda: print("check workers:", worker._context.get_start_method()))
from grader.cli import main
main(["check", sys.argv[1]])
"""


@pytest.mark.slow
def test_the_self_check_runs_over_tcp_with_spawned_check_workers_as_on_windows(released, tmp_path):
    env = {**os.environ, "PYTHONWARNINGS": "ignore", "HOME": str(tmp_path)}
    bare = {"PATH": str(_bare_path(tmp_path)), "HOME": str(tmp_path), "PYTHONWARNINGS": "ignore"}
    for notebook in ("mine.ipynb", "mini.ipynb"):
        linux = _check(released / notebook, env)
        windows = subprocess.run(
            [sys.executable, "-c", AS_ON_WINDOWS, str(released / notebook)], cwd=released,
            capture_output=True, text=True, timeout=300, env=bare, stdin=subprocess.DEVNULL,
        )  # fmt: skip
        assert linux.returncode == windows.returncode == 0, windows.stderr[-2000:]
        assert _verdicts(windows.stdout) == _verdicts(linux.stdout) != []
        assert "check workers: spawn" in windows.stdout


STDLIB_FIRST = """
import sys, sysconfig
sysconfig.get_config_vars()
import asyncio, subprocess, multiprocessing, multiprocessing.connection, selectors, socket
import concurrent.futures, tempfile, shutil, signal, ctypes, ctypes.util
"""
LIBRARIES_FIRST = """
import numpy, jinja2, nbformat, pytest, click, markupsafe, rich, zmq, zmq.asyncio
import jupyter_client, jupyter_client.manager, jupyter_client.provisioning, nbclient, traitlets
import sqlalchemy, pandas
"""
ELSEWHERE = """
sys.modules["resource"] = None
sys.modules["fcntl"] = None
sys.platform = {platform!r}
"""


def _python(code: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=cwd,
                          timeout=120, check=False)  # fmt: skip


@pytest.mark.parametrize("platform", ["darwin", "win32"])
def test_the_checker_imports_elsewhere_and_loads_no_grading_engine(platform, tmp_path):
    """`from grader import Checker` with sys.platform another one's and no resource or fcntl
    module (the standard library's platform-dependent modules are imported first, as the
    real platform would have them)."""
    code = (
        STDLIB_FIRST
        + ELSEWHERE.format(platform=platform)
        + f"""
from grader import Checker
engine = {{"nbclient", "jupyter_client", "rich", "sqlalchemy", "flask", "copydetect", "zmq"}}
loaded = sorted(m for m in sys.modules if m.split(".")[0] in engine
                or m.startswith(("grader.sandbox", "grader.gradebook", "grader.grade")))
assert not loaded, loaded
check = Checker(path={str(COURSE / "solutions" / "mini")!r})
assert check.assignment.name == "mini"
print("ok")
"""
    )
    done = _python(code, tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip() == "ok"


@pytest.mark.parametrize("platform", ["darwin", "win32"])
def test_grader_check_s_modules_import_elsewhere(platform, tmp_path):
    """The modules `grader check` runs import there too (the libraries imported first)."""
    code = (
        STDLIB_FIRST
        + LIBRARIES_FIRST
        + ELSEWHERE.format(platform=platform)
        + """
import grader.cli, grader.student.selfcheck, grader.sandbox.provisioner, grader.checks.worker
import grader.sandbox.kernel, grader.sandbox.reaper, grader.grade
print("ok")
"""
    )
    done = _python(code, tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip() == "ok"


def test_a_notebook_opened_elsewhere_is_told_where_the_checks_must_be(tmp_path):
    code = "from grader import Checker\nChecker()\n"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=tmp_path, timeout=60, check=False)  # fmt: skip
    assert done.returncode == 1
    last = done.stderr.strip().splitlines()[-1]
    assert "assignments/<name>/" in last and "Checker(path=" in last


def test_the_launcher_sets_the_limits_the_platform_offers_and_runs_the_kernel_command():
    from grader.sandbox.bwrap import LAUNCHER

    probe = "import resource; print(resource.getrlimit(resource.RLIMIT_NOFILE)[0])"
    done = subprocess.run(
        [sys.executable, str(LAUNCHER), '{"nofile": 64, "core": 0}', "", "--", sys.executable,
         "-c", probe], capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "64"
    bad = subprocess.run([sys.executable, str(LAUNCHER), "{}", ""], capture_output=True,
                         text=True, timeout=60, check=False)  # fmt: skip
    assert bad.returncode != 0 and "usage: launch.py" in bad.stderr


def test_without_prlimit_a_limits_only_kernel_starts_under_the_launcher(monkeypatch, tmp_path):
    import grader.sandbox.provisioner as provisioner
    from grader.sandbox.bwrap import LAUNCHER

    config = provisioner.SandboxConfig(
        workdir=str(tmp_path), run_dir=str(tmp_path), isolation="limits", uid=None,
        memory_mb=512, cpu_seconds=30, nproc=64, disk_mb=64, open_files=128,
    )  # fmt: skip
    box = provisioner.SandboxProvisioner(sandbox=config.to_traits()["sandbox"])
    for util_linux, first in ((True, "prlimit"), (False, sys.executable)):
        monkeypatch.setattr(provisioner, "has_util_linux", lambda u=util_linux: u)
        cmd = box.wrap({"cmd": ["python", "-m", "ipykernel_launcher"]})["cmd"]
        assert cmd[0] == first
        assert cmd[-3:] == ["python", "-m", "ipykernel_launcher"]
        assert (str(LAUNCHER) in cmd) is not util_linux
