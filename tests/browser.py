"""A real headless Chromium driven over the DevTools protocol, for testing pages as people see them.

Chromium is started with ``--remote-debugging-pipe``: it reads protocol commands from file
descriptor 3 and writes answers and events to descriptor 4, each a JSON text ending in a NUL
byte. No WebDriver and no browser download: the Debian ``chromium`` package is enough.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import select
import shutil
import struct
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed (apt-get install chromium; .ci/run does)"
)


class BrowserError(Exception):
    """Chromium answered a command with an error, or did not answer in time."""


class Browser:
    """One headless Chromium with one page."""

    def __init__(self, width: int = 1200, height: int = 900, timeout: float = 30.0) -> None:
        assert CHROMIUM is not None
        self.timeout = timeout
        self.profile = tempfile.mkdtemp(prefix="grader-chromium-")
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()
        self.process = subprocess.Popen(
            [
                CHROMIUM,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-extensions",
                "--mute-audio",
                "--hide-scrollbars",
                f"--window-size={width},{height}",
                f"--user-data-dir={self.profile}",
                "--remote-debugging-pipe",
                "about:blank",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            pass_fds=(3, 4),
            preexec_fn=_dup_to(to_browser_r, from_browser_w),
        )
        os.close(to_browser_r)
        os.close(from_browser_w)
        self._buffer = b""
        self._next_id = 0
        self.session = self._attach()
        self.send("Page.enable")
        self.send("Runtime.enable")

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop Chromium and remove its profile."""
        for fd in (self._to_browser, self._from_browser):
            try:
                os.close(fd)
            except OSError:
                pass
        self.process.kill()
        self.process.wait(timeout=10)
        shutil.rmtree(self.profile, ignore_errors=True)

    # -- the protocol ------------------------------------------------------------------------

    def send(self, method: str, session: bool = True, **params: Any) -> dict[str, Any]:
        """Send one command (to the page unless ``session`` is False); its result."""
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params}
        if session and getattr(self, "session", None):
            message["sessionId"] = self.session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        while True:
            answer = self._receive()
            if answer.get("id") == self._next_id:
                if "error" in answer:
                    raise BrowserError(f"{method}: {answer['error']}")
                result: dict[str, Any] = answer.get("result", {})
                return result
            # anything else is an event: not needed here

    def _receive(self) -> dict[str, Any]:
        deadline = time.monotonic() + self.timeout
        while b"\0" not in self._buffer:
            if time.monotonic() > deadline:
                raise BrowserError("chromium did not answer in time")
            ready, _, _ = select.select([self._from_browser], [], [], 0.5)
            if not ready:
                continue
            chunk = os.read(self._from_browser, 1 << 16)
            if not chunk:
                raise BrowserError("chromium closed the pipe")
            self._buffer += chunk
        text, self._buffer = self._buffer.split(b"\0", 1)
        answer: dict[str, Any] = json.loads(text)
        return answer

    def _attach(self) -> str:
        targets = self.send("Target.getTargets", session=False)["targetInfos"]
        page = next(t for t in targets if t["type"] == "page")
        attached = self.send(
            "Target.attachToTarget", session=False, targetId=page["targetId"], flatten=True
        )
        return str(attached["sessionId"])

    # -- what a person does --------------------------------------------------------------------

    def open(self, path: Path, fragment: str = "") -> None:
        """Load a local file and wait until it has loaded (its scripts have run)."""
        # By way of a blank page, so that a URL differing only in its #fragment loads afresh.
        for url in ("about:blank", path.resolve().as_uri() + fragment):
            self.send("Page.navigate", url=url)
            self._wait_until(
                f"location.href === {json.dumps(url)} && document.readyState === 'complete'"
            )

    def goto(self, url: str) -> None:
        """Load ``url`` (http) and wait until the page it ends on has loaded."""
        self.send("Page.navigate", url="about:blank")
        self._wait_until("location.href === 'about:blank' && document.readyState === 'complete'")
        self.send("Page.navigate", url=url)
        self._wait_until("location.protocol === 'http:' && document.readyState === 'complete'")

    def wait_until(self, condition: str) -> None:
        """Wait until the JavaScript ``condition`` is true in the page (BrowserError after the
        time-out)."""
        self._wait_until(condition)

    def press(self, key: str) -> None:
        """Press and release one key (a character, or a name such as ArrowRight)."""
        named = len(key) > 1
        down: dict[str, Any] = {"type": "keyDown", "key": key}
        if not named:
            down.update(text=key, unmodifiedText=key)
        else:
            down["code"] = key
        self.send("Input.dispatchKeyEvent", **down)
        self.send("Input.dispatchKeyEvent", type="keyUp", key=key)

    def type_text(self, text: str) -> None:
        """Type ``text`` into the focused element."""
        self.send("Input.insertText", text=text)

    def _wait_until(self, condition: str) -> None:
        deadline = time.monotonic() + self.timeout
        while not self.evaluate(condition):
            if time.monotonic() > deadline:
                raise BrowserError(f"never true: {condition}")
            time.sleep(0.02)

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page (a promise's, once it settles)."""
        answer = self.send(
            "Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True
        )
        if "exceptionDetails" in answer:
            raise BrowserError(f"{expression}: {answer['exceptionDetails']}")
        return answer["result"].get("value")

    def click(self, selector: str) -> None:
        """Scroll the element ``selector`` into view and click its middle with the mouse.

        Waits until the point to click is on the element itself (a page still laying itself
        out, or another element over it, would take the click instead).
        """
        deadline = time.monotonic() + self.timeout
        while True:
            box = self.evaluate(
                f"(() => {{ const e = document.querySelector({json.dumps(selector)});"
                " if (!e) return null;"
                " e.scrollIntoView({block: 'center'});"
                # A link wrapped over two lines: its first line's box (the whole box's middle
                # may fall between the lines, on the paragraph).
                " const r = e.getClientRects()[0] || e.getBoundingClientRect();"
                " const x = r.x + r.width / 2, y = r.y + r.height / 2;"
                " const hit = document.elementFromPoint(x, y);"
                " return hit && (hit === e || e.contains(hit)) ? [x, y] : null; })()"
            )
            if box is not None:
                break
            if time.monotonic() > deadline:
                raise BrowserError(f"never clickable: {selector}")
            time.sleep(0.05)
        for kind in ("mousePressed", "mouseReleased"):
            self.send(
                "Input.dispatchMouseEvent",
                type=kind, x=box[0], y=box[1], button="left", clickCount=1,
            )  # fmt: skip

    def screenshot(self, dest: Path, full_page: bool = True) -> tuple[int, int]:
        """Save a PNG screenshot; its (width, height) in pixels."""
        params: dict[str, Any] = {"format": "png"}
        if full_page:
            params["captureBeyondViewport"] = True
            size = self.send("Page.getLayoutMetrics")["cssContentSize"]
            params["clip"] = {"x": 0, "y": 0, "width": size["width"], "height": size["height"],
                              "scale": 1}  # fmt: skip
        data = base64.b64decode(self.send("Page.captureScreenshot", **params)["data"])
        dest.write_bytes(data)
        assert data[:8] == b"\x89PNG\r\n\x1a\n", "a PNG file"
        width, height = struct.unpack(">II", data[16:24])
        return width, height


def _dup_to(read_end: int, write_end: int) -> Any:
    """In the child: the pipe ends as descriptors 3 (commands in) and 4 (answers out)."""

    def child() -> None:
        high_read = fcntl.fcntl(read_end, fcntl.F_DUPFD, 10)
        high_write = fcntl.fcntl(write_end, fcntl.F_DUPFD, 10)
        os.dup2(high_read, 3)
        os.dup2(high_write, 4)

    return child
