"""Warm kernels: forked from one zygote, each still confined and fresh (grader.sandbox.warm, grader.guest.zygote)."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import tempfile
from pathlib import Path

import pytest

from grader.errors import KernelError
from grader.sandbox import bwrap_problem, warm
from grader.sandbox import kernel as kernel_module
from grader.sandbox.kernel import sandboxed_kernel
from grader.sandbox.reaper import UID_BASE
from grader.sandbox.warm import KernelFactory, warm_kernels
from grader.settings import Limits

pytestmark = pytest.mark.slow  # every test here forks real warm kernels

needs_bwrap = pytest.mark.skipif(bwrap_problem() is not None, reason=f"{bwrap_problem()}")

PROBE = r"""
import ctypes, json, os, socket, sys
status = dict(line.split(":", 1) for line in open("/proc/self/status") if ":" in line)
def visible(pattern):
    import glob
    return sorted(glob.glob(pattern, recursive=True))
try:
    socket.create_connection(("10.0.0.1", 80), timeout=1)
    network = "open"
except OSError as exc:
    network = type(exc).__name__
libc = ctypes.CDLL(None, use_errno=True)
import numpy
report = {
    "uid": os.getuid(),
    "caps": [status[k].strip() for k in ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb")],
    "no_new_privs": status["NoNewPrivs"].strip(),
    "pids": sorted(int(p) for p in os.listdir("/proc") if p.isdigit()),
    "home": sorted(os.listdir(".")),
    "tmp": visible("/tmp/**"),
    "other_work": [p for top in ("/tmp", "/srv", "/home", "/run", "/var") for p in visible(top + "/**/grader-work-*")],
    "numpy_before_import": NUMPY_BEFORE,
    "earlier_kernel_variable": "left_behind" in globals(),
    "random": numpy.random.rand(),
    "network": network,
    "new_mount_ns": libc.unshare(0x00020000),
    "tmp_mib": os.statvfs("/tmp").f_blocks * os.statvfs("/tmp").f_frsize >> 20,
    "home_mib": os.statvfs(".").f_blocks * os.statvfs(".").f_frsize >> 20,
}
left_behind = True
print(json.dumps(report))
"""


@pytest.mark.parametrize(
    "broken",
    [
        ("zygote_bwrap_args", lambda spool: ["/bin/false"]),  # it exits at once
        ("zygote_bwrap_args", lambda spool: ["/nonexistent/bwrap"]),  # it cannot be run
        ("bootstrap_code", lambda: "#" * (256 << 10)),  # an argument longer than Linux takes
    ],
    ids=["exits", "missing", "argument-too-long"],
)
def test_a_zygote_that_cannot_start_leaves_kernels_cold(monkeypatch, caplog, broken):
    monkeypatch.setattr(warm, *broken)

    async def enter() -> object:
        async with warm_kernels([], enabled=True) as factory:
            return factory

    with caplog.at_level(logging.WARNING, logger="grader"):
        assert asyncio.run(enter()) is None
    assert "every kernel starts cold instead" in caplog.text
    assert "did not start" in caplog.text


async def _run(kernel, code: str) -> str:
    client = kernel.manager.client()
    client.start_channels()
    out: list[str] = []

    def hook(msg):
        if msg["msg_type"] == "stream":
            out.append(msg["content"]["text"])
        elif msg["msg_type"] == "error":
            out.append("\n".join(msg["content"]["traceback"]))

    try:
        await client.wait_for_ready(timeout=30)
        await client.execute_interactive(code, output_hook=hook, timeout=60)
    finally:
        client.stop_channels()
    return "".join(out)


async def _probe_two_kernels() -> list[dict]:
    """Two kernels of one zygote side by side: each reports what it can see and do."""
    factory = await KernelFactory.start(["numpy"])
    works = []
    for student in ("first", "second"):
        works.append(Path(tempfile.mkdtemp(prefix="grader-work-", dir=factory.spool)))
        (works[-1] / f"{student}.ipynb").write_text("{}")
    try:
        async with (
            sandboxed_kernel(works[0], Limits(), "bwrap", 60, factory) as first,
            sandboxed_kernel(works[1], Limits(), "bwrap", 60, factory) as second,
        ):
            assert first.warm and second.warm
            reports = []
            for kernel in (first, second):
                before = await _run(kernel, "import sys; print('numpy' in sys.modules)")
                code = PROBE.replace("NUMPY_BEFORE", before.strip())
                reports.append(json.loads(await _run(kernel, code)))
    finally:
        await factory.close()
    return reports


@needs_bwrap
def test_each_warm_kernel_is_fresh_confined_and_preloaded():
    first, second = asyncio.run(_probe_two_kernels())
    for report, own in ((first, "first.ipynb"), (second, "second.ipynb")):
        assert report["caps"] == ["0000000000000000"] * 5
        assert report["no_new_privs"] == "1"
        assert report["new_mount_ns"] == -1  # no privilege to rearrange its view
        assert report["pids"][:2] == [1, 2]  # its own pid namespace
        assert max(report["pids"]) < 50
        assert report["home"] == [own]  # its own files, no one else's
        assert report["other_work"] == []
        assert not any("grader-work" in path for path in report["tmp"])
        assert report["network"] != "open"
        assert report["tmp_mib"] == report["home_mib"] == Limits().disk_mb
        assert report["numpy_before_import"] is True  # imported once, in the zygote
        if os.geteuid() == 0:
            assert report["uid"] >= UID_BASE
    assert not second["earlier_kernel_variable"]
    assert first["random"] != second["random"]  # numpy's generator is reseeded per kernel


async def _kill_with_a_child_running() -> tuple[int, int | None]:
    factory = await KernelFactory.start([])
    try:
        work = Path(tempfile.mkdtemp(prefix="grader-work-", dir=factory.spool))
        async with sandboxed_kernel(work, Limits(), "bwrap", 60, factory) as kernel:
            marker = f"grader-warm-test-{os.getpid()}"
            await _run(kernel, f"import subprocess; subprocess.Popen(['sleep', '300', '{marker}'])")
        await asyncio.sleep(0.5)
        survivors = [
            pid for pid in os.listdir("/proc") if pid.isdigit() and marker.encode() in _cmdline(pid)
        ]
        return len(survivors), kernel.uid
    finally:
        await factory.close()


def _cmdline(pid: str) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


@needs_bwrap
def test_stopping_a_warm_kernel_stops_what_it_started():
    survivors, _ = asyncio.run(_kill_with_a_child_running())
    assert survivors == 0


@needs_bwrap
@pytest.mark.skipif(os.geteuid() != 0, reason="uids of their own only when the grader is root")
def test_a_warm_kernels_uid_is_left_clean_without_a_search_once_its_namespace_ended(
    monkeypatch,
):
    cleaned, searched = [], []
    monkeypatch.setattr(kernel_module, "leave_clean", cleaned.append)
    monkeypatch.setattr(kernel_module, "kill_uid", lambda uid: searched.append(uid) or True)
    survivors, uid = asyncio.run(_kill_with_a_child_running())
    assert survivors == 0  # its child was ended with its namespace, not by a search
    assert uid in cleaned
    assert searched == []


async def _kernel_when_the_fork_fails() -> tuple[str, bool]:
    factory = await KernelFactory.start([])

    async def refuse(request):
        raise KernelError("the warm kernel did not start: no room")

    factory.spawn = refuse  # type: ignore[method-assign]
    try:
        work = Path(tempfile.mkdtemp(prefix="grader-work-", dir=factory.spool))
        async with sandboxed_kernel(work, Limits(), "bwrap", 60, factory) as kernel:
            return await _run(kernel, "import os; print(os.getcwd(), 6 * 7)"), kernel.warm
    finally:
        await factory.close()


@needs_bwrap
def test_a_kernel_the_zygote_cannot_fork_starts_cold(caplog):
    with caplog.at_level(logging.WARNING, logger="grader"):
        out, warm_started = asyncio.run(_kernel_when_the_fork_fails())
    assert out.split() == ["/home/student", "42"]
    assert not warm_started  # so its result says it ran cold
    assert "no room; starting this kernel cold" in caplog.text


async def _collector_in_a_warm_kernel() -> str:
    factory = await KernelFactory.start(["numpy"])
    try:
        work = Path(tempfile.mkdtemp(prefix="grader-work-", dir=factory.spool))
        async with sandboxed_kernel(work, Limits(), "bwrap", 60, factory) as kernel:
            code = "import gc, numpy\ngc.collect()\nprint(gc.get_freeze_count(), len(gc.get_objects()))"
            return await _run(kernel, code)
    finally:
        await factory.close()


@needs_bwrap
def test_what_the_zygote_preloaded_is_never_walked_by_a_kernels_collector():
    frozen, tracked = map(int, asyncio.run(_collector_in_a_warm_kernel()).split())
    # numpy, ipykernel and IPython: tens of thousands of objects, frozen before the fork (a
    # full collection in the kernel walked them all: ~0.1 s each, and copied their pages).
    assert frozen > 20_000
    assert tracked < frozen


async def _history_in_a_warm_kernel() -> str:
    factory = await KernelFactory.start([])
    try:
        work = Path(tempfile.mkdtemp(prefix="grader-work-", dir=factory.spool))
        async with sandboxed_kernel(work, Limits(), "bwrap", 60, factory) as kernel:
            await _run(kernel, "x = 41")
            code = "import json, os\nhome = get_ipython().profile_dir.location\n"
            code += "print(json.dumps([In[1], sorted(os.listdir(home))]))"
            return await _run(kernel, code)
    finally:
        await factory.close()


@needs_bwrap
def test_a_kernel_keeps_its_inputs_in_memory_and_writes_no_history_database():
    # The SQLite history (a file, a writing thread and a write per cell in every kernel) is
    # off; the session's inputs stay readable.
    first_input, profile = json.loads(asyncio.run(_history_in_a_warm_kernel()))
    assert first_input == "x = 41"
    assert "history.sqlite" not in profile, profile


async def _kernel_info_of_a_warm_kernel() -> dict:
    factory = await KernelFactory.start([])
    try:
        work = Path(tempfile.mkdtemp(prefix="grader-work-", dir=factory.spool))
        async with sandboxed_kernel(work, Limits(), "bwrap", 60, factory) as kernel:
            return (await kernel.client.kernel_info(reply=True, timeout=30))["content"]
    finally:
        await factory.close()


@needs_bwrap
def test_a_warm_kernel_runs_no_debugger():
    # debugpy is not loaded in the zygote (60 ms of every batch's start; nobody debugs a
    # graded kernel): the kernel says so to its clients.
    info = asyncio.run(_kernel_info_of_a_warm_kernel())
    assert info["status"] == "ok"
    assert "kernel subshells" in info["supported_features"]  # the features a kernel lists
    assert "debugger" not in info["supported_features"]


AGE = """
import os, time
fields = open("/proc/self/stat").read().rsplit(")", 1)[1].split()
print(int(fields[19]) / os.sysconf("SC_CLK_TCK"), sorted(os.listdir(".")))
"""


async def _a_kernel_started_before_its_notebook() -> tuple[float, float, str, list[bool]]:
    factory = await KernelFactory.start([])
    try:
        works = [Path(tempfile.mkdtemp(prefix="grader-work-", dir=factory.spool)) for _ in "ab"]
        (works[1] / "second.csv").write_text("x\n1\n")
        async with sandboxed_kernel(works[0], Limits(), "bwrap", 60, factory) as first:
            await factory.spares.started(Limits())  # the next kernel is up, its notebook unknown
            clock = "import time; print(time.clock_gettime(time.CLOCK_BOOTTIME))"
            first_ran = float(await _run(first, clock))
        async with sandboxed_kernel(works[1], Limits(), "bwrap", 60, factory) as second:
            assert second.warm
            born, home = (await _run(second, AGE)).split(" ", 1)
        await factory.spares.started(Limits())
        spares = [factory.host_pid(kid) for kid in factory.children]  # one left for a third
        assert all(isinstance(pid, int) and Path(f"/proc/{pid}").exists() for pid in spares)
    finally:
        await factory.close()
    return float(born), first_ran, home, [Path(f"/proc/{pid}").exists() for pid in spares]


@needs_bwrap
def test_the_next_kernel_starts_while_the_last_notebook_runs_and_gets_only_its_own_files():
    born, first_ran, home, spares_left = asyncio.run(_a_kernel_started_before_its_notebook())
    assert born < first_ran  # the second kernel was running before the first notebook's cell
    assert home.strip() == "['second.csv']"  # its files arrived once its notebook was known
    assert spares_left == [False]  # the spare nobody took was stopped with the batch
