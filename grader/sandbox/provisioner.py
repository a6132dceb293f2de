"""The jupyter_client provisioner of a cold sandboxed kernel, and its configuration.

:class:`SandboxConfig` is what the grader tells a provisioner about one kernel; it travels in
the kernel spec's metadata (jupyter_client passes it to the provisioner as a trait) and is read
back whole, so both sides share one definition.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import os
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_args

import zmq
from jupyter_client.provisioning.local_provisioner import LocalProvisioner
from traitlets import Dict

from grader.errors import SandboxError
from grader.sandbox.bwrap import (
    Isolation,
    bwrap_args,
    has_util_linux,
    kernel_env,
    launcher_args,
    rlimit_args,
    rlimits,
    seed_home_args,
    setpriv_args,
)
from grader.sandbox.reaper import kernel_process

KILL_WAIT = 2.0
"""Seconds ``kill`` waits for a killed kernel's process to end."""
KILL_POLL = 0.005


@dataclass(frozen=True)
class SandboxConfig:
    """One kernel's sandbox: its folders, isolation, limits and uid."""

    workdir: str
    """Private working folder of the submission (the home starts as a copy of it)."""
    run_dir: str
    """Private folder for the connection file and sockets."""
    isolation: Isolation
    memory_mb: int
    cpu_seconds: int
    nproc: int
    disk_mb: int
    open_files: int
    uid: int | None = None
    """Run the kernel as this uid (root only); None keeps the grader's own."""
    factory: str | None = None
    """Key of the warm-kernel factory that forks this kernel; None starts it cold."""
    stderr_log: str | None = None
    """Append a cold kernel's stderr to this file (``--debug``); None discards it."""

    def __post_init__(self) -> None:
        if self.isolation not in get_args(Isolation):
            raise SandboxError(f"unknown isolation {self.isolation!r}")

    def to_traits(self) -> dict[str, Any]:
        """The provisioner's configuration in a kernel spec (JSON-safe)."""
        return {"sandbox": dataclasses.asdict(self)}

    @property
    def limits(self) -> dict[str, int]:
        """This kernel's resource limits."""
        return rlimits(self.memory_mb, self.cpu_seconds, self.nproc, self.disk_mb, self.open_files)


class SandboxProvisioner(LocalProvisioner):
    """Launch a kernel sandboxed for one submission (configured from the kernel spec)."""

    sandbox = Dict(help="A SandboxConfig as SandboxConfig.to_traits() writes it.").tag(config=True)
    _stderr: Any = None

    @property
    def settings(self) -> SandboxConfig:
        """This kernel's sandbox, as the grader configured it."""
        try:
            return SandboxConfig(**self.sandbox)
        except TypeError as exc:
            raise SandboxError(f"the sandbox provisioner is not configured: {exc}") from None

    async def pre_launch(self, **kwargs: Any) -> dict[str, Any]:
        """Point the connection at private unix sockets, then wrap the kernel's command."""
        return self.wrap(await self._private_connection(**kwargs))

    def wrap(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        """The launch arguments of a cold kernel: its command inside the sandbox."""
        box = self.settings
        uid = box.uid
        kernel_cmd = list(kwargs.pop("cmd"))
        portable = box.isolation != "bwrap" and not has_util_linux()
        if portable:  # no prlimit or setpriv here (macOS, Windows, a bare container)
            wrapped = launcher_args(box.limits, uid)
        else:
            wrapped = ["prlimit", *rlimit_args(box.limits), "--"]
        if box.isolation == "bwrap":
            wrapped += [*bwrap_args(Path(box.workdir), Path(box.run_dir), uid, box.disk_mb), "--"]
            env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
            cwd = "/"
        else:
            env = kernel_env(box.workdir, str(os.getpid()))
            cwd = box.workdir
        if uid is not None and not portable:
            wrapped += setpriv_args(uid)
        if box.isolation == "bwrap":
            wrapped += seed_home_args()
        stderr: Any = subprocess.DEVNULL
        if box.stderr_log is not None:  # opened here, outside the sandbox; closed once launched
            Path(box.stderr_log).parent.mkdir(parents=True, exist_ok=True)
            stderr = open(box.stderr_log, "ab")
            self._stderr = stderr
        kwargs.update(
            cmd=wrapped + kernel_cmd,
            env=env,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
        return kwargs

    async def post_launch(self, **kwargs: Any) -> None:
        """Close the grader's copy of the kernel's stderr log, if any."""
        stderr = getattr(self, "_stderr", None)
        if stderr is not None:
            stderr.close()
            self._stderr = None
        await super().post_launch(**kwargs)

    async def _private_connection(self, **kwargs: Any) -> dict[str, Any]:
        """Unix sockets in the run folder; write the connection file (readable by the kernel).

        Where zmq has no unix sockets (Windows), loopback TCP.
        """
        km = self.parent
        assert km is not None, "the provisioner is created by its kernel manager"
        box = self.settings
        run_dir = Path(box.run_dir)
        if box.isolation == "bwrap" or zmq.has("ipc"):  # bubblewrap: no network, Linux
            km.transport = "ipc"
            km.ip = str(run_dir / "kernel")
        else:  # Windows' libzmq may have no unix sockets: loopback TCP (no sandbox there)
            km.transport = "tcp"
            km.ip = "127.0.0.1"
        km.cache_ports = False
        km.connection_file = str(run_dir / "connection.json")
        kwargs = await super().pre_launch(**kwargs)
        if box.uid is not None:
            os.chown(km.connection_file, 0, box.uid)
            os.chmod(km.connection_file, 0o640)
        return kwargs

    async def kill(self, restart: bool = False) -> None:
        """Kill the sandbox; return once its process has exited (or after ``KILL_WAIT``)."""
        await super().kill(restart)
        end = time.monotonic() + KILL_WAIT
        while self.process is not None and self.process.poll() is None:
            if time.monotonic() > end:
                return
            await asyncio.sleep(KILL_POLL)

    async def send_signal(self, signum: int) -> None:
        """An interrupt goes to the kernel's own process; any other signal ends the sandbox.

        Never a message on the control channel: a student can stop the kernel reading it, and
        jupyter_client's send there blocks the event loop of the whole batch.
        """
        if signum != signal.SIGINT:
            return await super().send_signal(signum)
        launcher = getattr(self.process, "pid", None)
        kernel = kernel_process(launcher) if isinstance(launcher, int) else None
        if kernel is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(kernel, signal.SIGINT)
        return None
