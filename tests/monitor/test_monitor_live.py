"""The terminal monitor, driven by Textual's own pilot, attached to a real rig playing the demo show on jackd: it
shows the scene, GO moves the show, panic reaches the conductor, and a signal moved on its bar reaches the bus."""

from __future__ import annotations

import asyncio
import time
from typing import Callable

import pytest

from performer.monitor.app import MonitorApp
from tests.monitor.conftest import LiveRig

pytestmark = [pytest.mark.jack, pytest.mark.slow]


async def _until(condition: Callable[[], object], what: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:g} s waiting for {what}")
        await asyncio.sleep(0.05)


def _shown(app: MonitorApp, selector: str) -> str:
    return str(app.query_one(selector).render())


async def _drive(app: MonitorApp) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        feed = app.feed
        await _until(lambda: feed.frame is not None and feed.frame["engine"] is not None, "the first frames")
        await _until(lambda: "Dawn" in _shown(app, "#show"), "the scene on screen")
        assert not app.query_one("#go").disabled
        frames = feed.frames
        await pilot.pause(1.0)
        assert feed.frames - frames >= 10  # at least ten frames a second

        await pilot.click("#go")
        await _until(lambda: feed.frame["scene"] == 1, "GO to move the show to Drift")
        await _until(lambda: "Drift" in _shown(app, "#show"), "Drift on screen")

        await pilot.click("#panic")
        await _until(lambda: feed.frame["panics"] == 1, "the conductor to panic")

        names = [s[0] for s in feed.frame["signals"]]
        first = names[0]
        bar = app.bars[first]
        name, width = bar.widths()
        await pilot.click(bar, offset=(name + 1 + 3 * width // 4, 0))  # three quarters along its bar
        await _until(lambda: abs(dict((s[0], s[1]) for s in feed.frame["signals"])[first] - 0.77) < 0.03,
                     f"{first} moved by a click to reach the bus")


def test_the_pilot_cues_a_real_conductor(live_rig: LiveRig):
    asyncio.run(_drive(MonitorApp(live_rig.port, "monitored")))
    assert live_rig.process.poll() is None, live_rig.output()
    assert "scene 'Drift'" in live_rig.output()
