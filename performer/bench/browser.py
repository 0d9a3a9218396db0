"""Debian's headless Chromium, driven over the DevTools protocol (a websocket, through aiohttp), for the web
monitor's test and the docs' screenshots: open a page, read what it was sent, click, take a screenshot.

The web monitor draws its terminal on a canvas, so the page's text is read where it arrives: a script added
before the page's own wraps its WebSocket and keeps every frame the app sent (``received_text``)."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import aiohttp

DEVTOOLS = re.compile(r"DevTools listening on (ws://\S+)")
ESCAPES = re.compile(r"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>78]|\x1b\][^\x07]*\x07")
KEEP_FRAMES = """
(() => {
  const Native = window.WebSocket;
  window.__received = [];
  window.__socketUrl = "";
  const Kept = function (url, protocols) {
    const ws = protocols === undefined ? new Native(url) : new Native(url, protocols);
    window.__socketUrl = String(url);
    ws.addEventListener("message", (e) => {
      if (typeof e.data !== "string") window.__received.push(new TextDecoder().decode(e.data));
    });
    return ws;
  };
  Kept.prototype = Native.prototype;
  Object.assign(Kept, {CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3});
  window.WebSocket = Kept;
})();
"""


def chromium() -> str | None:
    """Debian's Chromium, if installed."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


def plain(text: str) -> str:
    """Terminal output without its escape sequences."""
    return ESCAPES.sub("", text)


class Browser:
    """One headless Chromium with one page, ``width`` x ``height`` pixels. Use as ``async with``."""

    def __init__(self, width: int = 1280, height: int = 800) -> None:
        self.size = (width, height)
        self._ids = 0
        self._process: subprocess.Popen[str] | None = None
        # Chromium's helper processes may still be writing to it as it goes: what is left is not an error
        self._profile = tempfile.TemporaryDirectory(prefix="performer-chromium-", ignore_cleanup_errors=True)
        self._session: aiohttp.ClientSession | None = None
        self._ws: aiohttp.ClientWebSocketResponse | None = None

    async def __aenter__(self) -> Browser:
        binary = chromium()
        if binary is None:
            raise FileNotFoundError("chromium is not installed (Debian package chromium)")
        self._process = subprocess.Popen(
            [binary, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--mute-audio",
             "--remote-debugging-port=0", "--remote-debugging-address=127.0.0.1",
             f"--user-data-dir={self._profile.name}", f"--window-size={self.size[0]},{self.size[1]}",
             "about:blank"], stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, start_new_session=True)
        endpoint = await asyncio.to_thread(self._endpoint)
        self._session = aiohttp.ClientSession()
        http = endpoint.replace("ws://", "http://").split("/devtools/")[0]
        async with self._session.get(f"{http}/json/list") as answer:
            pages = [t for t in await answer.json() if t["type"] == "page"]
        self._ws = await self._session.ws_connect(pages[0]["webSocketDebuggerUrl"], max_msg_size=0)
        await self.call("Page.enable")
        await self.call("Page.addScriptToEvaluateOnNewDocument", source=KEEP_FRAMES)
        return self

    def _endpoint(self) -> str:
        """The DevTools address Chromium prints on its stderr once it listens."""
        assert self._process is not None and self._process.stderr is not None
        for line in self._process.stderr:
            found = DEVTOOLS.search(line)
            if found:
                return found.group(1)
        raise RuntimeError(f"chromium exited (code {self._process.wait()}) before its DevTools listened")

    async def __aexit__(self, *_: object) -> None:
        if self._ws is not None:
            await self._ws.close()
        if self._session is not None:
            await self._session.close()
        if self._process is not None:  # Chromium and its helpers (renderers, zygotes), its own process group
            self._signal(signal.SIGTERM)
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._signal(signal.SIGKILL)
                self._process.wait()
        self._profile.cleanup()

    def _signal(self, signum: int) -> None:
        assert self._process is not None
        try:
            os.killpg(self._process.pid, signum)
        except ProcessLookupError:
            pass

    async def call(self, method: str, **params: Any) -> dict[str, Any]:
        """One DevTools command, and its result (events that come meanwhile are passed over)."""
        assert self._ws is not None
        self._ids += 1
        await self._ws.send_str(json.dumps({"id": self._ids, "method": method, "params": params}))
        while True:
            message = json.loads((await self._ws.receive()).data)
            if message.get("id") == self._ids:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                result: dict[str, Any] = message.get("result", {})
                return result

    async def open(self, url: str) -> None:
        await self.call("Page.navigate", url=url)

    async def evaluate(self, expression: str) -> Any:
        """A JavaScript expression's value in the page."""
        result = await self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        return result["result"].get("value")

    async def received_text(self) -> str:
        """Everything the page's websockets received, as text without terminal escapes."""
        return plain(await self.evaluate("(window.__received || []).join('')") or "")

    async def terminal_cells(self) -> tuple[float, float, float, float, int, int]:
        """Where a textual-serve page draws its terminal: left, top, a cell's width and height in pixels, and the
        columns and rows it asked the app for."""
        left, top, width, height, cols, rows = await self.evaluate(
            "(() => { const r = document.querySelector('.xterm-screen').getBoundingClientRect();"
            " const u = new URL(window.__socketUrl);"
            " return [r.left, r.top, r.width, r.height, +u.searchParams.get('width'),"
            " +u.searchParams.get('height')]; })()")
        return left, top, width / cols, height / rows, cols, rows

    async def click(self, x: float, y: float) -> None:
        """A left click at page pixel (x, y)."""
        for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
            await self.call("Input.dispatchMouseEvent", type=kind, x=x, y=y, button="left", clickCount=1)
            await asyncio.sleep(0.05)

    async def screenshot(self, path: Path) -> None:
        data = await self.call("Page.captureScreenshot", format="png")
        path.write_bytes(base64.b64decode(data["data"]))
