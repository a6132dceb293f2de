"""The review app served (werkzeug's threaded server), as ``grader review`` does."""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Callable

from werkzeug.serving import WSGIRequestHandler, make_server

from grader.review.app import ReviewConfig, create_app

log = logging.getLogger(__name__)


def is_local(host: str) -> bool:
    """Whether ``host`` is a loopback address (or ``localhost``)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class _Quiet(WSGIRequestHandler):
    """No line per request on the terminal (the token is in the first one); -v logs them."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        log.debug("%s %s %s", self.command, self.path.partition("?")[0], code)


def serve(config: ReviewConfig, host: str, port: int, ready: Callable[[str], None]) -> None:
    """Serve the review app on ``host``:``port`` (0: any free port) until interrupted.

    ``ready`` receives the address to open, token included, once the server listens.
    """
    app = create_app(config)
    server = make_server(host, port, app, threaded=True, request_handler=_Quiet)
    shown = f"[{host}]" if ":" in host else host
    ready(f"http://{shown}:{server.server_port}/?token={config.token}")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        app.extensions["grader_review"].gradebook.close()
