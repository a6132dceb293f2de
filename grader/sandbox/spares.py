"""Kernels started before their notebook is known, so that a notebook does not wait for one.

A batch's next kernel starts while the last one runs. A spare kernel is confined and running
with an empty home (:mod:`grader.guest.zygote`); the notebook that takes it has its files put
in its seed, and the kernel's init copies them into its home before anything runs there.
:class:`Spares` keeps them per kind (a key: the same assignment's kernels are alike) and starts
one more each time one is taken, as long as the batch said it will ask for more (or, told
nothing, as a cluster worker is, always: one spare a slot is left unused when it stops).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Generic, TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True)
class Spare(Generic[T]):
    """A started kernel and what stops it (its kernel, its uid, its folders)."""

    kernel: T
    stop: contextlib.AsyncExitStack


Start = Callable[[], Awaitable[Spare[T]]]


class Spares(Generic[T]):
    """A batch's spare kernels, by kind."""

    def __init__(self) -> None:
        self._waiting: dict[Hashable, deque[asyncio.Task[Spare[T]]]] = {}
        self._unclaimed: set[asyncio.Task[Spare[T]]] = set()
        """Every kernel started (or starting) that no taker holds yet."""
        self.left: int | None = None
        """How many more kernels the batch will take; None: not known (keep one a taker)."""
        self.closed = False

    def expect(self, kernels: int) -> None:
        """The batch will take ``kernels`` more kernels: start no spare beyond them."""
        self.left = kernels

    async def take(self, kind: Hashable, start: Start[T]) -> Spare[T]:
        """A spare of ``kind``, and one more started for a later taker.

        The spare is one started earlier (waited for if it is still starting), else one started
        now; a spare that failed to start is replaced by one started now. Raises whatever
        starting this taker's own kernel raised.
        """
        queue = self._waiting.setdefault(kind, deque())
        if self.left is not None:
            self.left = max(0, self.left - 1)
        spare = None
        if queue:
            try:
                spare = await self._claim(queue.popleft(), queue)
            except Exception as exc:  # this taker starts its own instead
                log.info("a spare kernel did not start (%s); starting one now", exc)
        if spare is None:
            spare = await self._claim(self._begin(start), queue)
        if not self.closed and (self.left is None or self.left > len(queue)):
            queue.append(self._begin(start))
        return spare

    async def _claim(
        self, task: asyncio.Task[Spare[T]], queue: deque[asyncio.Task[Spare[T]]]
    ) -> Spare[T]:
        """The spare ``task`` starts, once started; if the taker is cancelled, the next's."""
        try:
            spare = await asyncio.shield(task)
        except asyncio.CancelledError:
            # The taker was cancelled (its time is up): the kernel is someone else's spare.
            if not self.closed and (
                not task.done() or (not task.cancelled() and task.exception() is None)
            ):
                queue.appendleft(task)
            raise
        except BaseException:
            self._unclaimed.discard(task)
            raise
        self._unclaimed.discard(task)
        return spare

    def _begin(self, start: Start[T]) -> asyncio.Task[Spare[T]]:
        task = asyncio.ensure_future(start())
        self._unclaimed.add(task)
        return task

    async def started(self, kind: Hashable) -> None:
        """Wait until the spares of ``kind`` starting now have started (or failed to)."""
        waiting = list(self._waiting.get(kind, ()))
        if waiting:
            await asyncio.wait(waiting)

    async def close(self) -> None:
        """Stop every spare no taker holds (cancel those starting); start none after."""
        self.closed = True
        tasks = list(self._unclaimed)
        self._unclaimed.clear()
        self._waiting.clear()
        for task in tasks:
            task.cancel()
        for outcome in await asyncio.gather(*tasks, return_exceptions=True):
            if isinstance(outcome, Spare):
                await outcome.stop.aclose()
