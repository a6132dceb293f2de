"""Warm kernels: forked from one sandboxed process that has imported their libraries.

A fresh kernel spends one to two seconds starting Python and ipykernel and importing numpy,
pandas and scikit-learn before a student's first line runs. For a batch, :class:`KernelFactory`
starts the zygote (:mod:`grader.guest.zygote`) once, inside bubblewrap with the same view of the
system as a kernel's, and it imports ipykernel and what the assignment's notebook imports, and
installs the grader's own kernel-side modules (the checks' helper, the figure recorder). Each
submission's kernel is then a fork of it, in namespaces of its own, with its own fresh /proc,
/tmp and home, only its own files, its own limits and no privilege left (its own uid as root).

:class:`WarmProvisioner` is the jupyter_client provisioner of such a kernel: it writes the
connection file like :class:`~grader.sandbox.SandboxProvisioner` and asks the factory, instead
of ``Popen``, for the process.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import itertools
import json
import logging
import math
import os
import shutil
import signal
import sys
import tempfile
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any

from jupyter_client.connect import KernelConnectionInfo

from grader.checks.bridge import bootstrap_code
from grader.errors import KernelError
from grader.guest.protocol import Event, ReadyEvent, Request, SpawnRequest
from grader.sandbox.bwrap import python_roots, zygote_bwrap_args
from grader.sandbox.provisioner import KILL_WAIT, SandboxProvisioner
from grader.sandbox.reaper import host_pid, kill_pids, process_tree
from grader.sandbox.spares import Spares
from grader.watchdog import to_the_end, watchdog

log = logging.getLogger(__name__)
ZYGOTE_SOURCES = ("protocol.py", "confine.py", "prepared.py", "zygote.py")
"""The zygote's program, run in this order as one ``python -c`` source: the shared protocol, the
confinement, what it prepares for every kernel, then the zygote's loop."""
READY_TIMEOUT = 60.0
MAX_EVENT = 1 << 16
_FACTORIES: dict[str, KernelFactory] = {}
_ids = itertools.count(1)


def _future() -> asyncio.Future[Any]:
    return asyncio.get_running_loop().create_future()


@dataclass
class _Child:
    started: asyncio.Future[int] = field(default_factory=_future)
    seeded: asyncio.Future[None] = field(default_factory=_future)
    exited: asyncio.Future[tuple[int, str]] = field(default_factory=_future)


class KernelFactory:
    """The zygote of one batch: ``spawn`` a kernel, ``kill`` it, ``close`` at the end."""

    def __init__(self, process: asyncio.subprocess.Process, root: Path) -> None:
        self.process = process
        self.root = root
        self.spool = root / "spool"
        """Every kernel's working and run folders live here (each kernel sees only its own)."""
        self.key = f"factory-{next(_ids)}"
        self.children: dict[str, _Child] = {}
        self.broken = ""
        self._reader: asyncio.Task[None] | None = None
        self.warned = False
        """Whether the grader has said that kernels start cold because this zygote failed."""
        self._guard: int | None = None
        """The watchdog's token: on a hard stop it kills the zygote and every kernel."""
        self.spares: Spares[Any] = Spares()
        """Its kernels started before their notebooks (:mod:`grader.sandbox.kernel`)."""

    @classmethod
    async def start(cls, preload: Sequence[str], timeout: float = READY_TIMEOUT) -> KernelFactory:
        """Start the zygote and wait until it has imported ``preload``.

        Raises:
            KernelError: it did not start (the log's last lines say why).
        """
        root = Path(tempfile.mkdtemp(prefix="grader-warm-"))
        (root / "spool").mkdir()
        command = [
            *zygote_bwrap_args(root / "spool"),
            "--",
            *(sys.executable, "-s", "-c", zygote_source()),
            *(str(root / "spool"), json.dumps(list(preload)), json.dumps(_under_tmp())),
            bootstrap_code(),
        ]
        with open(root / "zygote.log", "wb") as err:
            try:
                process = await asyncio.create_subprocess_exec(
                    *command,
                    stdin=asyncio.subprocess.PIPE,
                    stdout=asyncio.subprocess.PIPE,
                    stderr=err,
                    env={"PATH": os.environ.get("PATH", "/usr/bin:/bin")},
                    cwd="/",
                    limit=MAX_EVENT,
                )
            except OSError as exc:  # bubblewrap gone, or an argument too long for the system
                shutil.rmtree(root, ignore_errors=True)
                raise KernelError(f"the warm-kernel zygote did not start: {exc}") from None
        factory = cls(process, root)
        try:
            assert process.stdout is not None
            line = await asyncio.wait_for(process.stdout.readline(), timeout)
            first: Event | None = json.loads(line) if line else None
            if first is None or first["event"] != "ready":
                raise KernelError(f"the warm-kernel zygote did not start: {factory.log_tail()}")
            ready: ReadyEvent = first
            if ready["threads"] != 1:
                raise KernelError(f"the zygote runs {ready['threads']} threads: cannot fork")
        except (TimeoutError, ValueError, KeyError, TypeError) as exc:
            await factory.close()
            raise KernelError(f"the warm-kernel zygote did not start: {exc!r}") from None
        except BaseException:
            await factory.close()
            raise
        log.info("warm kernels: the zygote is ready, %d modules preloaded", len(preload))
        if ready["failed"]:
            log.info("the zygote could not import %s", ", ".join(ready["failed"]))
        factory._reader = asyncio.create_task(factory._read_events())
        zygote = process.pid
        factory._guard = watchdog().add(math.inf, lambda: kill_pids(process_tree(zygote)))
        _FACTORIES[factory.key] = factory
        return factory

    @property
    def gone(self) -> bool:
        """Whether the zygote has stopped (or is known broken): no kernel can be forked now."""
        return bool(self.broken) or self.process.returncode is not None

    def log_tail(self) -> str:
        """The zygote's last lines on stderr, for an error message."""
        text = (self.root / "zygote.log").read_text(errors="replace").strip()
        return " | ".join(text.splitlines()[-3:]) or "no message"

    async def spawn(self, request: SpawnRequest) -> tuple[str, int]:
        """Fork a kernel for ``request`` (its ``id`` is set here); its id and init's pid."""
        if self.broken:
            raise KernelError(self.broken)
        kid = f"k{next(_ids)}"
        child = _Child()
        self.children[kid] = child
        self._send({**request, "id": kid})
        waits: list[asyncio.Future[Any]] = [child.started, child.exited]
        await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        if child.started.done():
            return kid, child.started.result()
        _, error = child.exited.result()
        raise KernelError(f"the warm kernel did not start: {error or self.log_tail()}")

    async def seed(self, kid: str, timeout: float) -> None:
        """Have a kernel's init copy its seed into its home; return once it has.

        Raises:
            KernelError: the kernel exited first, or did not answer within ``timeout``.
        """
        child = self.children.get(kid)
        if child is None or self.broken:
            raise KernelError(self.broken or "the warm kernel has gone")
        self._send({"op": "seed", "id": kid})
        waits: list[asyncio.Future[Any]] = [child.seeded, child.exited]
        await asyncio.wait(waits, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        if child.seeded.done():
            return
        why = child.exited.result()[1] if child.exited.done() else "no answer"
        raise KernelError(f"the warm kernel's home could not be filled: {why or 'it exited'}")

    async def exited(self, kid: str) -> int:
        """Wait for a kernel's exit status."""
        child = self.children.get(kid)
        return 0 if child is None else (await asyncio.shield(child.exited))[0]

    def exit_status(self, kid: str) -> int | None:
        """A kernel's exit status, None while it runs."""
        child = self.children.get(kid)
        if child is None or not child.exited.done():
            return None
        return child.exited.result()[0]

    def kill(self, kid: str) -> None:
        """Kill a kernel and everything it started (its whole pid namespace)."""
        if not self.broken and self.exit_status(kid) is None:
            self._send({"op": "kill", "id": kid})

    def interrupt(self, kid: str) -> None:
        """Send SIGINT to a kernel (its init forwards it; no message on any kernel channel)."""
        if not self.broken and self.exit_status(kid) is None:
            self._send({"op": "interrupt", "id": kid})

    def host_pid(self, kid: str) -> int | None:
        """The host pid of a kernel's init (killing it ends the kernel's whole namespace)."""
        child = self.children.get(kid)
        if child is None or not child.started.done() or self.process.returncode is not None:
            return None
        return host_pid(child.started.result(), self.process.pid)

    def forget(self, kid: str) -> None:
        """Drop an exited kernel's record."""
        self.children.pop(kid, None)

    def _send(self, message: Request) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write((json.dumps(message) + "\n").encode())

    async def _read_events(self) -> None:
        assert self.process.stdout is not None
        try:
            while line := await self.process.stdout.readline():
                event: Event = json.loads(line)
                if event["event"] == "ready":
                    continue
                child = self.children.get(str(event["id"]))
                if child is None:
                    continue
                if event["event"] == "started" and not child.started.done():
                    child.started.set_result(int(event["pid"]))
                elif event["event"] == "seeded" and not child.seeded.done():
                    child.seeded.set_result(None)
                elif event["event"] == "exited" and not child.exited.done():
                    child.exited.set_result((int(event["status"]), str(event["error"])))
        except (ValueError, KeyError, TypeError) as exc:
            self.broken = f"the warm-kernel zygote sent a malformed event: {exc!r}"
        finally:
            code = await self.process.wait()
            self.broken = self.broken or (
                f"the warm-kernel zygote stopped (exit status {code}): {self.log_tail()}"
            )
            for child in self.children.values():
                if not child.exited.done():
                    child.exited.set_result((-signal.SIGKILL, self.broken))

    async def close(self) -> None:
        """Kill every kernel and the zygote; remove its folders."""
        await self.spares.close()
        _FACTORIES.pop(self.key, None)
        if self._guard is not None:
            watchdog().remove(self._guard)
        if self.process.stdin is not None:
            self.process.stdin.close()
        try:
            await asyncio.wait_for(self.process.wait(), 5)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()
        if self._reader is not None:
            await self._reader
        shutil.rmtree(self.root, ignore_errors=True)


@functools.cache
def zygote_source() -> str:
    """The zygote's whole program: :data:`ZYGOTE_SOURCES` run in order, in one namespace.

    Each is compiled on its own (each may start with its ``from __future__`` line).
    """
    guest = files("grader.guest")
    return "".join(
        f"exec(compile({guest.joinpath(name).read_text(encoding='utf-8')!r}, {name!r}, 'exec'))\n"
        for name in ZYGOTE_SOURCES
    )


def _under_tmp() -> list[str]:
    """The Python installation's folders under /tmp: a kernel's fresh /tmp must not hide them."""
    return [str(root) for root in python_roots() if root.is_relative_to("/tmp")]


class WarmProcess:
    """What :class:`~jupyter_client.provisioning.LocalProvisioner` expects of a ``Popen``."""

    stdin = stdout = stderr = None

    def __init__(self, factory: KernelFactory, kid: str, pid: int) -> None:
        self.factory, self.kid, self.pid = factory, kid, pid

    def poll(self) -> int | None:
        """The kernel's exit status, None while it runs."""
        return self.factory.exit_status(self.kid)

    def wait(self) -> int | None:
        """The exit status of an exited kernel, forgotten after."""
        status = self.poll()
        self.factory.forget(self.kid)
        return status

    def send_signal(self, signum: int) -> None:
        """SIGINT to the kernel (forwarded by its init); any other signal ends the kernel."""
        if signum == signal.SIGINT:
            self.factory.interrupt(self.kid)
        else:
            self.factory.kill(self.kid)

    def kill(self) -> None:
        """End the kernel's whole namespace."""
        self.factory.kill(self.kid)

    terminate = kill


class WarmProvisioner(SandboxProvisioner):
    """Launch a submission's kernel as a fork of its batch's zygote."""

    async def pre_launch(self, **kwargs: Any) -> dict[str, Any]:
        """Write the connection file; the command line is not used."""
        return await self._private_connection(**kwargs)

    async def kill(self, restart: bool = False) -> None:
        """Kill the kernel and wait (briefly) until it is gone: the manager then need not poll."""
        process = self.process
        if not isinstance(process, WarmProcess):  # none was launched
            return await super().kill(restart)
        process.kill()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(process.factory.exited(process.kid), KILL_WAIT)

    async def send_signal(self, signum: int) -> None:
        """SIGINT through the zygote to the kernel; any other signal ends the kernel."""
        process = self.process
        if not isinstance(process, WarmProcess):  # none was launched
            return await super().send_signal(signum)
        process.send_signal(signum)
        return None

    async def wait(self) -> int | None:
        """The kernel's exit status, as soon as the zygote reports it (no polling)."""
        process = self.process
        if not isinstance(process, WarmProcess):  # none was launched
            return await super().wait()
        status = await process.factory.exited(process.kid)
        process.wait()
        self.process = None
        return status

    async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> KernelConnectionInfo:
        """Fork the kernel: ipykernel's own arguments, in a confined fork of the zygote.

        Its home stays empty until :meth:`KernelFactory.seed`.

        Raises:
            KernelError: the zygote could not fork it (the grader starts a cold kernel).
        """
        box = self.settings
        factory = _FACTORIES.get(box.factory or "")
        argv = cmd[cmd.index("ipykernel_launcher") + 1 :]
        if factory is None:
            raise KernelError("the warm-kernel zygote of this batch is gone")
        kid, pid = await factory.spawn(
            {
                "op": "spawn",
                "id": "",
                "argv": argv,
                "run_dir": box.run_dir,
                "seed": box.workdir,
                "uid": box.uid,
                "limits": box.limits,
                "tmp_mb": box.disk_mb,
                "disk_mb": box.disk_mb,
            }
        )
        self.process = WarmProcess(factory, kid, pid)  # type: ignore[assignment]
        self.pid, self.pgid = pid, None
        return self.connection_info


@contextlib.asynccontextmanager
async def warm_kernels(
    preload: Sequence[str], enabled: bool, keep_log: Path | None = None
) -> AsyncIterator[KernelFactory | None]:
    """A zygote that has imported ``preload``, or None (cold kernels) if it fails to start.

    ``keep_log``: copy the zygote's log (its stderr) there when it closes (``--debug``).
    """
    if not enabled:
        yield None
        return
    try:
        factory = await KernelFactory.start(preload)
    except KernelError as exc:
        log.warning("%s; every kernel starts cold instead", exc)
        yield None
        return
    try:
        yield factory
    finally:
        if keep_log is not None:
            keep_log.parent.mkdir(parents=True, exist_ok=True)
            with contextlib.suppress(OSError):
                shutil.copyfile(factory.root / "zygote.log", keep_log)
        await to_the_end(factory.close())
