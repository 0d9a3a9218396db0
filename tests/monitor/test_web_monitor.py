"""The web monitor in a real headless Chromium, attached to a real rig playing the demo show on jackd: the page
loads and shows the scene, and a click on GO moves the show. A request without the right token is refused with
403, counted, and logged once."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from performer.bench.browser import Browser, chromium
from performer.monitor.app import MonitorApp
from performer.runtime.supervisor import free_port
from tests.conftest import require
from tests.monitor.conftest import LiveRig

pytestmark = [pytest.mark.jack, pytest.mark.slow]
TOKEN = "test-token-5f2a9c"


def _serve(live: LiveRig, tmp: Path, env: dict[str, str]) -> tuple[subprocess.Popen, int, Path]:
    """`performer monitor RIG --web` on a free loopback port; waits until it accepts connections."""
    port, log = free_tcp_port(), tmp / "web.log"
    with log.open("w") as out:
        server = subprocess.Popen([sys.executable, "-m", "performer", "monitor", str(live.rig), "--web",
                                   "--web-port", str(port)], stdout=out, stderr=subprocess.STDOUT,
                                  env={**os.environ, **env}, start_new_session=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return server, port, log
        except OSError:
            time.sleep(0.1)
    server.kill()
    pytest.fail(f"the web monitor did not listen:\n{log.read_text()}")


def free_tcp_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _stop(server: subprocess.Popen) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


async def _go_button(cols: int, rows: int) -> tuple[float, float]:
    """The GO button's middle, in cells, as the app lays itself out at that size."""
    app = MonitorApp(free_port())
    async with app.run_test(size=(cols, rows)):
        region = app.query_one("#go").region
    return region.x + region.width / 2, region.y + region.height / 2


async def _page(url: str, live: LiveRig, shot: Path) -> None:
    async with Browser(1280, 800) as browser:
        await browser.open(url)
        deadline = time.monotonic() + 30
        while "Dawn" not in await browser.received_text():
            if time.monotonic() > deadline:
                pytest.fail("the page never showed the scene; it received:\n" + (await browser.received_text())[-2000:])
            await asyncio.sleep(0.2)
        await asyncio.sleep(1.0)  # the controls enabled by the first frames
        left, top, cell_w, cell_h, cols, rows = await browser.terminal_cells()
        x, y = await _go_button(cols, rows)
        await browser.click(left + x * cell_w, top + y * cell_h)
        deadline = time.monotonic() + 15
        while "scene 'Drift'" not in live.output():
            if time.monotonic() > deadline:
                await browser.screenshot(shot)
                pytest.fail(f"a click on GO at cell ({x}, {y}) of {cols}x{rows} did not move the show "
                            f"(screenshot {shot})")
            await asyncio.sleep(0.1)


def test_the_web_page_shows_the_scene_and_go_moves_the_show(live_rig: LiveRig, tmp_path):
    require(chromium() is not None, "chromium", "chromium")
    server, port, log = _serve(live_rig, tmp_path, {"PERFORMER_MONITOR_TOKEN": TOKEN})
    try:
        for bad in ("", "?token=wrong", "?token=" + TOKEN[:-1]):
            with pytest.raises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/{bad}", timeout=5)
            assert refused.value.code == 403
        asyncio.run(_page(f"http://127.0.0.1:{port}/?token={TOKEN}", live_rig, tmp_path / "page.png"))
    finally:
        _stop(server)
    lines = [line for line in log.read_text().splitlines() if "refused" in line]
    assert len(lines) == 2, lines  # the first refusal, then the count at exit
    assert "web monitor: 3 request(s) refused" in lines[-1]
