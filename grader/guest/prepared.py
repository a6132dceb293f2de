"""What the zygote prepares once for every kernel it forks: modules, ipykernel's app and shell.

Beside the modules (:func:`preload`), of what ipykernel spends starting a kernel about a third
depends on nothing of that kernel: parsing its command line (argparse over every configurable
class) and building IPython's shell (its magics, hooks, formatters). The zygote does both once,
for the options of the first kernel it is asked for (everything in ipykernel's arguments but
the connection file); each kernel forked with those options starts from its own copy. A kernel
asked for with other options makes the zygote prepare again; where preparing fails, kernels
start as ipykernel starts alone (the zygote's log says why).

Part of the zygote's program (run after :mod:`grader.guest.protocol`, in one namespace, in the
sandbox): it imports nothing of the grader.
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import importlib
import os
import sys
import threading
import traceback
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # in the sandbox: the source run first, in one namespace
    from grader.guest.protocol import HOME


def split_argv(argv: list[str]) -> tuple[str | None, list[str]]:
    """The connection file named in ipykernel's arguments ``argv``, and every other option."""
    if "-f" in argv[:-1]:
        at = argv.index("-f")
        return argv[at + 1], argv[:at] + argv[at + 2 :]
    return None, list(argv)


def _app_class() -> Any:
    """The application of ipykernel that starts from what the zygote prepared."""
    from ipykernel.kernelapp import IPKernelApp

    class PreparedKernelApp(IPKernelApp):
        """Its command line was parsed, and its shell built, before the fork."""

        def parse_command_line(self, argv: Any = None) -> None:
            """Parsed in the zygote (:func:`prepare`); the connection file is set apart."""

        def init_kernel(self) -> None:
            """Make the kernel, which takes the prepared shell; make the shell the kernel's."""
            super().init_kernel()  # type: ignore[no-untyped-call]
            shell = self.kernel.shell
            shell.kernel = self.kernel
            shell.parent = self.kernel
            shell.profile_dir = self.profile_dir

    return PreparedKernelApp


def _forget() -> None:
    """Drop a prepared application and shell: the next kernel's ipykernel makes its own.

    The shell is closed as IPython closes it at exit: its history (a thread that saves it and
    a database, where enabled) would outlive the shell (IPython's exit handler holds it), and a
    forked kernel closes every file it inherits, so an object still holding one would write to
    whatever took its number.
    """
    from ipykernel.kernelapp import IPKernelApp
    from ipykernel.zmqshell import ZMQInteractiveShell

    shell = ZMQInteractiveShell._instance
    if shell is not None:
        atexit.unregister(shell.atexit_operations)
        if shell.history_manager is not None:
            shell.history_manager.close()
    IPKernelApp.clear_instance()
    ZMQInteractiveShell.clear_instance()


class PreparedStart:
    """The zygote's prepared application and shell, and the options they were made for."""

    def __init__(self) -> None:
        self.options: list[str] | None = None
        """The options prepared for (None: nothing is)."""
        self.tried: list[str] | None = None
        """The options last tried, prepared or not (a failure is not tried again)."""

    def ready_for(self, argv: list[str]) -> None:
        """Prepare for a kernel with ipykernel's arguments ``argv``, unless it is already.

        In the zygote, before it forks that kernel; runs no thread (the zygote forks).
        """
        connection, options = split_argv(argv)
        if connection is None or options == self.tried:
            return
        self.tried, self.options = options, None
        try:
            _forget()
            # The zygote's stdout carries its events: nothing else may be written there.
            with contextlib.redirect_stdout(sys.stderr):
                self.options = prepare(options)
        except (Exception, SystemExit):  # kernels start as ipykernel alone (the log says why)
            traceback.print_exc()
            _forget()
        gc.collect()
        gc.freeze()  # as the preloaded modules: every kernel keeps them, none need walk them

    def launch(self, argv: list[str]) -> None:
        """Start ipykernel in this (forked) process; runs the kernel until it ends."""
        from ipykernel.kernelapp import IPKernelApp

        connection, options = split_argv(argv)
        if connection is None or options != self.options:
            _forget()
            IPKernelApp.launch_instance(argv=argv)
            return
        app = IPKernelApp.instance()
        app.connection_file = connection
        app.initialize([])  # type: ignore[no-untyped-call]
        app.start()  # type: ignore[no-untyped-call]


def prepare(options: list[str]) -> list[str]:
    """Make ipykernel's application from ``options``, and the shell its kernel will take.

    The shell is built as ipykernel's kernel builds it, in the kernel's home (IPython keeps
    the working folder it started in), with the application's configuration; the kernel sets
    what is its own (itself, its profile folder) once it exists.
    """
    from ipykernel.compiler import XCachingCompiler
    from ipykernel.zmqshell import ZMQInteractiveShell

    app = _app_class().instance()
    super(type(app), app).parse_command_line(options)
    here = os.getcwd()
    os.chdir(HOME)
    try:
        shell = ZMQInteractiveShell.instance(config=app.config, compiler_class=XCachingCompiler)
    finally:
        os.chdir(here)
    if threading.active_count() != 1:  # IPython saves its history from a thread of its own
        raise RuntimeError("IPython's shell started a thread: the zygote forks, it cannot keep one")
    assert shell.display_formatter is not None
    shell.display_formatter.formatters  # noqa: B018  (made on first use: every kernel shows)
    # A kernel's first traceback costs about 25 ms more than the next (IPython's formatters,
    # pygments' styles): format one here, then forget it as IPython does after each.
    try:
        exec(compile("1 / 0", "<grader-warm-up>", "exec"), {})  # noqa: S102
    except ZeroDivisionError:
        shell.InteractiveTB.structured_traceback(*sys.exc_info())
        shell.InteractiveTB.debugger()  # with no debugger asked for: drops the traceback
    return options


KERNEL_MODULES = [
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    # What ipykernel 7 and IPython 9 import while a kernel starts (about half of its start).
    "ipykernel.debugger",
    "IPython.core.completerlib",
    "IPython.core.debugger",
    "IPython.core.logger",
    "IPython.core.oinspect",
    "IPython.extensions.storemagic",
    "IPython.utils.wildcard",
    "psutil",
    "sqlite3",
    "tornado.gen",
    "tornado.locks",
    "tornado.platform.asyncio",
    "tornado.queues",
    # What IPython imports to format a kernel's first traceback (about 30 ms of it).
    "stack_data",
    "pygments.console",
    "pygments.formatters.terminal256",
    "pygments.styles",
]


def preload(modules: list[str]) -> list[str]:
    """Import what every kernel will need; returns the modules that failed to import.

    Without debugpy: ipykernel then runs no debugger (none is asked of a graded kernel), and
    importing it was 60 ms of every batch's start, and a debugger object in every kernel.
    """
    sys.modules.setdefault("debugpy", None)  # type: ignore[arg-type]
    failed = []
    for name in [*KERNEL_MODULES, *modules]:
        try:
            importlib.import_module(name)
        except Exception:  # a kernel that needs it fails on its own
            failed.append(name)
    return failed
