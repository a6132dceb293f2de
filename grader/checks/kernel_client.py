"""The check worker's client of a student's kernel: one request at a time on its shell channel.

The kernel helper (:mod:`grader.guest.helper`) is installed by one execute request, then answers
each request on the bridge's own socket (:class:`KernelBridge`), or, where that cannot be bound,
as a ``grader_request`` shell message with a ``grader_reply`` (no cell run for it either way),
with a size cap enforced by zmq itself (``MAXMSGSIZE``) and again by the decoder. Each request
has a time limit; when it passes, the kernel is interrupted (an ``interrupt_request`` on the
control channel, sent from this worker process, never from the grader's event loop), and a
kernel that does not answer the interrupt within a grace period is abandoned (later requests
fail at once).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import json
import os
import time
from collections.abc import Callable
from typing import Any, NoReturn

import zmq
from jupyter_client.session import Session

from grader.checks.bridge import (
    BridgeTimeout,
    KernelUnavailable,
    StudentError,
    bootstrap_code,
    decode_answer,
)
from grader.guest.helper import REPLY_TYPE, REQUEST_TYPE, Request

INTERRUPT_GRACE = 3.0


class KernelBridge:
    """A minimal, size-capped client of one kernel's shell and control channels.

    Where the kernel talks over unix sockets (always in the sandbox), the bridge also binds a
    socket of its own beside the kernel's and the helper connects to it when it is installed
    (:func:`grader.guest.helper.serve`): requests then go there, not on the shell channel
    (0.25 ms a request instead of 1.2 ms). The kernel's run folder keeps everyone but the
    grader and that kernel away from it. Where it cannot be bound, requests use the shell.
    """

    def __init__(self, connection: dict[str, Any], timeout: float, max_bytes: int) -> None:
        self.timeout = timeout
        self.max_bytes = max_bytes
        key = connection["key"]
        self.session = Session(
            key=key.encode() if isinstance(key, str) else key,
            signature_scheme=connection.get("signature_scheme", "hmac-sha256"),
            packer="json",
            unpacker="json",
            username="grader",
        )
        self.context = zmq.Context()
        self.shell = self._connect(connection, "shell_port")
        self.control = self._connect(connection, "control_port")
        self.direct: zmq.Socket[bytes] | None = None
        self.direct_path = ""
        if connection["transport"] == "ipc":
            self._bind_direct(f"{connection['ip']}-bridge-{os.getpid()}")
        self._ids = itertools.count(1)
        self.unavailable = ""
        self._booted = False
        self.boots = 0
        """How many times the helper's source was sent (a kernel that lacked it)."""
        # Requests asked, and seconds spent on them (sending to decoded answer); of those,
        # seconds the kernel said it spent executing them (grader.checks.plugin.CheckCosts).
        self.requests = 0
        self.asked = 0.0
        self.in_kernel = 0.0

    def _connect(self, connection: dict[str, Any], port_key: str) -> zmq.Socket[bytes]:
        sock = self.context.socket(zmq.DEALER)
        sock.setsockopt(zmq.MAXMSGSIZE, self.max_bytes + (1 << 20))
        sock.setsockopt(zmq.LINGER, 0)
        transport, ip, port = connection["transport"], connection["ip"], connection[port_key]
        sock.connect(f"ipc://{ip}-{port}" if transport == "ipc" else f"tcp://{ip}:{port}")
        return sock

    def _bind_direct(self, path: str) -> None:
        sock = self.context.socket(zmq.DEALER)
        sock.setsockopt(zmq.MAXMSGSIZE, self.max_bytes + (1 << 20))
        sock.setsockopt(zmq.LINGER, 0)
        sock.setsockopt(zmq.SNDTIMEO, int(self.timeout * 1000))
        try:
            sock.bind(f"ipc://{path}")
            # The kernel's own uid connects; the run folder keeps everyone else out.
            os.chmod(path, 0o666)  # noqa: S103
        except (zmq.ZMQError, OSError):  # a path too long for a unix socket, say: the shell
            sock.close(linger=0)
            with contextlib.suppress(OSError):
                os.unlink(path)
            return
        self.direct, self.direct_path = sock, path

    def close(self) -> None:
        """Close the sockets."""
        self.context.destroy(linger=0)
        if self.direct_path:
            with contextlib.suppress(OSError):
                os.unlink(self.direct_path)

    def ask(self, request: Request, what: str) -> Any:
        """Have the kernel helper answer ``request`` (:func:`grader.guest.helper.handle`).

        The size cap travels in the request, so the helper refuses large values itself;
        zmq's ``MAXMSGSIZE`` drops anything larger that a tampered helper sends.

        Raises:
            StudentError: the student's code raised, or the answer is not valid data.
            BridgeTimeout: no answer within the time limit.
            KernelUnavailable: the kernel cannot be reached.
        """
        if self.unavailable:
            raise KernelUnavailable(self.unavailable)
        started = time.perf_counter()
        self.requests += 1
        try:
            return self._ask(request, what)
        finally:
            self.asked += time.perf_counter() - started

    def _ask(self, request: Request, what: str) -> Any:
        if not self._booted:
            self._boot(what)
        text = json.dumps({**request, "limit": self.max_bytes})
        if self.direct is not None:
            answer = self._ask_directly(text, what)
        else:
            reply = self._send(REQUEST_TYPE, {"request": text}, what, REPLY_TYPE)
            answer = reply.get("answer")
        if not isinstance(answer, str):
            raise StudentError(f"{what}: the notebook sent back no value")
        return decode_answer(answer, what, self.timeout, self.max_bytes)

    def _boot(self, what: str) -> None:
        """Have the kernel helper serve this bridge, installing it first where it is missing.

        A warm kernel has it from its zygote: only a kernel without it (a cold one, or one
        whose student removed it) is sent its 50 KB of source, which ipykernel hashes and
        transforms as a cell before running it (about 25 ms of the kernel's CPU). Whether it
        was there comes back as a user expression: a cell that fails to import it would cost
        a cold kernel more (IPython's traceback, about 50 ms) than the source saves.
        """
        endpoint = f"ipc://{self.direct_path}" if self.direct_path else ""
        serve = f"__import__('_grader_bridge').serve({endpoint!r})\n"
        present = "'_grader_bridge' in __import__('sys').modules"
        setting_up = "setting up the grader's bridge"
        probe = _execute(f"if {present}:\n    {serve}", served=present)
        booted = self._send("execute_request", probe, setting_up)
        if booted.get("status") != "ok" or not _true(booted, "served"):  # missing, or spoilt
            self.boots += 1
            booted = self._send("execute_request", _execute(BOOT + serve), setting_up)
        if booted.get("status") != "ok":
            ename = booted.get("ename", "Error")
            raise StudentError(f"{what}: the grader's bridge could not be set up ({ename})")
        self._booted = True

    def _ask_directly(self, text: str, what: str) -> Any:
        """Send a request on the bridge's own socket; the answer text of its reply."""
        assert self.direct is not None
        ident = next(self._ids)
        try:  # waits for the helper's socket to connect: not past the time limit
            self.direct.send(json.dumps({"id": ident, "request": text}).encode())
        except zmq.Again:
            self.unavailable = "the notebook's kernel stopped taking the grader's requests"
            raise KernelUnavailable(self.unavailable) from None
        reply = self._wait(lambda: self._direct_reply(ident), self.direct, self.timeout)
        if reply is None:
            self._interrupt(what, lambda: self._direct_reply(ident), self.direct)
        seconds = reply.get("seconds")
        if isinstance(seconds, (int, float)) and 0 <= seconds < 1e6:
            self.in_kernel += seconds
        return reply.get("answer")

    def _direct_reply(self, ident: int) -> dict[str, Any] | None:
        """The reply to request ``ident`` if the one waiting on the socket is it, else None."""
        assert self.direct is not None
        try:
            reply = json.loads(self.direct.recv(zmq.NOBLOCK))
        except (zmq.ZMQError, ValueError):
            return None
        return reply if isinstance(reply, dict) and reply.get("id") == ident else None

    def _send(
        self, msg_type: str, content: dict[str, Any], what: str, reply_type: str = ""
    ) -> dict[str, Any]:
        """Send a shell message; its reply's content (of ``reply_type``, if given)."""
        msg = self.session.send(self.shell, msg_type, content)
        assert msg is not None
        msg_id = msg["header"]["msg_id"]
        reply = self._wait(lambda: self._shell_reply(msg_id), self.shell, self.timeout)
        if reply is None:
            self._interrupt(what, lambda: self._shell_reply(msg_id), self.shell)
        assert reply is not None
        self.in_kernel += _executing(reply)
        if reply_type and reply.get("msg_type") != reply_type:
            return {}
        answer = reply.get("content")
        return answer if isinstance(answer, dict) else {}

    def _shell_reply(self, msg_id: str) -> dict[str, Any] | None:
        """The shell message waiting if it is the reply to ``msg_id``, else None."""
        try:
            _, msg = self.session.recv(self.shell, mode=zmq.NOBLOCK)
        except Exception:  # a malformed or badly signed message: ignore it
            return None
        if msg is None or msg.get("parent_header", {}).get("msg_id") != msg_id:
            return None
        return msg

    def _interrupt(
        self, what: str, reply: Callable[[], dict[str, Any] | None], sock: zmq.Socket[bytes]
    ) -> NoReturn:
        """After the time limit: interrupt the kernel and wait a grace period for its reply.

        A kernel that does not answer then is given up on (later requests fail at once).
        """
        self.session.send(self.control, "interrupt_request", {})
        if self._wait(reply, sock, INTERRUPT_GRACE) is None:
            self.unavailable = (
                f"the notebook stopped responding after {what} ran past its time limit"
            )
        raise BridgeTimeout(f"{what} did not finish within {self.timeout:g} s")

    @staticmethod
    def _wait(
        reply: Callable[[], dict[str, Any] | None], sock: zmq.Socket[bytes], seconds: float
    ) -> dict[str, Any] | None:
        """The first message ``reply`` accepts from ``sock`` within ``seconds``, else None."""
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            if not sock.poll(int(left * 1000) + 1):
                continue
            if (msg := reply()) is not None:
                return msg
        return None


BOOT = bootstrap_code()
"""Installs the kernel helper (then ``serve`` has it answer requests)."""


def _execute(code: str, **expressions: str) -> dict[str, Any]:
    """An execute request's content: ``code`` run quietly, outside the notebook's history.

    ``expressions``: evaluated after it, their values in the reply (:func:`_true`).
    """
    return {
        "code": code,
        "silent": True,
        "store_history": False,
        "user_expressions": expressions,
        "allow_stdin": False,
        "stop_on_error": False,
    }


def _true(reply: dict[str, Any], expression: str) -> bool:
    """Whether the user expression ``expression`` of an execute reply was ``True``.

    Anything else, however malformed (the kernel's student may have written the reply), is
    not.
    """
    value: Any = reply
    for key in ("user_expressions", expression, "data", "text/plain"):
        value = value.get(key) if isinstance(value, dict) else None
    return bool(value == "True")


def _executing(reply: dict[str, Any]) -> float:
    """Seconds the kernel says it spent on a request.

    From the ``started`` of its reply's metadata (ipykernel's) to the reply's own date; 0 when
    it does not say.
    """
    try:
        started = _when(reply["metadata"]["started"])
        done = _when(reply["header"]["date"])
    except (KeyError, TypeError, ValueError):
        return 0.0
    return max(0.0, (done - started).total_seconds())


def _when(value: Any) -> dt.datetime:
    """A message's time: a datetime already, or ISO 8601 text."""
    when = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(value)
    return when if when.tzinfo is not None else when.replace(tzinfo=dt.UTC)
