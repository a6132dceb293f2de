"""A kernel keeps room to report a MemoryError (grader.guest.memory_reserve)."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

import pytest

from grader.guest.memory_reserve import startup_code
from grader.sandbox import bwrap_problem
from grader.sandbox.kernel import sandboxed_kernel
from grader.sandbox.warm import KernelFactory
from grader.settings import Limits

needs_bwrap = pytest.mark.skipif(bwrap_problem() is not None, reason=f"{bwrap_problem()}")

FILL = r"""
hog = []
for size in (50_000_000, 1_000_000, 10_000, 100):  # down to the last few bytes of the limit
    try:
        while True:
            hog.append(bytearray(size))
    except MemoryError:
        pass
raise MemoryError("the limit is reached")
"""


def test_the_startup_code_defines_calls_and_forgets_its_function():
    code = startup_code(1 << 20)
    assert "def _grader_reserve_memory(size: int)" in code
    assert code.endswith("_grader_reserve_memory(1048576)\ndel _grader_reserve_memory\n")


async def _errors_after_filling(warm: bool) -> tuple[list[str], str]:
    """The errors a kernel published for FILL, then what it prints once the memory is freed."""
    factory = await KernelFactory.start([]) if warm else None
    root = factory.spool if factory is not None else None
    work = Path(tempfile.mkdtemp(prefix="grader-work-", dir=root))
    try:
        async with sandboxed_kernel(work, Limits(memory_mb=1024), "bwrap", 60, factory) as kernel:
            assert kernel.warm == warm
            client = kernel.manager.client()
            client.start_channels()
            errors: list[str] = []
            printed: list[str] = []

            def hook(msg: dict) -> None:
                if msg["msg_type"] == "error":
                    errors.append(msg["content"]["ename"])
                elif msg["msg_type"] == "stream":
                    printed.append(msg["content"]["text"])

            try:
                await client.wait_for_ready(timeout=30)
                await client.execute_interactive(FILL, output_hook=hook, timeout=30)
                await client.execute_interactive("del hog\nprint(6 * 7)", output_hook=hook,
                                                 timeout=30)  # fmt: skip
            finally:
                client.stop_channels()
            return errors, "".join(printed)
    finally:
        if factory is not None:
            await factory.close()


@needs_bwrap
@pytest.mark.slow
@pytest.mark.parametrize("warm", [True, False], ids=["warm", "cold"])
def test_a_cell_that_fills_memory_to_the_last_bytes_still_reports_its_memory_error(warm):
    errors, printed = asyncio.run(_errors_after_filling(warm))
    assert errors == ["MemoryError"]  # without the reserve: no error was published at all
    assert printed.strip() == "42"
