"""The monitor as a web page, so a gallery can be checked from a phone: textual-serve runs the same Textual app
(`performer monitor RIG`) for each browser and streams it to a terminal in the page.

On loopback it is open to the machine's own browsers. On any other address every request must carry the token,
``?token=...`` once (the page then keeps it in a cookie, which its websocket sends too); a wrong or missing one
is refused with 403, counted, and logged once (then every 100th), so a scan cannot fill the log."""

from __future__ import annotations

import hmac
import logging
import secrets
import shlex
import sys
from pathlib import Path
from typing import Awaitable, Callable

from aiohttp import web
from textual_serve.server import Server

log = logging.getLogger(__name__)

COOKIE = "performer_monitor"
TOKEN_ENV = "PERFORMER_MONITOR_TOKEN"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def monitor_command(rig: Path, port: int) -> str:
    """The command textual-serve starts for each browser: this Python's `performer monitor`."""
    return shlex.join([sys.executable, "-m", "performer", "monitor", str(rig), "--port", str(port)])


def new_token() -> str:
    """A token for a rig opened to a network without one of its own."""
    return secrets.token_urlsafe(16)


class Gate:
    """Checks each request's token (none needed when ``token`` is empty) and counts the refused ones."""

    def __init__(self, token: str) -> None:
        self.token, self.refused = token, 0

    def admits(self, request: web.Request) -> bool:
        if not self.token:
            return True
        given = request.query.get("token") or request.cookies.get(COOKIE, "")
        return hmac.compare_digest(given.encode(), self.token.encode())

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if not self.admits(request):
            self.refused += 1
            if self.refused == 1 or self.refused % 100 == 0:
                log.warning("web monitor: %d request(s) refused for a wrong or missing token, the last from %s",
                            self.refused, request.remote)
            return web.Response(status=403, text="performer monitor: this page needs its token (?token=...)\n")
        response = await handler(request)
        if self.token and request.query.get("token"):
            response.set_cookie(COOKIE, self.token, httponly=True, samesite="Strict")
        return response


class MonitorServer(Server):
    """textual-serve's server with the token gate, and the page's own address taken from each request (so a
    phone reaching the machine by any of its names gets a websocket address that works)."""

    def __init__(self, command: str, host: str, port: int, token: str, title: str) -> None:
        super().__init__(command, host=host, port=port, title=title)
        self.gate = Gate(token)

    async def _make_app(self) -> web.Application:
        app = await super()._make_app()
        app.middlewares.append(self.gate.middleware)
        return app

    async def handle_index(self, request: web.Request) -> web.StreamResponse:
        self.public_url = f"{request.scheme}://{request.host}"
        return await super().handle_index(request)

    def initialize_logging(self) -> None:  # the rig's one-line logging, not textual-serve's banner and colours
        logging.basicConfig(level=logging.INFO, format="performer: %(message)s", stream=sys.stderr)

    async def on_startup(self, app: web.Application) -> None:
        log.info("web monitor: http://%s:%d/%s", self.host, self.port,
                 "?token=<the token>" if self.gate.token else "")


def serve(rig: Path, status_port: int, host: str, port: int, token: str, title: str) -> int:
    """Serve the monitor of the rig whose conductor listens on ``status_port`` until Ctrl-C."""
    server = MonitorServer(monitor_command(rig, status_port), host, port, token, title)
    server.serve()
    log.info("web monitor: %d request(s) refused for their token", server.gate.refused)
    return 0


def page_url(host: str, port: int, token: str) -> str:
    """Where a browser finds the page (with its token)."""
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/" + (f"?token={token}" if token else "")
