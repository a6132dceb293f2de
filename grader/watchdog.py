"""Liveness that does not depend on the event loop: deadlines and stop signals, in a thread.

Everything a batch does with kernels runs on one asyncio event loop, and every interaction
there has its own deadline. This module is the second line: a thread that holds, for each
running submission, its deadline and a way to kill its sandbox (SIGKILL to processes, no
asyncio object touched), and kills it when the deadline passes, however busy the loop is.

It also turns SIGTERM and Ctrl-C into a clean stop: the batch's task is cancelled (kernels and
check workers are stopped by their own ``finally`` blocks, finished results are already in the
gradebook); if that has not ended the batch within :data:`HARD_STOP` seconds, the thread kills
every sandbox it knows and ends the process. The signal is read from a wakeup file descriptor,
so it is seen even while the main thread is stuck in a C call.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import select
import signal
import sys
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import TypeVar

T = TypeVar("T")

HARD_STOP = 4.0
"""Seconds after a stop signal before every sandbox is killed and the process exits."""
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)

Kill = Callable[[], None]


class Watchdog:
    """Deadlines of running submissions, enforced from a thread of its own."""

    def __init__(self) -> None:
        self._lock = threading.Condition()
        self._guards: dict[int, tuple[float, Kill]] = {}
        self._ids = itertools.count()
        self._thread: threading.Thread | None = None

    @contextlib.contextmanager
    def guard(self, deadline: float, kill: Kill) -> Iterator[None]:
        """Call ``kill`` (once, from the watchdog's thread) if the block outlives ``deadline``.

        ``deadline`` is on the :func:`time.monotonic` clock; ``math.inf``: only on a hard stop.
        """
        token = self.add(deadline, kill)
        try:
            yield
        finally:
            self.remove(token)

    def add(self, deadline: float, kill: Kill) -> int:
        """Guard until :meth:`remove` (for holders that are not a block); returns a token."""
        with self._lock:
            token = next(self._ids)
            self._guards[token] = (deadline, kill)
            self._start()
            self._lock.notify()
        return token

    def remove(self, token: int) -> None:
        """Stop guarding (the holder ended by itself)."""
        with self._lock:
            self._guards.pop(token, None)

    def kill_all(self) -> None:
        """Kill every guarded sandbox now."""
        with self._lock:
            kills = [kill for _, kill in self._guards.values()]
            self._guards.clear()
        for kill in kills:
            _quietly(kill)

    def _start(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._run, name="grader-watchdog", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while True:
            with self._lock:
                now = time.monotonic()
                due = [t for t, (deadline, _) in self._guards.items() if deadline <= now]
                kills = [self._guards.pop(t)[1] for t in due]
                if not kills:
                    nearest = min((d for d, _ in self._guards.values()), default=now + 60)
                    self._lock.wait(timeout=min(max(nearest - now, 0.01), 60))
                    continue
            for kill in kills:
                _quietly(kill)


async def to_the_end(clean_up: Awaitable[T]) -> T:
    """Await ``clean_up`` to its end even if the task is cancelled meanwhile, then re-raise.

    A stop signal cancels the batch wherever it is, also while a kernel that has finished is
    being stopped: cut there, the kernel's sockets, processes and run folder would be left.
    The clean-up is bounded by its own waits, and a hard stop ends the process anyway.
    """
    task = asyncio.ensure_future(clean_up)
    cancelled = False
    while not task.done():
        try:
            await asyncio.shield(task)
        except asyncio.CancelledError:
            cancelled = True
    if cancelled:
        raise asyncio.CancelledError
    return task.result()


def _quietly(kill: Kill) -> None:
    with contextlib.suppress(Exception):  # a process already gone, or a pid no longer ours
        kill()


_watchdog = Watchdog()


def watchdog() -> Watchdog:
    """This process's watchdog."""
    return _watchdog


class Stop:
    """Which stop signal arrived, if one did."""

    def __init__(self) -> None:
        self.signum: int | None = None

    @property
    def name(self) -> str:
        """``SIGTERM`` or ``SIGINT`` (Ctrl-C)."""
        return signal.Signals(self.signum).name if self.signum else ""


@contextlib.contextmanager
def stop_on_signals(task: asyncio.Task[object], on_hard_stop: Kill | None = None) -> Iterator[Stop]:
    """Cancel ``task`` on SIGTERM or Ctrl-C; end the process if that takes over HARD_STOP s.

    Only in the main thread (signals cannot be caught elsewhere); a no-op anywhere else.
    ``on_hard_stop`` runs just before the process ends (to say what was left).
    """
    stop = Stop()
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return
    loop = task.get_loop()
    read, write = os.pipe()
    os.set_blocking(write, False)
    previous = {s: signal.signal(s, lambda *_: None) for s in STOP_SIGNALS}
    previous_fd = signal.set_wakeup_fd(write, warn_on_full_buffer=False)
    finished = threading.Event()

    def watch() -> None:
        while not finished.is_set():
            ready, _, _ = select.select([read], [], [], 0.5)
            if not ready:
                continue
            data = os.read(read, 64)
            signums = [s for s in data if s in STOP_SIGNALS]
            if not signums or stop.signum is not None:
                continue
            stop.signum = signums[0]
            with contextlib.suppress(RuntimeError):  # the loop has just closed
                loop.call_soon_threadsafe(task.cancel)
            if not finished.wait(HARD_STOP):
                _watchdog.kill_all()
                if on_hard_stop is not None:
                    _quietly(on_hard_stop)
                sys.stderr.flush()
                os._exit(128 + stop.signum)

    thread = threading.Thread(target=watch, name="grader-stop", daemon=True)
    thread.start()
    try:
        yield stop
    finally:
        finished.set()
        with contextlib.suppress(BlockingIOError):  # wake the watcher now, not at its timeout
            os.write(write, b"\0")
        signal.set_wakeup_fd(previous_fd)
        for s, handler in previous.items():
            signal.signal(s, handler)
        thread.join()
        os.close(read)
        os.close(write)
