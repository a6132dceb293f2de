"""Run a student's notebook in its kernel with nbclient.

nbclient does the cell loop; we use its hooks. Errors in cells are allowed (one broken cell
does not stop the rest). A cell that runs past ``cell_timeout`` is interrupted (nbclient's
``interrupt_on_timeout`` with an error reply) and recorded; if the kernel does not come back
from the interrupt (a student who ignores SIGINT), execution stops there. Each cell keeps at
most ``output_kb`` of output.
"""

from __future__ import annotations

import asyncio
import atexit
import re
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import nbformat
from jupyter_core.utils import ensure_async
from nbclient import NotebookClient
from nbclient.exceptions import DeadKernelError

from grader.config import Limits
from grader.kernel import Kernel
from grader.models import CellError

TIMEOUT_ENAME = "CellTimeoutError"
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)")
RECOVERY_SECONDS = 5.0
TRACEBACK_CHARS = 4000


class KernelWedged(Exception):
    """The kernel did not recover from an interrupt after a cell time-out."""


@dataclass
class Execution:
    """What running the notebook produced."""

    nb: nbformat.NotebookNode
    cell_errors: list[CellError] = field(default_factory=list)
    stopped: str = ""
    """Why execution stopped before the last cell ("" when every cell ran)."""
    kernel_usable: bool = True
    """Whether the kernel is still alive and idle, so checks can reach the student's values."""
    notes: list[str] = field(default_factory=list)
    duration: float = 0.0


def prepare_for_execution(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy to execute: outputs cleared, student-controlled cell metadata dropped."""
    clean: nbformat.NotebookNode = nbformat.from_dict(nb)
    for cell in clean.cells:
        cell.metadata = nbformat.NotebookNode()
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    clean.metadata = nbformat.NotebookNode()
    return clean


async def run_notebook(nb: nbformat.NotebookNode, kernel: Kernel, limits: Limits) -> Execution:
    """Execute ``nb`` in ``kernel``; student failures become data in the :class:`Execution`."""
    execution = Execution(nb=prepare_for_execution(nb))
    output_cap = limits.output_kb * 1024

    async def on_cell_executed(
        cell: nbformat.NotebookNode, cell_index: int, execute_reply: dict[str, Any]
    ) -> None:
        if _cap_outputs(cell, output_cap):
            execution.notes.append(
                f"cell {cell_index}: output beyond {limits.output_kb} KiB was dropped"
            )
        content = execute_reply.get("content", {}) if execute_reply else {}
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
                traceback=clean_traceback(content.get("traceback", [])),
            )
        )

    client = NotebookClient(
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
        skip_cells_with_tag=f"never-{uuid.uuid4()}",
        on_cell_executed=on_cell_executed,
    )
    started = time.monotonic()
    try:
        await client.async_execute()
    except KernelWedged as exc:
        execution.stopped = (
            f"cell {exc.args[0]} ran past its time limit and did not stop when interrupted; "
            "the cells after it were not run"
        )
        execution.kernel_usable = False
    except DeadKernelError:
        index = _current_cell(execution.nb)
        execution.cell_errors.append(
            CellError(index, "killed", "KernelDied", _death_message(limits))
        )
        execution.stopped = f"the kernel died in cell {index}; the cells after it were not run"
        execution.kernel_usable = False
    finally:
        atexit.unregister(client._cleanup_kernel)  # registered by nbclient; we own the kernel
        if client.kc is not None:
            client.kc.stop_channels()
            client.kc = None
        execution.duration = time.monotonic() - started
    return execution


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


def _current_cell(nb: nbformat.NotebookNode) -> int:
    """Index of the last code cell that started (the one the kernel died in)."""
    last = 0
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and cell.source.strip():
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


def _cap_outputs(cell: nbformat.NotebookNode, cap: int) -> bool:
    """Trim ``cell.outputs`` to ``cap`` bytes of text; return whether anything was dropped."""
    used = 0
    kept = []
    dropped = False
    for output in cell.get("outputs", []):
        size = _output_size(output)
        if used + size <= cap:
            kept.append(output)
            used += size
            continue
        dropped = True
        if output.get("output_type") == "stream" and used < cap:
            output["text"] = output["text"][: cap - used]
            kept.append(output)
            used = cap
    if dropped:
        kept.append(
            nbformat.v4.new_output(
                "stream", name="stderr", text=f"\n[grader: output truncated at {cap // 1024} KiB]\n"
            )
        )
        cell.outputs = kept
    return dropped


def _output_size(output: nbformat.NotebookNode) -> int:
    if output.get("output_type") == "stream":
        return len(output.get("text", ""))
    data = output.get("data", {})
    size = sum(len(str(v)) for v in data.values())
    if output.get("output_type") == "error":
        size += sum(len(line) for line in output.get("traceback", []))
    return size
