"""OSC out, for visuals (TouchDesigner, Max, Processing): a looker in the conductor's loop that, at the rig's
rate, sends each destination one bundle a frame (more if a frame holds more messages than a bundle may):

- ``/performer/signal/NAME f`` for every signal on the bus, each frame;
- ``/performer/scene s:name i:index`` when a scene is placed;
- ``/performer/note s:voice i:pitch i:velocity f:duration`` in the frame its note starts.

A destination that cannot be reached is one line now and then; the show goes on."""

from __future__ import annotations

import logging
import socket
from collections import deque

from performer.config.rig import OscOutConfig
from performer.config.scene import SceneSpec
from performer.show.conductor import Conductor
from sensors.oscout import PER_BUNDLE, OscArg, bundle_of
from sensors.ratelog import RateLimitedLog
from synthesis.protocol import Note

log = logging.getLogger(__name__)

MAX_PENDING = 1024  # notes waiting for their frame (a few seconds of a dense show)
Message = tuple[str, list[tuple[str, OscArg]]]


def destinations(entries: list[str]) -> list[tuple[str, tuple]]:
    """Each "host:port" resolved for UDP; one that does not resolve is one line, and left out."""
    out = []
    for entry in entries:
        host, _, port = entry.rpartition(":")
        try:
            family, _, _, _, address = socket.getaddrinfo(host.strip("[]"), int(port), type=socket.SOCK_DGRAM)[0]
        except (OSError, UnicodeError) as err:
            log.warning("OSC out: %s: cannot resolve (%s); sending to the others", entry, err)
            continue
        out.append((entry, (family, address)))
    return out


class OscOut:
    """Frames of the show's state, sent to the rig's OSC out destinations."""

    def __init__(self, config: OscOutConfig, conductor: Conductor) -> None:
        self.config, self.conductor = config, conductor
        self.period = 1.0 / config.rate
        self._next = -1e300
        self._notes: deque[Note] = deque(maxlen=MAX_PENDING)
        self._scenes: list[Message] = []
        self._to = destinations(config.to)
        self._socks = {family: socket.socket(family, socket.SOCK_DGRAM) for family in {f for _, (f, _) in self._to}}
        for sock in self._socks.values():
            sock.setblocking(False)
        self._log = RateLimitedLog(log)
        self.sent = self.failed = 0
        conductor.on_scene.append(self._placed)
        if not conductor.stopped:  # the scene placed before we listened: the first frame says it
            index = conductor.scene_index
            self._placed(index, conductor.loaded.scenes[index])
        if config.notes:
            conductor.on_note.append(self._notes.append)

    def _placed(self, index: int, spec: SceneSpec) -> None:
        self._scenes.append(("/performer/scene", [("s", spec.name), ("i", index)]))

    def look(self, t: float) -> None:
        """At conductor time ``t``: send a frame if one is due."""
        if t < self._next:
            return
        self._next += self.period
        if self._next <= t:  # the first frame, or the loop was held up: on from now
            self._next = t + self.period
        self.send(self.frame(t))

    def frame(self, t: float) -> list[Message]:
        """What the frame at ``t`` says: the signals, scene changes since the last, and notes started by now."""
        messages, self._scenes = self._scenes, []
        while self._notes and self._notes[0].start <= t:
            note = self._notes.popleft()
            messages.append(("/performer/note", [("s", note.voice), ("i", note.pitch), ("i", note.velocity),
                                                 ("f", note.duration)]))
        if self.config.signals:
            bus = self.conductor.bus
            messages += [(f"/performer/signal/{name}", [("f", bus.value(name, 0.0))]) for name in bus.names()]
        return messages

    def send(self, messages: list[Message]) -> None:
        for i in range(0, len(messages), PER_BUNDLE):
            dgram = bundle_of(messages[i:i + PER_BUNDLE])
            for entry, (family, address) in self._to:
                try:
                    self._socks[family].sendto(dgram, address)
                    self.sent += 1
                except OSError as err:  # unreachable, refused (a previous datagram's ICMP), its buffer full
                    self.failed += 1
                    self._log.warning(entry, "OSC out: %s: %d datagrams could not be sent (%s); the show goes on",
                                      entry, self.failed, err.strerror or err)

    def close(self) -> None:
        for sock in self._socks.values():
            sock.close()
