"""Start and stop one student kernel inside its sandbox.

The kernel spec is built in memory for each submission: a fixed argv (the grader's own Python
and ipykernel; the notebook's kernelspec metadata is never read), message-mode interrupts, and
the :class:`~grader.sandbox.SandboxProvisioner` configured with this submission's folders and
limits.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from importlib.metadata import EntryPoint
from pathlib import Path
from typing import Any

from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from jupyter_client.provisioning.factory import KernelProvisionerFactory

from grader.config import Limits
from grader.errors import KernelError
from grader.sandbox import UNPRIVILEGED_UID, Isolation, python_roots

PROVISIONER = "grader-sandbox"


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


def _register_provisioner() -> None:
    factory = KernelProvisionerFactory.instance()
    if PROVISIONER not in factory.provisioners:
        factory.provisioners[PROVISIONER] = EntryPoint(
            name=PROVISIONER,
            value="grader.sandbox:SandboxProvisioner",
            group="jupyter_client.kernel_provisioners",
        )


def kernel_uid(isolation: Isolation) -> int | None:
    """The uid student kernels run as: unprivileged when the grader is root, else unchanged.

    Without bubblewrap the kernel can drop root only if the unprivileged uid can reach the
    Python installation (not the case for a Python under root's 0700 home).
    """
    if os.geteuid() != 0:
        return None
    if isolation == "bwrap" or all(_world_reachable(root) for root in python_roots()):
        return UNPRIVILEGED_UID
    return None


def _world_reachable(path: Path) -> bool:
    return all(os.stat(p).st_mode & 0o001 for p in [path, *path.parents])


@contextlib.asynccontextmanager
async def sandboxed_kernel(
    workdir: Path, limits: Limits, isolation: Isolation, startup_timeout: float = 60
) -> AsyncIterator[Kernel]:
    """Start a fresh kernel for one submission; kill it and everything it started on exit."""
    _register_provisioner()
    uid = kernel_uid(isolation)
    run_dir = Path(tempfile.mkdtemp(prefix="grader-run-"))
    if uid is not None:
        os.chmod(run_dir, 0o700)
        os.chown(run_dir, uid, uid)
        for path in [workdir, *workdir.rglob("*")]:
            os.chown(path, uid, uid, follow_symlinks=False)
    config = {
        "workdir": str(workdir),
        "run_dir": str(run_dir),
        "isolation": isolation,
        "memory_mb": limits.memory_mb,
        "cpu_seconds": int(limits.submission_timeout) + 5,
        "nproc": _nproc_limit(uid),
        "uid": -1 if uid is None else uid,
    }
    spec = KernelSpec(
        argv=[sys.executable, "-s", "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        display_name="grader sandbox",
        language="python",
        interrupt_mode="message",
        metadata={"kernel_provisioner": {"provisioner_name": PROVISIONER, "config": config}},
    )
    km = AsyncKernelManager(kernel_name=PROVISIONER, kernel_spec_manager=_OneSpec(spec))
    km.shutdown_wait_time = 0.5
    try:
        await km.start_kernel()
        await _wait_ready(km, startup_timeout)
        info = km.get_connection_info(session=False)
        yield Kernel(manager=km, isolation=isolation, connection=dict(info))
    finally:
        with contextlib.suppress(Exception):
            if km.has_kernel:
                await km.shutdown_kernel(now=True)
        with contextlib.suppress(Exception):
            await km.cleanup_resources()
        shutil.rmtree(run_dir, ignore_errors=True)


async def _wait_ready(km: AsyncKernelManager, timeout: float) -> None:
    """Raise KernelError if the kernel does not answer: that is the grader's problem."""
    client = km.client()
    client.start_channels()
    try:
        await client.wait_for_ready(timeout=timeout)
    except RuntimeError as exc:
        raise KernelError(
            f"the sandboxed kernel did not start ({exc}); "
            "try --sandbox=off to see whether the sandbox is the cause"
        ) from None
    finally:
        client.stop_channels()


def _nproc_limit(uid: int | None) -> int:
    """RLIMIT_NPROC counts every task of the uid: leave room above what the user runs now."""
    if uid is not None:
        return 256
    own = 0
    me = os.getuid()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if entry.stat().st_uid == me:
                    own += len(list((entry / "task").iterdir()))
    return own + 512
