"""OSC input as pure logic: datagram bytes in, bus events out. Bad packets are counted and logged, never raised.

Addresses: ``/cue/next``, ``/cue/prev``, ``/cue/go``, ``/cue/back``, ``/scene <name>`` and ``/panic`` are show
commands; ``/release <prefix>`` says a sensor is gone, so its signals glide back to the scenes' defaults; a routed
address scales its first argument from the route's range; any other address ``/a/b`` with a number sets signal
``a/b`` (expected 0..1, clamped and counted otherwise)."""

from __future__ import annotations

import logging
import math
from collections import Counter
from typing import Iterable, Protocol

from pythonosc.osc_message import OscMessage
from pythonosc.osc_packet import OscPacket

from sensors.cues import Command
from sensors.events import ControlEvent, CueEvent, Event, ReleaseEvent, clamp01, is_signal_name
from sensors.oscpattern import compile_pattern, fill, is_pattern

log = logging.getLogger(__name__)

CUE_ADDRESSES = {"/cue/next": Command.NEXT, "/cue/go": Command.NEXT, "/cue/prev": Command.PREV,
                 "/cue/back": Command.PREV, "/panic": Command.PANIC}


class Route(Protocol):
    """An OSC address (or address pattern) routed to a signal, its first argument scaled from ``range`` to 0..1
    (a rig's ``[[osc.routes]]``)."""

    @property
    def address(self) -> str: ...

    @property
    def signal(self) -> str: ...

    @property
    def range(self) -> tuple[float, float]: ...


class OscDispatcher:
    """Maps OSC messages onto bus events and keeps counts of what it clamped and rejected."""

    def __init__(self, routes: Iterable[Route] = ()) -> None:
        self.routes = {r.address: r for r in routes if not is_pattern(r.address)}
        self.patterns = [(compile_pattern(r.address), r) for r in routes if is_pattern(r.address)]
        self.malformed = 0
        self.clamped: Counter[str] = Counter()
        self.rejected: Counter[str] = Counter()

    def dispatch(self, dgram: bytes, t: float) -> list[Event]:
        """Events for one datagram (a message or a bundle) received at clock time ``t``."""
        try:
            messages = [m.message for m in OscPacket(dgram).messages]
        except Exception as err:  # python-osc raises ParseError and struct/index errors on garbage
            self.malformed += 1
            if self.malformed == 1 or self.malformed % 1000 == 0:
                log.warning("osc: dropped %d malformed packet(s); latest: %s", self.malformed, err)
            return []
        events: list[Event] = []
        for message in messages:
            event = self._event(message, t) if isinstance(message, OscMessage) else None
            if event is not None:
                events.append(event)
        return events

    def _event(self, message: OscMessage, t: float) -> Event | None:
        address, params = message.address, list(message.params)
        if address in CUE_ADDRESSES:
            return CueEvent(t, CUE_ADDRESSES[address].value)
        if address == "/release":  # a sensor gone: its signals glide back to the scenes' defaults
            if params:
                return ReleaseEvent(t, str(params[0]).strip("/"))
            self._reject(address, "expected a prefix")
            return None
        if address == "/scene":
            if params:
                return CueEvent(t, str(params[0]))
            self._reject(address, "expected a scene name")
            return None
        route, signal = self._route(address)
        if not is_signal_name(signal):  # an unrouted address, or what a pattern's wildcard matched
            self._reject(address, "expected an address like /fader/1 (lower case, two or more parts)")
            return None
        if not params or not isinstance(params[0], (int, float)) or isinstance(params[0], bool):
            self._reject(address, f"expected a number as first argument, got {params[:1]!r}")
            return None
        value = float(params[0])
        if route:
            lo, hi = route.range
            value = (value - lo) / (hi - lo) if hi != lo else 0.0
        value, clamped = clamp01(value)
        if math.isnan(value):
            self._reject(address, "got NaN")
            return None
        if clamped:
            self.clamped[address] += 1
        return ControlEvent(t, signal, value)

    def _route(self, address: str) -> tuple[Route | None, str]:
        """The route for an address (exact first, then patterns in the rig's order) and the signal it sets."""
        if address in self.routes:
            return self.routes[address], self.routes[address].signal
        for pattern, route in self.patterns:
            if match := pattern.match(address):
                return route, fill(route.signal, match.groups())
        return None, address[1:]

    def _reject(self, address: str, why: str) -> None:
        """Count a message we cannot use, and warn the first time its address sends one."""
        self.rejected[address] += 1
        if self.rejected[address] == 1:
            log.warning("osc %s: %s; ignored (logged once per address)", address, why)
