"""The watchdog's thread: deadlines enforced without the event loop; the stop on signals."""

from __future__ import annotations

import asyncio
import math
import os
import signal
import subprocess
import sys
import threading
import time

import pytest

from grader.errors import Interrupted, Stopped
from grader.sandbox.reaper import host_pid, kernel_process, process_tree
from grader.watchdog import Watchdog, stop_on_signals


def test_a_guard_past_its_deadline_is_killed_from_the_watchdogs_thread():
    dog, killed = Watchdog(), threading.Event()
    with dog.guard(time.monotonic() + 0.2, killed.set):
        # The guarded block blocks in C and never yields (a blocked event loop): only the
        # watchdog's own thread can act (given a few seconds on a loaded machine).
        assert killed.wait(5)


def test_a_guard_that_ends_in_time_is_never_killed():
    dog, killed = Watchdog(), threading.Event()
    with dog.guard(time.monotonic() + 0.3, killed.set):
        pass
    time.sleep(0.5)
    assert not killed.is_set()


def test_kill_all_kills_every_guard_even_without_deadline_and_a_failing_kill_spoils_none():
    dog, killed = Watchdog(), []

    def boom() -> None:
        raise ProcessLookupError

    dog.add(math.inf, boom)
    dog.add(math.inf, lambda: killed.append(1))
    dog.add(time.monotonic() + 60, lambda: killed.append(2))
    dog.kill_all()
    assert sorted(killed) == [1, 2]


def test_sigterm_cancels_the_batch_task_and_names_the_signal():
    async def batch() -> str:
        task = asyncio.current_task()
        assert task is not None
        with stop_on_signals(task) as stop:
            try:
                os.kill(os.getpid(), signal.SIGTERM)
                await asyncio.sleep(10)
            except asyncio.CancelledError:
                return stop.name
        return "not stopped"

    assert asyncio.run(batch()) == "SIGTERM"
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL  # restored


def test_stopped_errors_carry_the_shells_exit_codes():
    assert Stopped.by("SIGTERM", "x").exit_code == 143
    assert isinstance(Stopped.by("SIGINT", "x"), Interrupted)
    assert Stopped.by("SIGINT", "x").exit_code == 130


def test_a_hung_batch_is_ended_by_the_hard_stop(tmp_path):
    # The main thread blocks in a C call forever: the stop still ends the process.
    code = (
        "import asyncio, time\n"
        "from grader.watchdog import stop_on_signals\n"
        "async def main():\n"
        "    with stop_on_signals(asyncio.current_task()):\n"
        "        print('ready', flush=True)\n"
        "        time.sleep(60)\n"
        "asyncio.run(main())\n"
    )
    with subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True) as run:
        assert run.stdout is not None and run.stdout.readline() == "ready\n"
        started = time.monotonic()
        run.send_signal(signal.SIGTERM)
        assert run.wait(timeout=15) == 143
        assert time.monotonic() - started < 8


@pytest.fixture
def fake_kernel_tree():
    """sh → python whose argv names ipykernel_launcher (as a kernel's does), sleeping."""
    code = "import time; time.sleep(30)"
    run = subprocess.Popen(
        ["sh", "-c", f'{sys.executable} -c "{code}" ipykernel_launcher; true'],
        start_new_session=True,
    )
    deadline = time.monotonic() + 10
    while len(process_tree(run.pid)) < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    yield run
    os.killpg(run.pid, signal.SIGKILL)
    run.wait()


def test_the_kernel_process_is_found_below_its_launcher_and_not_the_launcher(fake_kernel_tree):
    kernel = kernel_process(fake_kernel_tree.pid)
    assert kernel is not None and kernel != fake_kernel_tree.pid
    assert kernel in process_tree(fake_kernel_tree.pid)


def test_no_kernel_process_below_a_plain_process():
    with subprocess.Popen(["sleep", "5"]) as run:
        try:
            assert kernel_process(run.pid) is None
            assert host_pid(12345678, run.pid) is None
        finally:
            run.kill()
