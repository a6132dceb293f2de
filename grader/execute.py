"""Run a student's notebook in its kernel with nbclient.

nbclient does the cell loop; we use its hooks. Errors in cells are allowed (one broken cell
does not stop the rest). A cell that runs past ``cell_timeout`` is interrupted (nbclient's
``interrupt_on_timeout`` with an error reply) and recorded; if the kernel does not come back
from the interrupt (a student who ignores SIGINT), execution stops there. Output is capped as
it arrives: ``output_kb`` a cell and ``total_output_kb`` for the notebook.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import re
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import nbformat
from jupyter_core.utils import ensure_async
from nbclient import NotebookClient
from nbclient.exceptions import DeadKernelError
from nbformat.v4 import output_from_msg

from grader.models import CellError
from grader.sandbox.kernel import Kernel
from grader.settings import Limits
from grader.tracebacks import readable_traceback

TIMEOUT_ENAME = "CellTimeoutError"
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)")
RECOVERY_SECONDS = 5.0
STOPPED_TAIL = "; the cells after it were not run"
"""How every reason for a run that stopped early ends."""
TRACEBACK_CHARS = 4000
MALFORMED = (ValueError, KeyError, TypeError, AttributeError, IndexError, UnicodeError)
"""What reading a forged or mangled kernel message raises."""


class _Client(NotebookClient):
    """nbclient's cell loop over a kernel and client that :mod:`grader.sandbox.kernel` owns.

    nbclient's own set-up would install loop handlers for SIGINT and SIGTERM that only clean
    up its kernel (so a batch ignored both) and an ``atexit`` hook; the kernel is started,
    watched and stopped by the grader instead.
    """

    @contextlib.asynccontextmanager
    async def async_setup_kernel(self, **kwargs: Any) -> AsyncIterator[None]:
        """Nothing to set up: the kernel is running, its client connected."""
        yield


class KernelWedged(Exception):
    """The kernel did not recover from an interrupt after a cell time-out."""


@dataclass
class Execution:
    """What running the notebook produced."""

    nb: nbformat.NotebookNode
    cell_errors: list[CellError] = field(default_factory=list)
    stopped: str = ""
    """Why execution stopped before the last cell ("" when every cell ran)."""
    notes: list[str] = field(default_factory=list)
    duration: float = 0.0
    cell_of_count: dict[int, int] = field(default_factory=dict)
    """Execution count → index of the cell that ran with it (to name cells in tracebacks)."""
    started_after: float = 0.0
    """Seconds from the submission's start until the kernel that ran this was up."""
    broken_cell: int | None = None
    """The cell that killed or wedged the kernel (the run stopped there), if one did."""

    @property
    def kernel_usable(self) -> bool:
        """Whether the kernel is still alive and idle, so checks can reach the student's values."""
        return self.broken_cell is None


def prepare_for_execution(
    nb: nbformat.NotebookNode, skip: frozenset[int] = frozenset(), skip_tag: str = ""
) -> nbformat.NotebookNode:
    """A copy to execute: outputs cleared, student-controlled cell metadata dropped.

    The cells at ``skip`` are tagged ``skip_tag`` (nbclient then passes over them).
    """
    clean: nbformat.NotebookNode = nbformat.from_dict(nb)
    for index, cell in enumerate(clean.cells):
        cell.metadata = nbformat.NotebookNode()
        if index in skip:
            cell.metadata.tags = [skip_tag]
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    clean.metadata = nbformat.NotebookNode()
    return clean


AfterCell = Callable[[Kernel, int, nbformat.NotebookNode, "Execution"], Awaitable[None]]
"""Called after each cell that ran to its end (the kernel idle, ready for questions)."""


async def run_notebook(
    nb: nbformat.NotebookNode,
    kernel: Kernel,
    limits: Limits,
    skip: frozenset[int] = frozenset(),
    after_cell: AfterCell | None = None,
) -> Execution:
    """Execute ``nb`` in ``kernel``, passing over the cells at ``skip``.

    Student failures become data in the :class:`Execution`; a cell that kills or wedges the
    kernel ends the run there and is named in ``broken_cell``. ``after_cell`` runs after each
    cell that finished (with or without an error), before the next one starts.
    """
    skip_tag = f"grader-skip-{uuid.uuid4()}"  # students' own tags are dropped: none can match
    execution = Execution(nb=prepare_for_execution(nb, skip, skip_tag))

    running: list[int] = []

    def started_cell(cell: nbformat.NotebookNode, cell_index: int) -> None:
        running[:] = [cell_index]  # nbclient's hook, just before the cell is sent to the kernel

    def install_cap(**_: object) -> None:
        # nbclient's output-hook protocol, registered for every message (after nbclient has
        # reset its trackers at the start of the run: again before each cell).
        client.output_hook_stack = collections.defaultdict(lambda: [cap])  # type: ignore[list-item]

    async def on_cell_executed(
        cell: nbformat.NotebookNode, cell_index: int, execute_reply: dict[str, Any]
    ) -> None:
        await record(cell, cell_index, execute_reply)
        if after_cell is not None:
            await after_cell(kernel, cell_index, cell, execution)

    async def record(
        cell: nbformat.NotebookNode, cell_index: int, execute_reply: dict[str, Any]
    ) -> None:
        if cell_index in cap.truncated:
            execution.notes.append(
                f"cell {cell_index + 1}: output beyond the limit ({limits.output_kb} KiB a cell, "
                f"{limits.total_output_kb} KiB a notebook) was dropped"
            )
        content = execute_reply.get("content", {}) if execute_reply else {}
        if isinstance(content.get("execution_count"), int):
            execution.cell_of_count[content["execution_count"]] = cell_index
        if content.get("status") != "error":
            return
        if content.get("ename") == TIMEOUT_ENAME:
            execution.cell_errors.append(
                CellError(cell_index, "timeout", TIMEOUT_ENAME, content.get("evalue", ""))
            )
            if not await _recovered(client):
                raise KernelWedged(cell_index)
            return
        execution.cell_errors.append(
            CellError(
                cell=cell_index,
                kind="error",
                ename=str(content.get("ename", "Error"))[:200],
                evalue=str(content.get("evalue", ""))[:1000],
                traceback=readable_traceback(
                    clean_traceback(content.get("traceback", [])), execution.cell_of_count
                ),
            )
        )

    client = _Client(
        execution.nb,
        km=kernel.manager,
        timeout=limits.cell_timeout,
        allow_errors=True,
        interrupt_on_timeout=True,
        error_on_timeout={
            "ename": TIMEOUT_ENAME,
            "evalue": f"the cell did not finish within {limits.cell_timeout:g} seconds",
            "traceback": [],
        },
        iopub_timeout=RECOVERY_SECONDS,
        record_timing=False,
        store_widget_state=False,
        skip_cells_with_tag=skip_tag,
        on_cell_executed=on_cell_executed,
        on_cell_start=install_cap,
        on_cell_execute=started_cell,
    )
    # The kernel's client has already heard it: nbclient need not wait for it again.
    client.kc = kernel.client
    kernel.client.allow_stdin = False
    cap = OutputCap(client, limits.output_kb * 1024, limits.total_output_kb * 1024)
    client.comm_open_handlers = {}  # no widget comms: no other output hook can take outputs
    started = time.monotonic()
    try:
        await client.async_execute()
    except KernelWedged as exc:
        execution.stopped = (
            f"cell {exc.args[0] + 1} ran past its time limit and did not stop when interrupted"
            + STOPPED_TAIL
        )
        execution.broken_cell = exc.args[0]
    except DeadKernelError:
        if _cancelling():  # nbclient reports its own cancellation as a dead kernel
            raise asyncio.CancelledError from None
        index = running[0] if running else _current_cell(execution.nb, skip)
        execution.broken_cell = index
        execution.cell_errors.append(
            CellError(index, "killed", "KernelDied", _death_message(limits))
        )
        execution.stopped = f"the kernel died in cell {index + 1}" + STOPPED_TAIL
    except MALFORMED as exc:
        # jupyter_client or nbformat could not read a message: forged, or cut short when the
        # kernel ran out of memory while sending it. Stop the cell; keep the kernel if it answers.
        index = running[0] if running else _current_cell(execution.nb, skip)
        execution.stopped = (
            f"the kernel sent a corrupted message in cell {index + 1} (often a sign that it ran "
            f"out of memory while printing; {type(exc).__name__}: {str(exc)[:120]})" + STOPPED_TAIL
        )
        with contextlib.suppress(Exception):
            await kernel.manager.interrupt_kernel()
        if not await _recovered(client):
            execution.broken_cell = index
    finally:
        if client.kc is not None:
            client.kc.stop_channels()
            client.kc = None
        execution.duration = time.monotonic() - started
    return execution


def _cancelling() -> bool:
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0


async def _recovered(client: NotebookClient) -> bool:
    """After an interrupt: does the kernel answer a trivial request within a few seconds?"""
    kc = client.kc
    if kc is None:
        return False
    msg_id = kc.execute("", silent=True, store_history=False)
    deadline = time.monotonic() + RECOVERY_SECONDS
    while (left := deadline - time.monotonic()) > 0:
        try:
            reply = await asyncio.wait_for(
                ensure_async(kc.shell_channel.get_msg(timeout=left)), timeout=left + 1
            )
        except Exception:  # queue.Empty or asyncio.TimeoutError: no answer in time
            return False
        if reply.get("parent_header", {}).get("msg_id") == msg_id:
            return True
    return False


def _current_cell(nb: nbformat.NotebookNode, skip: frozenset[int] = frozenset()) -> int:
    """Index of the last code cell that started (the one the kernel died in)."""
    last = 0
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and cell.source.strip() and index not in skip:
            last = index
            if cell.get("execution_count") is None:
                return index
    return last


def _death_message(limits: Limits) -> str:
    return (
        "the kernel stopped: the code exited the interpreter, or was killed for exceeding a "
        f"resource limit (memory {limits.memory_mb} MiB, processes, CPU time)"
    )


def clean_traceback(lines: list[str]) -> str:
    """A student's traceback with ANSI colours removed, trimmed from the start if long."""
    text = ANSI.sub("", "\n".join(str(line) for line in lines))
    if len(text) > TRACEBACK_CHARS:
        text = "…\n" + text[-TRACEBACK_CHARS:]
    return text


class OutputCap:
    """An nbclient output hook keeping at most ``per_cell`` characters a cell, ``total`` in all.

    nbclient hands every output message to the hook registered for its parent message; this one
    is registered for all of them. Output beyond a cap is dropped as it arrives (a flood never
    piles up in the grader's memory), with one notice in the cell. Consecutive stream outputs are
    merged. Display updates are not applied (the hook keeps no display ids).
    """

    OVERHEAD = 256
    """Characters charged per output object besides its text, so tiny outputs count too."""

    def __init__(self, client: NotebookClient, per_cell: int, total: int) -> None:
        self.client = client
        self.per_cell = per_cell
        self.total = total
        self.used: dict[int, int] = {}
        self.truncated: set[int] = set()

    def output(
        self, outs: list[Any], msg: dict[str, Any], display_id: str | None, cell_index: int
    ) -> None:
        """Keep ``msg``'s output in ``outs`` if it fits under both caps."""
        if self.client.clear_before_next_output:
            self.client.clear_before_next_output = False
            self._clear(outs, cell_index)
        if cell_index in self.truncated:
            return
        try:
            out = output_from_msg(msg)
        except (ValueError, KeyError, TypeError):
            return  # not an output message nbformat knows; a hostile kernel's invention
        used = self.used.get(cell_index, 0)
        room = min(self.per_cell - used, self.total - sum(self.used.values()))
        size = _output_size(out) + self.OVERHEAD
        if size > room:
            self.truncated.add(cell_index)
            if out.get("output_type") == "stream" and room > self.OVERHEAD:
                out["text"] = str(out.get("text", ""))[: room - self.OVERHEAD]
                self._append(outs, out)
                used += room
            outs.append(
                nbformat.v4.new_output(
                    "stream", name="stderr", text="\n[grader: output beyond this point dropped]\n"
                )
            )
            self.used[cell_index] = used
            return
        self._append(outs, out)
        self.used[cell_index] = used + size

    def clear_output(self, outs: list[Any], msg: dict[str, Any], cell_index: int) -> None:
        """``clear_output``: now, or before the next output when ``wait`` is set."""
        if msg.get("content", {}).get("wait"):
            self.client.clear_before_next_output = True
        else:
            self._clear(outs, cell_index)

    def _clear(self, outs: list[Any], cell_index: int) -> None:
        outs[:] = []
        self.used[cell_index] = 0
        self.truncated.discard(cell_index)

    @staticmethod
    def _append(outs: list[Any], out: nbformat.NotebookNode) -> None:
        last = outs[-1] if outs else None
        if (
            last is not None
            and out.get("output_type") == "stream"
            and last.get("output_type") == "stream"
            and last.get("name") == out.get("name")
        ):
            last["text"] = str(last["text"]) + str(out["text"])
        else:
            outs.append(out)


def _output_size(output: nbformat.NotebookNode) -> int:
    if output.get("output_type") == "stream":
        return len(output.get("text", ""))
    data = output.get("data", {})
    size = sum(len(str(v)) for v in data.values())
    if output.get("output_type") == "error":
        size += sum(len(line) for line in output.get("traceback", []))
    return size
