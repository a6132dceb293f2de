"""A warm kernel starts from the application and shell its zygote prepared (grader.guest.prepared)."""

from __future__ import annotations

import asyncio
import json
import logging
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from grader.guest.prepared import split_argv
from grader.sandbox import bwrap_problem, warm
from grader.sandbox.kernel import sandboxed_kernel
from grader.sandbox.warm import KernelFactory
from grader.settings import Limits
from tests.test_warm import _run

needs_bwrap = pytest.mark.skipif(bwrap_problem() is not None, reason=f"{bwrap_problem()}")

SHELL_PROBE = r"""
import json, os, sys
ip = get_ipython()
print(json.dumps({
    "app": type(ip.kernel.parent).__name__,
    "exec_lines": ip.kernel.parent.exec_lines,
    "shell_of_kernel": ip.kernel.shell is ip,
    "shell_parent_is_kernel": ip.parent is ip.kernel,
    "dir_history": [str(path) for path in _dh],
    "cwd": os.getcwd(),
    "profile": ip.profile_dir.location,
    "history_database": ip.history_manager.enabled,
    "names": sorted(name for name in ip.user_ns if not name.startswith("_i")),
    "main_is_user_module": sys.modules["__main__"] is ip.user_module,
    "formatters": sorted(ip.display_formatter.formatters),
    "inputs": len(In),
    "traceback_before_any_error": _traceback_before_any_error,
}))
"""
FIRST_CELL = "_traceback_before_any_error = hasattr(get_ipython().InteractiveTB, 'tb')\n1 + 1"


def test_the_connection_file_is_told_apart_from_the_options_a_shell_is_prepared_for():
    argv = ["-f", "/run/k.json", "--HistoryManager.enabled=False", "--IPKernelApp.exec_lines=x"]
    assert split_argv(argv) == (
        "/run/k.json",
        ["--HistoryManager.enabled=False", "--IPKernelApp.exec_lines=x"],
    )
    assert split_argv(["--a=1", "-f", "k.json"]) == ("k.json", ["--a=1"])
    assert split_argv(["--a=1", "-f"]) == (None, ["--a=1", "-f"])  # no file: nothing prepared


PREPARE_TWICE = r"""
import json, sys, threading
sys.modules.setdefault("debugpy", None)
namespace = {"HOME": sys.argv[2]}
exec(compile(open(sys.argv[1]).read(), "prepared.py", "exec"), namespace)
prepared = namespace["PreparedStart"]()
from ipykernel.zmqshell import ZMQInteractiveShell
import os
def files():
    return {fd: os.readlink(f"/proc/self/fd/{fd}") for fd in os.listdir("/proc/self/fd")
            if os.path.exists(f"/proc/self/fd/{fd}")}
before = files()
shells, prepared_for = [], []
quiet = "--HistoryManager.enabled=False"
for options in ([quiet, "--IPKernelApp.exec_lines=x = 1"], [quiet, "--IPKernelApp.exec_lines=x = 1"],
                [quiet, "--IPKernelApp.exec_lines=x = 2"],
                ["--IPKernelApp.exec_lines=x = 2"],  # IPython would save history from a thread
                ["--a.b=1"]):  # ipykernel refuses it
    prepared.ready_for(["-f", "/k.json", *options])
    prepared_for.append(prepared.options)
    shells.append(id(ZMQInteractiveShell._instance))
print(json.dumps({"prepared_for": prepared_for, "threads": threading.active_count(),
                  "same_shell_for_same_options": shells[0] == shells[1],
                  "new_shell_for_new_options": shells[1] != shells[2],
                  "no_shell_left_by_a_failure": shells[3] == shells[4] == id(None),
                  "files_opened": sorted(set(files().items()) - set(before.items()))}))
"""


def test_preparing_starts_no_thread_and_prepares_once_for_the_same_options(tmp_path):
    import grader.guest.prepared as module

    done = subprocess.run(
        [sys.executable, "-c", PREPARE_TWICE, module.__file__, str(tmp_path)],
        capture_output=True, text=True, timeout=120, check=True,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "IPYTHONDIR": str(tmp_path / "ip")},
    )  # fmt: skip
    quiet = "--HistoryManager.enabled=False"
    first = [quiet, "--IPKernelApp.exec_lines=x = 1"]
    second = [quiet, "--IPKernelApp.exec_lines=x = 2"]
    assert json.loads(done.stdout) == {
        "prepared_for": [first, first, second, None, None],
        "threads": 1,  # the zygote forks: one thread only
        "same_shell_for_same_options": True,
        "new_shell_for_new_options": True,
        "no_shell_left_by_a_failure": True,
        # a kernel closes its inherited descriptors: an object holding one would write to
        # whatever reuses its number
        "files_opened": [],
    }
    assert "the zygote forks, it cannot keep one" in done.stderr  # the zygote's log says why
    assert "Error loading argument a.b" in done.stderr


async def _probe(*limits: Limits, cold_too: bool = False) -> tuple[list[dict], str]:
    """The shell probe's report from one warm kernel per ``limits`` (one zygote), then a cold one."""
    factory = await KernelFactory.start([])
    reports = []
    try:
        for limit in limits:
            work = Path(tempfile.mkdtemp(prefix="grader-work-", dir=factory.spool))
            async with sandboxed_kernel(work, limit, "bwrap", 60, factory) as kernel:
                assert kernel.warm
                await _run(kernel, FIRST_CELL)  # a displayed result, as a notebook's first cell
                error = await _run(kernel, "1 / 0")  # and a first error
                reports.append({**json.loads(await _run(kernel, SHELL_PROBE)), "error": error})
        if cold_too:
            work = Path(tempfile.mkdtemp(prefix="grader-work-"))
            async with sandboxed_kernel(work, limits[0], "bwrap", 60, None) as kernel:
                assert not kernel.warm
                await _run(kernel, FIRST_CELL)
                error = await _run(kernel, "1 / 0")
                reports.append({**json.loads(await _run(kernel, SHELL_PROBE)), "error": error})
    finally:
        log = (factory.root / "zygote.log").read_text(errors="replace")
        await factory.close()
    return reports, log


@needs_bwrap
@pytest.mark.slow
def test_a_warm_kernel_starts_from_the_prepared_shell_and_sees_what_a_cold_kernel_sees():
    (warm_report, cold_report), log = asyncio.run(_probe(Limits(), cold_too=True))
    assert warm_report.pop("app") == "PreparedKernelApp", log
    assert cold_report.pop("app") == "IPKernelApp"
    for report in (warm_report, cold_report):  # a cold kernel starts the figure recorder too
        report["exec_lines"] = report["exec_lines"][:1]
    assert warm_report == cold_report
    assert warm_report["shell_of_kernel"] and warm_report["shell_parent_is_kernel"]
    assert warm_report["dir_history"] == [warm_report["cwd"]]
    assert warm_report["history_database"] is False
    assert warm_report["main_is_user_module"]
    assert "ZeroDivisionError" in warm_report["error"]  # the zygote's own warm-up traceback
    assert "grader-warm-up" not in warm_report["error"]  # is neither shown nor kept
    assert warm_report["traceback_before_any_error"] is False


@needs_bwrap
@pytest.mark.slow
def test_a_kernel_asked_for_with_other_options_gets_a_shell_prepared_for_them():
    small, large = Limits(output_kb=16), Limits(output_kb=64)
    reports, log = asyncio.run(_probe(small, large, small))
    assert [report["app"] for report in reports] == ["PreparedKernelApp"] * 3, log
    caps = [" ".join(report["exec_lines"]) for report in reports]
    assert str(16 * 1024) in caps[0] and str(64 * 1024) not in caps[0]
    assert str(64 * 1024) in caps[1] and str(16 * 1024) not in caps[1]
    assert caps[2] == caps[0]


@needs_bwrap
@pytest.mark.slow
def test_a_zygote_that_cannot_prepare_starts_its_kernels_as_ipykernel_alone(monkeypatch):
    source = warm.zygote_source()
    *first, last = source.splitlines(keepends=True)  # the last source is the zygote's own loop
    assert "zygote.py" in last
    failing = "def prepare(options):\n    raise RuntimeError('nothing prepared today')\n"
    monkeypatch.setattr(warm, "zygote_source", lambda: "".join([*first, failing, last]))
    reports, log = asyncio.run(_probe(Limits(), Limits()))
    assert [report["app"] for report in reports] == ["IPKernelApp"] * 2
    assert log.count("nothing prepared today") == 1  # tried once for these options
    assert all(report["shell_of_kernel"] and report["inputs"] == 4 for report in reports)


@needs_bwrap
@pytest.mark.slow
def test_a_zygote_left_with_a_thread_forks_nothing_and_its_kernels_start_cold(monkeypatch, caplog):
    source = warm.zygote_source()
    *first, last = source.splitlines(keepends=True)
    threaded = (
        "def prepare(options):\n"
        "    import threading, time\n"
        "    threading.Thread(target=time.sleep, args=(600,), daemon=True).start()\n"
        "    return options\n"
    )
    monkeypatch.setattr(warm, "zygote_source", lambda: "".join([*first, threaded, last]))

    async def one_kernel() -> tuple[bool, str]:
        factory = await KernelFactory.start([])
        try:
            work = Path(tempfile.mkdtemp(prefix="grader-work-", dir=factory.spool))
            async with sandboxed_kernel(work, Limits(), "bwrap", 60, factory) as kernel:
                return kernel.warm, await _run(kernel, "print(6 * 7)")
        finally:
            await factory.close()

    with caplog.at_level(logging.WARNING, logger="grader"):
        warm_started, out = asyncio.run(one_kernel())
    assert not warm_started and out.strip() == "42"
    assert "the zygote runs 2 threads: cannot fork" in caplog.text
