"""The zygote's framing (grader.guest.zygote), over pipes, without privileges or kernels.

A keeper's reports and the grader's requests arrive as JSON lines cut anywhere by ``read``; the
zygote must turn them into exactly one ``started`` and one ``exited`` event per kernel.
"""

from __future__ import annotations

import json
import os
import signal
import sys

from grader.guest.prepared import PreparedStart
from grader.guest.zygote import Zygote


def _spawn(code: str, stdout: int | None = None) -> int:
    """A child process running ``code`` (its stdout on ``stdout``); its pid, reaped by the test."""
    actions = [(os.POSIX_SPAWN_DUP2, stdout, 1)] if stdout is not None else []
    return os.posix_spawn(sys.executable, [sys.executable, "-c", code], os.environ,
                          file_actions=actions)  # fmt: skip


def _waiting(sigint: str) -> int:
    """A process that sleeps with SIGINT set to ``sigint``, once it has set it."""
    read, write = os.pipe()
    code = (f"import os, signal, time; signal.signal(signal.SIGINT, {sigint}); "
            "os.write(1, b'ready'); time.sleep(60)")  # fmt: skip
    pid = _spawn(code, stdout=write)
    os.close(write)
    assert os.read(read, 5) == b"ready"
    os.close(read)
    return pid


def _fake_keeper(*writes: bytes) -> tuple[int, int]:
    """A process writing ``writes`` (pauses between them) to a pipe, then exiting; pid, read end."""
    read, write = os.pipe()
    code = (
        "import os, time\n"
        f"for chunk in {list(writes)!r}:\n"
        "    os.write(1, chunk); time.sleep(0.05)\n"
    )
    pid = _spawn(code, stdout=write)
    os.close(write)
    return pid, read


def _events(zygote: Zygote, outbox_read: int, kid: str) -> list[dict]:
    while kid in zygote.kernels:
        for key, _ in zygote.selector.select(timeout=10):
            zygote.from_keeper(key.fd, key.data)
    os.close(zygote.outbox)
    with os.fdopen(outbox_read, "rb") as f:
        return [json.loads(line) for line in f.read().splitlines()]


def test_reports_cut_mid_line_give_one_started_then_one_exited_event():
    events_read, events_write = os.pipe()
    zygote = Zygote("/nonexistent", [], PreparedStart(), inbox=-1, outbox=events_write)
    keeper, reports = _fake_keeper(b'{"pid": 4', b'2}\n{"confi', b'rmed": true}\n{"confined": true}\n',
                                   b'{"status": 3}\n')  # fmt: skip
    zygote.watch("k1", keeper, reports)
    assert _events(zygote, events_read, "k1") == [
        {"event": "started", "id": "k1", "pid": 42},
        {"event": "exited", "id": "k1", "status": 3, "error": ""},
    ]


def test_a_kernel_that_never_confined_is_not_started_and_exits_with_its_error():
    events_read, events_write = os.pipe()
    zygote = Zygote("/nonexistent", [], PreparedStart(), inbox=-1, outbox=events_write)
    keeper, reports = _fake_keeper(b'{"pid": 7}\n', b'{"error": "OSError: mount /proc"}\n')
    zygote.watch("k2", keeper, reports)
    assert _events(zygote, events_read, "k2") == [
        {"event": "exited", "id": "k2", "status": 1, "error": "OSError: mount /proc"},
    ]


def test_requests_cut_mid_line_are_served_and_the_end_of_input_kills_every_kernel():
    inbox_read, inbox_write = os.pipe()
    zygote = Zygote("/nonexistent", [], PreparedStart(), inbox=inbox_read, outbox=-1)
    interrupted = _waiting("signal.SIG_DFL")
    killed = _waiting("signal.SIG_IGN")
    keepers = []
    for kid, pid in (("k1", interrupted), ("k2", killed)):
        read, write = os.pipe()
        keepers.append(write)  # kept open: the keepers stay alive until the end
        zygote.watch(kid, keeper=os.getpid(), reports=read)
        zygote.kernels[kid].pid = pid
    os.write(inbox_write, b'{"op": "interrupt", "i')
    os.write(
        inbox_write, b'd": "k1"}\n{"op": "kill", "id": "nobody"}\n{"op": "interrupt", "id": "k2"}\n'
    )
    os.close(inbox_write)
    zygote.serve()
    _, status = os.waitpid(interrupted, 0)
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGINT
    _, status = os.waitpid(killed, 0)  # ignored the interrupt, so the end of input killed it
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
    for fd in keepers:
        os.close(fd)
