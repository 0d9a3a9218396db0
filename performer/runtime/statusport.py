"""The conductor's status port, which monitors attach to (``performer monitor``): a UDP socket on loopback only.
A monitor says hello about once a second; while it does, it gets a frame of the show (performer/show/status.py)
at the rig's rate, and, if the rig's ``[monitor] control`` allows, its cues and signal moves reach the bus.

A looker in the conductor's loop, with no thread: each look reads what waits (a few dozen datagrams at most) and
sends a frame when one is due, never blocking. A monitor that floods is held to a budget of requests, and one that
vanishes simply stops being sent to when its hello lapses."""

from __future__ import annotations

import json
import logging
import socket
from typing import Callable

from performer.show.status import Frames, request_events
from sensors.events import Event
from sensors.oscgate import TokenBucket
from sensors.ratelog import RateLimitedLog
from synthesis.protocol import Health

log = logging.getLogger(__name__)

HELLO_LAPSE = 3.0  # seconds a monitor is sent frames after its last hello
MAX_MONITORS = 8  # monitors attached at once; more are told nothing until one lapses
READS_PER_LOOK = 16  # datagrams read per look (100 looks a second or more): a flood waits in the socket's buffer
REQUEST_RATE = 50.0  # requests a second from all monitors together (a held arrow key repeats at ~30)
DATAGRAM_MAX = 2048  # bytes of a request: a hello, a cue or a signal move is a few dozen


class StatusPort:
    """The status port on 127.0.0.1:``port`` (0: any free port, for tests), sending ``frames`` at ``rate`` a
    second to each attached monitor and, with ``control``, putting their requests' events through ``put``."""

    def __init__(self, frames: Frames, port: int, rate: float, put: Callable[[Event], None],
                 now: Callable[[], float]) -> None:
        self.frames, self.put, self.now = frames, put, now
        self.period = 1.0 / rate
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", port))
        self.sock.setblocking(False)
        self.port = self.sock.getsockname()[1]
        self.monitors: dict[tuple[str, int], float] = {}  # address -> last hello
        self.budget = TokenBucket.full(REQUEST_RATE, REQUEST_RATE, now())  # a second's worth at once
        self.requests = self.refused = self.sent = 0
        self._next = 0.0
        self._log = RateLimitedLog(log)

    def look(self, t: float) -> None:
        """Read what waits, then send a frame if one is due and anyone is attached."""
        for _ in range(READS_PER_LOOK):
            try:
                dgram, sender = self.sock.recvfrom(DATAGRAM_MAX)
            except (BlockingIOError, InterruptedError):
                break
            except OSError:  # an ICMP error from a monitor that went away
                continue
            self._read(dgram, sender, t)
        if t >= self._next:
            self._next = max(self._next + self.period, t)
            self._send(t)

    def _read(self, dgram: bytes, sender: tuple[str, int], t: float) -> None:
        """A hello attaches its sender; any other request is a cue or a signal move, when control is allowed."""
        try:
            request = json.loads(dgram)
        except (ValueError, RecursionError):
            request = None
        if isinstance(request, dict) and request.get("hello"):
            if sender in self.monitors or len(self.monitors) < MAX_MONITORS:
                self.monitors[sender] = t
            return
        self.requests += 1
        if not self.frames.control or not self.budget.take(1.0, t):
            self.refused += 1
            return
        show = self.frames.show
        events = request_events(request, self.now(), show.mapped, len(show.scenes))
        if not events:
            self.refused += 1
            self._log.warning("request", "monitor: %d requests not understood, the last %.80r", self.refused, dgram)
        for event in events:
            self.put(event)

    def _send(self, t: float) -> None:
        """One frame to each monitor still saying hello."""
        self.monitors = {m: at for m, at in self.monitors.items() if t - at <= HELLO_LAPSE}
        if not self.monitors:
            return
        dgram = json.dumps(self.frames.frame(t), separators=(",", ":")).encode()
        for monitor in self.monitors:
            try:
                self.sock.sendto(dgram, monitor)
                self.sent += 1
            except OSError:  # its buffer full, or gone: the next frame tries again
                pass

    def health(self, health: Health) -> None:
        """The engine's latest report, for the frames."""
        self.frames.health = health

    def close(self) -> None:
        log.info("monitor: %d frames sent, %d requests (%d refused)", self.sent, self.requests, self.refused)
        self.sock.close()
