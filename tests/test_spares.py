"""Spare kernels: started ahead of their notebooks, never more than a batch takes (grader.sandbox.spares)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Coroutine

import pytest

from grader.sandbox.spares import Spare, Spares


class Starts:
    """A fake kernel start: counts starts and stops; ``gate`` holds starts until set."""

    def __init__(self, fail: int = 0) -> None:
        self.started = 0
        self.stopped = 0
        self.fail = fail
        self.gate = asyncio.Event()
        self.gate.set()

    def __call__(self) -> Coroutine[None, None, Spare[int]]:
        self.started += 1
        return self._start(self.started)

    async def _start(self, number: int) -> Spare[int]:
        await self.gate.wait()
        if number <= self.fail:
            raise RuntimeError(f"start {number} failed")
        stack = contextlib.AsyncExitStack()
        stack.callback(self._stop)
        return Spare(number, stack)

    def _stop(self) -> None:
        self.stopped += 1


def test_a_taker_with_no_spare_gets_one_started_now_and_leaves_one_for_the_next():
    async def scenario() -> tuple[int, int, int]:
        spares, start = Spares[int](), Starts()
        first = await spares.take("a", start)
        await spares.started("a")
        second = await spares.take("a", start)
        return first.kernel, second.kernel, start.started

    first, second, started = asyncio.run(scenario())
    assert (first, second) == (1, 2)  # the second taker got the spare started for it
    assert started == 3  # and left one for a third


def test_a_batch_that_said_how_many_it_takes_gets_no_spare_beyond_them():
    async def scenario() -> tuple[list[int], int, int]:
        spares, start = Spares[int](), Starts()
        spares.expect(3)
        taken = [(await spares.take("a", start)).kernel for _ in range(3)]
        await spares.close()
        return taken, start.started, start.stopped

    taken, started, stopped = asyncio.run(scenario())
    assert taken == [1, 2, 3]
    assert started == 3
    assert stopped == 0  # none was left over to stop


def test_spares_of_one_kind_are_not_given_to_another():
    async def scenario() -> tuple[int, int]:
        spares, start = Spares[int](), Starts()
        await spares.take("a", start)  # leaves spare 2 for kind a
        await spares.started("a")
        other = await spares.take("b", start)
        return other.kernel, start.started

    other, started = asyncio.run(scenario())
    assert other == 3
    assert started == 4


def test_a_taker_cancelled_while_its_kernel_starts_leaves_it_to_the_next_taker():
    async def scenario() -> tuple[int, int]:
        spares, start = Spares[int](), Starts()
        start.gate.clear()
        taker = asyncio.create_task(spares.take("a", start))
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        taker.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await taker
        start.gate.set()
        spare = await spares.take("a", start)
        return spare.kernel, start.started

    kernel, started = asyncio.run(scenario())
    assert kernel == 1  # the kernel the cancelled taker started
    assert started == 2  # and one spare for later, no more


def test_a_failed_start_reaches_its_taker_and_the_next_taker_gets_a_fresh_one():
    async def scenario() -> tuple[str, int]:
        spares, start = Spares[int](), Starts(fail=1)
        with pytest.raises(RuntimeError) as failed:
            await spares.take("a", start)
        spare = await spares.take("a", start)
        return str(failed.value), spare.kernel

    why, kernel = asyncio.run(scenario())
    assert why == "start 1 failed"
    assert kernel == 2


def test_a_spare_that_failed_to_start_is_replaced_for_its_taker():
    async def scenario() -> tuple[int, int]:
        spares, start = Spares[int](), Starts()
        await spares.take("a", start)  # kernel 1; spare 2 starts
        start.fail = 2  # and fails
        await spares.started("a")
        spare = await spares.take("a", start)
        return spare.kernel, start.started

    kernel, started = asyncio.run(scenario())
    assert kernel == 3  # started for this taker when its spare had failed
    assert started == 4  # and one more for later


def test_closing_stops_the_spares_no_taker_holds_and_cancels_those_starting():
    async def scenario() -> tuple[int, int, bool]:
        spares, start = Spares[int](), Starts()
        await spares.take("a", start)  # taken: kernel 1; spare 2 starts
        await spares.started("a")  # spare 2 is up
        start.gate.clear()
        taker = asyncio.create_task(spares.take("b", start))  # kernel 3 waits at the gate
        await asyncio.sleep(0.01)
        await spares.close()
        cancelled = False
        try:
            await taker
        except asyncio.CancelledError:
            cancelled = True
        start.gate.set()
        await asyncio.sleep(0.01)
        return start.started, start.stopped, cancelled

    started, stopped, cancelled = asyncio.run(scenario())
    assert stopped == 1  # spare 2, up and unclaimed, was stopped
    assert cancelled  # kernel 3's start was cancelled, its taker with it
    assert started == 3  # and nothing started once closed
