"""The monitor's end of the conductor's status port (performer/runtime/statusport.py): it says hello about once a
second, keeps the latest frame, and sends cues and signal moves. Runs on the monitor's asyncio loop, no thread."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

HELLO_PERIOD = 1.0  # seconds between hellos; the conductor keeps sending for three
STALE = 2.0  # seconds without a frame before the rig is shown as gone
FRAME_MAX = 65507  # bytes: the largest UDP datagram


class Feed(asyncio.DatagramProtocol):
    """Frames from the conductor at 127.0.0.1:``port``; ``frame`` is the latest (None before the first)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.frame: dict[str, Any] | None = None
        self.received_at = -1e9
        self.frames = 0
        self.transport: asyncio.DatagramTransport | None = None
        self._hello: asyncio.Task[None] | None = None

    async def start(self) -> Feed:
        """Open the socket and start saying hello."""
        loop = asyncio.get_running_loop()
        await loop.create_datagram_endpoint(lambda: self, remote_addr=("127.0.0.1", self.port))
        self._hello = asyncio.create_task(self._greet())
        return self

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]  # a datagram endpoint's (not a subclass at run time)

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        try:
            frame = json.loads(data)
        except ValueError:
            return
        if isinstance(frame, dict):
            self.frame, self.received_at = frame, time.monotonic()
            self.frames += 1

    def error_received(self, exc: Exception) -> None:  # nobody on the port yet (ICMP refused): keep saying hello
        pass

    async def _greet(self) -> None:
        while True:
            self.send({"hello": 1})
            await asyncio.sleep(HELLO_PERIOD)

    @property
    def live(self) -> bool:
        """Whether frames are arriving."""
        return time.monotonic() - self.received_at < STALE

    def send(self, request: dict[str, Any]) -> None:
        """A request to the conductor (a hello, a cue, a signal move); dropped if the socket is not open."""
        if self.transport is not None:
            self.transport.sendto(json.dumps(request).encode())

    def cue(self, word: str | int) -> None:
        """GO ("go"), BACK ("back"), "stop", "panic", or a scene's number counting from 1."""
        self.send({"cue": word})

    def set(self, name: str, value: float) -> None:
        """Move a mapped signal to ``value`` (0..1)."""
        self.send({"set": name, "value": min(1.0, max(0.0, value))})

    def close(self) -> None:
        if self._hello is not None:
            self._hello.cancel()
        if self.transport is not None:
            self.transport.close()
