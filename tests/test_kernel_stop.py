"""A kernel is stopped completely even when a stop signal cancels the batch while it stops."""

from __future__ import annotations

import asyncio
import os
import tempfile
from pathlib import Path
from typing import Any

import pytest

from grader.sandbox.kernel import sandboxed_kernel
from grader.settings import Limits
from grader.watchdog import to_the_end
from tests.conftest import leftover_processes


def test_a_clean_up_cancelled_midway_still_runs_to_its_end_then_the_cancel_is_raised():
    steps: list[str] = []

    async def clean_up() -> str:
        steps.append("begun")
        await asyncio.sleep(0.2)
        steps.append("ended")
        return "done"

    async def stopping() -> None:
        await to_the_end(clean_up())

    async def main() -> None:
        task = asyncio.ensure_future(stopping())
        await asyncio.sleep(0.05)
        task.cancel()
        await asyncio.sleep(0.01)
        task.cancel()  # a second stop signal changes nothing
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(main())
    assert steps == ["begun", "ended"]


def test_a_clean_up_not_cancelled_gives_its_result():
    async def clean_up() -> int:
        await asyncio.sleep(0)
        return 42

    assert asyncio.run(to_the_end(clean_up())) == 42


@pytest.mark.slow
def test_cancelled_while_its_kernel_stops_the_kernel_still_stops_and_closes_its_sockets():
    seen: dict[str, Any] = {}

    async def main() -> None:
        work = Path(tempfile.mkdtemp(prefix="grader-work-"))
        stopping = asyncio.Event()

        async def one_submission() -> None:
            async with sandboxed_kernel(work, Limits(), "limits", 60) as kernel:
                km = kernel.manager
                seen["km"], seen["client"], seen["pid"] = km, kernel.client, km.provisioner.pid
                provisioner = km.provisioner
                kill = provisioner.kill

                async def slow_kill(**kwargs: Any) -> None:
                    stopping.set()
                    await asyncio.sleep(0.5)  # the window a stop signal can land in
                    await kill(**kwargs)

                provisioner.kill = slow_kill  # type: ignore[method-assign]

        task = asyncio.ensure_future(one_submission())
        await stopping.wait()
        task.cancel()  # what SIGTERM does to the batch
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(main())
    km, client = seen["km"], seen["client"]
    assert km._control_socket is None, "the kernel manager's control socket was left open"
    assert not client.channels_running
    assert not km.has_kernel
    with pytest.raises(ProcessLookupError):
        os.kill(seen["pid"], 0)
    assert leftover_processes() == []


@pytest.mark.slow
def test_killing_a_cold_kernel_returns_once_its_process_has_ended():
    async def main() -> int | None:
        work = Path(tempfile.mkdtemp(prefix="grader-work-"))
        async with sandboxed_kernel(work, Limits(), "limits", 60) as kernel:
            # 512 MiB written: the kernel's exit takes a while (its memory is freed first).
            await kernel.client.execute_interactive("ballast = b'x' * (512 << 20)", timeout=30)
            provisioner = kernel.manager.provisioner
            process = provisioner.process
            await provisioner.kill()
            return process.poll()  # jupyter_client's own kill returns once it has signalled

    assert asyncio.run(main()) is not None
