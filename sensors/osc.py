"""OSC input as pure logic: datagram bytes in, bus events out. Bad packets are counted and logged (a line per
kind of trouble per ten seconds at most), never raised.

Addresses: ``/cue/next``, ``/cue/prev``, ``/cue/go``, ``/cue/back``, ``/scene <name>`` and ``/panic`` are show
commands (``/scene`` only for a cue of the show: one of its scenes' names, ``#N`` or a cue word); ``/release
<prefix>`` says a sensor is gone, so its signals glide back to the scenes' defaults; a routed address scales its
first argument from the route's range; any other address ``/a/b`` with a number sets signal ``a/b`` (expected
0..1, clamped and counted otherwise). Only the signals the show wants (sensors/wanted.py) become events: the
rest are counted per address pattern (``/a/*``) and dropped."""

from __future__ import annotations

import logging
import math
from typing import Iterable, Protocol

from pythonosc.osc_message import OscMessage
from pythonosc.osc_packet import OscPacket

from sensors import oscshape
from sensors.cues import Command
from sensors.events import ControlEvent, CueEvent, Event, ReleaseEvent, clamp01
from sensors.oscpattern import compile_pattern, fill, is_pattern
from sensors.ratelog import RateLimitedLog, excerpt
from sensors.tally import Tally
from sensors.wanted import EVERYTHING, MAX_NAME, Wanted

log = logging.getLogger(__name__)

CUE_ADDRESSES = {"/cue/next": Command.NEXT, "/cue/go": Command.NEXT, "/cue/prev": Command.PREV,
                 "/cue/back": Command.PREV, "/panic": Command.PANIC}
PATTERN_CHARS = 32  # of an address's first part, in the tally of unwanted addresses


class Route(Protocol):
    """An OSC address (or address pattern) routed to a signal, its first argument scaled from ``range`` to 0..1
    (a rig's ``[[osc.routes]]``)."""

    @property
    def address(self) -> str: ...

    @property
    def signal(self) -> str: ...

    @property
    def range(self) -> tuple[float, float]: ...


def address_pattern(address: str) -> str:
    """The pattern an unwanted address is counted under: its first part (cut short), then ``/*`` if it has more.
    (Addresses are printable ASCII by then: sensors/oscshape.py checked.)"""
    first, _, rest = address[1:].partition("/")
    return "/" + first[:PATTERN_CHARS] + ("/*" if rest else "")


class OscDispatcher:
    """Maps OSC messages onto bus events, for the signals and cues of ``wanted`` only (follow a reloaded show
    with ``want``), and keeps bounded counts of what it clamped, rejected and did not want."""

    def __init__(self, routes: Iterable[Route] = (), wanted: Wanted = EVERYTHING) -> None:
        routes = list(routes)
        self.routes = {r.address: r for r in routes if not is_pattern(r.address)}
        self.patterns = [(compile_pattern(r.address), r) for r in routes if is_pattern(r.address)]
        self.wanted = wanted
        self.malformed = 0
        self.clamped = Tally()  # per signal
        self.rejected = Tally()  # wanted addresses and commands with arguments that cannot be used, per address
        self.unwanted = Tally()  # messages nothing wants, per address pattern
        self.unwanted_total = 0
        self._log = RateLimitedLog(log)

    def want(self, wanted: Wanted) -> None:
        """From now on, hand on what ``wanted`` names (the show's scenes were reloaded)."""
        self.wanted = wanted

    def dispatch(self, dgram: bytes, t: float) -> list[Event]:
        """Events for one datagram (a message or a bundle) received at clock time ``t``."""
        why = oscshape.problem(dgram)
        if why is None:
            try:
                messages = [m.message for m in OscPacket(dgram).messages]
            except Exception as err:  # python-osc raises ParseError, struct and Unicode errors on garbage
                why = excerpt(err)
        if why is not None:
            self.malformed += 1
            self._log.warning("malformed", "osc: dropped %d malformed packet(s); latest: %s (%s)", self.malformed,
                              why, excerpt(dgram, 40))
            return []
        events: list[Event] = []
        for message in messages:
            event = self._event(message, t) if isinstance(message, OscMessage) else None
            if event is not None:
                events.append(event)
        return events

    def _event(self, message: OscMessage, t: float) -> Event | None:
        address, params = message.address, message.params
        if address in CUE_ADDRESSES:
            return self._command(address, CUE_ADDRESSES[address].value, t)
        if address in ("/release", "/scene"):
            return self._command(address, params[0] if params and isinstance(params[0], str) else "", t)
        route, signal = self._route(address)
        if not self.wanted.signal(signal):  # an address nothing maps, or what a pattern's wildcard matched
            self._unwanted(address)
            return None
        if not params or not isinstance(params[0], (int, float)) or isinstance(params[0], bool):
            self._reject(address, f"expected a number as first argument, got {excerpt(params[:1])}")
            return None
        return self._control(address, route, signal, float(params[0]), t)

    def _command(self, address: str, word: str, t: float) -> Event | None:
        """``/release PREFIX`` (a sensor gone: its signals glide back to the scenes' defaults), ``/scene NAME`` or
        a cue address's word, for prefixes and cues of the show only."""
        if address == "/release":
            if self.wanted.release(word.strip("/")):
                return ReleaseEvent(t, word.strip("/"))
            self._reject(address, "expected a prefix of signals the show reads, like hand")
        elif self.wanted.cue(word):
            return CueEvent(t, word)
        else:
            self._reject(address, f"expected a scene of the show (at most {MAX_NAME} characters), #N or a cue word"
                         if self.wanted.cues else "its sender may not cue the show (a sensor node)")
        return None

    def _control(self, address: str, route: Route | None, signal: str, value: float, t: float) -> Event | None:
        if route:
            lo, hi = route.range
            value = (value - lo) / (hi - lo) if hi != lo else 0.0
        value, clamped = clamp01(value)
        if math.isnan(value):
            self._reject(address, "got NaN")
            return None
        if clamped:
            self.clamped.add(signal)
        return ControlEvent(t, signal, value)

    def _route(self, address: str) -> tuple[Route | None, str]:
        """The route for an address (exact first, then patterns in the rig's order) and the signal it sets."""
        if address in self.routes:
            return self.routes[address], self.routes[address].signal
        for pattern, route in self.patterns:
            if match := pattern.match(address):
                return route, fill(route.signal, match.groups())
        return None, address[1:]

    def _unwanted(self, address: str) -> None:
        """Count a message no scene maps and the rig does not declare, under its pattern, and say so now and then
        (one line for all of them: a flood of new names is one line every ten seconds)."""
        pattern = self.unwanted.add(address_pattern(address))
        self.unwanted_total += 1
        self._log.warning("unwanted", "osc %s: no scene maps it and the rig does not declare it (osc.signals); "
                          "ignored (%d such messages so far, under %d patterns)", pattern, self.unwanted_total,
                          len(self.unwanted))

    def _reject(self, address: str, why: str) -> None:
        """Count a message we cannot use, and warn (at most a line per address every ten seconds)."""
        self.rejected.add(address)
        self._log.warning(address, "osc %s: %s; ignored", excerpt(address), why)
