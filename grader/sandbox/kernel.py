"""Start and stop one student kernel inside its sandbox.

The kernel spec is built in memory for each submission: a fixed argv (the grader's own Python
and ipykernel; the notebook's kernelspec metadata is never read), interrupts as signals to the
kernel's own process (never a message a student can block the batch with), and
the :class:`~grader.sandbox.SandboxProvisioner` configured with this submission's folders and
limits.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import math
import os
import shutil
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from importlib.metadata import EntryPoint
from pathlib import Path
from queue import Empty
from typing import TYPE_CHECKING, Any, cast

import zmq
from jupyter_client.asynchronous.client import AsyncKernelClient
from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from jupyter_client.provisioning.factory import KernelProvisionerFactory

from grader.errors import KernelError
from grader.guest import figures, memory_reserve
from grader.guest.codec import MAX_PAYLOAD
from grader.guest.output_cap import startup_code
from grader.sandbox.bwrap import Isolation
from grader.sandbox.handover import can_drop_root, hand_over, link_tree, nproc_limit
from grader.sandbox.provisioner import SandboxConfig
from grader.sandbox.reaper import kill_pids, kill_uid, leave_clean, process_tree, student_uid
from grader.sandbox.spares import Spare
from grader.sandbox.warm import WarmProcess
from grader.settings import Limits
from grader.watchdog import to_the_end, watchdog

if TYPE_CHECKING:
    from grader.sandbox.warm import KernelFactory

log = logging.getLogger(__name__)
PROVISIONER = "grader-sandbox"
WARM_PROVISIONER = "grader-warm"
IOPUB_PROBE = 0.02
"""Seconds to wait for iopub after each kernel_info reply while the kernel starts."""
MAX_MESSAGE = MAX_PAYLOAD
"""Bytes of the largest message the grader accepts from a kernel: the largest value a check
may read from one (:data:`grader.guest.codec.MAX_PAYLOAD`)."""
RECONNECT_MS = 10
"""How often the grader's sockets retry connecting to a kernel that has not bound them yet."""


class _OneSpec(KernelSpecManager):
    """A kernel spec manager that knows exactly one, in-memory, kernel spec."""

    def __init__(self, spec: KernelSpec, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._spec = spec

    def get_kernel_spec(self, kernel_name: str) -> KernelSpec:
        return self._spec


@dataclass
class Kernel:
    """A running sandboxed kernel."""

    manager: AsyncKernelManager
    isolation: Isolation
    connection: dict[str, Any]
    """Connection info (ipc socket paths and key) for the check worker's bridge."""
    client: AsyncKernelClient
    """A client that has heard the kernel on shell and iopub (for running the notebook)."""
    warm: bool = False
    """Whether it was forked from the batch's zygote (else started cold)."""
    uid: int | None = None
    """The uid it runs as (None: the grader's own)."""
    workdir: Path = Path()
    """The folder its home started as a copy of (a warm kernel's: once seeded)."""


def _register_provisioners() -> None:
    factory = KernelProvisionerFactory.instance()
    for name, value in [
        (PROVISIONER, "grader.sandbox:SandboxProvisioner"),
        (WARM_PROVISIONER, "grader.sandbox.warm:WarmProvisioner"),
    ]:
        if name not in factory.provisioners:
            factory.provisioners[name] = EntryPoint(
                name=name, value=value, group="jupyter_client.kernel_provisioners"
            )


@contextlib.asynccontextmanager
async def sandboxed_kernel(
    workdir: Path,
    limits: Limits,
    isolation: Isolation,
    startup_timeout: float = 60,
    factory: KernelFactory | None = None,
    deadline: float = math.inf,
    stderr_log: Path | None = None,
) -> AsyncIterator[Kernel]:
    """A fresh kernel, its home a copy of ``workdir``; killed with all it started on exit.

    With a ``factory`` (bubblewrap only), the kernel is one of its spares, forked from its warm
    zygote (most often while the last notebook ran), and ``workdir`` should lie on the spool's
    file system (its files are linked, not copied, into the kernel's seed). Should the kernel
    outlive ``deadline`` (:func:`time.monotonic`), the watchdog's thread kills its whole
    sandbox, however busy the event loop is. ``stderr_log``: where a cold kernel's stderr goes
    (``--debug``).
    """
    _register_provisioners()
    async with contextlib.AsyncExitStack() as stack:
        kernel = None
        if factory is not None and isolation == "bwrap":
            kernel = await _warm(factory, workdir, limits, startup_timeout, stack)
        if kernel is None:
            kernel = await _start(
                stack, workdir, limits, isolation, startup_timeout, None, stderr_log
            )
        with watchdog().guard(deadline, _sandbox_killer(kernel.manager, kernel.uid)):
            yield kernel


async def _warm(
    factory: KernelFactory,
    workdir: Path,
    limits: Limits,
    timeout: float,
    stack: contextlib.AsyncExitStack,
) -> Kernel | None:
    """One of ``factory``'s spare kernels, its home filled from ``workdir``, or None.

    ``stack`` stops it. None: it must start cold instead (the log says why).
    """
    try:
        if factory.gone:
            raise KernelError(factory.broken or "the warm-kernel zygote of this batch is gone")
        spare = await factory.spares.take(
            limits, functools.partial(_spare, factory, limits, timeout)
        )
    except KernelError as exc:
        _say_cold(factory, exc)
        return None
    try:
        await _seed(spare.kernel, workdir, timeout)
    except BaseException as exc:
        await to_the_end(spare.stop.aclose())
        if not isinstance(exc, KernelError):
            raise
        _say_cold(factory, exc)
        return None
    await stack.enter_async_context(spare.stop)
    return cast(Kernel, spare.kernel)


def _say_cold(factory: KernelFactory, why: KernelError) -> None:
    if not factory.gone:
        log.warning("%s; starting this kernel cold", why)
    elif not factory.warned:  # said once: every later kernel of the batch starts cold
        factory.warned = True
        log.warning("%s; starting kernels cold from now on", why)


async def _spare(factory: KernelFactory, limits: Limits, timeout: float) -> Spare[Kernel]:
    """A warm kernel of ``factory`` with an empty seed, for a notebook not known yet."""
    if factory.gone:
        raise KernelError(factory.broken or "the warm-kernel zygote of this batch is gone")
    async with contextlib.AsyncExitStack() as stack:
        seed = Path(tempfile.mkdtemp(prefix="grader-seed-", dir=factory.spool))
        stack.callback(shutil.rmtree, seed, ignore_errors=True)
        kernel = await _start(stack, seed, limits, "bwrap", timeout, factory, None)
        return Spare(kernel, stack.pop_all())


async def _seed(kernel: Kernel, workdir: Path, timeout: float) -> None:
    """Put ``workdir``'s files in a spare kernel's seed; its init copies them into its home."""
    process = getattr(kernel.manager.provisioner, "process", None)
    if not isinstance(process, WarmProcess):
        raise KernelError("the spare kernel did not start warm")
    try:
        link_tree(workdir, kernel.workdir, kernel.uid)
    except OSError as exc:
        raise KernelError(f"the warm kernel's seed could not be written: {exc}") from None
    await process.factory.seed(process.kid, timeout)


async def _start(
    stack: contextlib.AsyncExitStack,
    workdir: Path,
    limits: Limits,
    isolation: Isolation,
    startup_timeout: float,
    factory: KernelFactory | None,
    stderr_log: Path | None,
) -> Kernel:
    """A kernel started and answering; ``stack`` stops it.

    Cold, or warm from ``factory``: then with its home empty until seeded (:func:`_seed`).
    """
    uid_lease = stack.enter_context(student_uid())
    uid = uid_lease if uid_lease is not None and can_drop_root(isolation) else None
    spool = factory.spool if factory is not None else None
    run_dir = Path(tempfile.mkdtemp(prefix="grader-run-", dir=spool))
    if uid is not None:
        hand_over(workdir, run_dir, uid)
    config = SandboxConfig(
        workdir=str(workdir),
        run_dir=str(run_dir),
        isolation=isolation,
        memory_mb=limits.memory_mb,
        cpu_seconds=int(limits.cpu_seconds or limits.submission_timeout) + 5,
        nproc=nproc_limit(uid, limits.processes),
        disk_mb=limits.disk_mb,
        open_files=limits.open_files,
        uid=uid,
        factory=factory.key if factory is not None else None,
        stderr_log=str(stderr_log) if stderr_log is not None else None,
    )
    provisioner = WARM_PROVISIONER if factory is not None else PROVISIONER
    spec = KernelSpec(
        argv=[
            *(sys.executable, "-s", "-m", "ipykernel_launcher", "-f", "{connection_file}"),
            # No SQLite history of the inputs: nothing reads it after the kernel, and its
            # file, its writing thread and a write per cell cost every kernel (the
            # session's In, Out and %history stay, in memory).
            "--HistoryManager.enabled=False",
            # The output cap and the memory reserve, as one cell (IPython runs each entry as one).
            "--IPKernelApp.exec_lines="
            + startup_code(limits.output_kb * 1024)
            + memory_reserve.startup_code(),
            # A warm kernel's zygote installed the figure recorder before forking it.
            *([f"--IPKernelApp.exec_lines={figures.startup_code()}"] if factory is None else []),
        ],
        display_name="grader sandbox",
        language="python",
        interrupt_mode="signal",
        metadata={
            "kernel_provisioner": {
                "provisioner_name": provisioner,
                "config": config.to_traits(),
            }
        },
    )
    km = AsyncKernelManager(kernel_name=provisioner, kernel_spec_manager=_OneSpec(spec))
    km.shutdown_wait_time = 0.5
    # Every socket the grader opens to this kernel (the client's share this context)
    # refuses messages over the size cap, and retries its connection every 10 ms while the
    # kernel starts (zmq's default, 100 ms, was most of a warm kernel's start).
    km.context.setsockopt(zmq.MAXMSGSIZE, MAX_MESSAGE)
    km.context.setsockopt(zmq.RECONNECT_IVL, RECONNECT_MS)
    client: AsyncKernelClient | None = None
    stack.push_async_callback(
        lambda: to_the_end(_stop(km, client, uid, isolation, run_dir))  # the client, once made
    )
    await km.start_kernel()
    client = await _wait_ready(km, startup_timeout)
    if uid is not None:
        # Sockets exist: the student (group member only) may no longer write here.
        os.chmod(run_dir, 0o550)  # noqa: S103
    info = km.get_connection_info(session=False)
    # A warm launch that fails raises (the caller starts a cold kernel instead).
    return Kernel(km, isolation, dict(info), client, factory is not None, uid, workdir)


async def _stop(
    km: AsyncKernelManager,
    client: AsyncKernelClient | None,
    uid: int | None,
    isolation: Isolation,
    run_dir: Path,
) -> None:
    """Stop the kernel and all it started; close every socket to it; remove its run folder."""
    if client is not None:
        client.stop_channels()
    tree = _kernel_tree(km) if uid is None and isolation == "limits" else set()
    namespace_gone = False
    with contextlib.suppress(Exception):
        namespace_gone = await _kill(km)
    with contextlib.suppress(Exception):
        await km.cleanup_resources()
    # Where the kernel's pid namespace ended, nothing of its uid is left to find.
    if uid is not None and (namespace_gone or kill_uid(uid)):
        leave_clean(uid)
    kill_pids(tree)
    shutil.rmtree(run_dir, ignore_errors=True)


async def _kill(km: AsyncKernelManager) -> bool:
    """Kill the kernel and reap it: ``km.shutdown_kernel(now=True)`` without its waits.

    jupyter_client's shutdown sleeps 10 ms after it is done (for its own tests to see the
    state) and polls every 0.1 s for the process's end; both provisioners here return from
    ``kill`` once the kernel has exited (or after a few seconds), and the exit is then reaped.
    Returns whether the kernel's whole pid namespace is known to have ended: a warm kernel's
    init has exited, and Linux ends every process of a pid namespace before its init's exit
    is reported.
    """
    provisioner = km.provisioner
    if provisioner is None or not km.has_kernel:
        return False
    warm = isinstance(provisioner.process, WarmProcess)  # type: ignore[attr-defined]
    await provisioner.kill()
    if await provisioner.poll() is None:
        return False
    await provisioner.wait()
    return warm


def _sandbox_killer(km: AsyncKernelManager, uid: int | None) -> Callable[[], None]:
    """A way to kill this kernel's whole sandbox from any thread (signals only)."""
    process = getattr(km.provisioner, "process", None)
    # A warm kernel's init, or a cold kernel's launcher: its namespace ends with it.
    if isinstance(process, WarmProcess):
        root = process.factory.host_pid(process.kid)
    else:
        root = _launcher_pid(km)

    def kill() -> None:
        if root is not None:
            kill_pids(process_tree(root))
        if uid is not None:
            kill_uid(uid)

    return kill


def _launcher_pid(km: AsyncKernelManager) -> int | None:
    """The pid of the process the provisioner launched (a cold kernel's prlimit/bwrap)."""
    pid = getattr(getattr(km.provisioner, "process", None), "pid", None)
    return pid if isinstance(pid, int) else None


def _kernel_tree(km: AsyncKernelManager) -> set[int]:
    pid = _launcher_pid(km)
    return process_tree(pid) if pid is not None else set()


async def _wait_ready(km: AsyncKernelManager, timeout: float) -> AsyncKernelClient:
    """A client of the kernel once it answers on shell and iopub; else KernelError.

    jupyter_client's ``wait_for_ready`` waits 0.2 s for iopub after each reply, and the first
    reply usually comes before iopub is connected: asking again every 20 ms saves that.
    """
    client = km.client(context=km.context)  # the context carries the size cap
    client.start_channels()
    deadline = time.monotonic() + timeout
    try:
        while True:
            alive = await km.is_alive()
            if not alive or time.monotonic() > deadline:
                why = "no answer" if alive else "it died"
                raise KernelError(
                    f"the sandboxed kernel did not start ({why} within {timeout:g} s); "
                    "try --sandbox=off to see whether the sandbox is the cause"
                )
            msg_id = client.kernel_info()
            if not await _replied(client, msg_id, 0.5):
                continue
            try:
                await client.iopub_channel.get_msg(timeout=IOPUB_PROBE)
            except Empty:
                continue
            return client
    except BaseException:
        client.stop_channels()
        raise


async def _replied(client: AsyncKernelClient, msg_id: str, timeout: float) -> bool:
    """Whether the reply to ``msg_id`` comes on shell within ``timeout`` seconds."""
    end = time.monotonic() + timeout
    while (left := end - time.monotonic()) > 0:
        try:
            msg = await client.shell_channel.get_msg(timeout=left)
        except Empty:
            return False
        if msg.get("parent_header", {}).get("msg_id") == msg_id:
            return True
    return False
