"""The check worker's client of a student's kernel: one request at a time on its shell channel.

The kernel helper (:mod:`grader.guest.helper`) is installed by one execute request, then answers
each request as a ``grader_request`` shell message with a ``grader_reply`` (no cell run for it),
with a size cap enforced by zmq itself (``MAXMSGSIZE``) and again by the decoder. Each request
has a time limit; when it passes, the kernel is interrupted (an ``interrupt_request`` on the
control channel, sent from this worker process, never from the grader's event loop), and a
kernel that does not answer the interrupt within a grace period is abandoned (later requests
fail at once).
"""

from __future__ import annotations

import datetime as dt
import json
import time
from typing import Any

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
    """A minimal, size-capped client of one kernel's shell and control channels."""

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
        self.unavailable = ""
        self._booted = False
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

    def close(self) -> None:
        """Close the sockets."""
        self.context.destroy(linger=0)

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
            booted = self._send("execute_request", _execute(BOOT), "setting up the grader's bridge")
            if booted.get("status") != "ok":
                ename = booted.get("ename", "Error")
                raise StudentError(f"{what}: the grader's bridge could not be set up ({ename})")
            self._booted = True
        text = json.dumps({**request, "limit": self.max_bytes})
        reply = self._send(REQUEST_TYPE, {"request": text}, what, REPLY_TYPE)
        answer = reply.get("answer")
        if not isinstance(answer, str):
            raise StudentError(f"{what}: the notebook sent back no value")
        return decode_answer(answer, what, self.timeout, self.max_bytes)

    def _send(
        self, msg_type: str, content: dict[str, Any], what: str, reply_type: str = ""
    ) -> dict[str, Any]:
        """Send a shell message; its reply's content (of ``reply_type``, if given)."""
        msg = self.session.send(self.shell, msg_type, content)
        assert msg is not None
        msg_id = msg["header"]["msg_id"]
        reply = self._wait_reply(msg_id, self.timeout)
        if reply is None:
            self.session.send(self.control, "interrupt_request", {})
            reply = self._wait_reply(msg_id, INTERRUPT_GRACE)
            if reply is None:
                self.unavailable = (
                    f"the notebook stopped responding after {what} ran past its time limit"
                )
            raise BridgeTimeout(f"{what} did not finish within {self.timeout:g} s")
        self.in_kernel += _executing(reply)
        if reply_type and reply.get("msg_type") != reply_type:
            return {}
        answer = reply.get("content")
        return answer if isinstance(answer, dict) else {}

    def _wait_reply(self, msg_id: str, seconds: float) -> dict[str, Any] | None:
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            if not self.shell.poll(int(left * 1000) + 1):
                continue
            try:
                _, msg = self.session.recv(self.shell, mode=zmq.NOBLOCK)
            except Exception:  # noqa: S112  (a malformed or badly signed message: ignore it)
                continue
            if msg is None or msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            return msg
        return None


BOOT = bootstrap_code() + "__import__('_grader_bridge').serve()\n"
"""Installs the kernel helper and has it answer requests on the shell channel."""


def _execute(code: str) -> dict[str, Any]:
    """An execute request's content: ``code`` run quietly, outside the notebook's history."""
    return {
        "code": code,
        "silent": True,
        "store_history": False,
        "user_expressions": {},
        "allow_stdin": False,
        "stop_on_error": False,
    }


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
